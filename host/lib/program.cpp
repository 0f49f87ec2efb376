// The .lpu container: serialisation, the checking reader, and the memory-layout mapping
// (flat SRAM order, tiled layout). Format: docs/program-format.md.
#include "lpu/program.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>

#include "lpu/crc32.hpp"
#include "lpu/error.hpp"
#include "lpu/file_io.hpp"
#include "lpu/gen/isa_gen.hpp"
#include "lpu/isa.hpp"
#include "program_check.hpp"

namespace lpu {

// ---------------------------------------------------------------------------------------
// Names and sizes
// ---------------------------------------------------------------------------------------

std::string_view space_name(Space s) {
  switch (s) {
    case Space::sram:
      return "sram";
    case Space::acc:
      return "acc";
    case Space::lut:
      return "lut";
  }
  return "unknown_space";
}

std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::int8:
      return "int8";
    case DType::int32:
      return "int32";
  }
  return "unknown_dtype";
}

std::size_t dtype_size(DType d) { return d == DType::int32 ? 4 : 1; }

std::size_t Symbol::elements() const {
  // Saturates (far beyond any memory) so that bytes() cannot overflow.
  constexpr std::size_t kCap = std::numeric_limits<std::size_t>::max() / 16;
  std::size_t n = 1;
  for (const auto d : shape) {
    if (d != 0 && n > kCap / d) return kCap;
    n *= d;
  }
  return n;
}

Requirements requirements_for(const Config& cfg) {
  Requirements r;
  r.lanes = cfg.lanes;
  r.banks = cfg.banks;
  r.bank_depth = cfg.bank_depth;
  r.acc_depth = cfg.acc_depth;
  r.lut_depth = cfg.lut_depth;
  return r;
}

namespace {

struct Geom {
  std::size_t unit;   // bytes per word / entry
  std::size_t depth;  // units per bank
  std::size_t banks;
};

Geom geom_of(Space s, const Requirements& r) {
  switch (s) {
    case Space::sram:
      return {r.lanes, r.bank_depth, r.banks};
    case Space::acc:
      return {std::size_t{4} * r.lanes, r.acc_depth, 1};
    case Space::lut:
      return {2, r.lut_depth, 1};
  }
  return {1, 0, 0};
}

}  // namespace

std::size_t unit_bytes(Space s, const Config& cfg) {
  return geom_of(s, requirements_for(cfg)).unit;
}
std::size_t space_depth(Space s, const Config& cfg) {
  return geom_of(s, requirements_for(cfg)).depth;
}
std::size_t space_banks(Space s, const Config& cfg) {
  return geom_of(s, requirements_for(cfg)).banks;
}

// ---------------------------------------------------------------------------------------
// Memory layout
// ---------------------------------------------------------------------------------------

