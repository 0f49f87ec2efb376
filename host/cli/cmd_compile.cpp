// lpu compile: a model graph (JSON + .npy weights) to a statically scheduled .lpu program
// (docs/compiler.md). lpu quantize / lpu dequantize convert a compiled model's float inputs
// and outputs to and from the device's int8 tensors.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "command.hpp"
#include "lpu/compiler/compile.hpp"
#include "lpu/compiler/graph.hpp"
#include "lpu/config.hpp"
#include "lpu/error.hpp"
#include "lpu/npy.hpp"
#include "lpu/program.hpp"
#include "lpu/system_program.hpp"
#include "options.hpp"

namespace {

using lpu::compiler::FTensor;

int run_compile(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args,
                              {
                                  {"output", 'o', OptKind::value, "output file"},
                                  {"config", 'c', OptKind::value, "configuration"},
                                  {"calib", 0, OptKind::repeated, "calibration data"},
                                  {"weights", 0, OptKind::value, "per-channel | per-tensor"},
                                  {"chips", 0, OptKind::value, "number of chips"},
                                  {"no-verify", 0, OptKind::flag, "skip the golden-model check"},
                                  {"loops", 0, OptKind::value, "fit | always | never"},
                                  {"quiet", 'q', OptKind::flag, "print nothing"},
                              });
  opt.require_positionals(1, 1, "model (MODEL.json)");
  const std::string in = opt.positional(0);
  std::string out = opt.value_or("output", "");
  if (out.empty()) out = std::filesystem::path(in).replace_extension(".lpu").string();
  if (out == in) throw lpu::Error("output file would overwrite the input '" + in + "'; give -o");
  const auto chips = static_cast<unsigned>(opt.uint_or("chips", 1));
  if (chips < 1 || chips > lpu::kMaxSystemChips) {
    throw lpu::Error("--chips " + opt.value_or("chips", "") + ": expected 1 to " +
                     std::to_string(lpu::kMaxSystemChips));
  }

  const lpu::compiler::Graph g = lpu::compiler::load_graph(in);
  lpu::compiler::CompileOptions co;
  co.config =
      opt.has("config") ? &lpu::config_by_name(opt.value_or("config", "")) : &lpu::default_config();
  co.verify = !opt.flag("no-verify");
  co.chips = chips;
  const std::string loops = opt.value_or("loops", "fit");
  if (loops == "fit") {
    co.loops = lpu::compiler::LoopMode::fit;
  } else if (loops == "always") {
    co.loops = lpu::compiler::LoopMode::always;
  } else if (loops == "never") {
    co.loops = lpu::compiler::LoopMode::never;
  } else {
    throw lpu::Error("--loops '" + loops + "': expected fit, always or never");
  }
  const std::string w = opt.value_or("weights", "per-channel");
  if (w == "per-channel") {
    co.quant.weights = lpu::compiler::WeightQuant::per_channel;
  } else if (w == "per-tensor") {
    co.quant.weights = lpu::compiler::WeightQuant::per_tensor;
  } else {
    throw lpu::Error("--weights '" + w + "': expected per-channel or per-tensor");
  }
  // --calib FILE.npy (a model with one input) or --calib NAME=FILE.npy.
  if (opt.has("calib")) {
    std::map<std::string, std::string> files;
    for (const auto& c : opt.values("calib")) {
      const auto eq = c.find('=');
      std::string name, path;
      if (eq == std::string::npos) {
        if (g.inputs.size() != 1) {
          throw lpu::Error("--calib " + c + ": the model has " + std::to_string(g.inputs.size()) +
                           " inputs; write --calib NAME=FILE.npy");
        }
        name = g.inputs[0];
        path = c;
      } else {
        name = c.substr(0, eq);
        path = c.substr(eq + 1);
      }
      if (files.count(name)) throw lpu::Error("--calib: input '" + name + "' is given twice");
      files[name] = path;
    }
    co.calibration = lpu::compiler::load_calibration(g, files);
  }

