// The assembler: encodings against lpu::encode of hand-built instructions, the source
// language (labels, constants, expressions, loop blocks, directives) and its error messages.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lpu/assembler.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"
#include "lpu/npy.hpp"

using lpu::Field;
using lpu::Instr;
using lpu::Op;

namespace {

const lpu::Config& base() { return lpu::config_by_name("base"); }
const lpu::Config& tiny() { return lpu::config_by_name("tiny"); }

std::uint64_t enc(Op op, std::initializer_list<std::pair<Field, std::int64_t>> fields) {
  Instr in;
  in.op = op;
  for (const auto& [f, v] : fields) in.set(f, v);
  return lpu::encode(in);
}

std::vector<std::uint64_t> code(const std::string& src, const lpu::Config& cfg = base()) {
  return lpu::assemble(src, "t.s", cfg).code;
}

std::string error_of(const std::string& src, const lpu::Config& cfg = base()) {
  try {
    lpu::assemble(src, "t.s", cfg);
  } catch (const lpu::Error& e) {
    return e.what();
  }
  return "(no error)";
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("lpu_test_asm_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = (path / name).string();
    std::ofstream(p) << text;
    return p;
  }
};

}  // namespace

TEST_CASE("asm: every instruction form encodes as lpu::encode says", "[asm]") {
  using F = Field;
  const std::vector<std::pair<std::string, std::uint64_t>> cases = {
      {"halt", enc(Op::halt, {})},
      {"nop", enc(Op::nop, {{F::count, 0}})},
      {"nop 17", enc(Op::nop, {{F::count, 16}})},
      {"nop cycles=65536", enc(Op::nop, {{F::count, 65535}})},
      {"barrier", enc(Op::barrier, {})},
      {"loopi 3, 1\nhalt", enc(Op::loopi, {{F::count, 3}, {F::len, 1}})},
      {"loop r7, 1\nhalt", enc(Op::loop, {{F::ra, 7}, {F::len, 1}})},
      {"li r1, -5", enc(Op::li, {{F::rd, 1}, {F::imm32, -5}})},
      {"li r15, 0x7fffffff", enc(Op::li, {{F::rd, 15}, {F::imm32, 0x7fffffff}})},
      {"li r2, 0xFFFFFFFF", enc(Op::li, {{F::rd, 2}, {F::imm32, -1}})},
      {"addi r1, r2, -2147483648",
       enc(Op::addi, {{F::rd, 1}, {F::ra, 2}, {F::imm32, -2147483648LL}})},
      {"add r1, r2, r3", enc(Op::add, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}})},
      {"sub r4, r5, r6", enc(Op::sub, {{F::rd, 4}, {F::ra, 5}, {F::rb, 6}})},
      {"mul r7, r8, r9", enc(Op::mul, {{F::rd, 7}, {F::ra, 8}, {F::rb, 9}})},
      {"vext r1, v2, 15", enc(Op::vext, {{F::rd, 1}, {F::ra, 2}, {F::sh, 15}})},
      {"vld v1, b2[r3+16]", enc(Op::vld, {{F::rd, 1}, {F::ra, 3}, {F::bank, 2}, {F::imm16, 16}})},
      {"vld v1, b2[r3-16], inc=-1",
       enc(Op::vld, {{F::rd, 1}, {F::ra, 3}, {F::bank, 2}, {F::imm16, -16}, {F::stride, -1}})},
      {"vld v1, b2[40]", enc(Op::vld, {{F::rd, 1}, {F::bank, 2}, {F::imm16, 40}})},
      {"vldu v15, b7[r15], inc=127",
       enc(Op::vldu, {{F::rd, 15}, {F::ra, 15}, {F::bank, 7}, {F::stride, 127}})},
      {"vlda v3, acc[r4+8], inc=1",
       enc(Op::vlda, {{F::rd, 3}, {F::ra, 4}, {F::imm16, 8}, {F::stride, 1}})},
      {"vlda v3, acc[-1]", enc(Op::vlda, {{F::rd, 3}, {F::imm16, -1}})},
      {"vst v2, b0[r1], inc=2", enc(Op::vst, {{F::rd, 2}, {F::ra, 1}, {F::stride, 2}})},
      {"vstb v2, b1[r1+1], 3",
       enc(Op::vstb, {{F::rd, 2}, {F::ra, 1}, {F::bank, 1}, {F::imm16, 1}, {F::sh, 3}})},
      {"vstb v2, b1[r1], slice=2, inc=1",
       enc(Op::vstb, {{F::rd, 2}, {F::ra, 1}, {F::bank, 1}, {F::sh, 2}, {F::stride, 1}})},
      {"vgather v1, b3[r2+5], v4, 7",
       enc(Op::vgather,
           {{F::rd, 1}, {F::ra, 2}, {F::bank, 3}, {F::imm16, 5}, {F::rb, 4}, {F::sh, 7}})},
      {"vadd v1, v2, v3", enc(Op::vadd, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}, {F::bmode, 0}})},
      {"vadd v1, v2, r3", enc(Op::vadd, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}, {F::bmode, 1}})},
      {"vadd v1, v2, -12", enc(Op::vadd, {{F::rd, 1}, {F::ra, 2}, {F::imm16, -12}, {F::bmode, 2}})},
      {"vsub v1, v2, 0xFFFF",
       enc(Op::vsub, {{F::rd, 1}, {F::ra, 2}, {F::imm16, -1}, {F::bmode, 2}})},
      {"vmul v1, v2, v3", enc(Op::vmul, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}})},
      {"vmin v1, v2, r0", enc(Op::vmin, {{F::rd, 1}, {F::ra, 2}, {F::bmode, 1}})},
      {"vmax v1, v2, 0", enc(Op::vmax, {{F::rd, 1}, {F::ra, 2}, {F::bmode, 2}})},
      {"vand v1, v2, 255", enc(Op::vand, {{F::rd, 1}, {F::ra, 2}, {F::bmode, 2}, {F::imm16, 255}})},
      {"vor v1, v2, v3", enc(Op::vor, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}})},
      {"vxor v1, v2, v3", enc(Op::vxor, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}})},
      {"vshl v1, v2, 3", enc(Op::vshl, {{F::rd, 1}, {F::ra, 2}, {F::bmode, 2}, {F::imm16, 3}})},
      {"vsra v1, v2, r4", enc(Op::vsra, {{F::rd, 1}, {F::ra, 2}, {F::bmode, 1}, {F::rb, 4}})},
      {"vsrl v1, v2, v4", enc(Op::vsrl, {{F::rd, 1}, {F::ra, 2}, {F::rb, 4}})},
      {"vceq v1, v2, 1", enc(Op::vceq, {{F::rd, 1}, {F::ra, 2}, {F::bmode, 2}, {F::imm16, 1}})},
      {"vclt v1, v2, v3", enc(Op::vclt, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}})},
      {"vmov v1, r5", enc(Op::vmov, {{F::rd, 1}, {F::rb, 5}, {F::bmode, 1}})},
      {"vmov v1, -32768", enc(Op::vmov, {{F::rd, 1}, {F::bmode, 2}, {F::imm16, -32768}})},
      {"vmulsh v1, v2, r3, 31",
       enc(Op::vmulsh, {{F::rd, 1}, {F::ra, 2}, {F::rb, 3}, {F::bmode, 1}, {F::sh, 31}})},
      {"vrq v1, v2, 1234, 63",
       enc(Op::vrq, {{F::rd, 1}, {F::ra, 2}, {F::bmode, 2}, {F::imm16, 1234}, {F::sh, 63}})},
      {"vrelu v1, v2", enc(Op::vrelu, {{F::rd, 1}, {F::ra, 2}})},
      {"vclamp v1, v2, -128, 127",
       enc(Op::vclamp, {{F::rd, 1}, {F::ra, 2}, {F::imm16, -128}, {F::hi16, 127}})},
      {"vlut v1, v2, 512", enc(Op::vlut, {{F::rd, 1}, {F::ra, 2}, {F::imm16, 512}})},
      {"vredsum v1, v2", enc(Op::vredsum, {{F::rd, 1}, {F::ra, 2}})},
      {"vredmax v1, v2", enc(Op::vredmax, {{F::rd, 1}, {F::ra, 2}})},
      {"vredmin v1, v2", enc(Op::vredmin, {{F::rd, 1}, {F::ra, 2}})},
      {"vlid v9", enc(Op::vlid, {{F::rd, 9}})},
      {"vrot v1, v2, -3", enc(Op::vrot, {{F::rd, 1}, {F::ra, 2}, {F::imm16, -3}})},
      {"vshift v1, v2, 4", enc(Op::vshift, {{F::rd, 1}, {F::ra, 2}, {F::imm16, 4}})},
      {"vbcast v1, v2, lane=5", enc(Op::vbcast, {{F::rd, 1}, {F::ra, 2}, {F::sh, 5}})},
      {"vtr b7[r6], b2[r5]", enc(Op::vtr, {{F::rd, 7}, {F::rb, 6}, {F::bank, 2}, {F::ra, 5}})},
      {"mlw b1[r2]", enc(Op::mlw, {{F::bank, 1}, {F::ra, 2}, {F::stride, 1}})},
      {"mlw b1[r2], buf=1, stride=-2",
       enc(Op::mlw, {{F::bank, 1}, {F::ra, 2}, {F::sh, 1}, {F::stride, -2}})},
      {"mm b0[r1], acc[r3], count=16, buf=0",
       enc(Op::mm, {{F::ra, 1}, {F::rb, 3}, {F::count, 16}, {F::stride, 1}, {F::dstride, 1}})},
      {"mma b4[r1], acc[r3], 65535, dstride=-128, buf=1, stride=0",
       enc(Op::mma, {{F::bank, 4},
                     {F::ra, 1},
                     {F::rb, 3},
                     {F::count, 65535},
                     {F::sh, 1},
                     {F::stride, 0},
                     {F::dstride, -128}})},
      {"lutld b2[r1], 8, -4",
       enc(Op::lutld, {{F::bank, 2}, {F::ra, 1}, {F::count, 8}, {F::hi16, -4}})},
      {"send 1, b3[r2], 10",
       enc(Op::send, {{F::sh, 1}, {F::bank, 3}, {F::ra, 2}, {F::count, 10}, {F::stride, 1}})},
      {"recv 0, b3[r2], count=10, stride=2",
       enc(Op::recv, {{F::bank, 3}, {F::ra, 2}, {F::count, 10}, {F::stride, 2}})},
  };
  for (const auto& [src, want] : cases) {
    INFO(src);
    const auto c = code(src);
    REQUIRE(!c.empty());
    CHECK(c[0] == want);
  }
  // Every mnemonic of the ISA appears above.
  for (const auto& d : lpu::gen::kInstrs) {
    bool found = false;
    for (const auto& [src, want] : cases)
      found = found || (want >> 56) == static_cast<unsigned>(d.op);
    CHECK(found);
  }
}

