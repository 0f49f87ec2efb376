// Multi-chip devices (helper H5; lpu/driver/system.hpp): system URIs, the run loop over one
// FrameDevice per chip, the golden system behind the protocol (in process and over a
// multi-port TCP server), `lpu run` / `lpu sim-server` with chips=N, and, when the build has
// the multi-chip Verilator system, the same on sim:chips=2. The workload is the two-chip MLP
// (examples/mlp/, split at build time into build/examples/mlp_split/), checked against plain
// C++ loops and bit for bit against the golden model's system.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "lpu/assembler.hpp"
#include "lpu/driver/system.hpp"
#include "lpu/driver/tcp_server.hpp"
#include "lpu/error.hpp"
#include "lpu/golden_backend.hpp"
#include "lpu/npy.hpp"

extern char** environ;

using namespace lpu;
using driver::parse_system_uri;
using driver::SystemUri;

namespace {

std::string example(const std::string& f) { return std::string(LPU_EXAMPLES_DIR) + "/mlp/" + f; }

// ---- the reference: the MLP as plain loops (docs/isa.md requantisation) --------------------

std::int32_t requant(std::int64_t x, std::int64_t mult, unsigned sh) {
  const __int128 p = static_cast<__int128>(x) * mult;
  const __int128 d = static_cast<__int128>(1) << sh;
  const __int128 num = p + d / 2;
  __int128 q = num / d;
  if (num % d != 0 && num < 0) q -= 1;  // floor division
  return static_cast<std::int32_t>(q < -128 ? -128 : q > 127 ? 127 : q);
}

std::vector<std::int32_t> layer(const std::vector<std::int32_t>& in, const std::vector<std::int32_t>& w,
                                const std::vector<std::int32_t>& b, unsigned rows, unsigned k, unsigned n,
                                std::int64_t mult, unsigned sh) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(rows) * n);
  for (unsigned i = 0; i < rows; ++i) {
    for (unsigned j = 0; j < n; ++j) {
      std::int64_t acc = b[j];
      for (unsigned q = 0; q < k; ++q) acc += static_cast<std::int64_t>(in[i * k + q]) * w[q * n + j];
      out[i * n + j] = requant(acc > 0 ? acc : 0, mult, sh);
    }
  }
  return out;
}

std::vector<std::int32_t> reference_y() {
  auto ld = [](const char* f) { return read_npy(example(f)).as_int32(); };
  // mlp.s: MULT1 11, SH1 14, MULT2 25, SH2 14.
  const auto h = layer(ld("x.npy"), ld("w1.npy"), ld("b1.npy"), 64, 128, 64, 11, 14);
  return layer(h, ld("w2.npy"), ld("b2.npy"), 64, 64, 32, 25, 14);
}

SystemProgram split_mlp(const Config& cfg) {
  SystemProgram sp;
  sp.chips.push_back(assemble_file(std::string(LPU_MLP_SPLIT_DIR) + "/mlp_chip0.s", cfg));
  sp.chips.push_back(assemble_file(std::string(LPU_MLP_SPLIT_DIR) + "/mlp_chip1.s", cfg));
  return sp;
}

struct MlpRun {
  std::vector<RunResult> res;
  std::vector<std::int32_t> h0, h1, y;
};

MlpRun run_mlp(SystemDevice& sys) {
  const Config& cfg = sys.chip(0).config();
  sys.load(split_mlp(cfg));
  sys.chip(0).write_tensor("X", read_npy(example("x.npy")));
  sys.chip(0).write_tensor("W1", read_npy(example("w1.npy")));
  sys.chip(0).write_tensor("B1", read_npy(example("b1.npy")));
  sys.chip(1).write_tensor("W2", read_npy(example("w2.npy")));
  sys.chip(1).write_tensor("B2", read_npy(example("b2.npy")));
  MlpRun r;
  r.res = sys.run(50000000);
  REQUIRE(r.res.size() == 2);
  INFO("chip 0: " << error_name(r.res[0].error) << " at pc " << r.res[0].error_pc);
  REQUIRE(r.res[0].ok());
  INFO("chip 1: " << error_name(r.res[1].error) << " at pc " << r.res[1].error_pc);
  REQUIRE(r.res[1].ok());
  r.h0 = sys.chip(0).read_tensor("H").as_int32();
  r.h1 = sys.chip(1).read_tensor("H").as_int32();
  r.y = sys.chip(1).read_tensor("Y").as_int32();
  return r;
}

