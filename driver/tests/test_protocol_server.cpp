// The protocol engine against raw frames: every error response (status, field, value, limit),
// the order of the checks, seq echo, several frames per read, failed requests without effect,
// DEVICE_ERROR from a failing backend.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "lpu/crc32.hpp"
#include "lpu/error.hpp"
#include "lpu/golden_backend.hpp"
#include "lpu/protocol_server.hpp"

using namespace lpu::proto;

namespace {

struct Engine {
  explicit Engine(lpu::GoldenBackendOptions o = {}) : be(lpu::config_by_name("base"), o), srv(be) {}
  // Sends raw bytes, returns the decoded responses.
  std::vector<Frame> send(const std::vector<std::uint8_t>& bytes) {
    const auto out = srv.feed(bytes.data(), bytes.size());
    FrameDecoder d;
    std::vector<Frame> r;
    for (auto& e : d.feed(out.data(), out.size())) {
      REQUIRE(e.kind == FrameDecoder::Event::Kind::frame);
      r.push_back(e.frame);
    }
    return r;
  }
  Frame call(std::uint8_t cmd, std::vector<std::uint8_t> payload, std::uint8_t seq = 7,
             std::uint8_t status = 0, std::uint8_t flags = 0) {
    Frame f;
    f.cmd = cmd;
    f.seq = seq;
    f.status = status;
    f.flags = flags;
    f.payload = std::move(payload);
    auto r = send(encode_frame(f));
    REQUIRE(r.size() == 1);
    CHECK(r[0].seq == seq);
    CHECK(r[0].cmd == (cmd | 0x80));
    return r[0];
  }
  lpu::GoldenBackend be;
  lpu::ProtocolServer srv;
};

std::vector<std::uint8_t> mem(std::uint8_t space, std::uint8_t bank, std::uint32_t addr,
                              std::uint16_t reserved = 0) {
  std::vector<std::uint8_t> v = {space, bank};
  put_u16(v, reserved);
  put_u32(v, addr);
  return v;
}
std::vector<std::uint8_t> rd(std::uint8_t space, std::uint8_t bank, std::uint32_t addr,
                             std::uint32_t n) {
  auto v = mem(space, bank, addr);
  put_u32(v, n);
  return v;
}
std::vector<std::uint8_t> wr(std::uint8_t space, std::uint8_t bank, std::uint32_t addr,
                             std::size_t n, std::uint8_t fill) {
  auto v = mem(space, bank, addr);
  v.insert(v.end(), n, fill);
  return v;
}

void expect_error(const Frame& r, Status s, ErrField f, std::uint32_t value, std::uint32_t limit) {
  CHECK(static_cast<Status>(r.status) == s);
  const auto e = ErrorPayload::decode(r.payload);
  CHECK(r.payload.size() == ErrorPayload::kBytes);
  CHECK(e.field == f);
  CHECK(e.value == value);
  CHECK(e.limit == limit);
}

}  // namespace