namespace {

[[noreturn]] void fail(const std::string& msg) { throw Error(msg); }

std::string where(Space space, std::uint32_t bank, std::uint32_t addr) {
  if (space == Space::sram) return "b" + std::to_string(bank) + "[" + std::to_string(addr) + "]";
  return std::string(space_name(space)) + "[" + std::to_string(addr) + "]";
}

void check_start(Space space, std::uint32_t bank, std::uint32_t addr, const Geom& g,
                 const std::string& what) {
  if (g.unit == 0) fail(what + ": the configuration has no lanes");
  if (space == Space::sram) {
    if (bank >= g.banks) {
      fail(what + ": bank " + std::to_string(bank) + " out of range (" + std::to_string(g.banks) +
           " banks)");
    }
  } else if (bank != 0) {
    fail(what + ": bank must be 0 for " + std::string(space_name(space)) + ", got " +
         std::to_string(bank));
  }
  if (addr >= g.depth) {
    fail(what + ": address " + std::to_string(addr) + " out of range (" +
         std::string(space_name(space)) + " depth " + std::to_string(g.depth) + ")");
  }
}

// Tensor bytes [0, nbytes) in consecutive memory from (space, bank, addr), flat order.
std::vector<Piece> linear_pieces(std::size_t nbytes, Space space, std::uint32_t bank,
                                 std::uint32_t addr, const Geom& g, const std::string& what) {
  check_start(space, bank, addr, g, what);
  if (nbytes == 0) fail(what + ": is empty");
  const std::size_t units = nbytes / g.unit + (nbytes % g.unit != 0 ? 1 : 0);
  const std::size_t total = g.banks * g.depth;
  const std::size_t g0 = std::size_t{bank} * g.depth + addr;
  if (units > total - g0) {
    fail(what + ": " + std::to_string(nbytes) + " bytes (" + std::to_string(units) + " units of " +
         std::to_string(g.unit) + ") from " + where(space, bank, addr) + " run past the end of " +
         std::string(space_name(space)) + " (" + std::to_string(total - g0) + " units left)");
  }
  std::vector<Piece> out;
  std::size_t off = 0;
  std::size_t gw = g0;
  while (off < nbytes) {
    const std::size_t a = gw % g.depth;
    const std::size_t room = (g.depth - a) * g.unit;
    Piece p;
    p.offset = off;
    p.size = std::min(nbytes - off, room);
    p.space = space;
    p.bank = static_cast<std::uint32_t>(gw / g.depth);
    p.addr = static_cast<std::uint32_t>(a);
    out.push_back(p);
    off += p.size;
    gw += g.depth - a;
  }
  return out;
}

std::vector<Piece> tiled_pieces(const Symbol& s, const Geom& g, const std::string& what) {
  if (s.space != Space::sram) fail(what + ": tiled layout needs SRAM");
  if (s.dtype != DType::int8) fail(what + ": tiled layout needs dtype int8");
  if (s.shape.size() != 2) fail(what + ": tiled layout needs rank 2");
  check_start(s.space, s.bank, s.addr, g, what);
  const std::size_t lanes = g.unit;
  const std::size_t rows = s.shape[0];
  const std::size_t cols = s.shape[1];
  if (cols % lanes != 0) {
    fail(what + ": tiled layout needs the column count (" + std::to_string(cols) +
         ") to be a multiple of " + std::to_string(lanes) + " lanes");
  }
  const std::size_t blocks = cols / lanes;
  const std::size_t total = g.banks * g.depth;
  const std::size_t g0 = std::size_t{s.bank} * g.depth + s.addr;
  const std::size_t left = total - g0;
  if (blocks > left || rows > left || blocks * rows > left) {
    fail(what + ": " + std::to_string(rows) + "x" + std::to_string(cols) + " tiled from " +
         where(s.space, s.bank, s.addr) + " runs past the end of sram (" + std::to_string(left) +
         " words left)");
  }
  std::vector<Piece> out;
  out.reserve(cols == lanes ? 2 : blocks * rows);
  for (std::size_t j = 0; j < blocks; ++j) {
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t gw = g0 + j * rows + r;
      Piece p;
      p.offset = r * cols + j * lanes;
      p.size = lanes;
      p.space = Space::sram;
      p.bank = static_cast<std::uint32_t>(gw / g.depth);
      p.addr = static_cast<std::uint32_t>(gw % g.depth);
      if (!out.empty()) {
        Piece& b = out.back();
        if (b.bank == p.bank && b.offset + b.size == p.offset &&
            b.addr + b.size / lanes == p.addr) {
          b.size += p.size;
          continue;
        }
      }
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace

namespace detail {

std::vector<Piece> symbol_pieces_in(const Symbol& s, const Requirements& req,
                                    const std::string& what) {
  if (s.shape.empty() || s.shape.size() > 4) {
    fail(what + ": rank " + std::to_string(s.shape.size()) + " is not 1..4");
  }
  for (std::size_t i = 0; i < s.shape.size(); ++i) {
    if (s.shape[i] == 0) fail(what + ": dimension " + std::to_string(i) + " is 0");
  }
  if (s.space == Space::lut) fail(what + ": symbols live in sram or acc, not lut");
  const Geom g = geom_of(s.space, req);
  if (s.layout == Layout::tiled) return tiled_pieces(s, g, what);
  if (s.layout != Layout::linear) fail(what + ": unknown layout");
  return linear_pieces(s.bytes(), s.space, s.bank, s.addr, g, what);
}

std::vector<Piece> segment_pieces_in(const Segment& seg, const Requirements& req,
                                     const std::string& what) {
  const Geom g = geom_of(seg.space, req);
  if (g.unit != 0 && seg.bytes.size() % g.unit != 0) {
    fail(what + ": " + std::to_string(seg.bytes.size()) + " bytes is not a whole number of " +
         std::string(space_name(seg.space)) + " units (" + std::to_string(g.unit) + " bytes)");
  }
  return linear_pieces(seg.bytes.size(), seg.space, seg.bank, seg.addr, g, what);
}

bool valid_symbol_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLen) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(name[0])) return false;
  for (const char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '.') return false;
  }
  return true;
}

