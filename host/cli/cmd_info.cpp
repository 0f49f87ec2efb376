// lpu info: what a device is: its configuration, ISA version, timing and counters.
#include <cstdio>
#include <string>

#include "command.hpp"
#include "lpu/config.hpp"
#include "lpu/device.hpp"
#include "open_device.hpp"
#include "options.hpp"

namespace {

int run_info(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"device", 'd', OptKind::value, "device URI"},
                                        {"config", 'c', OptKind::value, "configuration"},
                                    });
  opt.require_positionals(0, 0, "nothing");
  const lpu::Config& c = opt.has("config") ? lpu::config_by_name(opt.value_or("config", "")) : lpu::default_config();
  auto dev = LPU_OPEN_DEVICE(opt.value_or("device", lpu::cli::kDefaultDevice), c);
  const lpu::Config& cfg = dev->config();
  std::printf("device:        %s: %s\n", dev->name().c_str(), dev->description().c_str());
  std::printf("isa version:   %u\n", lpu::gen::kIsaVersion);
  std::printf("configuration: %s (id %u; %s)\n", std::string(cfg.name).c_str(), cfg.id, std::string(cfg.target).c_str());
  auto row = [](const char* name, unsigned long long v, const char* note = "") {
    std::printf("  %-16s %llu%s\n", name, v, note);
  };
  row("lanes", cfg.lanes, " (MXU lanes x lanes)");
  row("banks", cfg.banks);
  row("bank_depth", cfg.bank_depth, " words");
  row("sram_bytes", static_cast<unsigned long long>(cfg.banks) * cfg.bank_depth * cfg.lanes);
  row("sram_dual_port", cfg.sram_dual_port);
  row("acc_depth", cfg.acc_depth);
  row("imem_depth", cfg.imem_depth);
  row("lut_depth", cfg.lut_depth);
  row("vregs", cfg.vregs);
  row("sregs", cfg.sregs);
  row("loop_depth", cfg.loop_depth);
  row("links", cfg.links);
  row("link_lanes", cfg.link_lanes, " (serial lanes per link and direction)");
  row("link_osr", cfg.link_osr, " (cycles per line bit)");
  row("link_frame_words", cfg.link_frame_words);
  row("link_tx_depth", cfg.link_tx_depth, " words");
  row("link_rx_depth", cfg.link_rx_depth, " words");
  row("fmax_target_mhz", cfg.fmax_target_mhz);
  std::printf("timing (cycles):\n");
  row("vlat", cfg.vlat);
  row("slat", cfg.slat);
  row("mxu_lat", cfg.mxu_lat);
  row("mlw_busy", cfg.mlw_busy);
  row("mlw_ready", cfg.mlw_ready);
  row("wbuf_release", cfg.wbuf_release);
  row("vtr_busy", cfg.vtr_busy);
  row("vtr_wr_start", cfg.vtr_wr_start);
  row("link_word_cycles", cfg.link_word_cycles);
  row("link_latency", cfg.link_latency);
  std::printf("counters:");
  for (const auto& n : lpu::gen::kCounterNames) std::printf(" %s", std::string(n).c_str());
  std::printf("\n");
  return 0;
}

}  // namespace

LPU_COMMAND(info, "show a device's configuration, ISA version and counters",
            "[--device golden] [--config C]\n"
            "\n"
            "options:\n"
            "  -d, --device URI   device (default: sim when built with the RTL, else golden)\n"
            "  -c, --config NAME  configuration of the golden model (default: base)\n",
            run_info)
