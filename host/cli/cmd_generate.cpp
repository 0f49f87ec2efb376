// lpu generate: run a compiled character language model (examples/lm, docs/lm.md) one decode
// step per run on a device, sample the next character on the host and stream the text; with
// --check, run the golden model in lockstep and demand the same logits bits and cycles.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "lpu/compiler/compile.hpp"
#include "lpu/error.hpp"
#include "lpu/program.hpp"
#include "open_device.hpp"
#include "options.hpp"

namespace {

using lpu::compiler::FTensor;

// docs/lm.md "Generating text": the sampler and the choice of the next character.
struct Lcg64 {
  std::uint64_t state;
  double uniform() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) / 9007199254740992.0;  // 2^53
  }
};

unsigned pick(const std::vector<float>& z, unsigned n_real, double temperature, Lcg64& rng) {
  unsigned best = 0;
  for (unsigned i = 1; i < n_real; ++i) {
    if (z[i] > z[best]) best = i;
  }
  if (temperature <= 0) return best;
  std::vector<double> c(n_real);
  double sum = 0;
  for (unsigned i = 0; i < n_real; ++i) {
    sum += std::exp((static_cast<double>(z[i]) - static_cast<double>(z[best])) / temperature);
    c[i] = sum;
  }
  const double u = rng.uniform() * sum;
  for (unsigned i = 0; i < n_real; ++i) {
    if (c[i] > u) return i;
  }
  return n_real - 1;
}

struct LmConfig {
  std::vector<std::string> vocab;
  unsigned context = 0, keep = 0, real_vocab = 0, chars = 0;
  double temperature = 0;
  std::uint64_t seed = 0;
  std::string prompt;
};

