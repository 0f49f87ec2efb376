// Device conformance: the same checks against every transport (golden behind frames, TCP to a
// server thread, TCP to `lpu sim-server` with the golden model and with the Verilated chip, USB
// through a fake libusb, the Verilated chip in process). References are plain
// C++ loops (outputs) and the golden model run directly, without any frames (cycles, counters,
// errors).
#include <catch2/catch.hpp>
#include <string>
#include <random>
#include <thread>

#include "device_fixtures.hpp"
#include "lpu/assembler.hpp"
#include "lpu/device.hpp"
#include "lpu/error.hpp"
#include "vec_mm_program.hpp"

using lpu::driver::ProtocolError;
using lpu::proto::ChipState;
using lpu::proto::ErrField;
using lpu::proto::MemSpace;
using lpu::proto::Status;

namespace {

const lpu::Config& base() { return lpu::config_by_name("base"); }
const lpu::Config& tiny() { return lpu::config_by_name("tiny"); }

std::vector<std::int8_t> random_i8(std::size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<std::int8_t> v(n);
  for (auto& x : v) x = static_cast<std::int8_t>(d(rng));
  return v;
}

std::vector<std::uint8_t> random_bytes(std::size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<std::uint8_t> v(n);
  for (auto& x : v) x = static_cast<std::uint8_t>(d(rng));
  return v;
}

// Reads a cycles-long nop program: loop N { nop 65536 } (N * 65536 cycles and a bit).
lpu::Program long_program(const lpu::Config& cfg, unsigned n) {
  return lpu::assemble("loop " + std::to_string(n) + " {\n  nop 65536\n}\nhalt\n", "long.s", cfg);
}

}  // namespace

TEST_CASE("conformance: INFO describes the configuration", "[conformance]") {
  const auto kind = GENERATE(from_range(fixture::kinds()));
  const lpu::Config& cfg = GENERATE(std::cref(base()), std::cref(tiny()));
  DYNAMIC_SECTION(kind << " " << cfg.name) {
    auto fx = fixture::make(kind, cfg);
    const auto& i = fx->dev->info();
    CHECK(fx->dev->config().id == cfg.id);
    CHECK(i.proto_major == 1);
    CHECK(i.isa_version == lpu::gen::kIsaVersion);
    CHECK(i.lanes == cfg.lanes);
    CHECK(i.banks == cfg.banks);
    CHECK(i.bank_depth == cfg.bank_depth);
    CHECK(i.imem_depth == cfg.imem_depth);
    CHECK(i.max_data == 4096);
    CHECK((i.features & lpu::proto::kFeatAbort) != 0);
    CHECK(fx->dev->status().state == ChipState::idle);
  }
}

TEST_CASE("conformance: a host-assembled program gives the reference outputs and the golden cycles",
          "[conformance]") {
  const auto kind = GENERATE(from_range(fixture::kinds()));
  const lpu::Config& cfg = GENERATE(std::cref(base()), std::cref(tiny()));
  DYNAMIC_SECTION(kind << " " << cfg.name) {
    const unsigned L = cfg.lanes;
    const lpu::Program p = lpu::assemble(lpu::test::vec_mm_program(cfg, 64, 64, 8, true), "t.s", cfg);
    std::mt19937 rng(1234 + L);
    const auto a = random_i8(64 * L, rng), b = random_i8(64 * L, rng);
    const auto x = random_i8(8 * L, rng), w = random_i8(L * L, rng);

    // Independent reference: plain loops.
    std::vector<std::int8_t> y_ref(64 * L);
    for (std::size_t i = 0; i < y_ref.size(); ++i) {
      const int s = a[i] + b[i];
      y_ref[i] = static_cast<std::int8_t>(s < -128 ? -128 : s > 127 ? 127 : s);
    }
    std::vector<std::int32_t> z_ref(8 * L, 0);
    for (unsigned i = 0; i < 8; ++i)
      for (unsigned j = 0; j < L; ++j)
        for (unsigned k = 0; k < L; ++k) z_ref[i * L + j] += x[i * L + k] * w[k * L + j];

    auto run_on = [&](lpu::Device& d) {
      d.load(p);
      d.write_tensor("a", lpu::Tensor::from_int8({64, L}, a));
      d.write_tensor("b", lpu::Tensor::from_int8({64, L}, b));
      d.write_tensor("x", lpu::Tensor::from_int8({8, L}, x));
      d.write_tensor("w", lpu::Tensor::from_int8({L, L}, w));
      return d.run();
    };
    auto direct = lpu::open_golden_device(cfg);  // the golden model without frames
    const lpu::RunResult want = run_on(*direct);
    REQUIRE(want.ok());

    auto fx = fixture::make(kind, cfg);
    const lpu::RunResult got = run_on(*fx->dev);
    CHECK(got.ok());
    CHECK(got.cycles == want.cycles);
    CHECK(got.counters == want.counters);
    CHECK(fx->dev->read_tensor("y").as_int8() == y_ref);
    CHECK(fx->dev->read_tensor("z").as_int32() == z_ref);

    const auto st = fx->dev->status();
    CHECK(st.state == ChipState::done);
    CHECK(st.error_code == 0);
    CHECK(st.cycles == want.cycles);
    CHECK(st.program_len == p.code.size());
    CHECK(st.runs == 1);
    CHECK(fx->dev->counters() == want.counters);
  }
}

