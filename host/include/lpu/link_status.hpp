// Status of a chip's chip-to-chip links as the host sees it (docs/link.md "Core interface",
// status counters; docs/host-protocol.md LINK_STATUS): whether each link is up, its PHY
// training state and its 23 saturating status counters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lpu {

// Status counters per link (docs/link.md "Status counters" of `lpu_link`).
inline constexpr unsigned kLinkCounters = 23;
// PHY training states (docs/link.md "Training", lpu_link_pkg::ST_*).
inline constexpr unsigned kLinkStateUp = 4;
inline constexpr unsigned kLinkStates = 5;
// Index of the LINK_UP counter (times the link came up).
inline constexpr unsigned kLinkCntLinkUp = 9;

struct LinkStatus {
  bool up = false;
  unsigned state = 0;                   // lpu_link_pkg::ST_* (0 RESET .. 4 UP)
  std::vector<std::uint32_t> counters;  // kLinkCounters values, docs/link.md order
};

// The counter names in index order, lower case (docs/link.md writes the PHY's in capitals):
// "retrains", "code_err", ..., "drop". The one list in C++; a test checks it against the
// table in docs/link.md.
const std::vector<std::string>& link_counter_names();
// "RESET", "ALIGN", "CONFIG", "ACK", "UP"; "state N" for any other value.
std::string link_state_name(unsigned state);

// `links` links, all down: state RESET, every counter 0 (a chip without a partner in the
// golden model; the default of Device::link_status).
std::vector<LinkStatus> links_down(unsigned links);
// The golden model's view (it has no physical layer): a link with a partner is up, in state
// UP, with LINK_UP = 1 (it came up once) and every other counter 0; a link without one is down
// with all counters 0. `partnered[k]`: link k has a partner.
std::vector<LinkStatus> golden_link_status(const std::vector<bool>& partnered);
// The links of one chip of a GoldenSystem ring of `chips` chips (link 0 of chip i joined to
// link 1 of chip i+1 mod chips): with two or more chips links 0 and 1 have partners, with one
// chip none.
std::vector<LinkStatus> golden_ring_link_status(unsigned links, unsigned chips);

}  // namespace lpu
