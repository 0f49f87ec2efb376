// The FTDI USB transport against a scripted fake libusb: device selection and its errors,
// the UART setup requests, baud divisors (values from FTDI AN232B-05 and worked by hand),
// modem-status stripping across packet boundaries, short reads, timeouts, disconnects.
#include <catch2/catch.hpp>
#include <chrono>

#include "fake_usb.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/error.hpp"

using namespace lpu::driver::usb;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::unique_ptr<lpu::driver::Transport> open_fake(std::shared_ptr<fake::FakeUsb> u,
                                                  FtdiOptions o = {}) {
  return open_ftdi_transport(std::move(u), o);
}

std::string open_error(std::shared_ptr<fake::FakeUsb> u, FtdiOptions o = {}) {
  try {
    open_fake(std::move(u), o);
  } catch (const lpu::Error& e) {
    return e.what();
  }
  return "(opened)";
}

std::vector<std::uint8_t> seq_bytes(std::size_t n, std::uint8_t start = 0) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(start + i);
  return v;
}

}  // namespace

TEST_CASE("usb: URIs", "[usb]") {
  CHECK(parse_usb_uri("usb").vid == 0);
  const auto o = parse_usb_uri("usb:0403:6010:FT4ABCD");
  CHECK(o.vid == 0x0403);
  CHECK(o.pid == 0x6010);
  CHECK(o.serial == "FT4ABCD");
  CHECK(parse_usb_uri("usb:403:6015").pid == 0x6015);
  CHECK_THROWS_WITH(parse_usb_uri("usb:0403"), Catch::Contains("expected usb, usb:VID:PID"));
  CHECK_THROWS_WITH(parse_usb_uri("usb:xyz:6015"), Catch::Contains("VID 'xyz'"));
  CHECK_THROWS_WITH(parse_usb_uri("usb:0403:60150"), Catch::Contains("PID '60150'"));
  CHECK_THROWS_WITH(parse_usb_uri("usb:0403:6015:"), Catch::Contains("empty serial"));
  CHECK(lpu::driver::is_transport_uri("usb:0403:6015"));
  // "sim" is the driver's in-process RTL transport (helper H); something unknown is not a URI.
  CHECK_FALSE(lpu::driver::is_transport_uri("simulator"));
}

TEST_CASE("usb: baud divisors", "[usb]") {
  // FT-X / BM class, 3 MHz base (AN232B-05: 9600 -> 0x4138, 115200 -> 0x001A; 3M and 2M are
  // the special divisors 0 and 1).
  auto x = ftdi_baud_divisor(9600, false, 1);
  CHECK(x.value == 0x4138);
  CHECK(x.index == 0);
  CHECK(ftdi_baud_divisor(115200, false, 1).value == 0x001A);
  CHECK(ftdi_baud_divisor(3000000, false, 1).value == 0);
  CHECK(ftdi_baud_divisor(3000000, false, 1).actual == 3000000);
  CHECK(ftdi_baud_divisor(2000000, false, 1).value == 1);
  CHECK(ftdi_baud_divisor(1000000, false, 1).value == 3);
  // 300 baud: divisor 10000 = 0x2710, no fraction; the third fraction bit would go to wIndex.
  CHECK(ftdi_baud_divisor(300, false, 1).value == 0x2710);
  // H class, 12 MHz base with bit 17 set, which lands in wIndex bit 9; port in wIndex's low byte.
  auto h = ftdi_baud_divisor(3000000, true, 2);  // divisor 4
  CHECK(h.value == 0x0004);
  CHECK(h.index == 0x0202);
  CHECK(h.actual == 3000000);
  h = ftdi_baud_divisor(12000000, true, 1);  // divisor 1 -> code 0
  CHECK(h.value == 0x0000);
  CHECK(h.index == 0x0201);
  h = ftdi_baud_divisor(115200, true, 2);  // 104.125 -> 104 | code(1/8)=3 << 14
  CHECK(h.value == 0xC068);
  CHECK(h.index == 0x0202);
  CHECK(ftdi_baud_divisor(300, true, 2).index == 0x0002);  // below 1200: 3 MHz base, no clock bit
  CHECK_THROWS_WITH(ftdi_baud_divisor(5000000, false, 1), Catch::Contains("not reachable"));
  CHECK_THROWS(ftdi_baud_divisor(0, false, 1));
}

