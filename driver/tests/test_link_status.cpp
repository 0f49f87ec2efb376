// Device::link_status() through the host protocol (LINK_STATUS) on every transport of the
// conformance fixtures, and FrameDevice's refusals: a device without the feature bit, and
// malformed responses (short, wrong counter count, more than 16 links, links other than the
// configuration's).
#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "device_fixtures.hpp"
#include "lpu/config.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/driver/transport.hpp"
#include "lpu/error.hpp"
#include "lpu/link_status.hpp"
#include "lpu/protocol.hpp"

using lpu::driver::Transport;
using std::chrono::milliseconds;
using namespace lpu::proto;

namespace {

// The in-process golden loopback with every response frame passed through `rewrite`
// (decoded, changed, re-encoded with good CRCs).
class RewritingTransport : public Transport {
 public:
  explicit RewritingTransport(const lpu::Config& cfg)
      : in_(lpu::driver::open_golden_transport(cfg)) {}
  std::function<void(Frame&)> rewrite;

  void write(const std::uint8_t* data, std::size_t n) override {
    in_->write(data, n);
    std::uint8_t buf[8192];
    for (std::size_t got; (got = in_->read(buf, sizeof buf, milliseconds(0))) > 0;) {
      for (auto& ev : dec_.feed(buf, got)) {
        REQUIRE(ev.kind == FrameDecoder::Event::Kind::frame);
        if (rewrite) rewrite(ev.frame);
        const auto b = encode_frame(ev.frame);
        pending_.insert(pending_.end(), b.begin(), b.end());
      }
    }
  }
  std::size_t read(std::uint8_t* buf, std::size_t cap, milliseconds) override {
    const std::size_t n = std::min(cap, pending_.size());
    std::copy(pending_.begin(), pending_.begin() + static_cast<long>(n), buf);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
    return n;
  }
  void close() override { in_->close(); }
  std::string describe() const override { return "rewriting"; }

 private:
  std::unique_ptr<Transport> in_;
  FrameDecoder dec_;
  std::deque<std::uint8_t> pending_;
};

constexpr std::uint8_t kInfoResp = 0x81;
constexpr std::uint8_t kLinkResp = 0x8A;

std::unique_ptr<lpu::driver::FrameDevice> rewriting_device(const lpu::Config& cfg,
                                                           std::function<void(Frame&)> fn) {
  auto t = std::make_unique<RewritingTransport>(cfg);
  t->rewrite = std::move(fn);
  lpu::driver::FrameDeviceOptions o;
  o.client.retries = 0;
  return std::make_unique<lpu::driver::FrameDevice>(std::move(t), &cfg, o);
}

}  // namespace

TEST_CASE("link status: every transport answers LINK_STATUS and a lone chip's links are down",
          "[link_status]") {
  const auto kind = GENERATE(from_range(fixture::kinds()));
  for (const char* name : {"tiny", "base"}) {
    const lpu::Config& cfg = lpu::config_by_name(name);
    INFO(kind << " " << name);
    auto fx = fixture::make(kind, cfg);
    if (!fx) continue;  // not available here
    CHECK((fx->dev->info().features & kFeatLinkStatus) != 0);
    const auto links = fx->dev->link_status();
    REQUIRE(links.size() == cfg.links);
    for (unsigned k = 0; k < cfg.links; ++k) {
      INFO("link " << k);
      CHECK_FALSE(links[k].up);
      REQUIRE(links[k].counters.size() == lpu::kLinkCounters);
      CHECK(links[k].counters[lpu::kLinkCntLinkUp] == 0);
      if (fixture::is_rtl(kind)) {
        CHECK(links[k].state != lpu::kLinkStateUp);  // the PHY trains on nothing
      } else {
        CHECK(links[k].state == 0);
        CHECK(links[k].counters == std::vector<std::uint32_t>(lpu::kLinkCounters, 0));
      }
    }
    CHECK(fx->dev->description().find("link-status") != std::string::npos);
  }
}

TEST_CASE("link status: FrameDevice refuses an old device and malformed responses",
          "[link_status]") {
  using Catch::Contains;
  const lpu::Config& cfg = lpu::config_by_name("base");
  // A 1.0 device: no feature bit 4.
  auto old = rewriting_device(cfg, [](Frame& f) {
    if (f.cmd != kInfoResp) return;
    auto i = InfoPayload::decode(f.payload);
    i.proto_minor = 0;
    i.features &= ~kFeatLinkStatus;
    f.payload = i.encode();
  });
  CHECK_THROWS_WITH(old->link_status(), Contains("does not support LINK_STATUS (protocol 1.0"));

  auto with_payload = [&](std::function<void(std::vector<std::uint8_t>&)> edit) {
    return rewriting_device(cfg, [edit](Frame& f) {
      if (f.cmd == kLinkResp) edit(f.payload);
    });
  };
  CHECK_THROWS_WITH(
      with_payload([](auto& p) { p.resize(3); })->link_status(),
      Contains("rewriting: LINK_STATUS response: payload has 3 bytes, expected >= 4"));
  CHECK_THROWS_WITH(with_payload([](auto& p) { p.pop_back(); })->link_status(),
                    Contains("LINK_STATUS response: payload has 195 bytes, expected 196"));
  CHECK_THROWS_WITH(with_payload([](auto& p) { p[1] = 24; })->link_status(),
                    Contains("24 counters per link, expected 23"));
  CHECK_THROWS_WITH(with_payload([](auto& p) {
                      p[0] = 17;
                      p.resize(4 + 96 * 17, 0);
                    })->link_status(),
                    Contains("17 links, at most 16"));
  CHECK_THROWS_WITH(
      with_payload([](auto& p) {
        p[0] = 3;
        p.resize(4 + 96 * 3, 0);
      })->link_status(),
      Contains("3 links, the device's configuration 'base' has " + std::to_string(cfg.links)));
  // Untouched, the same device works.
  CHECK(with_payload([](auto&) {})->link_status().size() == cfg.links);
}

#if __has_include("lpu/driver/system.hpp") && defined(LPU_HAVE_SIM_TRANSPORT)
#include <chrono>
#include <thread>

#include "lpu/driver/system.hpp"

TEST_CASE("link status: two simulated chips in a ring bring every link up", "[link_status]") {
  const lpu::Config& cfg = lpu::config_by_name("base");
  auto sys = lpu::driver::open_system_device("sim:chips=2", cfg);
  REQUIRE(sys->chips() == 2);
  // Poll until every link is up (the RTL trains in about 10^4 cycles; each request clocks it).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<std::vector<lpu::LinkStatus>> st(2);
  for (;;) {
    bool all = true;
    for (unsigned c = 0; c < 2; ++c) {
      st[c] = sys->chip(c).link_status();
      for (const auto& l : st[c]) all = all && l.up;
    }
    if (all || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (unsigned c = 0; c < 2; ++c) {
    REQUIRE(st[c].size() == cfg.links);
    for (unsigned k = 0; k < cfg.links; ++k) {
      INFO("chip " << c << " link " << k);
      CHECK(st[c][k].up);
      CHECK(st[c][k].state == lpu::kLinkStateUp);
      CHECK(st[c][k].counters[lpu::kLinkCntLinkUp] >= 1);
      CHECK(st[c][k].counters[22] == 0);  // drop
      CHECK(st[c][k].counters[18] == 0);  // crc_err: a clean channel
    }
  }
}
#endif
