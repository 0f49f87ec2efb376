// A small command-line option parser shared by the lpu subcommands.
//
// Accepts `--flag`, `--key value`, `--key=value`, `-k value`, `-kvalue`, `-f` (short flags),
// repeatable keys, positionals anywhere, and `--` to end options (everything after it is
// positional; a lone `-` is a positional too, conventionally stdin/stdout). Unknown options,
// a missing value, a value given to a flag or a repeated non-repeatable key throw lpu::Error.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "lpu/error.hpp"

namespace lpu::cli {

// The device a command uses without --device: the simulated chip (the Verilator model of
// lpu_top, in process) when this build has it, else the golden model.
#if defined(LPU_HAVE_SIM_TRANSPORT)
inline constexpr const char* kDefaultDevice = "sim";
#else
inline constexpr const char* kDefaultDevice = "golden";
#endif

// A command line the options cannot parse (unknown option, missing value, wrong number of
// positionals): main adds a pointer to the command's --help.
class UsageError : public Error {
 public:
  using Error::Error;
};

enum class OptKind { flag, value, repeated };

struct OptSpec {
  const char* name;  // long name without dashes: "output" for --output
  char short_name;   // 'o' for -o, or 0
  OptKind kind;
  const char* help;  // one line (for the command's usage text; not printed here)
};

class Options {
 public:
  Options(const std::vector<std::string>& args, std::initializer_list<OptSpec> specs);

  // True when the flag (OptKind::flag) was given.
  bool flag(const std::string& name) const;
  // True when an option of any kind was given at least once.
  bool has(const std::string& name) const;
  // The value of a value option (the last one given), or `def` when absent.
  std::string value_or(const std::string& name, const std::string& def) const;
  // Every value of a repeated (or value) option, in command-line order.
  const std::vector<std::string>& values(const std::string& name) const;
  // A value option parsed as an unsigned integer (decimal or 0x hex), or `def` when absent.
  std::uint64_t uint_or(const std::string& name, std::uint64_t def) const;

  const std::vector<std::string>& positionals() const { return pos_; }
  const std::string& positional(std::size_t i) const { return pos_.at(i); }
  // Throws lpu::Error unless min <= positionals <= max; `what` names them ("FILE.s").
  void require_positionals(std::size_t min, std::size_t max, const std::string& what) const;

 private:
  const OptSpec* find_long(const std::string& name) const;
  const OptSpec* find_short(char c) const;
  void add(const OptSpec& spec, const std::string& value, const std::string& given_as);

  std::vector<OptSpec> specs_;
  std::map<std::string, std::vector<std::string>> vals_;
  std::vector<std::string> pos_;
};

// Parses an unsigned integer (decimal, 0x hex, 0b binary) for option `what`; throws lpu::Error.
std::uint64_t parse_uint(const std::string& text, const std::string& what);

}  // namespace lpu::cli
