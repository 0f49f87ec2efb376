// The golden model as a chip backend of the protocol engine (docs/host-protocol.md "Chip
// backends"): the golden model behind the same frames as a board.
//
// Runs execute on a worker thread owned by the backend, so the engine keeps answering STATUS
// and ABORT during a long run. The backend owns its GoldenModel and IMEM image.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lpu/golden.hpp"
#include "lpu/protocol_server.hpp"

namespace lpu {

struct GoldenBackendOptions {
  // 0: a run is done as soon as the model finishes. Otherwise the backend also reports
  // "running" until cycles / clock_hz seconds of wall time have passed (a real chip's time).
  std::uint32_t clock_hz = 0;
  // A run that has not halted by this cycle stops as if aborted there.
  std::uint64_t max_cycles = 1ull << 32;
};

class GoldenBackend : public ChipBackend {
 public:
  explicit GoldenBackend(const Config& cfg, GoldenBackendOptions opt = {});
  ~GoldenBackend() override;
  GoldenBackend(const GoldenBackend&) = delete;
  GoldenBackend& operator=(const GoldenBackend&) = delete;

  const Config& config() const override { return cfg_; }
  std::uint32_t features() const override;
  std::uint32_t clock_hz() const override { return opt_.clock_hz; }

  void write_mem(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr,
                 const std::uint8_t* data, std::size_t n) override;
  void read_mem(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr, std::uint8_t* out,
                std::size_t n) override;
  void set_program_len(std::uint32_t n) override;
  std::uint32_t program_len() const override { return prog_len_; }
  void start() override;
  void abort() override;
  ChipStatus poll() override;
  proto::CounterArray counters() override;
  void reset() override;

  // Why the last run stopped early (max_cycles), or empty.
  std::string last_run_note() const;

 private:
  void join_worker();

  const Config& cfg_;
  GoldenBackendOptions opt_;
  GoldenModel model_;  // touched by the worker only while a run is in progress
  std::vector<std::uint64_t> imem_;
  std::uint32_t prog_len_ = 0;

  mutable std::mutex m_;  // guards everything below
  std::thread worker_;
  bool running_ = false;     // a run was started and has not been finalised
  bool model_done_ = false;  // the worker has finished with the model
  bool abort_req_ = false;
  RunResult result_;  // the worker's result (valid when model_done_)
  std::string note_;
  std::chrono::steady_clock::time_point started_;
  ChipStatus status_;
  proto::CounterArray counters_{};
};

}  // namespace lpu
