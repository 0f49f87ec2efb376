// The `sim` transport (helper H; transport_sim.hpp): URI options, the wall-clock gap timeout,
// the bit-accurate UART mode and `lpu run --device sim`. The device conformance suite
// (test_conformance.cpp) runs on it too.
#include <cstdlib>

#include <catch2/catch.hpp>

#include "lpu/driver/frame_client.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/driver/transport.hpp"
#include "lpu/error.hpp"
#include "lpu/protocol.hpp"

#ifdef LPU_HAVE_SIM_TRANSPORT
#include "lpu/driver/transport_sim.hpp"

using lpu::driver::parse_sim_uri;

namespace {

// Reads one frame (or nothing within `ms`).
std::vector<lpu::proto::FrameDecoder::Event> read_events(lpu::driver::Transport& t, int ms) {
  lpu::proto::FrameDecoder dec;
  std::uint8_t buf[512];
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    const std::size_t n = t.read(buf, sizeof buf, std::chrono::milliseconds(20));
    auto evs = dec.feed(buf, n);
    if (!evs.empty()) return evs;
  }
  return {};
}

}  // namespace

TEST_CASE("sim transport: URI options", "[sim]") {
  CHECK(parse_sim_uri("sim").config == nullptr);
  CHECK_FALSE(parse_sim_uri("sim").uart);
  CHECK(parse_sim_uri("sim:config=tiny").config == &lpu::config_by_name("tiny"));
  CHECK(parse_sim_uri("sim:uart=1").uart);
  const auto o = parse_sim_uri("sim:config=base,uart=1");
  CHECK(o.config == &lpu::config_by_name("base"));
  CHECK(o.uart);
  CHECK_THROWS_WITH(parse_sim_uri("sim:uart=2"), Catch::Contains("bad option 'uart=2'"));
  CHECK_THROWS_WITH(parse_sim_uri("sim:speed=9"), Catch::Contains("bad option 'speed=9'"));
  CHECK_THROWS_WITH(parse_sim_uri("sim:config=huge"), Catch::Contains("huge"));
  CHECK(lpu::driver::is_transport_uri("sim"));
  CHECK(lpu::driver::is_transport_uri("sim:config=tiny"));
  CHECK_FALSE(lpu::driver::is_transport_uri("simulator"));
  // The configuration: the URI's, else the options', else base.
  lpu::driver::TransportOptions t;
  t.config = &lpu::config_by_name("tiny");
  CHECK(lpu::driver::open_transport("sim", t)->describe() == "sim:config=tiny");
  CHECK(lpu::driver::open_transport("sim:config=base", t)->describe() == "sim:config=base");
  CHECK(lpu::driver::open_transport("sim")->describe() == "sim:config=base");
}

TEST_CASE("sim transport: a partial frame is dropped after T_GAP of silence", "[sim]") {
  auto t = lpu::driver::open_transport("sim");
  lpu::proto::Frame f;
  f.cmd = static_cast<std::uint8_t>(lpu::proto::Cmd::status);
  f.seq = 9;
  const auto bytes = lpu::proto::encode_frame(f);
  // Half a frame, silence: nothing comes back, and after T_GAP the device hunts again.
  t->write(bytes.data(), 7);
  CHECK(read_events(*t, lpu::proto::kGapTimeoutMs + 150).empty());
  // The whole frame now works (without the gap its first bytes would complete the old header).
  t->write(bytes.data(), bytes.size());
  const auto evs = read_events(*t, 3000);
  REQUIRE(evs.size() == 1);
  CHECK(evs[0].frame.cmd == 0x86);
  CHECK(evs[0].frame.seq == 9);
  CHECK(evs[0].frame.status == 0);
}

TEST_CASE("sim transport: FrameDevice over the bit-accurate UART (tiny, 12 Mbaud)", "[sim]") {
  lpu::driver::FrameDevice d(lpu::driver::open_transport("sim:config=tiny,uart=1"),
                             &lpu::config_by_name("tiny"));
  CHECK(d.info().lanes == 4);
  CHECK((d.info().features & lpu::proto::kFeatEmulated) != 0);
  CHECK(d.info().clock_hz == 24000000u);
  std::vector<std::uint8_t> v(200);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 1);
  d.write_mem(lpu::Space::sram, 1, 16000, v);
  CHECK(d.read_mem(lpu::Space::sram, 1, 16000, v.size()) == v);
  CHECK(d.status().state == lpu::proto::ChipState::idle);
}

#ifdef LPU_CLI_PATH
TEST_CASE("sim transport: lpu run --device sim", "[sim]") {
  // A tiny program through the CLI: the RTL gives the same cycles as the golden model.
  char tmpl[] = "/tmp/lpu_sim_run_test_XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const std::string prog = dir + "/p.lpu";
  {
    FILE* f = std::fopen((dir + "/p.s").c_str(), "w");
    REQUIRE(f);
    std::fputs(".config base\n  li r1, 3\n  loop 10 {\n    addi r1, r1, 1\n  }\n  halt\n", f);
    std::fclose(f);
  }
  const std::string cli = LPU_CLI_PATH;
  REQUIRE(std::system((cli + " asm " + dir + "/p.s -o " + prog + " > /dev/null").c_str()) == 0);
  auto run = [&](const std::string& dev) {
    const std::string out = dir + "/" + dev + ".txt";
    const int rc = std::system((cli + " run " + prog + " --device " + dev + " > " + out + " 2>&1").c_str());
    FILE* f = std::fopen(out.c_str(), "r");
    std::string text;
    char buf[256];
    while (f && std::fgets(buf, sizeof buf, f)) text += buf;
    if (f) std::fclose(f);
    INFO(dev << ": " << text);
    CHECK(rc == 0);
    return text;
  };
  const std::string golden = run("golden");
  const std::string sim = run("sim");
  auto cycles_line = [](const std::string& s) {
    const auto p = s.find("cycles");
    return p == std::string::npos ? std::string() : s.substr(p, s.find('\n', p) - p);
  };
  CHECK_FALSE(cycles_line(sim).empty());
  CHECK(cycles_line(sim) == cycles_line(golden));
  std::system(("rm -rf " + dir).c_str());
}
#endif

#endif  // LPU_HAVE_SIM_TRANSPORT
