// Frame codec and streaming decoder: layout against hand-built bytes, round trips in random
// chunkings, garbage, truncation at every length, every single-bit flip, length bound.
#include <catch2/catch.hpp>
#include <cstring>
#include <random>

#include "lpu/crc32.hpp"
#include "lpu/error.hpp"
#include "lpu/protocol.hpp"

using namespace lpu::proto;
using Kind = FrameDecoder::Event::Kind;

namespace {

Frame make_frame(std::uint8_t cmd, std::uint8_t seq, std::vector<std::uint8_t> payload,
                 std::uint8_t status = 0) {
  Frame f;
  f.cmd = cmd;
  f.seq = seq;
  f.status = status;
  f.payload = std::move(payload);
  return f;
}

bool same(const Frame& a, const Frame& b) {
  return a.cmd == b.cmd && a.seq == b.seq && a.status == b.status && a.flags == b.flags &&
         a.payload == b.payload;
}

std::vector<std::uint8_t> rand_bytes(std::size_t n, std::mt19937& rng) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// Feeds `bytes` in pieces of random size; returns every event, then the flush's.
std::vector<FrameDecoder::Event> decode_all(FrameDecoder& d, const std::vector<std::uint8_t>& bytes,
                                            std::mt19937& rng, bool flush = true) {
  std::vector<FrameDecoder::Event> all;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t n = std::min<std::size_t>(bytes.size() - i, 1 + rng() % 700);
    for (auto& e : d.feed(bytes.data() + i, n)) all.push_back(std::move(e));
    i += n;
  }
  if (flush) {
    for (auto& e : d.flush()) all.push_back(std::move(e));
  }
  return all;
}

std::vector<Frame> frames_of(const std::vector<FrameDecoder::Event>& ev) {
  std::vector<Frame> f;
  for (const auto& e : ev) {
    if (e.kind == Kind::frame) f.push_back(e.frame);
  }
  return f;
}

}  // namespace

TEST_CASE("codec: CRC-32 is the IEEE check value", "[codec]") {
  const char* s = "123456789";
  CHECK(lpu::crc32(reinterpret_cast<const std::uint8_t*>(s), 9) == 0xCBF43926u);
}

TEST_CASE("codec: frame layout matches docs/host-protocol.md byte for byte", "[codec]") {
  const auto bytes = encode_frame(make_frame(0x83, 0x11, {0xDE, 0xAD, 0xBE}, 4));
  REQUIRE(bytes.size() == 12 + 3 + 4);
  const std::vector<std::uint8_t> head = {0xA5, 0x5A, 0x83, 0x11, 0x03, 0x00, 0x04, 0x00};
  CHECK(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 8) == head);
  const std::uint32_t hcrc = lpu::crc32(head.data(), 8);
  CHECK(bytes[8] == (hcrc & 0xFF));
  CHECK(bytes[11] == (hcrc >> 24));
  CHECK(bytes[12] == 0xDE);
  CHECK(bytes[14] == 0xBE);
  const std::uint32_t fcrc = lpu::crc32(bytes.data(), 15);
  CHECK(get_u32(&bytes[15]) == fcrc);
  CHECK_THROWS_WITH(encode_frame(make_frame(2, 0, std::vector<std::uint8_t>(kMaxPayload + 1))),
                    Catch::Contains("exceeds the maximum 4104"));
  CHECK(kMaxFrame == 4120);
}

TEST_CASE("codec: frames round-trip through any chunking", "[codec]") {
  std::mt19937 rng(1);
  std::vector<Frame> sent;
  std::vector<std::uint8_t> stream;
  const std::size_t sizes[] = {0, 1, 4, 12, 13, 255, 4096, kMaxPayload};
  for (int i = 0; i < 60; ++i) {
    const std::size_t n = i < 8 ? sizes[i] : rng() % 300;
    sent.push_back(make_frame(static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(i),
                              rand_bytes(n, rng), static_cast<std::uint8_t>(rng() % 8)));
    const auto b = encode_frame(sent.back());
    stream.insert(stream.end(), b.begin(), b.end());
  }
  for (int trial = 0; trial < 5; ++trial) {
    FrameDecoder d;
    const auto ev = decode_all(d, stream, rng);
    REQUIRE(ev.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
      CHECK(ev[i].kind == Kind::frame);
      CHECK(same(ev[i].frame, sent[i]));
    }
    CHECK(d.discarded() == 0);
    CHECK_FALSE(d.mid_frame());
  }
  // Byte by byte.
  FrameDecoder d;
  std::size_t got = 0;
  for (auto b : stream) got += d.feed(&b, 1).size();
  CHECK(got == sent.size());
}