std::string meta_problem(std::string_view meta) {
  if (meta.empty()) return "is empty";
  if (meta.back() != '\n') return "does not end with a newline";
  // UTF-8 well-formedness (no overlongs, no surrogates, <= U+10FFFF) and no control characters.
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < meta.size();) {
    const auto c = static_cast<unsigned char>(meta[i]);
    if (c == '\n') {
      const std::string_view line = meta.substr(line_start, i - line_start);
      const auto eq = line.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return "line at offset " + std::to_string(line_start) + " is not key=value";
      }
      line_start = ++i;
      continue;
    }
    if (c < 0x20 && c != '\t') return "control character at offset " + std::to_string(i);
    if (c == 0x7F) return "control character at offset " + std::to_string(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return "invalid UTF-8 at offset " + std::to_string(i);
    }
    if (i + n >= meta.size()) return "invalid UTF-8 at offset " + std::to_string(i);
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(meta[i + k]);
      if ((cc & 0xC0u) != 0x80u) return "invalid UTF-8 at offset " + std::to_string(i);
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return "invalid UTF-8 at offset " + std::to_string(i);
    }
    i += n + 1;
  }
  return "";
}

}  // namespace detail

std::vector<Piece> symbol_pieces(const Symbol& s, const Config& cfg) {
  return detail::symbol_pieces_in(s, requirements_for(cfg), "symbol '" + s.name + "'");
}

std::vector<Piece> segment_pieces(const Segment& seg, const Config& cfg) {
  return detail::segment_pieces_in(seg, requirements_for(cfg),
                                   "data segment at " + where(seg.space, seg.bank, seg.addr));
}

