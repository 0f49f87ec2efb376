// FTDI USB-UART transport over the UsbApi boundary: device selection, UART setup with FTDI
// vendor requests, bulk I/O with timeouts, modem-status stripping.
#include <algorithm>
#include <cstdio>
#include <deque>

#include "lpu/driver/usb_ftdi.hpp"
#include "lpu/error.hpp"

namespace lpu::driver::usb {

namespace {

// FTDI vendor requests (bmRequestType 0x40) and values.
constexpr std::uint8_t kSioReset = 0x00;
constexpr std::uint8_t kSioSetModemCtrl = 0x01;
constexpr std::uint8_t kSioSetFlowCtrl = 0x02;
constexpr std::uint8_t kSioSetBaudrate = 0x03;
constexpr std::uint8_t kSioSetData = 0x04;
constexpr std::uint8_t kSioSetLatencyTimer = 0x09;
constexpr std::uint8_t kSioSetBitmode = 0x0B;
constexpr std::uint16_t kResetSio = 0;
constexpr std::uint16_t kPurgeRx = 1;
constexpr std::uint16_t kPurgeTx = 2;
constexpr std::uint16_t kData8N1 = 0x0008;
constexpr std::uint16_t kDtrRtsHigh = 0x0303;
constexpr std::size_t kModemStatusBytes = 2;
constexpr std::size_t kMaxOutChunk = 4096;

std::string hex4(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04x", v & 0xFFFFu);
  return b;
}

std::string id_text(const UsbDeviceId& d) {
  std::string s = hex4(d.vid) + ":" + hex4(d.pid) + " (bus " + std::to_string(d.bus) + " address " +
                  std::to_string(d.address);
  if (!d.serial.empty()) s += ", serial " + d.serial;
  return s + ")";
}

std::string chip_name(std::uint16_t pid) {
  return pid == kPidFt231x ? "FT231X" : pid == kPidFt2232h ? "FT2232H" : "FTDI";
}

std::uint16_t parse_hex16(const std::string& t, const std::string& uri, const char* what) {
  if (t.empty() || t.size() > 4 ||
      t.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    throw Error("usb URI '" + uri + "': " + what + " '" + t + "' is not a 1-4 digit hex number");
  }
  return static_cast<std::uint16_t>(std::stoul(t, nullptr, 16));
}

class FtdiTransport : public Transport {
 public:
  FtdiTransport(std::shared_ptr<UsbApi> api, std::unique_ptr<UsbHandle> h, UsbDeviceId id,
                const FtdiOptions& opt, int iface, std::uint8_t ep_in, std::uint8_t ep_out,
                std::size_t packet)
      : api_(std::move(api)),
        h_(std::move(h)),
        id_(std::move(id)),
        opt_(opt),
        iface_(iface),
        ep_in_(ep_in),
        ep_out_(ep_out),
        packet_(packet),
        in_buf_(packet * 8) {
    name_ =
        "usb:" + hex4(id_.vid) + ":" + hex4(id_.pid) + (id_.serial.empty() ? "" : ":" + id_.serial);
  }

  ~FtdiTransport() override { close(); }

  void write(const std::uint8_t* data, std::size_t n) override {
    check_open();
    const auto deadline = std::chrono::steady_clock::now() + opt_.write_timeout;
    while (n > 0) {
      const int len = static_cast<int>(std::min(n, kMaxOutChunk));
      int done = 0;
      const int rc =
          h_->bulk(ep_out_, const_cast<std::uint8_t*>(data), len, &done, opt_.transfer_timeout_ms);
      done = std::clamp(done, 0, len);
      data += done;
      n -= static_cast<std::size_t>(done);
      if (rc == kOk || (rc == kErrTimeout && std::chrono::steady_clock::now() < deadline)) continue;
      fail(rc, "sending " + std::to_string(n) + " bytes");
    }
  }

  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override {
    check_open();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (rx_.empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const unsigned t = static_cast<unsigned>(std::clamp<std::int64_t>(
          left.count(), 1, static_cast<std::int64_t>(opt_.transfer_timeout_ms)));
      int got = 0;
      const int rc = h_->bulk(ep_in_, in_buf_.data(), static_cast<int>(in_buf_.size()), &got, t);
      strip(
          std::clamp(got, 0, static_cast<int>(in_buf_.size())));  // a timeout may still carry data
      if (rc != kOk && rc != kErrTimeout) fail(rc, "receiving");
      if (rx_.empty() && std::chrono::steady_clock::now() >= deadline) return 0;
    }
    const std::size_t n = std::min(cap, rx_.size());
    std::copy(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n), buf);
    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
  }

