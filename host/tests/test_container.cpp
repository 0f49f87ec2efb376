// The .lpu container: round trips, the byte layout (read back by hand), the CRC, and that
// every malformed input is rejected with an lpu::Error naming the field and byte.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <random>

#include "lpu/crc32.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"
#include "lpu/program.hpp"

using lpu::Program;

namespace {

// Bitwise CRC-32 (the textbook loop, independent of the table-driven library version).
std::uint32_t ref_crc(const std::uint8_t* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

std::uint32_t rd32(const std::vector<std::uint8_t>& b, std::size_t off) {
  return b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (std::uint32_t{b[off + 3]} << 24);
}
std::uint16_t rd16(const std::vector<std::uint8_t>& b, std::size_t off) {
  return static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8));
}
void wr32(std::vector<std::uint8_t>& b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void wr16(std::vector<std::uint8_t>& b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v);
  b[off + 1] = static_cast<std::uint8_t>(v >> 8);
}
// Re-seal after an edit so that the field check, not the CRC, must catch it.
void reseal(std::vector<std::uint8_t>& b) {
  wr32(b, b.size() - 4, ref_crc(b.data(), b.size() - 4));
}

Program small_program() {
  Program p;
  p.req = lpu::requirements_for(lpu::config_by_name("base"));
  p.code = {0x0800000000000005ull, 0x0000000000000000ull};
  lpu::Segment s;
  s.space = lpu::Space::sram;
  s.bank = 1;
  s.addr = 7;
  for (int i = 0; i < 16; ++i) s.bytes.push_back(static_cast<std::uint8_t>(i * 3));
  p.data.push_back(s);
  lpu::Symbol y;
  y.name = "y";
  y.kind = lpu::SymKind::output;
  y.dtype = lpu::DType::int32;
  y.space = lpu::Space::acc;
  y.addr = 2;
  y.shape = {2, 16};
  p.symbols.push_back(y);
  lpu::Symbol x;
  x.name = "x.in";
  x.shape = {3};
  x.bank = 2;
  p.symbols.push_back(x);
  p.meta = "source=t.s\n";
  p.predicted_cycles = 42;
  return p;
}

void require_same(const Program& a, const Program& b) {
  REQUIRE(a.req.lanes == b.req.lanes);
  REQUIRE(a.req.banks == b.req.banks);
  REQUIRE(a.req.bank_depth == b.req.bank_depth);
  REQUIRE(a.req.acc_depth == b.req.acc_depth);
  REQUIRE(a.req.lut_depth == b.req.lut_depth);
  REQUIRE(a.code == b.code);
  REQUIRE(a.predicted_cycles == b.predicted_cycles);
  REQUIRE(a.meta == b.meta);
  REQUIRE(a.data.size() == b.data.size());
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    REQUIRE(a.data[i].space == b.data[i].space);
    REQUIRE(a.data[i].bank == b.data[i].bank);
    REQUIRE(a.data[i].addr == b.data[i].addr);
    REQUIRE(a.data[i].bytes == b.data[i].bytes);
  }
  REQUIRE(a.symbols.size() == b.symbols.size());
  for (std::size_t i = 0; i < a.symbols.size(); ++i) {
    const auto& x = a.symbols[i];
    const auto& y = b.symbols[i];
    REQUIRE(x.name == y.name);
    REQUIRE(x.kind == y.kind);
    REQUIRE(x.dtype == y.dtype);
    REQUIRE(x.space == y.space);
    REQUIRE(x.layout == y.layout);
    REQUIRE(x.bank == y.bank);
    REQUIRE(x.addr == y.addr);
    REQUIRE(x.shape == y.shape);
  }
}

std::string parse_error(const std::vector<std::uint8_t>& b) {
  try {
    Program::parse(b.data(), b.size(), "t.lpu");
  } catch (const lpu::Error& e) {
    return e.what();
  }
  return "";
}

