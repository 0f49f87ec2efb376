// Multi-chip devices over the host protocol (system.hpp): URI parsing, the system of
// FrameDevices and its run loop (RUN to each chip, then STATUS until all have stopped).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "lpu/driver/system.hpp"
#include "lpu/error.hpp"

namespace lpu::driver {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kSystemHelp =
    "golden[:chips=N], golden-frames:chips=N, "
    "sim:chips=N[,config=C][,ppm=P|P0/P1/..][,ber=X][,delay=NS][,seed=S], tcp://HOST:PORT[,chips=N]";

[[noreturn]] void bad(const std::string& uri, const std::string& what) {
  throw Error("device URI '" + uri + "': " + what + " (expected " + kSystemHelp + ")");
}

double parse_double(const std::string& uri, const std::string& key, const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d == d)) bad(uri, key + "=" + v + " is not a number");
  return d;
}

// "k=v,k=v" into pairs; a key may appear once.
std::vector<std::pair<std::string, std::string>> split_options(const std::string& uri, const std::string& rest) {
  std::vector<std::pair<std::string, std::string>> kvs;
  std::size_t pos = 0;
  while (pos <= rest.size() && !rest.empty()) {
    const std::size_t comma = rest.find(',', pos);
    const std::string kv = rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    const std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size()) bad(uri, "bad option '" + kv + "'");
    const std::string key = kv.substr(0, eq);
    for (const auto& p : kvs) {
      if (p.first == key) bad(uri, "option '" + key + "' given twice");
    }
    kvs.emplace_back(key, kv.substr(eq + 1));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return kvs;
}

std::string system_name(const SystemUri& u, unsigned chips, const Config* cfg) {
  switch (u.kind) {
    case SystemUri::Kind::golden: return "golden:chips=" + std::to_string(chips);
    case SystemUri::Kind::golden_frames: return "golden-frames:chips=" + std::to_string(chips);
    case SystemUri::Kind::sim:
      return "sim:chips=" + std::to_string(chips) + (cfg ? ",config=" + std::string(cfg->name) : "");
    case SystemUri::Kind::tcp: break;
  }
  const bool v6 = u.host.find(':') != std::string::npos;
  return "tcp://" + (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port) +
         ",chips=" + std::to_string(chips);
}

// One chip of a system: a FrameDevice whose own run() refuses.
class SystemChip final : public FrameDevice {
 public:
  SystemChip(std::unique_ptr<Transport> t, const Config* want, FrameDeviceOptions o, std::string name)
      : FrameDevice(std::move(t), want, o), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  RunResult run(std::uint64_t) override {
    throw Error(name_ + ": a chip of a system runs only together with the others (SystemDevice::run)");
  }

 private:
  std::string name_;
};

class FrameSystem final : public SystemDevice {
 public:
  FrameSystem(std::vector<std::unique_ptr<Transport>> links, const Config* want, std::string name,
              FrameDeviceOptions dopt)
      : name_(std::move(name)), opt_(dopt) {
    if (links.empty()) throw Error(name_ + ": a system needs at least one chip");
    for (unsigned k = 0; k < links.size(); ++k) {
      const std::string cname = name_ + " chip " + std::to_string(k);
      try {
        chips_.push_back(std::make_unique<SystemChip>(std::move(links[k]), want, dopt, cname));
      } catch (const Error& e) {
        throw Error(cname + ": " + e.what());
      }
      if (chips_[k]->config().id != chips_[0]->config().id) {
        throw Error(name_ + ": chip " + std::to_string(k) + " is configuration '" +
                    std::string(chips_[k]->config().name) + "', chip 0 '" +
                    std::string(chips_[0]->config().name) + "' (a system's chips must agree)");
      }
    }
  }

  std::string name() const override { return name_; }
  unsigned chips() const override { return static_cast<unsigned>(chips_.size()); }
  Device& chip(unsigned i) override {
    if (i >= chips_.size()) {
      throw Error(name_ + ": chip " + std::to_string(i) + " does not exist (chips 0.." +
                  std::to_string(chips_.size() - 1) + ")");
    }
    return *chips_[i];
  }