const Symbol* Program::find_symbol(std::string_view name) const {
  for (const auto& s : symbols) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void Program::check_fits(const Config& cfg) const {
  const std::string c = "configuration '" + std::string(cfg.name) + "'";
  if (req.lanes != cfg.lanes) {
    fail("program needs " + std::to_string(req.lanes) + " lanes; " + c + " has " +
         std::to_string(cfg.lanes));
  }
  auto need = [&](std::uint32_t want, unsigned have, const char* what) {
    if (want > have) {
      fail("program needs " + std::string(what) + " " + std::to_string(want) + "; " + c + " has " +
           std::to_string(have));
    }
  };
  need(req.banks, cfg.banks, "banks");
  need(req.bank_depth, cfg.bank_depth, "bank_depth");
  need(req.acc_depth, cfg.acc_depth, "acc_depth");
  need(req.lut_depth, cfg.lut_depth, "lut_depth");
  if (code.size() > cfg.imem_depth) {
    fail("program has " + std::to_string(code.size()) + " instructions; " + c + " holds " +
         std::to_string(cfg.imem_depth));
  }
  for (const auto& seg : data) segment_pieces(seg, cfg);
  for (const auto& s : symbols) symbol_pieces(s, cfg);
}

// ---------------------------------------------------------------------------------------
// Serialisation
// ---------------------------------------------------------------------------------------

namespace {

constexpr char kMagic[8] = {'L', 'P', 'U', 'P', 'R', 'O', 'G', '\0'};
constexpr std::size_t kHeaderSize = 64;
constexpr std::size_t kSectionEntry = 16;
constexpr std::size_t kSymbolFixed = 32;  // kind..dims, before name_len
constexpr std::size_t kSegmentHeader = 16;

enum SectionType : std::uint32_t { kCode = 1, kData = 2, kSymbols = 3, kMeta = 4 };

const char* section_name(std::uint32_t t) {
  switch (t) {
    case kCode:
      return "CODE";
    case kData:
      return "DATA";
    case kSymbols:
      return "SYMBOLS";
    case kMeta:
      return "META";
  }
  return "?";
}

class Writer {
 public:
  std::vector<std::uint8_t> buf;
  void u8(std::uint8_t v) { buf.push_back(v); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    buf.insert(buf.end(), b, b + n);
  }
  void pad(std::size_t align) {
    while (buf.size() % align != 0) buf.push_back(0);
  }
  void put32(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) buf[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) buf.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
};

std::uint32_t to_u32(std::size_t v, const std::string& what) {
  if (v > std::numeric_limits<std::uint32_t>::max()) fail("serialize: " + what + " too large");
  return static_cast<std::uint32_t>(v);
}

}  // namespace

std::vector<std::uint8_t> Program::serialize() const {
  if (data.size() > kMaxSegments)
    fail("serialize: more than " + std::to_string(kMaxSegments) + " data segments");
  if (symbols.size() > kMaxSymbols)
    fail("serialize: more than " + std::to_string(kMaxSymbols) + " symbols");
  for (const auto& s : symbols) {
    if (!detail::valid_symbol_name(s.name)) fail("serialize: invalid symbol name '" + s.name + "'");
    if (s.shape.empty() || s.shape.size() > 4)
      fail("serialize: symbol '" + s.name + "' rank is not 1..4");
  }
  for (const auto& seg : data) {
    if (seg.bytes.size() > kMaxFileSize) fail("serialize: data segment too large");
  }
  if (code.size() > kMaxFileSize / 8) fail("serialize: code too large");
  if (req.lanes > 0xFFFF || req.banks > 0xFFFF)
    fail("serialize: lanes/banks requirement does not fit 16 bits");

  // Section bodies.
  std::vector<std::pair<std::uint32_t, std::vector<std::uint8_t>>> secs;
  {
    Writer w;
    for (const auto word : code) w.u64(word);
    secs.emplace_back(kCode, std::move(w.buf));
  }
  if (!data.empty()) {
    Writer w;
    for (const auto& seg : data) {
      w.u32(static_cast<std::uint32_t>(seg.space));
      w.u32(seg.bank);
      w.u32(seg.addr);
      w.u32(to_u32(seg.bytes.size(), "data segment"));
      w.bytes(seg.bytes.data(), seg.bytes.size());
      w.pad(4);
    }
    secs.emplace_back(kData, std::move(w.buf));
  }
  if (!symbols.empty()) {
    Writer w;
    w.u32(static_cast<std::uint32_t>(symbols.size()));
    for (const auto& s : symbols) {
      w.u8(static_cast<std::uint8_t>(s.kind));
      w.u8(static_cast<std::uint8_t>(s.dtype));
      w.u8(static_cast<std::uint8_t>(s.space));
      w.u8(static_cast<std::uint8_t>(s.shape.size()));
      w.u8(static_cast<std::uint8_t>(s.layout));
      w.u8(0);
      w.u8(0);
      w.u8(0);
      w.u32(s.bank);
      w.u32(s.addr);
      for (std::size_t i = 0; i < 4; ++i) w.u32(i < s.shape.size() ? s.shape[i] : 1);
      w.u16(static_cast<std::uint16_t>(s.name.size()));
      w.bytes(s.name.data(), s.name.size());
      w.pad(4);
    }
    secs.emplace_back(kSymbols, std::move(w.buf));
  }
  if (!meta.empty()) {
    Writer w;
    w.bytes(meta.data(), meta.size());
    secs.emplace_back(kMeta, std::move(w.buf));
  }

  std::size_t total = kHeaderSize + kSectionEntry * secs.size();
  for (const auto& s : secs) total = (total + 7) / 8 * 8 + s.second.size();
  total += 4;
  if (total > kMaxFileSize) {
    fail("serialize: container would be " + std::to_string(total) + " bytes (limit " +
         std::to_string(kMaxFileSize) + ")");
  }

  Writer w;
  w.buf.reserve(total);
  w.bytes(kMagic, sizeof kMagic);
  w.u16(kFormatMajor);
  w.u16(kFormatMinor);
  w.u32(kHeaderSize);
  w.u32(0);  // file_size, patched below
  w.u32(static_cast<std::uint32_t>(secs.size()));
  w.u16(static_cast<std::uint16_t>(req.lanes));
  w.u16(static_cast<std::uint16_t>(req.banks));
  w.u32(req.bank_depth);
  w.u32(req.acc_depth);
  w.u32(req.lut_depth);
  w.u32(static_cast<std::uint32_t>(code.size()));
  w.u32(0);  // flags
  w.u64(predicted_cycles);
  w.u32(gen::kIsaVersion);
  w.u32(0);  // reserved
  const std::size_t table = w.buf.size();
  for (std::size_t i = 0; i < secs.size(); ++i) {
    for (int k = 0; k < 4; ++k) w.u32(0);
  }
  for (std::size_t i = 0; i < secs.size(); ++i) {
    w.pad(8);
    const std::size_t off = w.buf.size();
    w.put32(table + i * kSectionEntry + 0, secs[i].first);
    w.put32(table + i * kSectionEntry + 4, static_cast<std::uint32_t>(off));
    w.put32(table + i * kSectionEntry + 8, static_cast<std::uint32_t>(secs[i].second.size()));
    w.bytes(secs[i].second.data(), secs[i].second.size());
  }
  w.put32(16, static_cast<std::uint32_t>(w.buf.size() + 4));
  w.u32(crc32(w.buf.data(), w.buf.size()));

  // Anything the reader would reject (a value that does not fit its field, a tensor past the
  // end of memory, bad META text) is an error here too, so every written file parses.
  try {
    (void)parse(w.buf.data(), w.buf.size(), "serialize");
  } catch (const Error& e) {
    fail(std::string("cannot serialize an invalid program: ") + e.what());
  }
  return std::move(w.buf);
}

// ---------------------------------------------------------------------------------------
// The checking reader
// ---------------------------------------------------------------------------------------

namespace {

class Reader {
 public:
  Reader(const std::uint8_t* d, std::size_t n, std::string_view src) : d_(d), n_(n), src_(src) {}

  [[noreturn]] void fail_at(const std::string& field, std::size_t off,
                            const std::string& problem) const {
    throw Error(src_ + ": " + field + " at byte " + std::to_string(off) + ": " + problem);
  }

  std::uint64_t le(std::size_t off, std::size_t n, std::size_t end,
                   const std::string& field) const {
    if (off > end || n > end - off) fail_at(field, off, "truncated");
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{d_[off + i]} << (8 * i);
    return v;
  }
  std::uint8_t u8(std::size_t off, std::size_t end, const std::string& f) const {
    return static_cast<std::uint8_t>(le(off, 1, end, f));
  }
  std::uint16_t u16(std::size_t off, std::size_t end, const std::string& f) const {
    return static_cast<std::uint16_t>(le(off, 2, end, f));
  }
  std::uint32_t u32(std::size_t off, std::size_t end, const std::string& f) const {
    return static_cast<std::uint32_t>(le(off, 4, end, f));
  }
  std::uint64_t u64(std::size_t off, std::size_t end, const std::string& f) const {
    return le(off, 8, end, f);
  }
  const std::uint8_t* at(std::size_t off) const { return d_ + off; }
  std::size_t size() const { return n_; }

 private:
  const std::uint8_t* d_;
  std::size_t n_;
  std::string src_;
};

struct SectionEntry {
  std::uint32_t type;
  std::uint32_t offset;
  std::uint32_t size;
  std::size_t table_off;
};

std::string hex32(std::uint32_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

void parse_data(const Reader& r, const SectionEntry& s, Program& p) {
  const std::size_t end = std::size_t{s.offset} + s.size;
  std::size_t off = s.offset;
  std::size_t n = 0;
  struct Range {
    Space space;
    std::size_t start, end, index, off;
  };
  std::vector<Range> ranges;  // in memory units, flat order, for the overlap check
  while (off < end) {
    const std::string f = "DATA segment " + std::to_string(n);
    if (n >= kMaxSegments)
      r.fail_at(f, off, "more than " + std::to_string(kMaxSegments) + " segments");
    if (end - off < kSegmentHeader) r.fail_at(f, off, "truncated segment header");
    Segment seg;
    const std::uint32_t space = r.u32(off, end, f + " space");
    if (space > 2) r.fail_at(f + " space", off, "unknown space " + std::to_string(space));
    seg.space = static_cast<Space>(space);
    seg.bank = r.u32(off + 4, end, f + " bank");
    seg.addr = r.u32(off + 8, end, f + " addr");
    const std::uint32_t len = r.u32(off + 12, end, f + " length");
    const std::size_t body = off + kSegmentHeader;
    const std::size_t padded = (std::size_t{len} + 3) / 4 * 4;
    if (padded > end - body) {
      r.fail_at(f + " length", off + 12,
                std::to_string(len) + " bytes run past the end of the section");
    }
    for (std::size_t i = len; i < padded; ++i) {
      if (*r.at(body + i) != 0) r.fail_at(f + " padding", body + i, "nonzero padding");
    }
    if (len == 0) r.fail_at(f + " length", off + 12, "empty segment");
    seg.bytes.assign(r.at(body), r.at(body) + len);
    try {
      detail::segment_pieces_in(seg, p.req, where(seg.space, seg.bank, seg.addr));
    } catch (const Error& e) {
      r.fail_at(f, off, e.what());
    }
    const Geom g = geom_of(seg.space, p.req);
    const std::size_t start = std::size_t{seg.bank} * g.depth + seg.addr;
    ranges.push_back({seg.space, start, start + len / g.unit, n, off});
    p.data.push_back(std::move(seg));
    off = body + padded;
    ++n;
  }
  // Segments must not overlap: which one would win is not defined.
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.space != b.space ? a.space < b.space : a.start < b.start;
  });
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    const Range& a = ranges[i - 1];
    const Range& b = ranges[i];
    if (a.space == b.space && b.start < a.end) {
      const Range& later = a.index > b.index ? a : b;
      const Range& earlier = a.index > b.index ? b : a;
      r.fail_at("DATA segment " + std::to_string(later.index), later.off,
                "overlaps DATA segment " + std::to_string(earlier.index));
    }
  }
}

