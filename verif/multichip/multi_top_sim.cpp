// MultiTopSim (multi_top_sim.hpp): N TopSims on their own clocks, ring-wired by Channels.
#include "multi_top_sim.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "lpu/error.hpp"

namespace lpu::sim {

namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::int64_t ns_to_fs(double ns, const char* what) {
  if (!std::isfinite(ns) || std::fabs(ns) > 1e9) {
    throw Error(std::string("MultiTopSim: ") + what + " out of range");
  }
  return static_cast<std::int64_t>(std::llround(ns * 1e6));
}

}  // namespace

std::vector<double> default_ppm(unsigned chips) {
  std::vector<double> v(chips, 0.0);
  if (chips > 1) {
    for (unsigned i = 0; i < chips; ++i) v[i] = -100.0 + 200.0 * i / (chips - 1);
  }
  return v;
}

struct MultiTopSim::Chip {
  std::unique_ptr<TopSim> sim;
  std::int64_t period = 0;
  std::int64_t next = 0;
  std::uint32_t up = 0;
  std::vector<std::uint64_t> up_events, down_events;
};

struct MultiTopSim::Dir {
  std::unique_ptr<verif::link::Channel> ch;
  bool cut = false;
};

MultiTopSim::MultiTopSim(const Config& cfg, SystemParams p) : cfg_(&cfg), p_(std::move(p)) {
  const unsigned n = p_.chips;
  if (n < 1 || n > kMaxChips) {
    throw Error("MultiTopSim: chips = " + std::to_string(n) + ", expected 1.." +
                std::to_string(kMaxChips));
  }
  if (p_.ppm.empty()) p_.ppm = default_ppm(n);
  if (p_.ppm.size() != n) {
    throw Error("MultiTopSim: " + std::to_string(p_.ppm.size()) + " ppm values for " +
                std::to_string(n) + " chips");
  }
  for (unsigned i = 0; i < n; ++i) {
    if (!std::isfinite(p_.ppm[i]) || std::fabs(p_.ppm[i]) > 10000.0) {
      throw Error("MultiTopSim: ppm of chip " + std::to_string(i) + " outside +-10000");
    }
  }
  links_ = cfg.links;
  lanes_ = cfg.link_lanes;
  if (links_ * lanes_ > 32) throw Error("MultiTopSim: more than 32 link pins per chip");
  if (n > 1 && links_ < 2) {
    throw Error("MultiTopSim: configuration '" + std::string(cfg.name) +
                "' has fewer than two links (a ring needs two)");
  }
  for (unsigned i = 0; i < n; ++i) {
    auto c = std::make_unique<Chip>();
    c->sim = TopSim::open(cfg);
    if (n > 1 && !c->sim->has_link_pins()) {
      throw Error("MultiTopSim: the '" + std::string(cfg.name) +
                  "' model of lpu_top has no link pins (rebuild lpu_top_sim)");
    }
    const double hz = static_cast<double>(c->sim->params().clk_hz) * (1.0 + p_.ppm[i] * 1e-6);
    c->period = static_cast<std::int64_t>(std::llround(1e15 / hz));
    c->next = static_cast<std::int64_t>(mix(p_.seed * 131 + i) % static_cast<std::uint64_t>(c->period));
    c->up_events.assign(links_, 0);
    c->down_events.assign(links_, 0);
    chips_.push_back(std::move(c));
  }
  verif::link::ChannelConfig cc;
  cc.delay_fs = ns_to_fs(p_.channel.delay_ns, "channel delay");
  for (double s : p_.channel.skew_ns) cc.skew_fs.push_back(ns_to_fs(s, "channel skew"));
  cc.ber = p_.channel.ber;
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned k = 0; k < links_; ++k) {
      auto d = std::make_unique<Dir>();
      if (joined(i, k)) {
        verif::link::ChannelConfig c = cc;
        c.seed = mix(mix(p_.channel.seed) + mix(p_.seed) + i * links_ + k);
        try {
          d->ch = std::make_unique<verif::link::Channel>(
              lanes_, chips_[i]->period * static_cast<std::int64_t>(cfg.link_osr), c);
        } catch (const std::invalid_argument& e) {
          throw Error(std::string("MultiTopSim: channel parameters: ") + e.what());
        }
      }
      dirs_.push_back(std::move(d));
    }
  }
}

MultiTopSim::~MultiTopSim() = default;

TopSim& MultiTopSim::chip(unsigned i) {
  if (i >= chips()) throw Error("MultiTopSim: no chip " + std::to_string(i));
  return *chips_[i]->sim;
}

std::uint64_t MultiTopSim::cycles(unsigned i) const {
  if (i >= chips()) throw Error("MultiTopSim: no chip " + std::to_string(i));
  return chips_[i]->sim->cycle();
}

std::int64_t MultiTopSim::period_fs(unsigned i) const {
  if (i >= chips()) throw Error("MultiTopSim: no chip " + std::to_string(i));
  return chips_[i]->period;
}

bool MultiTopSim::joined(unsigned chip, unsigned link) const {
  return chips() > 1 && chip < chips() && link < 2 && link < links_;
}

MultiTopSim::End MultiTopSim::partner(unsigned chip, unsigned link) const {
  check_link(chip, link);
  if (!joined(chip, link)) {
    throw Error("MultiTopSim: link " + std::to_string(link) + " of chip " + std::to_string(chip) +
                " has no partner");
  }
  const unsigned n = chips();
  return link == 0 ? End{(chip + 1) % n, 1u} : End{(chip + n - 1) % n, 0u};
}