  void close() override {
    if (h_) {
      if (!gone_) h_->release_interface(iface_);  // best effort
      h_.reset();
    }
  }

  std::string describe() const override { return name_; }
  double byte_rate() const override { return opt_.baud / 10.0; }  // 8N1: 10 bits per byte

 private:
  void check_open() const {
    if (!h_)
      throw Error(name_ + ": transport is closed" + (gone_ ? " (device was disconnected)" : ""));
  }

  // Every max-packet-size chunk of IN data starts with two modem-status bytes.
  void strip(int got) {
    for (std::size_t off = 0; off < static_cast<std::size_t>(got); off += packet_) {
      const std::size_t chunk = std::min(packet_, static_cast<std::size_t>(got) - off);
      if (chunk <= kModemStatusBytes) continue;
      rx_.insert(rx_.end(), in_buf_.begin() + static_cast<std::ptrdiff_t>(off + kModemStatusBytes),
                 in_buf_.begin() + static_cast<std::ptrdiff_t>(off + chunk));
    }
  }

  [[noreturn]] void fail(int rc, const std::string& doing) {
    if (rc == kErrNoDevice) {
      gone_ = true;
      h_.reset();
      throw Error(name_ + ": device disconnected while " + doing +
                  "; plug the board back in and run the command again");
    }
    throw Error(name_ + ": USB transfer failed while " + doing + ": " + result_name(rc) +
                "; re-plug the board (or use another USB port/cable) and try again");
  }

  std::shared_ptr<UsbApi> api_;  // outlives h_
  std::unique_ptr<UsbHandle> h_;
  UsbDeviceId id_;
  FtdiOptions opt_;
  int iface_;
  std::uint8_t ep_in_, ep_out_;
  std::size_t packet_;
  std::vector<std::uint8_t> in_buf_;
  std::deque<std::uint8_t> rx_;
  std::string name_;
  bool gone_ = false;
};

}  // namespace

std::string result_name(int rc) {
  switch (rc) {
    case kOk:
      return "success";
    case kErrIo:
      return "LIBUSB_ERROR_IO (input/output error)";
    case kErrInvalidParam:
      return "LIBUSB_ERROR_INVALID_PARAM";
    case kErrAccess:
      return "LIBUSB_ERROR_ACCESS (permission denied)";
    case kErrNoDevice:
      return "LIBUSB_ERROR_NO_DEVICE (device disconnected)";
    case kErrNotFound:
      return "LIBUSB_ERROR_NOT_FOUND";
    case kErrBusy:
      return "LIBUSB_ERROR_BUSY (in use by another program)";
    case kErrTimeout:
      return "LIBUSB_ERROR_TIMEOUT";
    case kErrOverflow:
      return "LIBUSB_ERROR_OVERFLOW";
    case kErrPipe:
      return "LIBUSB_ERROR_PIPE (endpoint stalled)";
    case kErrInterrupted:
      return "LIBUSB_ERROR_INTERRUPTED";
    case kErrNoMem:
      return "LIBUSB_ERROR_NO_MEM";
    case kErrNotSupported:
      return "LIBUSB_ERROR_NOT_SUPPORTED";
    default:
      return "libusb error " + std::to_string(rc);
  }
}

