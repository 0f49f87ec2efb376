// The compiler driver: calibration, quantization, lowering, the container (docs/compiler.md
// "Compile flow").
#include "lpu/compiler/compile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "lower.hpp"
#include "lpu/error.hpp"
#include "lpu/golden.hpp"

namespace lpu::compiler {

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string dims(const Shape& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out;
}

std::uint32_t padded_cols(const QTensor& t, unsigned lanes) {
  return (t.cols + lanes - 1) / lanes * lanes;
}

}  // namespace

std::vector<FTensorMap> load_calibration(const Graph& g,
                                         const std::map<std::string, std::string>& files) {
  for (const auto& [name, path] : files) {
    if (std::find(g.inputs.begin(), g.inputs.end(), name) == g.inputs.end()) {
      throw Error(g.source + ": calibration data given for '" + name +
                  "', which is not a model input");
    }
  }
  std::vector<FTensorMap> samples;
  for (const auto& in : g.inputs) {
    const auto it = files.find(in);
    if (it == files.end()) {
      throw Error(g.source + ": no calibration data for input '" + in + "' (give --calib " + in +
                  "=FILE.npy or a \"calibration\" entry in the model)");
    }
    if (!std::filesystem::exists(it->second)) {
      throw Error(g.source + ": calibration file '" + it->second + "' for input '" + in +
                  "' does not exist");
    }
    const auto s = split_samples(read_npy_float(it->second), g.tensor(in).shape, it->second);
    if (samples.empty()) samples.resize(s.size());
    if (s.size() != samples.size()) {
      throw Error(g.source + ": calibration files give different numbers of samples (" +
                  std::to_string(samples.size()) + " and " + std::to_string(s.size()) + " for '" +
                  in + "')");
    }
    for (std::size_t i = 0; i < s.size(); ++i) samples[i][in] = s[i];
  }
  return samples;
}

Tensor to_device(const QTensor& t, const std::vector<std::int8_t>& q, unsigned lanes) {
  if (q.size() != static_cast<std::size_t>(t.rows) * t.cols) {
    throw Error("tensor '" + t.name + "': " + std::to_string(q.size()) + " values, expected " +
                std::to_string(static_cast<std::size_t>(t.rows) * t.cols));
  }
  const std::uint32_t pc = padded_cols(t, lanes);
  std::vector<std::int8_t> v(static_cast<std::size_t>(t.rows) * pc, 0);
  for (std::uint32_t r = 0; r < t.rows; ++r) {
    for (std::uint32_t c = 0; c < t.cols; ++c)
      v[static_cast<std::size_t>(r) * pc + c] = q[static_cast<std::size_t>(r) * t.cols + c];
  }
  return Tensor::from_int8({t.rows, pc}, v);
}

std::vector<std::int8_t> from_device(const QTensor& t, const Tensor& dev, unsigned lanes) {
  const std::uint32_t pc = padded_cols(t, lanes);
  if (dev.shape != std::vector<std::uint32_t>{t.rows, pc} || dev.dtype != DType::int8) {
    throw Error("tensor '" + t.name + "' is " + std::string(dtype_name(dev.dtype)) + " " +
                shape_str(dev.shape) + ", expected the device layout int8 " +
                shape_str({t.rows, pc}));
  }
  const auto v = dev.as_int8();
  std::vector<std::int8_t> q(static_cast<std::size_t>(t.rows) * t.cols);
  for (std::uint32_t r = 0; r < t.rows; ++r) {
    for (std::uint32_t c = 0; c < t.cols; ++c)
      q[static_cast<std::size_t>(r) * t.cols + c] = v[static_cast<std::size_t>(r) * pc + c];
  }
  return q;
}

