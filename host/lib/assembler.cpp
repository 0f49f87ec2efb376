// The LPU assembler. Two passes over tokenized lines: pass 1 assigns label values
// (instruction indices), pass 2 evaluates and emits. Operand parsing is driven by the
// syntax strings of the generated ISA table (asm_operands.cpp).
#include "lpu/assembler.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "asm_lexer.hpp"
#include "asm_operands.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"
#include "lpu/npy.hpp"
#include "program_check.hpp"

namespace lpu {

namespace {

using asmx::Cursor;
using asmx::Int;
using asmx::Kind;
using asmx::Line;
using asmx::OperandSpec;
using asmx::PosError;
using asmx::Tok;
using asmx::Token;

enum class LineKind { empty, stmt, data_values, data_close };

struct LineInfo {
  LineKind kind = LineKind::empty;
  std::size_t first = 0;  // index of the first token after labels
};

bool valid_name(const std::string& s) {
  return detail::valid_symbol_name(s) && !asmx::is_reserved_name(s);
}

std::string range_text(Int lo, Int hi) { return asmx::to_string(lo) + ".." + asmx::to_string(hi); }

class Assembler {
 public:
  Assembler(std::string filename, const Config& cfg) : file_(std::move(filename)), cfg_(&cfg) {
    p_.req = requirements_for(cfg);
  }

  Program run(const std::string& text) {
    try {
      lines_ = asmx::tokenize(text);
      pass1();
      pass2();
      finish();
    } catch (const PosError& e) {
      fail(e.line, e.col, e.msg);
    }
    return std::move(p_);
  }

 private:
  // ---- errors --------------------------------------------------------------------------
  [[noreturn]] void fail(int line, int col, const std::string& msg) const {
    throw Error(file_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg);
  }

  // ---- pass 1: classify lines, define labels ----------------------------------------------
  void pass1() {
    info_.resize(lines_.size());
    std::size_t index = 0;
    bool in_data = false;
    int data_line = 0, data_col = 0;
    for (std::size_t li = 0; li < lines_.size(); ++li) {
      const Line& l = lines_[li];
      LineInfo& inf = info_[li];
      if (l.toks.empty()) continue;
      if (in_data) {
        if (l.toks[0].kind == Tok::punct && l.toks[0].text == "}") {
          inf.kind = LineKind::data_close;
          in_data = false;
        } else {
          inf.kind = LineKind::data_values;
        }
        continue;
      }
      std::size_t i = 0;
      while (i + 1 < l.toks.size() && l.toks[i].kind == Tok::ident &&
             l.toks[i + 1].kind == Tok::punct && l.toks[i + 1].text == ":") {
        define_label(l.toks[i], l.line, index);
        i += 2;
      }
      inf.first = i;
      if (i >= l.toks.size()) continue;
      inf.kind = LineKind::stmt;
      const Token& t = l.toks[i];
      if (t.kind == Tok::ident && t.text == ".data" && l.toks.back().kind == Tok::punct &&
          l.toks.back().text == "{") {
        in_data = true;
        data_line = l.line;
        data_col = t.col;
      } else if (t.kind == Tok::ident && (t.text[0] != '.' || t.text == ".word")) {
        ++index;  // an instruction, a loop block header or a raw word
      }
    }
    if (in_data) fail(data_line, data_col, ".data block is not closed with '}'");
  }

  void define_label(const Token& t, int line, std::size_t index) {
    if (!valid_name(t.text)) fail(line, t.col, "invalid label name '" + t.text + "'");
    if (labels_.count(t.text)) {
      fail(line, t.col,
           "duplicate label '" + t.text + "' (first defined on line " +
               std::to_string(labels_[t.text].second) + ")");
    }
    labels_[t.text] = {static_cast<Int>(index), line};
  }

  // ---- expressions -----------------------------------------------------------------------
  Int expr(Cursor& c) {
    return asmx::eval_expr(c, [this](const std::string& n) -> std::optional<Int> {
      if (auto it = equs_.find(n); it != equs_.end()) return it->second;
      if (auto it = labels_.find(n); it != labels_.end()) return it->second.first;
      return std::nullopt;
    });
  }
  Int expr_tail(Cursor& c, Int lhs) {
    return asmx::eval_expr_tail(
        c,
        [this](const std::string& n) -> std::optional<Int> {
          if (auto it = equs_.find(n); it != equs_.end()) return it->second;
          if (auto it = labels_.find(n); it != labels_.end()) return it->second.first;
          return std::nullopt;
        },
        lhs);
  }
  Int expr_in(Cursor& c, Int lo, Int hi, const std::string& what) {
    const int col = c.col();
    const Int v = expr(c);
    if (v < lo || v > hi)
      c.fail_at(col,
                what + " " + asmx::to_string(v) + " is out of range (" + range_text(lo, hi) + ")");
    return v;
  }