FtdiBaud ftdi_baud_divisor(unsigned baud, bool hispeed, std::uint8_t port) {
  if (baud == 0) throw Error("FTDI: baud rate 0");
  // Fraction (in eighths) -> the chip's 3-bit sub-integer code (FTDI AN232B-05).
  static const std::uint32_t kFracCode[8] = {0, 3, 2, 4, 1, 5, 6, 7};
  const bool fast_clock = hispeed && baud >= 1200;
  const std::uint64_t base = fast_clock ? 12000000u : 3000000u;
  std::uint64_t d8 = (base * 8 + baud / 2) / baud;  // divisor in eighths, rounded
  std::uint32_t enc = 0;
  if (d8 < 10) {
    d8 = 8;  // divisor 1: encoded 0
    enc = 0;
  } else if (d8 < 14) {
    d8 = 12;  // divisor 1.5: encoded 1
    enc = 1;
  } else {
    d8 = std::min<std::uint64_t>(std::max<std::uint64_t>(d8, 16), 16383u * 8 + 7);
    enc = static_cast<std::uint32_t>(d8 >> 3) | (kFracCode[d8 & 7] << 14);
  }
  if (fast_clock) enc |= 0x20000u;
  FtdiBaud r;
  r.actual = static_cast<unsigned>((base * 8 + d8 / 2) / d8);
  const double err = (static_cast<double>(r.actual) - baud) / baud;
  if (err > 0.03 || err < -0.03) {
    throw Error("FTDI: baud rate " + std::to_string(baud) + " is not reachable (nearest " +
                std::to_string(r.actual) + ")");
  }
  r.value = static_cast<std::uint16_t>(enc & 0xFFFFu);
  r.index = hispeed ? static_cast<std::uint16_t>(((enc >> 8) & 0xFF00u) | port)
                    : static_cast<std::uint16_t>(enc >> 16);
  return r;
}

