// The command registry: a function-local static so registration order across
// translation units does not matter.
#include "command.hpp"

#include <algorithm>
#include <cstring>

namespace lpu::cli {

namespace {

std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}

}  // namespace

bool register_command(const Command& cmd) {
  registry().push_back(cmd);
  return true;
}

std::vector<Command> commands() {
  std::vector<Command> out = registry();
  std::sort(out.begin(), out.end(),
            [](const Command& a, const Command& b) { return std::strcmp(a.name, b.name) < 0; });
  return out;
}

const Command* find_command(std::string_view name) {
  for (const auto& c : registry()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string command_help(const Command& cmd) {
  std::string s = "usage: lpu ";
  s += cmd.name;
  const std::string_view usage = cmd.usage ? cmd.usage : "";
  const auto nl = usage.find('\n');
  const std::string_view synopsis = usage.substr(0, nl);
  if (!synopsis.empty()) s += " " + std::string(synopsis);
  s += "\n\n";
  s += cmd.summary;
  s += "\n";
  if (nl != std::string_view::npos) {
    std::string_view rest = usage.substr(nl + 1);
    if (!rest.empty()) {
      if (rest.front() != '\n') s += "\n";
      s += std::string(rest);
      if (rest.back() != '\n') s += "\n";
    }
  }
  return s;
}

}  // namespace lpu::cli
