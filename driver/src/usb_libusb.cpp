// The real UsbApi: libusb-1.0 with RAII owners for the context, device lists and handles.
#include <libusb.h>

#include <memory>

#include "lpu/driver/usb_ftdi.hpp"
#include "lpu/error.hpp"

namespace lpu::driver::usb {

constexpr bool same(int ours, int theirs) { return ours == theirs; }
static_assert(same(kErrIo, LIBUSB_ERROR_IO) && same(kErrAccess, LIBUSB_ERROR_ACCESS) &&
                  same(kErrNoDevice, LIBUSB_ERROR_NO_DEVICE) && same(kErrBusy, LIBUSB_ERROR_BUSY) &&
                  same(kErrTimeout, LIBUSB_ERROR_TIMEOUT) && same(kErrPipe, LIBUSB_ERROR_PIPE) &&
                  same(kErrNotSupported, LIBUSB_ERROR_NOT_SUPPORTED) &&
                  same(kErrOther, LIBUSB_ERROR_OTHER),
              "UsbResult must mirror libusb's error codes");

namespace {

struct ContextDeleter {
  void operator()(libusb_context* c) const { libusb_exit(c); }
};
struct HandleDeleter {
  void operator()(libusb_device_handle* h) const { libusb_close(h); }
};
struct DeviceRef {
  void operator()(libusb_device* d) const { libusb_unref_device(d); }
};
struct ListDeleter {
  void operator()(libusb_device** l) const { libusb_free_device_list(l, 1); }
};

using ContextPtr = std::unique_ptr<libusb_context, ContextDeleter>;
using HandlePtr = std::unique_ptr<libusb_device_handle, HandleDeleter>;
using DevicePtr = std::unique_ptr<libusb_device, DeviceRef>;
using ListPtr = std::unique_ptr<libusb_device*, ListDeleter>;

class LibusbHandle : public UsbHandle {
 public:
  LibusbHandle(std::shared_ptr<libusb_context> ctx, HandlePtr h)
      : ctx_(std::move(ctx)), h_(std::move(h)) {
    libusb_set_auto_detach_kernel_driver(h_.get(), 1);  // unsupported on some OSes: then no-op
  }
  int claim_interface(int iface) override { return libusb_claim_interface(h_.get(), iface); }
  int release_interface(int iface) override { return libusb_release_interface(h_.get(), iface); }
  int control_out(std::uint8_t request, std::uint16_t value, std::uint16_t index,
                  unsigned timeout_ms) override {
    return libusb_control_transfer(
        h_.get(), LIBUSB_REQUEST_TYPE_VENDOR | LIBUSB_RECIPIENT_DEVICE | LIBUSB_ENDPOINT_OUT,
        request, value, index, nullptr, 0, timeout_ms);
  }
  int bulk(std::uint8_t endpoint, std::uint8_t* data, int length, int* transferred,
           unsigned timeout_ms) override {
    *transferred = 0;
    return libusb_bulk_transfer(h_.get(), endpoint, data, length, transferred, timeout_ms);
  }
  int max_packet_size(std::uint8_t endpoint) override {
    return libusb_get_max_packet_size(libusb_get_device(h_.get()), endpoint);
  }

 private:
  std::shared_ptr<libusb_context> ctx_;  // declared first: outlives h_
  HandlePtr h_;
};

class LibusbApi : public UsbApi {
 public:
  LibusbApi() {
    libusb_context* c = nullptr;
    const int rc = libusb_init(&c);
    if (rc != 0) throw Error(std::string("usb: libusb_init failed: ") + libusb_error_name(rc));
    ctx_ = std::shared_ptr<libusb_context>(c, ContextDeleter{});
  }

  std::vector<UsbDeviceId> find(std::uint16_t vid, std::uint16_t pid) override {
    std::vector<UsbDeviceId> out;
    libusb_device** raw = nullptr;
    const ssize_t n = libusb_get_device_list(ctx_.get(), &raw);
    if (n < 0)
      throw Error(std::string("usb: cannot list devices: ") +
                  libusb_error_name(static_cast<int>(n)));
    ListPtr list(raw);
    for (ssize_t i = 0; i < n; ++i) {
      libusb_device* dev = raw[i];
      libusb_device_descriptor desc{};
      if (libusb_get_device_descriptor(dev, &desc) != 0 || desc.idVendor != vid ||
          desc.idProduct != pid)
        continue;
      UsbDeviceId id;
      id.vid = vid;
      id.pid = pid;
      id.bus = libusb_get_bus_number(dev);
      id.address = libusb_get_device_address(dev);
      libusb_device_handle* h = nullptr;
      if (desc.iSerialNumber != 0 && libusb_open(dev, &h) == 0) {
        HandlePtr hp(h);
        unsigned char buf[128] = {};
        const int k =
            libusb_get_string_descriptor_ascii(h, desc.iSerialNumber, buf, sizeof buf - 1);
        if (k > 0)
          id.serial.assign(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(k));
      }
      out.push_back(id);
    }
    return out;
  }

  std::unique_ptr<UsbHandle> open(const UsbDeviceId& id, int* rc) override {
    libusb_device** raw = nullptr;
    const ssize_t n = libusb_get_device_list(ctx_.get(), &raw);
    if (n < 0) {
      *rc = static_cast<int>(n);
      return nullptr;
    }
    ListPtr list(raw);
    for (ssize_t i = 0; i < n; ++i) {
      libusb_device* dev = raw[i];
      if (libusb_get_bus_number(dev) != id.bus || libusb_get_device_address(dev) != id.address)
        continue;
      libusb_device_handle* h = nullptr;
      *rc = libusb_open(dev, &h);
      if (*rc != 0) return nullptr;
      return std::make_unique<LibusbHandle>(ctx_, HandlePtr(h));
    }
    *rc = LIBUSB_ERROR_NO_DEVICE;
    return nullptr;
  }

 private:
  std::shared_ptr<libusb_context> ctx_;
};

}  // namespace

std::shared_ptr<UsbApi> make_libusb_api() { return std::make_shared<LibusbApi>(); }

}  // namespace lpu::driver::usb
