// The `sim` transport: the Verilated RTL chip (lpu_top: lpu_core behind the host interface,
// docs/host-if.md) in process, behind the same byte stream as a board.
//
//   sim                       base, bytes through lpu_top's side door (fast)
//   sim:config=tiny           another configuration (base, tiny)
//   sim:uart=1                bit-accurate: bytes serialised onto uart_rx_i at the model's line
//                             rate and deserialised from uart_tx_o (options combine with ',')
//
// Without config= the transport emulates TransportOptions::config (default base). A worker
// thread clocks the model whenever something is in flight (request bytes, a response, a run);
// an idle chip costs nothing. The device's gap timeout is applied in wall-clock time: when the
// host has been silent for T_GAP while the parser holds a partial frame, the transport pulses
// the side door's flush (the RTL's own cycle-counted timer is tested in verif/host_if/).
//
// Ownership: the transport owns the model and its worker thread; close() joins the thread.
// Available only when the build has the Verilator models (LPU_HAVE_SIM_TRANSPORT).
#pragma once

#include <memory>
#include <string>

#include "lpu/config.hpp"
#include "lpu/driver/transport.hpp"

namespace lpu::driver {

struct SimOptions {
  const Config* config = nullptr;  // nullptr: TransportOptions::config or base
  bool uart = false;
};

inline bool is_sim_uri(const std::string& uri) { return uri == "sim" || uri.rfind("sim:", 0) == 0; }

// Parses "sim[:key=value[,key=value]]"; throws lpu::Error naming the URI and the bad option.
SimOptions parse_sim_uri(const std::string& uri);

std::unique_ptr<Transport> open_sim_transport(const std::string& uri, const TransportOptions& opt = {});

}  // namespace lpu::driver
