// A scripted fake of the libusb boundary (UsbApi/UsbHandle) for the usb transport tests.
//
// FakeUsb lists devices and opens handles; a FakeHandle records control requests and OUT
// data and answers IN transfers from a script (or, in loopback mode, from a protocol
// engine fed with the OUT data, split into max-packet chunks each led by two modem-status
// bytes, as an FTDI chip does).
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "lpu/driver/usb_ftdi.hpp"
#include "lpu/golden_backend.hpp"
#include "lpu/protocol_server.hpp"

namespace fake {

using namespace lpu::driver::usb;

struct Control {
  std::uint8_t request;
  std::uint16_t value;
  std::uint16_t index;
};

// One scripted IN transfer: return code and the raw bytes (modem-status bytes included).
struct InStep {
  int rc = kOk;
  std::vector<std::uint8_t> raw;
};

struct HandleState {
  int packet = 64;
  int claim_rc = kOk;
  int control_rc = kOk;
  std::vector<Control> controls;
  std::vector<int> claimed, released;
  std::vector<std::uint8_t> out;  // every OUT byte
  std::deque<InStep> in_script;   // consumed by IN transfers; empty: timeout, no data
  int out_rc = kOk;               // OUT transfers return this (after moving out_limit bytes)
  int out_limit = -1;             // bytes an OUT transfer moves (-1: all)
  unsigned in_calls = 0;
  // Loopback: OUT bytes go to this engine; its responses come back as IN packets.
  lpu::ProtocolServer* loop = nullptr;
  std::deque<std::uint8_t> loop_pending;
};

class FakeHandle : public UsbHandle {
 public:
  explicit FakeHandle(std::shared_ptr<HandleState> s) : s_(std::move(s)) {}
  int claim_interface(int iface) override {
    s_->claimed.push_back(iface);
    return s_->claim_rc;
  }
  int release_interface(int iface) override {
    s_->released.push_back(iface);
    return kOk;
  }
  int control_out(std::uint8_t request, std::uint16_t value, std::uint16_t index,
                  unsigned) override {
    s_->controls.push_back({request, value, index});
    return s_->control_rc;
  }
  int bulk(std::uint8_t endpoint, std::uint8_t* data, int length, int* transferred,
           unsigned) override {
    *transferred = 0;
    if ((endpoint & 0x80) == 0) {  // OUT
      const int n = s_->out_limit < 0 ? length : std::min(length, s_->out_limit);
      s_->out.insert(s_->out.end(), data, data + n);
      *transferred = n;
      if (s_->loop) {
        const auto resp = s_->loop->feed(data, static_cast<std::size_t>(n));
        s_->loop_pending.insert(s_->loop_pending.end(), resp.begin(), resp.end());
      }
      return s_->out_rc;
    }
    ++s_->in_calls;
    if (s_->loop) return loop_in(data, length, transferred);
    if (s_->in_script.empty()) return kErrTimeout;
    InStep st = std::move(s_->in_script.front());
    s_->in_script.pop_front();
    const int n = std::min<int>(length, static_cast<int>(st.raw.size()));
    std::copy(st.raw.begin(), st.raw.begin() + n, data);
    *transferred = n;
    return st.rc;
  }
  int max_packet_size(std::uint8_t) override { return s_->packet; }

 private:
  // Up to `length` bytes of packets: each max-packet chunk is 2 status bytes + data.
  int loop_in(std::uint8_t* data, int length, int* transferred) {
    int pos = 0;
    const int per = s_->packet - 2;
    do {
      if (pos + 2 > length) break;
      data[pos] = 0x01;  // modem status (any value: stripped)
      data[pos + 1] = 0x60;
      pos += 2;
      int k = 0;
      while (k < per && !s_->loop_pending.empty() && pos < length) {
        data[pos++] = s_->loop_pending.front();
        s_->loop_pending.pop_front();
        ++k;
      }
      if (k < per) break;  // a short packet ends the transfer
    } while (!s_->loop_pending.empty());
    *transferred = pos;
    return kOk;
  }

  std::shared_ptr<HandleState> s_;
};

class FakeUsb : public UsbApi {
 public:
  std::vector<UsbDeviceId> devices;
  int open_rc = kOk;
  std::shared_ptr<HandleState> state = std::make_shared<HandleState>();
  unsigned opens = 0;

  std::vector<UsbDeviceId> find(std::uint16_t vid, std::uint16_t pid) override {
    std::vector<UsbDeviceId> out;
    for (const auto& d : devices) {
      if (d.vid == vid && d.pid == pid) out.push_back(d);
    }
    return out;
  }
  std::unique_ptr<UsbHandle> open(const UsbDeviceId&, int* rc) override {
    ++opens;
    *rc = open_rc;
    if (open_rc != kOk) return nullptr;
    return std::make_unique<FakeHandle>(state);
  }
};

inline UsbDeviceId ft231x(const std::string& serial = "LPU0001") {
  return UsbDeviceId{kFtdiVid, kPidFt231x, 1, 7, serial};
}
inline UsbDeviceId ft2232h(const std::string& serial = "ICEB01") {
  return UsbDeviceId{kFtdiVid, kPidFt2232h, 2, 3, serial};
}

// IN packet(s) with modem-status bytes, from payload bytes, `packet` bytes per packet.
inline std::vector<std::uint8_t> packets(const std::vector<std::uint8_t>& payload, int packet) {
  std::vector<std::uint8_t> raw;
  std::size_t i = 0;
  do {
    raw.push_back(0x31);
    raw.push_back(0x60);
    for (int k = 0; k < packet - 2 && i < payload.size(); ++k) raw.push_back(payload[i++]);
  } while (i < payload.size());
  return raw;
}

}  // namespace fake