LmConfig read_lm_config(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw lpu::Error(path + ": cannot open for reading (the model's config.json, e.g. examples/lm/config.json)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
    LmConfig c;
    for (const auto& v : j.at("vocab")) c.vocab.push_back(v.is_null() ? std::string() : v.get<std::string>());
    c.context = j.at("architecture").at("context").get<unsigned>();
    const auto& g = j.at("generation");
    c.keep = g.at("window_keep").get<unsigned>();
    c.real_vocab = g.at("real_vocab").get<unsigned>();
    c.chars = g.at("chars").get<unsigned>();
    c.temperature = g.at("temperature").get<double>();
    c.seed = g.at("seed").get<std::uint64_t>();
    c.prompt = g.at("prompt").get<std::string>();
    if (c.real_vocab == 0 || c.real_vocab > c.vocab.size() || c.keep < 2 || c.keep > c.context) {
      throw lpu::Error("inconsistent generation settings");
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw lpu::Error(path + ": " + e.what());
  } catch (const lpu::Error& e) {
    throw lpu::Error(path + ": " + e.what());
  }
}

// One device running the decode step: token and position in, logits out.
class Stepper {
 public:
  Stepper(std::unique_ptr<lpu::Device> dev, const lpu::Program& p) : dev_(std::move(dev)), p_(p) {
    dev_->load(p_);
  }
  struct Out {
    std::vector<float> logits;
    lpu::Tensor raw;
    std::uint64_t cycles = 0;
  };
  Out step(unsigned token, unsigned pos) {
    dev_->write_tensor("token", lpu::compiler::quantize_io(p_, "token", FTensor({1}, {static_cast<float>(token)})));
    dev_->write_tensor("pos", lpu::compiler::quantize_io(p_, "pos", FTensor({1}, {static_cast<float>(pos)})));
    const lpu::RunResult r = dev_->run();
    if (!r.ok()) {
      throw lpu::Error(dev_->name() + ": the decode step stopped with " + std::string(lpu::error_name(r.error)) +
                       " at pc " + std::to_string(r.error_pc) + " in cycle " + std::to_string(r.error_cycle));
    }
    Out o;
    o.raw = dev_->read_tensor("logits");
    o.logits = lpu::compiler::dequantize_io(p_, "logits", o.raw).data;
    o.cycles = r.cycles;
    return o;
  }
  const lpu::Device& device() const { return *dev_; }

 private:
  std::unique_ptr<lpu::Device> dev_;
  const lpu::Program& p_;
};

int run_generate(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"device", 'd', OptKind::value, "device URI"},
                                        {"lm", 0, OptKind::value, "the model's config.json"},
                                        {"chars", 'n', OptKind::value, "characters to generate"},
                                        {"check", 0, OptKind::flag, "compare with the golden model"},
                                        {"fmax-mhz", 0, OptKind::value, "clock for the tokens/s estimate"},
                                        {"json", 0, OptKind::flag, "print the figures as JSON lines"},
                                    });
  opt.require_positionals(1, 1, "the compiled model (MODEL.lpu, from lpu compile)");
  const std::string file = opt.positional(0);
  const lpu::Program p = lpu::Program::load_file(file);
  const LmConfig lm = read_lm_config(opt.value_or("lm", "examples/lm/config.json"));
  const unsigned chars = static_cast<unsigned>(opt.uint_or("chars", lm.chars));
  const lpu::Config* cfg = lpu::config_by_lanes(p.req.lanes);
  if (!cfg) throw lpu::Error(file + ": no configuration has " + std::to_string(p.req.lanes) + " lanes");
  const std::string uri = opt.value_or("device", lpu::cli::kDefaultDevice);
  const double fmax = static_cast<double>(opt.uint_or("fmax-mhz", cfg->fmax_target_mhz));

  Stepper dev(LPU_OPEN_DEVICE(uri, *cfg), p);
  std::unique_ptr<Stepper> gold;
  if (opt.flag("check")) gold = std::make_unique<Stepper>(lpu::open_golden_device(*cfg), p);

  std::vector<unsigned> history;
  for (char ch : lm.prompt) {
    unsigned id = 0;
    while (id < lm.vocab.size() && lm.vocab[id] != std::string(1, ch)) ++id;
    if (id == lm.vocab.size()) throw lpu::Error("prompt character '" + std::string(1, ch) + "' is not in the vocabulary");
    history.push_back(id);
  }
  if (history.empty() || history.size() > lm.context) throw lpu::Error("the prompt must have 1.." + std::to_string(lm.context) + " characters");

  std::uint64_t steps = 0, cycles = 0, min_c = ~0ull, max_c = 0, mismatches = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto run_step = [&](unsigned tok, unsigned pos) {
    auto o = dev.step(tok, pos);
    if (gold) {
      const auto g = gold->step(tok, pos);
      if (g.raw.bytes != o.raw.bytes || g.cycles != o.cycles) {
        ++mismatches;
        std::fprintf(stderr, "\nlpu generate: step %llu (token %u at position %u): %s differs from the golden model "
                     "(cycles %llu vs %llu)\n", static_cast<unsigned long long>(steps), tok, pos,
                     uri.c_str(), static_cast<unsigned long long>(o.cycles), static_cast<unsigned long long>(g.cycles));
      }
    }
    ++steps;
    cycles += o.cycles;
    min_c = std::min(min_c, o.cycles);
    max_c = std::max(max_c, o.cycles);
    return o.logits;
  };

  std::printf("%s", lm.prompt.c_str());
  std::fflush(stdout);
  std::vector<float> logits;
  for (unsigned pos = 0; pos < history.size(); ++pos) logits = run_step(history[pos], pos);
  unsigned pos = static_cast<unsigned>(history.size());
  Lcg64 rng{lm.seed};
  for (unsigned i = 0; i < chars; ++i) {
    const unsigned tok = pick(logits, lm.real_vocab, lm.temperature, rng);
    history.push_back(tok);
    std::printf("%s", lm.vocab[tok].c_str());
    std::fflush(stdout);
    if (pos == lm.context) {  // cache full: run the last keep-1 tokens again from position 0
      for (unsigned k = 0; k + 1 < lm.keep; ++k) run_step(history[history.size() - lm.keep + k], k);
      pos = lm.keep - 1;
    }
    logits = run_step(tok, pos);
    ++pos;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double per_step = steps ? static_cast<double>(cycles) / static_cast<double>(steps) : 0;
  const double per_char = chars ? static_cast<double>(cycles) / chars : 0;
  std::printf("\n\n");
  std::printf("device %s: %llu decode steps for %u characters in %.1f s (%.1f steps/s of simulation)\n", uri.c_str(),
              static_cast<unsigned long long>(steps), chars, secs, static_cast<double>(steps) / secs);
  std::printf("cycles per step: predicted %llu, measured %.0f (min %llu, max %llu)\n",
              static_cast<unsigned long long>(p.predicted_cycles), per_step, static_cast<unsigned long long>(min_c),
              static_cast<unsigned long long>(max_c));
  std::printf("at %.0f MHz the chip would run %.0f steps/s (%.0f characters/s)\n", fmax, fmax * 1e6 / per_step,
              fmax * 1e6 / per_char);
  if (gold) {
    std::printf("golden model: %s\n", mismatches ? (std::to_string(mismatches) + " steps differ").c_str()
                                                 : "every step's logits and cycle count identical");
  }
  if (opt.flag("json")) {
    std::printf("{\"name\": \"lm.cycles_per_token.predicted\", \"value\": %llu, \"unit\": \"cycles\"}\n",
                static_cast<unsigned long long>(p.predicted_cycles));
    std::printf("{\"name\": \"lm.cycles_per_token.measured\", \"value\": %.0f, \"unit\": \"cycles\"}\n", per_step);
    std::printf("{\"name\": \"lm.tokens_per_s_at_fmax\", \"value\": %.1f, \"unit\": \"tokens/s\"}\n", fmax * 1e6 / per_step);
  }
  if (mismatches) throw lpu::Error(std::to_string(mismatches) + " decode steps differ from the golden model");
  if (p.predicted_cycles && (min_c != p.predicted_cycles || max_c != p.predicted_cycles)) {
    throw lpu::Error("measured cycles per step (" + std::to_string(min_c) + ".." + std::to_string(max_c) +
                     ") differ from the prediction " + std::to_string(p.predicted_cycles));
  }
  return 0;
}

}  // namespace

LPU_COMMAND(generate, "generate text with a compiled character language model",
            "MODEL.lpu [--lm CONFIG.json] [--device URI] [--chars N] [--check] [--fmax-mhz F] [--json]\n"
            "\n"
            "Runs one decode step of the model per run (token and position in, logits out; the\n"
            "KV caches stay on the chip), samples the next character on the host as docs/lm.md\n"
            "\"Generating text\" says, and streams the text. Then prints decode steps per second\n"
            "of simulation, predicted and measured cycles per step, and the rate the chip would\n"
            "reach at F MHz. Exits 1 if any step's cycle count differs from the prediction.\n"
            "\n"
            "options:\n"
            "  -d, --device URI    device (default: sim when built with the RTL, else golden)\n"
            "      --lm FILE       the model's config.json (default examples/lm/config.json)\n"
            "  -n, --chars N       characters to generate (default: the config's)\n"
            "      --check         also run the golden model and demand identical logits and cycles\n"
            "      --fmax-mhz F    clock for the estimate (default: the configuration's target)\n"
            "      --json          also print the figures as JSON lines (make bench)\n",
            run_generate)