TEST_CASE("conformance: raw memory round trips in every space, across banks and chunks",
          "[conformance]") {
  const auto kind = GENERATE(from_range(fixture::kinds()));
  DYNAMIC_SECTION(kind) {
    const lpu::Config& cfg = base();
    auto fx = fixture::make(kind, cfg);
    auto& d = *fx->dev;
    std::mt19937 rng(99);
    // SRAM: 3 banks' worth starting mid-bank 4 (flat order continues into the next bank):
    // 96 KiB on base in 4 KiB chunks.
    REQUIRE(cfg.banks >= 8);
    const std::size_t word = cfg.lanes;
    const auto sram = random_bytes(3 * cfg.bank_depth * word, rng);
    d.write_mem(lpu::Space::sram, 4, 100, sram);
    CHECK(d.read_mem(lpu::Space::sram, 4, 100, sram.size()) == sram);
    // Bank 7 word 99 is the last word written into bank 7 (from bank 4 word 100 on).
    const auto tail = d.read_space(MemSpace::sram, 7, 99, word);
    CHECK(std::vector<std::uint8_t>(sram.end() - static_cast<long>(word), sram.end()) == tail);
    // ACC, LUT, IMEM.
    const auto acc = random_bytes(cfg.acc_depth * 4 * cfg.lanes, rng);
    d.write_mem(lpu::Space::acc, 0, 0, acc);
    CHECK(d.read_mem(lpu::Space::acc, 0, 0, acc.size()) == acc);
    const auto lut = random_bytes(cfg.lut_depth * 2, rng);
    d.write_mem(lpu::Space::lut, 0, 0, lut);
    CHECK(d.read_mem(lpu::Space::lut, 0, 0, lut.size()) == lut);
    const auto imem = random_bytes(64 * 8, rng);
    d.write_space(MemSpace::imem, 0, 10, imem.data(), imem.size());
    CHECK(d.read_space(MemSpace::imem, 0, 10, imem.size()) == imem);
    // Reset: memories of the golden backend are cleared, the program length is 0. (Hardware
    // does not clear its RAMs: after a reset they are unspecified, so not for sim.)
    d.reset();
    if (!fixture::is_rtl(kind))
      CHECK(d.read_space(MemSpace::sram, 4, 100, 64) == std::vector<std::uint8_t>(64, 0));
    CHECK(d.status().program_len == 0);
  }
}

TEST_CASE("conformance: bad addresses are refused naming the field", "[conformance]") {
  const auto kind = GENERATE(from_range(fixture::kinds()));
  DYNAMIC_SECTION(kind) {
    const lpu::Config& cfg = base();
    auto fx = fixture::make(kind, cfg);
    auto& d = *fx->dev;
    auto refusal = [&](auto&& fn) -> ProtocolError {
      try {
        fn();
      } catch (const ProtocolError& e) {
        return e;
      }
      FAIL("no ProtocolError");
      throw;
    };
    const std::vector<std::uint8_t> word(cfg.lanes, 1);
    auto e =
        refusal([&] { d.write_space(MemSpace::sram, cfg.banks, 0, word.data(), word.size()); });
    CHECK(e.status == Status::bad_address);
    CHECK(e.detail.field == ErrField::bank);
    CHECK(e.detail.value == cfg.banks);
    CHECK(e.detail.limit == cfg.banks);
    CHECK_THAT(e.what(), Catch::Contains("WRITE_MEM") &&
                             Catch::Contains("bank " + std::to_string(cfg.banks)));

    e = refusal([&] { d.read_space(MemSpace::sram, 0, cfg.bank_depth, word.size()); });
    CHECK(e.detail.field == ErrField::addr);
    CHECK(e.detail.value == cfg.bank_depth);

    e = refusal([&] { d.read_space(MemSpace::sram, 0, cfg.bank_depth - 2, 3 * word.size()); });
    CHECK(e.detail.field == ErrField::length);
    CHECK(e.detail.limit == 2 * word.size());

    e = refusal([&] { d.read_space(MemSpace::acc, 1, 0, 64); });
    CHECK(e.detail.field == ErrField::bank);
    e = refusal([&] { d.read_space(MemSpace::lut, 0, cfg.lut_depth, 2); });
    CHECK(e.detail.field == ErrField::addr);
    e = refusal([&] { d.set_program_len(cfg.imem_depth + 1); });
    CHECK(e.detail.field == ErrField::prog_len);
    // Flat order runs off the last bank: the device refuses bank `banks`.
    e = refusal(
        [&] { d.read_mem(lpu::Space::sram, cfg.banks - 1, cfg.bank_depth - 1, 2 * word.size()); });
    CHECK(e.detail.field == ErrField::bank);
    // A bank beyond the frame's one-byte field, and not a whole number of units: refused on
    // the host before any frame.
    CHECK_THROWS_WITH(d.read_space(MemSpace::sram, 256, 0, word.size()),
                      Catch::Contains("bank 256 does not exist"));
    CHECK_THROWS_WITH(d.write_mem(lpu::Space::sram, 0, 0, std::vector<std::uint8_t>(3, 0)),
                      Catch::Contains("not a whole number"));
    // The link is still fine.
    CHECK(d.status().state == ChipState::idle);
  }
}

