// Internal to the host library: the assembler's tokenizer and expression evaluator.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lpu::asmx {

// Expression values are wider than any field so that 64-bit literals and their negations
// are exact; every use checks its own range.
using Int = __int128;
inline constexpr Int kU64Max = (Int{1} << 64) - 1;

enum class Tok { ident, number, string, punct };

struct Token {
  Tok kind;
  std::string text;  // identifier / punctuation / decoded string
  Int value = 0;     // number
  int col = 1;       // 1-based column of the first character
};

struct Line {
  int line = 0;  // 1-based
  std::vector<Token> toks;
  int end_col = 1;  // column just past the last non-comment character
};

// Thrown by the lexer/parser with a position; the assembler adds the file name.
struct PosError {
  int line;
  int col;
  std::string msg;
};

// Splits `text` into lines of tokens (comments removed). Throws PosError.
std::vector<Line> tokenize(const std::string& text);

std::string to_string(Int v);

// A cursor over one line's tokens.
class Cursor {
 public:
  explicit Cursor(const Line& l) : l_(&l) {}
  bool at_end() const { return i_ >= l_->toks.size(); }
  const Token* peek(std::size_t ahead = 0) const {
    return i_ + ahead < l_->toks.size() ? &l_->toks[i_ + ahead] : nullptr;
  }
  bool is_punct(const char* p, std::size_t ahead = 0) const {
    const Token* t = peek(ahead);
    return t && t->kind == Tok::punct && t->text == p;
  }
  bool is_ident(std::size_t ahead = 0) const {
    const Token* t = peek(ahead);
    return t && t->kind == Tok::ident;
  }
  // True when the line's last token is the punctuation `p` (block openers).
  bool is_punct_last(const char* p) const {
    return !l_->toks.empty() && l_->toks.back().kind == Tok::punct && l_->toks.back().text == p;
  }
  const Token& next() { return l_->toks[i_++]; }
  int col() const { return at_end() ? l_->end_col : l_->toks[i_].col; }
  int line() const { return l_->line; }
  [[noreturn]] void fail(const std::string& msg) const { throw PosError{l_->line, col(), msg}; }
  [[noreturn]] void fail_at(int col, const std::string& msg) const {
    throw PosError{l_->line, col, msg};
  }
  void expect_punct(const char* p) {
    if (!is_punct(p)) fail(std::string("expected '") + p + "'" + found());
    ++i_;
  }
  std::string found() const;
  void expect_end() {
    if (!at_end()) fail("unexpected '" + peek()->text + "'");
  }
  std::size_t pos() const { return i_; }
  void seek(std::size_t p) { i_ = p; }

 private:
  const Line* l_;
  std::size_t i_ = 0;
};

// Looks up a name's value; returns nullopt when unknown.
using Lookup = std::function<std::optional<Int>(const std::string&)>;

// Evaluates an expression at the cursor (C precedence: | ^ & << >> + - * / % unary - ~ +).
// Results must stay within +-(2^64-1).
Int eval_expr(Cursor& c, const Lookup& lookup);
// Continues an expression whose left operand `lhs` was already consumed (for `rN + off`).
Int eval_expr_tail(Cursor& c, const Lookup& lookup, Int lhs);

// Register-like names (r0, v12, b3, acc, lut): never constants or labels.
bool is_reserved_name(const std::string& s);
// "r5" -> 5 (prefix 'r'); nullopt when `s` is not that prefix followed by digits.
std::optional<unsigned> reg_number(const std::string& s, char prefix);

}  // namespace lpu::asmx
