// The lpu_link_dl models built by CMakeLists.txt, with their parameters (from the same CMake
// list that sets the Verilator -G values), and the documented latency formula of
// docs/link.md "Recovery policy and determinism", written out here as plain arithmetic.
#pragma once

#include "Vlink_dl_w16l4.h"
#include "Vlink_dl_w4l2.h"
#include "Vlink_dl_w4l3.h"
#include "Vlink_dl_w8l1.h"

#include <cstdint>

namespace lpu::verif::link {

const char* dl_models_note();

#define LPU_DL_TRAITS(name)                                                   \
  struct T_##name {                                                           \
    using Model = Vlink_dl_##name;                                            \
    static constexpr const char* id = #name;                                  \
    static constexpr unsigned lanes = LPU_DL_##name##_Lanes;                  \
    static constexpr unsigned link_lanes = LPU_DL_##name##_LinkLanes;         \
    static constexpr unsigned frame_words = LPU_DL_##name##_FrameWords;       \
    static constexpr unsigned osr = LPU_DL_##name##_Osr;                      \
    static constexpr unsigned retry_words = LPU_DL_##name##_RetryWords;       \
    static constexpr unsigned rx_words = LPU_DL_##name##_RxWords;             \
  };
LPU_DL_TRAITS(w16l4)
LPU_DL_TRAITS(w4l2)
LPU_DL_TRAITS(w4l3)
LPU_DL_TRAITS(w8l1)
#undef LPU_DL_TRAITS

// Frame geometry: a data frame of n words is 8 + n * word_bytes symbols (start, 2 header, the
// payload, 4 CRC, end), padded to whole columns; ACK/NAK frames are 8 symbols.
inline unsigned frame_symbols(unsigned n, unsigned word_bytes) { return 8 + n * word_bytes; }
inline unsigned frame_columns(unsigned n, unsigned word_bytes, unsigned link_lanes) {
  return (frame_symbols(n, word_bytes) + link_lanes - 1) / link_lanes;
}

// Nominal delivery cycle of word i of a message of n words whose word j the core writes in
// cycle t0 + j, with no errors and an otherwise idle link (docs/link.md): the columns go out
// back to back from the first column tick at or after t0 + L + 1 (wait w in 0 .. P-1),
// column c of the message reaches the far end's col_rx at tick + c * P + P + D, and a
// frame's words are committed after its end symbol (lane e of its last column) and handed
// to the core one per cycle.
//   L = LinkLanes, P = column period (10 * Osr), D = PHY pipeline beyond the line time.
inline std::uint64_t nominal_delivery(std::uint64_t t0, unsigned i, unsigned n, unsigned w,
                                      unsigned word_bytes, unsigned link_lanes,
                                      unsigned frame_words, unsigned period, unsigned delay) {
  const unsigned f = i / frame_words;  // frame of word i
  const unsigned full_cols = frame_columns(frame_words, word_bytes, link_lanes);
  const unsigned nf = (n - f * frame_words < frame_words) ? n - f * frame_words : frame_words;
  const unsigned cols = f * full_cols + frame_columns(nf, word_bytes, link_lanes);
  const unsigned e = (frame_symbols(nf, word_bytes) - 1) % link_lanes;
  return t0 + link_lanes + 1 + w + std::uint64_t{cols} * period + delay + 3 + e +
         (i - f * frame_words);
}

}  // namespace lpu::verif::link