TEST_CASE("usb: a missing board is a clear error within a second", "[usb]") {
  auto u = std::make_shared<fake::FakeUsb>();
  const auto t0 = Clock::now();
  const auto msg = open_error(u);
  CHECK(Clock::now() - t0 < milliseconds(1000));
  CHECK_THAT(msg, Catch::Contains("no LPU board found") && Catch::Contains("0403:6015 FT231X") &&
                      Catch::Contains("0403:6010 FT2232H") && Catch::Contains("99-lpu.rules"));
  u->devices = {fake::ft231x("A")};
  FtdiOptions o;
  o.vid = 0x0403;
  o.pid = 0x6015;
  o.serial = "B";
  CHECK_THAT(open_error(u, o), Catch::Contains("with serial B"));
  CHECK(u->opens == 0);
}

TEST_CASE("usb: several boards, permissions, busy interface", "[usb]") {
  auto u = std::make_shared<fake::FakeUsb>();
  u->devices = {fake::ft231x("AAA"), fake::ft2232h("BBB")};
  CHECK_THAT(open_error(u), Catch::Contains("2 boards found") && Catch::Contains("serial AAA") &&
                                Catch::Contains("serial BBB"));
  FtdiOptions o;
  o.vid = 0x0403;
  o.pid = 0x6010;
  CHECK(open_error(u, o) == "(opened)");
  u->open_rc = kErrAccess;
  CHECK_THAT(open_error(u, o),
             Catch::Contains("permission denied") && Catch::Contains("99-lpu.rules"));
  u->open_rc = kOk;
  u->state->claim_rc = kErrBusy;
  CHECK_THAT(open_error(u, o), Catch::Contains("interface B is in use by another program"));
  u->state->claim_rc = kOk;
  u->state->control_rc = kErrPipe;
  CHECK_THAT(open_error(u, o),
             Catch::Contains("reset failed") && Catch::Contains("LIBUSB_ERROR_PIPE"));
}

TEST_CASE("usb: UART setup requests (FT231X port A, FT2232H port B)", "[usb]") {
  auto u = std::make_shared<fake::FakeUsb>();
  u->devices = {fake::ft231x()};
  auto t = open_fake(u);
  const auto& c = u->state->controls;
  REQUIRE(c.size() == 9);
  CHECK(c[0].request == 0x00);  // reset
  CHECK(c[1].request == 0x0B);  // bitmode: UART
  CHECK(c[1].value == 0);
  CHECK(c[2].request == 0x04);  // 8N1
  CHECK(c[2].value == 0x0008);
  CHECK(c[3].request == 0x02);  // no flow control
  CHECK(c[3].value == 0);
  CHECK(c[3].index == 1);
  CHECK(c[4].request == 0x03);  // 3 Mbaud
  CHECK(c[4].value == 0);
  CHECK(c[4].index == 0);
  CHECK(c[5].request == 0x09);  // latency timer 1 ms
  CHECK(c[5].value == 1);
  CHECK(c[7].request == 0x00);  // purge RX, TX
  CHECK(c[7].value == 1);
  CHECK(c[8].value == 2);
  CHECK(u->state->claimed == std::vector<int>{0});
  CHECK(t->describe() == "usb:0403:6015:LPU0001");
  CHECK(t->byte_rate() == Approx(300000));
  t->close();
  CHECK(u->state->released == std::vector<int>{0});
  CHECK_THROWS_WITH(t->read(nullptr, 0, milliseconds(1)), Catch::Contains("closed"));

  auto u2 = std::make_shared<fake::FakeUsb>();
  u2->devices = {fake::ft2232h()};
  auto t2 = open_fake(u2);
  CHECK(u2->state->claimed == std::vector<int>{1});
  CHECK(u2->state->controls[0].index == 2);
  CHECK(u2->state->controls[4].index == 0x0202);
  // OUT goes to endpoint 0x04 on port B: the fake sees OUT bytes.
  const auto data = seq_bytes(10);
  t2->write(data.data(), data.size());
  CHECK(u2->state->out == data);
}

TEST_CASE("usb: modem-status bytes are stripped from every packet, across transfers", "[usb]") {
  for (int packet : {64, 512}) {
    DYNAMIC_SECTION("packet " << packet) {
      auto u = std::make_shared<fake::FakeUsb>();
      u->devices = {fake::ft231x()};
      u->state->packet = packet;
      auto t = open_fake(u);
      const auto payload =
          seq_bytes(3 * (packet - 2) + 17, 5);  // three full packets and a short one
      const auto raw = fake::packets(payload, packet);
      REQUIRE(raw.size() == payload.size() + 4 * 2);
      // Split the raw stream over two transfers at a packet boundary.
      const std::size_t split = 2 * static_cast<std::size_t>(packet);
      u->state->in_script.push_back({kOk, {raw.begin(), raw.begin() + static_cast<long>(split)}});
      u->state->in_script.push_back({kOk, {0x01, 0x60}});  // a status-only packet: no data
      u->state->in_script.push_back({kOk, {raw.begin() + static_cast<long>(split), raw.end()}});
      std::vector<std::uint8_t> got(payload.size() + 100);
      std::size_t n = 0;
      while (n < payload.size()) {
        const std::size_t k = t->read(got.data() + n, got.size() - n, milliseconds(200));
        REQUIRE(k > 0);
        n += k;
      }
      got.resize(n);
      CHECK(got == payload);
    }
  }
}