TEST_CASE("conformance: memory and program are refused while running, and ABORT stops the run",
          "[conformance]") {
  const auto kind = GENERATE(from_range(fixture::kinds()));
  DYNAMIC_SECTION(kind) {
    const lpu::Config& cfg = base();
    lpu::GoldenBackendOptions g;
    g.clock_hz = 100000000;  // paced: 1000 * 65536 cycles = 0.66 s of "running"
    auto fx = fixture::make(kind, cfg, g);
    auto& d = *fx->dev;
    d.load(long_program(cfg, 1000));
    d.start();
    REQUIRE(d.status().state == ChipState::running);
    const std::vector<std::uint8_t> word(cfg.lanes, 7);
    auto busy = [&](auto&& fn) {
      try {
        fn();
        FAIL("not refused");
      } catch (const ProtocolError& e) {
        CHECK(e.status == Status::busy);
      }
    };
    busy([&] { d.read_space(MemSpace::sram, 0, 0, word.size()); });
    busy([&] { d.write_space(MemSpace::acc, 0, 0, std::vector<std::uint8_t>(64).data(), 64); });
    busy([&] { d.write_space(MemSpace::imem, 0, 0, std::vector<std::uint8_t>(8).data(), 8); });
    busy([&] { d.set_program_len(1); });
    busy([&] { d.start(); });
    CHECK_NOTHROW(d.counters());  // allowed while running
    CHECK(d.info().lanes == cfg.lanes);
    d.abort();
    const auto st = d.wait(std::chrono::milliseconds(5000));
    CHECK(st.state == ChipState::error);
    CHECK(st.error_code == static_cast<unsigned>(lpu::ErrorCode::aborted));
    CHECK(st.error_cycle < 1000ull * 65536);
    CHECK_NOTHROW(d.read_space(MemSpace::sram, 0, 0, word.size()));
    // Runs again afterwards, to completion this time (2 * 65536 cycles at 100 MHz).
    d.load(long_program(cfg, 2));
    const auto r = d.run();
    CHECK(r.ok());
    auto direct = lpu::open_golden_device(cfg);
    direct->load(long_program(cfg, 2));
    CHECK(r.cycles == direct->run().cycles);
  }
}

TEST_CASE("conformance: a program error is reported with code, pc and cycle", "[conformance]") {
  const auto kind = GENERATE(from_range(fixture::kinds()));
  DYNAMIC_SECTION(kind) {
    const lpu::Config& cfg = base();
    const auto p = lpu::assemble("li r1, 5000\nnop 3\nvld v1, b3[r1]\nhalt\n", "err.s", cfg);
    auto direct = lpu::open_golden_device(cfg);
    direct->load(p);
    const auto want = direct->run();
    REQUIRE(want.error == lpu::ErrorCode::sram_addr);

    auto fx = fixture::make(kind, cfg);
    fx->dev->load(p);
    const auto got = fx->dev->run();
    CHECK(got.error == want.error);
    CHECK(got.error_pc == want.error_pc);
    CHECK(got.error_cycle == want.error_cycle);
    CHECK(got.cycles == want.cycles);
    CHECK(fx->dev->status().state == ChipState::error);
    // An empty program stops at once with pc_overrun.
    fx->dev->set_program_len(0);
    CHECK(fx->dev->run().error == lpu::ErrorCode::pc_overrun);
  }
}
