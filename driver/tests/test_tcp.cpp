// The TCP transport and server: connection errors, garbage and bad frames do not hang or end
// a connection, partial frames are given up after the gap, clients are served one after the
// other, a vanished server is a clear error.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "lpu/crc32.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/driver/tcp_server.hpp"
#include "lpu/error.hpp"

using namespace lpu::proto;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

struct Server {
  explicit Server(unsigned max_clients = 0)
      : be(lpu::config_by_name("base")), srv(be, [&] {
          lpu::driver::TcpServerOptions o;
          o.max_clients = max_clients;
          return o;
        }()) {
    th = std::thread([this] { srv.serve(); });
  }
  ~Server() {
    srv.stop();
    th.join();
  }
  std::unique_ptr<lpu::driver::Transport> connect() {
    return lpu::driver::open_tcp_transport("127.0.0.1", srv.port(), milliseconds(2000));
  }
  lpu::GoldenBackend be;
  lpu::driver::TcpServer srv;
  std::thread th;
};

std::vector<std::uint8_t> frame(std::uint8_t cmd, std::uint8_t seq,
                                std::vector<std::uint8_t> payload = {}) {
  Frame f;
  f.cmd = cmd;
  f.seq = seq;
  f.payload = std::move(payload);
  return encode_frame(f);
}

// Reads until `n` frames (or error events) arrived or the timeout passed.
std::vector<FrameDecoder::Event> receive(lpu::driver::Transport& t, std::size_t n,
                                         milliseconds timeout) {
  FrameDecoder d;
  std::vector<FrameDecoder::Event> ev;
  const auto deadline = Clock::now() + timeout;
  std::uint8_t buf[8192];
  while (ev.size() < n && Clock::now() < deadline) {
    const auto k = t.read(buf, sizeof buf, milliseconds(20));
    for (auto& e : d.feed(buf, k)) ev.push_back(std::move(e));
  }
  return ev;
}

}  // namespace

TEST_CASE("tcp: connection failures are clear and fast", "[tcp]") {
  const auto t0 = Clock::now();
  CHECK_THROWS_WITH(lpu::driver::open_transport("tcp://127.0.0.1:1"),
                    Catch::Contains("tcp://127.0.0.1:1: cannot connect") &&
                        Catch::Contains("sim-server --port 1"));
  CHECK(Clock::now() - t0 < milliseconds(1000));
  CHECK_THROWS_WITH(lpu::driver::open_transport("tcp://no-such-host.invalid:5000"),
                    Catch::Contains("cannot resolve host"));
  CHECK_THROWS_WITH(lpu::driver::open_transport("tcp://127.0.0.1"),
                    Catch::Contains("expected tcp://HOST:PORT"));
  CHECK_THROWS_WITH(lpu::driver::open_transport("tcp://127.0.0.1:70000"),
                    Catch::Contains("not 1..65535"));
  CHECK_THROWS_WITH(lpu::driver::open_transport("serial:/dev/ttyUSB0"),
                    Catch::Contains("unknown device"));
}

TEST_CASE("tcp: garbage and bad frames are answered or skipped, the connection survives", "[tcp]") {
  Server s;
  auto t = s.connect();
  // Garbage (with sync look-alikes), then STATUS.
  std::vector<std::uint8_t> g = {1, 2, 3, 0xA5, 0xA5, 0x5A, 0, 0, 9, 0xA5};
  for (int i = 0; i < 5000; ++i) g.push_back(static_cast<std::uint8_t>(i * 7));
  const auto st = frame(0x06, 1);
  g.insert(g.end(), st.begin(), st.end());
  t->write(g.data(), g.size());
  auto ev = receive(*t, 1, milliseconds(2000));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].frame.seq == 1);
  CHECK(ev[0].frame.status == 0);

  // A damaged frame gets BAD_CRC and the next one is served.
  auto bad = frame(0x01, 2);
  bad.back() ^= 0xFF;
  const auto good = frame(0x01, 3);
  bad.insert(bad.end(), good.begin(), good.end());
  t->write(bad.data(), bad.size());
  ev = receive(*t, 2, milliseconds(2000));
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].frame.seq == 2);
  CHECK(static_cast<Status>(ev[0].frame.status) == Status::bad_crc);
  CHECK(ev[1].frame.seq == 3);
  CHECK(ev[1].frame.status == 0);

  // Unknown command, then an oversized-length header: each answered.
  auto u = frame(0x3F, 4);
  std::vector<std::uint8_t> h = {0xA5, 0x5A, 0x02, 5, 0xFF, 0xFF, 0, 0};
  put_u32(h, lpu::crc32(h.data(), 8));
  u.insert(u.end(), h.begin(), h.end());
  t->write(u.data(), u.size());
  ev = receive(*t, 2, milliseconds(2000));
  REQUIRE(ev.size() == 2);
  CHECK(static_cast<Status>(ev[0].frame.status) == Status::unknown_command);
  CHECK(static_cast<Status>(ev[1].frame.status) == Status::bad_length);
}

TEST_CASE("tcp: a partial frame is given up after the gap, a frame it swallowed is still answered",
          "[tcp]") {
  Server s;
  auto t = s.connect();
  // A header announcing 4000 bytes that never come, followed by a complete STATUS request.
  const auto big = frame(0x02, 1, std::vector<std::uint8_t>(4000, 0));
  std::vector<std::uint8_t> b(big.begin(), big.begin() + 12);
  const auto st = frame(0x06, 2);
  b.insert(b.end(), st.begin(), st.end());
  const auto t0 = Clock::now();
  t->write(b.data(), b.size());
  const auto ev = receive(*t, 1, milliseconds(3000));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].frame.seq == 2);
  CHECK(Clock::now() - t0 >= milliseconds(90));  // answered after T_GAP
  // Then the link is normal again.
  const auto again = frame(0x06, 3);
  t->write(again.data(), again.size());
  CHECK(receive(*t, 1, milliseconds(2000)).size() == 1);
}

TEST_CASE("tcp: clients are served one after another, chip state persists", "[tcp]") {
  Server s(3);
  {
    lpu::driver::FrameDevice d(s.connect());
    d.write_space(MemSpace::sram, 1, 2, std::vector<std::uint8_t>(16, 0x5C).data(), 16);
    // Leave a partial frame behind when disconnecting.
    const auto half = frame(0x06, 9);
    d.client().transport().write(half.data(), 7);
  }
  {
    lpu::driver::FrameDevice d(s.connect());  // not confused by the previous client's half frame
    CHECK(d.read_space(MemSpace::sram, 1, 2, 16) == std::vector<std::uint8_t>(16, 0x5C));
  }
  auto third = s.connect();
  auto fourth = s.connect();  // queued until the third leaves
  const auto st = frame(0x06, 1);
  fourth->write(st.data(), st.size());
  CHECK(receive(*fourth, 1, milliseconds(200)).empty());
  third->close();
  // The server stops after three clients: the fourth is never served.
  CHECK(receive(*fourth, 1, milliseconds(300)).empty());
  for (int i = 0; i < 100 && s.srv.clients_served() < 3; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  CHECK(s.srv.clients_served() == 3);
}

TEST_CASE("tcp: a server that goes away is a clear error on the client", "[tcp]") {
  auto s = std::make_unique<Server>(1);
  lpu::driver::FrameDevice d(s->connect());
  CHECK(d.status().state == ChipState::idle);
  s->srv.stop();  // the server drops the connection
  s.reset();
  CHECK_THROWS_WITH(
      d.status(), Catch::Contains("tcp://127.0.0.1:") && (Catch::Contains("closed by the server") ||
                                                          Catch::Contains("connection lost")));
}