  std::vector<RunResult> run(std::uint64_t max_cycles) override {
    const unsigned n = chips();
    for (unsigned k = 0; k < n; ++k) on_chip(k, [&] { chips_[k]->start(); });
    std::vector<proto::StatusPayload> st(n);
    std::vector<bool> stopped(n, false);
    std::string limit;  // why the run was cut short (cycle or time limit)
    const auto t0 = Clock::now();
    milliseconds nap(0);
    for (;;) {
      bool all = true, failed = false;
      for (unsigned k = 0; k < n; ++k) {
        if (!stopped[k]) st[k] = on_chip(k, [&] { return chips_[k]->status(); });
        stopped[k] = st[k].state != proto::ChipState::running;
        all = all && stopped[k];
        failed = failed || st[k].state == proto::ChipState::error || st[k].state == proto::ChipState::idle;
      }
      if (all) break;
      if (failed) {  // the others may wait for its link data forever
        abort_running(st, stopped);
        break;
      }
      std::uint64_t most = 0;
      for (unsigned k = 0; k < n; ++k) most = std::max(most, st[k].cycles);
      const bool too_long = opt_.run_timeout.count() > 0 && Clock::now() - t0 >= opt_.run_timeout;
      if (most >= max_cycles || too_long) {
        limit = too_long ? std::to_string(opt_.run_timeout.count()) + " ms" : std::to_string(max_cycles) + " cycles";
        abort_running(st, stopped);
        break;
      }
      std::this_thread::sleep_for(nap);
      nap = std::min(opt_.poll_max, nap + milliseconds(1));
    }
    if (!limit.empty()) throw Error(name_ + ": the run did not finish within " + limit + " (aborted)");
    std::vector<RunResult> res(n);
    for (unsigned k = 0; k < n; ++k) {
      if (st[k].state == proto::ChipState::idle) {
        throw Error(name_ + " chip " + std::to_string(k) + ": the chip is idle after RUN (was it reset?)");
      }
      res[k].error = static_cast<ErrorCode>(st[k].error_code);
      res[k].error_pc = st[k].error_pc;
      res[k].error_cycle = st[k].error_cycle;
      res[k].cycles = st[k].cycles;
      res[k].counters = on_chip(k, [&] { return chips_[k]->counters(); });
    }
    return res;
  }

 private:
  template <typename F>
  auto on_chip(unsigned k, F&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const Error& e) {
      const std::string msg = e.what();
      if (msg.find(chips_[k]->name()) != std::string::npos) throw;
      throw Error(chips_[k]->name() + ": " + msg);
    }
  }

  // Aborts every chip still running and waits until it has stopped.
  void abort_running(std::vector<proto::StatusPayload>& st, std::vector<bool>& stopped) {
    for (unsigned k = 0; k < st.size(); ++k) {
      if (!stopped[k]) on_chip(k, [&] { chips_[k]->abort(); });
    }
    for (unsigned k = 0; k < st.size(); ++k) {
      if (!stopped[k]) st[k] = on_chip(k, [&] { return chips_[k]->wait(milliseconds(10000)); });
      stopped[k] = true;
    }
  }

  std::string name_;
  FrameDeviceOptions opt_;
  std::vector<std::unique_ptr<SystemChip>> chips_;
};

}  // namespace

bool is_system_uri(const std::string& uri) {
  return uri == "golden" || uri.rfind("golden:", 0) == 0 || uri.rfind("golden-frames:", 0) == 0 ||
         uri == "golden-frames" || uri == "sim" || uri.rfind("sim:", 0) == 0 || uri.rfind("tcp://", 0) == 0;
}