// Checks a device's MLP run against the plain loops and the golden system, bit for bit.
void check_mlp(SystemDevice& sys) {
  const auto got = run_mlp(sys);
  const auto y = reference_y();
  CHECK(got.y == y);
  CHECK(got.h0 == got.h1);  // H crossed the link intact
  auto golden = open_golden_system(sys.chip(0).config(), 2);
  const auto want = run_mlp(*golden);
  CHECK(want.y == y);
  CHECK(got.h1 == want.h1);
  CHECK(got.res[0].counter(gen::Counter::link_tx) == 256);
  CHECK(got.res[1].counter(gen::Counter::link_rx) == 256);
}

// ---- child processes: `lpu sim-server` and `lpu run` -----------------------------------------

#ifdef LPU_CLI_PATH
struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  ~Child() {
    if (out_fd >= 0) ::close(out_fd);
    if (pid > 0) {
      int st = 0;
      for (int i = 0; i < 300; ++i) {
        if (::waitpid(pid, &st, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
    }
  }
};

// Starts `lpu ARGS...` with stdout on a pipe (stderr inherited).
void spawn_lpu(Child& c, std::vector<std::string> args) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  args.insert(args.begin(), LPU_CLI_PATH);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&c.pid, LPU_CLI_PATH, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  REQUIRE(rc == 0);
  c.out_fd = fds[0];
}

std::string read_line(int fd) {
  std::string line;
  char ch;
  while (::read(fd, &ch, 1) == 1 && ch != '\n') line += ch;
  return line;
}

struct Result {
  int status = -1;
  std::string out, err;
};

// Runs `lpu ARGS...` to completion (stdout and stderr into files).
Result run_lpu(const std::vector<std::string>& args, const std::string& dir) {
  std::string cmd = std::string(LPU_CLI_PATH);
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " >" + dir + "/out.txt 2>" + dir + "/err.txt";
  Result r;
  r.status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  };
  r.out = slurp(dir + "/out.txt");
  r.err = slurp(dir + "/err.txt");
  return r;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/lpu_system_test_XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}

// `lpu sim-server --device DEVICE --port 0 --once`: its base port.
std::uint16_t start_server(Child& c, const std::string& device, const std::string& config) {
  spawn_lpu(c, {"sim-server", "--port", "0", "--once", "--quiet", "--config", config, "--device", device});
  const std::string line = read_line(c.out_fd);
  const auto at = line.find("127.0.0.1:");
  INFO("sim-server said: " << line);
  REQUIRE(at != std::string::npos);
  REQUIRE(line.find("chips=2") != std::string::npos);
  return static_cast<std::uint16_t>(std::stoi(line.substr(at + 10)));
}

// The split MLP as a bundle + its inputs, run by `lpu run --device URI`; returns Y.
std::vector<std::int32_t> cli_mlp(const std::string& uri, const std::string& dir) {
  const Config& cfg = config_by_name("base");
  split_mlp(cfg).save_file(dir + "/mlp2.lpu");
  const auto r = run_lpu({"run", dir + "/mlp2.lpu", "--device", uri, "--input", "X=" + example("x.npy"), "--input",
                          "W1=" + example("w1.npy"), "--input", "B1=" + example("b1.npy"), "--input",
                          "W2=" + example("w2.npy"), "--input", "B2=" + example("b2.npy"), "--output",
                          "chip1.Y=" + dir + "/y.npy", "--output", "chip0.H=" + dir + "/h.npy"},
                         dir);
  INFO("lpu run: " << r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("chip 0: cycles:") != std::string::npos);
  CHECK(r.out.find("chip 1: cycles:") != std::string::npos);
  return read_npy(dir + "/y.npy").as_int32();
}
#endif

}  // namespace

TEST_CASE("system URIs: good ones parse", "[system]") {
  CHECK(parse_system_uri("golden").kind == SystemUri::Kind::golden);
  CHECK(parse_system_uri("golden").chips == 0);
  CHECK(parse_system_uri("golden:chips=3").chips == 3);
  CHECK(parse_system_uri("golden-frames:chips=2").kind == SystemUri::Kind::golden_frames);
  const auto s = parse_system_uri("sim:chips=4,config=tiny,ppm=50,ber=1e-6,delay=35,seed=7");
  CHECK(s.kind == SystemUri::Kind::sim);
  CHECK(s.chips == 4);
  CHECK(s.config == &config_by_name("tiny"));
  CHECK(s.ppm_spread == 50.0);
  CHECK(s.ber == 1e-6);
  CHECK(s.delay_ns == 35.0);
  CHECK(s.seed == 7);
  const auto p = parse_system_uri("sim:chips=2,ppm=-20/80");
  CHECK(p.ppm == std::vector<double>{-20.0, 80.0});
  const auto t = parse_system_uri("tcp://127.0.0.1:5000,chips=2");
  CHECK(t.kind == SystemUri::Kind::tcp);
  CHECK(t.host == "127.0.0.1");
  CHECK(t.port == 5000);
  CHECK(t.chips == 2);
  CHECK(parse_system_uri("tcp://[::1]:7000").host == "::1");
  CHECK(parse_system_uri("tcp://localhost:7000").chips == 0);
}