TEST_CASE("codec: random garbage between frames is skipped and never yields a frame", "[codec]") {
  std::mt19937 rng(2);
  std::vector<Frame> sent;
  std::vector<std::uint8_t> stream;
  for (int i = 0; i < 40; ++i) {
    auto g = rand_bytes(rng() % 200, rng);
    if (i % 5 == 0) g.insert(g.end(), {kSync0, kSync1, kSync0});  // sync look-alikes
    if (i % 7 == 0) g.push_back(kSync0);
    stream.insert(stream.end(), g.begin(), g.end());
    sent.push_back(make_frame(0x06, static_cast<std::uint8_t>(i), rand_bytes(rng() % 64, rng)));
    const auto b = encode_frame(sent.back());
    stream.insert(stream.end(), b.begin(), b.end());
  }
  FrameDecoder d;
  const auto ev = decode_all(d, stream, rng);
  const auto got = frames_of(ev);
  REQUIRE(got.size() == sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) CHECK(same(got[i], sent[i]));

  // Pure garbage: nothing, and the decoder holds at most one maximal frame.
  FrameDecoder g;
  std::size_t max_held = 0, frames = 0;
  for (int i = 0; i < 256; ++i) {
    const auto chunk = rand_bytes(4096, rng);
    frames += frames_of(g.feed(chunk.data(), chunk.size())).size();
    max_held = std::max(max_held, g.held());
  }
  CHECK(frames == 0);
  CHECK(max_held < kMaxFrame);
}

TEST_CASE("codec: a frame truncated at every length never decodes, the next frame is found",
          "[codec]") {
  std::mt19937 rng(3);
  const Frame victim = make_frame(0x02, 1, rand_bytes(40, rng));
  const Frame good = make_frame(0x06, 2, {});
  const auto vb = encode_frame(victim);
  const auto gb = encode_frame(good);
  for (std::size_t cut = 0; cut < vb.size(); ++cut) {
    std::vector<std::uint8_t> s(vb.begin(), vb.begin() + static_cast<long>(cut));
    s.insert(s.end(), gb.begin(), gb.end());
    FrameDecoder d;
    const auto got = frames_of(decode_all(d, s, rng));
    INFO("cut at " << cut);
    REQUIRE(got.size() == 1);
    CHECK(same(got[0], good));
  }
  // A truncated maximal frame (header only) holding a small good frame: found by the flush
  // after the gap, not lost.
  const auto big = encode_frame(make_frame(0x02, 3, std::vector<std::uint8_t>(4000, 0x11)));
  std::vector<std::uint8_t> s(big.begin(), big.begin() + 12);
  s.insert(s.end(), gb.begin(), gb.end());
  FrameDecoder d;
  CHECK(frames_of(d.feed(s.data(), s.size())).empty());  // still waiting for 4000 bytes
  CHECK(d.mid_frame());
  const auto later = frames_of(d.flush());
  REQUIRE(later.size() == 1);
  CHECK(same(later[0], good));
  CHECK_FALSE(d.mid_frame());
}

TEST_CASE("codec: every single-bit flip is detected, the following frame still decodes",
          "[codec]") {
  std::mt19937 rng(4);
  const Frame orig = make_frame(0x02, 9, rand_bytes(37, rng));
  const Frame good = make_frame(0x06, 10, {1, 2, 3});
  const auto ob = encode_frame(orig);
  const auto gb = encode_frame(good);
  unsigned bad_crc_events = 0;
  for (std::size_t bit = 0; bit < ob.size() * 8; ++bit) {
    auto s = ob;
    s[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    s.insert(s.end(), gb.begin(), gb.end());
    FrameDecoder d;
    const auto ev = decode_all(d, s, rng);
    const auto got = frames_of(ev);
    INFO("bit " << bit);
    REQUIRE(got.size() == 1);  // never the damaged frame, always the good one
    CHECK(same(got[0], good));
    for (const auto& e : ev) bad_crc_events += e.kind == Kind::bad_crc;
  }
  // Flips in the payload or fcrc (not the header) are reported as bad_crc with cmd/seq.
  CHECK(bad_crc_events == (37 + 4) * 8);

  // Random multi-bit damage (bursts up to 32 bits are always detected by CRC-32).
  for (int t = 0; t < 2000; ++t) {
    auto s = ob;
    const std::size_t start = rng() % (s.size() * 8 - 32);
    const unsigned len = 1 + rng() % 32;
    for (unsigned k = 0; k < len; ++k) {
      if (k == 0 || k == len - 1 || (rng() & 1))
        s[(start + k) / 8] ^= static_cast<std::uint8_t>(1u << ((start + k) % 8));
    }
    FrameDecoder d;
    for (const auto& f : frames_of(decode_all(d, s, rng)))
      CHECK(same(f, orig));  // identical only if undamaged
  }
}

TEST_CASE("codec: a length above the bound is reported at once, without waiting", "[codec]") {
  // A genuine header (valid hcrc) that announces 5000 bytes.
  std::vector<std::uint8_t> h = {kSync0, kSync1, 0x02, 0x33, 0x88, 0x13, 0, 0};
  put_u32(h, lpu::crc32(h.data(), 8));
  const auto gb = encode_frame(make_frame(0x06, 1, {}));
  std::vector<std::uint8_t> s = h;
  s.insert(s.end(), gb.begin(), gb.end());
  FrameDecoder d;
  const auto ev = d.feed(s.data(), s.size());
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].kind == Kind::bad_length);
  CHECK(ev[0].len == 5000);
  CHECK(ev[0].frame.seq == 0x33);
  CHECK(ev[1].kind == Kind::frame);
  // A device with a smaller buffer bounds lower.
  FrameDecoder small(256 + kMemHeaderBytes);
  const auto big = encode_frame(make_frame(0x02, 4, std::vector<std::uint8_t>(300)));
  const auto ev2 = small.feed(big.data(), 12);
  REQUIRE(ev2.size() == 1);
  CHECK(ev2[0].kind == Kind::bad_length);
}

