// The device interface's shared part: tensors by symbol name on top of raw memory access,
// and the URI dispatch to backends.
#include "lpu/device.hpp"

#include <algorithm>

#include "lpu/error.hpp"

namespace lpu {

namespace {

std::string shape_str(const std::vector<std::uint32_t>& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

}  // namespace

// One transfer with progress reporting: (0, total) on entry, (total, total) on success.
// Transfers do not nest: an inner one (none today) leaves the outer one in charge.
class Device::Transfer {
 public:
  Transfer(Device& d, std::uint64_t total) : d_(d), owner_(!d.in_xfer_) {
    if (!owner_) return;
    d_.in_xfer_ = true;
    d_.xfer_done_ = 0;
    d_.xfer_total_ = total;
    if (d_.progress_) d_.progress_(0, total);
  }
  ~Transfer() {
    if (owner_) d_.in_xfer_ = false;
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  void finish() {
    if (!owner_) return;
    if (d_.progress_ && d_.xfer_done_ != d_.xfer_total_) d_.progress_(d_.xfer_total_, d_.xfer_total_);
    d_.xfer_done_ = d_.xfer_total_;
  }

 private:
  Device& d_;
  bool owner_;
};

void Device::transfer_progress(std::uint64_t n) {
  if (!in_xfer_) return;
  const std::uint64_t done = std::min(xfer_total_, xfer_done_ + n);
  if (done == xfer_done_) return;
  xfer_done_ = done;
  if (progress_) progress_(done, xfer_total_);
}

void Device::load(const Program& p) {
  std::uint64_t total = static_cast<std::uint64_t>(p.code.size()) * 8;
  for (const auto& seg : p.data) total += seg.bytes.size();
  Transfer x(*this, total);
  load_program(p);
  symbols_ = p.symbols;
  x.finish();
}

const Symbol& Device::symbol(const std::string& name) const {
  for (const auto& s : symbols_) {
    if (s.name == name) return s;
  }
  std::string known;
  for (const auto& s : symbols_) known += (known.empty() ? "" : ", ") + s.name;
  throw Error("no tensor named '" + name + "' in the loaded program (" +
              (known.empty() ? std::string("it has no symbols") : "known: " + known) + ")");
}

void Device::write_tensor(const std::string& name, const Tensor& t) {
  const Symbol& s = symbol(name);
  if (s.kind == SymKind::output) throw Error("tensor '" + name + "' is an output; it cannot be written");
  if (t.dtype != s.dtype) {
    throw Error("tensor '" + name + "' is " + std::string(dtype_name(s.dtype)) + ", the data is " +
                std::string(dtype_name(t.dtype)));
  }
  if (t.shape != s.shape) {
    throw Error("tensor '" + name + "' has shape " + shape_str(s.shape) + ", the data has shape " + shape_str(t.shape));
  }
  if (t.bytes.size() != s.bytes()) {
    throw Error("tensor '" + name + "': " + std::to_string(t.bytes.size()) + " data bytes, expected " +
                std::to_string(s.bytes()));
  }
  Transfer x(*this, t.bytes.size());
  for (const auto& piece : symbol_pieces(s, config())) {
    const auto first = t.bytes.begin() + static_cast<std::ptrdiff_t>(piece.offset);
    write_mem(piece.space, piece.bank, piece.addr,
              std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(piece.size)));
  }
  x.finish();
}

Tensor Device::read_tensor(const std::string& name) {
  const Symbol& s = symbol(name);
  Tensor t;
  t.dtype = s.dtype;
  t.shape = s.shape;
  t.bytes.assign(s.bytes(), 0);
  Transfer x(*this, t.bytes.size());
  for (const auto& piece : symbol_pieces(s, config())) {
    const auto b = read_mem(piece.space, piece.bank, piece.addr, piece.size);
    std::copy(b.begin(), b.end(), t.bytes.begin() + static_cast<std::ptrdiff_t>(piece.offset));
  }
  x.finish();
  return t;
}

std::vector<LinkStatus> Device::link_status() { return links_down(config().links); }

std::unique_ptr<Device> open_device(const std::string& uri, const Config& cfg) {
  if (uri == "golden") return open_golden_device(cfg);
  const std::string scheme = uri.substr(0, uri.find_first_of(":"));
  if (scheme == "sim" || scheme == "tcp" || scheme == "usb" || uri == "golden-frames") {
    throw Error("device '" + uri +
                "' is not available in this build (the driver library is not linked in): use "
                "--device golden, or build the driver (driver/)");
  }
  throw Error("unknown device '" + uri +
              "': expected golden, golden-frames, sim[:config=C][,uart=1], tcp://HOST:PORT or "
              "usb[:VID:PID[:SERIAL]]");
}

}  // namespace lpu
