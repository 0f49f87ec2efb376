// SimClock (sim_clock.hpp): the worker and reader clocking of the Verilated chips.
#include "sim_clock.hpp"

#include <algorithm>

#include "lpu/error.hpp"
#include "lpu/protocol.hpp"

namespace lpu::driver {

void FairMutex::lock() {
  std::unique_lock<std::mutex> lk(m_);
  const std::uint64_t ticket = next_++;
  cv_.wait(lk, [&] { return serving_ == ticket; });
}

void FairMutex::unlock() {
  {
    std::lock_guard<std::mutex> lk(m_);
    ++serving_;
  }
  cv_.notify_all();
}

SimClock::SimClock(std::unique_ptr<SimModel> model, std::string name)
    : model_(std::move(model)), name_(std::move(name)), chips_(model_->chips()) {
  out_.resize(chips_);
  last_input_.assign(chips_, Clock::now());
  open_.assign(chips_, true);
  worker_ = std::thread([this] { work(); });
}

SimClock::~SimClock() {
  {
    std::lock_guard<FairMutex> lk(m_);
    closed_ = true;
  }
  work_cv_.notify_all();
  data_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard<FairMutex> lk(m_);
  model_.reset();
}

void SimClock::check_open(unsigned k) const {
  if (closed_ || !open_[k]) {
    throw Error(name_ + (chips_ > 1 ? " chip " + std::to_string(k) : std::string()) + ": transport is closed");
  }
}

void SimClock::write(unsigned k, const std::uint8_t* data, std::size_t n) {
  {
    std::lock_guard<FairMutex> lk(m_);
    check_open(k);
    model_->chip(k).send(data, n);
    last_input_[k] = Clock::now();
  }
  work_cv_.notify_one();
}

std::size_t SimClock::read(unsigned k, std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) {
  std::unique_lock<FairMutex> lk(m_);
  check_open(k);
  const auto deadline = Clock::now() + timeout;
  const auto gap = std::chrono::milliseconds(proto::kGapTimeoutMs);
  auto& q = out_[k];
  while (q.empty()) {
    if (has_work()) {
      step_batch();
      if (!q.empty()) break;
      if (Clock::now() >= deadline) return 0;
      lk.unlock();  // whoever asked for the lock meanwhile (a writer, the worker) goes first
      lk.lock();
      check_open(k);
      continue;
    }
    // Idle with a partial frame: the device's gap timeout, in wall-clock time like the
    // host's resynchronisation (no byte has reached the parser for T_GAP).
    sim::TopSim& chip = model_->chip(k);
    const auto now = Clock::now();
    const bool partial = chip.mid_frame();
    if (partial && now >= last_input_[k] + gap) {
      chip.flush();
      continue;
    }
    if (now >= deadline) return 0;
    auto wake = deadline;
    if (partial) wake = std::min(wake, last_input_[k] + gap);
    data_cv_.wait_until(lk, wake);
    check_open(k);
  }
  const std::size_t n = std::min(cap, q.size());
  std::copy(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n), buf);
  q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

void SimClock::close(unsigned k) {
  {
    std::lock_guard<FairMutex> lk(m_);
    open_[k] = false;
  }
  data_cv_.notify_all();
}

bool SimClock::has_work() const {
  for (unsigned k = 0; k < chips_; ++k) {
    if (!model_->chip(k).idle()) return true;
  }
  return false;
}

void SimClock::step_batch() {
  std::vector<bool> delivering(chips_);
  for (unsigned k = 0; k < chips_; ++k) delivering[k] = model_->chip(k).pending() > 0;
  model_->step_batch();
  bool any = false;
  for (unsigned k = 0; k < chips_; ++k) {
    if (delivering[k]) last_input_[k] = Clock::now();  // request bytes were still arriving
    auto& rx = model_->chip(k).received();
    if (!rx.empty()) {
      out_[k].insert(out_[k].end(), rx.begin(), rx.end());
      rx.clear();
      any = true;
    }
  }
  if (any) data_cv_.notify_all();
}

void SimClock::work() {
  std::unique_lock<FairMutex> lk(m_);
  for (;;) {
    work_cv_.wait(lk, [this] { return closed_ || has_work(); });
    if (closed_) return;
    step_batch();
    lk.unlock();  // a writer or reader that asked meanwhile goes first
    lk.lock();
  }
}

namespace {

class SimChipTransport final : public Transport {
 public:
  SimChipTransport(std::shared_ptr<SimClock> clock, unsigned k, std::string name, double byte_rate)
      : clock_(std::move(clock)), k_(k), name_(std::move(name)), byte_rate_(byte_rate) {}
  ~SimChipTransport() override { close(); }

  void write(const std::uint8_t* data, std::size_t n) override { clock()->write(k_, data, n); }
  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override {
    return clock()->read(k_, buf, cap, timeout);
  }
  void close() override {
    std::shared_ptr<SimClock> c;
    {
      std::lock_guard<std::mutex> lk(m_);
      c = std::move(clock_);
    }
    if (c) c->close(k_);  // the last chip's transport ends the model (and its worker)
  }
  std::string describe() const override { return name_; }
  double byte_rate() const override { return byte_rate_; }

 private:
  // A reference of its own, so that a close() on another thread cannot end the model under a
  // read in progress.
  std::shared_ptr<SimClock> clock() {
    std::lock_guard<std::mutex> lk(m_);
    if (!clock_) throw Error(name_ + ": transport is closed");
    return clock_;
  }

  std::mutex m_;
  std::shared_ptr<SimClock> clock_;
  unsigned k_;
  std::string name_;
  double byte_rate_;
};

}  // namespace

std::unique_ptr<Transport> make_sim_chip_transport(std::shared_ptr<SimClock> clock, unsigned k,
                                                   std::string name, double byte_rate) {
  return std::make_unique<SimChipTransport>(std::move(clock), k, std::move(name), byte_rate);
}

}  // namespace lpu::driver