  const auto t0 = std::chrono::steady_clock::now();
  const lpu::compiler::CompileResult r = lpu::compiler::compile(g, co);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (chips == 1) {
    r.program.save_file(out);
  } else {
    r.system.save_file(out);
  }
  if (!opt.flag("quiet")) {
    const lpu::Config& cfg = *co.config;
    if (chips == 1) {
      std::printf("%s: %zu instructions, %zu data segments, config %s\n", out.c_str(),
                  r.program.code.size(), r.program.data.size(), std::string(cfg.name).c_str());
      std::printf("  predicted cycles   %llu%s\n",
                  static_cast<unsigned long long>(r.predicted_cycles),
                  co.verify ? " (checked on the golden model)" : "");
    } else {
      std::printf("%s: %u chips, config %s\n", out.c_str(), chips, std::string(cfg.name).c_str());
      for (unsigned c = 0; c < chips; ++c) {
        std::printf("  chip %u: %zu instructions, predicted cycles %llu, ops %zu..%zu\n", c,
                    r.system.chips[c].code.size(),
                    static_cast<unsigned long long>(r.chip_cycles[c]), r.chip_stages[c].first,
                    r.chip_stages[c].second - 1);
      }
      std::printf("  predicted cycles   %llu (the last chip to halt)%s\n",
                  static_cast<unsigned long long>(r.predicted_cycles),
                  co.verify ? " (checked on the golden system)" : "");
    }
    std::printf("  MXU utilisation    %.3f (%llu of %llu cycles stream a row)\n",
                r.mxu_utilisation(), static_cast<unsigned long long>(r.mxu_rows),
                static_cast<unsigned long long>(r.predicted_cycles));
    const std::size_t cap = static_cast<std::size_t>(cfg.banks) * cfg.bank_depth * cfg.lanes;
    std::printf("  SRAM               %zu of %zu bytes%s (%zu weights)\n", r.sram_bytes, cap,
                chips > 1 ? " on the fullest chip" : "", r.weight_bytes);
    std::printf("  compile time       %.3f s\n", secs);
    std::vector<lpu::compiler::IoTensor> io;
    for (const auto& p : r.system.chips) {
      for (const auto& t : lpu::compiler::io_tensors(p)) io.push_back(t);
    }
    for (const auto& t : io) {
      std::printf("  %-6s %-12s %s", t.is_input ? (t.is_state ? "state" : "input") : "output",
                  t.name.c_str(), lpu::compiler::shape_str(t.shape).c_str());
      if (t.is_index) {
        std::printf(" integers 0..255");
      } else {
        std::printf(" scale %.6g", t.scale);
      }
      if (!t.is_input) {
        std::printf(" error: %.6g measured on the calibration set, %.6g worst-case bound",
                    t.calib_max_error, t.error_bound);
      }
      std::printf("\n");
    }
  }
  return 0;
}

// The program (of a single-chip file or of the chip of a bundle) that holds tensor `name`.
lpu::Program program_with(const std::string& file, const std::string& name, bool input) {
  lpu::SystemProgram sp = lpu::SystemProgram::load_file(file);
  if (sp.chips.size() == 1) return std::move(sp.chips[0]);  // quantize_io names what is known
  return std::move(sp.chips[lpu::compiler::io_chip(sp, name, input)]);
}

int run_quantize(const std::vector<std::string>& args) {
  const lpu::cli::Options opt(args, {});
  opt.require_positionals(4, 4, "MODEL.lpu NAME IN.npy OUT.npy");
  const lpu::Program p = program_with(opt.positional(0), opt.positional(1), true);
  const FTensor x = lpu::compiler::read_npy_float(opt.positional(2));
  lpu::write_npy(opt.positional(3), lpu::compiler::quantize_io(p, opt.positional(1), x));
  return 0;
}

int run_dequantize(const std::vector<std::string>& args) {
  const lpu::cli::Options opt(args, {});
  opt.require_positionals(4, 4, "MODEL.lpu NAME IN.npy OUT.npy");
  const lpu::Program p = program_with(opt.positional(0), opt.positional(1), false);
  const lpu::Tensor t = lpu::read_npy(opt.positional(2));
  lpu::compiler::write_npy_float(opt.positional(3),
                                 lpu::compiler::dequantize_io(p, opt.positional(1), t));
  return 0;
}

}  // namespace

LPU_COMMAND(
    compile, "compile a model graph (JSON + .npy weights) into a .lpu program",
    "MODEL.json [-o MODEL.lpu] [--config base|tiny] [--calib [NAME=]FILE.npy]...\n"
    "         [--weights per-channel|per-tensor] [--chips N] [--loops MODE] [--no-verify] [-q]\n"
    "\n"
    "Loads and checks the model, calibrates int8 scales on the sample inputs, quantizes,\n"
    "lays the tensors out in SRAM, schedules every instruction statically and writes the\n"
    "program with its predicted cycle count (docs/compiler.md). The input and output\n"
    "tensors are int8 symbols; `lpu quantize` / `lpu dequantize` convert float data.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE     output container (default: MODEL.lpu)\n"
    "  -c, --config NAME     target configuration (default: base)\n"
    "      --calib [NAME=]FILE.npy\n"
    "                        calibration samples for input NAME (the input's shape, or\n"
    "                        [S] + that shape for S samples); default: the model's\n"
    "                        \"calibration\" entry\n"
    "      --weights KIND    default weight scales: per-channel (default) or per-tensor\n"
    "      --chips N         split the model over N chips of a ring (consecutive\n"
    "                        stages, activations over the links); writes a multi-chip\n"
    "                        bundle (docs/program-format.md \"Multi-chip programs\")\n"
    "      --loops MODE      hardware-loop regions for repeating matmuls: fit (default:\n"
    "                        only when straight-line code would not fit the instruction\n"
    "                        memory), always, or never\n"
    "      --no-verify       do not run the program once on the golden model to check\n"
    "                        that it is error-free and takes the predicted cycles\n"
    "  -q, --quiet           print nothing\n",
    run_compile)

LPU_COMMAND(quantize, "convert a float .npy into a compiled model's int8 input tensor",
            "MODEL.lpu NAME IN.npy OUT.npy\n"
            "\n"
            "q = clamp(round(x / scale), -128, 127) with input NAME's scale, padded to the device\n"
            "shape [rows, columns rounded up to lanes]; OUT.npy is ready for `lpu run --input`.\n",
            run_quantize)

LPU_COMMAND(dequantize, "convert a compiled model's int8 output tensor into float .npy",
            "MODEL.lpu NAME IN.npy OUT.npy\n"
            "\n"
            "IN.npy is output NAME as written by `lpu run --output`; OUT.npy is scale * q in the\n"
            "model's logical shape (float32).\n",
            run_dequantize)
