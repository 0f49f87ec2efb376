// The golden model's public API: construction, program/memory loading, host memory access.
// The cycle engine is in golden_step.cpp, the instruction datapath in golden_exec.cpp.
#include "lpu/golden.hpp"

#include <string>

#include "golden_impl.hpp"
#include "lpu/error.hpp"

namespace lpu {

using golden_detail::DInstr;
using golden_detail::Engine;

namespace golden_detail {

namespace {

unsigned ring_size(unsigned at_least) {
  unsigned n = 1;
  while (n < at_least) n <<= 1;
  return n;
}

DInstr predecode(std::uint64_t word, const Config& cfg) {
  DInstr d;
  const auto op = static_cast<Op>(word >> field_desc(Field::op).lsb);
  const auto* desc = find_instr(op);
  if (!desc) {
    d.err = ErrorCode::illegal_opcode;
    return d;
  }
  d.op = op;
  d.unit = desc->unit;
  const auto in = decode(word);
  if (!in) {  // nonzero unused bits
    d.err = ErrorCode::illegal_operand;
    return d;
  }
  d.err = check_operands(*in, cfg);
  auto u8 = [&](Field f) { return static_cast<std::uint8_t>(in->get(f)); };
  auto i32 = [&](Field f) { return static_cast<std::int32_t>(in->get(f)); };
  d.rd = u8(Field::rd);
  d.ra = u8(Field::ra);
  d.rb = u8(Field::rb);
  d.bank = u8(Field::bank);
  d.bmode = u8(Field::bmode);
  d.sh = u8(Field::sh);
  d.stride = i32(Field::stride);
  d.dstride = i32(Field::dstride);
  d.hi16 = i32(Field::hi16);
  d.imm16 = i32(Field::imm16);
  d.imm32 = i32(Field::imm32);
  d.len = static_cast<std::uint32_t>(in->get(Field::len));
  d.count = static_cast<std::uint32_t>(in->get(Field::count));
  return d;
}

}  // namespace

Engine::Engine(const Config& c) : cfg(c), L(c.lanes) {
  // The engine keeps one read stream per unit and relies on these relations of the timing
  // constants (true for every configuration in isa/lpu_isa.toml); refuse anything else
  // rather than model it wrongly.
  auto need = [&](bool ok, const char* what) {
    if (!ok) throw Error(std::string("golden model: configuration '") + std::string(cfg.name) +
                         "' violates timing assumption " + what);
  };
  need(cfg.vlat >= 1 && cfg.slat == 1, "vlat >= 1, slat == 1");
  need(cfg.mlw_busy >= L, "mlw_busy >= lanes");
  need(cfg.vtr_busy >= L, "vtr_busy >= lanes");
  need(cfg.vtr_wr_start >= L + 1, "vtr_wr_start >= lanes + 1");
  // An mm row multiplies the buffer mm_delay cycles after its read (mlw_ready may be below
  // lanes: the array takes the row a few cycles after the read); that must come before a
  // later mlw into the buffer changes it, and before the row's ACC write.
  mm_delay = cfg.mlw_ready < L ? L - cfg.mlw_ready : 0;
  need(mm_delay <= cfg.wbuf_release && mm_delay < cfg.mxu_lat,
       "lanes - mlw_ready <= wbuf_release, lanes - mlw_ready < mxu_lat");
  need(cfg.sregs <= 16 && L % 2 == 0 && cfg.banks <= 16, "sregs <= 16, even lanes, banks <= 16");
  need(L <= 64, "lanes <= 64");

  sram.assign(static_cast<std::size_t>(cfg.banks) * cfg.bank_depth * L, 0);
  acc.assign(static_cast<std::size_t>(cfg.acc_depth) * L, 0);
  lut.assign(cfg.lut_depth, 0);
  wbuf.assign(2u * L * L, 0);
  vregs.assign(static_cast<std::size_t>(cfg.vregs) * L, 0);
  links.assign(cfg.links, LinkPort{});

  const unsigned vr = ring_size(cfg.vlat + 1);
  vwb.assign(vr, VregWb{});
  vwb_data.assign(static_cast<std::size_t>(vr) * L, 0);
  vwb_mask = vr - 1;
  const unsigned ar = ring_size(cfg.mxu_lat + 2);
  awb.assign(ar, AccWb{});
  awb_data.assign(static_cast<std::size_t>(ar) * L, 0);
  awb_x.assign(static_cast<std::size_t>(ar) * L, 0);
  awb_mask = ar - 1;

  vtr_rd.block.assign(static_cast<std::size_t>(L) * L, 0);
  vtr_wr.reserve(4);
  tmp_b.assign(L, 0);
  iw.store_data.assign(L, 0);
  loops.reserve(cfg.loop_depth);
}

void Engine::clear_memories() {
  std::fill(sram.begin(), sram.end(), 0);
  std::fill(acc.begin(), acc.end(), 0);
  std::fill(lut.begin(), lut.end(), 0);
}

void Engine::clear_registers() {
  sregs.fill(0);
  std::fill(vregs.begin(), vregs.end(), 0);
  std::fill(wbuf.begin(), wbuf.end(), 0);
}

// Run start (docs/isa.md "Run start"): pc 0, cycle 0, counters 0, empty loop stack, every
// unit idle (no stream, window or pending write). Registers, weight buffers and memories
// keep their contents; clear_registers() is the reset of those.
void Engine::clear_run_state() {
  cycle = 0;
  pc = 0;
  hold_until = 0;
  holding = false;
  halting = false;
  loops.clear();
  counters.fill(0);
  last_effect = 0;
  any_effect = false;
  mm_free = mlw_free = vtr_free = 0;
  wbuf_ready.fill(0);
  wbuf_release.fill(0);
  mm = MmStream{};
  mlw = MlwStream{};
  vtr_rd.rows_left = 0;
  vtr_wr.clear();
  lutld = LutldStream{};
  send = SendStream{};
  recv = RecvStream{};
  send_free = 0;
  issue_wait = false;
  for (auto& w : vwb) w = VregWb{};
  vwb_count = 0;
  for (auto& a : awb) a = AccWb{};
  awb_count = 0;
  err = ErrorCode::none;
  err_src = kNumSrc;
  err_pc = 0;
}

void Engine::emit(TraceEvent::Kind k, std::uint32_t pc_, std::uint32_t bank, std::uint32_t addr,
                const std::int32_t* data, unsigned n) {
  TraceEvent ev{k, cycle, pc_, bank, addr, std::vector<std::int32_t>(data, data + n)};
  trace(ev);
}

void Engine::emit8(std::uint32_t pc_, std::uint32_t bank, std::uint32_t addr, const std::int8_t* data) {
  TraceEvent ev{TraceEvent::Kind::sram_write, cycle, pc_, bank, addr, std::vector<std::int32_t>(data, data + L)};
  trace(ev);
}

}  // namespace golden_detail


GoldenModel::GoldenModel(const Config& cfg) : impl_(std::make_unique<Impl>(cfg)) {}
GoldenModel::~GoldenModel() = default;

const Config& GoldenModel::config() const { return impl_->cfg; }

void GoldenModel::reset() {
  impl_->clear_memories();
  impl_->clear_registers();
  impl_->clear_run_state();
  impl_->code.clear();
}

void GoldenModel::load_code(const std::vector<std::uint64_t>& code) {
  const Config& cfg = impl_->cfg;
  if (code.size() > cfg.imem_depth) {
    throw Error("golden model: code has " + std::to_string(code.size()) + " instructions, more than imem_depth " +
                std::to_string(cfg.imem_depth) + " of configuration '" + std::string(cfg.name) + "'");
  }
  std::vector<DInstr> dec;
  dec.reserve(code.size());
  for (const auto w : code) dec.push_back(golden_detail::predecode(w, cfg));
  impl_->code = std::move(dec);
}

void GoldenModel::load(const Program& p) {
  const Config& cfg = impl_->cfg;
  p.check_fits(cfg);
  load_code(p.code);
  for (const auto& seg : p.data) {
    for (const auto& piece : segment_pieces(seg, cfg)) {
      write_mem(piece.space, piece.bank, piece.addr,
                std::vector<std::uint8_t>(seg.bytes.begin() + static_cast<std::ptrdiff_t>(piece.offset),
                                          seg.bytes.begin() + static_cast<std::ptrdiff_t>(piece.offset + piece.size)));
    }
  }
}

namespace {

// Byte range of (space, bank, addr) + nbytes inside the flat byte image of that space.
std::size_t mem_offset(const Config& cfg, Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes,
                       const char* what) {
  const std::size_t unit = unit_bytes(s, cfg);
  const std::size_t depth = space_depth(s, cfg);
  const std::size_t banks = space_banks(s, cfg);
  const std::string where = std::string(what) + " " + std::string(space_name(s)) + " bank " + std::to_string(bank) +
                            " addr " + std::to_string(addr) + " (" + std::to_string(nbytes) + " bytes)";
  if (bank >= banks) throw Error("golden model: " + where + ": bank out of range (" + std::to_string(banks) + ")");
  if (addr >= depth) throw Error("golden model: " + where + ": address out of range (" + std::to_string(depth) + ")");
  const std::size_t off = (static_cast<std::size_t>(bank) * depth + addr) * unit;
  if (nbytes > banks * depth * unit - off) {
    throw Error("golden model: " + where + ": runs past the end of " + std::string(space_name(s)));
  }
  return off;
}

}  // namespace

void GoldenModel::write_mem(Space s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& bytes) {
  Engine& m = *impl_;
  const std::size_t off = mem_offset(m.cfg, s, bank, addr, bytes.size(), "write");
  switch (s) {
    case Space::sram:
      for (std::size_t i = 0; i < bytes.size(); ++i) m.sram[off + i] = static_cast<std::int8_t>(bytes[i]);
      break;
    case Space::acc:
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto& e = reinterpret_cast<std::uint32_t&>(m.acc[(off + i) / 4]);
        const unsigned sh = 8 * ((off + i) % 4);
        e = (e & ~(0xFFu << sh)) | (static_cast<std::uint32_t>(bytes[i]) << sh);
      }
      break;
    case Space::lut:
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto& e = reinterpret_cast<std::uint16_t&>(m.lut[(off + i) / 2]);
        const unsigned sh = 8 * ((off + i) % 2);
        e = static_cast<std::uint16_t>((e & ~(0xFFu << sh)) | (static_cast<unsigned>(bytes[i]) << sh));
      }
      break;
  }
}

