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
  // min over rows of sqrt(mean(x^2)) and of the standard deviation (norm error bounds)
  double row_rms_min = 1e300, row_std_min = 1e300;
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
  // An index input holds integers 0..255 (scale 1; the byte is read unsigned). A state
  // input is a KV cache: kept on the chip between runs, updated by attention_decode.
  bool is_index = false, is_state = false;
};

enum class QOpKind {
  matmul,
  add,
  mul,
  relu,
  requant,
  gather,  // embedding
  lut,     // gelu, silu: a 256-entry table indexed by q + 128
  norm,    // rms_norm, layer_norm
  softmax,
  copy,       // reshape / transpose: out[i] = a[src[i]]
  attention,  // attention_decode
};
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
// f(T) ~ G * 2^-(14 + p) for an integer T >= 1 through a lookup table (docs/compiler.md
// "Fixed point"): ne = #{l : T < thr[l]}; U = uint32(T) << (sqrt ? 2 ne : ne);
// m = U >> pre (logical); g = table[m - base]; G = g << ne.
// f is 1/sqrt(T) (sqrt) or 1/T.
struct RecipFn {
  bool sqrt = true;
  unsigned b = 3;                 // table index bits: m in [base, 4 base) or [base, 2 base)
  unsigned p = 0;                 // T < 4^p (sqrt) or 2^p
  unsigned pre = 0;               // right shift that gives m
  std::uint32_t base = 0;         // 4^b or 2^b
  std::vector<std::int32_t> thr;  // thresholds
  int lut = -1;                   // QGraph::luts index
  double rel_err = 0;             // max |G 2^-(14+p) / f(T) - 1|
};

// Softmax and attention share the exponential: e = exp_table[min(idx, n)] with
// idx = sat32(rs(d * exp_mult, exp_shift)) for d <= 0 (exp_mult < 0), the table holding
// round(2^14 exp(-i / exp_steps)) for i < n and 0 at n; then Z = sum e, G from RecipFn (1/Z),
// p = sat8(rs(int64(e * p_mult) * G, p_shift)).
struct SoftmaxQ {
  std::int32_t exp_mult = 0;
  unsigned exp_shift = 0;
  int exp_lut = -1;
  std::uint32_t exp_n = 0;
  RecipFn recip;
  std::int32_t p_mult = 0;
  unsigned p_shift = 0;
};

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
  // gather: a = ids, w = table int8 [k = V rows, n = D] row-major.
  // lut: table = QGraph::luts index; out = luts[table][a + 128].
  int table = -1;
  // norm: (layer) d = D a - sum a, T = D sum a^2 - (sum a)^2 + eint; (rms) d = a,
  //   T = sum a^2 + eint; G from rsqrt; h = d * mult[j] (per channel);
  //   no beta: out = sat8(rs(int64(h) * G, shift));
  //   beta:    z = sat32(rs(int64(h) * G, shift - frac)) + beta[j]; out = sat8(rs(z, frac)).
  bool center = false;
  std::int32_t eint = 0;
  std::vector<std::int32_t> beta;
  unsigned frac = 0;
  RecipFn rsqrt;
  // softmax over the last dimension (and attention's per-head softmax)
  SoftmaxQ sm;
  // copy: out[i] = a[src[i]] (element indices, row-major)
  std::vector<std::uint32_t> src;
  // attention: q = a, k = b, v = c, caches kc, vc, position pos; heads; causal softmax of
  // s_j = q_h . kc[j]_h (int32) with j > pos masked (s_j - 2^30); out_h =
  // sat8(rs(sum_j p_j vc[j]_h * mult[0], shift)).
  int c = -1, kc = -1, vc = -1, pos = -1;
  std::uint32_t heads = 0;
};

// A lookup table (int16 entries). `key` names shared tables ("exp", "rsqrt", "recip");
// per-op tables are named after their node. `at_end`: the table must sit at the end of the
// LUT (vlut clamps indices there; the exponential's last entry is 0).
struct LutTable {
  std::string key;
  std::vector<std::int16_t> v;
  bool at_end = false;
};

struct QGraph {
  std::vector<QTensor> tensors;
  std::vector<QOp> ops;  // in execution order
  std::vector<int> inputs, outputs;
  std::vector<LutTable> luts;

  int find(const std::string& name) const;               // -1 when absent
  const QTensor& tensor(const std::string& name) const;  // throws when absent
};

struct QuantOptions {
  WeightQuant weights = WeightQuant::per_channel;  // default for nodes without 'weight_quant'
  std::uint32_t lut_depth = 1024;  // the target's lookup table (sizes the shared tables)
};

QGraph quantize(const Graph& g, const StatsMap& stats, const QuantOptions& opt = {});

// int8 tensors by name: logical shape, row-major.
using QTensorMap = std::map<std::string, std::vector<std::int8_t>>;
// The bit-exact int8 reference: runs the QOps with plain loops and returns every tensor.
// State inputs (caches) missing from `inputs` start at zero; the result holds their
// updated values under the same names (pass them back in for the next step).
QTensorMap run_int8(const QGraph& q, const QTensorMap& inputs);

// q = clamp(round(x / scale), -128, 127), rounding half away from zero.
std::vector<std::int8_t> quantize_values(const std::vector<float>& x, double scale);
// An index tensor's device bytes: integers 0..255 (an error names `what` otherwise).
std::vector<std::int8_t> index_values(const std::vector<float>& x, const std::string& what);
// The device values of a model input: index_values or quantize_values by the tensor's kind.
std::vector<std::int8_t> quantize_input(const QTensor& t, const std::vector<float>& x);
std::vector<float> dequantize_values(const std::vector<std::int8_t>& q, double scale);

// A multiplier m / 2^shift approximating ratio r > 0 with 0 <= m <= max_m, shift 0..63 as
// large as possible (most precise). One shift is shared by all ratios of a vector.
struct Multipliers {
  std::vector<std::int32_t> m;
  unsigned shift = 0;
};
Multipliers choose_multipliers(const std::vector<double>& ratios, std::int64_t max_m);

}  // namespace lpu::compiler