TEST_CASE("usb: short reads, timeouts with and without data", "[usb]") {
  auto u = std::make_shared<fake::FakeUsb>();
  u->devices = {fake::ft231x()};
  auto t = open_fake(u);
  auto& st = *u->state;
  // Several status-only packets before the data (an idle FTDI answers every latency period).
  for (int i = 0; i < 3; ++i) st.in_script.push_back({kOk, {0x01, 0x60}});
  st.in_script.push_back({kOk, fake::packets(seq_bytes(30), 64)});
  std::uint8_t buf[10];
  CHECK(t->read(buf, 10, milliseconds(500)) == 10);  // a short read: the caller's buffer
  CHECK(buf[9] == 9);
  const unsigned calls = st.in_calls;
  std::uint8_t rest[64];
  CHECK(t->read(rest, sizeof rest, milliseconds(500)) == 20);  // from what was already received
  CHECK(rest[0] == 10);
  CHECK(st.in_calls == calls);

  // LIBUSB_ERROR_TIMEOUT with data: the data counts.
  st.in_script.push_back({kErrTimeout, fake::packets({0xAA, 0xBB}, 64)});
  CHECK(t->read(buf, 10, milliseconds(500)) == 2);
  CHECK(buf[1] == 0xBB);

  // Nothing: returns 0 after about the timeout.
  const auto t0 = Clock::now();
  CHECK(t->read(buf, 10, milliseconds(60)) == 0);
  const auto dt = Clock::now() - t0;
  CHECK(dt >= milliseconds(55));
  CHECK(dt < milliseconds(1000));

  // OUT that moves part of the data per transfer and times out in between completes.
  st.out_limit = 7;
  st.out_rc = kErrTimeout;
  const auto data = seq_bytes(50);
  st.out.clear();
  t->write(data.data(), data.size());
  CHECK(st.out == data);
}

TEST_CASE("usb: a disconnect mid-transfer is a clean error", "[usb]") {
  auto u = std::make_shared<fake::FakeUsb>();
  u->devices = {fake::ft231x()};
  auto t = open_fake(u);
  u->state->in_script.push_back({kOk, {0x01, 0x60}});
  u->state->in_script.push_back({kErrNoDevice, {}});
  std::uint8_t buf[16];
  CHECK_THROWS_WITH(t->read(buf, sizeof buf, milliseconds(500)),
                    Catch::Contains("usb:0403:6015:LPU0001: device disconnected while receiving"));
  CHECK_THROWS_WITH(t->read(buf, sizeof buf, milliseconds(10)),
                    Catch::Contains("device was disconnected"));
  CHECK(u->state->released.empty());  // nothing to release on a vanished device

  auto u2 = std::make_shared<fake::FakeUsb>();
  u2->devices = {fake::ft231x()};
  auto t2 = open_fake(u2);
  u2->state->out_rc = kErrNoDevice;
  u2->state->out_limit = 3;
  CHECK_THROWS_WITH(t2->write(buf, sizeof buf),
                    Catch::Contains("device disconnected while sending 13 bytes"));

  // Other transfer errors name the libusb error.
  auto u3 = std::make_shared<fake::FakeUsb>();
  u3->devices = {fake::ft231x()};
  auto t3 = open_fake(u3);
  u3->state->in_script.push_back({kErrIo, {}});
  CHECK_THROWS_WITH(t3->read(buf, sizeof buf, milliseconds(100)),
                    Catch::Contains("LIBUSB_ERROR_IO"));
}

TEST_CASE("usb: a FrameDevice over a high-speed bridge (512-byte packets)", "[usb]") {
  const auto& cfg = lpu::config_by_name("tiny");
  lpu::GoldenBackend be(cfg);
  lpu::ProtocolServer srv(be);
  auto u = std::make_shared<fake::FakeUsb>();
  u->devices = {fake::ft2232h()};
  u->state->packet = 512;
  u->state->loop = &srv;
  lpu::driver::FrameDevice d(open_fake(u), &cfg);
  CHECK(d.config().id == cfg.id);
  const auto data = seq_bytes(10000, 3);
  d.write_mem(lpu::Space::sram, 0, 16000,
              std::vector<std::uint8_t>(data.begin(), data.begin() + 9600));
  CHECK(d.read_mem(lpu::Space::sram, 0, 16000, 9600) ==
        std::vector<std::uint8_t>(data.begin(), data.begin() + 9600));
  CHECK(d.name() == "usb");
}