SystemUri parse_system_uri(const std::string& uri) {
  SystemUri u;
  std::string rest;
  if (uri == "golden" || uri.rfind("golden:", 0) == 0) {
    u.kind = SystemUri::Kind::golden;
    rest = uri.size() > 7 ? uri.substr(7) : "";
  } else if (uri == "golden-frames" || uri.rfind("golden-frames:", 0) == 0) {
    u.kind = SystemUri::Kind::golden_frames;
    rest = uri.size() > 14 ? uri.substr(14) : "";
  } else if (uri == "sim" || uri.rfind("sim:", 0) == 0) {
    u.kind = SystemUri::Kind::sim;
    rest = uri.size() > 4 ? uri.substr(4) : "";
  } else if (uri.rfind("tcp://", 0) == 0) {
    u.kind = SystemUri::Kind::tcp;
    std::string hp = uri.substr(6);
    const std::size_t comma = hp.find(',');
    if (comma != std::string::npos) {
      rest = hp.substr(comma + 1);
      if (rest.empty()) bad(uri, "empty option list after ','");
      hp.resize(comma);
    }
    std::size_t colon = hp.rfind(':');
    if (!hp.empty() && hp.front() == '[') {
      const std::size_t close = hp.find(']');
      if (close == std::string::npos || close + 1 >= hp.size() || hp[close + 1] != ':') colon = std::string::npos;
      u.host = close == std::string::npos ? "" : hp.substr(1, close - 1);
    } else if (colon != std::string::npos) {
      u.host = hp.substr(0, colon);
    }
    if (colon == std::string::npos || u.host.empty()) bad(uri, "expected tcp://HOST:PORT");
    const std::string p = hp.substr(colon + 1);
    char* end = nullptr;
    const unsigned long v = std::strtoul(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0' || v == 0 || v > 65535) bad(uri, "port '" + p + "' is not 1..65535");
    u.port = static_cast<std::uint16_t>(v);
  } else {
    bad(uri, "not a multi-chip device");
  }
  for (const auto& [key, value] : split_options(uri, rest)) {
    if (key == "chips") {
      u.chips = parse_system_chips(uri, value, kMaxSystemChips);
      continue;
    }
    if (u.kind != SystemUri::Kind::sim) bad(uri, "unknown option '" + key + "'");
    if (key == "config") {
      u.config = &config_by_name(value);
    } else if (key == "ppm") {
      if (value.find('/') == std::string::npos) {
        u.ppm_spread = parse_double(uri, key, value);
        if (u.ppm_spread < 0 || u.ppm_spread > 10000) bad(uri, "ppm=" + value + " is not a spread 0..10000");
      } else {
        std::size_t pos = 0;
        for (;;) {
          const std::size_t sl = value.find('/', pos);
          const double d = parse_double(uri, key, value.substr(pos, sl == std::string::npos ? sl : sl - pos));
          if (d < -10000 || d > 10000) bad(uri, "ppm=" + value + ": an offset outside +-10000");
          u.ppm.push_back(d);
          if (sl == std::string::npos) break;
          pos = sl + 1;
        }
      }
    } else if (key == "ber") {
      u.ber = parse_double(uri, key, value);
      if (u.ber < 0 || u.ber >= 1) bad(uri, "ber=" + value + " is not a bit error rate 0 <= X < 1");
    } else if (key == "delay") {
      u.delay_ns = parse_double(uri, key, value);
      if (u.delay_ns < 0 || u.delay_ns > 1e6) bad(uri, "delay=" + value + " is not 0..1000000 ns");
    } else if (key == "seed") {
      if (value.find_first_not_of("0123456789") != std::string::npos || value.size() > 19) {
        bad(uri, "seed=" + value + " is not a number");
      }
      u.seed = std::stoull(value);
    } else {
      bad(uri, "unknown option '" + key + "'");
    }
  }
  if (!u.ppm.empty() && u.chips != 0 && u.ppm.size() != u.chips) {
    bad(uri, "ppm= lists " + std::to_string(u.ppm.size()) + " offsets for " + std::to_string(u.chips) + " chips");
  }
  return u;
}

std::unique_ptr<SystemDevice> open_frame_system(std::vector<std::unique_ptr<Transport>> links,
                                                const Config* want, std::string name,
                                                FrameDeviceOptions dopt) {
  return std::make_unique<FrameSystem>(std::move(links), want, std::move(name), dopt);
}

std::unique_ptr<SystemDevice> open_system_device(const std::string& uri, const Config& cfg,
                                                 unsigned default_chips, FrameDeviceOptions dopt) {
  SystemUri u = parse_system_uri(uri);
  const unsigned n = u.chips != 0 ? u.chips : default_chips != 0 ? default_chips : 1;
  if (n > kMaxSystemChips) bad(uri, std::to_string(n) + " chips: at most " + std::to_string(kMaxSystemChips));
  if (!u.ppm.empty() && u.ppm.size() != n) {
    bad(uri, "ppm= lists " + std::to_string(u.ppm.size()) + " offsets for " + std::to_string(n) + " chips");
  }
  u.chips = n;
  switch (u.kind) {
    case SystemUri::Kind::golden:
      return lpu::open_golden_system(cfg, n);
    case SystemUri::Kind::golden_frames: {
      auto be = std::make_shared<GoldenSystemBackends>(cfg, n);
      std::vector<std::unique_ptr<Transport>> links;
      for (unsigned k = 0; k < n; ++k) {
        links.push_back(open_loopback_transport(be, be->chip(k), "golden-frames chip " + std::to_string(k)));
      }
      return open_frame_system(std::move(links), &cfg, system_name(u, n, nullptr), dopt);
    }
    case SystemUri::Kind::sim: {
      const Config& c = u.config ? *u.config : cfg;
      auto links = open_sim_system_transports(u, c, uri);
      return open_frame_system(std::move(links), &c, system_name(u, n, &c), dopt);
    }
    case SystemUri::Kind::tcp: {
      if (static_cast<unsigned>(u.port) + n - 1 > 65535) {
        bad(uri, "chips " + std::to_string(n) + " from port " + std::to_string(u.port) + " pass port 65535");
      }
      std::vector<std::unique_ptr<Transport>> links;
      const std::string name = system_name(u, n, nullptr);
      for (unsigned k = 0; k < n; ++k) {
        const auto port = static_cast<std::uint16_t>(u.port + k);
        try {
          links.push_back(open_tcp_transport(u.host, port, milliseconds(3000)));
        } catch (const Error& e) {
          throw Error(name + ": chip " + std::to_string(k) + " (port " + std::to_string(port) + "): " + e.what() +
                      (k > 0 ? " (does the server serve " + std::to_string(n) +
                                   " chips? `lpu sim-server --device sim:chips=" + std::to_string(n) +
                                   "` listens on ports PORT..PORT+" + std::to_string(n - 1) + ")"
                             : ""));
        }
      }
      return open_frame_system(std::move(links), nullptr, name, dopt);
    }
  }
  bad(uri, "not a multi-chip device");
}

}  // namespace lpu::driver
