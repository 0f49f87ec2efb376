// Shared by the example tests and the golden benchmark: assemble an example, load its
// inputs from .npy files and run it on the golden model.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "lpu/device.hpp"
#include "lpu/program.hpp"

namespace lpu::examples {

// Absolute path of a file under examples/.
std::string path(const std::string& rel);

struct ExampleRun {
  Program program;
  std::unique_ptr<Device> device;
  RunResult result;
};

// Assembles examples/<source> for `cfg`, writes each input tensor from examples/<npy file>,
// runs it on the golden model.
ExampleRun run_example(const std::string& source, const Config& cfg, const std::map<std::string, std::string>& inputs);

}  // namespace lpu::examples
