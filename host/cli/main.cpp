// lpu: the command-line front end. Dispatches to the commands registered with LPU_COMMAND
// (see command.hpp) and turns lpu::Error into "lpu <cmd>: error: ..." and exit status 1.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "command.hpp"
#include "options.hpp"
#include "lpu/error.hpp"
#include "lpu/gen/isa_gen.hpp"

#ifndef LPU_VERSION
#define LPU_VERSION "0.1.0"  // CMake passes PROJECT_VERSION when it can
#endif

namespace {

void print_main_help(std::ostream& os) {
  os << "usage: lpu <command> [options] [args]\n"
        "       lpu <command> --help\n"
        "       lpu --version\n"
        "\n"
        "Host tools for the LPU inference accelerator.\n"
        "\n"
        "commands:\n";
  std::size_t width = 0;
  const auto cmds = lpu::cli::commands();
  for (const auto& c : cmds) width = std::max(width, std::string(c.name).size());
  for (const auto& c : cmds) {
    std::string name = c.name;
    name.resize(width, ' ');
    os << "  " << name << "  " << c.summary << "\n";
  }
}

bool wants_help(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty()) {
    print_main_help(std::cerr);
    return 1;
  }
  const std::string& name = all[0];
  if (name == "--help" || name == "-h" || name == "help") {
    if (name == "help" && all.size() > 1) {
      if (const auto* c = lpu::cli::find_command(all[1])) {
        std::cout << lpu::cli::command_help(*c);
        return 0;
      }
      std::cerr << "lpu: unknown command '" << all[1] << "' (see 'lpu --help')\n";
      return 1;
    }
    print_main_help(std::cout);
    return 0;
  }
  if (name == "--version" || name == "-V") {
    std::cout << "lpu " << LPU_VERSION << " (isa version " << lpu::gen::kIsaVersion << ")\n";
    return 0;
  }
  const auto* cmd = lpu::cli::find_command(name);
  if (!cmd) {
    std::cerr << "lpu: unknown command '" << name << "' (see 'lpu --help')\n";
    return 1;
  }
  const std::vector<std::string> args(all.begin() + 1, all.end());
  if (wants_help(args)) {
    std::cout << lpu::cli::command_help(*cmd);
    return 0;
  }
  try {
    return cmd->run(args);
  } catch (const lpu::cli::UsageError& e) {
    std::cout.flush();
    std::cerr << "lpu " << cmd->name << ": error: " << e.what() << " (see 'lpu " << cmd->name << " --help')\n";
    return 1;
  } catch (const lpu::Error& e) {
    std::cout.flush();
    std::cerr << "lpu " << cmd->name << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "lpu " << cmd->name << ": error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "lpu " << cmd->name << ": internal error: " << e.what() << "\n";
    return 2;
  }
}
