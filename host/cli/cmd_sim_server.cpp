// lpu sim-server: serve host-protocol frames over TCP from a simulated chip
// (docs/host-protocol.md "lpu sim-server").
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "lpu/config.hpp"
#include "lpu/driver/tcp_server.hpp"
#include "lpu/error.hpp"
#include "lpu/golden_backend.hpp"
#include "options.hpp"

namespace {

std::atomic<lpu::driver::TcpServer*> g_server{nullptr};

extern "C" void on_signal(int) {
  if (auto* s = g_server.load()) s->stop();
}

int run_sim_server(const std::vector<std::string>& args) {
  lpu::cli::Options opt(
      args, {
                {"port", 'p', lpu::cli::OptKind::value, "TCP port (0: any free port)"},
                {"bind", 0, lpu::cli::OptKind::value, "address to listen on"},
                {"config", 'c', lpu::cli::OptKind::value, "tiny|base"},
                {"device", 'd', lpu::cli::OptKind::value, "golden|sim"},
                {"clock-mhz", 0, lpu::cli::OptKind::value, "pace runs at this clock"},
                {"max-cycles", 0, lpu::cli::OptKind::value, "stop a run after this many cycles"},
                {"max-clients", 0, lpu::cli::OptKind::value, "exit after serving N clients"},
                {"once", 0, lpu::cli::OptKind::flag, "exit after one client"},
                {"quiet", 'q', lpu::cli::OptKind::flag, "no connection log"},
            });
  opt.require_positionals(0, 0, "");
  if (!opt.has("port")) throw lpu::Error("--port is required (0 picks a free port)");
  const std::uint64_t port = lpu::cli::parse_uint(opt.value_or("port", "0"), "--port");
  if (port > 65535) throw lpu::Error("--port " + std::to_string(port) + " is not 0..65535");
  const lpu::Config& cfg =
      opt.has("config") ? lpu::config_by_name(opt.value_or("config", "")) : lpu::default_config();
  const std::string device = opt.value_or("device", "golden");
  if (device == "sim") {
    throw lpu::Error(
        "--device sim (the Verilated RTL core) is not available yet; use --device golden");
  }
  if (device != "golden") throw lpu::Error("--device '" + device + "': expected golden or sim");

  lpu::GoldenBackendOptions gopt;
  const std::uint64_t mhz = opt.uint_or("clock-mhz", 0);
  if (mhz > 4000) throw lpu::Error("--clock-mhz " + std::to_string(mhz) + " is above 4000");
  gopt.clock_hz = static_cast<std::uint32_t>(mhz * 1000000u);
  gopt.max_cycles = opt.uint_or("max-cycles", gopt.max_cycles);

  lpu::driver::TcpServerOptions sopt;
  sopt.bind = opt.value_or("bind", "127.0.0.1");
  sopt.port = static_cast<std::uint16_t>(port);
  sopt.max_clients = opt.flag("once") ? 1u : static_cast<unsigned>(opt.uint_or("max-clients", 0));
  sopt.log = opt.flag("quiet") ? nullptr : &std::cerr;

  lpu::GoldenBackend backend(cfg, gopt);
  lpu::driver::TcpServer server(backend, sopt);
  std::cout << "listening on " << server.address() << " (config " << cfg.name << ", device "
            << device << ")" << std::endl;
  g_server.store(&server);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    server.serve();
  } catch (...) {
    g_server.store(nullptr);
    throw;
  }
  g_server.store(nullptr);
  return 0;
}

// LPU_COMMAND needs an identifier; this command's name has a hyphen, so register directly.
[[maybe_unused]] const bool registered = lpu::cli::register_command(lpu::cli::Command{
    "sim-server", "serve host-protocol frames over TCP from a simulated chip",
    "--port P [--bind ADDR] [--config C] [--device golden|sim] [--clock-mhz N] [--max-cycles N] "
    "[--max-clients N | --once] [--quiet]\n"
    "\n"
    "Serves the LPU host protocol (docs/host-protocol.md) on 127.0.0.1:P (or --bind ADDR);\n"
    "clients connect with --device tcp://HOST:P. One client at a time, one after another; the\n"
    "chip keeps its state between clients. Prints 'listening on ADDR:PORT' once ready\n"
    "(--port 0 picks a free port).\n"
    "\n"
    "  --port P          TCP port (required; 0 = any free port)\n"
    "  --bind ADDR       listen address (default 127.0.0.1; 0.0.0.0 exposes it to the network)\n"
    "  --config C        chip configuration: tiny or base (default base)\n"
    "  --device D        golden (the golden model) or sim (the Verilated core; not yet available)\n"
    "  --clock-mhz N     report a run as running for its cycles at N MHz (default 0: no pacing)\n"
    "  --max-cycles N    stop a run that has not halted after N cycles (as aborted)\n"
    "  --max-clients N   exit after serving N clients; --once = --max-clients 1\n"
    "  --quiet           do not log connections to stderr\n",
    run_sim_server});

}  // namespace