// Section table entry i of a serialized container.
struct Sec {
  std::uint32_t type, offset, size;
};
Sec section(const std::vector<std::uint8_t>& b, unsigned i) {
  return {rd32(b, 64 + 16 * i), rd32(b, 64 + 16 * i + 4), rd32(b, 64 + 16 * i + 8)};
}
unsigned find_section(const std::vector<std::uint8_t>& b, std::uint32_t type) {
  for (unsigned i = 0; i < rd32(b, 20); ++i) {
    if (section(b, i).type == type) return i;
  }
  FAIL("no section of type " << type);
  return 0;
}

}  // namespace

TEST_CASE("container: crc32 matches the IEEE check value and the bitwise reference",
          "[container]") {
  const char* s = "123456789";
  CHECK(lpu::crc32(reinterpret_cast<const std::uint8_t*>(s), 9) == 0xCBF43926u);
  CHECK(lpu::crc32(nullptr, 0) == 0u);
  std::mt19937 rng(5);
  std::vector<std::uint8_t> buf(1000);
  for (auto& x : buf) x = static_cast<std::uint8_t>(rng());
  CHECK(lpu::crc32(buf.data(), buf.size()) == ref_crc(buf.data(), buf.size()));
  // Chaining.
  CHECK(lpu::crc32(buf.data() + 300, 700, lpu::crc32(buf.data(), 300)) ==
        ref_crc(buf.data(), buf.size()));
}

TEST_CASE("container: serialize/parse round trip and the documented byte layout", "[container]") {
  const Program p = small_program();
  const auto b = p.serialize();
  require_same(p, Program::parse(b.data(), b.size()));

  // Header, by hand (docs/program-format.md).
  CHECK(std::memcmp(b.data(), "LPUPROG\0", 8) == 0);
  CHECK(rd16(b, 8) == 1);
  CHECK(rd16(b, 10) == 0);
  CHECK(rd32(b, 12) == 64);
  CHECK(rd32(b, 16) == b.size());
  CHECK(rd32(b, 20) == 4);  // CODE, DATA, SYMBOLS, META
  CHECK(rd16(b, 24) == 16);
  CHECK(rd16(b, 26) == 8);
  CHECK(rd32(b, 28) == 2048);
  CHECK(rd32(b, 32) == 512);
  CHECK(rd32(b, 36) == 1024);
  CHECK(rd32(b, 40) == 2);
  CHECK(rd32(b, 44) == 0);
  CHECK(rd32(b, 48) == 42);
  CHECK(rd32(b, 52) == 0);
  CHECK(rd32(b, 56) == lpu::gen::kIsaVersion);
  CHECK(rd32(b, 60) == 0);
  CHECK(rd32(b, b.size() - 4) == ref_crc(b.data(), b.size() - 4));

  // Sections: aligned, inside the body, non-overlapping.
  for (unsigned i = 0; i < 4; ++i) {
    const Sec s = section(b, i);
    CHECK(s.offset % 8 == 0);
    CHECK(s.offset >= 64 + 16 * 4);
    CHECK(s.offset + s.size <= b.size() - 4);
  }
  const Sec code = section(b, find_section(b, 1));
  CHECK(code.size == 16);
  CHECK(rd32(b, code.offset) == 5);
  CHECK(rd32(b, code.offset + 4) == 0x08000000u);

  const Sec data = section(b, find_section(b, 2));
  CHECK(data.size == 16 + 16);
  CHECK(rd32(b, data.offset) == 0);        // space
  CHECK(rd32(b, data.offset + 4) == 1);    // bank
  CHECK(rd32(b, data.offset + 8) == 7);    // addr
  CHECK(rd32(b, data.offset + 12) == 16);  // length
  CHECK(b[data.offset + 16 + 5] == 15);

  const Sec sym = section(b, find_section(b, 3));
  const std::size_t s0 = sym.offset + 4;
  CHECK(rd32(b, sym.offset) == 2);
  CHECK(b[s0 + 0] == 1);  // output
  CHECK(b[s0 + 1] == 1);  // int32
  CHECK(b[s0 + 2] == 1);  // acc
  CHECK(b[s0 + 3] == 2);  // rank
  CHECK(b[s0 + 4] == 0);  // linear
  CHECK(rd32(b, s0 + 12) == 2);
  CHECK(rd32(b, s0 + 16) == 2);
  CHECK(rd32(b, s0 + 20) == 16);
  CHECK(rd32(b, s0 + 24) == 1);
  CHECK(rd32(b, s0 + 28) == 1);
  CHECK(rd16(b, s0 + 32) == 1);
  CHECK(b[s0 + 34] == 'y');
  const std::size_t s1 = s0 + 36;  // 34 + 1 name byte, padded to 36
  CHECK(rd16(b, s1 + 32) == 4);
  CHECK(std::memcmp(&b[s1 + 34], "x.in", 4) == 0);
  CHECK(sym.size == 4 + 36 + 40);

  const Sec meta = section(b, find_section(b, 4));
  CHECK(std::string(reinterpret_cast<const char*>(&b[meta.offset]), meta.size) == "source=t.s\n");
}

