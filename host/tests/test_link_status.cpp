// LINK_STATUS (docs/host-protocol.md): the counter names against docs/link.md, the payload
// codec against a byte layout written out by hand, malformed responses, and the protocol
// engine in front of the golden backend (every link of a lone chip is down; allowed while a
// run is in progress).
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/device.hpp"
#include "lpu/error.hpp"
#include "lpu/golden_backend.hpp"
#include "lpu/link_status.hpp"
#include "lpu/protocol.hpp"
#include "lpu/protocol_server.hpp"
#include "lpu/system_device.hpp"

namespace {

using namespace lpu::proto;

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The status-counter table of docs/link.md "Core interface": rows "| i | `name` | ... |" and
// one row "| a..b | ... | `N1`, `N2`, ... |" for a range. Returns index -> name.
std::map<unsigned, std::string> doc_counter_table() {
  const std::string doc = read_text(std::string(LPU_SOURCE_DIR) + "/docs/link.md");
  const auto sec = doc.find("## Core interface");
  REQUIRE(sec != std::string::npos);
  const auto start = doc.find("**Status counters** (`status_o`", sec);
  REQUIRE(start != std::string::npos);
  std::istringstream in(doc.substr(start));
  std::string line;
  std::getline(in, line);  // the heading sentence
  const std::regex single(R"(^\|\s*(\d+)\s*\|\s*`([A-Za-z_0-9]+)`\s*\|)");
  const std::regex range(R"(^\|\s*(\d+)\s*\.\.\s*(\d+)\s*\|[^|]*\|([^|]*)\|)");
  const std::regex tick(R"(`([A-Za-z_0-9]+)`)");
  std::map<unsigned, std::string> names;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;  // the table ended
      continue;
    }
    in_table = true;
    std::smatch m;
    if (std::regex_search(line, m, range)) {
      const unsigned a = static_cast<unsigned>(std::stoul(m[1]));
      const unsigned b = static_cast<unsigned>(std::stoul(m[2]));
      const std::string cell = m[3];
      unsigned i = a;
      for (auto it = std::sregex_iterator(cell.begin(), cell.end(), tick);
           it != std::sregex_iterator(); ++it) {
        names[i++] = (*it)[1];
      }
      INFO(line);
      CHECK(i == b + 1);  // the range lists exactly its names
    } else if (std::regex_search(line, m, single)) {
      names[static_cast<unsigned>(std::stoul(m[1]))] = m[2];
    }
  }
  return names;
}

// The payload written out plainly, byte by byte, from the layout in docs/host-protocol.md.
std::vector<std::uint8_t> by_hand(const std::vector<lpu::LinkStatus>& links) {
  std::vector<std::uint8_t> v;
  v.push_back(static_cast<std::uint8_t>(links.size()));
  v.push_back(23);
  v.push_back(0);
  v.push_back(0);
  for (const auto& l : links) {
    v.push_back(l.up ? 1 : 0);
    v.push_back(static_cast<std::uint8_t>(l.state));
    v.push_back(0);
    v.push_back(0);
    for (std::uint32_t c : l.counters) {
      v.push_back(static_cast<std::uint8_t>(c & 0xFF));
      v.push_back(static_cast<std::uint8_t>((c >> 8) & 0xFF));
      v.push_back(static_cast<std::uint8_t>((c >> 16) & 0xFF));
      v.push_back(static_cast<std::uint8_t>((c >> 24) & 0xFF));
    }
  }
  return v;
}

std::vector<lpu::LinkStatus> sample(unsigned n) {
  std::vector<lpu::LinkStatus> v(n);
  for (unsigned k = 0; k < n; ++k) {
    v[k].up = k % 2 == 1;
    v[k].state = v[k].up ? 4 : k % 4;
    for (unsigned i = 0; i < 23; ++i) v[k].counters.push_back(0x01020304u * (k + 1) + 0x1111u * i);
  }
  return v;
}

