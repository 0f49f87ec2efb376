// Helpers for the compiler tests: graphs built in code, random data, and the end-to-end
// check (compile, run on the golden model, compare with the int8 reference, the predicted
// cycles and the float reference within the error bound).
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lpu/compiler/compile.hpp"
#include "lpu/compiler/graph.hpp"
#include "lpu/compiler/quant.hpp"
#include "lpu/compiler/reference.hpp"
#include "lpu/device.hpp"
#include "lpu/system_device.hpp"

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

// Node attributes.
inline Attr num(double v) {
  Attr a;
  a.kind = Attr::Kind::number;
  a.number = v;
  return a;
}
inline Attr str(const std::string& s) {
  Attr a;
  a.kind = Attr::Kind::string;
  a.str = s;
  return a;
}
inline Attr list(std::vector<double> v) {
  Attr a;
  a.kind = Attr::Kind::list;
  a.list = std::move(v);
  return a;
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
    if (!wq.empty()) a["weight_quant"] = str(wq);
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

// "" when a run ended without an LPU error in exactly the predicted cycles and MXU rows;
// else what differs.
inline std::string run_mismatch(const RunResult& r, std::uint64_t cycles, std::uint64_t mxu_rows) {
  std::ostringstream o;
  if (!r.ok()) {
    o << "LPU error " << error_name(r.error) << " at pc " << r.error_pc << " cycle "
      << r.error_cycle;
  } else if (r.cycles != cycles) {
    o << r.cycles << " cycles, predicted " << cycles;
  } else if (r.counter(gen::Counter::mxu_busy) != mxu_rows) {
    o << r.counter(gen::Counter::mxu_busy) << " MXU rows, predicted " << mxu_rows;
  }
  return o.str();
}

// The padding columns of a device tensor that are not zero.
inline std::size_t nonzero_padding(const QTensor& qt, const Tensor& dt) {
  const auto all = dt.as_int8();
  const std::uint32_t pc = dt.shape[1];
  std::size_t n = 0;
  for (std::uint32_t row = 0; row < qt.rows; ++row) {
    for (std::uint32_t c = qt.cols; c < pc; ++c)
      n += all[static_cast<std::size_t>(row) * pc + c] != 0;
  }
  return n;
}

// Compiles `g` for `cfg` (calibrated on `samples`), runs every sample on the golden model
// and checks: no LPU error; cycles == predicted; MXU rows == predicted; outputs equal the
// int8 reference bit for bit (padding columns zero); dequantized outputs within the
// documented bound of the float reference. The samples run in order on one device: caches
// (state inputs) carry over from run to run, in the references too. With `rtl` (a device of
// configuration `cfg`, e.g. the Verilated chip), the program also runs there, sample by
// sample, under the same checks (its caches are zeroed first: it may hold an earlier
// program's data). `runs`: only the first that many samples run (all of them calibrate).
// `loops`: the tests use loop regions wherever they apply (LoopMode::always), so that the
// small models they compile exercise them; `lpu compile` defaults to LoopMode::fit.
inline E2E run_e2e(const Graph& g, const Config& cfg, const std::vector<FTensorMap>& samples,
                   QuantOptions qo = {}, bool roll = true, Device* rtl = nullptr,
                   std::size_t runs = SIZE_MAX, LoopMode loops = LoopMode::always) {
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = samples;
  opt.quant = qo;
  opt.roll_loops = roll;
  opt.loops = loops;
  const CompileResult res = compile(g, opt);
  const QGraph& q = res.qgraph;
  E2E e;
  e.cycles = res.predicted_cycles;
  e.utilisation = res.mxu_utilisation();
  e.instructions = res.program.code.size();
  auto golden = open_golden_device(cfg);
  std::vector<Device*> devs = {golden.get()};
  if (rtl) devs.push_back(rtl);
  for (Device* dev : devs) {
    dev->load(res.program);
    for (const auto& name : g.state_inputs) {
      const QTensor& qt = q.tensor(name);
      dev->write_tensor(name,
                        to_device(qt, std::vector<std::int8_t>(qt.rows * qt.cols, 0), cfg.lanes));
    }
  }
  const std::vector<FTensorMap> run(
      samples.begin(),
      samples.begin() + static_cast<std::ptrdiff_t>(std::min(runs, samples.size())));
  for_each_reference_step(g, q, run, [&](const ReferenceStep& st) {
    for (Device* dev : devs) {
      INFO("device " << dev->name() << ", sample " << st.index);
      for (int t : q.inputs) {
        const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
        if (!qt.is_state) dev->write_tensor(qt.name, to_device(qt, st.qin.at(qt.name), cfg.lanes));
      }
      const RunResult r = dev->run(res.predicted_cycles * 4 + 10000);
      REQUIRE(run_mismatch(r, res.predicted_cycles, res.mxu_rows) == "");
      for (int t : q.outputs) {
        const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
        const Tensor dt = dev->read_tensor(qt.name);
        const std::vector<std::int8_t> got = from_device(qt, dt, cfg.lanes);
        INFO("output " << qt.name << " " << shape_str(qt.shape));
        REQUIRE(got == st.q8.at(qt.name));
        REQUIRE(nonzero_padding(qt, dt) == 0);
        if (dev != golden.get()) continue;  // the same bits: the float check once
        const std::vector<float>& f = st.f.at(qt.name).data;
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
        REQUIRE(from_device(qt, dev->read_tensor(name), cfg.lanes) == st.q8.at(name));
      }
    }
  });
  return e;
}

// A model compiled, calibrated on `samples`, for one chip (first) and for two (second).
inline std::pair<CompileResult, CompileResult> compile_one_and_two(
    const Graph& g, const Config& cfg, const std::vector<FTensorMap>& samples,
    LoopMode loops = LoopMode::always) {
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = samples;
  opt.loops = loops;
  CompileResult one = compile(g, opt);
  opt.chips = 2;
  return {std::move(one), compile(g, opt)};
}

#ifdef LPU_SOURCE_DIR
// examples/lm/model.json, or "" (with a warning) when its export is not there.
inline std::string lm_model_path() {
  const std::string path = std::string(LPU_SOURCE_DIR) + "/examples/lm/model.json";
  if (std::filesystem::exists(path)) return path;
  WARN("examples/lm/model.json is not there: skipped");
  return "";
}
#endif

// Decode steps (inputs "token" and "pos", the caches carried over) of a model compiled for
// one chip (`one`, on the golden model) and for two (`two`, on the golden system): every run
// ends without an LPU error in exactly its chip's predicted cycles, and output `out` of
// both equals the int8 reference bit for bit.
inline void run_decode_one_and_two(const Graph& g, const Config& cfg, const CompileResult& one,
                                   const CompileResult& two, const std::vector<FTensorMap>& steps,
                                   const std::string& out) {
  const QGraph& q = one.qgraph;
  auto dev = open_golden_device(cfg);
  dev->load(one.program);
  auto sys = open_golden_system(cfg, 2);
  sys->load(two.system);
  const QTensor& qo = q.tensor(out);
  for_each_reference_step(g, q, steps, [&](const ReferenceStep& st) {
    for (const char* n : {"token", "pos"}) {
      const Tensor t = to_device(q.tensor(n), st.qin.at(n), cfg.lanes);
      dev->write_tensor(n, t);
      sys->chip(0).write_tensor(n, t);
    }
    const RunResult r1 = dev->run();
    const std::vector<RunResult> r2 = sys->run();
    INFO("step " << st.index);
    REQUIRE(run_mismatch(r1, one.predicted_cycles, one.mxu_rows) == "");
    for (unsigned c = 0; c < 2; ++c) {
      INFO("chip " << c);
      REQUIRE(run_mismatch(r2[c], two.system.chips[c].predicted_cycles, two.chip_mxu_rows[c]) ==
              "");
    }
    const Tensor y1 = dev->read_tensor(out);
    REQUIRE(from_device(qo, y1, cfg.lanes) == st.q8.at(out));
    REQUIRE(sys->chip(1).read_tensor(out).as_int8() == y1.as_int8());
  });
}

}  // namespace lpu::compiler::test
