// sim:chips=N (system.hpp): one MultiTopSim (verif/multichip/, N lpu_top models on their own
// clocks in a ring of link channel models) and one transport per chip bound to that chip's
// side door. The whole system is clocked together: by a worker thread whenever something is
// in flight on any chip (request bytes, a response, a run, links still training), and by a
// reader waiting for its response (like the single-chip sim transport). While every chip is
// idle, time stands still for all of them, so nothing a link does is lost.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "lpu/driver/system.hpp"
#include "lpu/error.hpp"
#include "lpu/protocol.hpp"

#ifdef LPU_HAVE_MULTICHIP_SIM
#include "multi_top_sim.hpp"
#endif

namespace lpu::driver {

#ifdef LPU_HAVE_MULTICHIP_SIM

namespace {

using Clock = std::chrono::steady_clock;

// Steps (edges of any chip) per batch: short enough that a request waits little for the lock.
constexpr unsigned kBatch = 1024;
// Clock edges of chip 0 the links get to come up after the system is built.
constexpr std::uint64_t kLinkUpBudget = 1ull << 21;

class SimHub {
 public:
  SimHub(const Config& cfg, sim::SystemParams p, std::string name)
      : sys_(std::make_unique<sim::MultiTopSim>(cfg, std::move(p))), name_(std::move(name)) {
    const unsigned n = sys_->chips();
    out_.resize(n);
    last_input_.assign(n, Clock::now());
    open_.assign(n, true);
    bring_up();
    worker_ = std::thread([this] { work(); });
  }

  ~SimHub() {
    {
      std::lock_guard<std::mutex> lk(m_);
      closed_ = true;
      work_cv_.notify_all();
      data_cv_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
  }

  const std::string& name() const { return name_; }
  unsigned chips() const { return static_cast<unsigned>(out_.size()); }

  void write(unsigned k, const std::uint8_t* data, std::size_t n) {
    std::lock_guard<std::mutex> lk(m_);
    check_open(k);
    sys_->chip(k).send(data, n);
    last_input_[k] = Clock::now();
    work_cv_.notify_one();
  }

  // Clocks the whole system while chip k's response is on its way.
  std::size_t read(unsigned k, std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lk(m_);
    check_open(k);
    const auto deadline = Clock::now() + timeout;
    const auto gap = std::chrono::milliseconds(proto::kGapTimeoutMs);
    while (out_[k].empty()) {
      if (has_work()) {
        step_batch();
        if (!out_[k].empty()) break;
        if (Clock::now() >= deadline) return 0;
        lk.unlock();
        std::this_thread::yield();
        lk.lock();
        check_open(k);
        continue;
      }
      const auto now = Clock::now();
      const bool partial = sys_->chip(k).mid_frame();
      if (partial && now >= last_input_[k] + gap) {
        sys_->chip(k).flush();
        continue;
      }
      if (now >= deadline) return 0;
      auto wake = deadline;
      if (partial) wake = std::min(wake, last_input_[k] + gap);
      data_cv_.wait_until(lk, wake);
      check_open(k);
    }
    auto& q = out_[k];
    const std::size_t n = std::min(cap, q.size());
    std::copy(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n), buf);
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
  }

  void close(unsigned k) {
    std::lock_guard<std::mutex> lk(m_);
    open_[k] = false;
  }

 private:
  void check_open(unsigned k) const {
    if (closed_ || !open_[k]) throw Error(name_ + " chip " + std::to_string(k) + ": transport is closed");
  }

  // Clocks the fresh system until every joined link is up.
  void bring_up() {
    if (sys_->run_until([this] { return sys_->all_links_up(); }, kLinkUpBudget)) return;
    std::string down;
    for (unsigned c = 0; c < sys_->chips(); ++c) {
      for (unsigned l = 0; l < sys_->links(); ++l) {
        if (sys_->joined(c, l) && !sys_->link_up(c, l)) {
          down += (down.empty() ? "" : ", ") + ("chip " + std::to_string(c) + " link " + std::to_string(l));
        }
      }
    }
    throw Error(name_ + ": the links did not come up within " + std::to_string(kLinkUpBudget) +
                " cycles (down: " + down + ")");
  }

  bool has_work() const {
    for (unsigned k = 0; k < chips(); ++k) {
      if (!sys_->chip(k).idle()) return true;
    }
    return false;
  }