TEST_CASE("asm: comments, labels, constants and expressions", "[asm]") {
  const std::string src =
      "; a comment line\n"
      "# another\n"
      ".equ A, 6\n"
      ".equ B, A * 7 - (1 << 3) / 2   ; 38\n"
      "start: li r1, B                ; 0\n"
      "       li r2, end              # forward label: 4\n"
      "two:   li r3, -A % 4 + (0xF0 | 0b1010) & 0xFF\n"
      "       li r4, 1 + 2 * 3 << 1 ^ 3\n"
      "end:   li r5, ~start + two\n";
  const auto c = code(src);
  REQUIRE(c.size() == 5);
  CHECK(c[0] == enc(Op::li, {{Field::rd, 1}, {Field::imm32, 38}}));
  CHECK(c[1] == enc(Op::li, {{Field::rd, 2}, {Field::imm32, 4}}));
  // C precedence: + binds tighter than &, & tighter than |.
  const std::int64_t v3 = ((-6 % 4) + (0xF0 | 0b1010)) & 0xFF;
  CHECK(c[2] == enc(Op::li, {{Field::rd, 3}, {Field::imm32, v3}}));
  const std::int64_t v4 = ((1 + 2 * 3) << 1) ^ 3;
  CHECK(c[3] == enc(Op::li, {{Field::rd, 4}, {Field::imm32, v4}}));
  CHECK(c[4] == enc(Op::li, {{Field::rd, 5}, {Field::imm32, ~0 + 2}}));
  // Labels on their own line, several on one line; address offsets with expressions.
  const auto c2 = code(
      "a:\nb: c: nop\n.equ OFF, 3\nvld v1, b0[r2 + OFF*2 - 1]\nvld v1, b0[r2 - 4 + 1]\nvld v1, "
      "b0[OFF+1]\n");
  REQUIRE(c2.size() == 4);
  CHECK(c2[1] == enc(Op::vld, {{Field::rd, 1}, {Field::ra, 2}, {Field::imm16, 5}}));
  CHECK(c2[2] == enc(Op::vld, {{Field::rd, 1}, {Field::ra, 2}, {Field::imm16, -3}}));
  CHECK(c2[3] == enc(Op::vld, {{Field::rd, 1}, {Field::imm16, 4}}));
  // .word
  const auto c3 = code(".word 0x0100000000000004\n.word 0xFFFFFFFFFFFFFFFF\n.word -1\n");
  CHECK(c3 == std::vector<std::uint64_t>{0x0100000000000004ull, ~0ull, ~0ull});
}