TEST_CASE("container: minimal program (code only) round-trips", "[container]") {
  Program p;
  p.req = lpu::requirements_for(lpu::config_by_name("tiny"));
  const auto b = p.serialize();
  CHECK(rd32(b, 20) == 1);
  require_same(p, Program::parse(b.data(), b.size()));
  p.code.assign(1024, 0x0100000000000003ull);
  const auto b2 = p.serialize();
  require_same(p, Program::parse(b2.data(), b2.size()));
}

TEST_CASE("container: every single-byte corruption is rejected", "[container]") {
  const auto good = small_program().serialize();
  REQUIRE(good.size() < 400);
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (unsigned x = 1; x < 256; ++x) {
      auto b = good;
      b[i] = static_cast<std::uint8_t>(b[i] ^ x);
      const std::string e = parse_error(b);
      if (e.empty()) FAIL("corruption of byte " << i << " with xor " << x << " was accepted");
      if (e.rfind("t.lpu: ", 0) != 0 || e.find(" at byte ") == std::string::npos) {
        FAIL("badly formed error: " << e);
      }
    }
  }
}

TEST_CASE("container: truncation at every length is rejected", "[container]") {
  const auto good = small_program().serialize();
  for (std::size_t n = 0; n < good.size(); ++n) {
    const std::vector<std::uint8_t> b(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS_AS(Program::parse(b.data(), b.size()), lpu::Error);
  }
  // Appending bytes is caught too.
  auto longer = good;
  longer.push_back(0);
  CHECK_THROWS_AS(Program::parse(longer.data(), longer.size()), lpu::Error);
}

TEST_CASE("container: oversize input is rejected before it is read", "[container]") {
  std::vector<std::uint8_t> big(lpu::kMaxFileSize + 1, 0);
  CHECK_THROWS_WITH(Program::parse(big.data(), big.size(), "big"), Catch::Contains("limit"));
  // A header claiming a huge size.
  auto b = small_program().serialize();
  wr32(b, 16, 0xFFFFFFF0u);
  CHECK_THROWS_WITH(Program::parse(b.data(), b.size(), "x"),
                    Catch::Contains("file_size at byte 16"));
}

TEST_CASE("container: header fields are checked", "[container]") {
  const auto good = small_program().serialize();
  auto edit = [&](auto fn) {
    auto b = good;
    fn(b);
    reseal(b);
    return parse_error(b);
  };
  CHECK_THAT(edit([](auto& b) { b[0] = 'X'; }), Catch::Contains("magic at byte 0"));
  CHECK_THAT(edit([](auto& b) { wr16(b, 8, 2); }), Catch::Contains("version_major at byte 8"));
  CHECK(edit([](auto& b) { wr16(b, 10, 7); }).empty());  // any minor is accepted
  CHECK_THAT(edit([](auto& b) { wr32(b, 12, 72); }), Catch::Contains("header_size at byte 12"));
  CHECK_THAT(edit([](auto& b) { wr16(b, 24, 8); }), Catch::Contains("lanes at byte 24"));
  CHECK_THAT(edit([](auto& b) { wr16(b, 26, 17); }), Catch::Contains("banks at byte 26"));
  CHECK_THAT(edit([](auto& b) { wr32(b, 44, 1); }), Catch::Contains("flags at byte 44"));
  CHECK_THAT(edit([](auto& b) { wr32(b, 56, lpu::gen::kIsaVersion + 1); }),
             Catch::Contains("isa_version at byte 56"));
  CHECK_THAT(edit([](auto& b) { wr32(b, 60, 1); }), Catch::Contains("reserved at byte 60"));
  CHECK_THAT(edit([](auto& b) { wr32(b, 40, 3); }), Catch::Contains("imem_words"));
  // A smaller requirement than a segment needs.
  CHECK_THAT(edit([](auto& b) { wr16(b, 26, 1); }), Catch::Contains("bank 1 out of range"));
  // CRC itself.
  auto b = good;
  b[b.size() - 1] ^= 1;
  CHECK_THAT(parse_error(b), Catch::Contains("crc32 at byte " + std::to_string(b.size() - 4)));
}

TEST_CASE("container: bad section tables are rejected", "[container]") {
  const auto good = small_program().serialize();
  const unsigned code_i = find_section(good, 1);
  const unsigned data_i = find_section(good, 2);
  const unsigned meta_i = find_section(good, 4);
  auto edit = [&](auto fn) {
    auto b = good;
    fn(b);
    reseal(b);
    return parse_error(b);
  };
  auto ent = [](unsigned i) { return 64 + 16 * i; };
  CHECK_THAT(edit([](auto& b) { wr32(b, 20, 17); }), Catch::Contains("section_count at byte 20"));
  CHECK_THAT(edit([](auto& b) { wr32(b, 20, 200); }), Catch::Contains("section_count"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(meta_i), 9); }),
             Catch::Contains("unknown section type 9"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(meta_i) + 12, 1); }), Catch::Contains("reserved"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(meta_i), 1); }), Catch::Contains("second CODE"));
  CHECK_THAT(edit([&](auto& b) {
               wr32(b, ent(code_i), 4);
               wr32(b, ent(meta_i), 1);
             }),
             Catch::Contains("imem_words"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(data_i) + 4, rd32(b, ent(data_i) + 4) + 4); }),
             Catch::Contains("not 8-byte aligned"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(data_i) + 4, 8); }), Catch::Contains("outside"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(meta_i) + 8, 0x10000); }),
             Catch::Contains("past the end"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(data_i) + 4, rd32(b, ent(code_i) + 4)); }),
             Catch::Contains("overlaps"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, ent(code_i) + 8, 8); }), Catch::Contains("imem_words"));
  // No CODE section: turn CODE into a second... drop it by relabelling the table count.
  {
    Program p = small_program();
    p.data.clear();
    p.symbols.clear();
    auto b = p.serialize();  // CODE, META
    REQUIRE(rd32(b, 20) == 2);
    wr32(b, 64, 4);       // CODE -> META
    wr32(b, 64 + 16, 2);  // META -> DATA
    reseal(b);
    CHECK_THAT(parse_error(b), Catch::Contains("no CODE section") || Catch::Contains("DATA"));
  }
}

