// The LPU disassembler: a Program back to assembler text that re-assembles to identical
// container bytes (serialize(assemble(disassemble(p))) == serialize(p)).
#pragma once

#include <cstdint>
#include <string>

#include "lpu/program.hpp"

namespace lpu {

// Whole program: directives (.config, .predicted_cycles, .meta, .data, symbols), then one
// instruction per line with every optional operand written out.
std::string disassemble(const Program& p);
// One instruction word; a word that does not decode prints as `.word 0x...`.
std::string disassemble_word(std::uint64_t word);

}  // namespace lpu