  // ---- pass 2 ----------------------------------------------------------------------------
  void pass2() {
    for (std::size_t li = 0; li < lines_.size(); ++li) {
      const Line& l = lines_[li];
      const LineInfo& inf = info_[li];
      Cursor c(l);
      c.seek(inf.first);
      switch (inf.kind) {
        case LineKind::empty:
          break;
        case LineKind::data_values:
          data_values(c);
          break;
        case LineKind::data_close:
          c.next();
          c.expect_end();
          finish_segment();
          break;
        case LineKind::stmt:
          statement(c);
          break;
      }
    }
    if (!loops_.empty())
      fail(loops_.back().line, loops_.back().col, "loop block is not closed with '}'");
  }

  void statement(Cursor& c) {
    const Token& t = *c.peek();
    if (t.kind == Tok::punct && t.text == "}") {
      c.next();
      c.expect_end();
      close_loop(c, t.col);
      return;
    }
    if (t.kind != Tok::ident)
      c.fail("expected an instruction or directive, found '" + t.text + "'");
    c.next();
    if (t.text[0] == '.') {
      directive(c, t);
      return;
    }
    if (t.text == "loop" && c.peek() && c.is_punct_last("{")) {
      open_loop(c, t);
      return;
    }
    instruction(c, t);
  }

  // ---- directives ------------------------------------------------------------------------
  void directive(Cursor& c, const Token& t) {
    const std::string& d = t.text;
    if (d == ".equ") {
      if (!c.is_ident()) c.fail("expected a name after .equ");
      const Token& name = c.next();
      if (!valid_name(name.text)) c.fail_at(name.col, "invalid constant name '" + name.text + "'");
      if (equs_.count(name.text))
        c.fail_at(name.col, "constant '" + name.text + "' is already defined");
      if (labels_.count(name.text)) c.fail_at(name.col, "'" + name.text + "' is already a label");
      c.expect_punct(",");
      const Int v = expr(c);
      c.expect_end();
      equs_[name.text] = v;
    } else if (d == ".config") {
      header_directive(c, t);
      if (config_seen_) c.fail_at(t.col, "duplicate .config");
      if (requires_seen_) c.fail_at(t.col, ".config must come before .requires");
      if (!c.is_ident()) c.fail("expected a configuration name");
      const Token& name = c.next();
      c.expect_end();
      try {
        cfg_ = &config_by_name(name.text);
      } catch (const Error& e) {
        c.fail_at(name.col, e.what());
      }
      p_.req = requirements_for(*cfg_);
      config_seen_ = true;
    } else if (d == ".requires") {
      header_directive(c, t);
      if (requires_seen_) c.fail_at(t.col, "duplicate .requires");
      requires_seen_ = true;
      requires_directive(c);
    } else if (d == ".predicted_cycles") {
      if (predicted_seen_) c.fail_at(t.col, "duplicate .predicted_cycles");
      predicted_seen_ = true;
      p_.predicted_cycles =
          static_cast<std::uint64_t>(expr_in(c, 0, asmx::kU64Max, "predicted cycle count"));
      c.expect_end();
    } else if (d == ".meta") {
      const Token* s = c.peek();
      if (!s || s->kind != Tok::string) c.fail("expected a \"key=value\" string");
      c.next();
      c.expect_end();
      const std::string line = s->text + "\n";
      const std::string problem = detail::meta_problem(line);
      if (!problem.empty()) c.fail_at(s->col, "bad .meta text: " + problem);
      p_.meta += line;
    } else if (d == ".word") {
      const int col = c.col();
      const Int v = expr_in(c, -(Int{1} << 63), asmx::kU64Max, "instruction word");
      c.expect_end();
      emit(static_cast<std::uint64_t>(v), c.line(), col, true);
    } else if (d == ".data") {
      data_directive(c, t);
    } else if (d == ".input" || d == ".output" || d == ".inout") {
      symbol_directive(c, t);
    } else {
      c.fail_at(t.col, "unknown directive '" + d + "'");
    }
  }