TEST_CASE("system URIs: bad ones are refused, naming the problem", "[system]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(parse_system_uri("sim:chips=0"), Contains("chips=0 is not a chip count 1..16"));
  CHECK_THROWS_WITH(parse_system_uri("sim:chips=17"), Contains("chips=17 is not a chip count 1..16"));
  CHECK_THROWS_WITH(parse_system_uri("golden:chips=two"), Contains("chips=two"));
  CHECK_THROWS_WITH(parse_system_uri("sim:chips=2,speed=9"), Contains("unknown option 'speed'"));
  CHECK_THROWS_WITH(parse_system_uri("golden:chips=2,ber=0.1"), Contains("unknown option 'ber'"));
  CHECK_THROWS_WITH(parse_system_uri("sim:chips=2,chips=3"), Contains("given twice"));
  CHECK_THROWS_WITH(parse_system_uri("sim:chips"), Contains("bad option 'chips'"));
  CHECK_THROWS_WITH(parse_system_uri("sim:chips=2,ber=1.5"), Contains("ber=1.5"));
  CHECK_THROWS_WITH(parse_system_uri("sim:chips=3,ppm=1/2"), Contains("2 offsets for 3 chips"));
  CHECK_THROWS_WITH(parse_system_uri("sim:chips=2,config=huge"), Contains("huge"));
  CHECK_THROWS_WITH(parse_system_uri("tcp://127.0.0.1:0,chips=2"), Contains("port '0'"));
  CHECK_THROWS_WITH(parse_system_uri("tcp://127.0.0.1:5000,"), Contains("empty option list"));
  CHECK_THROWS_WITH(parse_system_uri("tcp://127.0.0.1:5000,chips=2,ppm=3"), Contains("unknown option 'ppm'"));
  CHECK_THROWS_WITH(parse_system_uri("usb"), Contains("not a multi-chip device"));
  // Through the opener: the URI is named, and chips= beats the caller's default.
  const Config& cfg = config_by_name("base");
  CHECK_THROWS_WITH(driver::open_system_device("sim:chips=0", cfg, 2), Contains("'sim:chips=0'"));
  CHECK(driver::open_system_device("golden:chips=3", cfg, 2)->chips() == 3);
  CHECK(driver::open_system_device("golden", cfg, 2)->chips() == 2);
  CHECK(driver::open_system_device("golden-frames:chips=2", cfg)->name() == "golden-frames:chips=2");
  // The library's own opener knows golden only.
  CHECK(open_system_device("golden:chips=2", cfg)->chips() == 2);
  CHECK_THROWS_WITH(open_system_device("golden:chips=0", cfg), Contains("chips=0"));
  CHECK_THROWS_WITH(open_system_device("sim:chips=2", cfg), Contains("driver library"));
  // Nothing listens on a port of a closed server: the chip and port are named.
  std::uint16_t port = 0;
  {
    GoldenBackend be(cfg);
    driver::TcpServer srv(be, driver::TcpServerOptions{});
    port = srv.port();
  }
  CHECK_THROWS_WITH(driver::open_system_device("tcp://127.0.0.1:" + std::to_string(port) + ",chips=1", cfg),
                    Contains("chip 0 (port " + std::to_string(port) + ")"));
}

TEST_CASE("system: a program for more chips than the device is refused", "[system]") {
  const Config& cfg = config_by_name("base");
  const auto sp = split_mlp(cfg);
  for (const char* uri : {"golden:chips=1", "golden-frames:chips=1", "golden-frames:chips=3"}) {
    auto sys = driver::open_system_device(uri, cfg);
    INFO(uri);
    CHECK_THROWS_WITH(sys->load(sp), Catch::Contains("the program is for 2 chip(s), the device has"));
  }
  auto sys = driver::open_system_device("golden-frames:chips=2", cfg);
  CHECK_THROWS_WITH(sys->chip(2), Catch::Contains("chip 2 does not exist"));
  CHECK_THROWS_WITH(sys->chip(0).run(), Catch::Contains("runs only together with the others"));
}

