// lpu_bench_host_sim: the host interface on the `sim` device's models (lpu_top), JSON lines.
//
//   host.sim_uart.load_efficiency[.tiny]  WRITE_MEM payload bytes per second over the bit-accurate
//                                         UART, request after response, divided by the line's byte
//                                         rate (baud / 10), in simulated time (target >= 0.9)
//   host.sim_sidedoor.status_rtt_cycles   STATUS round trip through the side door: first request
//                                         byte offered to the last response byte taken
//   host.sim.status_rtt_wall_us           the same in wall-clock time (Verilator speed)
//   host.sim.write_4k_cycles              a 4096-byte WRITE_MEM round trip through the side door
//   host.sim.cycles_per_second            simulation speed of the base model, idle chip
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/error.hpp"
#include "lpu/protocol.hpp"
#include "top_sim.hpp"

namespace {

using lpu::proto::Cmd;

void emit(const std::string& name, double value, const char* unit) {
  std::printf("{\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

// Sends one request and steps until its whole response has arrived; returns the cycles.
std::uint64_t round_trip(lpu::sim::TopSim& sim, const lpu::proto::Frame& req) {
  lpu::proto::FrameDecoder dec;
  const std::uint64_t t0 = sim.cycle();
  sim.send(lpu::proto::encode_frame(req));
  const std::uint64_t limit = 100'000'000;
  while (sim.cycle() - t0 < limit) {
    sim.step();
    auto& rx = sim.received();
    if (rx.empty()) continue;
    std::vector<std::uint8_t> got(rx.begin(), rx.end());
    rx.clear();
    for (const auto& ev : dec.feed(got.data(), got.size())) {
      if (ev.kind != lpu::proto::FrameDecoder::Event::Kind::frame || ev.frame.status != 0 ||
          ev.frame.seq != req.seq) {
        throw lpu::Error("bench: unexpected response to " + std::string(lpu::proto::cmd_name(req.cmd)));
      }
      return sim.cycle() - t0;
    }
  }
  throw lpu::Error("bench: no response");
}

lpu::proto::Frame write_frame(std::uint8_t seq, std::uint32_t addr, std::size_t n, std::mt19937& rng) {
  lpu::proto::MemRequest m;
  m.space = lpu::proto::MemSpace::sram;
  m.bank = 0;
  m.addr = addr;
  m.data.resize(n);
  for (auto& b : m.data) b = static_cast<std::uint8_t>(rng());
  lpu::proto::Frame f;
  f.cmd = static_cast<std::uint8_t>(Cmd::write_mem);
  f.seq = seq;
  f.payload = m.encode_write();
  return f;
}

double load_efficiency(const lpu::Config& cfg, unsigned frames) {
  auto sim = lpu::sim::TopSim::open(cfg);
  sim->set_uart(true);
  std::mt19937 rng(7);
  const std::size_t n = 4096;
  const std::uint32_t words = static_cast<std::uint32_t>(n / cfg.lanes);
  std::uint64_t cycles = 0;
  for (unsigned i = 0; i < frames; ++i) {
    cycles += round_trip(*sim, write_frame(static_cast<std::uint8_t>(i), (i * words) % cfg.bank_depth, n, rng));
  }
  const auto& p = sim->params();
  const double seconds = static_cast<double>(cycles) / p.clk_hz;
  const double payload_rate = static_cast<double>(frames * n) / seconds;
  return payload_rate / (static_cast<double>(p.baud) / 10.0);
}

}  // namespace

int main() {
  try {
    const lpu::Config& base = lpu::config_by_name("base");
    const lpu::Config& tiny = lpu::config_by_name("tiny");

    emit("host.sim_uart.load_efficiency", load_efficiency(base, 2), "ratio");
    emit("host.sim_uart.load_efficiency.tiny", load_efficiency(tiny, 4), "ratio");

    auto sim = lpu::sim::TopSim::open(base);
    lpu::proto::Frame st;
    st.cmd = static_cast<std::uint8_t>(Cmd::status);
    round_trip(*sim, st);  // warm up
    const int reps = 200;
    std::uint64_t cyc = 0;
    const auto w0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) {
      st.seq = static_cast<std::uint8_t>(i);
      cyc += round_trip(*sim, st);
    }
    const auto w1 = std::chrono::steady_clock::now();
    emit("host.sim_sidedoor.status_rtt_cycles", static_cast<double>(cyc) / reps, "cycles");
    emit("host.sim.status_rtt_wall_us",
         std::chrono::duration<double, std::micro>(w1 - w0).count() / reps, "us");

    std::mt19937 rng(3);
    emit("host.sim.write_4k_cycles", static_cast<double>(round_trip(*sim, write_frame(1, 0, 4096, rng))), "cycles");

    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t c0 = sim->cycle();
    sim->step(200000);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    emit("host.sim.cycles_per_second", static_cast<double>(sim->cycle() - c0) / secs, "cycles/s");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_bench_host_sim: %s\n", e.what());
    return 1;
  }
  return 0;
}