void expect_same(const std::vector<lpu::LinkStatus>& a, const std::vector<lpu::LinkStatus>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].up == b[k].up);
    CHECK(a[k].state == b[k].state);
    CHECK(a[k].counters == b[k].counters);
  }
}

}  // namespace

TEST_CASE("link status: counter names are docs/link.md's table, in order", "[link_status]") {
  const auto doc = doc_counter_table();
  const auto& names = lpu::link_counter_names();
  REQUIRE(names.size() == lpu::kLinkCounters);
  REQUIRE(doc.size() == lpu::kLinkCounters);
  for (unsigned i = 0; i < lpu::kLinkCounters; ++i) {
    INFO("counter " << i);
    REQUIRE(doc.count(i) == 1);
    CHECK(names[i] == lower(doc.at(i)));
  }
  CHECK(names[lpu::kLinkCntLinkUp] == "link_up");
  CHECK(lpu::link_state_name(0) == "RESET");
  CHECK(lpu::link_state_name(lpu::kLinkStateUp) == "UP");
  CHECK(lpu::link_state_name(7) == "state 7");
}

TEST_CASE("link status: payload round trip against the layout by hand", "[link_status]") {
  for (unsigned n : {0u, 1u, 2u, 16u}) {
    INFO(n << " links");
    const auto links = sample(n);
    const auto bytes = encode_link_status(links);
    CHECK(bytes.size() == 4 + 96 * n);
    CHECK(bytes == by_hand(links));
    expect_same(decode_link_status(by_hand(links)), links);
  }
  // Reserved bytes are ignored by the decoder (a later minor may use them).
  auto bytes = by_hand(sample(2));
  bytes[2] = 0x55;
  bytes[4 + 96 + 2] = 0x77;
  expect_same(decode_link_status(bytes), sample(2));
}

TEST_CASE("link status: malformed responses are rejected with clear errors", "[link_status]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(decode_link_status({}), Contains("payload has 0 bytes, expected >= 4"));
  CHECK_THROWS_WITH(decode_link_status({2, 23, 0}), Contains("LINK_STATUS response"));
  auto two = by_hand(sample(2));
  auto shortp = two;
  shortp.pop_back();
  CHECK_THROWS_WITH(decode_link_status(shortp), Contains("195 bytes, expected 196"));
  auto longp = two;
  longp.push_back(0);
  CHECK_THROWS_WITH(decode_link_status(longp), Contains("197 bytes, expected 196"));
  auto fewer = two;
  fewer[1] = 22;
  CHECK_THROWS_WITH(decode_link_status(fewer), Contains("22 counters per link, expected 23"));
  auto more = two;
  more[1] = 24;
  CHECK_THROWS_WITH(decode_link_status(more), Contains("24 counters per link, expected 23"));
  auto many = by_hand(sample(16));
  many[0] = 17;
  many.resize(4 + 96 * 17, 0);
  CHECK_THROWS_WITH(decode_link_status(many), Contains("17 links, at most 16"));
  auto up = two;
  up[4 + 96] = 2;
  CHECK_THROWS_WITH(decode_link_status(up), Contains("link 1 up = 2"));
  auto st = two;
  st[4 + 1] = 5;
  CHECK_THROWS_WITH(decode_link_status(st), Contains("link 0 state 5 is not 0..4"));
  // The encoder refuses what it cannot express.
  CHECK_THROWS_WITH(encode_link_status(sample(17)), Contains("17 links, at most 16"));
  auto bad = sample(1);
  bad[0].counters.pop_back();
  CHECK_THROWS_WITH(encode_link_status(bad), Contains("link 0 has 22 counters, expected 23"));
}