TEST_CASE("asm: loop blocks emit loopi/loop with the body length", "[asm]") {
  const std::string src =
      "li r3, 2\n"
      "loop 4 {\n"
      "  vld v1, b0[r1], inc=1\n"
      "  loop r3 {\n"
      "    vadd v2, v2, v1\n"
      "    vadd v3, v3, 1\n"
      "  }\n"
      "  loop 0 { ; comment after the brace\n"
      "    nop\n"
      "  }\n"
      "}\n"
      "halt\n";
  const auto c = code(src);
  REQUIRE(c.size() == 9);
  CHECK(c[1] == enc(Op::loopi, {{Field::count, 4}, {Field::len, 6}}));
  CHECK(c[3] == enc(Op::loop, {{Field::ra, 3}, {Field::len, 2}}));
  CHECK(c[6] == enc(Op::loopi, {{Field::count, 0}, {Field::len, 1}}));
  CHECK(c[8] == enc(Op::halt, {}));
  // Labels inside bodies count instructions as usual.
  const auto c2 = code("loop 2 {\n nop\nx: nop\n}\nli r1, x\n");
  CHECK(c2.back() == enc(Op::li, {{Field::rd, 1}, {Field::imm32, 2}}));
}

TEST_CASE("asm: errors carry file:line:col", "[asm]") {
  CHECK(error_of("nop\n    foo r1\n") == "t.s:2:5: unknown mnemonic 'foo'");
  CHECK(error_of("li r16, 1") ==
        "t.s:1:4: scalar register r16 is out of range (configuration 'base' has r0..r15)");
  CHECK(error_of("li x1, 1") == "t.s:1:4: expected a scalar register, found 'x1'");
  CHECK(error_of("vrelu v8, v1", tiny()) ==
        "t.s:1:7: vector register v8 is out of range (configuration 'tiny' has v0..v7)");
  CHECK(error_of("vld v1, b2[r0]", tiny()) ==
        "t.s:1:9: bank b2 is out of range (configuration 'tiny' has b0..b1)");
  CHECK(error_of("li r1, 0x100000000") ==
        "t.s:1:8: imm32 4294967296 does not fit imm32 (-2147483648..4294967295)");
  CHECK(error_of("vld v1, b0[r1], inc=128") == "t.s:1:21: inc 128 does not fit stride (-128..127)");
  CHECK(error_of("vadd v1, v2, 70000") ==
        "t.s:1:14: operand 70000 does not fit imm16 (-32768..65535)");
  CHECK(error_of("vadd v1, v2, -32769") ==
        "t.s:1:14: operand -32769 does not fit imm16 (-32768..65535)");
  CHECK(error_of("li r1, nothing") == "t.s:1:8: unknown symbol 'nothing'");
  CHECK(error_of("x: nop\nx: nop\n") == "t.s:2:1: duplicate label 'x' (first defined on line 1)");
  CHECK(error_of("vext r1, v1, 4", tiny()) ==
        "t.s:1:14: lane 4 is out of range (0..3 on configuration 'tiny')");
  CHECK(error_of("vstb v1, b0[r0], 4") ==
        "t.s:1:18: slice 4 is out of range (0..3 on configuration 'base')");
  CHECK(error_of("mlw b0[r0], buf=2") ==
        "t.s:1:17: buf 2 is out of range (0..1 on configuration 'base')");
  CHECK(error_of("send 2, b0[r0], 1", tiny()) ==
        "t.s:1:6: link 2 is out of range (0..1 on configuration 'tiny')");
  CHECK(error_of("nop 0") == "t.s:1:5: cycles 0 is out of range (1..65536)");
  CHECK(error_of("loopi 1, 0\nnop") == "t.s:1:10: loop length must be at least 1");
  CHECK(error_of("li r1") == "t.s:1:6: missing operand 'imm32' (syntax: li rd, imm32)");
  CHECK(error_of("li r1, 2, 3") == "t.s:1:11: too many operands (syntax: li rd, imm32)");
  CHECK(error_of("vld v1, b0[r1], inc=1, b0") == "t.s:1:24: positional operand after a named one");
  CHECK(error_of("vld v1, b0[r1], inc=1, inc=2") == "t.s:1:24: operand 'inc' given twice");
  CHECK(error_of("vld v1, b0[r1], foo=1") ==
        "t.s:1:17: 'foo' is not a named operand of vld (syntax: vld vd, mem, inc=0)");
  CHECK(error_of("li r1, 1/0") == "t.s:1:9: division by zero");
  CHECK(error_of("li r1, (1") == "t.s:1:10: expected ')', found end of line");
  CHECK(error_of("li r1, r2") == "t.s:1:8: register 'r2' is not allowed in an expression");
  CHECK(error_of("li r1, 1 @") == "t.s:1:10: unexpected character '@'");
  CHECK(error_of("li r1, 99999999999999999999") ==
        "t.s:1:8: integer literal too large (max 2^64-1)");
  CHECK(error_of("loop 3 {\n}\n") == "t.s:1:1: loop body is empty");
  CHECK(error_of("nop\n  loop 3 {\nnop\n") == "t.s:2:3: loop block is not closed with '}'");
  CHECK(error_of("nop\n}\n") == "t.s:2:1: '}' without an open loop block");
  CHECK(error_of("loop 65536 {\nnop\n}") == "t.s:1:6: loop count 65536 is out of range (0..65535)");
  CHECK(error_of("loopi 2, 5\nnop\n") ==
        "t.s:1:1: loop body (5 instructions) runs past the end of the program");
  CHECK(error_of("loopi 2, 2\nloopi 2, 2\nnop\nnop\n") ==
        "t.s:2:1: loop body ends after the end of the enclosing loop body (line 1)");
  CHECK(error_of(".foo 1") == "t.s:1:1: unknown directive '.foo'");
  CHECK(error_of("nop\n.config tiny\n") ==
        "t.s:2:1: .config must come before the first instruction, .data or tensor directive");
  CHECK(error_of(".config huge\n") == "t.s:1:9: unknown configuration 'huge' (known: tiny, base)");
  CHECK(error_of(".equ r1, 3") == "t.s:1:6: invalid constant name 'r1'");
  CHECK(error_of(".equ A, 1\n.equ A, 2") == "t.s:2:6: constant 'A' is already defined");
  CHECK(error_of(".meta \"novalue\"") ==
        "t.s:1:7: bad .meta text: line at offset 0 is not key=value");
  CHECK(error_of(".data b0[0], 256") == "t.s:1:14: byte 256 is out of range (-128..255)");
  CHECK(error_of(".data b0[0], 1\n.data b0[0], 2\n") ==
        "t.s:2:1: .data overlaps the .data on line 1");
  CHECK(error_of(".data b1[1023], 1\n.data b2[0], 2\n.data b1[1023] {\n1\n}\n") ==
        "t.s:3:1: .data overlaps the .data on line 1");
  CHECK(error_of(".data b7[2047], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17") ==
        "t.s:1:1: .data: 32 bytes (2 units of 16) from b7[2047] run past the end of sram (1 units "
        "left)");
  CHECK(error_of(".data acc[0] {\n1, 2\n") == "t.s:1:1: .data block is not closed with '}'");
  CHECK(error_of(".input x, b0[0]") == "t.s:1:1: .input needs shape=(...)");
  CHECK(
      error_of(".input x, b0[0], shape=(4, 8), layout=tiled") ==
      "t.s:1:1: tensor 'x': tiled layout needs the column count (8) to be a multiple of 16 lanes");
  CHECK(error_of(".input x, b0[0], shape=(2)\n.output x, b1[0], shape=(2)") ==
        "t.s:2:9: duplicate tensor name 'x'");
  CHECK(error_of(".input 9x, b0[0], shape=(2)").find("t.s:1:8: ") == 0);
  CHECK(error_of(".output y, lut[0], shape=(2)") ==
        "t.s:1:12: expected a location bK[addr], acc[addr], found 'lut'");
  CHECK(error_of(".data b0[0], \"missing.npy\"").find("t.s:1:14: missing.npy: cannot open") == 0);
  CHECK(error_of("vld v1, b0[r1]\n.word 1 2") == "t.s:2:9: unexpected '2'");
  // check_operands is applied to what the per-operand checks do not cover.
  CHECK(error_of("vadd v1, v2, v3", tiny()) == "(no error)");
}

