// lpu disasm: print a .lpu container as assembler text that re-assembles to the same bytes.
#include <fstream>
#include <iostream>

#include "command.hpp"
#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"
#include "lpu/program.hpp"
#include "options.hpp"

namespace {

int run_disasm(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"output", 'o', OptKind::value, "output file"},
                                    });
  opt.require_positionals(1, 1, "input file (FILE.lpu)");
  const lpu::Program p = lpu::Program::load_file(opt.positional(0));
  const std::string text = lpu::disassemble(p);
  const std::string out = opt.value_or("output", "-");
  if (out == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  if (!f) throw lpu::Error(out + ": cannot open for writing");
  f << text;
  f.close();
  if (!f) throw lpu::Error(out + ": write failed");
  return 0;
}

}  // namespace

LPU_COMMAND(disasm, "disassemble a .lpu program to assembler text",
            "FILE.lpu [-o FILE.s]\n"
            "\n"
            "The output re-assembles (lpu asm) to a byte-identical container.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE   write the text to FILE (default: standard output)\n",
            run_disasm)
