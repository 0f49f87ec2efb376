// The assembler's tokenizer and constant-expression evaluator.
#include "asm_lexer.hpp"

#include <algorithm>

namespace lpu::asmx {

namespace {

bool ident_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.';
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

void lex_line(const std::string& s, int lineno, Line& out) {
  std::size_t i = 0;
  out.line = lineno;
  while (i < s.size()) {
    const char c = s[i];
    const int col = static_cast<int>(i) + 1;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    if (c == ';' || c == '#') break;
    if (ident_start(c)) {
      std::size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      out.toks.push_back({Tok::ident, s.substr(i, j - i), 0, col});
      i = j;
    } else if (c >= '0' && c <= '9') {
      int base = 10;
      std::size_t j = i;
      if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        j += 2;
      } else if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
        base = 2;
        j += 2;
      }
      const std::size_t digits_start = j;
      Int v = 0;
      while (j < s.size() && ident_char(s[j])) {
        const int d = digit_value(s[j]);
        if (d >= base) throw PosError{lineno, col, "bad number '" + s.substr(i, j + 1 - i) + "'"};
        v = v * base + d;
        if (v > kU64Max) throw PosError{lineno, col, "integer literal too large (max 2^64-1)"};
        ++j;
      }
      if (j == digits_start) throw PosError{lineno, col, "bad number '" + s.substr(i, j - i) + "'"};
      out.toks.push_back({Tok::number, s.substr(i, j - i), v, col});
      i = j;
    } else if (c == '"') {
      std::string text;
      std::size_t j = i + 1;
      for (;;) {
        if (j >= s.size()) throw PosError{lineno, col, "unterminated string"};
        const char d = s[j];
        if (d == '"') break;
        if (d == '\\') {
          if (j + 1 >= s.size()) throw PosError{lineno, col, "unterminated string"};
          const char e = s[j + 1];
          if (e == '\\' || e == '"') {
            text += e;
          } else if (e == 't') {
            text += '\t';
          } else {
            throw PosError{lineno, static_cast<int>(j) + 1,
                           std::string("unknown escape '\\") + e + "'"};
          }
          j += 2;
          continue;
        }
        if (static_cast<unsigned char>(d) < 0x20 && d != '\t') {
          throw PosError{lineno, static_cast<int>(j) + 1, "control character in string"};
        }
        text += d;
        ++j;
      }
      out.toks.push_back({Tok::string, text, 0, col});
      i = j + 1;
    } else {
      static const char* const kTwo[] = {"<<", ">>"};
      bool two = false;
      for (const char* t : kTwo) {
        if (s.compare(i, 2, t) == 0) {
          out.toks.push_back({Tok::punct, t, 0, col});
          i += 2;
          two = true;
          break;
        }
      }
      if (two) continue;
      static const std::string kOne = ",[](){}+-*/%&|^~=:";
      if (kOne.find(c) == std::string::npos || c == '\0') {
        const auto u = static_cast<unsigned char>(c);
        std::string shown =
            (u >= 0x20 && u < 0x7F)
                ? std::string(1, c)
                : "\\x" + std::string(1, "0123456789abcdef"[u >> 4]) + "0123456789abcdef"[u & 15];
        throw PosError{lineno, col, "unexpected character '" + shown + "'"};
      }
      out.toks.push_back({Tok::punct, std::string(1, c), 0, col});
      ++i;
    }
    out.end_col = static_cast<int>(i) + 1;
  }
  if (out.toks.empty()) out.end_col = 1;
}

int precedence(const Token* t) {
  if (!t || t->kind != Tok::punct) return -1;
  const std::string& p = t->text;
  if (p == "|") return 1;
  if (p == "^") return 2;
  if (p == "&") return 3;
  if (p == "<<" || p == ">>") return 4;
  if (p == "+" || p == "-") return 5;
  if (p == "*" || p == "/" || p == "%") return 6;
  return -1;
}

void check_range(const Cursor& c, int col, Int v) {
  if (v > kU64Max || v < -kU64Max) c.fail_at(col, "integer overflow in expression");
}