std::vector<std::uint8_t> GoldenModel::read_mem(Space s, std::uint32_t bank, std::uint32_t addr,
                                                std::size_t nbytes) const {
  const Engine& m = *impl_;
  const std::size_t off = mem_offset(m.cfg, s, bank, addr, nbytes, "read");
  std::vector<std::uint8_t> out(nbytes);
  for (std::size_t i = 0; i < nbytes; ++i) {
    const std::size_t b = off + i;
    switch (s) {
      case Space::sram: out[i] = static_cast<std::uint8_t>(m.sram[b]); break;
      case Space::acc: out[i] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(m.acc[b / 4]) >> (8 * (b % 4))); break;
      case Space::lut: out[i] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(m.lut[b / 2]) >> (8 * (b % 2))); break;
    }
  }
  return out;
}

RunResult GoldenModel::run(std::uint64_t max_cycles) { return impl_->run(max_cycles); }

void GoldenModel::set_trace(std::function<void(const TraceEvent&)> fn) { impl_->trace = std::move(fn); }

std::int32_t GoldenModel::sreg(unsigned i) const {
  if (i >= impl_->cfg.sregs) throw Error("golden model: scalar register r" + std::to_string(i) + " does not exist");
  return impl_->sregs[i];
}

std::int32_t GoldenModel::vreg(unsigned i, unsigned lane) const {
  if (i >= impl_->cfg.vregs || lane >= impl_->L) {
    throw Error("golden model: vector register v" + std::to_string(i) + " lane " + std::to_string(lane) +
                " does not exist");
  }
  return impl_->vregs[static_cast<std::size_t>(i) * impl_->L + lane];
}

}  // namespace lpu
