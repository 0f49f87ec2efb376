// FrameClient under link faults (a transport that damages or loses bytes on purpose, in front
// of the golden loopback): retries of repeatable requests, RUN settled by STATUS.runs, stale
// responses ignored, persistent failure reported.
#include <catch2/catch.hpp>
#include <deque>
#include <functional>

#include "lpu/assembler.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/error.hpp"

using namespace lpu::proto;
using lpu::driver::ClientOptions;
using lpu::driver::FrameDevice;
using lpu::driver::Transport;
using std::chrono::milliseconds;

namespace {

// Wraps a transport. Each write is request number k (0, 1, ...); hooks may damage the
// request, drop/damage its response, or inject bytes before it.
class FaultyTransport : public Transport {
 public:
  explicit FaultyTransport(std::unique_ptr<Transport> inner) : in_(std::move(inner)) {}
  std::function<void(unsigned, std::vector<std::uint8_t>&)> on_request;   // may modify
  std::function<void(unsigned, std::vector<std::uint8_t>&)> on_response;  // may modify / clear
  unsigned writes = 0;

  void write(const std::uint8_t* data, std::size_t n) override {
    std::vector<std::uint8_t> req(data, data + n);
    const unsigned k = writes++;
    if (on_request) on_request(k, req);
    if (!req.empty()) in_->write(req.data(), req.size());
    // Collect the whole response now (the loopback answers synchronously).
    std::vector<std::uint8_t> resp;
    std::uint8_t buf[8192];
    for (std::size_t got; (got = in_->read(buf, sizeof buf, milliseconds(0))) > 0;)
      resp.insert(resp.end(), buf, buf + got);
    if (on_response) on_response(k, resp);
    pending_.insert(pending_.end(), resp.begin(), resp.end());
  }
  std::size_t read(std::uint8_t* buf, std::size_t cap, milliseconds timeout) override {
    if (pending_.empty()) {
      std::uint8_t tmp[8192];
      const auto got = in_->read(tmp, sizeof tmp, timeout);  // a late answer after a gap flush
      pending_.insert(pending_.end(), tmp, tmp + got);
      if (pending_.empty()) return 0;
    }
    const std::size_t n = std::min(cap, pending_.size());
    std::copy(pending_.begin(), pending_.begin() + static_cast<long>(n), buf);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
    return n;
  }
  void close() override { in_->close(); }
  std::string describe() const override { return "faulty"; }

 private:
  std::unique_ptr<Transport> in_;
  std::deque<std::uint8_t> pending_;
};

struct Rig {
  Rig() {
    auto f = std::make_unique<FaultyTransport>(
        lpu::driver::open_golden_transport(lpu::config_by_name("base")));
    ft = f.get();
    ClientOptions c;
    c.response_timeout = milliseconds(150);
    dev = std::make_unique<FrameDevice>(std::move(f), nullptr, lpu::driver::FrameDeviceOptions{c});
    ft->writes = 0;
  }
  FaultyTransport* ft;
  std::unique_ptr<FrameDevice> dev;
};

}  // namespace

TEST_CASE("client: a request damaged on the way is answered BAD_CRC and repeated", "[client]") {
  Rig r;
  r.ft->on_request = [](unsigned k, std::vector<std::uint8_t>& b) {
    if (k == 0) b[b.size() - 6] ^= 0x10;  // payload byte of the first WRITE_MEM
  };
  const std::vector<std::uint8_t> data(16, 0x42);
  r.dev->write_space(MemSpace::sram, 0, 0, data.data(), data.size());
  CHECK(r.dev->client().stats().retries == 1);
  CHECK(r.dev->read_space(MemSpace::sram, 0, 0, 16) == data);
}

TEST_CASE("client: lost and damaged responses of repeatable requests are retried after a resync",
          "[client]") {
  Rig r;
  const char* what = "";
  SECTION("lost") {
    what = "lost";
    r.ft->on_response = [](unsigned k, std::vector<std::uint8_t>& b) {
      if (k == 0) b.clear();
    };
  }
  SECTION("damaged") {
    what = "damaged";
    r.ft->on_response = [](unsigned k, std::vector<std::uint8_t>& b) {
      if (k == 0) b[20] ^= 0x01;
    };
  }
  SECTION("cut short") {
    what = "cut";
    r.ft->on_response = [](unsigned k, std::vector<std::uint8_t>& b) {
      if (k == 0) b.resize(b.size() / 2);
    };
  }
  INFO(what);
  const std::vector<std::uint8_t> data(32, 0x17);
  r.dev->client().call(lpu::proto::Cmd::status, {});  // request 0 (faulty), retried as 1
  CHECK(r.dev->client().stats().retries == 1);
  r.dev->write_space(MemSpace::sram, 3, 7, data.data(), data.size());
  CHECK(r.dev->read_space(MemSpace::sram, 3, 7, 32) == data);
  CHECK(r.dev->client().stats().retries == 1);
}

TEST_CASE("client: persistent loss ends in an error naming the request and the attempts",
          "[client]") {
  Rig r;
  r.ft->on_response = [](unsigned, std::vector<std::uint8_t>& b) { b.clear(); };
  CHECK_THROWS_WITH(r.dev->status(), Catch::Contains("faulty: STATUS: no response within") &&
                                         Catch::Contains("after 3 attempts"));
}

TEST_CASE("client: a lost RUN response is settled by STATUS.runs, never run twice", "[client]") {
  const auto p = lpu::assemble("li r1, 1\nhalt\n", "t.s", lpu::config_by_name("base"));
  SECTION("RUN executed, response lost: not repeated") {
    Rig r;
    r.dev->load(p);
    const unsigned run_req = r.ft->writes + 1;  // start(): STATUS, then RUN
    r.ft->on_response = [run_req](unsigned k, std::vector<std::uint8_t>& b) {
      if (k == run_req) b.clear();
    };
    r.dev->start();
    const auto st = r.dev->wait(milliseconds(2000));
    CHECK(st.state == ChipState::done);
    CHECK(st.runs == 1);
  }
  SECTION("RUN damaged on the way (BAD_CRC): repeated once") {
    Rig r;
    r.dev->load(p);
    const unsigned run_req = r.ft->writes + 1;
    r.ft->on_request = [run_req](unsigned k, std::vector<std::uint8_t>& b) {
      if (k == run_req) b.back() ^= 0x80;
    };
    r.dev->start();
    CHECK(r.dev->wait(milliseconds(2000)).runs == 1);
  }
  SECTION("RUN lost on the way: the device never saw it, so it is sent again") {
    Rig r;
    r.dev->load(p);
    const unsigned run_req = r.ft->writes + 1;
    r.ft->on_request = [run_req](unsigned k, std::vector<std::uint8_t>& b) {
      if (k == run_req) b.clear();
    };
    r.dev->start();
    CHECK(r.dev->wait(milliseconds(2000)).runs == 1);
  }
}

TEST_CASE("client: a stale response with another seq is ignored", "[client]") {
  Rig r;
  r.ft->on_response = [](unsigned k, std::vector<std::uint8_t>& b) {
    if (k != 0) return;
    Frame stale;
    stale.cmd = 0x86;
    stale.seq = 200;
    stale.payload = StatusPayload{}.encode();
    auto s = encode_frame(stale);
    s.insert(s.end(), b.begin(), b.end());
    b = s;
  };
  const auto st = r.dev->status();
  CHECK(st.state == ChipState::idle);
  CHECK(r.dev->client().stats().retries == 0);
}