TEST_CASE("container: DATA, SYMBOLS and META bodies are checked", "[container]") {
  const auto good = small_program().serialize();
  const Sec data = section(good, find_section(good, 2));
  const Sec sym = section(good, find_section(good, 3));
  const Sec meta = section(good, find_section(good, 4));
  auto edit = [&](auto fn) {
    auto b = good;
    fn(b);
    reseal(b);
    return parse_error(b);
  };
  const std::size_t s0 = sym.offset + 4;
  // DATA
  CHECK_THAT(edit([&](auto& b) { wr32(b, data.offset, 3); }), Catch::Contains("unknown space 3"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, data.offset + 4, 8); }),
             Catch::Contains("bank 8 out of range"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, data.offset + 8, 2048); }),
             Catch::Contains("address 2048 out of range"));
  CHECK(edit([&](auto& b) {
          wr32(b, data.offset + 4, 7);
          wr32(b, data.offset + 8, 2047);
        }).empty());  // last word
  CHECK_THAT(edit([&](auto& b) {
               wr32(b, data.offset + 4, 7);
               wr32(b, data.offset + 8, 2047);
               wr32(b, data.offset + 12, 32);
             }),
             Catch::Contains("past the end"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, data.offset + 12, 8); }), Catch::Contains("whole number"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, data.offset + 12, 17); }),
             Catch::Contains("past the end of the section"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, data.offset + 12, 0); }), Catch::Contains("DATA"));
  // SYMBOLS
  CHECK_THAT(edit([&](auto& b) { wr32(b, sym.offset, 3); }), Catch::Contains("symbol 2"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, sym.offset, 5000); }), Catch::Contains("SYMBOLS count"));
  CHECK_THAT(edit([&](auto& b) { b[s0] = 3; }), Catch::Contains("unknown kind"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 1] = 2; }), Catch::Contains("unknown dtype"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 2] = 2; }), Catch::Contains("space"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 3] = 0; }),
             Catch::Contains("rank at byte " + std::to_string(s0 + 3)));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 3] = 5; }), Catch::Contains("rank"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 4] = 2; }), Catch::Contains("unknown layout"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 6] = 1; }),
             Catch::Contains("reserved at byte " + std::to_string(s0 + 6)));
  CHECK_THAT(edit([&](auto& b) { wr32(b, s0 + 24, 2); }), Catch::Contains("dims[2]"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, s0 + 20, 0); }), Catch::Contains("dimension is 0"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, s0 + 16, 600); }), Catch::Contains("past the end"));
  CHECK_THAT(edit([&](auto& b) { wr32(b, s0 + 8, 1); }), Catch::Contains("bank must be 0"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 4] = 1; }), Catch::Contains("tiled"));
  CHECK_THAT(edit([&](auto& b) { wr16(b, s0 + 32, 0); }), Catch::Contains("name_len"));
  CHECK_THAT(edit([&](auto& b) { wr16(b, s0 + 32, 65); }), Catch::Contains("name_len"));
  CHECK_THAT(edit([&](auto& b) { wr16(b, s0 + 32, 3); }),
             Catch::Contains("padding") || Catch::Contains("name"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 34] = '3'; }), Catch::Contains("invalid name"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 34] = '-'; }), Catch::Contains("invalid name"));
  CHECK_THAT(edit([&](auto& b) { b[s0 + 35] = 1; }), Catch::Contains("nonzero padding"));
  CHECK_THAT(edit([&](auto& b) {
               wr16(b, s0 + 36 + 32, 1);
               b[s0 + 36 + 34] = 'z';
               b[s0 + 36 + 35] = 0;
             }),
             Catch::Contains("trailing"));
  // META
  CHECK_THAT(edit([&](auto& b) { b[meta.offset + meta.size - 1] = 'x'; }),
             Catch::Contains("newline"));
  CHECK_THAT(edit([&](auto& b) { b[meta.offset + 2] = 0xFF; }), Catch::Contains("UTF-8"));
  CHECK_THAT(edit([&](auto& b) { b[meta.offset + 2] = 0x01; }), Catch::Contains("control"));
  CHECK_THAT(edit([&](auto& b) { b[meta.offset + 6] = '_'; }), Catch::Contains("key=value"));
}

