// open_transport: URI -> transport.
#include <cstdlib>

#include "lpu/driver/transport.hpp"
#include "lpu/driver/transport_sim.hpp"
#include "lpu/driver/usb_ftdi.hpp"
#include "lpu/error.hpp"

namespace lpu::driver {

namespace {

constexpr const char* kUriHelp =
    "golden, sim[:config=C][,uart=1], tcp://HOST:PORT, usb, usb:VID:PID or usb:VID:PID:SERIAL";

void split_host_port(const std::string& uri, std::string& host, std::uint16_t& port) {
  const std::string rest = uri.substr(6);  // after "tcp://"
  std::size_t colon = rest.rfind(':');
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    const std::size_t close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      colon = std::string::npos;
    host = close == std::string::npos ? "" : rest.substr(1, close - 1);
  } else if (colon != std::string::npos) {
    host = rest.substr(0, colon);
  }
  if (colon == std::string::npos || host.empty())
    throw Error("device URI '" + uri + "': expected tcp://HOST:PORT");
  const std::string p = rest.substr(colon + 1);
  char* end = nullptr;
  const unsigned long v = std::strtoul(p.c_str(), &end, 10);
  if (p.empty() || *end != '\0' || v == 0 || v > 65535) {
    throw Error("device URI '" + uri + "': port '" + p + "' is not 1..65535");
  }
  port = static_cast<std::uint16_t>(v);
}

}  // namespace

bool is_transport_uri(const std::string& uri) {
  return uri == "golden" || uri.rfind("tcp://", 0) == 0 || uri == "usb" ||
         uri.rfind("usb:", 0) == 0 || is_sim_uri(uri);
}

std::unique_ptr<Transport> open_transport(const std::string& uri, const TransportOptions& opt) {
  if (uri == "golden")
    return open_golden_transport(opt.config ? *opt.config : default_config(), opt.golden);
  // ---- sim (helper H): the Verilated lpu_top in process (transport_sim.cpp) ----
  if (is_sim_uri(uri)) {
#ifdef LPU_HAVE_SIM_TRANSPORT
    return open_sim_transport(uri, opt);
#else
    throw Error("device '" + uri +
                "': the sim transport is not in this build (it needs the Verilator models: "
                "configure with LPU_BUILD_RTL=ON)");
#endif
  }
  // ---- end sim ----
  if (uri.rfind("tcp://", 0) == 0) {
    std::string host;
    std::uint16_t port = 0;
    split_host_port(uri, host, port);
    return open_tcp_transport(host, port, opt.connect_timeout);
  }
  if (uri == "usb" || uri.rfind("usb:", 0) == 0) {
    auto fo = usb::parse_usb_uri(uri);
    fo.baud = opt.baud;
    return usb::open_ftdi_transport(opt.usb_api ? opt.usb_api : usb::make_libusb_api(), fo);
  }
  throw Error("unknown device '" + uri + "' (expected " + kUriHelp + ")");
}

}  // namespace lpu::driver