  void header_directive(const Cursor& c, const Token& t) {
    if (locked_) {
      c.fail_at(t.col,
                t.text + " must come before the first instruction, .data or tensor directive");
    }
  }

  void requires_directive(Cursor& c) {
    bool any = false;
    while (!c.at_end()) {
      if (any) c.expect_punct(",");
      if (!c.is_ident() || !c.is_punct("=", 1)) c.fail("expected key=value");
      const Token& key = c.next();
      c.next();
      std::uint32_t* dst = nullptr;
      unsigned have = 0;
      if (key.text == "banks") {
        dst = &p_.req.banks;
        have = cfg_->banks;
      } else if (key.text == "bank_depth") {
        dst = &p_.req.bank_depth;
        have = cfg_->bank_depth;
      } else if (key.text == "acc_depth") {
        dst = &p_.req.acc_depth;
        have = cfg_->acc_depth;
      } else if (key.text == "lut_depth") {
        dst = &p_.req.lut_depth;
        have = cfg_->lut_depth;
      } else {
        c.fail_at(key.col, "unknown requirement '" + key.text +
                               "' (banks, bank_depth, acc_depth, lut_depth)");
      }
      *dst = static_cast<std::uint32_t>(
          expr_in(c, 0, have, key.text + " on configuration '" + std::string(cfg_->name) + "'"));
      any = true;
    }
    if (!any) c.fail("expected key=value");
  }

  // A memory location `bK[expr]`, `acc[expr]` or `lut[expr]` (constant address).
  void location(Cursor& c, bool allow_lut, Space& space, std::uint32_t& bank, std::uint32_t& addr) {
    if (!c.is_ident()) c.fail("expected a location bK[addr] or acc[addr]" + c.found());
    const Token& t = c.next();
    if (const auto b = asmx::reg_number(t.text, 'b')) {
      space = Space::sram;
      if (*b >= cfg_->banks) {
        c.fail_at(t.col, "bank " + t.text + " is out of range (configuration '" +
                             std::string(cfg_->name) + "' has b0..b" +
                             std::to_string(cfg_->banks - 1) + ")");
      }
      bank = *b;
    } else if (t.text == "acc") {
      space = Space::acc;
      bank = 0;
    } else if (t.text == "lut" && allow_lut) {
      space = Space::lut;
      bank = 0;
    } else {
      c.fail_at(t.col, std::string("expected a location bK[addr], acc[addr]") +
                           (allow_lut ? " or lut[addr]" : "") + ", found '" + t.text + "'");
    }
    c.expect_punct("[");
    addr = static_cast<std::uint32_t>(expr_in(c, 0, 0xFFFFFFFF, "address"));
    c.expect_punct("]");
  }

  // ---- .data -------------------------------------------------------------------------------
  void data_directive(Cursor& c, const Token& t) {
    locked_ = true;
    seg_ = Segment{};
    seg_line_ = c.line();
    seg_col_ = t.col;
    location(c, true, seg_.space, seg_.bank, seg_.addr);
    if (c.is_punct("{")) {
      c.next();
      c.expect_end();
      in_block_ = true;
      return;  // values follow on the next lines, finish_segment at '}'
    }
    c.expect_punct(",");
    if (c.peek() && c.peek()->kind == Tok::string) {
      const Token& path = c.next();
      Layout layout = Layout::linear;
      if (!c.at_end()) {
        c.expect_punct(",");
        layout = layout_option(c);
      }
      c.expect_end();
      npy_data(c, path, layout);
    } else {
      data_values(c);
    }
    finish_segment();
  }

  Layout layout_option(Cursor& c) {
    if (!c.is_ident() || c.peek()->text != "layout" || !c.is_punct("=", 1))
      c.fail("expected layout=linear|tiled");
    c.next();
    c.next();
    if (!c.is_ident()) c.fail("expected linear or tiled");
    const Token& v = c.next();
    if (v.text == "linear") return Layout::linear;
    if (v.text == "tiled") return Layout::tiled;
    c.fail_at(v.col, "unknown layout '" + v.text + "' (linear or tiled)");
  }