TEST_CASE("link status: golden model views", "[link_status]") {
  for (const char* name : {"tiny", "base"}) {
    const auto& cfg = lpu::config_by_name(name);
    auto dev = lpu::open_golden_device(cfg);
    const auto links = dev->link_status();
    REQUIRE(links.size() == cfg.links);
    for (const auto& l : links) {
      CHECK_FALSE(l.up);
      CHECK(l.state == 0);
      CHECK(l.counters == std::vector<std::uint32_t>(23, 0));
    }
  }
  const auto g = lpu::golden_link_status({true, false, true});
  REQUIRE(g.size() == 3);
  CHECK(g[0].up);
  CHECK(g[0].state == 4);
  std::vector<std::uint32_t> want(23, 0);
  want[9] = 1;  // LINK_UP: it came up once
  CHECK(g[0].counters == want);
  CHECK_FALSE(g[1].up);
  CHECK(g[1].state == 0);
  CHECK(g[1].counters == std::vector<std::uint32_t>(23, 0));
  CHECK(g[2].up);
}

TEST_CASE("link status: chips of a golden system see their ring partners", "[link_status]") {
  const auto& cfg = lpu::config_by_name("tiny");
  REQUIRE(cfg.links >= 2);
  for (unsigned n : {1u, 2u, 4u}) {
    auto sys = lpu::open_golden_system(cfg, n);
    for (unsigned i = 0; i < n; ++i) {
      const auto links = sys->chip(i).link_status();
      REQUIRE(links.size() == cfg.links);
      for (unsigned k = 0; k < cfg.links; ++k) {
        INFO("chips " << n << ", chip " << i << ", link " << k);
        // A ring of one joins nothing; in a ring of two or more links 0 and 1 have partners.
        CHECK(links[k].up == (n > 1 && k < 2));
        CHECK(links[k].counters[9] == (n > 1 && k < 2 ? 1u : 0u));
      }
    }
  }
}

namespace {

struct Engine {
  explicit Engine(lpu::GoldenBackendOptions o = {}) : be(lpu::config_by_name("base"), o), srv(be) {}
  Frame call(Cmd cmd, std::vector<std::uint8_t> payload = {}, std::uint8_t seq = 5) {
    Frame f;
    f.cmd = static_cast<std::uint8_t>(cmd);
    f.seq = seq;
    f.payload = std::move(payload);
    const auto req = encode_frame(f);
    const auto out = srv.feed(req.data(), req.size());
    FrameDecoder d;
    const auto evs = d.feed(out.data(), out.size());
    REQUIRE(evs.size() == 1);
    REQUIRE(evs[0].kind == FrameDecoder::Event::Kind::frame);
    CHECK(evs[0].frame.cmd == (f.cmd | kResponseBit));
    CHECK(evs[0].frame.seq == seq);
    return evs[0].frame;
  }
  lpu::GoldenBackend be;
  lpu::ProtocolServer srv;
};

}  // namespace

TEST_CASE("link status: the protocol engine answers LINK_STATUS, also while running",
          "[link_status]") {
  lpu::GoldenBackendOptions paced;
  paced.clock_hz = 1000;  // the run below lasts about a minute unless reset
  Engine e(paced);
  const auto info = InfoPayload::decode(e.call(Cmd::info).payload);
  CHECK(info.proto_minor == 1);
  CHECK((info.features & kFeatLinkStatus) != 0);
  CHECK(kFeatLinkStatus == 0x10u);
  CHECK(cmd_name(0x0A) == "LINK_STATUS");
  CHECK(cmd_name(0x8A) == "LINK_STATUS");

  const auto idle = e.call(Cmd::link_status);
  REQUIRE(idle.status == 0);
  const auto down = lpu::links_down(lpu::config_by_name("base").links);
  CHECK(idle.payload == by_hand(down));

  // A payload is refused (exact size 0), like any other command.
  const auto bad = e.call(Cmd::link_status, {0});
  CHECK(bad.status == static_cast<std::uint8_t>(Status::bad_length));
  const auto ep = ErrorPayload::decode(bad.payload);
  CHECK(ep.field == ErrField::payload);
  CHECK(ep.value == 1);
  CHECK(ep.limit == 0);

  // While a run is in progress.
  std::vector<std::uint8_t> wr = {3, 0, 0, 0, 0, 0, 0, 0};
  put_u64(wr, (std::uint64_t{0x01} << 56) | 0xFFFF);  // nop 65536
  put_u64(wr, 0);                                     // halt
  REQUIRE(e.call(Cmd::write_mem, wr).status == 0);
  REQUIRE(e.call(Cmd::set_program_len, {2, 0, 0, 0}).status == 0);
  REQUIRE(e.call(Cmd::run).status == 0);
  REQUIRE(StatusPayload::decode(e.call(Cmd::status).payload).state == ChipState::running);
  const auto running = e.call(Cmd::link_status);
  CHECK(running.status == 0);
  CHECK(running.payload == by_hand(down));
  CHECK(e.call(Cmd::reset).status == 0);
}

