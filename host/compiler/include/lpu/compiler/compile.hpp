// The compiler driver (docs/compiler.md "Compile flow"): Graph -> calibration ->
// quantization -> memory layout -> lowering and static scheduling -> lpu::Program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lpu/compiler/graph.hpp"
#include "lpu/compiler/quant.hpp"
#include "lpu/compiler/reference.hpp"
#include "lpu/config.hpp"
#include "lpu/npy.hpp"
#include "lpu/program.hpp"
#include "lpu/system_program.hpp"

namespace lpu::compiler {

enum class LoopMode { fit, always, never };

struct CompileOptions {
  const Config* config = nullptr;  // nullptr: base
  QuantOptions quant;
  // Calibration samples (one value per model input each). Empty: the model's
  // "calibration" files are used; a model without any is an error.
  std::vector<FTensorMap> calibration;
  // Run the compiled program once on the golden model (zero inputs) and fail unless it
  // finishes without an LPU error in exactly the predicted number of cycles.
  bool verify = false;
  // Experimental: address rows through post-incremented registers and fold repeated
  // instruction runs that follow a free cycle into zero-overhead hardware loops (cycle-exact,
  // docs/compiler.md "Loop rolling"). Off: the straight-line schedule.
  bool roll_loops = false;
  // Hardware-loop regions for matmuls whose column blocks repeat (docs/compiler.md "Loop
  // regions"). fit: straight-line code when it fits the instruction memory, else the loops
  // (a loop body's idle cycles cannot take other work, so loops usually cost cycles);
  // always: the loops wherever they apply; never: straight-line only.
  LoopMode loops = LoopMode::fit;
  // Chips of a ring to split the model over (docs/compiler.md "Multi-chip"): consecutive
  // stages, activations sent over the links.
  unsigned chips = 1;
};

// Where one tensor lives on the chip (tiled layout, docs/program-format.md).
struct Placement {
  std::string name;
  std::uint32_t bank = 0, addr = 0;  // column block 0, row 0 (I/O tensors are contiguous)
  std::uint32_t rows = 0, col_blocks = 0;
};

struct CompileResult {
  Program program;       // chip 0's program (the whole model on one chip)
  SystemProgram system;  // every chip's program, in ring order (one chip: `program`)
  QGraph qgraph;
  StatsMap stats;
  std::uint64_t predicted_cycles = 0;  // the largest of the chips' (a run ends when all halt)
  std::uint64_t mxu_rows = 0;          // predicted cycles in which the MXU reads an activation row
  std::size_t sram_bytes = 0;          // SRAM bytes allocated (weights + activations), largest chip
  std::size_t weight_bytes = 0;
  std::vector<std::uint64_t> chip_cycles, chip_mxu_rows;         // per chip
  std::vector<std::pair<std::size_t, std::size_t>> chip_stages;  // QGraph ops [first, last)
  std::vector<Placement> io;                                     // model inputs and outputs
  // Per output: the largest |dequantized int8 reference - float reference| over the
  // calibration samples (measured; the bound is QTensor::err).
  std::map<std::string, double> calib_max_error;
  double mxu_utilisation() const {
    return predicted_cycles ? static_cast<double>(mxu_rows) / static_cast<double>(predicted_cycles)
                            : 0.0;
  }
};

CompileResult compile(const Graph& g, const CompileOptions& opt);

// Calibration samples from .npy files: input name -> file (see split_samples). Every model
// input needs a file; all files must give the same number of samples.
std::vector<FTensorMap> load_calibration(const Graph& g,
                                         const std::map<std::string, std::string>& files);

// One step of the references over consecutive samples (calibration samples, decode steps).
struct ReferenceStep {
  std::size_t index = 0;  // the sample's position
  QTensorMap qin;         // run_int8's inputs: the sample quantized, the caches carried over
  QTensorMap q8;          // run_int8's results
  FTensorMap f;           // run_float's results
};
// Runs run_int8 and run_float over `samples` in order, the caches (state inputs) starting
// at zero and carried from step to step (docs/compiler.md "Calibration samples"), and calls
// `fn` after every step.
void for_each_reference_step(const Graph& g, const QGraph& q,
                             const std::vector<FTensorMap>& samples,
                             const std::function<void(const ReferenceStep&)>& fn);

// Device tensors of a compiled model's inputs and outputs: the symbol is int8 [rows,
// ceil(cols / lanes) * lanes] in the tiled layout; the padding columns are zero.
Tensor to_device(const QTensor& t, const std::vector<std::int8_t>& q, unsigned lanes);
std::vector<std::int8_t> from_device(const QTensor& t, const Tensor& dev, unsigned lanes);

// A compiled model's inputs and outputs as recorded in its container's META lines
// (docs/compiler.md "Container"): logical shape, scale, and for outputs the error bound.
struct IoTensor {
  std::string name;
  bool is_input = true;
  Shape shape;
  double scale = 1;
  double error_bound = 0;
  double calib_max_error = 0;
  bool is_index = false;  // integers 0..255, no scale (embedding ids, positions)
  bool is_state = false;  // a cache kept on the chip (written once to reset it)
};
std::vector<IoTensor> io_tensors(const Program& p);
// Float values -> the device tensor of input `name` (quantized, padded); a device tensor of
// output `name` -> float values of its logical shape. Errors name the tensor.
Tensor quantize_io(const Program& p, const std::string& name, const FTensor& x);
FTensor dequantize_io(const Program& p, const std::string& name, const Tensor& t);
// The chip of a multi-chip bundle whose program holds compiled input (or output) `name`
// (model inputs live on chip 0, caches on their layer's chip, outputs where computed);
// an error names the known tensors when none does.
std::size_t io_chip(const SystemProgram& sp, const std::string& name, bool input);

}  // namespace lpu::compiler
