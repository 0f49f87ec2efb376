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
#include "lpu/golden_system.hpp"
#include "partition.hpp"

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

std::string kib(std::size_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%zu bytes (%.1f KiB)", bytes,
                static_cast<double>(bytes) / 1024.0);
  return buf;
}

// The "does not fit" message with the chips that would hold the model.
std::string fit_message(const QGraph& q, const Config& cfg, const detail::Partition& part,
                        unsigned chips) {
  const std::size_t wb = cfg.lanes;
  const std::size_t cap = static_cast<std::size_t>(cfg.banks) * cfg.bank_depth;
  const std::size_t worst = *std::max_element(part.words.begin(), part.words.end());
  std::string msg = "the model does not fit the '" + std::string(cfg.name) + "' chip" +
                    (chips > 1 ? "s" : "") + ": " +
                    (chips > 1 ? "its largest part over " + std::to_string(chips) + " chips needs "
                               : "it needs ") +
                    kib(worst * wb) + " of SRAM and a chip has " + kib(cap * wb) + " (" +
                    std::to_string(cfg.banks) + " banks of " + std::to_string(cfg.bank_depth) +
                    " words of " + std::to_string(cfg.lanes) + " bytes)";
  const detail::ChipsHint h = detail::chips_needed(q, cfg);
  if (h.chips > chips) {
    msg += "; split it over chips with --chips " + std::to_string(h.chips) +
           " (the largest part then needs " + kib(h.words * wb) + ")";
  } else {
    msg += "; use a smaller model (no split over up to 16 chips fits)";
  }
  return msg;
}

// The container of one chip: its code and data, the symbols of the model inputs and outputs
// it holds (home[t] == chip) and the META description (docs/compiler.md "Container").
Program make_program(const Graph& g, const QGraph& q, const Config& cfg, detail::Lowered& low,
                     CompileResult& res, const std::vector<int>& home, unsigned chip,
                     unsigned chips) {
  Program p;
  p.req = requirements_for(cfg);
  p.code = std::move(low.code);
  p.data = std::move(low.data);
  p.predicted_cycles = low.cycles;
  res.mxu_rows += low.mxu_rows;
  res.chip_mxu_rows.push_back(low.mxu_rows);
  res.sram_bytes = std::max(res.sram_bytes, (low.act_words + low.weight_words) * cfg.lanes);
  res.weight_bytes += low.weight_words * cfg.lanes;
  std::string meta =
      "tool=lpu compile\nmodel=" + g.source + "\nconfig=" + std::string(cfg.name) + "\n";
  if (chips > 1) meta += "chip=" + std::to_string(chip) + "\nchips=" + std::to_string(chips) + "\n";
  auto add_symbol = [&](int ti, SymKind kind) {
    const QTensor& t = q.tensors[static_cast<std::size_t>(ti)];
    if (home[static_cast<std::size_t>(ti)] != static_cast<int>(chip)) return;
    const detail::ActPlace& a = low.act[static_cast<std::size_t>(ti)];
    if (a.bank.empty()) throw Error("internal: a model input or output has no place on its chip");
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
    const std::string key = (kind == SymKind::output ? "output." : "input.") + t.name;
    meta += key + ".shape=" + dims(t.shape) + "\n" + key + ".scale=" + num(t.scale) + "\n";
    if (t.is_index) meta += key + ".index=1\n";
    if (t.is_state) meta += key + ".state=1\n";
    if (kind == SymKind::output) {
      meta += key + ".error_bound=" + num(t.err) + "\n" + key +
              ".calib_max_error=" + num(res.calib_max_error[t.name]) + "\n";
    }
  };
  for (int t : q.inputs)
    add_symbol(t,
               q.tensors[static_cast<std::size_t>(t)].is_state ? SymKind::inout : SymKind::input);
  for (int t : q.outputs) add_symbol(t, SymKind::output);
  meta += "predicted_mxu_rows=" + std::to_string(low.mxu_rows) + "\n";
  p.meta = meta;
  p.check_fits(cfg);
  return p;
}

// Runs the program once (zero inputs) on the golden model, or the golden system of chips,
// and fails unless every chip finishes without an LPU error in its predicted cycles.
void verify(const Graph& g, const Config& cfg, const CompileResult& res) {
  std::vector<RunResult> rs;
  if (res.system.chips.size() == 1) {
    GoldenModel m(cfg);
    m.load(res.program);
    rs.push_back(m.run(res.program.predicted_cycles * 4 + 1000));
  } else {
    GoldenSystem sys(cfg, static_cast<unsigned>(res.system.chips.size()));
    sys.load(res.system);
    rs = sys.run(res.predicted_cycles * 4 + 100000);
  }
  for (std::size_t c = 0; c < rs.size(); ++c) {
    const RunResult& r = rs[c];
    const std::string who = rs.size() > 1 ? " on chip " + std::to_string(c) : std::string();
    if (!r.ok()) {
      throw Error(g.source + ": internal compiler error: the program stops with " +
                  std::string(error_name(r.error)) + " at pc " + std::to_string(r.error_pc) +
                  " in cycle " + std::to_string(r.error_cycle) + who + " on the golden model");
    }
    if (r.cycles != res.system.chips[c].predicted_cycles) {
      throw Error(g.source + ": internal compiler error: the golden model ran " +
                  std::to_string(r.cycles) + " cycles" + who + ", the scheduler predicted " +
                  std::to_string(res.system.chips[c].predicted_cycles));
    }
  }
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
    if (g.state_inputs.count(in)) continue;  // caches start empty and evolve
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

void for_each_reference_step(const Graph& g, const QGraph& q,
                             const std::vector<FTensorMap>& samples,
                             const std::function<void(const ReferenceStep&)>& fn) {
  ReferenceStep st;
  FTensorMap fstate;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const FTensorMap& s = samples[i];
    QTensorMap qin;
    for (const auto& name : g.state_inputs) {
      if (st.q8.count(name)) qin[name] = st.q8.at(name);
    }
    FTensorMap fin = s;
    for (const auto& [name, t] : fstate) fin[name] = t;
    for (int t : q.inputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      if (!qt.is_state) qin[qt.name] = quantize_input(qt, s.at(qt.name).data);
    }
    st.index = i;
    st.q8 = run_int8(q, qin);
    st.f = run_float(g, fin);
    st.qin = std::move(qin);
    for (const auto& name : g.state_inputs) fstate[name] = st.f.at(name);
    fn(st);
  }
}

