// lpu_bench_host: the host library's transfers and latencies per transport, as JSON lines
// (`make bench`). Wall-clock figures depend on the machine and its load.
//
//   host.tcp.load_bytes_per_s    Device::load of a base program with a full IMEM (32 KiB of
//                                code) and the whole SRAM as data (256 KiB) through tcp:// to
//                                a TcpServer thread with the golden backend; best of 5
//   host.golden.status_rtt_us    STATUS round trip, golden-frames (protocol engine in process)
//   host.tcp.status_rtt_us       STATUS round trip, tcp:// to the server thread (loopback)
//   host.sim.status_rtt_us       STATUS round trip, sim (Verilated lpu_top, side door)
//   host.sim.status_rtt_cycles   STATUS round trip in the chip's clock cycles through the
//                                bit-accurate UART (base: 3 Mbaud), first start bit sent to
//                                the last stop bit received
//   host.sim.load_bytes_per_s    the load above through the sim side door (wall time)
// Round trips are medians over many requests.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lpu/assembler.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/driver/tcp_server.hpp"
#include "lpu/error.hpp"
#include "lpu/golden_backend.hpp"
#include "lpu/protocol.hpp"

#ifdef LPU_HAVE_SIM_TRANSPORT
#include "top_sim.hpp"
#endif

namespace {

using Clock = std::chrono::steady_clock;

void emit(const std::string& name, double value, const char* unit) {
  std::printf("{\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// A full IMEM and the whole SRAM as initial data.
lpu::Program load_program(const lpu::Config& cfg) {
  lpu::Program p = lpu::assemble("halt\n", "bench.s", cfg);
  p.code.assign(cfg.imem_depth, p.code.front());
  lpu::Segment seg;
  seg.bytes.resize(static_cast<std::size_t>(cfg.banks) * cfg.bank_depth * cfg.lanes);
  for (std::size_t i = 0; i < seg.bytes.size(); ++i) seg.bytes[i] = static_cast<std::uint8_t>(i * 13 + 1);
  p.data.push_back(std::move(seg));
  return p;
}

std::uint64_t program_bytes(const lpu::Program& p) {
  std::uint64_t n = 8 * p.code.size();
  for (const auto& s : p.data) n += s.bytes.size();
  return n;
}

double load_rate(lpu::Device& d, const lpu::Program& p, int reps) {
  double best = 0;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    d.load(p);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, static_cast<double>(program_bytes(p)) / s);
  }
  return best;
}

double status_rtt_us(lpu::driver::FrameDevice& d, int n) {
  d.status();  // warm up
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    d.status();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  return median(us);
}

// A TcpServer with the golden backend on a thread, and a client device connected to it.
struct TcpRig {
  explicit TcpRig(const lpu::Config& cfg)
      : backend(cfg), server(backend, lpu::driver::TcpServerOptions{}) {
    th = std::thread([this] { server.serve(); });
    dev = std::make_unique<lpu::driver::FrameDevice>(
        lpu::driver::open_tcp_transport("127.0.0.1", server.port(), std::chrono::milliseconds(3000)),
        &cfg);
  }
  ~TcpRig() {
    dev.reset();
    server.stop();
    th.join();
  }
  lpu::GoldenBackend backend;
  lpu::driver::TcpServer server;
  std::thread th;
  std::unique_ptr<lpu::driver::FrameDevice> dev;
};

#ifdef LPU_HAVE_SIM_TRANSPORT
// One STATUS request through the model's UART: cycles from sending to the whole response.
std::uint64_t uart_status_cycles(lpu::sim::TopSim& sim, std::uint8_t seq) {
  lpu::proto::Frame req;
  req.cmd = static_cast<std::uint8_t>(lpu::proto::Cmd::status);
  req.seq = seq;
  lpu::proto::FrameDecoder dec;
  const std::uint64_t t0 = sim.cycle();
  sim.send(lpu::proto::encode_frame(req));
  while (sim.cycle() - t0 < 10'000'000) {
    sim.step();
    auto& rx = sim.received();
    if (rx.empty()) continue;
    const std::vector<std::uint8_t> got(rx.begin(), rx.end());
    rx.clear();
    for (const auto& ev : dec.feed(got.data(), got.size())) {
      if (ev.kind != lpu::proto::FrameDecoder::Event::Kind::frame || ev.frame.seq != seq ||
          ev.frame.status != 0) {
        throw lpu::Error("bench: unexpected response to STATUS over the UART");
      }
      return sim.cycle() - t0;
    }
  }
  throw lpu::Error("bench: no STATUS response over the UART within 10 M cycles");
}
#endif

}  // namespace

int main() {
  try {
    const lpu::Config& cfg = lpu::config_by_name("base");
    const lpu::Program prog = load_program(cfg);

    {
      TcpRig tcp(cfg);
      emit("host.tcp.load_bytes_per_s", load_rate(*tcp.dev, prog, 5), "B/s");
      emit("host.tcp.status_rtt_us", status_rtt_us(*tcp.dev, 3000), "us");
    }
    {
      lpu::driver::FrameDevice golden(lpu::driver::open_golden_transport(cfg), &cfg);
      emit("host.golden.status_rtt_us", status_rtt_us(golden, 3000), "us");
    }
#ifdef LPU_HAVE_SIM_TRANSPORT
    {
      lpu::driver::TransportOptions t;
      t.config = &cfg;
      lpu::driver::FrameDevice sim(lpu::driver::open_transport("sim", t), &cfg);
      emit("host.sim.status_rtt_us", status_rtt_us(sim, 300), "us");
      emit("host.sim.load_bytes_per_s", load_rate(sim, prog, 1), "B/s");
    }
    {
      auto sim = lpu::sim::TopSim::open(cfg);
      sim->set_uart(true);
      uart_status_cycles(*sim, 0);  // warm up
      std::vector<double> cycles;
      for (int i = 1; i <= 20; ++i) {
        cycles.push_back(static_cast<double>(uart_status_cycles(*sim, static_cast<std::uint8_t>(i))));
      }
      emit("host.sim.status_rtt_cycles", median(cycles), "cycles");
    }
#else
    std::fprintf(stderr, "lpu_bench_host: no sim transport in this build (LPU_BUILD_RTL=OFF): "
                         "host.sim.* skipped\n");
#endif
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_bench_host: %s\n", e.what());
    return 1;
  }
  return 0;
}