void parse_symbols(const Reader& r, const SectionEntry& s, Program& p) {
  const std::size_t end = std::size_t{s.offset} + s.size;
  std::size_t off = s.offset;
  const std::uint32_t count = r.u32(off, end, "SYMBOLS count");
  if (count > kMaxSymbols) {
    r.fail_at("SYMBOLS count", off,
              std::to_string(count) + " exceeds the limit of " + std::to_string(kMaxSymbols));
  }
  off += 4;
  std::set<std::string> names;
  for (std::uint32_t n = 0; n < count; ++n) {
    const std::string f = "symbol " + std::to_string(n);
    if (end - off < kSymbolFixed + 2) r.fail_at(f, off, "truncated symbol entry");
    Symbol sym;
    const std::uint8_t kind = r.u8(off + 0, end, f);
    const std::uint8_t dtype = r.u8(off + 1, end, f);
    const std::uint8_t space = r.u8(off + 2, end, f);
    const std::uint8_t rank = r.u8(off + 3, end, f);
    const std::uint8_t layout = r.u8(off + 4, end, f);
    if (kind > 2) r.fail_at(f + " kind", off, "unknown kind " + std::to_string(kind));
    if (dtype > 1) r.fail_at(f + " dtype", off + 1, "unknown dtype " + std::to_string(dtype));
    if (space > 1)
      r.fail_at(f + " space", off + 2,
                "symbols live in sram (0) or acc (1), got " + std::to_string(space));
    if (rank < 1 || rank > 4)
      r.fail_at(f + " rank", off + 3, "rank " + std::to_string(rank) + " is not 1..4");
    if (layout > 1) r.fail_at(f + " layout", off + 4, "unknown layout " + std::to_string(layout));
    for (std::size_t i = 5; i < 8; ++i) {
      if (r.u8(off + i, end, f) != 0) r.fail_at(f + " reserved", off + i, "must be 0");
    }
    sym.kind = static_cast<SymKind>(kind);
    sym.dtype = static_cast<DType>(dtype);
    sym.space = static_cast<Space>(space);
    sym.layout = static_cast<Layout>(layout);
    sym.bank = r.u32(off + 8, end, f + " bank");
    sym.addr = r.u32(off + 12, end, f + " addr");
    for (std::size_t i = 0; i < 4; ++i) {
      const std::size_t doff = off + 16 + 4 * i;
      const std::uint32_t d = r.u32(doff, end, f + " dims");
      const std::string df = f + " dims[" + std::to_string(i) + "]";
      if (i < rank) {
        if (d == 0) r.fail_at(df, doff, "dimension is 0");
        sym.shape.push_back(d);
      } else if (d != 1) {
        r.fail_at(df, doff, "unused dimension must be 1, got " + std::to_string(d));
      }
    }
    const std::uint16_t name_len = r.u16(off + kSymbolFixed, end, f + " name_len");
    if (name_len < 1 || name_len > kMaxNameLen) {
      r.fail_at(f + " name_len", off + kSymbolFixed,
                std::to_string(name_len) + " is not 1.." + std::to_string(kMaxNameLen));
    }
    const std::size_t name_off = off + kSymbolFixed + 2;
    const std::size_t entry_end = (name_off + name_len + 3) / 4 * 4;
    if (entry_end > end) r.fail_at(f + " name", name_off, "runs past the end of the section");
    sym.name.assign(reinterpret_cast<const char*>(r.at(name_off)), name_len);
    if (!detail::valid_symbol_name(sym.name)) {
      r.fail_at(f + " name", name_off, "invalid name (want [A-Za-z_][A-Za-z0-9_.]*)");
    }
    for (std::size_t i = name_off + name_len; i < entry_end; ++i) {
      if (*r.at(i) != 0) r.fail_at(f + " padding", i, "nonzero padding");
    }
    if (!names.insert(sym.name).second)
      r.fail_at(f + " name", name_off, "duplicate name '" + sym.name + "'");
    try {
      detail::symbol_pieces_in(sym, p.req, "'" + sym.name + "'");
    } catch (const Error& e) {
      r.fail_at(f, off, e.what());
    }
    p.symbols.push_back(std::move(sym));
    off = entry_end;
  }
  if (off != end)
    r.fail_at("SYMBOLS", off, std::to_string(end - off) + " trailing bytes after the last symbol");
}

}  // namespace

