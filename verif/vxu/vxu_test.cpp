// lpu_vxu against the spec: random programs compared cycle by cycle with the reference model
// (vxu_ref.hpp), plus directed tests whose expected values are written out by hand.
// Built once per parameter set (verif/vxu/CMakeLists.txt: both configurations, and variants
// with the other table organisation and a longer latency); the model is LPU_VTOP and its
// parameters arrive as LPU_P_<Name>.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include LPU_VTOP_HEADER
#include "vxu_bench.hpp"
#include "vxu_ref.hpp"

using lpu::gen::Op;
using lpu::verif::Expect;
using lpu::verif::Ins;
using lpu::verif::Issue;
using lpu::verif::Seen;
using lpu::verif::VxuRef;

namespace {

using Model = LPU_VTOP;

// The configuration with the model's lane count, with the model's register count, table
// depth, latency and lutld rate (a variant build may change those).
const lpu::gen::ConfigDesc& config() {
  static const lpu::gen::ConfigDesc cfg = [] {
    for (auto c : lpu::gen::kConfigs) {
      if (c.lanes == LPU_P_Lanes) {
        c.vregs = LPU_P_VRegs;
        c.lut_depth = LPU_P_LutDepth;
        c.vlat = LPU_P_Vlat;
        c.lutld_word_cycles = LPU_P_LutldW;
        return c;
      }
    }
    throw std::runtime_error("no configuration with " + std::to_string(LPU_P_Lanes) + " lanes");
  }();
  return cfg;
}

// Random values with the edges over-represented.
std::int32_t interesting(std::mt19937_64& rng) {
  static const std::int32_t edges[] = {0, 1, -1, 2, -2, 127, -128, 128, -129, 255, 256,
                                       INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1,
                                       0x8000, -0x8000, 0xffff, 0x10000, 1 << 30, -(1 << 30)};
  switch (rng() % 4) {
    case 0: return edges[rng() % (sizeof(edges) / sizeof(edges[0]))];
    case 1: return static_cast<std::int32_t>(rng() % 512) - 256;
    default: return static_cast<std::int32_t>(rng());
  }
}

template <class Bench>
void compare(Bench& b, const Seen& s, const Expect& e, const std::string& what) {
  auto& h = b.h();
  const unsigned L = static_cast<unsigned>(e.wr_data.size());
  h.check(s.rd_req == e.rd_req, what + " sram_rd_req_o", e.rd_req, s.rd_req);
  if (e.rd_req) {
    h.check(s.rd_bank == e.rd_bank, what + " sram_rd_bank_o", e.rd_bank, s.rd_bank);
    h.check(s.rd_addr == e.rd_addr, what + " sram_rd_addr_o", e.rd_addr, s.rd_addr);
    h.check(s.rd_pc == e.rd_pc, what + " sram_rd_pc_o", e.rd_pc, s.rd_pc);
  }
  h.check(s.wr_req == e.wr_req, what + " sram_wr_req_o", e.wr_req, s.wr_req);
  if (e.wr_req) {
    h.check(s.wr_bank == e.wr_bank, what + " sram_wr_bank_o", e.wr_bank, s.wr_bank);
    h.check(s.wr_addr == e.wr_addr, what + " sram_wr_addr_o", e.wr_addr, s.wr_addr);
    h.check(s.wr_pc == e.wr_pc, what + " sram_wr_pc_o", e.wr_pc, s.wr_pc);
    for (unsigned l = 0; l < L; ++l) {
      h.check(s.wr_data[l] == e.wr_data[l], what + " sram_wr_data_o lane " + std::to_string(l),
              int{e.wr_data[l]}, int{s.wr_data[l]});
    }
  }
  h.check(s.acc_req == e.acc_req, what + " acc_rd_req_o", e.acc_req, s.acc_req);
  if (e.acc_req) {
    h.check(s.acc_addr == e.acc_addr, what + " acc_rd_addr_o", e.acc_addr, s.acc_addr);
    h.check(s.acc_pc == e.acc_pc, what + " acc_rd_pc_o", e.acc_pc, s.acc_pc);
  }
  if (e.vext) h.check(s.vext_val == e.vext_val, what + " vext_val_o", e.vext_val, s.vext_val);
  h.check(s.err == e.lut_err, what + " err_o", e.lut_err, s.err);
  if (e.lut_err) {
    const unsigned code = static_cast<unsigned>(lpu::gen::ErrorCode::lut_addr);
    h.check(s.err_code == code, what + " err_code_o", code, s.err_code);
    h.check(s.err_pc == e.lut_err_pc, what + " err_pc_o", e.lut_err_pc, s.err_pc);
  }
}

// Bench + reference stepped together; every cycle is compared.
class Pair {
 public:
  explicit Pair(const std::string& name) : cfg_(config()), b_(cfg_, name), ref_(cfg_) {
    b_.h().rng().seed(b_.h().seed() * 7919 + cfg_.lanes);
  }
  lpu::verif::VxuBench<Model>& bench() { return b_; }
  VxuRef& ref() { return ref_; }
  const lpu::gen::ConfigDesc& cfg() const { return cfg_; }
  std::mt19937_64& rng() { return b_.h().rng(); }
  std::uint64_t cycle_no() const { return c_; }

  // One cycle in both; checks outputs and pending.
  Seen step(const std::optional<Issue>& is) {
    const bool want_pending = ref_.pending(c_);
    const Expect e = ref_.cycle(c_, is);
    Expect ee = e;
    if (ee.wr_data.empty()) ee.wr_data.assign(cfg_.lanes, 0);
    const Seen s = b_.cycle(is);
    std::ostringstream what;
    what << "cycle " << c_;
    if (is) what << " (op 0x" << std::hex << static_cast<unsigned>(is->in.op) << ")";
    b_.h().check(s.pending == want_pending, what.str() + " pending_o", want_pending, s.pending);
    compare(b_, s, ee, what.str());
    ++c_;
    return s;
  }