CompileResult compile(const Graph& g, const CompileOptions& opt) {
  const Config& cfg = opt.config ? *opt.config : default_config();
  CompileResult res;
  const std::vector<FTensorMap> samples =
      opt.calibration.empty() ? load_calibration(g, g.calibration) : opt.calibration;
  res.stats = calibrate(g, samples);
  res.qgraph = quantize(g, res.stats, opt.quant);
  const QGraph& q = res.qgraph;
  // Measured quantization error on the calibration samples.
  for (const auto& s : samples) {
    QTensorMap qin;
    for (int t : q.inputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      qin[qt.name] = quantize_values(s.at(qt.name).data, qt.scale);
    }
    const QTensorMap q8 = run_int8(q, qin);
    const FTensorMap f = run_float(g, s);
    for (int t : q.outputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      const auto& got = q8.at(qt.name);
      const auto& want = f.at(qt.name).data;
      double& worst = res.calib_max_error[qt.name];
      for (std::size_t i = 0; i < got.size(); ++i) {
        worst = std::max(worst, std::fabs(qt.scale * got[i] - static_cast<double>(want[i])));
      }
    }
  }
  detail::Lowered low;
  try {
    low = detail::lower(q, cfg, opt.roll_loops);
  } catch (const Error& e) {
    throw Error(g.source + ": " + e.what());
  }

  Program& p = res.program;
  p.req = requirements_for(cfg);
  p.code = std::move(low.code);
  p.data = std::move(low.data);
  p.predicted_cycles = low.cycles;
  res.predicted_cycles = low.cycles;
  res.mxu_rows = low.mxu_rows;
  res.sram_bytes = (low.act_words + low.weight_words) * cfg.lanes;
  res.weight_bytes = low.weight_words * cfg.lanes;

  std::string meta =
      "tool=lpu compile\nmodel=" + g.source + "\nconfig=" + std::string(cfg.name) + "\n";
  auto add_symbol = [&](int ti, SymKind kind) {
    const QTensor& t = q.tensors[static_cast<std::size_t>(ti)];
    const detail::ActPlace& a = low.act[static_cast<std::size_t>(ti)];
    Symbol s;
    s.name = t.name;
    s.kind = kind;
    s.dtype = DType::int8;
    s.space = Space::sram;
    s.layout = Layout::tiled;
    s.bank = a.bank[0];
    s.addr = a.addr[0];
    s.shape = {t.rows, padded_cols(t, cfg.lanes)};
    p.symbols.push_back(s);
    res.io.push_back(Placement{t.name, a.bank[0], a.addr[0], a.rows, a.cblocks});
    const std::string key = (kind == SymKind::input ? "input." : "output.") + t.name;
    meta += key + ".shape=" + dims(t.shape) + "\n" + key + ".scale=" + num(t.scale) + "\n";
    if (kind == SymKind::output) {
      meta += key + ".error_bound=" + num(t.err) + "\n" + key +
              ".calib_max_error=" + num(res.calib_max_error[t.name]) + "\n";
    }
  };
  for (int t : q.inputs) add_symbol(t, SymKind::input);
  for (int t : q.outputs) add_symbol(t, SymKind::output);
  meta += "predicted_mxu_rows=" + std::to_string(res.mxu_rows) + "\n";
  p.meta = meta;
  p.check_fits(cfg);

  if (opt.verify) {
    GoldenModel m(cfg);
    m.load(p);
    const RunResult r = m.run(p.predicted_cycles * 4 + 1000);
    if (!r.ok()) {
      throw Error(g.source + ": internal compiler error: the program stops with " +
                  std::string(error_name(r.error)) + " at pc " + std::to_string(r.error_pc) +
                  " in cycle " + std::to_string(r.error_cycle) + " on the golden model");
    }
    if (r.cycles != p.predicted_cycles) {
      throw Error(g.source + ": internal compiler error: the golden model ran " +
                  std::to_string(r.cycles) + " cycles, the scheduler predicted " +
                  std::to_string(p.predicted_cycles));
    }
  }
  return res;
}

}  // namespace lpu::compiler
