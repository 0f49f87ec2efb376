// Multi-chip devices of the driver (docs/cli.md "Multi-chip devices"): a lpu::SystemDevice
// whose chips are FrameDevices, each speaking the host protocol over its own Transport.
//
//   golden[:chips=N]                the golden model's system in process (lpu::open_system_device)
//   golden-frames:chips=N           the golden system behind the protocol, one in-process
//                                   protocol engine per chip (tests, comparisons)
//   sim:chips=N[,config=C][,ppm=P][,ber=X][,delay=NS][,seed=S]
//                                   N Verilated lpu_top models in a ring of link channel models
//                                   (verif/multichip/, MultiTopSim), stepped by one worker
//                                   thread; each chip's host side through its side door
//   tcp://HOST:PORT[,chips=N]       a multi-chip `lpu sim-server`: chip k on port PORT+k
//
// A run sends RUN to every chip, then polls STATUS until every chip has stopped. When one
// chip stops with an error the others still running are aborted (they could wait for its
// link data forever); their results say `aborted`.
//
// Ownership: the SystemDevice owns its FrameDevices (and through them the transports); the
// sim transports share the MultiTopSim (and its worker thread), which ends with the last one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lpu/driver/frame_device.hpp"
#include "lpu/driver/transport.hpp"
#include "lpu/protocol_server.hpp"
#include "lpu/system_device.hpp"

namespace lpu::driver {

// The largest system a URI may ask for (GoldenSystem::kMaxChips).
inline constexpr unsigned kMaxSystemChips = 16;

struct SystemUri {
  enum class Kind { golden, golden_frames, sim, tcp };
  Kind kind = Kind::golden;
  unsigned chips = 0;               // 0: not given (the caller's default)
  const Config* config = nullptr;   // sim: config= (nullptr: the caller's)
  // sim: the link channels and clocks (MultiTopSim's SystemParams).
  std::vector<double> ppm;          // one per chip (ppm=A/B/...) ...
  double ppm_spread = -1;           // ... or a spread: chips evenly in +-P ppm (ppm=P); <0: default
  double ber = 0;                   // bit error rate of every link direction
  double delay_ns = -1;             // <0: the channel model's default
  std::uint64_t seed = 1;
  // tcp
  std::string host;
  std::uint16_t port = 0;
};

// True for the URIs above (golden alone is also a single-chip device URI).
bool is_system_uri(const std::string& uri);
// Parses a system URI; throws lpu::Error naming the URI and the bad part (chips=0, chips
// above kMaxSystemChips, unknown keys, ...).
SystemUri parse_system_uri(const std::string& uri);

// Opens a multi-chip device. `cfg`: the configuration the simulated chips emulate (a sim
// URI's config= wins; a tcp server's chips are what they are). Without chips= in the URI the
// system has `default_chips` chips (0: one; tcp: a count is needed).
std::unique_ptr<SystemDevice> open_system_device(const std::string& uri, const Config& cfg,
                                                 unsigned default_chips = 0,
                                                 FrameDeviceOptions dopt = {});

// A system over one transport per chip (chip k = links[k]); `name` for messages. `want`: the
// configuration every chip must have (nullptr: the chips' own, which must agree).
std::unique_ptr<SystemDevice> open_frame_system(std::vector<std::unique_ptr<Transport>> links,
                                                const Config* want, std::string name,
                                                FrameDeviceOptions dopt = {});

// Golden chips behind the protocol engine: `chips` ChipBackends sharing one GoldenSystem.
// Each chip's start() arms it; the system runs (on a worker thread) once every chip has been
// started, and until it has finished every armed chip reports running. abort() of an armed
// chip that is waiting for the others disarms it (error `aborted`). Thread-safe: each chip
// may be driven by its own protocol engine on its own thread.
class GoldenSystemBackends {
 public:
  GoldenSystemBackends(const Config& cfg, unsigned chips, std::uint64_t max_cycles = 1ull << 32);
  ~GoldenSystemBackends();
  GoldenSystemBackends(const GoldenSystemBackends&) = delete;
  GoldenSystemBackends& operator=(const GoldenSystemBackends&) = delete;

  unsigned chips() const;
  ChipBackend& chip(unsigned i);
  // Why the last system run ended early (deadlock, max_cycles), or empty.
  std::string last_run_note() const;

 private:
  struct Impl;
  class Chip;
  std::unique_ptr<Impl> impl_;
};

// An in-process loopback transport into a protocol engine over `backend`; `keep` keeps the
// backend alive as long as the transport. Not for a relaying TcpServer (single-threaded).
std::unique_ptr<Transport> open_loopback_transport(std::shared_ptr<void> keep, ChipBackend& backend,
                                                   std::string name);

// sim:chips=N: one transport per chip of a new MultiTopSim (needs the Verilator models;
// otherwise an lpu::Error says the build has none). `cfg` unless the URI names a config.
std::vector<std::unique_ptr<Transport>> open_sim_system_transports(const SystemUri& u,
                                                                   const Config& cfg,
                                                                   const std::string& uri);
bool have_sim_system();

}  // namespace lpu::driver