  // Same memory contents on both sides.
  void load_memories() {
    auto& rng = b_.h().rng();
    for (unsigned bk = 0; bk < cfg_.banks; ++bk) {
      for (auto& x : b_.sram()[bk]) x = static_cast<std::uint8_t>(rng());
      ref_.sram()[bk] = b_.sram()[bk];
    }
    for (auto& x : b_.acc()) x = interesting(rng);
    ref_.acc() = b_.acc();
  }
  void load_lut_via_host() {
    lut_known_ = true;
    auto& rng = b_.h().rng();
    for (unsigned i = 0; i < cfg_.lut_depth; ++i) {
      const auto v = static_cast<std::int16_t>(rng());
      b_.host_lut_write(i, v);
      ref_.lut()[i] = v;
    }
  }

  void mark_lut_known() { lut_known_ = true; }

  void drain() {
    for (unsigned i = 0; i < cfg_.vlat + 2; ++i) step(std::nullopt);
  }

  // Every register lane through vext, the SRAM contents and the table.
  void check_state() {
    drain();
    for (unsigned r = 0; r < cfg_.vregs; ++r) {
      for (unsigned l = 0; l < cfg_.lanes; ++l) {
        Issue is;
        is.in.op = Op::vext;
        is.in.rd = 3;
        is.in.ra = r;
        is.in.sh = l;
        step(is);
      }
    }
    for (unsigned bk = 0; bk < cfg_.banks; ++bk) {
      REQUIRE(b_.sram()[bk] == ref_.sram()[bk]);
    }
    if (!lut_known_) return;  // never written: the table is a memory and is not reset
    const auto lut = b_.host_lut_read_all();
    for (unsigned i = 0; i < cfg_.lut_depth; ++i) {
      b_.h().check(lut[i] == ref_.lut()[i], "LUT[" + std::to_string(i) + "]", ref_.lut()[i], lut[i]);
    }
  }

