// The `usb` transport: an FTDI USB-UART bridge (FT231X 0403:6015, FT2232H 0403:6010) driven
// through libusb-1.0 with FTDI vendor control requests (docs/host-protocol.md).
//
// The libusb calls sit behind UsbApi/UsbHandle, a thin interface with libusb's return codes,
// so tests can replace the USB stack with a scripted fake. make_libusb_api() is the real one.
// Ownership: FtdiTransport owns its UsbHandle and shares the UsbApi (the libusb context must
// outlive every handle opened from it; the handle is released first).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lpu/driver/transport.hpp"

namespace lpu::driver::usb {

// libusb's error codes (the real API asserts they are equal).
enum UsbResult : int {
  kOk = 0,
  kErrIo = -1,
  kErrInvalidParam = -2,
  kErrAccess = -3,
  kErrNoDevice = -4,
  kErrNotFound = -5,
  kErrBusy = -6,
  kErrTimeout = -7,
  kErrOverflow = -8,
  kErrPipe = -9,
  kErrInterrupted = -10,
  kErrNoMem = -11,
  kErrNotSupported = -12,
  kErrOther = -99,
};
std::string result_name(int rc);  // "LIBUSB_ERROR_NO_DEVICE (device disconnected)"

struct UsbDeviceId {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  std::uint8_t bus = 0;
  std::uint8_t address = 0;
  std::string serial;  // empty when it could not be read (e.g. no permission)
};

class UsbHandle {
 public:
  virtual ~UsbHandle() = default;
  // Claims the interface, detaching a kernel driver (ftdi_sio) while claimed.
  virtual int claim_interface(int iface) = 0;
  virtual int release_interface(int iface) = 0;
  // A vendor OUT control request with no data (bmRequestType 0x40).
  virtual int control_out(std::uint8_t request, std::uint16_t value, std::uint16_t index,
                          unsigned timeout_ms) = 0;
  // A bulk transfer. `transferred` is valid for every return code (a timeout may still
  // have moved data).
  virtual int bulk(std::uint8_t endpoint, std::uint8_t* data, int length, int* transferred,
                   unsigned timeout_ms) = 0;
  // wMaxPacketSize of the endpoint (64 full speed, 512 high speed), or an error code.
  virtual int max_packet_size(std::uint8_t endpoint) = 0;
};

class UsbApi {
 public:
  virtual ~UsbApi() = default;
  // Attached devices with this VID/PID.
  virtual std::vector<UsbDeviceId> find(std::uint16_t vid, std::uint16_t pid) = 0;
  // Opens the device; on failure returns nullptr and sets *rc.
  virtual std::unique_ptr<UsbHandle> open(const UsbDeviceId& id, int* rc) = 0;
};

// The real libusb-1.0 API (throws lpu::Error when libusb cannot be initialised or was not
// built in).
std::shared_ptr<UsbApi> make_libusb_api();

// ---- FTDI ------------------------------------------------------------------------------

inline constexpr std::uint16_t kFtdiVid = 0x0403;
inline constexpr std::uint16_t kPidFt231x = 0x6015;
inline constexpr std::uint16_t kPidFt2232h = 0x6010;

struct FtdiBaud {
  std::uint16_t value = 0;  // wValue of SIO_SET_BAUDRATE
  std::uint16_t index = 0;  // wIndex (divisor high bits | port)
  unsigned actual = 0;      // the rate the divisor gives
};
// Divisor for `baud` on an FT-X/BM-class chip (3 MHz base, `hispeed` false) or an H-class
// chip (12 MHz base when possible). `port` is the interface index (1 = A, 2 = B). Throws
// lpu::Error when the rate cannot be reached within 3 %.
FtdiBaud ftdi_baud_divisor(unsigned baud, bool hispeed, std::uint8_t port);

struct FtdiOptions {
  std::uint16_t vid = 0;  // 0: look for both known bridges
  std::uint16_t pid = 0;
  std::string serial;  // empty: any
  unsigned baud = 3000000;
  std::uint8_t latency_ms = 1;
  char port = 0;  // 'A' or 'B'; 0: A on FT231X, B on FT2232H (the iCEBreaker's UART)
  unsigned transfer_timeout_ms = 200;  // every bulk transfer and control request
  std::chrono::milliseconds write_timeout{5000};
};

// Parses "usb", "usb:VID:PID", "usb:VID:PID:SERIAL" (hex VID/PID) into options.
FtdiOptions parse_usb_uri(const std::string& uri);

// Opens the bridge and configures the UART. Throws lpu::Error saying what is wrong (no
// board, several boards, permissions, interface busy, configuration failed).
std::unique_ptr<Transport> open_ftdi_transport(std::shared_ptr<UsbApi> api, const FtdiOptions& opt);

}  // namespace lpu::driver::usb