Int apply(const Cursor& c, int col, const std::string& op, Int a, Int b) {
  Int r = 0;
  if (op == "+") {
    r = a + b;
  } else if (op == "-") {
    r = a - b;
  } else if (op == "*") {
    if (__builtin_mul_overflow(a, b, &r)) c.fail_at(col, "integer overflow in expression");
  } else if (op == "/" || op == "%") {
    if (b == 0) c.fail_at(col, "division by zero");
    r = op == "/" ? a / b : a % b;  // truncating, like C
  } else if (op == "<<" || op == ">>") {
    if (b < 0 || b > 64) c.fail_at(col, "shift amount " + to_string(b) + " is not 0..64");
    if (op == "<<") {
      if (__builtin_mul_overflow(a, Int{1} << static_cast<int>(b), &r))
        c.fail_at(col, "integer overflow in expression");
    } else {
      r = a >> static_cast<int>(b);  // arithmetic
    }
  } else if (op == "&") {
    r = a & b;
  } else if (op == "|") {
    r = a | b;
  } else if (op == "^") {
    r = a ^ b;
  }
  check_range(c, col, r);
  return r;
}

Int eval_binary(Cursor& c, const Lookup& lookup, Int lhs, int min_prec, int depth);

Int eval_unary(Cursor& c, const Lookup& lookup, int depth) {
  if (depth > 200) c.fail("expression nested too deeply");
  const Token* t = c.peek();
  if (!t) c.fail("expected an expression");
  if (t->kind == Tok::punct && (t->text == "-" || t->text == "~" || t->text == "+")) {
    const std::string op = c.next().text;
    const Int v = eval_unary(c, lookup, depth + 1);
    if (op == "-") return -v;
    if (op == "~") {
      const Int r = ~v;
      check_range(c, t->col, r);
      return r;
    }
    return v;
  }
  if (t->kind == Tok::punct && t->text == "(") {
    c.next();
    const Int lhs = eval_unary(c, lookup, depth + 1);
    const Int v = eval_binary(c, lookup, lhs, 1, depth + 1);
    c.expect_punct(")");
    return v;
  }
  if (t->kind == Tok::number) return c.next().value;
  if (t->kind == Tok::ident) {
    const Token& id = c.next();
    if (is_reserved_name(id.text))
      c.fail_at(id.col, "register '" + id.text + "' is not allowed in an expression");
    const auto v = lookup(id.text);
    if (!v) c.fail_at(id.col, "unknown symbol '" + id.text + "'");
    return *v;
  }
  c.fail("expected an expression" + c.found());
}

Int eval_binary(Cursor& c, const Lookup& lookup, Int lhs, int min_prec, int depth) {
  for (;;) {
    const Token* op = c.peek();
    const int prec = precedence(op);
    if (prec < min_prec) return lhs;
    const std::string opname = op->text;
    const int col = op->col;
    c.next();
    Int rhs = eval_unary(c, lookup, depth + 1);
    while (precedence(c.peek()) > prec) rhs = eval_binary(c, lookup, rhs, prec + 1, depth + 1);
    lhs = apply(c, col, opname, lhs, rhs);
  }
}

}  // namespace

std::string to_string(Int v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) s += '-';
  std::reverse(s.begin(), s.end());
  return s;
}

std::string Cursor::found() const {
  if (at_end()) return ", found end of line";
  return ", found '" + peek()->text + "'";
}

std::vector<Line> tokenize(const std::string& text) {
  std::vector<Line> lines;
  std::size_t start = 0;
  int lineno = 1;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    Line l;
    lex_line(text.substr(start, nl - start), lineno, l);
    lines.push_back(std::move(l));
    start = nl + 1;
    ++lineno;
  }
  return lines;
}

Int eval_expr(Cursor& c, const Lookup& lookup) {
  const Int lhs = eval_unary(c, lookup, 0);
  return eval_binary(c, lookup, lhs, 1, 0);
}

Int eval_expr_tail(Cursor& c, const Lookup& lookup, Int lhs) {
  return eval_binary(c, lookup, lhs, 1, 0);
}

std::optional<unsigned> reg_number(const std::string& s, char prefix) {
  if (s.size() < 2 || s.size() > 4 || s[0] != prefix) return std::nullopt;
  unsigned v = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  if (s.size() > 2 && s[1] == '0') return std::nullopt;  // no leading zeros: r05 is a name
  return v;
}

bool is_reserved_name(const std::string& s) {
  if (s == "acc" || s == "lut") return true;
  if (s.size() >= 2 && (s[0] == 'r' || s[0] == 'v' || s[0] == 'b')) {
    return std::all_of(s.begin() + 1, s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  }
  return false;
}

}  // namespace lpu::asmx