 private:
  const lpu::gen::ConfigDesc& cfg_;
  lpu::verif::VxuBench<Model> b_;
  VxuRef ref_;
  std::uint64_t c_ = 0;
  bool lut_known_ = false;
};

// A random legal instruction for the unit (or a foreign one it must ignore).
Issue random_issue(Pair& p, std::uint16_t pc) {
  auto& rng = p.rng();
  const auto& cfg = p.cfg();
  const unsigned L = cfg.lanes;
  auto rnd = [&](std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
  };
  static const Op alu_ops[] = {Op::vadd, Op::vsub, Op::vmul, Op::vmin, Op::vmax, Op::vand,
                               Op::vor, Op::vxor, Op::vshl, Op::vsra, Op::vsrl, Op::vceq,
                               Op::vclt, Op::vmov, Op::vmulsh, Op::vrq};
  static const Op one_ops[] = {Op::vrelu, Op::vredsum, Op::vredmax, Op::vredmin, Op::vlid};
  static const Op foreign[] = {Op::li, Op::add, Op::mm, Op::mlw, Op::vtr, Op::nop, Op::barrier,
                               Op::send};
  Issue is;
  is.pc = pc;
  is.ra_val = interesting(rng);
  is.rb_val = interesting(rng);
  Ins& in = is.in;
  in.rd = static_cast<unsigned>(rng() % cfg.vregs);
  in.ra = static_cast<unsigned>(rng() % cfg.vregs);
  const unsigned pick = static_cast<unsigned>(rng() % 100);
  auto addr_for = [&](std::int64_t depth, std::int64_t extra) {
    in.imm16 = static_cast<int>(rnd(-32768, 32767));
    const std::int64_t target = rnd(0, depth - 1);
    is.ra_val = lpu::verif::wrap32(target - in.imm16 - extra);
  };
  if (pick < 40) {
    in.op = alu_ops[rng() % (sizeof(alu_ops) / sizeof(alu_ops[0]))];
    in.bmode = static_cast<unsigned>(rng() % 3);
    if (in.bmode == 0) in.rb = static_cast<unsigned>(rng() % cfg.vregs);
    if (in.bmode == 1) in.rb = static_cast<unsigned>(rng() % 16);
    if (in.bmode == 2) in.imm16 = static_cast<std::int16_t>(interesting(rng));
    if (in.op == Op::vmulsh || in.op == Op::vrq) {
      static const unsigned shs[] = {0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 47, 62, 63};
      in.sh = (rng() % 2) ? shs[rng() % (sizeof(shs) / sizeof(shs[0]))]
                          : static_cast<unsigned>(rng() % 64);
    }
    if (in.op == Op::vmov) in.ra = 0;
  } else if (pick < 48) {
    in.op = one_ops[rng() % (sizeof(one_ops) / sizeof(one_ops[0]))];
    if (in.op == Op::vlid) in.ra = 0;
  } else if (pick < 52) {
    in.op = Op::vclamp;
    in.imm16 = static_cast<std::int16_t>(interesting(rng));
    in.hi16 = static_cast<std::int16_t>(interesting(rng));
  } else if (pick < 58) {
    in.op = Op::vlut;
    in.imm16 = static_cast<int>((rng() % 2) ? rnd(-400, cfg.lut_depth + 400)
                                            : static_cast<std::int16_t>(rng()));
  } else if (pick < 64) {
    in.op = (rng() % 2) ? Op::vrot : Op::vshift;
    in.imm16 = static_cast<int>((rng() % 4) ? rnd(-2 * L - 1, 2 * L + 1)
                                            : static_cast<std::int16_t>(rng()));
  } else if (pick < 67) {
    in.op = Op::vbcast;
    in.sh = static_cast<unsigned>(rng() % L);
  } else if (pick < 75) {
    in.op = (rng() % 2) ? Op::vld : Op::vldu;
    in.bank = static_cast<unsigned>(rng() % cfg.banks);
    addr_for(cfg.bank_depth, 0);
  } else if (pick < 79) {
    in.op = Op::vgather;
    in.bank = static_cast<unsigned>(rng() % cfg.banks);
    in.rb = static_cast<unsigned>(rng() % cfg.vregs);
    in.sh = static_cast<unsigned>(rng() % L);
    addr_for(cfg.bank_depth, p.ref().vreg(in.rb, in.sh));
  } else if (pick < 84) {
    in.op = Op::vlda;
    addr_for(cfg.acc_depth, 0);
  } else if (pick < 91) {
    in.op = (rng() % 2) ? Op::vst : Op::vstb;
    in.bank = static_cast<unsigned>(rng() % cfg.banks);
    if (in.op == Op::vstb) in.sh = static_cast<unsigned>(rng() % 4);
    addr_for(cfg.bank_depth, 0);
  } else if (pick < 96) {
    in.op = Op::vext;
    in.rd = static_cast<unsigned>(rng() % 16);
    in.sh = static_cast<unsigned>(rng() % L);
  } else if (pick < 98) {
    in.op = Op::lutld;
    in.bank = static_cast<unsigned>(rng() % cfg.banks);
    const unsigned words = static_cast<unsigned>(rnd(1, 6));
    in.imm16 = static_cast<int>(words);
    in.hi16 = static_cast<int>(rnd(0, cfg.lut_depth - words * (L / 2)));
    in.rd = 0;
    is.ra_val = static_cast<std::int32_t>(rnd(0, cfg.bank_depth - words));
  } else {
    in.op = foreign[rng() % (sizeof(foreign) / sizeof(foreign[0]))];
    in.rb = static_cast<unsigned>(rng() % 16);
    in.bank = static_cast<unsigned>(rng() % cfg.banks);
  }
  return is;
}

void run_random(Pair& p, unsigned instrs, unsigned issue_pct) {
  auto& rng = p.rng();
  std::uint16_t pc = 0;
  for (unsigned n = 0; n < instrs;) {
    if (p.ref().lutld_busy(p.cycle_no())) {  // the sequencer holds the issue slot while lutld streams
      p.step(std::nullopt);
      continue;
    }
    if (rng() % 100 < issue_pct) {
      p.step(random_issue(p, pc++));
      ++n;
    } else {
      p.step(std::nullopt);
    }
  }
}

Issue mk(Op op, unsigned rd, unsigned ra = 0, std::uint16_t pc = 0) {
  Issue is;
  is.in.op = op;
  is.in.rd = rd;
  is.in.ra = ra;
  is.pc = pc;
  return is;
}
Issue mk_b(Op op, unsigned rd, unsigned ra, unsigned bmode, std::int32_t bval, unsigned sh = 0) {
  Issue is = mk(op, rd, ra);
  is.in.bmode = bmode;
  is.in.sh = sh;
  if (bmode == 0) is.in.rb = static_cast<unsigned>(bval);
  if (bmode == 1) { is.in.rb = 5; is.rb_val = bval; }
  if (bmode == 2) is.in.imm16 = bval;
  return is;
}
// vd = broadcast scalar value (vmov with bmode 1).
Issue set_vec(unsigned vd, std::int32_t v) { return mk_b(Op::vmov, vd, 0, 1, v); }

}  // namespace

TEST_CASE("vxu: random programs match the reference cycle by cycle", "[vxu]") {
  Pair p("vxu_random");
  p.load_memories();
  p.load_lut_via_host();
  SECTION("back-to-back issue") { run_random(p, 6000, 100); }
  SECTION("sparse issue") { run_random(p, 3000, 40); }
  p.check_state();
}

TEST_CASE("vxu: write-back lands at the end of t+vlat-1 on every result path", "[vxu]") {
  Pair p("vxu_wb_timing");
  p.load_memories();
  p.load_lut_via_host();
  const unsigned vlat = p.cfg().vlat;
  // One producer per result path; each writes v2 with a value different from the old one.
  std::vector<Issue> producers;
  producers.push_back(mk_b(Op::vadd, 2, 1, 2, 77));                  // ALU
  producers.push_back(mk_b(Op::vmulsh, 2, 1, 2, 3, 1));               // multiplier
  producers.push_back(mk_b(Op::vmul, 2, 1, 2, -5));                   // multiplier, low
  producers.push_back(mk(Op::vredsum, 2, 1));                         // reduction
  { Issue is = mk(Op::vlut, 2, 1); is.in.imm16 = 3; producers.push_back(is); }  // table
  { Issue is = mk(Op::vrot, 2, 1); is.in.imm16 = 1; producers.push_back(is); }   // lanes
  { Issue is = mk(Op::vld, 2); is.in.bank = 0; is.ra_val = 9; producers.push_back(is); }
  { Issue is = mk(Op::vlda, 2); is.ra_val = 4; producers.push_back(is); }
  for (const Issue& prod : producers) {
    p.step(set_vec(1, 1000 + static_cast<std::int32_t>(p.rng()() % 1000)));
    p.step(set_vec(2, -123456));
    p.drain();
    p.step(prod);  // issued at t
    // vext of v2 lane 0 at t+1 .. t+vlat+1: old value up to t+vlat-1, new from t+vlat.
    for (unsigned d = 1; d <= vlat + 1; ++d) {
      Issue rd = mk(Op::vext, 4, 2);
      const Seen s = p.step(rd);  // compared with the reference inside step()
      if (d <= vlat - 1) {
        p.bench().h().check(s.vext_val == -123456, "old value at t+" + std::to_string(d), -123456, s.vext_val);
      } else {
        p.bench().h().check(s.vext_val != -123456, "new value at t+" + std::to_string(d), "changed", s.vext_val);
      }
    }
  }
  // Consecutive writes to one register land in order; a store at t+vlat-1 stores the old value.
  p.step(set_vec(6, 1));
  p.step(set_vec(6, 2));
  p.step(set_vec(6, 3));
  Issue st = mk(Op::vst, 6);
  st.in.bank = 1;
  st.ra_val = 20;
  p.step(std::nullopt);
  p.step(st);  // issued at t0+4 = (first vmov)+vlat: sees 1; the ref checks the data
  p.check_state();
}

