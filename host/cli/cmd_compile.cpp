// lpu compile: a model graph (JSON + .npy weights) to a statically scheduled .lpu program
// (docs/compiler.md). lpu quantize / lpu dequantize convert a compiled model's float inputs
// and outputs to and from the device's int8 tensors.
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
                                  {"quiet", 'q', OptKind::flag, "print nothing"},
                              });
  opt.require_positionals(1, 1, "model (MODEL.json)");
  const std::string in = opt.positional(0);
  std::string out = opt.value_or("output", "");
  if (out.empty()) out = std::filesystem::path(in).replace_extension(".lpu").string();
  if (out == in) throw lpu::Error("output file would overwrite the input '" + in + "'; give -o");
  if (opt.has("chips") && opt.uint_or("chips", 1) != 1) {
    throw lpu::Error("--chips " + opt.value_or("chips", "") +
                     ": multi-chip compilation is not implemented yet (one chip only)");
  }

  const lpu::compiler::Graph g = lpu::compiler::load_graph(in);
  lpu::compiler::CompileOptions co;
  co.config =
      opt.has("config") ? &lpu::config_by_name(opt.value_or("config", "")) : &lpu::default_config();
  co.verify = !opt.flag("no-verify");
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

  const lpu::compiler::CompileResult r = lpu::compiler::compile(g, co);
  r.program.save_file(out);
  if (!opt.flag("quiet")) {
    const lpu::Config& cfg = *co.config;
    std::printf("%s: %zu instructions, %zu data segments, config %s\n", out.c_str(),
                r.program.code.size(), r.program.data.size(), std::string(cfg.name).c_str());
    std::printf("  predicted cycles   %llu%s\n",
                static_cast<unsigned long long>(r.predicted_cycles),
                co.verify ? " (checked on the golden model)" : "");
    std::printf("  MXU utilisation    %.3f (%llu of %llu cycles stream a row)\n",
                r.mxu_utilisation(), static_cast<unsigned long long>(r.mxu_rows),
                static_cast<unsigned long long>(r.predicted_cycles));
    const std::size_t cap = static_cast<std::size_t>(cfg.banks) * cfg.bank_depth * cfg.lanes;
    std::printf("  SRAM               %zu of %zu bytes (%zu weights)\n", r.sram_bytes, cap,
                r.weight_bytes);
    for (const auto& t : lpu::compiler::io_tensors(r.program)) {
      std::printf("  %-6s %-12s %s scale %.6g", t.is_input ? "input" : "output", t.name.c_str(),
                  lpu::compiler::shape_str(t.shape).c_str(), t.scale);
      if (!t.is_input) {
        std::printf(" error: %.6g measured on the calibration set, %.6g worst-case bound",
                    t.calib_max_error, t.error_bound);
      }
      std::printf("\n");
    }
  }
  return 0;
}

int run_quantize(const std::vector<std::string>& args) {
  const lpu::cli::Options opt(args, {});
  opt.require_positionals(4, 4, "MODEL.lpu NAME IN.npy OUT.npy");
  const lpu::Program p = lpu::Program::load_file(opt.positional(0));
  const FTensor x = lpu::compiler::read_npy_float(opt.positional(2));
  lpu::write_npy(opt.positional(3), lpu::compiler::quantize_io(p, opt.positional(1), x));
  return 0;
}

int run_dequantize(const std::vector<std::string>& args) {
  const lpu::cli::Options opt(args, {});
  opt.require_positionals(4, 4, "MODEL.lpu NAME IN.npy OUT.npy");
  const lpu::Program p = lpu::Program::load_file(opt.positional(0));
  const lpu::Tensor t = lpu::read_npy(opt.positional(2));
  lpu::compiler::write_npy_float(opt.positional(3),
                                 lpu::compiler::dequantize_io(p, opt.positional(1), t));
  return 0;
}

}  // namespace

LPU_COMMAND(compile, "compile a model graph (JSON + .npy weights) into a .lpu program",
            "MODEL.json [-o MODEL.lpu] [--config base|tiny] [--calib [NAME=]FILE.npy]...\n"
            "         [--weights per-channel|per-tensor] [--no-verify] [-q]\n"
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
            "      --chips N         chips to partition over (only 1 is implemented)\n"
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
