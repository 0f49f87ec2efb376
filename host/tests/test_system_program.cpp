// The multi-chip program bundle: round trip, every corruption rejected with a named field,
// and a two-chip program assembled from text running on a GoldenSystem.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "lpu/assembler.hpp"
#include "lpu/error.hpp"
#include "lpu/golden_system.hpp"
#include "lpu/system_program.hpp"

using namespace lpu;

namespace {

SystemProgram two_chips(const Config& cfg) {
  // Chip 0 sends four words of its DATA forward; chip 1 receives them and sends them back.
  const std::string sender = R"(
    .data b1[0], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
    .output back, b0[0], shape=(4, 4)
        li r1, 0
        send 0, b1[r1], 4
        recv 1, b0[r1], 4
        halt
  )";
  const std::string relay = R"(
        li r1, 8
        recv 1, b1[r1], 4
        send 0, b1[r1], 4
        halt
  )";
  SystemProgram sp;
  sp.chips.push_back(assemble(sender, "sender.s", cfg));
  sp.chips.push_back(assemble(relay, "relay.s", cfg));
  return sp;
}

}  // namespace

TEST_CASE("system program: serialize and parse round trip", "[system_program]") {
  const Config& cfg = config_by_name("tiny");
  const auto sp = two_chips(cfg);
  const auto bytes = sp.serialize();
  REQUIRE(is_system_program(bytes.data(), bytes.size()));
  const auto back = SystemProgram::parse(bytes.data(), bytes.size(), "t");
  REQUIRE(back.chips.size() == 2);
  CHECK(back.chips[0].serialize() == sp.chips[0].serialize());
  CHECK(back.chips[1].serialize() == sp.chips[1].serialize());
  CHECK(back.serialize() == bytes);
}

TEST_CASE("system program: every corruption and truncation is rejected by name", "[system_program]") {
  const Config& cfg = config_by_name("tiny");
  const auto bytes = two_chips(cfg).serialize();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned x : {0x01u, 0x80u, 0xFFu}) {
      auto b = bytes;
      b[i] = static_cast<std::uint8_t>(b[i] ^ x);
      try {
        (void)SystemProgram::parse(b.data(), b.size(), "bad");
        FAIL("byte " << i << " ^ " << x << " accepted");
      } catch (const Error& e) {
        CHECK(std::string(e.what()).rfind("bad", 0) == 0);
        CHECK(std::string(e.what()).find(" at byte ") != std::string::npos);
      }
    }
  }
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_THROWS_AS(SystemProgram::parse(bytes.data(), n, "short"), Error);
  }
}

TEST_CASE("system program: field checks name the field", "[system_program]") {
  const Config& cfg = config_by_name("tiny");
  SystemProgram none;
  CHECK_THROWS_WITH(none.serialize(), Catch::Contains("0 chips"));
  const auto single = two_chips(cfg).chips[0].serialize();
  CHECK_THROWS_WITH(SystemProgram::parse(single.data(), single.size(), "one"), Catch::Contains("magic"));
}

TEST_CASE("system program: a two-chip program runs on a GoldenSystem", "[system_program][link]") {
  for (const char* name : {"tiny", "base"}) {
    const Config& cfg = config_by_name(name);
    const auto sp = two_chips(cfg);
    GoldenSystem sys(cfg, 2);
    sys.load(sp);
    const auto res = sys.run();
    REQUIRE(res[0].ok());
    REQUIRE(res[1].ok());
    // The words went around and came back: chip 0's b0[0..3] equal its b1[0..3] (the DATA
    // bytes 1..16, then zeros on base, whose words are 16 bytes), as does chip 1's b1[8..11].
    const auto sent = sys.chip(0).read_mem(Space::sram, 1, 0, 4u * cfg.lanes);
    CHECK(sys.chip(0).read_mem(Space::sram, 0, 0, 4u * cfg.lanes) == sent);
    CHECK(sys.chip(1).read_mem(Space::sram, 1, 8, 4u * cfg.lanes) == sent);
    CHECK(sent[0] == 1);
    CHECK(sent[15] == 16);
    GoldenSystem three(cfg, 3);
    CHECK_THROWS_WITH(three.load(sp), Catch::Contains("2 chip(s), the system has 3"));
  }
}