namespace {

// A backend that reports links of its own (as an RTL chip would).
class LinkBackend : public lpu::GoldenBackend {
 public:
  using GoldenBackend::GoldenBackend;
  std::vector<lpu::LinkStatus> link_status() override { return links; }
  std::vector<lpu::LinkStatus> links;
};

}  // namespace

TEST_CASE("link status: the engine sends the backend's links, and a wrong count is DEVICE_ERROR",
          "[link_status]") {
  LinkBackend be(lpu::config_by_name("tiny"));
  lpu::ProtocolServer srv(be);
  auto ask = [&] {
    Frame f;
    f.cmd = static_cast<std::uint8_t>(Cmd::link_status);
    const auto req = encode_frame(f);
    const auto out = srv.feed(req.data(), req.size());
    FrameDecoder d;
    const auto evs = d.feed(out.data(), out.size());
    REQUIRE(evs.size() == 1);
    return evs[0].frame;
  };
  be.links = sample(2);
  const auto r = ask();
  REQUIRE(r.status == 0);
  CHECK(r.payload == by_hand(sample(2)));
  be.links = sample(3);
  CHECK(ask().status == static_cast<std::uint8_t>(Status::device_error));
  CHECK_THAT(srv.take_device_error(), Catch::Contains("3 links, the configuration has 2"));
}

#ifdef LPU_CLI_PATH
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

TEST_CASE("link status: lpu link prints the links as a table and as JSON", "[link_status][cli]") {
  using lpu::test::run_lpu;
  const auto t = run_lpu({"link", "--device", "golden-frames"});
  INFO(t.err);
  REQUIRE(t.status == 0);
  CHECK_THAT(t.out, Catch::Contains("link  up   state   counters (nonzero)"));
  CHECK_THAT(t.out, Catch::Contains("0     no   RESET   -"));
  CHECK_THAT(t.out, Catch::Contains("1     no   RESET   -"));

  const auto j = run_lpu({"link", "--device", "golden", "--config", "tiny", "--json"});
  REQUIRE(j.status == 0);
  const auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["config"] == "tiny");
  REQUIRE(doc["links"].size() == lpu::config_by_name("tiny").links);
  for (const auto& l : doc["links"]) {
    CHECK(l["up"] == false);
    CHECK(l["state"] == "RESET");
    REQUIRE(l["counters"].size() == 23);
    for (const auto& n : lpu::link_counter_names()) CHECK(l["counters"][n] == 0);
  }
  // Several chips: one table per chip.
  const auto s = run_lpu({"link", "--device", "golden:chips=2"});
  INFO(s.err);
  REQUIRE(s.status == 0);
  CHECK_THAT(s.out, Catch::Contains("chip 0:"));
  CHECK_THAT(s.out, Catch::Contains("chip 1:"));
  // Usage errors name the problem.
  const auto bad = run_lpu({"link", "extra"});
  CHECK(bad.status != 0);
}
#endif