FtdiOptions parse_usb_uri(const std::string& uri) {
  FtdiOptions o;
  if (uri == "usb") return o;
  if (uri.rfind("usb:", 0) != 0) throw Error("not a usb URI: '" + uri + "'");
  std::vector<std::string> parts;
  const std::string rest = uri.substr(4);
  for (std::size_t start = 0;;) {  // keeps empty parts ("usb:0403:6015:" has an empty serial)
    const std::size_t colon = rest.find(':', start);
    parts.push_back(
        rest.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) {
    throw Error("usb URI '" + uri +
                "': expected usb, usb:VID:PID or usb:VID:PID:SERIAL (hex VID/PID)");
  }
  o.vid = parse_hex16(parts[0], uri, "VID");
  o.pid = parse_hex16(parts[1], uri, "PID");
  if (parts.size() == 3) {
    if (parts[2].empty()) throw Error("usb URI '" + uri + "': empty serial");
    o.serial = parts[2];
  }
  return o;
}

std::unique_ptr<Transport> open_ftdi_transport(std::shared_ptr<UsbApi> api,
                                               const FtdiOptions& opt) {
  // 1. Find the board.
  std::vector<UsbDeviceId> found;
  std::string looked;
  auto look = [&](std::uint16_t vid, std::uint16_t pid) {
    looked += (looked.empty() ? "" : ", ") + hex4(vid) + ":" + hex4(pid) + " " + chip_name(pid);
    for (auto& d : api->find(vid, pid)) {
      if (opt.serial.empty() || d.serial == opt.serial) found.push_back(d);
    }
  };
  if (opt.vid != 0) {
    look(opt.vid, opt.pid);
  } else {
    look(kFtdiVid, kPidFt231x);
    look(kFtdiVid, kPidFt2232h);
  }
  if (found.empty()) {
    throw Error(
        "usb: no LPU board found (looked for " + looked +
        (opt.serial.empty() ? "" : " with serial " + opt.serial) +
        "); is it plugged in? `lsusb` lists it; without permission its serial cannot be read "
        "(install driver/99-lpu.rules, docs/host-protocol.md)");
  }
  if (found.size() > 1) {
    std::string list;
    for (const auto& d : found) list += "\n  " + id_text(d);
    throw Error("usb: " + std::to_string(found.size()) +
                " boards found; choose one with usb:VID:PID:SERIAL:" + list);
  }
  const UsbDeviceId id = found.front();
  const std::string who = "usb " + id_text(id);

  // 2. Open and claim. FT2232H: the iCEBreaker's UART is port B (port A is the flash's SPI).
  int rc = kOk;
  auto h = api->open(id, &rc);
  if (!h) {
    if (rc == kErrAccess) {
      throw Error(who +
                  ": permission denied; install driver/99-lpu.rules and re-plug the board "
                  "(docs/host-protocol.md \"Board access\")");
    }
    if (rc == kErrNoDevice) {
      throw Error(who + ": device disappeared while opening it; check the cable and try again");
    }
    throw Error(who + ": cannot open: " + result_name(rc) +
                "; re-plug the board, check `lsusb`, and install driver/99-lpu.rules "
                "(docs/cli.md \"Boards and udev rules\")");
  }
  const bool hispeed = id.pid == kPidFt2232h;
  const char port_letter = opt.port != 0 ? opt.port : (hispeed ? 'B' : 'A');
  if (port_letter != 'A' && !(port_letter == 'B' && hispeed)) {
    throw Error(who + ": " + chip_name(id.pid) + " has no port " + std::string(1, port_letter));
  }
  const int iface = port_letter - 'A';
  const auto port = static_cast<std::uint8_t>(iface + 1);
  const auto ep_in = static_cast<std::uint8_t>(0x81 + 2 * iface);
  const auto ep_out = static_cast<std::uint8_t>(0x02 + 2 * iface);
  rc = h->claim_interface(iface);
  if (rc != kOk) {
    if (rc == kErrBusy)
      throw Error(who + ": interface " + std::string(1, port_letter) +
                  " is in use by another program; close it (another lpu, openFPGALoader, a "
                  "serial terminal on /dev/ttyUSB*) and try again");
    throw Error(who + ": cannot claim interface " + std::string(1, port_letter) + ": " +
                result_name(rc) + "; re-plug the board and try again");
  }

  // 3. UART setup: reset, UART mode, 8N1, flow control off, baud, latency, purge.
  const FtdiBaud baud = ftdi_baud_divisor(opt.baud, hispeed, port);
  struct Step {
    const char* what;
    std::uint8_t req;
    std::uint16_t value;
    std::uint16_t index;
  };
  const Step steps[] = {
      {"reset", kSioReset, kResetSio, port},
      {"set UART mode", kSioSetBitmode, 0, port},
      {"set 8N1", kSioSetData, kData8N1, port},
      {"disable flow control", kSioSetFlowCtrl, 0, port},
      {"set baud rate", kSioSetBaudrate, baud.value, baud.index},
      {"set latency timer", kSioSetLatencyTimer, opt.latency_ms, port},
      {"set DTR/RTS", kSioSetModemCtrl, kDtrRtsHigh, port},
      {"purge RX", kSioReset, kPurgeRx, port},
      {"purge TX", kSioReset, kPurgeTx, port},
  };
  for (const auto& s : steps) {
    rc = h->control_out(s.req, s.value, s.index, opt.transfer_timeout_ms);
    if (rc < 0) {
      h->release_interface(iface);
      throw Error(who + ": " + s.what + " failed: " + result_name(rc) +
                  "; re-plug the board and try again");
    }
  }
  const int packet = h->max_packet_size(ep_in);
  if (packet <= static_cast<int>(kModemStatusBytes)) {
    h->release_interface(iface);
    throw Error(who + ": cannot read the IN endpoint's packet size: " + result_name(packet));
  }
  return std::make_unique<FtdiTransport>(std::move(api), std::move(h), id, opt, iface, ep_in,
                                         ep_out, static_cast<std::size_t>(packet));
}

}  // namespace lpu::driver::usb
