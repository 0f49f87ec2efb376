// Calibration, quantization and the bit-exact int8 reference (docs/compiler.md
// "Quantization", "Error bound").
//
// quantize() turns a float Graph into a QGraph: every activation tensor becomes int8 with
// one per-tensor scale, constant weights int8 with per-channel (or per-tensor) scales, biases
// int32, and every op an integer recipe (QOp) whose exact result run_int8() defines and the
// LPU program reproduces bit for bit. Each QTensor also carries a worst-case bound on
// |scale * q - float reference| for inputs inside the calibration envelope.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lpu/compiler/graph.hpp"
#include "lpu/compiler/reference.hpp"

namespace lpu::compiler {

// What calibration measures for one float tensor over all samples.
struct TensorStats {
  double amax = 0;    // max |value|
  double row_l1 = 0;  // max over rows (last-dimension vectors) of sum |value|
};
using StatsMap = std::map<std::string, TensorStats>;

// Runs the float reference on every sample and collects the statistics of every tensor.
StatsMap calibrate(const Graph& g, const std::vector<FTensorMap>& samples);
// The samples in one calibration array for an input of shape `shape`: the array has that
// shape (one sample) or one more leading dimension (that many samples). `what` names it.
std::vector<FTensor> split_samples(const FTensor& array, const Shape& shape,
                                   const std::string& what);

enum class WeightQuant { per_channel, per_tensor };

struct QTensor {
  std::string name;
  Shape shape;                       // logical shape
  std::uint32_t rows = 0, cols = 0;  // 2-D view: cols = last dimension
  double scale = 1;                  // real value = scale * q
  double amax = 0;                   // calibrated max |value|
  double row_l1 = 0;                 // calibrated max row L1 norm
  double err = 0;                    // bound on |scale * q - reference| (float units)
  bool is_input = false, is_output = false;
};

enum class QOpKind { matmul, add, mul, relu, requant };
std::string_view qop_name(QOpKind k);

// One integer op. Exact semantics (wrap = two's complement wrap to int32, sat8 = clamp to
// [-128, 127], rs = round_shift of docs/isa.md "Arithmetic details"):
//   matmul:  acc = wrap(sum_k a[i][k] * B[k][j]) ; if bias: acc = wrap(acc + bias[j]);
//            if relu: acc = max(acc, 0) ; out = sat8(rs(acc * mult[j or 0], shift))
//   add:     t = wrap(wrap(a * mult[0]) + wrap(b * mult[1])) ; if relu: t = max(t, 0) ;
//            out = sat8(rs(t, shift))
//   mul:     out = sat8(rs(wrap(a * b) * mult[0], shift))
//   relu:    out = max(a, 0)
//   requant: out = sat8(rs(a * mult[0], shift))
struct QOp {
  QOpKind kind = QOpKind::matmul;
  std::string node;                // source node name(s), for messages
  int a = -1, b = -1, out = -1;    // tensor indices; a constant matmul operand has b = -1
  std::uint32_t k = 0, n = 0;      // matmul: inner and output dimensions
  std::vector<std::int8_t> w;      // matmul, constant right operand: K x N row-major
  std::vector<std::int32_t> bias;  // matmul: N values, or empty
  std::vector<std::int32_t> mult;  // see above; matmul: N (per channel) or 1
  unsigned shift = 0;
  bool relu = false;
};

struct QGraph {
  std::vector<QTensor> tensors;
  std::vector<QOp> ops;  // in execution order
  std::vector<int> inputs, outputs;

  int find(const std::string& name) const;               // -1 when absent
  const QTensor& tensor(const std::string& name) const;  // throws when absent
};

struct QuantOptions {
  WeightQuant weights = WeightQuant::per_channel;  // default for nodes without 'weight_quant'
};

QGraph quantize(const Graph& g, const StatsMap& stats, const QuantOptions& opt = {});

// int8 tensors by name: logical shape, row-major.
using QTensorMap = std::map<std::string, std::vector<std::int8_t>>;
// The bit-exact int8 reference: runs the QOps with plain loops and returns every tensor.
QTensorMap run_int8(const QGraph& q, const QTensorMap& inputs);

// q = clamp(round(x / scale), -128, 127), rounding half away from zero.
std::vector<std::int8_t> quantize_values(const std::vector<float>& x, double scale);
std::vector<float> dequantize_values(const std::vector<std::int8_t>& q, double scale);

// A multiplier m / 2^shift approximating ratio r > 0 with 0 <= m <= max_m, shift 0..63 as
// large as possible (most precise). One shift is shared by all ratios of a vector.
struct Multipliers {
  std::vector<std::int32_t> m;
  unsigned shift = 0;
};
Multipliers choose_multipliers(const std::vector<double>& ratios, std::int64_t max_m);

}  // namespace lpu::compiler