TEST_CASE("server: request validation answers each error with the field and values", "[server]") {
  Engine e;
  expect_error(e.call(0x00, {}), Status::unknown_command, ErrField::command, 0x00, 0);
  expect_error(e.call(0x0B, {}), Status::unknown_command, ErrField::command, 0x0B, 0);
  expect_error(e.call(0x86, {}), Status::unknown_command, ErrField::command, 0x86,
               0);  // a response
  expect_error(e.call(0x06, {}, 1, 3), Status::bad_argument, ErrField::header, 3, 0);
  expect_error(e.call(0x06, {}, 1, 0, 2), Status::bad_argument, ErrField::header, 0x200, 0);
  expect_error(e.call(0x06, {0}), Status::bad_length, ErrField::payload, 1, 0);
  CHECK(e.call(0x03, rd(0, 0, 0, 16)).payload.size() == 16);
  expect_error(e.call(0x03, mem(0, 0, 0)), Status::bad_length, ErrField::payload, 8, 12);
  expect_error(e.call(0x02, {0, 0, 0}), Status::bad_length, ErrField::payload, 3, 8);
  expect_error(e.call(0x04, {}), Status::bad_length, ErrField::payload, 0, 4);
  expect_error(e.call(0x03,
                      [] {
                        auto v = mem(0, 0, 0, 0x0100);
                        put_u32(v, 16);
                        return v;
                      }()),
               Status::bad_argument, ErrField::reserved, 0x0100, 0);
  expect_error(e.call(0x03, rd(4, 0, 0, 16)), Status::bad_address, ErrField::space, 4, 4);
  expect_error(e.call(0x03, rd(0, 8, 0, 16)), Status::bad_address, ErrField::bank, 8, 8);
  expect_error(e.call(0x03, rd(1, 1, 0, 64)), Status::bad_address, ErrField::bank, 1, 1);
  expect_error(e.call(0x03, rd(3, 0, 4096, 8)), Status::bad_address, ErrField::addr, 4096, 4096);
  expect_error(e.call(0x03, rd(0, 0, 0, 0)), Status::bad_address, ErrField::length, 0, 16);
  expect_error(e.call(0x03, rd(1, 0, 0, 32)), Status::bad_address, ErrField::length, 32, 64);
  expect_error(e.call(0x03, rd(0, 0, 0, 4112)), Status::bad_address, ErrField::length, 4112, 4096);
  expect_error(e.call(0x03, rd(2, 0, 1000, 64)), Status::bad_address, ErrField::length, 64, 48);
  expect_error(e.call(0x02, wr(0, 3, 2047, 32, 1)), Status::bad_address, ErrField::length, 32, 16);
  expect_error(e.call(0x04, {0x01, 0x10, 0, 0}), Status::bad_address, ErrField::prog_len, 4097,
               4096);
  CHECK(e.srv.error_responses() == 20);
}

TEST_CASE(
    "server: damaged frames get BAD_CRC / BAD_LENGTH with the seq, a refused write has no effect",
    "[server]") {
  Engine e;
  Frame f;
  f.cmd = 0x02;
  f.seq = 0x44;
  f.payload = wr(0, 2, 5, 16, 0xAB);
  auto bytes = encode_frame(f);
  bytes[14] ^= 0x01;  // payload damage
  auto r = e.send(bytes);
  REQUIRE(r.size() == 1);
  CHECK(r[0].seq == 0x44);
  CHECK(static_cast<Status>(r[0].status) == Status::bad_crc);
  CHECK(ErrorPayload::decode(r[0].payload).value == get_u32(&bytes[bytes.size() - 4]));
  // Nothing was written.
  const auto back = e.call(0x03, rd(0, 2, 5, 16));
  CHECK(back.payload == std::vector<std::uint8_t>(16, 0));

  // A genuine header announcing more than MAX_PAYLOAD.
  std::vector<std::uint8_t> h = {0xA5, 0x5A, 0x02, 0x45, 0x09, 0x10, 0, 0};  // len 4105
  put_u32(h, lpu::crc32(h.data(), 8));
  r = e.send(h);
  REQUIRE(r.size() == 1);
  expect_error(r[0], Status::bad_length, ErrField::length, 4105, 4104);
  CHECK(r[0].seq == 0x45);

  // BUSY comes before the address checks; a refused request has no effect.
  lpu::GoldenBackendOptions paced;
  paced.clock_hz = 1000;  // 1 kHz: the run below lasts ~1 min unless aborted
  Engine p(paced);
  std::vector<std::uint8_t> prog;
  put_u64(prog, (std::uint64_t{0x01} << 56) | 0xFFFF);  // nop 65536
  put_u64(prog, 0);                                     // halt
  CHECK(p.call(0x02,
               [&] {
                 auto v = mem(3, 0, 0);
                 v.insert(v.end(), prog.begin(), prog.end());
                 return v;
               }())
            .status == 0);
  CHECK(p.call(0x04, {2, 0, 0, 0}).status == 0);
  CHECK(p.call(0x05, {}).status == 0);
  expect_error(p.call(0x03, rd(0, 99, 0, 16)), Status::busy, ErrField::command, 0x03, 1);
  expect_error(p.call(0x04, {1, 0, 0, 0}), Status::busy, ErrField::command, 0x04, 1);
  expect_error(p.call(0x05, {}), Status::busy, ErrField::command, 0x05, 1);
  const auto st = StatusPayload::decode(p.call(0x06, {}).payload);
  CHECK(st.state == ChipState::running);
  CHECK(st.program_len == 2);
  CHECK(st.runs == 1);
  CHECK(p.call(0x09, {}).status == 0);
  for (int i = 0;
       i < 2000 && StatusPayload::decode(p.call(0x06, {}).payload).state == ChipState::running;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the model's worker finishing
  }
  const auto st2 = StatusPayload::decode(p.call(0x06, {}).payload);
  CHECK(st2.state == ChipState::error);
  CHECK(st2.error_code == static_cast<unsigned>(lpu::ErrorCode::aborted));
  CHECK(p.call(0x08, {}).status == 0);  // RESET
  const auto st3 = StatusPayload::decode(p.call(0x06, {}).payload);
  CHECK(st3.state == ChipState::idle);
  CHECK(st3.runs == 0);
  CHECK(st3.program_len == 0);
}

