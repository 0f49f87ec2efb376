// The `sim` transport (transport_sim.hpp): lpu_top's Verilator model (verif/host_if/, library
// lpu_top_sim) clocked by a worker thread, bytes through the side door or the UART.
#include "lpu/driver/transport_sim.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "lpu/error.hpp"
#include "lpu/protocol.hpp"
#include "top_sim.hpp"

namespace lpu::driver {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSimHelp = "sim[:config=base|tiny][,uart=0|1]";

// Cycles per batch of the worker: short enough that a request waits little for the lock.
constexpr std::uint64_t kBatch = 512;
// Simulation speed assumed for response timeouts in UART mode (a loaded machine simulates the
// base model at several hundred thousand cycles per second).
constexpr double kAssumedCyclesPerSecond = 100000.0;

class SimTransport : public Transport {
 public:
  SimTransport(std::unique_ptr<sim::TopSim> s, bool uart, std::string name)
      : sim_(std::move(s)), name_(std::move(name)), uart_(uart), clks_per_bit_(sim_->clks_per_bit()) {
    sim_->set_uart(uart);
    worker_ = std::thread([this] { work(); });
  }
  ~SimTransport() override { close(); }

  void write(const std::uint8_t* data, std::size_t n) override {
    std::lock_guard<std::mutex> lk(m_);
    check_open();
    sim_->send(data, n);
    last_input_ = Clock::now();
    work_cv_.notify_one();
  }

  // The caller's thread clocks the model while it waits for a response (no thread hand-over
  // on the request/response path); the worker keeps a run going while nobody reads.
  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lk(m_);
    check_open();
    const auto deadline = Clock::now() + timeout;
    const auto gap = std::chrono::milliseconds(proto::kGapTimeoutMs);
    while (out_.empty()) {
      if (has_work()) {
        step_batch();
        if (!out_.empty()) break;
        if (Clock::now() >= deadline) return 0;
        // Let the worker or a writer in between batches.
        lk.unlock();
        std::this_thread::yield();
        lk.lock();
        check_open();
        continue;
      }
      // Idle with a partial frame: the device's gap timeout, in wall-clock time like the
      // host's resynchronisation (no byte has reached the parser for T_GAP).
      const auto now = Clock::now();
      const bool partial = sim_->mid_frame();
      if (partial && now >= last_input_ + gap) {
        sim_->flush();
        continue;
      }
      if (now >= deadline) return 0;
      auto wake = deadline;
      if (partial) wake = std::min(wake, last_input_ + gap);
      data_cv_.wait_until(lk, wake);
      check_open();
    }
    const std::size_t n = std::min(cap, out_.size());
    std::copy(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(n), buf);
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
  }

  void close() override {
    {
      std::lock_guard<std::mutex> lk(m_);
      if (closed_) return;
      closed_ = true;
      work_cv_.notify_all();
      data_cv_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
    std::lock_guard<std::mutex> lk(m_);
    sim_.reset();
  }

  std::string describe() const override { return name_; }

  double byte_rate() const override {
    if (!uart_) return 0;  // the side door moves a byte per cycle
    return kAssumedCyclesPerSecond / (10.0 * clks_per_bit_);
  }

 private:
  void check_open() const {
    if (closed_) throw Error(name_ + ": transport is closed");
  }

  // Something moves without new input: bytes on their way in, a response, a run, a flush.
  bool has_work() const { return !sim_->idle(); }

  // Up to a batch of cycles, ending early once the chip is idle again (a short request's
  // response is complete after a few dozen cycles). Caller holds m_.
  void step_batch() {
    const bool delivering = sim_->pending() > 0;
    for (std::uint64_t i = 0; i < kBatch && !sim_->idle(); ++i) sim_->step();
    if (delivering) last_input_ = Clock::now();  // request bytes were still reaching the chip
    auto& rx = sim_->received();
    if (!rx.empty()) {
      out_.insert(out_.end(), rx.begin(), rx.end());
      rx.clear();
      data_cv_.notify_all();
    }
  }

  void work() {
    std::unique_lock<std::mutex> lk(m_);
    for (;;) {
      work_cv_.wait(lk, [this] { return closed_ || has_work(); });
      if (closed_) return;
      step_batch();
      lk.unlock();
      std::this_thread::yield();
      lk.lock();
    }
  }

  std::unique_ptr<sim::TopSim> sim_;
  std::string name_;
  bool uart_ = false;
  unsigned clks_per_bit_ = 1;

  mutable std::mutex m_;  // guards everything below and sim_
  std::condition_variable work_cv_, data_cv_;
  std::deque<std::uint8_t> out_;
  bool closed_ = false;
  Clock::time_point last_input_ = Clock::now();  // a request byte last reached the chip
  std::thread worker_;
};

}  // namespace

SimOptions parse_sim_uri(const std::string& uri) {
  if (!is_sim_uri(uri)) throw Error("device URI '" + uri + "': expected " + kSimHelp);
  SimOptions o;
  std::string rest = uri.size() > 4 ? uri.substr(4) : "";
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string kv = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    const std::size_t eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (key == "config" && !value.empty()) {
      o.config = &config_by_name(value);
    } else if (key == "uart" && (value == "0" || value == "1")) {
      o.uart = value == "1";
    } else {
      throw Error("device URI '" + uri + "': bad option '" + kv + "' (expected " + kSimHelp + ")");
    }
  }
  return o;
}

std::unique_ptr<Transport> open_sim_transport(const std::string& uri, const TransportOptions& opt) {
  SimOptions o = parse_sim_uri(uri);
  const Config& cfg = o.config ? *o.config : opt.config ? *opt.config : default_config();
  if (!sim::TopSim::supports(cfg)) {
    throw Error("device URI '" + uri + "': no RTL model of configuration '" +
                std::string(cfg.name) + "'");
  }
  std::string name = "sim:config=" + std::string(cfg.name);
  if (o.uart) name += ",uart=1";
  return std::make_unique<SimTransport>(sim::TopSim::open(cfg), o.uart, name);
}

}  // namespace lpu::driver