void MultiTopSim::check_link(unsigned chip, unsigned link) const {
  if (chip >= chips() || link >= links_) {
    throw Error("MultiTopSim: no link " + std::to_string(link) + " on chip " + std::to_string(chip) +
                " (" + std::to_string(chips()) + " chips, " + std::to_string(links_) + " links)");
  }
}

MultiTopSim::Dir& MultiTopSim::dir(unsigned chip, unsigned link) {
  check_link(chip, link);
  return *dirs_[chip * links_ + link];
}

const MultiTopSim::Dir& MultiTopSim::dir(unsigned chip, unsigned link) const {
  check_link(chip, link);
  return *dirs_[chip * links_ + link];
}

void MultiTopSim::step() {
  unsigned best = 0;
  for (unsigned i = 1; i < chips(); ++i) {
    if (chips_[i]->next < chips_[best]->next) best = i;
  }
  Chip& c = *chips_[best];
  const std::int64_t t = c.next;
  now_ = t;
  std::uint32_t rx = 0;
  for (unsigned k = 0; k < links_; ++k) {
    if (!joined(best, k)) continue;
    const End e = partner(best, k);
    Dir& in = *dirs_[e.chip * links_ + e.link];
    for (unsigned l = 0; l < lanes_; ++l) {
      const bool v = in.ch->sample(l, t);  // always sampled: the channel's queue drains
      if (v && !in.cut) rx |= 1u << (k * lanes_ + l);
    }
  }
  c.sim->set_link_rx(rx);
  c.sim->step();
  const std::uint32_t tx = c.sim->link_tx();
  for (unsigned k = 0; k < links_; ++k) {
    if (!joined(best, k)) continue;
    Dir& out = *dirs_[best * links_ + k];
    for (unsigned l = 0; l < lanes_; ++l) out.ch->drive(l, t, ((tx >> (k * lanes_ + l)) & 1u) != 0);
  }
  const std::uint32_t up = c.sim->link_up();
  for (unsigned k = 0; k < links_; ++k) {
    const bool was = (c.up >> k) & 1u, is = (up >> k) & 1u;
    if (is && !was) ++c.up_events[k];
    if (!is && was) ++c.down_events[k];
  }
  c.up = up;
  c.next += c.period;
}

void MultiTopSim::run_cycles(std::uint64_t n) {
  const std::uint64_t end = cycles(0) + n;
  while (cycles(0) < end) step();
}

void MultiTopSim::run_fs(std::int64_t dt) {
  const std::int64_t end = now_ + dt;
  for (;;) {
    std::int64_t next = chips_[0]->next;
    for (const auto& c : chips_) next = std::min(next, c->next);
    if (next > end) break;
    step();
  }
  now_ = end;
}

bool MultiTopSim::link_up(unsigned chip, unsigned link) const {
  check_link(chip, link);
  return ((chips_[chip]->sim->link_up() >> link) & 1u) != 0;
}

bool MultiTopSim::all_links_up() const {
  for (unsigned i = 0; i < chips(); ++i) {
    for (unsigned k = 0; k < links_; ++k) {
      if (joined(i, k) && !link_up(i, k)) return false;
    }
  }
  return true;
}

void MultiTopSim::cut(unsigned chip, unsigned link, bool on) {
  const End e = partner(chip, link);
  dir(chip, link).cut = on;
  dir(e.chip, e.link).cut = on;
}

bool MultiTopSim::is_cut(unsigned chip, unsigned link) const {
  return joined(chip, link) && dir(chip, link).cut;
}

verif::link::Channel& MultiTopSim::channel(unsigned chip, unsigned link) {
  partner(chip, link);  // throws when not joined
  return *dir(chip, link).ch;
}

std::uint64_t MultiTopSim::channel_errors() const {
  std::uint64_t s = 0;
  for (const auto& d : dirs_) s += d->ch ? d->ch->errors() : 0;
  return s;
}

std::uint64_t MultiTopSim::channel_bits() const {
  std::uint64_t s = 0;
  for (const auto& d : dirs_) s += d->ch ? d->ch->bits() : 0;
  return s;
}

std::uint64_t MultiTopSim::up_events(unsigned chip, unsigned link) const {
  check_link(chip, link);
  return chips_[chip]->up_events[link];
}

std::uint64_t MultiTopSim::down_events(unsigned chip, unsigned link) const {
  check_link(chip, link);
  return chips_[chip]->down_events[link];
}

std::string MultiTopSim::describe() const {
  std::ostringstream os;
  os << cfg_->name << ", " << chips() << " chips, seed " << p_.seed << "/" << p_.channel.seed
     << ", delay " << p_.channel.delay_ns << " ns, ber " << p_.channel.ber << ", t = " << now_ / 1000000
     << " ns";
  for (unsigned i = 0; i < chips(); ++i) {
    os << "\n  chip " << i << ": " << p_.ppm[i] << " ppm, cycle " << cycles(i) << ", links up";
    for (unsigned k = 0; k < links_; ++k) {
      os << " " << link_up(i, k) << (is_cut(i, k) ? "(cut)" : "");
    }
    os << ", running " << chips_[i]->sim->running();
  }
  return os.str();
}

}  // namespace lpu::sim
