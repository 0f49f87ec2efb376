// Device factories for the conformance suite.
#include "device_fixtures.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "fake_usb.hpp"
#include "lpu/driver/tcp_server.hpp"
#include "lpu/error.hpp"

extern char** environ;

namespace fixture {

namespace {

using lpu::driver::FrameDevice;

struct GoldenFrames : Fixture {
  GoldenFrames(const lpu::Config& cfg, lpu::GoldenBackendOptions g, lpu::driver::ClientOptions c) {
    dev = std::make_unique<FrameDevice>(lpu::driver::open_golden_transport(cfg, g), &cfg,
                                        lpu::driver::FrameDeviceOptions{c});
  }
};

struct TcpThread : Fixture {
  TcpThread(const lpu::Config& cfg, lpu::GoldenBackendOptions g, lpu::driver::ClientOptions c)
      : backend(cfg, g), server(backend, lpu::driver::TcpServerOptions{}) {
    th = std::thread([this] { server.serve(); });
    dev = std::make_unique<FrameDevice>(
        lpu::driver::open_tcp_transport("127.0.0.1", server.port(),
                                        std::chrono::milliseconds(2000)),
        &cfg, lpu::driver::FrameDeviceOptions{c});
  }
  ~TcpThread() override {
    dev.reset();
    server.stop();
    th.join();
  }
  lpu::GoldenBackend backend;
  lpu::driver::TcpServer server;
  std::thread th;
};

#ifdef LPU_CLI_PATH
// `device`: "golden" (the golden backend with the fixture's options) or "sim" (the Verilated
// chip relayed by the server).
struct TcpChild : Fixture {
  TcpChild(const lpu::Config& cfg, lpu::GoldenBackendOptions g, lpu::driver::ClientOptions c,
           const std::string& device = "golden") {
    int fds[2];
    if (::pipe(fds) != 0) throw lpu::Error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    const std::string mhz = std::to_string(g.clock_hz / 1000000);
    const std::string maxc = std::to_string(g.max_cycles);
    std::vector<std::string> args = {LPU_CLI_PATH, "sim-server", "--port",   "0",
                                     "--once",     "--quiet",    "--config", std::string(cfg.name),
                                     "--device",   device};
    if (device == "golden") {
      for (const auto& a : {std::string("--clock-mhz"), mhz, std::string("--max-cycles"), maxc})
        args.push_back(a);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid, LPU_CLI_PATH, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw lpu::Error("cannot start " + std::string(LPU_CLI_PATH));
    }
    // First line: "listening on 127.0.0.1:PORT (...)".
    std::string line;
    char ch;
    while (::read(fds[0], &ch, 1) == 1 && ch != '\n') line += ch;
    ::close(fds[0]);
    const auto colon = line.find("127.0.0.1:");
    if (colon == std::string::npos) throw lpu::Error("sim-server said: '" + line + "'");
    const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 10)));
    dev = std::make_unique<FrameDevice>(
        lpu::driver::open_tcp_transport("127.0.0.1", port, std::chrono::milliseconds(2000)), &cfg,
        lpu::driver::FrameDeviceOptions{c});
  }
  ~TcpChild() override {
    dev.reset();  // --once: the server exits after this client
    int status = 0;
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(pid, &status, WNOHANG) == pid) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  pid_t pid = -1;
};
#endif

struct UsbFake : Fixture {
  UsbFake(const lpu::Config& cfg, lpu::GoldenBackendOptions g, lpu::driver::ClientOptions c)
      : backend(cfg, g), server(backend), usb(std::make_shared<fake::FakeUsb>()) {
    usb->devices = {fake::ft231x()};
    usb->state->loop = &server;
    lpu::driver::usb::FtdiOptions o;
    dev = std::make_unique<FrameDevice>(lpu::driver::usb::open_ftdi_transport(usb, o), &cfg,
                                        lpu::driver::FrameDeviceOptions{c});
  }
  ~UsbFake() override { dev.reset(); }
  lpu::GoldenBackend backend;
  lpu::ProtocolServer server;
  std::shared_ptr<fake::FakeUsb> usb;
};

#ifdef LPU_HAVE_SIM_TRANSPORT
// sim (helper H): the Verilated lpu_top (RTL core behind the RTL host interface) in process.
// The golden backend's options do not apply: the RTL takes its real number of cycles.
struct Sim : Fixture {
  Sim(const lpu::Config& cfg, lpu::GoldenBackendOptions, lpu::driver::ClientOptions c) {
    lpu::driver::TransportOptions t;
    t.config = &cfg;
    dev = std::make_unique<FrameDevice>(lpu::driver::open_transport("sim", t), &cfg,
                                        lpu::driver::FrameDeviceOptions{c});
  }
};
#endif

}  // namespace

std::vector<std::string> kinds() {
#ifdef LPU_CLI_PATH
  std::vector<std::string> k = {"golden-frames", "tcp", "tcp-cli", "usb-fake"};
#else
  std::vector<std::string> k = {"golden-frames", "tcp", "usb-fake"};
#endif
#ifdef LPU_HAVE_SIM_TRANSPORT
  k.push_back("sim");
#ifdef LPU_CLI_PATH
  k.push_back("tcp-sim");
#endif
#endif
  return k;
}

bool is_rtl(const std::string& kind) { return kind == "sim" || kind == "tcp-sim"; }

std::unique_ptr<Fixture> make(const std::string& kind, const lpu::Config& cfg,
                              lpu::GoldenBackendOptions gopt, lpu::driver::ClientOptions copt) {
  if (kind == "golden-frames") return std::make_unique<GoldenFrames>(cfg, gopt, copt);
  if (kind == "tcp") return std::make_unique<TcpThread>(cfg, gopt, copt);
#ifdef LPU_CLI_PATH
  if (kind == "tcp-cli") return std::make_unique<TcpChild>(cfg, gopt, copt);
#endif
  if (kind == "usb-fake") return std::make_unique<UsbFake>(cfg, gopt, copt);
#ifdef LPU_HAVE_SIM_TRANSPORT
  if (kind == "sim") return std::make_unique<Sim>(cfg, gopt, copt);
#ifdef LPU_CLI_PATH
  if (kind == "tcp-sim") return std::make_unique<TcpChild>(cfg, gopt, copt, "sim");
#endif
#endif
  throw lpu::Error("unknown fixture " + kind);
}

}  // namespace fixture