TEST_CASE("vxu: arithmetic edge cases against hand-computed values", "[vxu]") {
  Pair p("vxu_edges");
  auto result = [&](const Issue& op, std::int32_t a, std::int32_t b_scalar) {
    p.step(set_vec(1, a));
    p.drain();
    Issue is = op;
    is.in.ra = 1;
    is.in.rd = 2;
    if (is.in.bmode == 1) is.rb_val = b_scalar;
    p.step(is);
    p.drain();
    Issue rd = mk(Op::vext, 4, 2);
    rd.in.sh = p.cfg().lanes - 1;
    return p.step(rd).vext_val;
  };
  auto mulsh = [&](std::int32_t a, std::int32_t b, unsigned sh) { return result(mk_b(Op::vmulsh, 0, 0, 1, 0, sh), a, b); };
  auto rq = [&](std::int32_t a, std::int32_t b, unsigned sh) { return result(mk_b(Op::vrq, 0, 0, 1, 0, sh), a, b); };
  // round half toward +infinity
  CHECK(mulsh(3, 1, 1) == 2);      //  1.5  ->  2
  CHECK(mulsh(-3, 1, 1) == -1);    // -1.5  -> -1
  CHECK(mulsh(5, 1, 2) == 1);      //  1.25 ->  1
  CHECK(mulsh(-5, 1, 2) == -1);    // -1.25 -> -1
  CHECK(mulsh(6, 1, 2) == 2);      //  1.5  ->  2
  CHECK(mulsh(-6, 1, 2) == -1);    // -1.5  -> -1
  CHECK(mulsh(-7, 1, 2) == -2);    // -1.75 -> -2
  // saturation and 64-bit products
  CHECK(mulsh(INT32_MIN, INT32_MIN, 0) == INT32_MAX);   // 2^62
  CHECK(mulsh(INT32_MIN, INT32_MAX, 0) == INT32_MIN);
  CHECK(mulsh(INT32_MIN, INT32_MIN, 31) == INT32_MAX);  // 2^31 does not fit
  CHECK(mulsh(INT32_MIN, INT32_MIN, 32) == 1 << 30);
  CHECK(mulsh(INT32_MIN, INT32_MIN, 62) == 1);
  CHECK(mulsh(INT32_MIN, INT32_MIN, 63) == 1);          // (2^62 + 2^62) >> 63, needs 65 bits
  CHECK(mulsh(INT32_MIN, INT32_MAX, 63) == 0);          // (-2^62 + 2^31 + 2^62) >> 63
  CHECK(mulsh(INT32_MAX, INT32_MAX, 63) == 0);
  CHECK(mulsh(-1, 1, 63) == 0);                         // (-1 + 2^62) >> 63
  CHECK(mulsh(INT32_MAX, 1, 0) == INT32_MAX);
  CHECK(mulsh(-65536, 65536, 0) == INT32_MIN);          // -2^32 saturates
  CHECK(mulsh(65535, 65537, 0) == INT32_MAX);           // 2^32 - 1 saturates
  CHECK(mulsh(46341, 46341, 0) == INT32_MAX);           // 2147488281
  CHECK(mulsh(46340, 46340, 0) == 2147395600);
  CHECK(mulsh(-46341, 46341, 1) == -1073744140);        // -2147488281/2 = -1073744140.5 -> -1073744140
  CHECK(rq(1000, 1000, 0) == 127);
  CHECK(rq(-1000, 1000, 0) == -128);
  CHECK(rq(255, 1, 1) == 127);                          // 127.5 -> 128 -> 127
  CHECK(rq(253, 1, 1) == 127);                          // 126.5 -> 127
  CHECK(rq(-257, 1, 1) == -128);                        // -128.5 -> -128
  CHECK(rq(-259, 1, 1) == -128);                        // -129.5 -> -129 -> -128
  CHECK(rq(-255, 1, 1) == -127);                        // -127.5 -> -127
  CHECK(rq(INT32_MIN, INT32_MIN, 63) == 1);
  CHECK(rq(12345, 20000, 16) == 127);
  CHECK(rq(100, 3, 2) == 75);
  // vmul: low 32 bits
  CHECK(result(mk_b(Op::vmul, 0, 0, 1, 0), INT32_MIN, -1) == INT32_MIN);
  CHECK(result(mk_b(Op::vmul, 0, 0, 1, 0), 0x10001, 0x10001) == 0x20001);
  CHECK(result(mk_b(Op::vmul, 0, 0, 2, -3), INT32_MAX, 0) == -2147483645);  // -6442450941 mod 2^32
  // wrapping add/sub, signed min/max, compares
  CHECK(result(mk_b(Op::vadd, 0, 0, 1, 0), INT32_MAX, 1) == INT32_MIN);
  CHECK(result(mk_b(Op::vsub, 0, 0, 1, 0), INT32_MIN, 1) == INT32_MAX);
  CHECK(result(mk_b(Op::vmin, 0, 0, 2, -1), 5, 0) == -1);
  CHECK(result(mk_b(Op::vmax, 0, 0, 1, 0), INT32_MIN, INT32_MAX) == INT32_MAX);
  CHECK(result(mk_b(Op::vclt, 0, 0, 2, 0), -1, 0) == 1);
  CHECK(result(mk_b(Op::vclt, 0, 0, 1, 0), INT32_MAX, INT32_MIN) == 0);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), INT32_MIN, INT32_MIN) == 1);
  // vceq is a == b on the full 32 bits (the ALU tests a - b == 0): differences of 2^31 and
  // 2^32 - 1 and single bits are unequal.
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), 0, INT32_MIN) == 0);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), INT32_MIN, 0) == 0);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), INT32_MIN, INT32_MAX) == 0);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), INT32_MAX, INT32_MIN) == 0);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), -1, 0x7fffffff) == 0);
  CHECK(result(mk_b(Op::vceq, 0, 0, 2, -1), -1, 0) == 1);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), 0x12345678, 0x12345678) == 1);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), 0x12345678, 0x12345679) == 0);
  CHECK(result(mk_b(Op::vceq, 0, 0, 1, 0), 0, 0) == 1);
  // shifts use B & 31
  CHECK(result(mk_b(Op::vshl, 0, 0, 1, 0), 1, 31) == INT32_MIN);
  CHECK(result(mk_b(Op::vshl, 0, 0, 1, 0), 1, 32) == 1);
  CHECK(result(mk_b(Op::vshl, 0, 0, 1, 0), 3, 63) == INT32_MIN);
  CHECK(result(mk_b(Op::vsra, 0, 0, 1, 0), INT32_MIN, 31) == -1);
  CHECK(result(mk_b(Op::vsra, 0, 0, 2, -1), INT32_MIN, 0) == -1);   // -1 & 31 = 31
  CHECK(result(mk_b(Op::vsrl, 0, 0, 1, 0), INT32_MIN, 31) == 1);
  CHECK(result(mk_b(Op::vsrl, 0, 0, 1, 0), -1, 0) == -1);
  CHECK(result(mk_b(Op::vsrl, 0, 0, 1, 0), -1, 4) == 0x0fffffff);
  // every shift amount (the multiplier's shifter handles odd and even amounts differently)
  for (std::int32_t s = 0; s < 32; ++s) {
    const std::int32_t v = static_cast<std::int32_t>(0x9234'5679u);
    const std::uint32_t uv = static_cast<std::uint32_t>(v);
    CHECK(result(mk_b(Op::vshl, 0, 0, 1, 0), v, s + 32) == static_cast<std::int32_t>(uv << s));
    CHECK(result(mk_b(Op::vsra, 0, 0, 1, 0), v, s) ==
          static_cast<std::int32_t>(s == 0 ? uv : (uv >> s) | (~0u << (32 - s))));
    CHECK(result(mk_b(Op::vsrl, 0, 0, 1, 0), v, s) == static_cast<std::int32_t>(uv >> s));
  }
  // the inputs whose rounded value overflows although the shifted value fits, at many shifts:
  // p = (2^32 - 1) * 2^(sh-1) rounds to 2^31, p = 255 * 2^(sh-1) to 128
  for (unsigned sh = 1; sh <= 30; ++sh) {
    const unsigned j = (sh - 1) < 15 ? sh - 1 : 15, m = sh - 1 - j;
    CHECK(mulsh(65535 * (1 << j), 65537 * (1 << m), sh) == INT32_MAX);
    CHECK(mulsh(65535 * (1 << j), 65537 * (1 << m), sh - 1) == INT32_MAX);
    CHECK(mulsh(-65536 * (1 << j), 65536 * (1 << m), sh) == INT32_MIN);  // -2^31 fits
  }
  for (unsigned sh = 1; sh <= 53; ++sh) {  // 257 * 2^22 and 2^30 still fit int32
    const unsigned j = (sh - 1) < 22 ? sh - 1 : 22, m = sh - 1 - j;
    CHECK(rq(255 * (1 << j), 1 << m, sh) == 127);
    CHECK(rq(253 * (1 << j), 1 << m, sh) == 127);   // 126.5 -> 127
    CHECK(rq(-257 * (1 << j), 1 << m, sh) == -128);  // -128.5 -> -128
  }
  // relu, clamp (imm16 > hi16: hi16 wins)
  CHECK(result(mk(Op::vrelu, 0), INT32_MIN, 0) == 0);
  CHECK(result(mk(Op::vrelu, 0), INT32_MAX, 0) == INT32_MAX);
  { Issue c = mk(Op::vclamp, 0); c.in.imm16 = -10; c.in.hi16 = 20;
    CHECK(result(c, -11, 0) == -10);
    CHECK(result(c, 21, 0) == 20);
    CHECK(result(c, INT32_MIN, 0) == -10);
    CHECK(result(c, 7, 0) == 7); }
  { Issue c = mk(Op::vclamp, 0); c.in.imm16 = 50; c.in.hi16 = -50;
    CHECK(result(c, 0, 0) == -50);
    CHECK(result(c, 100, 0) == -50); }
  { Issue c = mk(Op::vclamp, 0); c.in.imm16 = -32768; c.in.hi16 = 32767;
    CHECK(result(c, INT32_MAX, 0) == 32767);
    CHECK(result(c, INT32_MIN, 0) == -32768); }
  // reductions of a broadcast vector: every lane equal
  const std::int32_t L = static_cast<std::int32_t>(p.cfg().lanes);
  CHECK(result(mk(Op::vredsum, 0), INT32_MAX, 0) == static_cast<std::int32_t>(static_cast<std::uint32_t>(INT32_MAX) * static_cast<std::uint32_t>(L)));
  CHECK(result(mk(Op::vredmax, 0), INT32_MIN, 0) == INT32_MIN);
  CHECK(result(mk(Op::vredmin, 0), -7, 0) == -7);
  p.check_state();
}