TEST_CASE("asm: configuration, requirements and other directives", "[asm]") {
  const auto p = lpu::assemble("nop\n", "t.s", tiny());
  CHECK(p.req.lanes == 4);
  CHECK(p.req.banks == 2);
  const auto p2 =
      lpu::assemble(".config tiny\n.predicted_cycles 99\n.meta \"a=b\"\n.meta \"tool=x y\"\nnop\n",
                    "t.s", base());
  CHECK(p2.req.lanes == 4);
  CHECK(p2.req.bank_depth == 16384);
  CHECK(p2.predicted_cycles == 99);
  CHECK(p2.meta == "a=b\ntool=x y\n");
  const auto p3 =
      lpu::assemble(".config base\n.requires banks=2, acc_depth=0\nnop\n", "t.s", tiny());
  CHECK(p3.req.lanes == 16);
  CHECK(p3.req.banks == 2);
  CHECK(p3.req.bank_depth == 2048);
  CHECK(p3.req.acc_depth == 0);
  CHECK(error_of(".requires banks=9\n") ==
        "t.s:1:17: banks on configuration 'base' 9 is out of range (0..8)");
  CHECK(error_of(".config base\n.requires banks=1\n.data b1[0], 1\n")
            .find("t.s:3:1: .data: bank 1 out of range") == 0);
  // The instruction memory limit.
  std::string big;
  for (int i = 0; i < 1025; ++i) big += "nop\n";
  CHECK(error_of(big, tiny()) ==
        "t.s:1025:1: program exceeds the 1024-instruction memory of configuration 'tiny'");
}

