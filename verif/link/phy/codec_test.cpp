// Exhaustive 8b/10b tests (docs/link.md "Coding"): lpu_link_enc8b10b and lpu_link_dec8b10b
// against the reference table of ref8b10b.hpp (written from the standard's sub-block and
// control-code tables, not from the RTL).
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "ref8b10b.hpp"
#include LPU_VTOP_HEADER

namespace ref = lpu::verif::link::ref;

namespace {

struct Codec {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();
  std::unique_ptr<LPU_VTOP> m = std::make_unique<LPU_VTOP>(ctx.get(), "codec");
  ~Codec() { m->final(); }

  ref::Encoded encode(std::uint8_t b, bool k, bool rd) {
    m->enc_data_i = b;
    m->enc_k_i = k;
    m->enc_rd_i = rd;
    m->eval();
    return {static_cast<std::uint16_t>(m->enc_code_o), m->enc_rd_o != 0};
  }

  ref::Decoded decode(std::uint16_t code, bool rd) {
    m->dec_code_i = code;
    m->dec_rd_i = rd;
    m->eval();
    ref::Decoded d;
    d.code_err = m->dec_code_err_o != 0;
    d.disp_err = m->dec_disp_err_o != 0;
    d.valid = !d.code_err && !d.disp_err;
    d.byte = static_cast<std::uint8_t>(m->dec_data_o);
    d.k = m->dec_k_o != 0;
    d.rd_after = m->dec_rd_o != 0;
    return d;
  }
};

std::string sym(std::uint8_t b, bool k) {
  std::ostringstream os;
  os << (k ? "K" : "D") << (b & 31) << "." << (b >> 5) << " (0x" << std::hex << int(b) << ")";
  return os.str();
}

int max_run(const std::string& s) {
  int best = 1, run = 1;
  for (std::size_t i = 1; i < s.size(); ++i) {
    run = (s[i] == s[i - 1]) ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

}  // namespace

TEST_CASE("reference table is the 8b/10b code", "[codec]") {
  // Sanity of the reference itself: published code groups, the code's structural properties.
  CHECK(ref::to_string(ref::encode(0xBC, true, false).code) == "0011111010");   // K28.5 RD-
  CHECK(ref::to_string(ref::encode(0xBC, true, true).code) == "1100000101");    // K28.5 RD+
  CHECK(ref::to_string(ref::encode(0xB5, false, false).code) == "1010101010");  // D21.5
  CHECK(ref::to_string(ref::encode(0x4A, false, true).code) == "0101010101");   // D10.2
  CHECK(ref::to_string(ref::encode(0x00, false, false).code) == "1001110100");  // D0.0 RD-
  CHECK(ref::to_string(ref::encode(0xF1, false, false).code) == "1000110111");  // D17.7 RD- (A7)
  CHECK(ref::to_string(ref::encode(0xEB, false, true).code) == "1101001000");   // D11.7 RD+ (A7)
  ref::Table t;
  CHECK(t.column_size(false) == 268);
  CHECK(t.column_size(true) == 268);
  for (int rd = 0; rd < 2; ++rd) {
    for (int kk = 0; kk < 2; ++kk) {
      for (int b = 0; b < 256; ++b) {
        if (kk && !ref::is_k(static_cast<std::uint8_t>(b))) continue;
        const auto e = ref::encode(static_cast<std::uint8_t>(b), kk != 0, rd != 0);
        const std::string s = ref::to_string(e.code);
        const int n = ref::ones(s);
        INFO(sym(static_cast<std::uint8_t>(b), kk != 0) << " rd " << rd << " = " << s);
        CHECK(n >= (rd ? 4 : 5));
        CHECK(n <= (rd ? 5 : 6));
        CHECK(e.rd == ((n == 5) ? (rd != 0) : !(rd != 0)));
        CHECK(max_run(s) <= 5);
        const bool comma = s.substr(0, 7) == "0011111" || s.substr(0, 7) == "1100000";
        CHECK(comma == (kk && (b == 0x3C || b == 0xBC || b == 0xFC)));
      }
    }
  }
}

TEST_CASE("encoder: every D and K code group in both disparities", "[codec]") {
  Codec c;
  int checked = 0;
  for (int rd = 0; rd < 2; ++rd) {
    for (int kk = 0; kk < 2; ++kk) {
      for (int b = 0; b < 256; ++b) {
        const auto byte = static_cast<std::uint8_t>(b);
        if (kk && !ref::is_k(byte)) continue;
        const auto want = ref::encode(byte, kk != 0, rd != 0);
        const auto got = c.encode(byte, kk != 0, rd != 0);
        INFO(sym(byte, kk != 0) << " at RD" << (rd ? "+" : "-"));
        REQUIRE(ref::to_string(got.code) == ref::to_string(want.code));
        REQUIRE(got.rd == want.rd);
        // code_alt_o: the same symbol at the other disparity.
        const auto alt = ref::encode(byte, kk != 0, rd == 0);
        REQUIRE(ref::to_string(static_cast<std::uint16_t>(c.m->enc_code_alt_o)) == ref::to_string(alt.code));
        ++checked;
      }
    }
  }
  CHECK(checked == 2 * (256 + 12));
  // k_i with a byte that is no K code encodes the D code group (documented behaviour).
  for (int rd = 0; rd < 2; ++rd) {
    for (int b = 0; b < 256; ++b) {
      const auto byte = static_cast<std::uint8_t>(b);
      if (ref::is_k(byte)) continue;
      INFO("k_i with " << sym(byte, false));
      REQUIRE(c.encode(byte, true, rd != 0).code == ref::encode(byte, false, rd != 0).code);
    }
  }
}

TEST_CASE("decoder: all 1024 patterns in both disparities", "[codec]") {
  Codec c;
  ref::Table t;
  int valid = 0, disp = 0, code = 0;
  for (int rd = 0; rd < 2; ++rd) {
    for (unsigned p = 0; p < 1024; ++p) {
      const auto pat = static_cast<std::uint16_t>(p);
      const auto want = t.decode(pat, rd != 0);
      const auto got = c.decode(pat, rd != 0);
      INFO(ref::to_string(pat) << " at RD" << (rd ? "+" : "-"));
      REQUIRE(got.code_err == want.code_err);
      REQUIRE(got.disp_err == want.disp_err);
      REQUIRE(got.rd_after == want.rd_after);
      if (want.valid) {
        REQUIRE(got.byte == want.byte);
        REQUIRE(got.k == want.k);
      }
      valid += want.valid;
      disp += want.disp_err;
      code += want.code_err;
    }
  }
  CHECK(valid == 2 * 268);
  CHECK(valid + disp + code == 2048);
  CHECK(disp > 0);
  CHECK(code > 0);
}

TEST_CASE("decoder(encoder(x)) round trip with running disparity", "[codec]") {
  Codec c;
  for (int rd = 0; rd < 2; ++rd) {
    for (int kk = 0; kk < 2; ++kk) {
      for (int b = 0; b < 256; ++b) {
        const auto byte = static_cast<std::uint8_t>(b);
        if (kk && !ref::is_k(byte)) continue;
        const auto e = c.encode(byte, kk != 0, rd != 0);
        const auto d = c.decode(e.code, rd != 0);
        INFO(sym(byte, kk != 0) << " at RD" << (rd ? "+" : "-"));
        REQUIRE(d.valid);
        REQUIRE(d.byte == byte);
        REQUIRE(d.k == (kk != 0));
        REQUIRE(d.rd_after == e.rd);
        // The same code group at the other disparity: a disparity error unless it is one of
        // the code groups that are the same in both columns.
        const auto o = c.decode(e.code, rd == 0);
        const bool same_both = ref::encode(byte, kk != 0, rd == 0).code == e.code;
        REQUIRE(o.disp_err == !same_both);
      }
    }
  }
}