  void put_value(Cursor& c) {
    switch (seg_.space) {
      case Space::sram: {
        const Int v = expr_in(c, -128, 255, "byte");
        seg_.bytes.push_back(static_cast<std::uint8_t>(v));
        break;
      }
      case Space::acc: {
        const auto v =
            static_cast<std::uint32_t>(expr_in(c, -(Int{1} << 31), 0xFFFFFFFF, "int32 value"));
        for (int k = 0; k < 4; ++k) seg_.bytes.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
        break;
      }
      case Space::lut: {
        const auto v = static_cast<std::uint16_t>(expr_in(c, -32768, 65535, "int16 value"));
        seg_.bytes.push_back(static_cast<std::uint8_t>(v));
        seg_.bytes.push_back(static_cast<std::uint8_t>(v >> 8));
        break;
      }
    }
    if (seg_.bytes.size() > kMaxFileSize) c.fail("data segment too large");
  }

  // A comma-separated list of values (one line); a trailing comma is allowed.
  void data_values(Cursor& c) {
    if (c.at_end()) c.fail("expected values");
    for (;;) {
      put_value(c);
      if (c.at_end()) break;
      c.expect_punct(",");
      if (c.at_end()) break;
    }
  }

  std::string resolve(const std::string& path) const {
    namespace fs = std::filesystem;
    const fs::path p(path);
    if (p.is_absolute()) return path;
    const fs::path dir = fs::path(file_).parent_path();
    return dir.empty() ? path : (dir / p).string();
  }

  Tensor load_npy(const Cursor& c, const Token& path) const {
    if (path.text.empty()) c.fail_at(path.col, "empty file name");
    try {
      return read_npy(resolve(path.text));
    } catch (const Error& e) {
      c.fail_at(path.col, e.what());
    }
  }

