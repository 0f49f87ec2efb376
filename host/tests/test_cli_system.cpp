// `lpu bundle` and `lpu run` of a multi-chip program, as child processes: the words chip 0
// sends reach chip 1 and come out of `--output chip1.NAME`; naming errors are clear.
#include <catch2/catch.hpp>

#ifdef LPU_CLI_PATH

#include "cli_test_util.hpp"
#include "lpu/assembler.hpp"
#include "lpu/npy.hpp"

using namespace lpu;
using namespace lpu::test;

TEST_CASE("cli: lpu bundle + lpu run of a two-chip program on the golden system", "[cli][link]") {
  TempDir dir;
  const Config& cfg = config_by_name("tiny");
  // Chip 0 sends its input IN (2 words) forward; chip 1 receives it as OUT.
  assemble(".input IN, b1[0], shape=(8,)\n li r1, 0\n send 0, b1[r1], 2\n halt\n", "c0.s", cfg)
      .save_file(dir.file("c0.lpu"));
  assemble(".output OUT, b0[4], shape=(8,)\n li r1, 4\n recv 1, b0[r1], 2\n halt\n", "c1.s", cfg)
      .save_file(dir.file("c1.lpu"));
  const auto b = run_lpu({"bundle", dir.file("c0.lpu"), dir.file("c1.lpu"), "-o", dir.file("sys.lpu")});
  REQUIRE(b.status == 0);
  const auto l = run_lpu({"bundle", "--list", dir.file("sys.lpu")});
  CHECK(l.status == 0);
  CHECK(l.out.find("2 chip(s)") != std::string::npos);

  Tensor in;
  in.dtype = DType::int8;
  in.shape = {8};
  in.bytes = {1, 0xFF, 3, 0x80, 5, 6, 0x7F, 8};
  write_npy(dir.file("in.npy"), in);
  const auto r = run_lpu({"run", dir.file("sys.lpu"), "--device", "golden", "--input", "IN=" + dir.file("in.npy"),
                          "--output", "chip1.OUT=" + dir.file("out.npy")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("chip 0: cycles:") != std::string::npos);
  CHECK(r.out.find("chip 1: cycles:") != std::string::npos);
  CHECK(read_npy(dir.file("out.npy")).bytes == in.bytes);

  const auto bad = run_lpu({"run", dir.file("sys.lpu"), "--device", "golden", "--input", "chip1.IN=" + dir.file("in.npy")});
  CHECK(bad.status == 1);
  CHECK(bad.err.find("no chip has an input") == std::string::npos);  // named chip: checked there
  CHECK(bad.err.find("IN") != std::string::npos);
  const auto one = run_lpu({"run", dir.file("sys.lpu"), "--device", "golden-frames"});
  CHECK(one.status == 1);
  CHECK(one.err.find("program for 2 chips") != std::string::npos);
  const auto usage = run_lpu({"run", dir.file("sys.lpu"), "--devic", "golden"});
  CHECK(usage.status == 1);
  CHECK(usage.err.find("see 'lpu run --help'") != std::string::npos);
}

#else
TEST_CASE("cli: multi-chip run (skipped)", "[cli]") {
  WARN("skipped: LPU_CLI_PATH is not defined (the lpu CLI is not part of this build)");
}
#endif
