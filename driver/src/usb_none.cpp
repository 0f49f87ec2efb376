// UsbApi when the driver is built without libusb-1.0 (LPU_USB=OFF or libusb not found).
#include "lpu/driver/usb_ftdi.hpp"
#include "lpu/error.hpp"

namespace lpu::driver::usb {

std::shared_ptr<UsbApi> make_libusb_api() {
  throw Error(
      "usb: this lpu was built without libusb-1.0 (configure with -DLPU_USB=ON and install "
      "libusb-1.0-0-dev)");
}

}  // namespace lpu::driver::usb