TEST_CASE("system: the split MLP on the golden system behind the protocol (golden-frames:chips=2)", "[system]") {
  auto sys = driver::open_system_device("golden-frames:chips=2", config_by_name("base"));
  check_mlp(*sys);
  // A second run of the same system (the chips keep their state; the inputs are still there).
  const auto again = sys->run(50000000);
  CHECK(again[0].ok());
  CHECK(again[1].ok());
  CHECK(sys->chip(1).read_tensor("Y").as_int32() == reference_y());
}

TEST_CASE("system: the run loop aborts the chips still running when one fails", "[system]") {
  // Two unjoined chips: chip 0 sends on a link with no partner (link_down at once); chip 1 runs
  // a long loop, paced at 1 kHz so that it would report running for seconds.
  const Config& cfg = config_by_name("base");
  GoldenBackendOptions slow;
  slow.clock_hz = 1000;
  auto be0 = std::make_shared<GoldenBackend>(cfg);
  auto be1 = std::make_shared<GoldenBackend>(cfg, slow);
  std::vector<std::unique_ptr<driver::Transport>> links;
  links.push_back(driver::open_loopback_transport(be0, *be0, "chip0"));
  links.push_back(driver::open_loopback_transport(be1, *be1, "chip1"));
  auto sys = driver::open_frame_system(std::move(links), &cfg, "two lone chips");
  SystemProgram sp;
  sp.chips.push_back(assemble("    nop 5\n    send 0, b0[r0], 1\n    halt\n", "c0.s", cfg));
  sp.chips.push_back(assemble("loop 100 {\n  nop 100\n}\n    halt\n", "c1.s", cfg));
  sys->load(sp);
  const auto t0 = std::chrono::steady_clock::now();
  const auto res = sys->run();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(res.size() == 2);
  CHECK(res[0].error == ErrorCode::link_down);
  CHECK(res[0].error_pc == 1);
  CHECK(res[1].error == ErrorCode::aborted);
  CHECK(secs < 5.0);  // not the 10 s chip 1 would have taken
  // The cycle limit: a run past it is aborted and reported.
  auto be2 = std::make_shared<GoldenBackend>(cfg, slow);
  std::vector<std::unique_ptr<driver::Transport>> one;
  one.push_back(driver::open_loopback_transport(be2, *be2, "chip0"));
  auto lone = driver::open_frame_system(std::move(one), &cfg, "one slow chip");
  SystemProgram sp1;
  sp1.chips.push_back(sp.chips[1]);
  lone->load(sp1);
  CHECK_THROWS_WITH(lone->run(200), Catch::Contains("did not finish within 200 cycles"));
}

TEST_CASE("system: a multi-port TCP server of golden chips (chip k on port P+k)", "[system][tcp]") {
  const Config& cfg = config_by_name("base");
  driver::GoldenSystemBackends chips(cfg, 2);
  // Consecutive ports: the first one free, the second one next to it (retry until both bind).
  std::unique_ptr<driver::TcpServer> s0, s1;
  for (int attempt = 0; attempt < 50 && !s1; ++attempt) {
    s0 = std::make_unique<driver::TcpServer>(chips.chip(0), driver::TcpServerOptions{});
    driver::TcpServerOptions o;
    o.port = static_cast<std::uint16_t>(s0->port() + 1);
    try {
      s1 = std::make_unique<driver::TcpServer>(chips.chip(1), o);
    } catch (const Error&) {
    }
  }
  REQUIRE(s1);
  std::thread t0([&] { s0->serve(); });
  std::thread t1([&] { s1->serve(); });
  {
    auto sys = driver::open_system_device("tcp://127.0.0.1:" + std::to_string(s0->port()) + ",chips=2", cfg);
    CHECK(sys->name() == "tcp://127.0.0.1:" + std::to_string(s0->port()) + ",chips=2");
    check_mlp(*sys);
  }
  s0->stop();
  s1->stop();
  t0.join();
  t1.join();
}

#ifdef LPU_CLI_PATH
TEST_CASE("system cli: lpu sim-server --device golden:chips=2 + lpu run --device tcp://...", "[system][cli]") {
  const std::string dir = temp_dir();
  Child server;
  const auto port = start_server(server, "golden:chips=2", "base");
  CHECK(cli_mlp("tcp://127.0.0.1:" + std::to_string(port) + ",chips=2", dir) == reference_y());
  CHECK(read_npy(dir + "/h.npy").as_int32().size() == 64u * 64u);
}

