// GoldenSystemBackends (system.hpp): the golden multi-chip system behind one protocol engine
// per chip; and the in-process loopback transport into a protocol engine.
#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "lpu/driver/system.hpp"
#include "lpu/error.hpp"
#include "lpu/link_status.hpp"
#include "lpu/golden_system.hpp"

namespace lpu::driver {

namespace {
constexpr unsigned kCyclesIdx = static_cast<unsigned>(gen::Counter::cycles);
}  // namespace

struct GoldenSystemBackends::Impl {
  Impl(const Config& c, unsigned n, std::uint64_t max) : cfg(c), sys(c, n), max_cycles(max) {}

  // The system run (worker thread): every chip's IMEM image is loaded first.
  void run_all() {
    std::vector<RunResult> res;
    std::string why;
    try {
      res = sys.run(max_cycles);
    } catch (const std::exception& e) {
      why = e.what();
    }
    std::lock_guard<std::mutex> lk(m);
    note = why;
    for (unsigned k = 0; k < sys.chips(); ++k) {
      ChipState& c = chip[k];
      if (!why.empty()) {  // no per-chip results: every chip stops as aborted
        RunResult r;
        r.error = ErrorCode::aborted;
        c.result = r;
      } else {
        c.result = res[k];
        if (c.abort_req) c.result.error = ErrorCode::aborted;
      }
      c.armed = false;
      c.has_result = true;
    }
    running = false;
  }

  void join() {
    if (worker.joinable()) worker.join();
  }
  // With m held and !running: the last worker has left run_all's locked section, so joining
  // it cannot wait for m.
  void reap() {
    if (!running && worker.joinable()) worker.join();
  }

  struct ChipState {
    std::vector<std::uint64_t> imem;
    std::uint32_t prog_len = 0;
    bool armed = false;       // started, waiting for the others or in the system run
    bool abort_req = false;
    bool has_result = false;  // result holds the last run's
    RunResult result;
  };

  const Config& cfg;
  GoldenSystem sys;
  std::uint64_t max_cycles;
  mutable std::mutex m;  // guards everything below (and the models while no run is in progress)
  std::vector<ChipState> chip;
  std::vector<std::unique_ptr<ChipBackend>> backends;
  bool running = false;  // the worker runs the system
  std::thread worker;
  std::string note;
};

class GoldenSystemBackends::Chip final : public ChipBackend {
 public:
  Chip(Impl& s, unsigned k) : s_(s), k_(k) {}

  const Config& config() const override { return s_.cfg; }
  std::uint32_t features() const override {
    return proto::kFeatAbort | proto::kFeatImemReadable | proto::kFeatEmulated;
  }
  std::uint32_t clock_hz() const override { return 0; }

  void write_mem(proto::MemSpace sp, std::uint32_t bank, std::uint32_t addr, const std::uint8_t* data,
                 std::size_t n) override {
    std::lock_guard<std::mutex> lk(s_.m);
    check_quiet();
    if (sp == proto::MemSpace::imem) {
      for (std::size_t i = 0; i < n / 8; ++i) me().imem.at(addr + i) = proto::get_u64(data + 8 * i);
      return;
    }
    s_.sys.chip(k_).write_mem(static_cast<Space>(sp), bank, addr, std::vector<std::uint8_t>(data, data + n));
  }

  void read_mem(proto::MemSpace sp, std::uint32_t bank, std::uint32_t addr, std::uint8_t* out,
                std::size_t n) override {
    std::lock_guard<std::mutex> lk(s_.m);
    check_quiet();
    if (sp == proto::MemSpace::imem) {
      for (std::size_t i = 0; i < n / 8; ++i) {
        const std::uint64_t w = me().imem.at(addr + i);
        for (unsigned b = 0; b < 8; ++b) out[8 * i + b] = static_cast<std::uint8_t>(w >> (8 * b));
      }
      return;
    }
    const auto bytes = s_.sys.chip(k_).read_mem(static_cast<Space>(sp), bank, addr, n);
    std::copy(bytes.begin(), bytes.end(), out);
  }

  void set_program_len(std::uint32_t n) override {
    std::lock_guard<std::mutex> lk(s_.m);
    me().prog_len = n;
  }
  std::uint32_t program_len() const override {
    std::lock_guard<std::mutex> lk(s_.m);
    return s_.chip[k_].prog_len;
  }

