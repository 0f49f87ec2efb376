// Link status helpers: the counter names and the golden model's link status.
#include "lpu/link_status.hpp"

namespace lpu {

const std::vector<std::string>& link_counter_names() {
  // docs/link.md "Core interface", Status counters: 0..9 the PHY's, 10..22 the data link's.
  static const std::vector<std::string> names = {
      "retrains",   "code_err",    "disp_err",  "skip_add", "skip_drop", "eb_err",
      "deskew_err", "ts_mismatch", "sync_loss", "link_up",  "tx_frames", "tx_acks",
      "tx_naks",    "rx_naks",     "replays",   "timeouts", "ack_err",   "rx_frames",
      "crc_err",    "frame_err",   "seq_err",   "dup",      "drop",
  };
  return names;
}

std::string link_state_name(unsigned state) {
  static const char* const names[kLinkStates] = {"RESET", "ALIGN", "CONFIG", "ACK", "UP"};
  if (state < kLinkStates) return names[state];
  return "state " + std::to_string(state);
}

std::vector<LinkStatus> links_down(unsigned links) {
  std::vector<LinkStatus> v(links);
  for (auto& l : v) l.counters.assign(kLinkCounters, 0);
  return v;
}

std::vector<LinkStatus> golden_link_status(const std::vector<bool>& partnered) {
  auto v = links_down(static_cast<unsigned>(partnered.size()));
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (!partnered[k]) continue;
    v[k].up = true;
    v[k].state = kLinkStateUp;
    v[k].counters[kLinkCntLinkUp] = 1;
  }
  return v;
}

std::vector<LinkStatus> golden_ring_link_status(unsigned links, unsigned chips) {
  std::vector<bool> partnered(links, false);
  for (unsigned k = 0; k < links && k < 2; ++k) partnered[k] = chips > 1;
  return golden_link_status(partnered);
}

}  // namespace lpu
