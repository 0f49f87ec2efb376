// The Verilator models of lpu_link used by the end-to-end tests and benchmark
// (CMakeLists.txt: one model per configuration, Vlink_top_<cfg>); see top_models.hpp.
#include "top_models.hpp"

namespace lpu::verif::link::top {

const char* top_models_note() { return "lpu_link models: base tiny"; }

const char* cnt_name(unsigned i) {
  static const char* const kNames[kNumCnt] = {
      "retrains", "code_err", "disp_err", "skip_add", "skip_drop", "eb_err", "deskew_err",
      "ts_mismatch", "sync_loss", "link_up", "tx_frames", "tx_acks", "tx_naks", "rx_naks",
      "replays", "timeouts", "ack_err", "rx_frames", "crc_err", "frame_err", "seq_err", "dup",
      "drop"};
  return i < kNumCnt ? kNames[i] : "?";
}

}  // namespace lpu::verif::link::top
