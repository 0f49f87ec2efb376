// Command-line option parsing for the lpu subcommands.
#include "options.hpp"

#include <cctype>
#include <limits>

#include "lpu/error.hpp"

namespace lpu::cli {

Options::Options(const std::vector<std::string>& args, std::initializer_list<OptSpec> specs)
    : specs_(specs) {
  bool only_pos = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_pos || a.size() < 2 || a[0] != '-') {
      pos_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_pos = true;
      continue;
    }
    if (a[1] == '-') {
      // --name, --name=value, --name value
      const auto eq = a.find('=');
      const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const OptSpec* s = find_long(name);
      if (!s) throw UsageError("unknown option '--" + name + "'");
      if (s->kind == OptKind::flag) {
        if (eq != std::string::npos) throw UsageError("option '--" + name + "' takes no value");
        add(*s, "", "--" + name);
      } else if (eq != std::string::npos) {
        add(*s, a.substr(eq + 1), "--" + name);
      } else {
        if (i + 1 >= args.size()) throw UsageError("option '--" + name + "' needs a value");
        add(*s, args[++i], "--" + name);
      }
      continue;
    }
    // -k, -kvalue, -k value, or a cluster of short flags -abc
    for (std::size_t j = 1; j < a.size(); ++j) {
      const OptSpec* s = find_short(a[j]);
      if (!s) throw UsageError(std::string("unknown option '-") + a[j] + "'");
      const std::string given = std::string("-") + a[j];
      if (s->kind == OptKind::flag) {
        add(*s, "", given);
        continue;
      }
      if (j + 1 < a.size()) {
        add(*s, a.substr(j + 1), given);
      } else {
        if (i + 1 >= args.size()) throw UsageError("option '" + given + "' needs a value");
        add(*s, args[++i], given);
      }
      break;
    }
  }
}

const OptSpec* Options::find_long(const std::string& name) const {
  for (const auto& s : specs_) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

const OptSpec* Options::find_short(char c) const {
  for (const auto& s : specs_) {
    if (s.short_name != 0 && s.short_name == c) return &s;
  }
  return nullptr;
}

void Options::add(const OptSpec& spec, const std::string& value, const std::string& given_as) {
  auto& v = vals_[spec.name];
  if (!v.empty() && spec.kind != OptKind::repeated) {
    throw UsageError("option '" + given_as + "' given more than once");
  }
  v.push_back(value);
}

bool Options::flag(const std::string& name) const { return has(name); }

bool Options::has(const std::string& name) const {
  const auto it = vals_.find(name);
  return it != vals_.end() && !it->second.empty();
}

std::string Options::value_or(const std::string& name, const std::string& def) const {
  const auto it = vals_.find(name);
  if (it == vals_.end() || it->second.empty()) return def;
  return it->second.back();
}

const std::vector<std::string>& Options::values(const std::string& name) const {
  static const std::vector<std::string> kEmpty;
  const auto it = vals_.find(name);
  return it == vals_.end() ? kEmpty : it->second;
}

std::uint64_t Options::uint_or(const std::string& name, std::uint64_t def) const {
  if (!has(name)) return def;
  return parse_uint(value_or(name, ""), "--" + name);
}

void Options::require_positionals(std::size_t min, std::size_t max, const std::string& what) const {
  if (pos_.size() < min) throw UsageError("missing " + what);
  if (pos_.size() > max) throw UsageError("unexpected argument '" + pos_[max] + "'");
}

std::uint64_t parse_uint(const std::string& text, const std::string& what) {
  unsigned base = 10;
  std::size_t i = 0;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    i = 2;
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    i = 2;
  }
  if (i >= text.size()) throw UsageError(what + ": expected an unsigned integer, got '" + text + "'");
  std::uint64_t v = 0;
  for (; i < text.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else {
      d = 99;
    }
    if (d >= base) throw UsageError(what + ": expected an unsigned integer, got '" + text + "'");
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base) {
      throw UsageError(what + ": value '" + text + "' is too large");
    }
    v = v * base + d;
  }
  return v;
}

}  // namespace lpu::cli