TEST_CASE("codec: payload structs round-trip and reject wrong sizes", "[codec]") {
  const auto& base = lpu::config_by_name("base");
  auto info = InfoPayload::for_config(base);
  info.features = kFeatAbort | kFeatEmulated;
  info.clock_hz = 123;
  const auto ib = info.encode();
  REQUIRE(ib.size() == InfoPayload::kBytes);
  const auto i2 = InfoPayload::decode(ib);
  CHECK(i2.config_id == 2);
  CHECK(i2.lanes == 16);
  CHECK(i2.bank_depth == 2048);
  CHECK(i2.features == info.features);
  CHECK(i2.clock_hz == 123);
  CHECK(&i2.check_config() == &base);
  CHECK(get_u32(&ib[8]) == 2);      // config_id at offset 8
  CHECK(get_u32(&ib[40]) == 4096);  // max_data at offset 40
  auto bad = i2;
  bad.lanes = 4;
  CHECK_THROWS_WITH(bad.check_config(), Catch::Contains("lanes 4 (expected 16)"));
  bad = i2;
  bad.config_id = 77;
  CHECK_THROWS_WITH(bad.check_config(), Catch::Contains("unknown configuration id 77"));
  bad = i2;
  bad.proto_major = 2;
  bad.proto_minor = 0;
  CHECK_THROWS_WITH(bad.check_config(), Catch::Contains("protocol 2.0, this host speaks 1.1"));
  bad = i2;
  bad.max_data = 1000;
  CHECK_THROWS_WITH(bad.check_config(), Catch::Contains("max_data 1000"));
  CHECK_THROWS_WITH(InfoPayload::decode({1, 2, 3}),
                    Catch::Contains("INFO response: payload has 3 bytes"));

  StatusPayload st;
  st.state = ChipState::error;
  st.error_code = 5;
  st.error_pc = 77;
  st.error_cycle = 0x123456789ull;
  st.cycles = 0x1234567890ull;
  st.program_len = 9;
  st.runs = 3;
  const auto sb = st.encode();
  REQUIRE(sb.size() == 32);
  CHECK(sb[0] == 3);
  CHECK(get_u64(&sb[8]) == 0x123456789ull);
  const auto s2 = StatusPayload::decode(sb);
  CHECK(s2.state == ChipState::error);
  CHECK(s2.error_code == 5);
  CHECK(s2.error_pc == 77);
  CHECK(s2.cycles == 0x1234567890ull);
  CHECK(s2.runs == 3);
  auto sbad = sb;
  sbad[0] = 9;
  CHECK_THROWS_WITH(StatusPayload::decode(sbad), Catch::Contains("state 9"));

  CounterArray c{};
  for (unsigned i = 0; i < c.size(); ++i) c[i] = 1000ull * i + (1ull << 40);
  const auto cb = encode_counters(c);
  CHECK(cb.size() == 8 + 8 * lpu::gen::kNumCounters);
  CHECK(decode_counters(cb) == c);
  CHECK_THROWS(decode_counters(std::vector<std::uint8_t>(cb.begin(), cb.end() - 1)));

  const ErrorPayload e{ErrField::bank, 16, 16};
  const auto e2 = ErrorPayload::decode(e.encode());
  CHECK(e2.field == ErrField::bank);
  CHECK(e2.value == 16);
  CHECK(describe_error(0x82, Status::bad_address, e2) ==
        "WRITE_MEM: BAD_ADDRESS: bank 16 (limit 16)");

  MemRequest r;
  r.space = MemSpace::acc;
  r.bank = 0;
  r.addr = 0x01020304;
  r.nbytes = 64;
  CHECK(r.encode_read() == std::vector<std::uint8_t>{1, 0, 0, 0, 4, 3, 2, 1, 64, 0, 0, 0});
}