  void npy_data(Cursor& c, const Token& path, Layout layout) {
    const Tensor t = load_npy(c, path);
    if (t.elements() == 0) c.fail_at(path.col, path.text + " holds no elements");
    if (layout == Layout::tiled) {
      if (seg_.space != Space::sram) c.fail_at(path.col, "layout=tiled needs an SRAM location");
      if (t.dtype != DType::int8) c.fail_at(path.col, "layout=tiled needs int8 data");
      Symbol s;
      s.name = "data";
      s.layout = Layout::tiled;
      s.bank = seg_.bank;
      s.addr = seg_.addr;
      s.shape = t.shape;
      std::vector<Piece> pieces;
      try {
        pieces = detail::symbol_pieces_in(s, p_.req, path.text);
      } catch (const Error& e) {
        c.fail_at(path.col, e.what());
      }
      const std::size_t lanes = p_.req.lanes;
      const std::size_t g0 = std::size_t{seg_.bank} * p_.req.bank_depth + seg_.addr;
      seg_.bytes.assign(t.bytes.size(), 0);
      for (const auto& pc : pieces) {
        const std::size_t at = (std::size_t{pc.bank} * p_.req.bank_depth + pc.addr - g0) * lanes;
        std::copy(t.bytes.begin() + pc.offset, t.bytes.begin() + pc.offset + pc.size,
                  seg_.bytes.begin() + at);
      }
      return;
    }
    switch (seg_.space) {
      case Space::sram:
        seg_.bytes = t.bytes;
        break;
      case Space::acc: {
        for (const auto v : t.as_int32()) {
          for (int k = 0; k < 4; ++k)
            seg_.bytes.push_back(
                static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * k)));
        }
        break;
      }
      case Space::lut: {
        for (const auto v : t.as_int32()) {
          if (v < -32768 || v > 32767)
            c.fail_at(path.col, "LUT value " + std::to_string(v) + " does not fit int16");
          seg_.bytes.push_back(static_cast<std::uint8_t>(v));
          seg_.bytes.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(v) >> 8));
        }
        break;
      }
    }
  }

  void finish_segment() {
    in_block_ = false;
    if (seg_.bytes.empty()) fail(seg_line_, seg_col_, ".data has no values");
    Requirements r = p_.req;
    const std::size_t unit = seg_.space == Space::sram  ? r.lanes
                             : seg_.space == Space::acc ? 4u * r.lanes
                                                        : 2u;
    seg_.bytes.resize((seg_.bytes.size() + unit - 1) / unit * unit, 0);  // zero-pad the last word
    try {
      detail::segment_pieces_in(seg_, r, ".data");
    } catch (const Error& e) {
      fail(seg_line_, seg_col_, e.what());
    }
    const std::size_t depth = seg_.space == Space::sram  ? r.bank_depth
                              : seg_.space == Space::acc ? r.acc_depth
                                                         : r.lut_depth;
    SegRange cur{seg_.space, std::size_t{seg_.bank} * depth + seg_.addr, 0, seg_line_};
    cur.end = cur.start + seg_.bytes.size() / unit;
    for (const auto& o : seg_ranges_) {
      if (o.space == cur.space && cur.start < o.end && o.start < cur.end) {
        fail(seg_line_, seg_col_, ".data overlaps the .data on line " + std::to_string(o.line));
      }
    }
    if (p_.data.size() >= kMaxSegments)
      fail(seg_line_, seg_col_, "more than " + std::to_string(kMaxSegments) + " .data segments");
    seg_ranges_.push_back(cur);
    p_.data.push_back(std::move(seg_));
    seg_ = Segment{};
  }

  // ---- tensors -------------------------------------------------------------------------------
  void symbol_directive(Cursor& c, const Token& t) {
    locked_ = true;
    Symbol s;
    s.kind = t.text == ".input"    ? SymKind::input
             : t.text == ".output" ? SymKind::output
                                   : SymKind::inout;
    if (!c.is_ident()) c.fail("expected a tensor name");
    const Token& name = c.next();
    if (!detail::valid_symbol_name(name.text)) {
      c.fail_at(name.col, "invalid tensor name '" + name.text +
                              "' (want [A-Za-z_][A-Za-z0-9_.]*, at most " +
                              std::to_string(kMaxNameLen) + " characters)");
    }
    if (p_.find_symbol(name.text)) c.fail_at(name.col, "duplicate tensor name '" + name.text + "'");
    s.name = name.text;
    c.expect_punct(",");
    location(c, false, s.space, s.bank, s.addr);
    bool have_shape = false, have_dtype = false, have_layout = false;
    while (!c.at_end()) {
      c.expect_punct(",");
      if (!c.is_ident() || !c.is_punct("=", 1)) c.fail("expected shape=, dtype= or layout=");
      const Token& key = c.next();
      c.next();
      if (key.text == "shape" && !have_shape) {
        have_shape = true;
        if (c.is_punct("(")) {
          c.next();
          while (!c.is_punct(")")) {
            if (s.shape.size() == 4) c.fail("more than 4 dimensions");
            s.shape.push_back(static_cast<std::uint32_t>(expr_in(c, 1, 0xFFFFFFFF, "dimension")));
            if (!c.is_punct(")")) c.expect_punct(",");
          }
          c.next();
        } else {
          s.shape.push_back(static_cast<std::uint32_t>(expr_in(c, 1, 0xFFFFFFFF, "dimension")));
        }
        if (s.shape.empty()) c.fail_at(key.col, "shape needs 1..4 dimensions");
      } else if (key.text == "dtype" && !have_dtype) {
        have_dtype = true;
        if (!c.is_ident()) c.fail("expected int8 or int32");
        const Token& v = c.next();
        if (v.text == "int8") {
          s.dtype = DType::int8;
        } else if (v.text == "int32") {
          s.dtype = DType::int32;
        } else {
          c.fail_at(v.col, "unknown dtype '" + v.text + "' (int8 or int32)");
        }
      } else if (key.text == "layout" && !have_layout) {
        have_layout = true;
        if (!c.is_ident()) c.fail("expected linear or tiled");
        const Token& v = c.next();
        if (v.text == "linear") {
          s.layout = Layout::linear;
        } else if (v.text == "tiled") {
          s.layout = Layout::tiled;
        } else {
          c.fail_at(v.col, "unknown layout '" + v.text + "' (linear or tiled)");
        }
      } else {
        c.fail_at(key.col,
                  "unexpected or repeated option '" + key.text + "' (shape, dtype, layout)");
      }
    }
    if (!have_shape) c.fail_at(t.col, t.text + " needs shape=(...)");
    try {
      detail::symbol_pieces_in(s, p_.req, "tensor '" + s.name + "'");
    } catch (const Error& e) {
      c.fail_at(t.col, e.what());
    }
    if (p_.symbols.size() >= kMaxSymbols)
      c.fail_at(t.col, "more than " + std::to_string(kMaxSymbols) + " tensors");
    p_.symbols.push_back(std::move(s));
  }

  // ---- instructions --------------------------------------------------------------------------
  void emit(std::uint64_t word, int line, int col, bool raw) {
    locked_ = true;
    if (p_.code.size() >= cfg_->imem_depth) {
      fail(line, col,
           "program exceeds the " + std::to_string(cfg_->imem_depth) +
               "-instruction memory of configuration '" + std::string(cfg_->name) + "'");
    }
    p_.code.push_back(word);
    where_.push_back({line, col, raw});
  }

  void open_loop(Cursor& c, const Token& t) {
    Instr in;
    if (c.is_ident() && asmx::reg_number(c.peek()->text, 'r')) {
      in.op = Op::loop;
      in.set(Field::ra, sreg(c));
    } else {
      in.op = Op::loopi;
      in.set(Field::count, static_cast<std::int64_t>(expr_in(c, 0, 0xFFFF, "loop count")));
    }
    c.expect_punct("{");
    c.expect_end();
    loops_.push_back({p_.code.size(), c.line(), t.col, in});
    emit(0, c.line(), t.col, false);  // patched when the block closes
  }

  void close_loop(const Cursor& c, int col) {
    if (in_block_) c.fail_at(col, "internal: '}' inside .data");
    if (loops_.empty()) c.fail_at(col, "'}' without an open loop block");
    OpenLoop o = loops_.back();
    loops_.pop_back();
    const std::size_t len = p_.code.size() - o.index - 1;
    if (len == 0) fail(o.line, o.col, "loop body is empty");
    const Int max_len = (Int{1} << field_desc(Field::len).width) - 1;
    if (static_cast<Int>(len) > max_len) {
      fail(o.line, o.col,
           "loop body has " + std::to_string(len) + " instructions (at most " +
               asmx::to_string(max_len) + ")");
    }
    o.in.set(Field::len, static_cast<std::int64_t>(len));
    p_.code[o.index] = encode(o.in);
  }

  unsigned reg(Cursor& c, char prefix, unsigned limit, const char* what) {
    if (!c.is_ident()) c.fail(std::string("expected a ") + what + c.found());
    const Token& t = c.next();
    const auto n = asmx::reg_number(t.text, prefix);
    if (!n) c.fail_at(t.col, std::string("expected a ") + what + ", found '" + t.text + "'");
    if (*n >= limit) {
      c.fail_at(t.col, std::string(what) + " " + t.text + " is out of range (configuration '" +
                           std::string(cfg_->name) + "' has " + prefix + "0.." + prefix +
                           std::to_string(limit - 1) + ")");
    }
    return *n;
  }
  // Scalar registers: the whole rd/ra/rb field, exactly what check_operands accepts.
  std::int64_t sreg(Cursor& c) {
    return reg(c, 'r', 1u << field_desc(Field::ra).width, "scalar register");
  }
  std::int64_t vreg(Cursor& c) {
    return reg(c, 'v', std::min(cfg_->vregs, 16u), "vector register");
  }
  std::int64_t bank(Cursor& c) { return reg(c, 'b', std::min(cfg_->banks, 16u), "bank"); }

  // `[rN]`, `[rN + expr]`, `[rN - expr]` or `[expr]` (register r0). Sets reg/imm.
  void address(Cursor& c, bool allow_imm, std::int64_t& r, std::int64_t& imm) {
    c.expect_punct("[");
    r = 0;
    imm = 0;
    if (c.is_ident() && asmx::reg_number(c.peek()->text, 'r')) {
      r = sreg(c);
      if (!c.is_punct("]")) {
        if (!allow_imm) c.fail("expected ']' (this operand takes no offset)");
        if (!c.is_punct("+") && !c.is_punct("-")) c.fail("expected '+', '-' or ']'" + c.found());
        const int col = c.col();
        const Int v = expr_tail(c, 0);
        imm = fit_field(c, col, Field::imm16, v, "address offset");
      }
    } else {
      if (!allow_imm) c.fail("expected a scalar register" + c.found());
      const int col = c.col();
      imm = fit_field(c, col, Field::imm16, expr(c), "address offset");
    }
    c.expect_punct("]");
  }

  // Range-checks a value for a field. Immediates accept their unsigned spelling too (0xFFFF).
  std::int64_t fit_field(const Cursor& c, int col, Field f, Int v, const std::string& what) {
    const auto& d = field_desc(f);
    const Int lo = d.is_signed ? -(Int{1} << (d.width - 1)) : 0;
    Int hi = d.is_signed ? (Int{1} << (d.width - 1)) - 1 : (Int{1} << d.width) - 1;
    const bool wraps = f == Field::imm16 || f == Field::imm32 || f == Field::hi16;
    if (wraps) hi = (Int{1} << d.width) - 1;
    if (v < lo || v > hi) {
      c.fail_at(col, what + " " + asmx::to_string(v) + " does not fit " + std::string(d.name) +
                         " (" + range_text(lo, hi) + ")");
    }
    if (wraps && v > (Int{1} << (d.width - 1)) - 1) v -= Int{1} << d.width;
    return static_cast<std::int64_t>(v);
  }

  void operand(Cursor& c, const OperandSpec& s, Instr& in) {
    switch (s.kind) {
      case Kind::sreg:
        in.set(s.field, sreg(c));
        break;
      case Kind::vreg:
        in.set(s.field, vreg(c));
        break;
      case Kind::opb:
        if (c.is_ident() && asmx::reg_number(c.peek()->text, 'v')) {
          in.set(Field::bmode, 0);
          in.set(Field::rb, vreg(c));
        } else if (c.is_ident() && asmx::reg_number(c.peek()->text, 'r')) {
          in.set(Field::bmode, 1);
          in.set(Field::rb, sreg(c));
        } else {
          const int col = c.col();
          in.set(Field::bmode, 2);
          in.set(Field::imm16, fit_field(c, col, Field::imm16, expr(c), "operand"));
        }
        break;
      case Kind::mem: {
        in.set(Field::bank, bank(c));
        std::int64_t r, imm;
        address(c, true, r, imm);
        in.set(Field::ra, r);
        in.set(Field::imm16, imm);
        break;
      }
      case Kind::bmem: {
        in.set(Field::bank, bank(c));
        std::int64_t r, imm;
        address(c, false, r, imm);
        in.set(Field::ra, r);
        break;
      }
      case Kind::dmem: {
        in.set(Field::rd, bank(c));
        std::int64_t r, imm;
        address(c, false, r, imm);
        in.set(Field::rb, r);
        break;
      }
      case Kind::acc:
      case Kind::accb: {
        if (!c.is_ident() || c.peek()->text != "acc") c.fail("expected acc[...]" + c.found());
        c.next();
        std::int64_t r, imm;
        address(c, s.kind == Kind::acc, r, imm);
        if (s.kind == Kind::acc) {
          in.set(Field::ra, r);
          in.set(Field::imm16, imm);
        } else {
          in.set(Field::rb, r);
        }
        break;
      }
      case Kind::integer: {
        const int col = c.col();
        integer(c, col, s, expr(c), in);
        break;
      }
    }
  }

  void integer(const Cursor& c, int col, const OperandSpec& s, Int v, Instr& in) {
    // Per-name ranges that depend on the configuration (the same rules as check_operands,
    // reported here with the operand's position).
    const bool ranged =
        s.name == "lane" || s.name == "slice" || s.name == "buf" || s.name == "link";
    if (ranged) {
      Int max = 0;
      if (s.name == "lane") max = static_cast<Int>(cfg_->lanes) - 1;
      if (s.name == "slice") max = 3;
      if (s.name == "buf") max = 1;
      if (s.name == "link") max = static_cast<Int>(cfg_->links) - 1;
      if (v < 0 || v > max) {
        c.fail_at(col, s.name + " " + asmx::to_string(v) + " is out of range" +
                           (max < 0 ? " (configuration '" + std::string(cfg_->name) + "' has no " +
                                          s.name + "s)"
                                    : " (0.." + asmx::to_string(max) + " on configuration '" +
                                          std::string(cfg_->name) + "')"));
      }
    }
    if (s.name == "cycles") {
      if (v < 1 || v > 65536)
        c.fail_at(col, "cycles " + asmx::to_string(v) + " is out of range (1..65536)");
    }
    if (s.name == "len" && v == 0) c.fail_at(col, "loop length must be at least 1");
    in.set(s.field, fit_field(c, col, s.field, v + s.bias, s.name));
  }

  void instruction(Cursor& c, const Token& mn) {
    const gen::InstrDesc* d = find_instr(mn.text);
    if (!d) c.fail_at(mn.col, "unknown mnemonic '" + mn.text + "'");
    const auto& specs = asmx::operand_specs(*d);
    const std::string syntax =
        std::string(d->name) + (d->syntax.empty() ? "" : " " + std::string(d->syntax));
    Instr in;
    in.op = d->op;
    std::vector<bool> given(specs.size(), false);
    std::size_t next_pos = 0;
    bool named = false;
    if (!c.at_end()) {
      for (;;) {
        const int col = c.col();
        if (c.is_ident() && c.is_punct("=", 1)) {
          const Token& name = c.next();
          c.next();
          std::size_t k = 0;
          while (k < specs.size() && !(specs[k].name == name.text && asmx::nameable(specs[k]))) ++k;
          if (k == specs.size())
            c.fail_at(name.col, "'" + name.text + "' is not a named operand of " + mn.text +
                                    " (syntax: " + syntax + ")");
          if (given[k]) c.fail_at(name.col, "operand '" + name.text + "' given twice");
          operand(c, specs[k], in);
          given[k] = true;
          named = true;
        } else {
          if (named) c.fail_at(col, "positional operand after a named one");
          while (next_pos < specs.size() && given[next_pos]) ++next_pos;
          if (next_pos >= specs.size())
            c.fail_at(col, "too many operands (syntax: " + syntax + ")");
          operand(c, specs[next_pos], in);
          given[next_pos] = true;
        }
        if (c.at_end()) break;
        c.expect_punct(",");
      }
    }
    for (std::size_t k = 0; k < specs.size(); ++k) {
      if (given[k]) continue;
      if (!specs[k].optional)
        c.fail("missing operand '" + specs[k].name + "' (syntax: " + syntax + ")");
      in.set(specs[k].field, specs[k].def + specs[k].bias);
    }
    if (check_operands(in, *cfg_) != ErrorCode::none) {
      c.fail_at(mn.col, "operands of " + mn.text + " are illegal on configuration '" +
                            std::string(cfg_->name) + "'");
    }
    std::uint64_t word = 0;
    try {
      word = encode(in);
    } catch (const Error& e) {
      c.fail_at(mn.col, e.what());
    }
    emit(word, c.line(), mn.col, false);
  }

  // ---- the end -----------------------------------------------------------------------------
  void finish() {
    // Loop bodies: inside the program and properly nested (docs/isa.md "Loops"). Raw .word
    // entries are opaque here.
    std::vector<std::pair<std::size_t, std::size_t>> stack;  // (body end, loop index)
    for (std::size_t i = 0; i < p_.code.size(); ++i) {
      while (!stack.empty() && stack.back().first < i) stack.pop_back();
      if (where_[i].raw) continue;
      const auto in = decode(p_.code[i]);
      if (!in || (in->op != Op::loopi && in->op != Op::loop)) continue;
      const std::size_t end = i + static_cast<std::size_t>(in->get(Field::len));
      if (end >= p_.code.size()) {
        fail(where_[i].line, where_[i].col,
             "loop body (" + std::to_string(in->get(Field::len)) +
                 " instructions) runs past the end of the program");
      }
      if (!stack.empty() && end > stack.back().first) {
        const auto& outer = where_[stack.back().second];
        fail(where_[i].line, where_[i].col,
             "loop body ends after the end of the enclosing loop body (line " +
                 std::to_string(outer.line) + ")");
      }
      stack.push_back({end, i});
    }
    try {
      p_.check_fits(*cfg_);
    } catch (const Error& e) {
      throw Error(file_ + ": " + e.what());
    }
  }

  struct OpenLoop {
    std::size_t index;
    int line;
    int col;
    Instr in;
  };
  struct Where {
    int line;
    int col;
    bool raw;
  };
  struct SegRange {
    Space space;
    std::size_t start;
    std::size_t end;
    int line;
  };

  std::string file_;
  const Config* cfg_;
  Program p_;
  std::vector<Line> lines_;
  std::vector<LineInfo> info_;
  std::map<std::string, Int> equs_;
  std::map<std::string, std::pair<Int, int>> labels_;
  std::vector<OpenLoop> loops_;
  std::vector<Where> where_;
  std::vector<SegRange> seg_ranges_;
  Segment seg_;
  int seg_line_ = 0;
  int seg_col_ = 0;
  bool in_block_ = false;
  bool locked_ = false;
  bool config_seen_ = false;
  bool requires_seen_ = false;
  bool predicted_seen_ = false;
};

}  // namespace

Program assemble(const std::string& text, const std::string& filename, const Config& cfg) {
  Assembler a(filename, cfg);
  return a.run(text);
}

Program assemble_file(const std::string& path, const Config& cfg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw Error(path + ": cannot open for reading (not a regular file)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open for reading");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw Error(path + ": read failed");
  return assemble(ss.str(), path, cfg);
}

}  // namespace lpu
