// Helpers for the compiler tests: graphs built in code, random data, and the end-to-end
// check (compile, run on the golden model, compare with the int8 reference, the predicted
// cycles and the float reference within the error bound).
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lpu/compiler/compile.hpp"
#include "lpu/compiler/graph.hpp"
#include "lpu/compiler/quant.hpp"
#include "lpu/compiler/reference.hpp"
#include "lpu/device.hpp"

namespace lpu::compiler::test {

// Deterministic pseudo-random numbers (xorshift64*).
struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
  std::uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  // Uniform in [lo, hi].
  int range(int lo, int hi) {
    return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  float sym(double a) { return static_cast<float>((uniform() * 2 - 1) * a); }
};

inline std::vector<float> random_values(Rng& rng, std::size_t n, double a) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.sym(a);
  return v;
}

// Builds a Graph in code.
struct Builder {
  Graph g;
  Rng* rng;
  int counter = 0;
  explicit Builder(Rng& r) : rng(&r) {
    g.source = "<test>";
    g.dir = ".";
  }
  std::string fresh(const std::string& base) { return base + std::to_string(counter++); }
  std::string input(const Shape& s, const std::string& name = "") {
    TensorDecl d;
    d.name = name.empty() ? fresh("in") : name;
    d.shape = s;
    d.has_shape = true;
    g.tensors.push_back(d);
    g.inputs.push_back(d.name);
    return d.name;
  }
  std::string constant(const Shape& s, double amp) {
    TensorDecl d;
    d.name = fresh("c");
    d.shape = s;
    d.has_shape = true;
    d.is_const = true;
    d.data = random_values(*rng, shape_elements(s), amp);
    g.tensors.push_back(d);
    return d.name;
  }
  std::string node(OpKind op, const std::vector<std::string>& ins,
                   std::map<std::string, Attr> attrs = {}) {
    Node n;
    n.name = fresh(std::string(op_desc(op).name) + "_");
    n.op = op;
    n.inputs = ins;
    n.outputs = {fresh("t")};
    n.attrs = std::move(attrs);
    g.nodes.push_back(n);
    return n.outputs[0];
  }
  // linear with random weights [K, N] (scaled so outputs stay O(1)) and optional bias.
  std::string linear(const std::string& x, std::uint32_t k, std::uint32_t n, bool bias,
                     const std::string& wq = "") {
    std::vector<std::string> ins = {x, constant({k, n}, 1.5 / std::sqrt(static_cast<double>(k)))};
    if (bias) ins.push_back(constant({n}, 0.5));
    std::map<std::string, Attr> a;
    if (!wq.empty()) {
      Attr at;
      at.kind = Attr::Kind::string;
      at.str = wq;
      a["weight_quant"] = at;
    }
    return node(OpKind::linear, ins, a);
  }
  Graph finish(const std::vector<std::string>& outputs) {
    g.outputs = outputs;
    check_graph(g);
    return g;
  }
};

// Random samples for every input (index inputs: integers below `index_limit`; caches none).
inline std::vector<FTensorMap> random_samples(const Graph& g, Rng& rng, int n, double amp = 1.0,
                                              int index_limit = 16) {
  std::vector<FTensorMap> out(static_cast<std::size_t>(n));
  for (auto& s : out) {
    for (const auto& in : g.inputs) {
      if (g.state_inputs.count(in)) continue;
      const Shape& sh = g.tensor(in).shape;
      FTensor t(sh, random_values(rng, shape_elements(sh), amp));
      if (g.index_inputs.count(in)) {
        for (auto& f : t.data) f = static_cast<float>(rng.range(0, index_limit - 1));
      }
      s[in] = t;
    }
  }
  return out;
}

struct E2E {
  std::uint64_t cycles = 0;
  double utilisation = 0;
  std::size_t instructions = 0;
  double worst_err_ratio = 0;  // max |error| / bound over all outputs
};