  // Up to a batch of steps while anything is in flight. Caller holds m_.
  void step_batch() {
    const unsigned n = chips();
    std::vector<bool> delivering(n);
    for (unsigned k = 0; k < n; ++k) delivering[k] = sys_->chip(k).pending() > 0;
    for (unsigned i = 0; i < kBatch; ++i) {
      sys_->step();
      if ((i & 63) == 63 && !has_work()) break;
    }
    bool any = false;
    for (unsigned k = 0; k < n; ++k) {
      if (delivering[k]) last_input_[k] = Clock::now();
      auto& rx = sys_->chip(k).received();
      if (!rx.empty()) {
        out_[k].insert(out_[k].end(), rx.begin(), rx.end());
        rx.clear();
        any = true;
      }
    }
    if (any) data_cv_.notify_all();
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

  std::unique_ptr<sim::MultiTopSim> sys_;
  std::string name_;

  mutable std::mutex m_;  // guards everything below and sys_
  std::condition_variable work_cv_, data_cv_;
  std::vector<std::deque<std::uint8_t>> out_;
  std::vector<Clock::time_point> last_input_;
  std::vector<bool> open_;
  bool closed_ = false;
  std::thread worker_;
};

class SimChipTransport final : public Transport {
 public:
  SimChipTransport(std::shared_ptr<SimHub> hub, unsigned k) : hub_(std::move(hub)), k_(k) {}
  ~SimChipTransport() override { close(); }

  void write(const std::uint8_t* data, std::size_t n) override { hub()->write(k_, data, n); }
  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override {
    return hub()->read(k_, buf, cap, timeout);
  }
  void close() override {
    std::lock_guard<std::mutex> lk(m_);
    if (!hub_) return;
    hub_->close(k_);
    hub_.reset();  // the last chip's transport ends the system (and its worker)
  }
  std::string describe() const override { return name_; }

  void set_name(std::string n) { name_ = std::move(n); }

 private:
  // A reference of its own, so that a close() on another thread cannot end the system
  // under a read in progress.
  std::shared_ptr<SimHub> hub() {
    std::lock_guard<std::mutex> lk(m_);
    if (!hub_) throw Error(name_ + ": transport is closed");
    return hub_;
  }

  std::mutex m_;
  std::shared_ptr<SimHub> hub_;
  unsigned k_;
  std::string name_;
};

}  // namespace

bool have_sim_system() { return true; }

std::vector<std::unique_ptr<Transport>> open_sim_system_transports(const SystemUri& u, const Config& cfg,
                                                                   const std::string& uri) {
  if (!sim::TopSim::supports(cfg)) {
    throw Error("device URI '" + uri + "': no RTL model of configuration '" + std::string(cfg.name) + "'");
  }
  if (u.chips > 1 && cfg.links < 2) {
    throw Error("device URI '" + uri + "': configuration '" + std::string(cfg.name) + "' has " +
                std::to_string(cfg.links) + " link(s); a ring of chips needs two per chip");
  }
  sim::SystemParams p;
  p.chips = u.chips;
  if (!u.ppm.empty()) {
    p.ppm = u.ppm;
  } else if (u.ppm_spread >= 0) {
    for (unsigned k = 0; k < u.chips; ++k) {
      p.ppm.push_back(u.chips == 1 ? 0.0 : u.ppm_spread * (2.0 * k / (u.chips - 1) - 1.0));
    }
  }
  p.channel.ber = u.ber;
  if (u.delay_ns >= 0) p.channel.delay_ns = u.delay_ns;
  p.channel.seed = u.seed;
  p.seed = u.seed;
  const std::string name = "sim:chips=" + std::to_string(u.chips) + ",config=" + std::string(cfg.name);
  auto hub = std::make_shared<SimHub>(cfg, std::move(p), name);
  std::vector<std::unique_ptr<Transport>> v;
  for (unsigned k = 0; k < u.chips; ++k) {
    auto t = std::make_unique<SimChipTransport>(hub, k);
    t->set_name(name + " chip " + std::to_string(k));
    v.push_back(std::move(t));
  }
  return v;
}

#else  // no Verilator models in this build

bool have_sim_system() { return false; }

std::vector<std::unique_ptr<Transport>> open_sim_system_transports(const SystemUri&, const Config&,
                                                                   const std::string& uri) {
  throw Error("device '" + uri +
              "': the multi-chip sim is not in this build (it needs the Verilator models and "
              "verif/multichip/: configure with LPU_BUILD_RTL=ON)");
}

#endif

}  // namespace lpu::driver