TEST_CASE("vxu: lookup table clamping, lane ops, loads and stores", "[vxu]") {
  Pair p("vxu_directed");
  const auto& cfg = p.cfg();
  const unsigned L = cfg.lanes;
  const std::int32_t D = static_cast<std::int32_t>(cfg.lut_depth);
  // Table: LUT[i] = i - 3*D/4 with a distinctive first and last entry.
  for (std::int32_t i = 0; i < D; ++i) {
    std::int16_t v = static_cast<std::int16_t>(i - 3 * D / 4);
    if (i == 0) v = -32768;
    if (i == D - 1) v = 32767;
    p.bench().host_lut_write(static_cast<unsigned>(i), v);
    p.ref().lut()[static_cast<std::size_t>(i)] = v;
  }
  p.mark_lut_known();
  auto lane_of = [&](unsigned vr, unsigned l) {
    Issue rd = mk(Op::vext, 4, vr);
    rd.in.sh = l;
    return p.step(rd).vext_val;
  };
  auto lut = [&](std::int32_t a, int imm) {
    p.step(set_vec(1, a));
    p.drain();
    Issue is = mk(Op::vlut, 2, 1);
    is.in.imm16 = imm;
    p.step(is);
    p.drain();
    return lane_of(2, 0);
  };
  CHECK(lut(-1, 0) == -32768);
  CHECK(lut(INT32_MIN, -32768) == -32768);     // sum below INT32_MIN: still clamps to 0
  CHECK(lut(INT32_MAX, 32767) == 32767);       // sum above INT32_MAX: clamps to D-1
  CHECK(lut(D, 0) == 32767);
  CHECK(lut(D - 1, 0) == 32767);
  CHECK(lut(D - 2, 0) == D - 2 - 3 * D / 4);
  CHECK(lut(1, 0) == 1 - 3 * D / 4);
  CHECK(lut(10, -9) == 1 - 3 * D / 4);
  CHECK(lut(10, -10) == -32768);
  CHECK(lut(-5, 7) == 2 - 3 * D / 4);
  // vlid, then per-lane lut of lane indices (different index in every lane)
  p.step(mk(Op::vlid, 3));
  p.drain();
  { Issue is = mk(Op::vlut, 4, 3); is.in.imm16 = 5; p.step(is); }
  p.drain();
  for (unsigned l = 0; l < L; ++l) CHECK(lane_of(4, l) == static_cast<std::int32_t>(l) + 5 - 3 * D / 4);
  // lane ops on vlid * 10 + 1
  p.step(mk_b(Op::vmul, 3, 3, 2, 10));
  p.drain();
  p.step(mk_b(Op::vadd, 3, 3, 2, 1));
  p.drain();
  for (int k : {0, 1, -1, static_cast<int>(L), -static_cast<int>(L) - 1, 32767, -32768}) {
    Issue r = mk(Op::vrot, 5, 3); r.in.imm16 = k; p.step(r);
    Issue s = mk(Op::vshift, 6, 3); s.in.imm16 = k; p.step(s);
    p.drain();
    for (unsigned l = 0; l < L; ++l) {
      const int m = ((static_cast<int>(l) + k) % static_cast<int>(L) + static_cast<int>(L)) % static_cast<int>(L);
      CHECK(lane_of(5, l) == m * 10 + 1);
      const long src = static_cast<long>(l) + k;
      CHECK(lane_of(6, l) == ((src >= 0 && src < static_cast<long>(L)) ? src * 10 + 1 : 0));
    }
  }
  { Issue b = mk(Op::vbcast, 7, 3); b.in.sh = L - 1; p.step(b); p.drain();
    for (unsigned l = 0; l < L; ++l) CHECK(lane_of(7, l) == static_cast<std::int32_t>(L - 1) * 10 + 1); }
  // loads: bytes 0x80, 0x7f, 0xff, 0x01 repeated
  const std::uint8_t pat[4] = {0x80, 0x7f, 0xff, 0x01};
  for (unsigned l = 0; l < L; ++l) {
    p.bench().sram()[1][static_cast<std::size_t>(100) * L + l] = pat[l % 4];
    p.ref().sram()[1][static_cast<std::size_t>(100) * L + l] = pat[l % 4];
  }
  { Issue ld = mk(Op::vld, 1); ld.in.bank = 1; ld.ra_val = 90; ld.in.imm16 = 10; p.step(ld);
    Issue lu = mk(Op::vldu, 2); lu.in.bank = 1; lu.ra_val = 200; lu.in.imm16 = -100; p.step(lu);
    p.drain();
    const std::int32_t s_exp[4] = {-128, 127, -1, 1}, u_exp[4] = {128, 127, 255, 1};
    for (unsigned l = 0; l < L; ++l) {
      CHECK(lane_of(1, l) == s_exp[l % 4]);
      CHECK(lane_of(2, l) == u_exp[l % 4]);
    } }
  // vgather: row R[ra] + imm16 + V[rb][lane]
  p.step(set_vec(0, 60));
  p.drain();
  { Issue g = mk(Op::vgather, 7); g.in.bank = 1; g.in.rb = 0; g.in.sh = L - 1; g.ra_val = 30; g.in.imm16 = 10;
    p.step(g); p.drain();
    for (unsigned l = 0; l < L; ++l) CHECK(lane_of(7, l) == static_cast<std::int8_t>(pat[l % 4])); }
  // stores: vst saturates, vstb slices (four vstb rebuild the int32)
  p.step(set_vec(4, 0x12345678));
  p.step(set_vec(5, -300));
  p.step(set_vec(6, 300));
  p.drain();
  auto store = [&](Op op, unsigned vs, std::int32_t addr, unsigned slice) {
    Issue st = mk(op, vs); st.in.bank = 0; st.ra_val = addr; st.in.sh = slice; p.step(st);
    return p.bench().sram()[0][static_cast<std::size_t>(addr) * L];
  };
  CHECK(store(Op::vst, 5, 7, 0) == 0x80);
  CHECK(store(Op::vst, 6, 7, 0) == 0x7f);
  CHECK(store(Op::vst, 4, 7, 0) == 0x7f);
  CHECK(store(Op::vstb, 4, 8, 0) == 0x78);
  CHECK(store(Op::vstb, 4, 9, 1) == 0x56);
  CHECK(store(Op::vstb, 4, 10, 2) == 0x34);
  CHECK(store(Op::vstb, 4, 11, 3) == 0x12);
  CHECK(store(Op::vstb, 5, 12, 3) == 0xff);
  p.check_state();
}

