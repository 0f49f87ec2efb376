// Loop rolling: a rolled program takes exactly the cycles of the straight-line one and
// computes the same memory contents, with fewer instruction words.
#include <catch2/catch.hpp>

#include "compiler_test_util.hpp"
#include "lpu/golden.hpp"
#include "roll.hpp"

namespace lpu::compiler::test {

namespace {

std::uint64_t word(Op op, std::initializer_list<std::pair<Field, std::int64_t>> f) {
  Instr in;
  in.op = op;
  for (const auto& [k, v] : f) in.set(k, v);
  return encode(in);
}

struct Run {
  RunResult r;
  std::vector<std::uint8_t> out;
};

Run run(const std::vector<std::uint64_t>& code) {
  const Config& cfg = config_by_name("base");
  GoldenModel m(cfg);
  std::vector<std::uint8_t> in(16 * 64);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint8_t>(i * 37 + 11);
  m.write_mem(Space::sram, 0, 0, in);
  m.load_code(code);
  Run res;
  res.r = m.run(100000);
  res.out = m.read_mem(Space::sram, 1, 0, 16 * 64);
  return res;
}

}  // namespace

TEST_CASE("loop rolling keeps every cycle and every result", "[compiler][roll]") {
  // y[i] = x[i] * 3 + 1 for 40 rows, each row the same words through post-incremented
  // pointers, with nops where the pipeline latency leaves the issue slot idle.
  std::vector<std::uint64_t> flat = {word(Op::li, {{Field::rd, 1}, {Field::imm32, 0}}),
                                     word(Op::li, {{Field::rd, 2}, {Field::imm32, 0}}),
                                     word(Op::nop, {{Field::count, 2}})};
  const std::vector<std::uint64_t> body = {
      word(Op::vld, {{Field::rd, 0}, {Field::ra, 1}, {Field::bank, 0}, {Field::stride, 1}}),
      word(Op::nop, {{Field::count, 2}}),
      word(Op::vmul, {{Field::rd, 1}, {Field::ra, 0}, {Field::bmode, 2}, {Field::imm16, 3}}),
      word(Op::nop, {{Field::count, 2}}),
      word(Op::vadd, {{Field::rd, 2}, {Field::ra, 1}, {Field::bmode, 2}, {Field::imm16, 1}}),
  };
  for (int i = 0; i < 40; ++i) flat.insert(flat.end(), body.begin(), body.end());
  // The stores trail: one per row, after the last result has landed.
  flat.push_back(word(Op::nop, {{Field::count, 3}}));
  for (int i = 0; i < 3; ++i)
    flat.push_back(
        word(Op::vst, {{Field::rd, 2}, {Field::ra, 2}, {Field::bank, 1}, {Field::stride, 1}}));
  flat.push_back(word(Op::halt, {}));

  const std::vector<std::uint64_t> rolled = detail::roll_loops(flat);
  REQUIRE(rolled.size() < flat.size() / 4);
  bool has_loop = false;
  for (auto w : rolled) has_loop |= decode(w)->op == Op::loopi;
  REQUIRE(has_loop);
  const Run a = run(flat), b = run(rolled);
  REQUIRE(a.r.ok());
  REQUIRE(b.r.ok());
  REQUIRE(a.r.cycles == b.r.cycles);
  REQUIRE(a.out == b.out);
  // The stores wrote x * 3 + 1 of the last row (39, the value left in v2), saturated.
  for (int l = 0; l < 16; ++l) {
    const std::int32_t x =
        static_cast<std::int8_t>(static_cast<std::uint8_t>((39 * 16 + l) * 37 + 11));
    REQUIRE(static_cast<std::int8_t>(b.out[static_cast<std::size_t>(l)]) ==
            std::clamp(x * 3 + 1, -128, 127));
  }
}

TEST_CASE("loop rolling leaves code without a free cycle before a repeat alone",
          "[compiler][roll]") {
  const std::uint64_t v =
      word(Op::vadd, {{Field::rd, 1}, {Field::ra, 1}, {Field::bmode, 2}, {Field::imm16, 1}});
  const std::vector<std::uint64_t> flat = {v, v, v, v, v, v, word(Op::halt, {})};
  REQUIRE(detail::roll_loops(flat) == flat);
}

}  // namespace lpu::compiler::test