TEST_CASE("container: overlapping DATA segments are rejected", "[container]") {
  Program p = small_program();
  lpu::Segment s2 = p.data[0];  // b1[7], one word
  s2.addr = 8;
  p.data.push_back(s2);
  CHECK_NOTHROW(p.serialize());  // adjacent words are fine
  p.data[1].addr = 6;
  p.data[1].bytes.resize(32);    // b1[6..7] overlaps b1[7]
  CHECK_THROWS_WITH(p.serialize(), Catch::Contains("DATA segment 1") && Catch::Contains("overlaps DATA segment 0"));
  p.data[1].space = lpu::Space::lut;  // same numbers, another memory
  p.data[1].bank = 0;
  CHECK_NOTHROW(p.serialize());
}

TEST_CASE("container: serialize refuses programs the reader would reject", "[container]") {
  Program p = small_program();
  p.symbols[0].name = "bad name";
  CHECK_THROWS_AS(p.serialize(), lpu::Error);
  p = small_program();
  p.symbols.push_back(p.symbols[0]);
  CHECK_THROWS_WITH(p.serialize(), Catch::Contains("duplicate"));
  p = small_program();
  p.data[0].bytes.resize(15);
  CHECK_THROWS_WITH(p.serialize(), Catch::Contains("whole number"));
  p = small_program();
  p.meta = "no newline";
  CHECK_THROWS_AS(p.serialize(), lpu::Error);
  p = small_program();
  p.req.lanes = 0;
  CHECK_THROWS_AS(p.serialize(), lpu::Error);
}

