// The lpu_link models built by CMakeLists.txt (one per configuration, Vlink_top_<cfg>) and
// their shapes, taken from the generated ISA header (isa/lpu_isa.toml via
// host/include/lpu/gen/isa_gen.hpp), never typed in here.
#pragma once

#include "Vlink_top_base.h"
#include "Vlink_top_tiny.h"
#include "lpu/gen/isa_gen.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lpu::verif::link::top {

const char* top_models_note();

// A configuration's link shape (docs/link.md "Core interface").
struct Shape {
  std::string_view name;
  unsigned cfg_id = 0;
  unsigned lanes = 0;        // bytes per word
  unsigned link_lanes = 0;   // serial lanes per direction
  unsigned osr = 0;          // core cycles per line bit
  unsigned frame_words = 0;  // most words per frame
  unsigned word_cycles = 0;  // ISA model: link_word_cycles
  unsigned latency = 0;      // ISA model: link_latency
  unsigned tx_depth = 0, rx_depth = 0;

  unsigned column_cycles() const { return 10 * osr; }
  // A data frame of n words: start, 2 sequence bytes, n * lanes payload bytes, 4 CRC bytes,
  // end, padded to whole columns (docs/link.md "Framing").
  unsigned frame_columns(unsigned n) const {
    return (8 + n * lanes + link_lanes - 1) / link_lanes;
  }
  // Sustained words per cycle with full frames and the PHY's SKP column every 256 columns
  // (docs/link.md "Framing"), one direction loaded.
  double words_per_cycle() const {
    return double(frame_words) / (double(frame_columns(frame_words)) * column_cycles()) *
           256.0 / 257.0;
  }
  // lpu_link's retry buffer: link_tx_depth words, at least 4 frames, a power of two.
  unsigned retry_words() const {
    unsigned want = tx_depth > 4 * frame_words ? tx_depth : 4 * frame_words, w = 1;
    while (w < want) w *= 2;
    return w;
  }
  // lpu_link's receive buffer: link_rx_depth words, at least 4 frames, a power of two.
  unsigned rx_words() const {
    unsigned want = rx_depth > 4 * frame_words ? rx_depth : 4 * frame_words, w = 1;
    while (w < want) w *= 2;
    return w;
  }
  // Both directions loaded: each direction also carries an ACK frame (10 symbols: start, e,
  // credit, CRC, end) for every min(retry_words(), rx_words()) / 2 words it receives (the
  // urgent-ACK thresholds AckWords and CreditStep, docs/link.md "Data link layer").
  double words_per_cycle_bidir() const {
    const double ack_cols = (10.0 + link_lanes - 1) / link_lanes;
    const unsigned per_ack = std::min(retry_words(), rx_words()) / 2;
    const double frames_per_ack = double(per_ack) / frame_words;
    return double(frame_words) /
           ((double(frame_columns(frame_words)) + std::floor(ack_cols) / frames_per_ack) *
            column_cycles()) *
           256.0 / 257.0;
  }
};

inline Shape shape_of(std::string_view name) {
  for (const auto& c : lpu::gen::kConfigs) {
    if (c.name == name) {
      Shape s;
      s.name = c.name;
      s.cfg_id = c.id;
      s.lanes = c.lanes;
      s.link_lanes = c.link_lanes;
      s.osr = c.link_osr;
      s.frame_words = c.link_frame_words;
      s.word_cycles = c.link_word_cycles;
      s.latency = c.link_latency;
      s.tx_depth = c.link_tx_depth;
      s.rx_depth = c.link_rx_depth;
      return s;
    }
  }
  throw std::invalid_argument("no configuration named " + std::string(name));
}

struct T_base {
  using Model = Vlink_top_base;
  static constexpr const char* id = "base";
  static constexpr unsigned cnt_w = LPU_TOP_base_CNTW;
};
struct T_tiny {
  using Model = Vlink_top_tiny;
  static constexpr const char* id = "tiny";
  static constexpr unsigned cnt_w = LPU_TOP_tiny_CNTW;
};

// status_o counter indices (docs/link.md "Core interface"): the PHY's ten, then the data
// link layer's thirteen.
enum Cnt : unsigned {
  kRetrains = 0, kCodeErr, kDispErr, kSkipAdd, kSkipDrop, kEbErr, kDeskewErr, kTsMismatch,
  kSyncLoss, kLinkUp,
  kTxFrames, kTxAcks, kTxNaks, kRxNaks, kReplays, kTimeouts, kAckErr, kRxFrames, kCrcErr,
  kFrameErr, kSeqErr, kDup, kDrop,
  kNumCnt
};

const char* cnt_name(unsigned i);

}  // namespace lpu::verif::link::top
