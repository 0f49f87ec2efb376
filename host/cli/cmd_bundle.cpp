// lpu bundle: join single-chip programs into one multi-chip program (docs/program-format.md
// "Multi-chip programs"), or list the chips of one.
#include <cstdio>

#include "command.hpp"
#include "lpu/error.hpp"
#include "lpu/system_program.hpp"
#include "options.hpp"

namespace {

int run_bundle(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"output", 'o', OptKind::value, "output file"},
                                        {"list", 'l', OptKind::flag, "list the chips of FILE"},
                                    });
  if (opt.flag("list")) {
    opt.require_positionals(1, 1, "a program file (FILE.lpu)");
    const auto sp = lpu::SystemProgram::load_file(opt.positional(0));
    std::printf("%s: %zu chip(s), ring topology\n", opt.positional(0).c_str(), sp.chips.size());
    for (std::size_t i = 0; i < sp.chips.size(); ++i) {
      const auto& p = sp.chips[i];
      std::printf("  chip %zu: %zu instructions, %zu data segments, %zu symbols, lanes %u, predicted cycles %s\n", i,
                  p.code.size(), p.data.size(), p.symbols.size(), p.req.lanes,
                  p.predicted_cycles ? std::to_string(p.predicted_cycles).c_str() : "unknown");
    }
    return 0;
  }
  opt.require_positionals(1, lpu::kMaxSystemChips, "one program per chip (CHIP0.lpu CHIP1.lpu ...)");
  if (!opt.has("output")) throw lpu::Error("no output file: give -o SYSTEM.lpu");
  lpu::SystemProgram sp;
  for (std::size_t i = 0; i < opt.positionals().size(); ++i) {
    auto one = lpu::SystemProgram::load_file(opt.positional(i));
    if (one.chips.size() != 1) {
      throw lpu::Error(opt.positional(i) + ": is already a multi-chip program (" + std::to_string(one.chips.size()) +
                       " chips); give single-chip programs");
    }
    if (!sp.chips.empty() && one.chips[0].req.lanes != sp.chips[0].req.lanes) {
      throw lpu::Error(opt.positional(i) + ": is for " + std::to_string(one.chips[0].req.lanes) + " lanes, " +
                       opt.positional(0) + " for " + std::to_string(sp.chips[0].req.lanes) +
                       "; every chip of a system has the same configuration");
    }
    sp.chips.push_back(std::move(one.chips[0]));
  }
  sp.save_file(opt.value_or("output", ""));
  return 0;
}

}  // namespace

LPU_COMMAND(bundle, "join single-chip programs into a multi-chip program",
            "CHIP0.lpu [CHIP1.lpu ...] -o SYSTEM.lpu | --list FILE.lpu\n"
            "\n"
            "Chip i of the system runs the i-th program; the chips form a ring (link 0 of chip i\n"
            "to link 1 of chip i+1). `lpu run SYSTEM.lpu` runs all of them.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE   the multi-chip program to write\n"
            "  -l, --list          list the chips of FILE instead\n",
            run_bundle)
