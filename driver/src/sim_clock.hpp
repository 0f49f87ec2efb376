// The clocking of the Verilated chips behind the `sim` and `sim:chips=N` devices
// (transport_sim.cpp, system_sim.cpp): one model of one or more lpu_top chips, clocked by a
// worker thread whenever something is in flight (request bytes, a response, a run, links
// training) and by a reader waiting for its chip's response (no thread hand-over on the
// request/response path). While every chip is idle, time stands still.
//
// Every caller (writer, reader, worker) takes one lock that is handed out in the order it was
// asked for: the steppers release it between batches, and a writer with a request (a STATUS
// during a run) gets it after at most the batch in progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lpu/driver/transport.hpp"
#include "top_sim.hpp"

namespace lpu::driver {

// A lock granted in request order (a ticket lock). With a plain std::mutex, a thread that
// releases and at once retakes it usually wins against a waiter that has to be woken first: a
// writer could wait seconds while two steppers passed the lock between them.
class FairMutex {
 public:
  void lock();
  void unlock();

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::uint64_t next_ = 0;     // the next ticket to give out
  std::uint64_t serving_ = 0;  // the ticket that holds the lock
};

// What the clock drives: one or more chips (TopSim host sides) stepped together.
class SimModel {
 public:
  virtual ~SimModel() = default;
  virtual unsigned chips() const = 0;
  virtual sim::TopSim& chip(unsigned k) = 0;
  // Up to a batch of clock cycles (a few milliseconds of CPU at most), ending early once every
  // chip is idle.
  virtual void step_batch() = 0;
};

class SimClock {
 public:
  SimClock(std::unique_ptr<SimModel> model, std::string name);
  ~SimClock();
  SimClock(const SimClock&) = delete;
  SimClock& operator=(const SimClock&) = delete;

  // Chip k's side of the Transport interface (any thread).
  void write(unsigned k, const std::uint8_t* data, std::size_t n);
  std::size_t read(unsigned k, std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout);
  void close(unsigned k);  // a read waiting on chip k ends with "transport is closed"

 private:
  using Clock = std::chrono::steady_clock;
  void check_open(unsigned k) const;
  bool has_work() const;  // caller holds m_
  void step_batch();      // caller holds m_
  void work();

  std::unique_ptr<SimModel> model_;
  std::string name_;
  unsigned chips_;

  mutable FairMutex m_;  // guards everything below and model_
  std::condition_variable_any work_cv_, data_cv_;
  std::vector<std::deque<std::uint8_t>> out_;  // per chip: response bytes not yet read
  std::vector<Clock::time_point> last_input_;  // per chip: a request byte last reached it
  std::vector<bool> open_;
  bool closed_ = false;
  std::thread worker_;
};

// Chip k of a SimClock as a Transport. `byte_rate`: Transport::byte_rate (0: no pacing).
std::unique_ptr<Transport> make_sim_chip_transport(std::shared_ptr<SimClock> clock, unsigned k,
                                                   std::string name, double byte_rate = 0);

}  // namespace lpu::driver
