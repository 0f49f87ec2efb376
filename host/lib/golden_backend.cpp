// GoldenBackend: the golden model served through the protocol engine.
#include "lpu/golden_backend.hpp"

#include <algorithm>
#include <exception>
#include <limits>

#include "lpu/error.hpp"

namespace lpu {

namespace {

constexpr unsigned kCyclesIdx = static_cast<unsigned>(gen::Counter::cycles);

}  // namespace

GoldenBackend::GoldenBackend(const Config& cfg, GoldenBackendOptions opt)
    : cfg_(cfg), opt_(opt), model_(cfg), imem_(cfg.imem_depth, 0) {}

GoldenBackend::~GoldenBackend() {
  {
    std::lock_guard<std::mutex> lk(m_);
    abort_req_ = true;
  }
  join_worker();
}

std::uint32_t GoldenBackend::features() const {
  return proto::kFeatAbort | proto::kFeatImemReadable | proto::kFeatEmulated;
}

void GoldenBackend::join_worker() {
  if (worker_.joinable()) worker_.join();
}

void GoldenBackend::write_mem(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr,
                              const std::uint8_t* data, std::size_t n) {
  if (s == proto::MemSpace::imem) {
    for (std::size_t i = 0; i < n / 8; ++i) imem_.at(addr + i) = proto::get_u64(data + 8 * i);
    return;
  }
  model_.write_mem(static_cast<Space>(s), bank, addr, std::vector<std::uint8_t>(data, data + n));
}

void GoldenBackend::read_mem(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr,
                             std::uint8_t* out, std::size_t n) {
  if (s == proto::MemSpace::imem) {
    for (std::size_t i = 0; i < n / 8; ++i) {
      const std::uint64_t w = imem_.at(addr + i);
      for (unsigned b = 0; b < 8; ++b) out[8 * i + b] = static_cast<std::uint8_t>(w >> (8 * b));
    }
    return;
  }
  const auto bytes = model_.read_mem(static_cast<Space>(s), bank, addr, n);
  std::copy(bytes.begin(), bytes.end(), out);
}

void GoldenBackend::set_program_len(std::uint32_t n) {
  if (n > cfg_.imem_depth)
    throw Error("golden backend: program length " + std::to_string(n) + " > imem_depth");
  prog_len_ = n;
}

void GoldenBackend::start() {
  join_worker();  // the previous run's worker has finished (we are not running)
  model_.load_code(std::vector<std::uint64_t>(imem_.begin(), imem_.begin() + prog_len_));
  {
    std::lock_guard<std::mutex> lk(m_);
    running_ = true;
    model_done_ = false;
    abort_req_ = false;
    note_.clear();
    started_ = std::chrono::steady_clock::now();
  }
  const std::uint64_t max = opt_.max_cycles;
  worker_ = std::thread([this, max] {
    RunResult r;
    std::string note;
    try {
      r = model_.run(max);
    } catch (const std::exception& e) {
      note = e.what();
      r = RunResult{};
      r.error = ErrorCode::aborted;
      r.error_cycle = max;
      r.cycles = max;
      r.counters[kCyclesIdx] = max;
    }
    std::lock_guard<std::mutex> lk(m_);
    result_ = r;
    note_ = note;
    model_done_ = true;
  });
}

void GoldenBackend::abort() {
  std::lock_guard<std::mutex> lk(m_);
  if (running_) abort_req_ = true;
}

ChipStatus GoldenBackend::poll() {
  std::lock_guard<std::mutex> lk(m_);
  if (!running_) return status_;
  std::uint64_t paced = std::numeric_limits<std::uint64_t>::max();
  if (opt_.clock_hz != 0) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    paced = static_cast<std::uint64_t>(s * opt_.clock_hz);
  }
  if (model_done_) {
    if (abort_req_) {
      const std::uint64_t c = std::min(paced, result_.cycles);
      status_ = ChipStatus{proto::ChipState::error, ErrorCode::aborted, 0, c, c};
      counters_ = result_.counters;
      counters_[kCyclesIdx] = c;
      running_ = false;
    } else if (paced >= result_.cycles) {
      status_.state = result_.ok() ? proto::ChipState::done : proto::ChipState::error;
      status_.error = result_.error;
      status_.error_pc = result_.error_pc;
      status_.error_cycle = result_.error_cycle;
      status_.cycles = result_.cycles;
      counters_ = result_.counters;
      running_ = false;
    }
  }
  if (running_) {
    ChipStatus s;
    s.state = proto::ChipState::running;
    s.cycles = opt_.clock_hz != 0 ? paced : 0;
    return s;
  }
  return status_;
}

proto::CounterArray GoldenBackend::counters() {
  poll();
  std::lock_guard<std::mutex> lk(m_);
  return counters_;
}

void GoldenBackend::reset() {
  {
    std::lock_guard<std::mutex> lk(m_);
    abort_req_ = true;
  }
  join_worker();
  model_.reset();
  std::fill(imem_.begin(), imem_.end(), 0);
  prog_len_ = 0;
  std::lock_guard<std::mutex> lk(m_);
  running_ = false;
  model_done_ = false;
  abort_req_ = false;
  status_ = ChipStatus{};
  counters_ = proto::CounterArray{};
  note_.clear();
}

std::string GoldenBackend::last_run_note() const {
  std::lock_guard<std::mutex> lk(m_);
  return note_;
}

}  // namespace lpu