TEST_CASE("vxu: lutld timing, offsets and errors", "[vxu]") {
  Pair p("vxu_lutld");
  p.load_memories();
  p.load_lut_via_host();
  const auto& cfg = p.cfg();
  const unsigned L = cfg.lanes;
  auto lutld = [&](unsigned bank, std::int32_t addr, unsigned count, int hi16, std::uint16_t pc) {
    Issue is = mk(Op::lutld, 0, 0, pc);
    is.in.bank = bank;
    is.ra_val = addr;
    is.in.imm16 = static_cast<int>(count);
    is.in.hi16 = hi16;
    return is;
  };
  const unsigned W = cfg.lutld_word_cycles;
  // The W-1 cycles after word i's read cycle (no request: the next word is W cycles later).
  auto gap = [&] {
    for (unsigned k = 1; k < W; ++k) CHECK_FALSE(p.step(std::nullopt).rd_req);
  };
  SECTION("unaligned offsets, then vlut right after the stall") {
    const int half = static_cast<int>(L / 2), depth = static_cast<int>(cfg.lut_depth);
    for (int hi : {0, 1, 3, half - 1, depth - 3 * half, depth - 3 * half - 1}) {
      p.step(lutld(1, 17, 3, hi, 0x123));
      for (unsigned i = 0; i < 3 * W; ++i) p.step(std::nullopt);  // issue slot held W*count cycles
      // first instruction after the stall reads the table
      Issue rd = mk(Op::vlut, 2, 3);
      rd.in.imm16 = hi;
      p.step(rd);
    }
    p.step(mk(Op::vlid, 3));
    p.drain();
    { Issue rd = mk(Op::vlut, 2, 3); rd.in.imm16 = 0; p.step(rd); }
    p.check_state();
  }
  SECTION("count 0 does nothing") {
    p.step(lutld(0, 5, 0, 0, 1));
    p.step(std::nullopt);
    p.check_state();
  }
  SECTION("a word outside the table raises lut_addr in its read cycle and is not written") {
    const int hi = static_cast<int>(cfg.lut_depth) - static_cast<int>(L / 2) * 2 + 1;  // word 1 straddles the end
    p.step(lutld(0, 40, 3, hi, 0x77));
    const Seen w0 = p.step(std::nullopt);  // word 0: fine
    CHECK_FALSE(w0.err);
    gap();
    const Seen w1 = p.step(std::nullopt);  // word 1: lut_addr
    CHECK(w1.err);
    CHECK(w1.err_code == static_cast<unsigned>(lpu::gen::ErrorCode::lut_addr));
    CHECK(w1.err_pc == 0x77);
    // The sequencer stops the chip: stop_i from the next cycle.
    p.bench().set_stop(true);
    p.ref().stop();
    p.step(std::nullopt);
    p.step(std::nullopt);
    p.bench().set_stop(false);
    p.check_state();
  }
  SECTION("negative offset raises lut_addr on the first word") {
    p.step(lutld(0, 40, 2, -1, 0x78));
    const Seen w0 = p.step(std::nullopt);
    CHECK(w0.err);
    p.bench().set_stop(true);
    p.ref().stop();
    p.step(std::nullopt);
    p.bench().set_stop(false);
    p.check_state();
  }
  SECTION("an SRAM range error suppresses that word's table write") {
    p.step(lutld(0, static_cast<std::int32_t>(cfg.bank_depth) - 1, 3, 0, 0x79));
    const Seen w0 = p.step(std::nullopt);
    CHECK_FALSE(w0.sram_err);
    gap();
    const Seen w1 = p.step(std::nullopt);
    CHECK(w1.sram_err);
    p.bench().set_stop(true);
    p.ref().stop();
    p.step(std::nullopt);  // word 0 physically lands now; word 1 must not
    p.bench().set_stop(false);
    p.check_state();
  }
  SECTION("another unit's error in a word's read cycle: that word still completes") {
    p.step(lutld(0, 8, 4, 0, 0x7a));
    p.step(std::nullopt);
    gap();
    p.step(std::nullopt);  // word 1 read; pretend another unit raised an error in this cycle
    p.bench().set_stop(true);
    p.ref().stop();
    for (unsigned k = 0; k < W; ++k) p.step(std::nullopt);  // stop: word 2 not read; word 1 written
    p.bench().set_stop(false);
    p.check_state();
  }
  SECTION("another unit's error after a word's read cycle: that word still completes") {
    if (W == 1) return;  // every cycle of the stream is a read cycle
    p.step(lutld(0, 8, 4, 0, 0x7b));
    p.step(std::nullopt);  // word 0 read
    gap();
    p.step(std::nullopt);  // word 1 read
    CHECK_FALSE(p.step(std::nullopt).rd_req);  // between reads: another unit's error here
    p.bench().set_stop(true);
    p.ref().stop();
    for (unsigned k = 0; k < W; ++k) CHECK_FALSE(p.step(std::nullopt).rd_req);  // word 2 never read
    p.bench().set_stop(false);
    p.check_state();
  }
}

