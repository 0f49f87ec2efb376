// lpu sim-server: serve host-protocol frames over TCP from a simulated chip (the golden model,
// or the Verilated RTL chip relayed byte for byte) or a board (docs/cli.md, docs/host-protocol.md
// "lpu sim-server").
#include <atomic>
#include <csignal>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "command.hpp"
#include "lpu/config.hpp"
#include "lpu/driver/system.hpp"
#include "lpu/driver/tcp_server.hpp"
#include "lpu/driver/transport.hpp"
#include "lpu/driver/transport_sim.hpp"
#include "lpu/error.hpp"
#include "lpu/golden_backend.hpp"
#include "options.hpp"

namespace {

std::atomic<lpu::driver::TcpServer*> g_server{nullptr};
// A multi-chip server's per-chip servers (set before the signal handlers, cleared after).
constexpr unsigned kMaxServers = lpu::driver::kMaxSystemChips;
std::atomic<lpu::driver::TcpServer*> g_servers[kMaxServers];

extern "C" void on_signal(int) {
  if (auto* s = g_server.load()) s->stop();
  for (auto& a : g_servers) {
    if (auto* s = a.load()) s->stop();
  }
}

bool is_usb_uri(const std::string& d) { return d == "usb" || d.rfind("usb:", 0) == 0; }

// Serves until the client limit, a signal, or a device failure.
int serve(lpu::driver::TcpServer& server, const std::string& what) {
  std::cout << "listening on " << server.address() << " (" << what << ")" << std::endl;
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

// N servers on consecutive ports, chip k on base + k. Port 0: any free run of N ports.
std::vector<std::unique_ptr<lpu::driver::TcpServer>> listen_chips(
    unsigned n, const lpu::driver::TcpServerOptions& sopt,
    const std::function<std::unique_ptr<lpu::driver::TcpServer>(unsigned, const lpu::driver::TcpServerOptions&)>& make) {
  std::vector<std::unique_ptr<lpu::driver::TcpServer>> v;
  if (sopt.port != 0 && static_cast<unsigned>(sopt.port) + n - 1 > 65535) {
    throw lpu::Error("--port " + std::to_string(sopt.port) + ": " + std::to_string(n) +
                     " chips need ports up to " + std::to_string(sopt.port + n - 1) + ", above 65535");
  }
  for (unsigned attempt = 0;; ++attempt) {
    v.clear();
    lpu::driver::TcpServerOptions o = sopt;
    try {
      for (unsigned k = 0; k < n; ++k) {
        o.port = k == 0 ? sopt.port : static_cast<std::uint16_t>(v[0]->port() + k);
        o.log_name = "sim-server chip " + std::to_string(k);
        if (k > 0 && v[0]->port() + k > 65535) throw lpu::Error("ports run past 65535");
        try {
          v.push_back(make(k, o));
        } catch (const lpu::Error& e) {
          throw lpu::Error("chip " + std::to_string(k) + ": " + e.what());
        }
      }
      return v;
    } catch (const lpu::Error&) {
      if (sopt.port != 0 || attempt >= 50) throw;  // --port 0: try another base port
    }
  }
}

// A multi-chip device (golden:chips=N, sim:chips=N[,...]): chip k served on port P+k.
int serve_system(const std::string& device, const lpu::cli::Options& opt, const lpu::Config* want,
                 const lpu::driver::TcpServerOptions& sopt) {
  const lpu::driver::SystemUri u = lpu::driver::parse_system_uri(device);
  if (u.kind != lpu::driver::SystemUri::Kind::golden && u.kind != lpu::driver::SystemUri::Kind::sim) {
    throw lpu::Error("--device '" + device + "': a multi-chip server serves golden:chips=N or sim:chips=N");
  }
  if (u.config && want && u.config != want) {
    throw lpu::Error("--device " + device + " and --config " + std::string(want->name) +
                     " name different configurations: give one of them");
  }
  const lpu::Config& cfg = u.config ? *u.config : want ? *want : lpu::default_config();
  const unsigned n = u.chips;
  if (opt.has("clock-mhz")) {
    throw lpu::Error("--clock-mhz applies to a single golden chip only (drop it for " + device + ")");
  }
  std::shared_ptr<lpu::driver::GoldenSystemBackends> golden;
  std::vector<std::unique_ptr<lpu::driver::Transport>> links;
  std::string what;
  if (u.kind == lpu::driver::SystemUri::Kind::golden) {
    golden = std::make_shared<lpu::driver::GoldenSystemBackends>(cfg, n, opt.uint_or("max-cycles", 1ull << 32));
    what = "golden:chips=" + std::to_string(n) + ", config " + std::string(cfg.name);
  } else {
    if (opt.has("max-cycles")) {
      throw lpu::Error("--max-cycles applies to --device golden only: " + device + " runs its real cycles");
    }
    lpu::driver::SystemUri su = u;
    try {
      links = lpu::driver::open_sim_system_transports(su, cfg, device);
    } catch (const lpu::Error& e) {
      throw lpu::Error(std::string("cannot open the device to serve: ") + e.what());
    }
    what = "sim:chips=" + std::to_string(n) + ",config=" + std::string(cfg.name) + ", relayed byte for byte";
  }
  auto servers = listen_chips(n, sopt, [&](unsigned k, const lpu::driver::TcpServerOptions& o) {
    return golden ? std::make_unique<lpu::driver::TcpServer>(golden->chip(k), o)
                  : std::make_unique<lpu::driver::TcpServer>(*links[k], o);
  });
  const std::string first = servers.front()->address();
  std::cout << "listening on " << first << " (" << what << "; chip k on port " << servers.front()->port()
            << "+k, ports " << servers.front()->port() << ".." << servers.back()->port()
            << "; clients connect with tcp://HOST:" << servers.front()->port() << ",chips=" << n << ")"
            << std::endl;
  for (unsigned k = 0; k < n; ++k) g_servers[k].store(servers[k].get());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::mutex m;
  std::string error;
  std::vector<std::thread> threads;
  for (unsigned k = 0; k < n; ++k) {
    threads.emplace_back([&, k] {
      try {
        servers[k]->serve();
      } catch (const std::exception& e) {
        {
          std::lock_guard<std::mutex> lk(m);
          if (error.empty()) error = "chip " + std::to_string(k) + ": " + e.what();
        }
        for (auto& s : servers) s->stop();  // one chip's device failed: the system is gone
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& a : g_servers) a.store(nullptr);
  if (!error.empty()) throw lpu::Error(error);
  return 0;
}

int run_sim_server(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  lpu::cli::Options opt(
      args, {
                {"port", 'p', OptKind::value, "TCP port (0: any free port)"},
                {"listen", 'l', OptKind::value, "address to listen on"},
                {"bind", 0, OptKind::value, "the same as --listen"},
                {"config", 'c', OptKind::value, "tiny|base"},
                {"device", 'd', OptKind::value, "golden|sim[:...]|usb[:...]"},
                {"clock-mhz", 0, OptKind::value, "pace runs at this clock"},
                {"max-cycles", 0, OptKind::value, "stop a run after this many cycles"},
                {"max-clients", 0, OptKind::value, "exit after serving N clients"},
                {"once", 0, OptKind::flag, "exit after one client"},
                {"quiet", 'q', OptKind::flag, "no connection log"},
            });
  opt.require_positionals(0, 0, "nothing (every setting is an option)");
  if (!opt.has("port")) {
    throw lpu::Error("--port is required: give --port P, or --port 0 to pick a free port");
  }
  const std::uint64_t port = lpu::cli::parse_uint(opt.value_or("port", "0"), "--port");
  if (port > 65535) throw lpu::Error("--port " + std::to_string(port) + " is not 0..65535");
  if (opt.has("listen") && opt.has("bind")) {
    throw lpu::Error("--listen and --bind are the same option: give one of them");
  }
  const lpu::Config* want =
      opt.has("config") ? &lpu::config_by_name(opt.value_or("config", "")) : nullptr;
  const lpu::Config& cfg = want ? *want : lpu::default_config();
  const std::string device = opt.value_or("device", "golden");

  lpu::driver::TcpServerOptions sopt;
  sopt.bind = opt.value_or("listen", opt.value_or("bind", "127.0.0.1"));
  sopt.port = static_cast<std::uint16_t>(port);
  sopt.max_clients = opt.flag("once") ? 1u : static_cast<unsigned>(opt.uint_or("max-clients", 0));
  sopt.log = opt.flag("quiet") ? nullptr : &std::cerr;

  if (device.find("chips=") != std::string::npos) return serve_system(device, opt, want, sopt);

  if (device == "golden") {
    lpu::GoldenBackendOptions gopt;
    const std::uint64_t mhz = opt.uint_or("clock-mhz", 0);
    if (mhz > 4000) throw lpu::Error("--clock-mhz " + std::to_string(mhz) + " is above 4000");
    gopt.clock_hz = static_cast<std::uint32_t>(mhz * 1000000u);
    gopt.max_cycles = opt.uint_or("max-cycles", gopt.max_cycles);
    lpu::GoldenBackend backend(cfg, gopt);
    lpu::driver::TcpServer server(backend, sopt);
    return serve(server, "config " + std::string(cfg.name) + ", device golden");
  }

  if (!lpu::driver::is_sim_uri(device) && !is_usb_uri(device)) {
    throw lpu::Error("--device '" + device +
                     "': expected golden, sim[:config=C] or usb[:VID:PID[:SERIAL]] (a tcp:// "
                     "device is served by its own server already)");
  }
  for (const char* o : {"clock-mhz", "max-cycles"}) {
    if (opt.has(o)) {
      throw lpu::Error("--" + std::string(o) + " applies to --device golden only: " + device +
                       " runs its real cycles (drop the option, or serve --device golden)");
    }
  }
  lpu::driver::TransportOptions topt;
  if (lpu::driver::is_sim_uri(device)) {
#ifdef LPU_HAVE_SIM_TRANSPORT  // otherwise open_transport says the build has no sim device
    const lpu::driver::SimOptions so = lpu::driver::parse_sim_uri(device);
    if (so.config && want && so.config != want) {
      throw lpu::Error("--device " + device + " and --config " + std::string(want->name) +
                       " name different configurations: give one of them");
    }
    if (so.uart) {
      // A 4 KiB frame takes seconds of wall time through the simulated UART; the TCP
      // client's response timeout is 1 s (it would retry and fail).
      throw lpu::Error("--device " + device +
                       ": the bit-accurate UART mode is too slow to serve over TCP (a client's "
                       "response timeout is shorter than a frame's simulated transfer); serve "
                       "--device sim (bytes through the chip's side door), and use "
                       "--device sim:uart=1 in process");
    }
#endif
    topt.config = &cfg;
  } else if (want) {
    throw lpu::Error("--config applies to the simulated devices only: a board is what it is "
                     "(drop --config; `lpu info --device " + device + "` shows it)");
  }
  std::unique_ptr<lpu::driver::Transport> link;
  try {
    link = lpu::driver::open_transport(device, topt);
  } catch (const lpu::Error& e) {
    throw lpu::Error(std::string("cannot open the device to serve: ") + e.what());
  }
  lpu::driver::TcpServer server(*link, sopt);
  return serve(server, "device " + link->describe() + ", relayed byte for byte");
}

// LPU_COMMAND needs an identifier; this command's name has a hyphen, so register directly.
[[maybe_unused]] const bool registered = lpu::cli::register_command(lpu::cli::Command{
    "sim-server", "serve a simulated chip (or a board) over TCP",
    "--port P [--listen ADDR] [--config C] [--device golden|sim[:config=C]|usb[:...]]\n"
    "         [--device golden:chips=N|sim:chips=N[,...]]\n"
    "         [--clock-mhz N] [--max-cycles N] [--max-clients N | --once] [--quiet]\n"
    "\n"
    "Serves the LPU host protocol (docs/host-protocol.md) on 127.0.0.1:P (or --listen ADDR);\n"
    "clients connect with --device tcp://HOST:P. One client at a time, one after another; the\n"
    "chip keeps its state between clients. Prints 'listening on ADDR:PORT (...)' once ready\n"
    "(--port 0 picks a free port). Ctrl-C (SIGINT) or SIGTERM stops it.\n"
    "\n"
    "  -p, --port P        TCP port (required; 0 = any free port)\n"
    "  -l, --listen ADDR   listen address (default 127.0.0.1, loopback only; 0.0.0.0 or ::\n"
    "                      expose the device to the network); --bind ADDR is the same\n"
    "  -c, --config C      chip configuration of a simulated device: tiny or base (default base)\n"
    "  -d, --device D      golden (default): the golden model, frames answered in process;\n"
    "                      golden:chips=N, sim:chips=N[,config=C][,ppm=P][,ber=X]: a\n"
    "                      multi-chip system, chip k on port P+k (clients: tcp://HOST:P,chips=N;\n"
    "                      docs/cli.md \"Multi-chip devices\");\n"
    "                      sim, sim:config=C: the Verilated RTL chip (lpu_top), bytes relayed\n"
    "                      to its own host interface; usb[:VID:PID[:SERIAL]]: a board, relayed\n"
    "      --clock-mhz N   golden: report a run as running for its cycles at N MHz (default 0:\n"
    "                      no pacing)\n"
    "      --max-cycles N  golden: stop a run that has not halted after N cycles (as aborted)\n"
    "      --max-clients N exit after serving N clients; --once = --max-clients 1\n"
    "  -q, --quiet         do not log connections to stderr\n",
    run_sim_server});

}  // namespace