Program Program::parse(const std::uint8_t* data, std::size_t size, std::string_view source) {
  const Reader r(data, size, source);
  if (size > kMaxFileSize) {
    r.fail_at(
        "file_size", 0,
        "file is " + std::to_string(size) + " bytes (limit " + std::to_string(kMaxFileSize) + ")");
  }
  if (size < kHeaderSize + 4) {
    r.fail_at("header", 0,
              "file is " + std::to_string(size) + " bytes, shorter than the " +
                  std::to_string(kHeaderSize + 4) + "-byte minimum");
  }
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0)
    r.fail_at("magic", 0, "not an LPU program (want \"LPUPROG\\0\")");
  const std::uint16_t major = r.u16(8, size, "version_major");
  if (major != kFormatMajor) {
    r.fail_at("version_major", 8,
              "version " + std::to_string(major) +
                  " is not supported (this reader: " + std::to_string(kFormatMajor) + ")");
  }
  const std::uint32_t header_size = r.u32(12, size, "header_size");
  if (header_size != kHeaderSize) {
    r.fail_at("header_size", 12,
              std::to_string(header_size) + " (want " + std::to_string(kHeaderSize) + ")");
  }
  const std::uint32_t file_size = r.u32(16, size, "file_size");
  if (file_size != size) {
    r.fail_at("file_size", 16,
              "says " + std::to_string(file_size) + " bytes, file has " + std::to_string(size));
  }
  const std::uint32_t stored_crc = r.u32(size - 4, size, "crc32");
  const std::uint32_t crc = crc32(data, size - 4);
  if (stored_crc != crc) {
    r.fail_at("crc32", size - 4,
              "mismatch (stored " + hex32(stored_crc) + ", computed " + hex32(crc) + ")");
  }
  const std::size_t body_end = size - 4;
  const std::uint32_t nsec = r.u32(20, size, "section_count");
  if (nsec > kMaxSections) {
    r.fail_at("section_count", 20,
              std::to_string(nsec) + " exceeds the limit of " + std::to_string(kMaxSections));
  }
  const std::size_t table_end = kHeaderSize + kSectionEntry * nsec;
  if (table_end > body_end)
    r.fail_at("section_count", 20, "section table runs past the end of the file");

  Program p;
  p.req.lanes = r.u16(24, size, "lanes");
  p.req.banks = r.u16(26, size, "banks");
  p.req.bank_depth = r.u32(28, size, "bank_depth");
  p.req.acc_depth = r.u32(32, size, "acc_depth");
  p.req.lut_depth = r.u32(36, size, "lut_depth");
  if (config_by_lanes(p.req.lanes) == nullptr) {
    r.fail_at("lanes", 24, std::to_string(p.req.lanes) + " lanes matches no known configuration");
  }
  const unsigned max_banks = 1u << field_desc(Field::bank).width;
  if (p.req.banks > max_banks) {
    r.fail_at("banks", 26,
              std::to_string(p.req.banks) + " exceeds the " + std::to_string(max_banks) +
                  " addressable banks");
  }
  if (p.req.bank_depth > detail::kMaxDepth) r.fail_at("bank_depth", 28, "too large");
  if (p.req.acc_depth > detail::kMaxDepth) r.fail_at("acc_depth", 32, "too large");
  if (p.req.lut_depth > detail::kMaxDepth) r.fail_at("lut_depth", 36, "too large");
  const std::uint32_t imem_words = r.u32(40, size, "imem_words");
  if (r.u32(44, size, "flags") != 0) r.fail_at("flags", 44, "reserved, must be 0");
  p.predicted_cycles = r.u64(48, size, "predicted_cycles");
  const std::uint32_t isa = r.u32(56, size, "isa_version");
  if (isa != gen::kIsaVersion) {
    r.fail_at("isa_version", 56,
              "program is for ISA version " + std::to_string(isa) + "; this tool implements " +
                  std::to_string(gen::kIsaVersion));
  }
  if (r.u32(60, size, "reserved") != 0) r.fail_at("reserved", 60, "must be 0");

  // Section table.
  std::vector<SectionEntry> secs;
  const SectionEntry* code = nullptr;
  for (std::uint32_t i = 0; i < nsec; ++i) {
    const std::size_t t = kHeaderSize + kSectionEntry * i;
    const std::string f = "section " + std::to_string(i);
    SectionEntry s{r.u32(t, size, f + " type"), r.u32(t + 4, size, f + " offset"),
                   r.u32(t + 8, size, f + " size"), t};
    if (s.type < kCode || s.type > kMeta)
      r.fail_at(f + " type", t, "unknown section type " + std::to_string(s.type));
    if (r.u32(t + 12, size, f + " reserved") != 0) r.fail_at(f + " reserved", t + 12, "must be 0");
    if (s.offset % 8 != 0)
      r.fail_at(f + " offset", t + 4, std::to_string(s.offset) + " is not 8-byte aligned");
    if (s.offset < table_end || s.offset > body_end) {
      r.fail_at(f + " offset", t + 4,
                std::to_string(s.offset) + " is outside [" + std::to_string(table_end) + ", " +
                    std::to_string(body_end) + ")");
    }
    if (s.size > body_end - s.offset) {
      r.fail_at(f + " size", t + 8,
                std::to_string(s.size) + " bytes from " + std::to_string(s.offset) +
                    " run past the end of the file body (" + std::to_string(body_end) + ")");
    }
    for (const auto& o : secs) {
      if (o.type == s.type)
        r.fail_at(f + " type", t, std::string("second ") + section_name(s.type) + " section");
    }
    secs.push_back(s);
  }
  std::vector<SectionEntry> sorted = secs;
  std::sort(sorted.begin(), sorted.end(), [](const SectionEntry& a, const SectionEntry& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.size < b.size;
  });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const auto& a = sorted[i - 1];
    const auto& b = sorted[i];
    if (std::size_t{a.offset} + a.size > b.offset) {
      r.fail_at("section offset", b.table_off + 4,
                std::string(section_name(b.type)) + " overlaps " + section_name(a.type));
    }
  }
  for (const auto& s : secs) {
    if (s.type == kCode) code = &s;
  }
  if (!code) r.fail_at("section table", kHeaderSize, "no CODE section");

  if (std::uint64_t{imem_words} * 8 != code->size) {
    r.fail_at("section size", code->table_off + 8,
              "CODE is " + std::to_string(code->size) + " bytes; imem_words " +
                  std::to_string(imem_words) + " needs " +
                  std::to_string(std::uint64_t{imem_words} * 8));
  }
  p.code.resize(imem_words);
  for (std::uint32_t i = 0; i < imem_words; ++i) {
    p.code[i] = r.u64(code->offset + 8ull * i, size, "CODE");
  }
  for (const auto& s : secs) {
    switch (s.type) {
      case kData:
        parse_data(r, s, p);
        break;
      case kSymbols:
        parse_symbols(r, s, p);
        break;
      case kMeta: {
        p.meta.assign(reinterpret_cast<const char*>(r.at(s.offset)), s.size);
        const std::string problem = detail::meta_problem(p.meta);
        if (!problem.empty()) r.fail_at("META", s.offset, problem);
        break;
      }
      default:
        break;
    }
  }
  return p;
}

Program Program::load_file(const std::string& path) {
  const auto buf = read_file_bytes(path, kMaxFileSize, "a program");
  return parse(buf.data(), buf.size(), path);
}

void Program::save_file(const std::string& path) const { write_file_bytes(path, serialize()); }

}  // namespace lpu
