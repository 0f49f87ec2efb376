// The lpu CLI's command registry. Every subcommand lives in its own cmd_<name>.cpp and
// registers itself at static-initialisation time; main.cpp dispatches by name.
//
// How to add a command (e.g. `lpu foo`):
//
//   // host/cli/cmd_foo.cpp
//   #include "command.hpp"
//   #include "options.hpp"
//
//   namespace {
//   int run_foo(const std::vector<std::string>& args) {
//     lpu::cli::Options opt(args, {
//         {"output", 'o', lpu::cli::OptKind::value, "write the result to FILE"},
//         {"verbose", 'v', lpu::cli::OptKind::flag, "say more"},
//         {"define", 'D', lpu::cli::OptKind::repeated, "NAME=VALUE (repeatable)"},
//     });
//     opt.require_positionals(1, 1, "FILE");       // exactly one positional
//     const std::string& in = opt.positional(0);
//     std::string out = opt.value_or("output", "a.out");
//     if (opt.flag("verbose")) { ... }
//     for (const auto& d : opt.values("define")) { ... }
//     ...
//     return 0;                                    // exit status
//   }
//   }  // namespace
//
//   LPU_COMMAND(foo, "one-line summary for `lpu --help`",
//               "FILE [-o OUT] [-v]\n"
//               "\n"
//               "Longer description and one line per option.\n",
//               run_foo);
//
// The file is picked up by the CMake glob (re-run cmake once). `lpu foo --help` / `-h`
// prints "usage: lpu foo <usage>" and never reaches run_foo. Errors: throw lpu::Error;
// main prints "lpu foo: error: <message>" to stderr and exits 1. `args` excludes the
// program and command names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lpu::cli {

struct Command {
  const char* name;
  const char* summary;  // one line, shown by `lpu --help`
  const char* usage;    // synopsis after "lpu <name> ", then optional detail lines
  int (*run)(const std::vector<std::string>& args);
};

// Adds a command to the registry (called by LPU_COMMAND); returns true.
bool register_command(const Command& cmd);
// All registered commands, sorted by name.
std::vector<Command> commands();
// The command named `name`, or nullptr.
const Command* find_command(std::string_view name);
// The text `lpu <cmd> --help` prints.
std::string command_help(const Command& cmd);

}  // namespace lpu::cli

#define LPU_COMMAND(name, summary, usage, fn)                                       \
  namespace {                                                                       \
  [[maybe_unused]] const bool lpu_command_registered_##name =                       \
      ::lpu::cli::register_command(::lpu::cli::Command{#name, summary, usage, fn}); \
  }