TEST_CASE("container: symbol_pieces follows the flat SRAM order across banks", "[container]") {
  const auto& base = lpu::config_by_name("base");  // 16 lanes, 2048 words per bank
  REQUIRE(base.lanes == 16);
  const std::size_t depth = base.bank_depth;
  lpu::Symbol s;
  s.name = "t";
  s.bank = 2;
  s.addr = static_cast<std::uint32_t>(depth - 2);
  s.shape = {5, 16};  // 80 bytes = 5 words: b2[depth-2], b2[depth-1], b3[0], b3[1], b3[2]
  const auto pieces = lpu::symbol_pieces(s, base);
  // Independent map: byte i lives in global word g0 + i/16, lane i%16.
  const std::size_t g0 = 2 * depth + depth - 2;
  std::size_t covered = 0;
  for (const auto& pc : pieces) {
    REQUIRE(pc.size % 16 == 0);
    for (std::size_t k = 0; k < pc.size; ++k) {
      const std::size_t byte = pc.offset + k;
      const std::size_t g = std::size_t{pc.bank} * depth + pc.addr + k / 16;
      REQUIRE(g == g0 + byte / 16);
      REQUIRE(k % 16 == byte % 16);
      REQUIRE(pc.addr + k / 16 < depth);  // a piece never crosses a bank
    }
    covered += pc.size;
  }
  CHECK(covered == 80);
  CHECK(pieces.size() == 2);

  // A partial last word: 20 int8 elements = one word and 4 bytes.
  s.shape = {20};
  s.bank = 0;
  s.addr = 0;
  const auto p2 = lpu::symbol_pieces(s, base);
  REQUIRE(p2.size() == 1);
  CHECK(p2[0].size == 20);

  // Past the end of SRAM.
  s.bank = 7;
  s.addr = static_cast<std::uint32_t>(depth - 1);
  CHECK_THROWS_WITH(lpu::symbol_pieces(s, base),
                    Catch::Contains("symbol 't'") && Catch::Contains("past the end"));
  s.bank = 8;
  CHECK_THROWS_WITH(lpu::symbol_pieces(s, base), Catch::Contains("bank 8"));

  // ACC: int32 entries of 16 x 4 bytes.
  lpu::Symbol a;
  a.name = "acc_out";
  a.space = lpu::Space::acc;
  a.dtype = lpu::DType::int32;
  a.addr = 510;
  a.shape = {2, 16};
  const auto pa = lpu::symbol_pieces(a, base);
  REQUIRE(pa.size() == 1);
  CHECK(pa[0].size == 128);
  CHECK(pa[0].addr == 510);
  a.addr = 511;
  CHECK_THROWS_AS(lpu::symbol_pieces(a, base), lpu::Error);
}

TEST_CASE("container: tiled layout maps element (r, c) to word g0 + (c/L)*R + r, lane c%L",
          "[container]") {
  const auto& tiny = lpu::config_by_name("tiny");  // 4 lanes, 16384 words per bank
  for (const auto& [rows, cols, bank, addr] :
       {std::tuple<unsigned, unsigned, unsigned, unsigned>{3, 8, 0, 0},
        {5, 4, 1, 100},
        {7, 12, 0, 16380},
        {1, 16, 0, 16383}}) {
    lpu::Symbol s;
    s.name = "w";
    s.layout = lpu::Layout::tiled;
    s.bank = bank;
    s.addr = addr;
    s.shape = {rows, cols};
    const auto pieces = lpu::symbol_pieces(s, tiny);
    const std::size_t g0 = std::size_t{bank} * 16384 + addr;
    std::vector<int> seen(rows * cols, 0);
    for (const auto& pc : pieces) {
      REQUIRE(pc.size % 4 == 0);
      for (std::size_t k = 0; k < pc.size; ++k) {
        const std::size_t byte = pc.offset + k;
        const std::size_t r = byte / cols, c = byte % cols;
        const std::size_t want_g = g0 + (c / 4) * rows + r;
        const std::size_t g = std::size_t{pc.bank} * 16384 + pc.addr + k / 4;
        REQUIRE(g == want_g);
        REQUIRE(k % 4 == c % 4);
        REQUIRE(pc.addr + k / 4 < 16384);
        seen[byte]++;
      }
    }
    for (const int n : seen) REQUIRE(n == 1);
  }
  lpu::Symbol s;
  s.name = "w";
  s.layout = lpu::Layout::tiled;
  s.shape = {4, 6};
  CHECK_THROWS_WITH(lpu::symbol_pieces(s, tiny), Catch::Contains("multiple of 4"));
  s.shape = {4, 4, 1};
  CHECK_THROWS_WITH(lpu::symbol_pieces(s, tiny), Catch::Contains("rank 2"));
  s.shape = {4, 4};
  s.dtype = lpu::DType::int32;
  CHECK_THROWS_WITH(lpu::symbol_pieces(s, tiny), Catch::Contains("int8"));
}