CompileResult compile(const Graph& g, const CompileOptions& opt) {
  const Config& cfg = opt.config ? *opt.config : default_config();
  CompileResult res;
  const std::vector<FTensorMap> samples =
      opt.calibration.empty() ? load_calibration(g, g.calibration) : opt.calibration;
  res.stats = calibrate(g, samples);
  QuantOptions qo = opt.quant;
  qo.lut_depth = cfg.lut_depth;
  res.qgraph = quantize(g, res.stats, qo);
  const QGraph& q = res.qgraph;
  // Measured quantization error on the calibration samples.
  for_each_reference_step(g, q, samples, [&](const ReferenceStep& st) {
    for (int t : q.outputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      const auto& got = st.q8.at(qt.name);
      const auto& want = st.f.at(qt.name).data;
      double& worst = res.calib_max_error[qt.name];
      for (std::size_t i = 0; i < got.size(); ++i) {
        worst = std::max(worst, std::fabs(qt.scale * got[i] - static_cast<double>(want[i])));
      }
    }
  });
  // One chip, or consecutive stages over a ring of chips.
  const unsigned chips = std::max(1u, opt.chips);
  const std::size_t cap = static_cast<std::size_t>(cfg.banks) * cfg.bank_depth;
  detail::Partition part;
  try {
    if (chips == 1) {
      part.cut = {0, q.ops.size()};
      part.words = {detail::stage_words(q, cfg, 0, q.ops.size())};
    } else {
      part = detail::partition(q, cfg, chips);
    }
    const std::size_t worst = *std::max_element(part.words.begin(), part.words.end());
    if (worst > cap) throw Error(fit_message(q, cfg, part, chips));
  } catch (const Error& e) {
    throw Error(g.source + ": " + e.what());
  }
  // The chip that holds each model input and output symbol.
  std::vector<int> home(q.tensors.size(), -1);
  for (int t : q.inputs) home[static_cast<std::size_t>(t)] = 0;
  for (unsigned c = 0; c < chips; ++c) {
    for (std::size_t i = part.cut[c]; i < part.cut[c + 1]; ++i) {
      const QOp& op = q.ops[i];
      for (int t : {op.kc, op.vc, op.out}) {
        if (t >= 0) home[static_cast<std::size_t>(t)] = static_cast<int>(c);
      }
    }
  }
  std::vector<std::int64_t> arrivals;
  for (unsigned c = 0; c < chips; ++c) {
    detail::LowerOptions lo;
    lo.roll = opt.roll_loops;
    if (chips > 1) {
      lo.ops.assign(q.ops.size(), false);
      for (std::size_t i = part.cut[c]; i < part.cut[c + 1]; ++i) lo.ops[i] = true;
      if (c == 0) {
        for (int t : q.inputs) {
          if (home[static_cast<std::size_t>(t)] == 0) lo.extra_tensors.push_back(t);
        }
      }
      if (c > 0) {
        lo.recv_tensors = part.crossing[c - 1];
        std::size_t w = 0;
        for (int t : lo.recv_tensors) {
          const std::size_t n = detail::link_words(q, cfg, {t});
          lo.recv_avail.emplace_back(arrivals.begin() + static_cast<std::ptrdiff_t>(w),
                                     arrivals.begin() + static_cast<std::ptrdiff_t>(w + n));
          w += n;
        }
      }
      if (c + 1 < chips) lo.send_tensors = part.crossing[c];
    }
    detail::Lowered low;
    try {
      // LoopMode::fit: straight-line unless that overflows the instruction memory.
      lo.loops = opt.loops == LoopMode::always;
      low = detail::lower(q, cfg, lo);
      if (opt.loops == LoopMode::fit && low.code.size() > cfg.imem_depth) {
        lo.loops = true;
        low = detail::lower(q, cfg, lo);
      }
      detail::check_imem(low, cfg);
    } catch (const Error& e) {
      throw Error(g.source + (chips > 1 ? ": chip " + std::to_string(c) : std::string()) + ": " +
                  e.what());
    }
    arrivals = detail::link_arrivals(cfg, low.send_times, low.send_counts);
    res.chip_stages.push_back({part.cut[c], part.cut[c + 1]});
    res.system.chips.push_back(make_program(g, q, cfg, low, res, home, c, chips));
  }
  res.program = res.system.chips[0];
  for (const Program& p : res.system.chips) {
    res.chip_cycles.push_back(p.predicted_cycles);
    res.predicted_cycles = std::max<std::uint64_t>(res.predicted_cycles, p.predicted_cycles);
  }

  if (opt.verify) verify(g, cfg, res);
  return res;
}

}  // namespace lpu::compiler
