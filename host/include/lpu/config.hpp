// Chip configurations (tiny, base) as runtime values, from the generated ISA header.
#pragma once

#include <string_view>

#include "lpu/gen/isa_gen.hpp"

namespace lpu {

using Config = gen::ConfigDesc;

// The configuration named `name` ("tiny", "base"); throws lpu::Error listing the known names.
const Config& config_by_name(std::string_view name);
// The configuration with this lane count, or nullptr.
const Config* config_by_lanes(unsigned lanes);
// The default simulated device's configuration ("base").
const Config& default_config();

}  // namespace lpu