TEST_CASE("asm: .data values, blocks and spaces", "[asm]") {
  const auto p = lpu::assemble(
      ".config tiny\n"
      ".data b1[5], 1, -1, 0x7f\n"
      ".data acc[2] {\n"
      "  1, -2,\n"
      "  0x10000\n"
      "}\n"
      ".data lut[10], -32768, 65535, 7\n",
      "t.s", base());
  REQUIRE(p.data.size() == 3);
  CHECK(p.data[0].space == lpu::Space::sram);
  CHECK(p.data[0].bank == 1);
  CHECK(p.data[0].addr == 5);
  CHECK(p.data[0].bytes == std::vector<std::uint8_t>{1, 0xFF, 0x7F, 0});  // zero-padded to a word
  CHECK(p.data[1].space == lpu::Space::acc);
  CHECK(p.data[1].addr == 2);
  std::vector<std::uint8_t> acc(16, 0);  // one entry of 4 x int32
  acc[0] = 1;
  acc[4] = 0xFE, acc[5] = 0xFF, acc[6] = 0xFF, acc[7] = 0xFF;
  acc[10] = 1;
  CHECK(p.data[1].bytes == acc);
  CHECK(p.data[2].space == lpu::Space::lut);
  CHECK(p.data[2].bytes == std::vector<std::uint8_t>{0x00, 0x80, 0xFF, 0xFF, 7, 0});
}