TEST_CASE("system cli: lpu run of a bundle on a device with too few chips, or a one-chip device", "[system][cli]") {
  const std::string dir = temp_dir();
  split_mlp(config_by_name("base")).save_file(dir + "/mlp2.lpu");
  auto r = run_lpu({"run", dir + "/mlp2.lpu", "--device", "golden:chips=1"}, dir);
  CHECK(r.status != 0);
  CHECK(r.err.find("program for 2 chips; device golden:chips=1 has 1: not enough chips") != std::string::npos);
  r = run_lpu({"run", dir + "/mlp2.lpu", "--device", "golden-frames:chips=3"}, dir);
  CHECK(r.status != 0);
  CHECK(r.err.find("has 3: its ring joins other links") != std::string::npos);
  r = run_lpu({"run", dir + "/mlp2.lpu", "--device", "usb"}, dir);
  CHECK(r.status != 0);
  CHECK(r.err.find("is one chip") != std::string::npos);
  r = run_lpu({"run", dir + "/mlp2.lpu", "--device", "sim:chips=0"}, dir);
  CHECK(r.status != 0);
  CHECK(r.err.find("chips=0 is not a chip count") != std::string::npos);
  // A multi-chip server refuses bad URIs before listening.
  r = run_lpu({"sim-server", "--port", "0", "--device", "golden:chips=2,speed=3"}, dir);
  CHECK(r.status != 0);
  CHECK(r.err.find("unknown option 'speed'") != std::string::npos);
  // The golden system in process, by the CLI: the same Y as the reference.
  (void)cli_mlp("golden:chips=2", dir);
  CHECK(read_npy(dir + "/y.npy").as_int32() == reference_y());
}
#endif

// ---- the multi-chip Verilator system -----------------------------------------------------------
#ifdef LPU_HAVE_MULTICHIP_SIM
TEST_CASE("system: the split MLP on sim:chips=2 (two Verilated chips joined by link models)", "[system][sim]") {
  auto sys = driver::open_system_device("sim:chips=2", config_by_name("base"));
  CHECK(sys->chips() == 2);
  check_mlp(*sys);
}

TEST_CASE("system: sim:chips=2 with clock offsets and bit errors still gives the same bits", "[system][sim]") {
  // ber and ppm reach the link channels: the chips' link counters see the corrupted bits
  // (LINK_STATUS), the link's CRC and replays deliver every word intact, none dropped.
  auto sys = driver::open_system_device("sim:chips=2,ppm=-400/600,ber=1e-4,delay=45,seed=5", config_by_name("base"));
  check_mlp(*sys);
  std::uint64_t line_errors = 0, drops = 0;
  for (unsigned c = 0; c < 2; ++c) {
    const auto ls = sys->chip(c).link_status();
    REQUIRE(ls.size() >= 2);
    for (unsigned k = 0; k < 2; ++k) {
      INFO("chip " << c << " link " << k);
      CHECK(ls[k].up);
      REQUIRE(ls[k].counters.size() == kLinkCounters);
      line_errors += ls[k].counters[1] + ls[k].counters[2] + ls[k].counters[18] + ls[k].counters[19];
      drops += ls[k].counters[22];
    }
  }
  CHECK(line_errors > 0);
  CHECK(drops == 0);
}

TEST_CASE("system: on sim:chips=2 a chip's error aborts the chip waiting for its data", "[system][sim]") {
  // Chip 0 reads the accumulator out of range before it sends; chip 1 waits in recv.
  const Config& cfg = config_by_name("base");
  auto sys = driver::open_system_device("sim:chips=2", cfg);
  SystemProgram sp;
  sp.chips.push_back(assemble("    li r1, " + std::to_string(cfg.acc_depth) + "\n    vlda v1, acc[r1]\n"
                              "    send 0, b0[r0], 1\n    halt\n", "c0.s", cfg));
  sp.chips.push_back(assemble("    recv 1, b0[r0], 1\n    halt\n", "c1.s", cfg));
  sys->load(sp);
  const auto res = sys->run(10000000);
  REQUIRE(res.size() == 2);
  CHECK(res[0].error == ErrorCode::acc_addr);
  CHECK(res[0].error_pc == 1);
  CHECK(res[1].error == ErrorCode::aborted);
  CHECK(res[1].counter(gen::Counter::link_rx) == 0);
}

#ifdef LPU_CLI_PATH
TEST_CASE("system cli: lpu sim-server --device sim:chips=2 + lpu run --device tcp://...", "[system][sim][cli]") {
  const std::string dir = temp_dir();
  Child server;
  const auto port = start_server(server, "sim:chips=2", "base");
  CHECK(cli_mlp("tcp://127.0.0.1:" + std::to_string(port) + ",chips=2", dir) == reference_y());
}
#endif
#endif
