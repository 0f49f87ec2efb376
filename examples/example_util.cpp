#include "example_util.hpp"

#include "lpu/assembler.hpp"
#include "lpu/npy.hpp"

namespace lpu::examples {

std::string path(const std::string& rel) { return std::string(LPU_EXAMPLES_DIR) + "/" + rel; }

ExampleRun run_example(const std::string& source, const Config& cfg, const std::map<std::string, std::string>& inputs) {
  ExampleRun r;
  r.program = assemble_file(path(source), cfg);
  r.device = open_golden_device(cfg);
  r.device->load(r.program);
  for (const auto& [name, file] : inputs) r.device->write_tensor(name, read_npy(path(file)));
  r.result = r.device->run();
  return r;
}

}  // namespace lpu::examples