TEST_CASE("container: segment_pieces, unit sizes and check_fits", "[container]") {
  const auto& tiny = lpu::config_by_name("tiny");
  const auto& base = lpu::config_by_name("base");
  CHECK(lpu::unit_bytes(lpu::Space::sram, base) == 16);
  CHECK(lpu::unit_bytes(lpu::Space::acc, base) == 64);
  CHECK(lpu::unit_bytes(lpu::Space::lut, base) == 2);
  CHECK(lpu::space_depth(lpu::Space::sram, tiny) == 16384);
  CHECK(lpu::space_depth(lpu::Space::acc, tiny) == 256);
  CHECK(lpu::space_depth(lpu::Space::lut, tiny) == 256);
  CHECK(lpu::space_banks(lpu::Space::sram, tiny) == 2);
  CHECK(lpu::space_banks(lpu::Space::acc, tiny) == 1);
  CHECK(lpu::space_name(lpu::Space::acc) == "acc");
  CHECK(lpu::dtype_name(lpu::DType::int32) == "int32");
  CHECK(lpu::dtype_size(lpu::DType::int32) == 4);

  lpu::Segment seg;
  seg.space = lpu::Space::lut;
  seg.addr = 250;
  seg.bytes.assign(12, 1);  // 6 entries: 250..255
  CHECK(lpu::segment_pieces(seg, tiny).size() == 1);
  seg.bytes.assign(14, 1);
  CHECK_THROWS_AS(lpu::segment_pieces(seg, tiny), lpu::Error);
  seg.bytes.assign(3, 1);
  CHECK_THROWS_WITH(lpu::segment_pieces(seg, tiny), Catch::Contains("whole number"));

  Program p = small_program();
  CHECK_NOTHROW(p.check_fits(base));
  CHECK_THROWS_WITH(p.check_fits(tiny), Catch::Contains("lanes"));
  p.code.assign(4097, 0);
  CHECK_THROWS_WITH(p.check_fits(base), Catch::Contains("4097 instructions"));
  p = small_program();
  p.req.banks = 2;
  p.data.clear();
  p.symbols.clear();
  CHECK_NOTHROW(p.check_fits(base));
  p.req.acc_depth = 4096;
  CHECK_THROWS_WITH(p.check_fits(base), Catch::Contains("acc_depth"));
  CHECK(small_program().find_symbol("x.in") != nullptr);
  CHECK(small_program().find_symbol("x") == nullptr);
  lpu::Symbol big;
  big.shape = {0x10000, 0x10000, 0x10000, 0x10000};
  CHECK(big.elements() > (std::size_t{1} << 40));  // saturates, never wraps to something small
}

TEST_CASE("container: save_file and load_file", "[container]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("lpu_test_container_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "p.lpu").string();
  const Program p = small_program();
  p.save_file(path);
  require_same(p, Program::load_file(path));
  CHECK_THROWS_WITH(Program::load_file((dir / "missing.lpu").string()),
                    Catch::Contains("missing.lpu"));
  {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f);
    std::fseek(f, 30, SEEK_SET);
    std::fputc(0x55, f);
    std::fclose(f);
  }
  CHECK_THROWS_WITH(Program::load_file(path), Catch::StartsWith(path + ": "));
  std::filesystem::remove_all(dir);
}