// Compiles `g` for `cfg` (calibrated on `samples`), runs every sample on the golden model
// and checks: no LPU error; cycles == predicted; MXU rows == predicted; outputs equal the
// int8 reference bit for bit (padding columns zero); dequantized outputs within the
// documented bound of the float reference. The samples run in order on one device: caches
// (state inputs) carry over from run to run, in the references too.
inline E2E run_e2e(const Graph& g, const Config& cfg, const std::vector<FTensorMap>& samples,
                   QuantOptions qo = {}, bool roll = true) {
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = samples;
  opt.quant = qo;
  opt.roll_loops = roll;
  const CompileResult res = compile(g, opt);
  const QGraph& q = res.qgraph;
  E2E e;
  e.cycles = res.predicted_cycles;
  e.utilisation = res.mxu_utilisation();
  e.instructions = res.program.code.size();
  auto dev = open_golden_device(cfg);
  dev->load(res.program);
  QTensorMap qstate;
  FTensorMap fstate;
  for (const auto& s : samples) {
    QTensorMap qin = qstate;
    FTensorMap fin = s;
    for (const auto& [name, t] : fstate) fin[name] = t;
    for (int t : q.inputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      if (!qt.is_state) qin[qt.name] = quantize_input(qt, s.at(qt.name).data);
    }
    const QTensorMap ref8 = run_int8(q, qin);
    const FTensorMap ref = run_float(g, fin);
    for (const auto& name : g.state_inputs) {
      qstate[name] = ref8.at(name);
      fstate[name] = ref.at(name);
    }
    for (int t : q.inputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      if (!qt.is_state) dev->write_tensor(qt.name, to_device(qt, qin.at(qt.name), cfg.lanes));
    }
    const RunResult r = dev->run(res.predicted_cycles * 4 + 10000);
    INFO("golden error " << error_name(r.error) << " at pc " << r.error_pc << " cycle "
                         << r.error_cycle);
    REQUIRE(r.ok());
    REQUIRE(r.cycles == res.predicted_cycles);
    REQUIRE(r.counter(gen::Counter::mxu_busy) == res.mxu_rows);
    for (int t : q.outputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      const Tensor dt = dev->read_tensor(qt.name);
      const std::vector<std::int8_t> got = from_device(qt, dt, cfg.lanes);
      INFO("output " << qt.name << " " << shape_str(qt.shape));
      REQUIRE(got == ref8.at(qt.name));
      // Padding columns are zero.
      const auto all = dt.as_int8();
      const std::uint32_t pc = dt.shape[1];
      std::size_t nonzero_pad = 0;
      for (std::uint32_t row = 0; row < qt.rows; ++row) {
        for (std::uint32_t c = qt.cols; c < pc; ++c)
          nonzero_pad += all[static_cast<std::size_t>(row) * pc + c] != 0;
      }
      REQUIRE(nonzero_pad == 0);
      const std::vector<float>& f = ref.at(qt.name).data;
      const double slack = 1e-4 * std::max(1.0, qt.amax);
      std::size_t worst = 0;
      double worst_excess = -1e300;
      for (std::size_t i = 0; i < f.size(); ++i) {
        const double err = std::fabs(qt.scale * got[i] - static_cast<double>(f[i]));
        if (err - qt.err > worst_excess) {
          worst_excess = err - qt.err;
          worst = i;
        }
        if (qt.err > 0) e.worst_err_ratio = std::max(e.worst_err_ratio, err / qt.err);
      }
      INFO("worst element " << worst << ": float " << f[worst] << " int8 " << int(got[worst])
                            << " scale " << qt.scale << " bound " << qt.err);
      REQUIRE(worst_excess <= slack);
    }
    // The caches on the chip equal the reference's.
    for (const auto& name : g.state_inputs) {
      const QTensor& qt = q.tensor(name);
      INFO("cache " << name);
      REQUIRE(from_device(qt, dev->read_tensor(name), cfg.lanes) == ref8.at(name));
    }
  }
  return e;
}

}  // namespace lpu::compiler::test
