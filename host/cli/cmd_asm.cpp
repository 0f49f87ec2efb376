// lpu asm: assemble a .s file into a .lpu container.
#include <filesystem>
#include <iostream>

#include "command.hpp"
#include "lpu/assembler.hpp"
#include "lpu/config.hpp"
#include "lpu/error.hpp"
#include "options.hpp"

namespace {

int run_asm(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"output", 'o', OptKind::value, "output file"},
                                        {"config", 'c', OptKind::value, "configuration"},
                                        {"verbose", 'v', OptKind::flag, "print a summary"},
                                    });
  opt.require_positionals(1, 1, "input file (FILE.s)");
  const std::string& in = opt.positional(0);
  std::string out = opt.value_or("output", "");
  if (out.empty()) out = std::filesystem::path(in).replace_extension(".lpu").string();
  if (out == in) throw lpu::Error("output file would overwrite the input '" + in + "'; give -o");
  const lpu::Config& cfg =
      opt.has("config") ? lpu::config_by_name(opt.value_or("config", "")) : lpu::default_config();
  const lpu::Program p = lpu::assemble_file(in, cfg);
  p.save_file(out);
  if (opt.flag("verbose")) {
    std::cout << out << ": " << p.code.size() << " instructions, " << p.data.size()
              << " data segments, " << p.symbols.size() << " tensors, " << p.req.lanes
              << " lanes\n";
  }
  return 0;
}

}  // namespace

LPU_COMMAND(
    asm, "assemble a .s file into a .lpu program",
    "FILE.s [-o FILE.lpu] [--config NAME] [-v]\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   output container (default: FILE.s with the extension .lpu)\n"
    "  -c, --config NAME   target configuration when the source has no .config (default: base)\n"
    "  -v, --verbose       print a one-line summary\n",
    run_asm)
