// Configuration lookup.
#include "lpu/config.hpp"

#include <string>

#include "lpu/error.hpp"

namespace lpu {

const Config& config_by_name(std::string_view name) {
  std::string known;
  for (const auto& c : gen::kConfigs) {
    if (c.name == name) return c;
    known += known.empty() ? "" : ", ";
    known += c.name;
  }
  throw Error("unknown configuration '" + std::string(name) + "' (known: " + known + ")");
}

const Config* config_by_lanes(unsigned lanes) {
  for (const auto& c : gen::kConfigs) {
    if (c.lanes == lanes) return &c;
  }
  return nullptr;
}

const Config& default_config() { return config_by_name("base"); }

}  // namespace lpu