  void start() override {
    std::unique_lock<std::mutex> lk(s_.m);
    check_quiet();
    me().armed = true;
    me().abort_req = false;
    me().has_result = false;
    for (const auto& c : s_.chip) {
      if (!c.armed) return;  // the system starts with the last chip told to run
    }
    s_.reap();
    for (unsigned k = 0; k < s_.chip.size(); ++k) {
      const auto& c = s_.chip[k];
      s_.sys.chip(k).load_code(std::vector<std::uint64_t>(c.imem.begin(), c.imem.begin() + c.prog_len));
    }
    s_.running = true;
    s_.worker = std::thread([this] { s_.run_all(); });
  }

  void abort() override {
    std::lock_guard<std::mutex> lk(s_.m);
    ChipState& c = me();
    if (!c.armed) return;
    if (!s_.running) {  // still waiting for the others: it never started
      c.armed = false;
      c.result = RunResult{};
      c.result.error = ErrorCode::aborted;
      c.has_result = true;
      return;
    }
    c.abort_req = true;  // the golden system cannot stop early: reported when it ends
  }

  ChipStatus poll() override {
    std::lock_guard<std::mutex> lk(s_.m);
    const ChipState& c = me();
    ChipStatus st;
    if (c.armed) {
      st.state = proto::ChipState::running;
      return st;
    }
    if (!c.has_result) return st;  // idle
    st.state = c.result.ok() ? proto::ChipState::done : proto::ChipState::error;
    st.error = c.result.error;
    st.error_pc = c.result.error_pc;
    st.error_cycle = c.result.error_cycle;
    st.cycles = c.result.cycles;
    return st;
  }

  proto::CounterArray counters() override {
    std::lock_guard<std::mutex> lk(s_.m);
    const ChipState& c = me();
    if (c.armed || !c.has_result) return proto::CounterArray{};
    proto::CounterArray a = c.result.counters;
    a[kCyclesIdx] = c.result.cycles;
    return a;
  }

  std::vector<LinkStatus> link_status() override {
    return golden_ring_link_status(s_.cfg.links, static_cast<unsigned>(s_.chip.size()));
  }

  void reset() override {
    std::unique_lock<std::mutex> lk(s_.m);
    me().abort_req = me().armed;
    while (s_.running) {  // wait for the system run to end (the golden model cannot stop early)
      lk.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      lk.lock();
    }
    s_.reap();
    ChipState& c = me();
    c = ChipState{};
    c.imem.assign(s_.cfg.imem_depth, 0);
    s_.sys.chip(k_).reset();
  }

 private:
  using ChipState = Impl::ChipState;
  ChipState& me() { return s_.chip[k_]; }
  const ChipState& me() const { return s_.chip[k_]; }
  // The engine calls memory methods only while this chip is not running; another chip's
  // start may have begun the system run since (a host racing with itself).
  void check_quiet() const {
    if (s_.running) {
      throw Error("golden system chip " + std::to_string(k_) + ": the system is running (another chip started it)");
    }
  }

  Impl& s_;
  unsigned k_;
};

GoldenSystemBackends::GoldenSystemBackends(const Config& cfg, unsigned chips, std::uint64_t max_cycles)
    : impl_(std::make_unique<Impl>(cfg, chips, max_cycles)) {
  impl_->chip.resize(chips);
  for (unsigned k = 0; k < chips; ++k) {
    impl_->chip[k].imem.assign(cfg.imem_depth, 0);
    impl_->backends.push_back(std::make_unique<Chip>(*impl_, k));
  }
}

GoldenSystemBackends::~GoldenSystemBackends() { impl_->join(); }

unsigned GoldenSystemBackends::chips() const { return static_cast<unsigned>(impl_->chip.size()); }

ChipBackend& GoldenSystemBackends::chip(unsigned i) {
  if (i >= impl_->backends.size()) {
    throw Error("golden system: chip " + std::to_string(i) + " does not exist (" + std::to_string(chips()) +
                " chips)");
  }
  return *impl_->backends[i];
}

std::string GoldenSystemBackends::last_run_note() const {
  std::lock_guard<std::mutex> lk(impl_->m);
  return impl_->note;
}

}  // namespace lpu::driver
