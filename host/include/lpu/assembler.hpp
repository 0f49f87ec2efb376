// The LPU assembler: text (docs/isa.md "Operands in assembly") to a Program container.
//
// Source syntax, beyond one instruction per line (docs/isa.md "Operands in assembly"):
//   ; or # comments; `name:` labels (value = instruction index, usable before definition);
//   .equ NAME, expr                 constants, defined before use (expressions: + - * / % << >>
//                                   & | ^ ~ unary -, parentheses, C precedence, exact to 64 bits)
//   loop N { ... } / loop rK { ... } hardware-loop blocks (emit loopi / loop with the body length)
//   .config tiny|base               the configuration the program is written for (else `cfg`)
//   .requires banks=N, bank_depth=N, acc_depth=N, lut_depth=N
//                                   smaller requirements than the whole configuration
//   .predicted_cycles N             the compiler's cycle prediction (0 = unknown)
//   .data bK[addr], v, v, ...       initial memory: SRAM bytes; acc[addr]: int32 values;
//   .data bK[addr] { v, v ... }     lut[addr]: int16 entries; a block spans lines until `}`
//   .data bK[addr], "f.npy" [, layout=tiled]   from a .npy file (path relative to the .s file)
//                                   Data is zero-padded to a whole word / accumulator entry.
//   .input/.output/.inout NAME, bK[addr]|acc[addr], shape=(a,b), dtype=int8|int32 [, layout=tiled]
//   .meta "key=value"               one META line (carried verbatim into the container)
//   .word expr                      a raw 64-bit instruction word (no checks)
// .config and .requires come before the first instruction, .data or tensor. Optional operands
// are written `name=value`; any integer operand may be (`mm b0[r1], acc[r2], count=16`).
// Every error is an lpu::Error "file:line:col: message".
#pragma once

#include <string>

#include "lpu/config.hpp"
#include "lpu/program.hpp"

namespace lpu {

// Assembles `text`. `filename` names the source in error messages and is the base for
// relative .npy paths. `cfg` is the target configuration unless the source has `.config`.
Program assemble(const std::string& text, const std::string& filename, const Config& cfg);
// Reads and assembles a file.
Program assemble_file(const std::string& path, const Config& cfg);

}  // namespace lpu