TEST_CASE("server: several frames in one read are answered in order, INFO, gap timeout",
          "[server]") {
  Engine e;
  std::vector<std::uint8_t> s;
  for (std::uint8_t i = 0; i < 5; ++i) {
    Frame f;
    f.cmd = i % 2 ? 0x06 : 0x01;
    f.seq = i;
    const auto b = encode_frame(f);
    s.insert(s.end(), b.begin(), b.end());
  }
  const auto r = e.send(s);
  REQUIRE(r.size() == 5);
  for (std::uint8_t i = 0; i < 5; ++i) {
    CHECK(r[i].seq == i);
    CHECK(r[i].status == 0);
    CHECK(r[i].payload.size() == (i % 2 ? StatusPayload::kBytes : InfoPayload::kBytes));
  }
  const auto info = InfoPayload::decode(r[0].payload);
  CHECK(info.config_id == 2);
  CHECK(info.features == (kFeatAbort | kFeatImemReadable | kFeatEmulated | kFeatLinkStatus));
  CHECK(info.gap_timeout_ms == 100);

  // Half a frame, then the gap: nothing is answered and the engine is clean again.
  Frame f;
  f.cmd = 0x06;
  f.seq = 9;
  const auto b = encode_frame(f);
  CHECK(e.srv.feed(b.data(), 10).empty());
  CHECK(e.srv.mid_frame());
  CHECK(e.srv.gap_timeout().empty());
  CHECK_FALSE(e.srv.mid_frame());
  CHECK(e.send(b).size() == 1);
}

namespace {

// A backend whose memory access fails (an internal model error).
struct BrokenBackend : lpu::GoldenBackend {
  BrokenBackend() : GoldenBackend(lpu::config_by_name("tiny")) {}
  void read_mem(MemSpace, std::uint32_t, std::uint32_t, std::uint8_t*, std::size_t) override {
    throw lpu::Error("model exploded");
  }
};

}  // namespace

TEST_CASE("server: a backend exception is answered DEVICE_ERROR and logged", "[server]") {
  BrokenBackend be;
  lpu::ProtocolServer srv(be);
  Frame f;
  f.cmd = 0x03;
  f.seq = 1;
  f.payload = rd(0, 0, 0, 4);
  const auto bytes = encode_frame(f);
  const auto out = srv.feed(bytes.data(), bytes.size());
  FrameDecoder d;
  const auto ev = d.feed(out.data(), out.size());
  REQUIRE(ev.size() == 1);
  CHECK(static_cast<Status>(ev[0].frame.status) == Status::device_error);
  CHECK(srv.take_device_error() == "READ_MEM: model exploded");
  CHECK(srv.take_device_error().empty());
}
