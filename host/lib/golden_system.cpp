// GoldenSystem: golden-model chips in a ring of links, stepped in lockstep.
#include "lpu/golden_system.hpp"

#include <string>

#include "golden_impl.hpp"
#include "lpu/error.hpp"

namespace lpu {

using golden_detail::Engine;
using golden_detail::LinkChannel;

struct GoldenSystem::Impl {
  std::vector<std::unique_ptr<GoldenModel>> chips;
  std::vector<std::unique_ptr<LinkChannel>> channels;  // one per direction of each joined link
};

namespace {

std::unique_ptr<LinkChannel> make_channel(const Config& cfg) {
  auto ch = std::make_unique<LinkChannel>();
  ch->word_cycles = cfg.link_word_cycles;
  ch->latency = cfg.link_latency;
  ch->tx_depth = cfg.link_tx_depth;
  ch->rx_depth = cfg.link_rx_depth;
  return ch;
}

}  // namespace

GoldenSystem::GoldenSystem(const Config& cfg, unsigned n) : impl_(std::make_unique<Impl>()) {
  if (n < 1 || n > kMaxChips) {
    throw Error("golden system: " + std::to_string(n) + " chips requested; 1 to " + std::to_string(kMaxChips) +
                " are supported");
  }
  if (n > 1 && cfg.links < 2) {
    throw Error("golden system: configuration '" + std::string(cfg.name) + "' has " + std::to_string(cfg.links) +
                " link(s) per chip; a ring of chips needs 2");
  }
  if (n > 1 && (cfg.link_word_cycles == 0 || cfg.link_tx_depth == 0 || cfg.link_rx_depth == 0)) {
    throw Error("golden system: configuration '" + std::string(cfg.name) +
                "' has a zero link_word_cycles, link_tx_depth or link_rx_depth");
  }
  for (unsigned i = 0; i < n; ++i) impl_->chips.push_back(std::make_unique<GoldenModel>(cfg));
  if (n == 1) return;
  for (unsigned i = 0; i < n; ++i) {
    Engine& a = *impl_->chips[i]->impl_;
    Engine& b = *impl_->chips[(i + 1) % n]->impl_;
    auto fwd = make_channel(cfg);   // a.link0 -> b.link1
    auto back = make_channel(cfg);  // b.link1 -> a.link0
    a.links[0].tx = fwd.get();
    b.links[1].rx = fwd.get();
    b.links[1].tx = back.get();
    a.links[0].rx = back.get();
    impl_->channels.push_back(std::move(fwd));
    impl_->channels.push_back(std::move(back));
  }
}

GoldenSystem::~GoldenSystem() = default;

unsigned GoldenSystem::chips() const { return static_cast<unsigned>(impl_->chips.size()); }

GoldenModel& GoldenSystem::chip(unsigned i) {
  if (i >= impl_->chips.size()) {
    throw Error("golden system: chip " + std::to_string(i) + " does not exist (" + std::to_string(chips()) +
                " chips)");
  }
  return *impl_->chips[i];
}

void GoldenSystem::load(const SystemProgram& sp) {
  if (sp.chips.size() != impl_->chips.size()) {
    throw Error("golden system: the program is for " + std::to_string(sp.chips.size()) + " chip(s), the system has " +
                std::to_string(impl_->chips.size()));
  }
  for (std::size_t i = 0; i < sp.chips.size(); ++i) impl_->chips[i]->load(sp.chips[i]);
}

std::vector<RunResult> GoldenSystem::run(std::uint64_t max_cycles) {
  const std::size_t n = impl_->chips.size();
  std::vector<RunResult> res(n);
  std::vector<bool> done(n, false);
  for (auto& ch : impl_->channels) ch->clear();
  for (auto& c : impl_->chips) {
    Engine& e = *c->impl_;
    e.clear_run_state();
    e.skip_idle = false;
  }
  std::size_t running = n;
  for (std::uint64_t cycle = 0; running != 0; ++cycle) {
    if (cycle >= max_cycles) {
      std::string who;
      for (std::size_t i = 0; i < n; ++i) {
        if (!done[i]) who += " chip " + std::to_string(i) + " at pc " + std::to_string(impl_->chips[i]->impl_->pc) + ";";
      }
      throw Error("golden system: the run did not finish within " + std::to_string(max_cycles) + " cycles (still running:" +
                  who + ")");
    }
    // Start of the cycle: words leave TX buffers onto the lines.
    for (auto& ch : impl_->channels) ch->depart(cycle);
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      Engine& e = *impl_->chips[i]->impl_;
      if (e.step(res[i])) {
        done[i] = true;
        --running;
      }
    }
    // Deadlock: every running chip waits in recv on a link with nothing on its way to it
    // (TX buffer and line empty) and no chip is still reading words for a send.
    if (running == 0) break;
    bool stuck = true;
    for (std::size_t i = 0; i < n && stuck; ++i) {
      const Engine& e = *impl_->chips[i]->impl_;
      if (e.send.rows_left != 0) stuck = false;
      if (done[i]) continue;
      if (!(e.recv.rows_left != 0 && e.links[e.recv.link].rx->empty())) stuck = false;
    }
    if (stuck) {
      std::string who;
      for (std::size_t i = 0; i < n; ++i) {
        if (done[i]) continue;
        const Engine& e = *impl_->chips[i]->impl_;
        who += " chip " + std::to_string(i) + " waits in recv (pc " + std::to_string(e.recv.pc) + ", link " +
               std::to_string(e.recv.link) + ", " + std::to_string(e.recv.rows_left) + " words to come);";
      }
      throw Error("golden system: deadlock in cycle " + std::to_string(cycle) + ":" + who +
                  " no word is on its way to any of them");
    }
  }
  return res;
}

}  // namespace lpu
