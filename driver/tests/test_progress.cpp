// Progress of long transfers (lpu::Device::set_progress): the callback sequence of load(),
// write_tensor() and read_tensor() through frames (golden-frames) and in process (golden), and
// `lpu run`'s progress line: on a terminal, never on a pipe.
//
// References: totals are computed here from the program (8 bytes per instruction plus the data
// segments' bytes, the tensor's rows x lanes); chunk sizes are bounded by INFO's max_data.
#include <catch2/catch.hpp>
#include <random>
#include <utility>
#include <vector>

#include "lpu/assembler.hpp"
#include "lpu/device.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/error.hpp"

namespace {

using Calls = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

const lpu::Config& base() { return lpu::config_by_name("base"); }

// A program with `rows` rows of input x (bank 0) and output y (bank 1), plus a data segment
// of `data_bytes` random bytes from bank 2, word 0 (flat SRAM order: it spans banks).
lpu::Program big_program(const lpu::Config& cfg, unsigned rows, std::size_t data_bytes) {
  const std::string shape = "(" + std::to_string(rows) + "," + std::to_string(cfg.lanes) + ")";
  lpu::Program p = lpu::assemble(".input x, b0[0], shape=" + shape + ", dtype=int8\n" +
                                     ".output y, b1[0], shape=" + shape + ", dtype=int8\n" +
                                     "loop 3 {\n  nop 5\n}\nhalt\n",
                                 "big.s", cfg);
  std::mt19937 rng(5);
  lpu::Segment seg;
  seg.space = lpu::Space::sram;
  seg.bank = 2;
  seg.addr = 0;
  seg.bytes.resize(data_bytes);
  for (auto& b : seg.bytes) b = static_cast<std::uint8_t>(rng());
  p.data.push_back(seg);
  return p;
}

// First (0, total), done strictly increasing in steps of 1..max_step, last (total, total).
void check_sequence(const Calls& c, std::uint64_t total, std::uint64_t max_step) {
  REQUIRE(c.size() >= 2);
  CHECK(c.front() == std::make_pair(std::uint64_t{0}, total));
  CHECK(c.back() == std::make_pair(total, total));
  for (std::size_t i = 1; i < c.size(); ++i) {
    INFO("call " << i << ": " << c[i].first << " after " << c[i - 1].first);
    CHECK(c[i].second == total);
    CHECK(c[i].first > c[i - 1].first);
    CHECK(c[i].first - c[i - 1].first <= max_step);
  }
  // At least one call per max_step bytes: the transfer was reported chunk by chunk.
  CHECK(c.size() >= 1 + (total + max_step - 1) / max_step);
}

}  // namespace

TEST_CASE("progress: load and tensor transfers through frames report every chunk", "[progress]") {
  const lpu::Config& cfg = base();
  const unsigned rows = 300;
  const lpu::Program p = big_program(cfg, rows, 100000);
  const std::uint64_t load_total = 8 * p.code.size() + 100000;

  auto dev = lpu::driver::open_device("golden-frames", cfg);
  auto* fd = dynamic_cast<lpu::driver::FrameDevice*>(dev.get());
  REQUIRE(fd != nullptr);
  const std::uint64_t max_step = fd->info().max_data;
  Calls calls;
  dev->set_progress([&](std::uint64_t d, std::uint64_t t) { calls.emplace_back(d, t); });

  dev->load(p);
  check_sequence(calls, load_total, max_step);

  std::vector<std::int8_t> x(rows * cfg.lanes);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int8_t>(i * 7);
  calls.clear();
  dev->write_tensor("x", lpu::Tensor::from_int8({rows, cfg.lanes}, x));
  check_sequence(calls, x.size(), max_step);

  REQUIRE(dev->run().ok());
  calls.clear();
  const auto y = dev->read_tensor("y");
  check_sequence(calls, y.bytes.size(), max_step);
  CHECK(y.bytes.size() == rows * cfg.lanes);

  // Memory access outside these transfers reports nothing; neither does a cleared callback.
  calls.clear();
  dev->write_mem(lpu::Space::sram, 0, 0, std::vector<std::uint8_t>(8192, 1));
  CHECK(calls.empty());
  dev->set_progress({});
  dev->load(p);
  CHECK(calls.empty());
}

TEST_CASE("progress: the in-process golden device reports start and end", "[progress]") {
  const lpu::Config& cfg = base();
  const lpu::Program p = big_program(cfg, 16, 5008);
  auto dev = lpu::open_golden_device(cfg);
  Calls calls;
  dev->set_progress([&](std::uint64_t d, std::uint64_t t) { calls.emplace_back(d, t); });
  dev->load(p);
  const std::uint64_t total = 8 * p.code.size() + 5008;
  CHECK(calls == Calls{{0, total}, {total, total}});
}

TEST_CASE("progress: a failed load does not report its end", "[progress]") {
  const lpu::Config& cfg = base();
  lpu::Program p = big_program(cfg, 16, 5008);
  p.data.back().bank = cfg.banks;  // past the last bank: refused before any byte moves
  auto dev = lpu::driver::open_device("golden-frames", cfg);
  Calls calls;
  dev->set_progress([&](std::uint64_t d, std::uint64_t t) { calls.emplace_back(d, t); });
  CHECK_THROWS_AS(dev->load(p), lpu::Error);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].first == 0);
}

#ifdef LPU_CLI_PATH

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

// Runs `lpu run FILE --device golden-frames` with stderr on a pseudo-terminal (tty = true)
// or a pipe; returns what arrived on stderr.
std::string run_stderr(const std::string& file, bool tty) {
  int rd = -1, wr = -1;
  if (tty) {
    REQUIRE(::openpty(&rd, &wr, nullptr, nullptr, nullptr) == 0);
  } else {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    rd = p[0];
    wr = p[1];
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, wr, 2);
  posix_spawn_file_actions_addclose(&fa, rd);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {LPU_CLI_PATH, "run", file, "--device", "golden-frames"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, LPU_CLI_PATH, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(wr);
  REQUIRE(rc == 0);
  std::string got;
  char buf[4096];
  for (;;) {
    pollfd p{rd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) break;
    const ssize_t k = ::read(rd, buf, sizeof buf);
    if (k <= 0) break;  // EOF (pipe) or EIO (pty: the child has gone)
    got.append(buf, static_cast<std::size_t>(k));
  }
  ::close(rd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return got;
}

}  // namespace

TEST_CASE("progress: lpu run shows load progress on a terminal only", "[progress]") {
  const lpu::Config& cfg = base();
  char dir[] = "/tmp/lpu_progress_XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string big = std::string(dir) + "/big.lpu";
  const std::string small = std::string(dir) + "/small.lpu";
  big_program(cfg, 16, 128 * 1024).save_file(big);  // banks 2..5 of base
  big_program(cfg, 16, 1024).save_file(small);

  const std::string on_tty = run_stderr(big, true);
  // The summary line: "load FILE: 128.0 KiB in 0.05 s, 2.50 MiB/s" (or "... done" when it took
  // under 10 ms).
  CHECK_THAT(on_tty, Catch::Contains("load " + big + ": 128.0 KiB") &&
                         (Catch::Contains(" s, ") || Catch::Contains("KiB done")));
  CHECK(run_stderr(big, false).empty());  // a pipe (CI logs): nothing
  CHECK(run_stderr(small, true).find("load ") == std::string::npos);  // below 32 KiB: nothing

  ::unlink(big.c_str());
  ::unlink(small.c_str());
  ::rmdir(dir);
}

#endif