TEST_CASE("vxu: lutld with an odd offset, several words, vlut in the first allowed cycle", "[vxu]") {
  // Expected values written out from the spec (docs/vxu.md "lutld"): word i of the lutld is
  // read at t+1+W*i, LUT[o + i*L/2 + e] = int16(bytes 2e, 2e+1 of word i); the next
  // instruction issues at t+W*n+1 and a vlut there sees every entry.
  Pair p("vxu_lutld_odd");
  p.load_memories();
  p.load_lut_via_host();
  const auto& cfg = p.cfg();
  const unsigned L = cfg.lanes, half = L / 2, W = cfg.lutld_word_cycles;
  if (L == 16) REQUIRE(W == 2);  // base: two cycles per word
  const std::vector<std::int16_t> before = p.ref().lut();  // the values the host wrote
  const unsigned bank = 2 % cfg.banks, n = 3;
  const std::int32_t addr = 100;
  const int o = 5;
  p.step(mk(Op::vlid, 3));  // v3[l] = l
  p.drain();

  Issue ld = mk(Op::lutld, 0, 0, 0x55);
  ld.in.bank = bank;
  ld.ra_val = addr;
  ld.in.imm16 = static_cast<int>(n);
  ld.in.hi16 = o;
  p.step(ld);  // t
  for (unsigned k = 1; k <= W * n; ++k) {  // t+1 .. t+W*n: the issue slot is held
    const Seen s = p.step(std::nullopt);
    const bool read = (k - 1) % W == 0;
    CHECK(s.rd_req == read);
    if (read) {
      CHECK(s.rd_bank == bank);
      CHECK(s.rd_addr == addr + static_cast<std::int32_t>((k - 1) / W));
      CHECK(s.rd_pc == 0x55);
    }
  }
  // t+W*n+1: vlut v2[l] = LUT[l + o], then v4[l] = LUT[l + o + L - 1] and v5[l] = LUT[l + o - 1].
  const int offs[3] = {o, o + static_cast<int>(L) - 1, o - 1};
  const unsigned dst[3] = {2, 4, 5};
  for (unsigned q = 0; q < 3; ++q) {
    Issue rd = mk(Op::vlut, dst[q], 3);
    rd.in.imm16 = offs[q];
    p.step(rd);
  }
  p.drain();
  auto want = [&](int k) -> std::int32_t {
    const int j = k - o;  // entry of the load
    if (j < 0 || j >= static_cast<int>(n * half)) return before[static_cast<std::size_t>(k)];
    const auto& w = p.bench().sram()[bank];
    const std::size_t b = static_cast<std::size_t>(addr + j / static_cast<int>(half)) * L +
                          2 * static_cast<std::size_t>(j % static_cast<int>(half));
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(w[b] | (w[b + 1] << 8)));
  };
  for (unsigned q = 0; q < 3; ++q) {
    for (unsigned l = 0; l < L; ++l) {
      const int k = std::clamp(static_cast<int>(l) + offs[q], 0, static_cast<int>(cfg.lut_depth) - 1);
      Issue x = mk(Op::vext, 3, dst[q]);
      x.in.sh = l;
      const Seen s = p.step(x);
      CHECK(s.vext_val == want(k));
    }
  }
  p.check_state();
}

TEST_CASE("vxu: stop drops in-flight work, reset clears the registers", "[vxu]") {
  Pair p("vxu_stop");
  p.load_memories();
  // After reset every register reads as zero.
  p.check_state();
  p.step(set_vec(1, 11));
  p.drain();
  p.step(set_vec(1, 22));  // t
  p.step(set_vec(2, 33));  // t+1
  p.bench().set_stop(true);  // from t+2: neither lands
  p.ref().stop();
  {
    Issue st = mk(Op::vst, 1);
    st.in.bank = 0;
    st.ra_val = 3;
    // an issue while stopped has no effect (the sequencer would not issue; the unit ignores it)
    const Seen s = p.bench().cycle(st);
    CHECK_FALSE(s.wr_req);
    CHECK_FALSE(s.pending);
  }
  for (int i = 0; i < 4; ++i) {
    const Seen s = p.bench().cycle(std::nullopt);
    CHECK_FALSE(s.pending);
  }
  p.bench().set_stop(false);
  p.check_state();  // v1 = 11, v2 = 0
  CHECK(p.ref().vreg(1, 0) == 11);
  CHECK(p.ref().vreg(2, 0) == 0);
}
