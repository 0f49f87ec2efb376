// Measurements, not tests (hidden: run `lpu_driver_tests "[.bench]"`): load throughput of a
// 256 KiB SRAM write and STATUS round-trip latency on every transport.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "device_fixtures.hpp"

TEST_CASE("bench: 256 KiB load and STATUS round trip per transport", "[.bench]") {
  using Clock = std::chrono::steady_clock;
  const lpu::Config& cfg = lpu::config_by_name("base");
  std::vector<std::uint8_t> data(256 * 1024);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  for (const auto& kind : fixture::kinds()) {
    auto fx = fixture::make(kind, cfg);
    auto& d = *fx->dev;
    auto t0 = Clock::now();
    d.write_mem(lpu::Space::sram, 0, 0, data);
    const double wr = std::chrono::duration<double>(Clock::now() - t0).count();
    t0 = Clock::now();
    const auto back = d.read_mem(lpu::Space::sram, 0, 0, data.size());
    const double rd = std::chrono::duration<double>(Clock::now() - t0).count();
    REQUIRE(back == data);
    const int n = 2000;
    t0 = Clock::now();
    for (int i = 0; i < n; ++i) d.status();
    const double rtt = std::chrono::duration<double>(Clock::now() - t0).count() / n;
    std::printf(
        "%-14s write 256 KiB: %8.1f MB/s   read: %8.1f MB/s   STATUS round trip: %7.1f us\n",
        kind.c_str(), data.size() / wr / 1e6, data.size() / rd / 1e6, rtt * 1e6);
  }
}