TEST_CASE("asm: .data from .npy files, linear and tiled, relative to the source", "[asm]") {
  TempDir dir;
  // A 3 x 8 int8 matrix, value = 10*r + c.
  std::vector<std::int8_t> m;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 8; ++c) m.push_back(static_cast<std::int8_t>(10 * r + c));
  }
  lpu::write_npy((dir.path / "m.npy").string(), lpu::Tensor::from_int8({3, 8}, m));
  lpu::write_npy((dir.path / "a.npy").string(), lpu::Tensor::from_int32({5}, {1, -1, 3, 4, 5}));
  lpu::write_npy((dir.path / "l.npy").string(), lpu::Tensor::from_int32({2}, {-2, 300}));
  lpu::write_npy((dir.path / "big.npy").string(), lpu::Tensor::from_int32({1}, {40000}));
  const std::string s = dir.write("p.s",
                                  ".config tiny\n"
                                  ".data b0[0], \"m.npy\"\n"
                                  ".data b1[100], \"m.npy\", layout=tiled\n"
                                  ".data acc[0], \"a.npy\"\n"
                                  ".data lut[4], \"l.npy\"\n"
                                  ".input m, b1[100], shape=(3, 8), dtype=int8, layout=tiled\n");
  const auto p = lpu::assemble_file(s, base());
  REQUIRE(p.data.size() == 4);
  // Linear: the bytes as they are.
  CHECK(p.data[0].bytes.size() == 24);
  for (std::size_t i = 0; i < 24; ++i) CHECK(p.data[0].bytes[i] == static_cast<std::uint8_t>(m[i]));
  // Tiled (4 lanes): word j*3 + r holds row r, columns 4j..4j+3.
  REQUIRE(p.data[1].bytes.size() == 24);
  for (int j = 0; j < 2; ++j) {
    for (int r = 0; r < 3; ++r) {
      for (int l = 0; l < 4; ++l) {
        CHECK(p.data[1].bytes[(j * 3 + r) * 4 + l] ==
              static_cast<std::uint8_t>(10 * r + 4 * j + l));
      }
    }
  }
  // ACC: int32 little-endian, padded to whole 16-byte entries.
  REQUIRE(p.data[2].bytes.size() == 32);
  CHECK(p.data[2].bytes[4] == 0xFF);
  CHECK(p.data[2].bytes[16] == 5);
  CHECK(p.data[2].bytes[20] == 0);
  CHECK(p.data[3].bytes == std::vector<std::uint8_t>{0xFE, 0xFF, 0x2C, 0x01});
  REQUIRE(p.symbols.size() == 1);
  CHECK(p.symbols[0].layout == lpu::Layout::tiled);
  CHECK(p.symbols[0].shape == std::vector<std::uint32_t>{3, 8});

  const std::string bad = dir.write("bad.s", ".config tiny\n.data lut[0], \"big.npy\"\n");
  CHECK_THROWS_WITH(lpu::assemble_file(bad, base()),
                    Catch::StartsWith(bad + ":2:15: LUT value 40000"));
  const std::string bad2 = dir.write("bad2.s", ".data b0[0], \"m.npy\", layout=tiled\n");
  CHECK_THROWS_WITH(lpu::assemble_file(bad2, base()), Catch::Contains("multiple of 16 lanes"));
  CHECK_THROWS_WITH(lpu::assemble_file((dir.path / "none.s").string(), base()),
                    Catch::Contains("none.s"));
}

TEST_CASE("asm: tensor directives", "[asm]") {
  const auto p = lpu::assemble(
      ".input x, b2[8], shape=(2, 32), dtype=int8\n"
      ".output y, acc[4], shape=(2, 16), dtype=int32\n"
      ".inout z.state, b3[0], shape=(2, 16), layout=tiled, dtype=int8\n"
      ".input w, b0[0], shape=(1, 2, 3, 4,), layout=linear\n",
      "t.s", base());
  REQUIRE(p.symbols.size() == 4);
  CHECK(p.symbols[0].kind == lpu::SymKind::input);
  CHECK(p.symbols[0].bank == 2);
  CHECK(p.symbols[0].addr == 8);
  CHECK(p.symbols[1].kind == lpu::SymKind::output);
  CHECK(p.symbols[1].space == lpu::Space::acc);
  CHECK(p.symbols[1].dtype == lpu::DType::int32);
  CHECK(p.symbols[2].kind == lpu::SymKind::inout);
  CHECK(p.symbols[2].name == "z.state");
  CHECK(p.symbols[3].shape == std::vector<std::uint32_t>{1, 2, 3, 4});
  CHECK_THAT(error_of(".inout z, b3[0], shape=64, layout=tiled"), Catch::Contains("rank 2"));
  CHECK_THAT(error_of(".input x, b0[0], shape=(1,2,3,4,5)"),
             Catch::Contains("more than 4 dimensions"));
  CHECK_THAT(error_of(".input x, b0[0], shape=(0)"),
             Catch::Contains("dimension 0 is out of range"));
  CHECK_THAT(error_of(".input x, acc[0], shape=(1000, 16), dtype=int32"),
             Catch::Contains("past the end of acc"));
}
