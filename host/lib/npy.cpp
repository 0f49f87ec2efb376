// NumPy .npy files (format versions 1.0, 2.0, 3.0) holding little-endian int8/int32 tensors
// in C order. The header is a Python dict literal; we parse exactly the subset NumPy writes.
#include "lpu/npy.hpp"

#include <cstring>
#include <limits>

#include "lpu/error.hpp"
#include "lpu/file_io.hpp"

namespace lpu {

namespace {

constexpr char kMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kMaxNpyBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxRank = 32;

std::size_t product(const std::vector<std::uint32_t>& shape, std::size_t cap) {
  std::size_t n = 1;
  for (const auto d : shape) {
    if (d != 0 && n > cap / d) return cap + 1;
    n *= d;
  }
  return n;
}

// A cursor over the header text with the error context.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::size_t base, const std::string& source)
      : t_(text), base_(base), src_(source) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(src_ + ": npy header at byte " + std::to_string(base_ + i_) + ": " + problem);
  }
  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r'))
      ++i_;
  }
  bool peek(char c) {
    ws();
    return i_ < t_.size() && t_[i_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string str() {
    ws();
    if (i_ >= t_.size() || (t_[i_] != '\'' && t_[i_] != '"')) fail("expected a quoted string");
    const char q = t_[i_++];
    std::string s;
    while (i_ < t_.size() && t_[i_] != q) {
      if (t_[i_] == '\\') fail("escapes are not supported in npy headers");
      s += t_[i_++];
    }
    if (i_ >= t_.size()) fail("unterminated string");
    ++i_;
    return s;
  }
  bool boolean() {
    ws();
    if (t_.substr(i_, 4) == "True") {
      i_ += 4;
      return true;
    }
    if (t_.substr(i_, 5) == "False") {
      i_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  std::vector<std::uint32_t> shape() {
    expect('(');
    std::vector<std::uint32_t> dims;
    while (!peek(')')) {
      ws();
      if (i_ >= t_.size() || t_[i_] < '0' || t_[i_] > '9') fail("expected a dimension");
      std::uint64_t v = 0;
      while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') {
        v = v * 10 + static_cast<unsigned>(t_[i_++] - '0');
        if (v > std::numeric_limits<std::uint32_t>::max()) fail("dimension too large");
      }
      if (i_ < t_.size() && t_[i_] == 'L') ++i_;  // Python 2 long suffix
      dims.push_back(static_cast<std::uint32_t>(v));
      if (dims.size() > kMaxRank) fail("more than " + std::to_string(kMaxRank) + " dimensions");
      if (peek(',')) {
        ++i_;
      } else if (!peek(')')) {
        fail("expected ',' or ')' in shape");
      }
    }
    ++i_;
    return dims;
  }
  bool at_end() {
    ws();
    return i_ >= t_.size();
  }

 private:
  std::string_view t_;
  std::size_t i_ = 0;
  std::size_t base_;
  const std::string& src_;
};

}  // namespace

std::size_t Tensor::elements() const {
  return product(shape, std::numeric_limits<std::size_t>::max() / 8);
}

Tensor Tensor::from_int8(std::vector<std::uint32_t> shape, const std::vector<std::int8_t>& v) {
  Tensor t;
  t.dtype = DType::int8;
  t.shape = std::move(shape);
  if (t.elements() != v.size()) {
    throw Error("Tensor::from_int8: " + std::to_string(v.size()) + " values for a shape of " +
                std::to_string(t.elements()) + " elements");
  }
  t.bytes.resize(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) t.bytes[i] = static_cast<std::uint8_t>(v[i]);
  return t;
}

Tensor Tensor::from_int32(std::vector<std::uint32_t> shape, const std::vector<std::int32_t>& v) {
  Tensor t;
  t.dtype = DType::int32;
  t.shape = std::move(shape);
  if (t.elements() != v.size()) {
    throw Error("Tensor::from_int32: " + std::to_string(v.size()) + " values for a shape of " +
                std::to_string(t.elements()) + " elements");
  }
  t.bytes.resize(v.size() * 4);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto u = static_cast<std::uint32_t>(v[i]);
    for (int k = 0; k < 4; ++k) t.bytes[4 * i + k] = static_cast<std::uint8_t>(u >> (8 * k));
  }
  return t;
}

std::vector<std::int8_t> Tensor::as_int8() const {
  if (dtype != DType::int8)
    throw Error("tensor is " + std::string(dtype_name(dtype)) + ", not int8");
  std::vector<std::int8_t> v(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) v[i] = static_cast<std::int8_t>(bytes[i]);
  return v;
}

std::vector<std::int32_t> Tensor::as_int32() const {
  if (dtype == DType::int8) {
    std::vector<std::int32_t> v(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) v[i] = static_cast<std::int8_t>(bytes[i]);
    return v;
  }
  if (bytes.size() % 4 != 0) throw Error("int32 tensor has a partial element");
  std::vector<std::int32_t> v(bytes.size() / 4);
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::uint32_t u = 0;
    for (int k = 0; k < 4; ++k) u |= std::uint32_t{bytes[4 * i + k]} << (8 * k);
    v[i] = static_cast<std::int32_t>(u);
  }
  return v;
}

Tensor parse_npy(const std::uint8_t* data, std::size_t size, const std::string& source) {
  auto fail = [&](std::size_t off, const std::string& problem) -> void {
    throw Error(source + ": npy at byte " + std::to_string(off) + ": " + problem);
  };
  if (size < 10 || std::memcmp(data, kMagic, sizeof kMagic) != 0)
    fail(0, "not a .npy file (bad magic)");
  const unsigned major = data[6];
  if (major < 1 || major > 3) fail(6, "unsupported format version " + std::to_string(major));
  std::size_t hlen;
  std::size_t hstart;
  if (major == 1) {
    hlen = data[8] | (std::size_t{data[9]} << 8);
    hstart = 10;
  } else {
    if (size < 12) fail(8, "truncated header length");
    hlen = data[8] | (std::size_t{data[9]} << 8) | (std::size_t{data[10]} << 16) |
           (std::size_t{data[11]} << 24);
    hstart = 12;
  }
  if (hlen > size - hstart)
    fail(8, "header length " + std::to_string(hlen) + " runs past the end of the file");
  const std::string_view text(reinterpret_cast<const char*>(data + hstart), hlen);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r'))
      fail(hstart + i, "non-ASCII byte in header");
  }
  HeaderParser hp(text, hstart, source);
  hp.expect('{');
  std::string descr;
  bool fortran = false;
  std::vector<std::uint32_t> shape;
  bool have_descr = false, have_fortran = false, have_shape = false;
  while (!hp.peek('}')) {
    const std::string key = hp.str();
    hp.expect(':');
    if (key == "descr" && !have_descr) {
      descr = hp.str();
      have_descr = true;
    } else if (key == "fortran_order" && !have_fortran) {
      fortran = hp.boolean();
      have_fortran = true;
    } else if (key == "shape" && !have_shape) {
      shape = hp.shape();
      have_shape = true;
    } else {
      hp.fail("unexpected or repeated key '" + key + "'");
    }
    if (hp.peek(',')) {
      hp.expect(',');
    } else if (!hp.peek('}')) {
      hp.fail("expected ',' or '}'");
    }
  }
  hp.expect('}');
  if (!hp.at_end()) hp.fail("trailing characters after the header dict");
  if (!have_descr || !have_fortran || !have_shape)
    hp.fail("header needs the keys descr, fortran_order and shape");
  Tensor t;
  if (descr == "|i1" || descr == "<i1" || descr == "i1") {
    t.dtype = DType::int8;
  } else if (descr == "<i4") {
    t.dtype = DType::int32;
  } else {
    hp.fail("unsupported dtype '" + descr + "' (want '|i1' int8 or '<i4' int32)");
  }
  if (fortran) hp.fail("fortran_order True is not supported (save a C-contiguous array)");
  t.shape = std::move(shape);
  const std::size_t esize = dtype_size(t.dtype);
  const std::size_t n = product(t.shape, kMaxNpyBytes / esize);
  const std::size_t have = size - hstart - hlen;
  if (n > kMaxNpyBytes / esize || n * esize != have) {
    fail(hstart + hlen,
         "shape needs " +
             (n > kMaxNpyBytes / esize ? std::string("too many") : std::to_string(n * esize)) +
             " data bytes, file has " + std::to_string(have));
  }
  t.bytes.assign(data + hstart + hlen, data + size);
  return t;
}

Tensor read_npy(const std::string& path) {
  const auto buf = read_file_bytes(path, kMaxNpyBytes + 65536, "a tensor");
  return parse_npy(buf.data(), buf.size(), path);
}

std::vector<std::uint8_t> serialize_npy(const Tensor& t) {
  if (t.elements() * dtype_size(t.dtype) != t.bytes.size()) {
    throw Error("serialize_npy: " + std::to_string(t.bytes.size()) +
                " bytes do not match the shape");
  }
  std::string dict = "{'descr': '";
  dict += t.dtype == DType::int8 ? "|i1" : "<i4";
  dict += "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < t.shape.size(); ++i) {
    dict += std::to_string(t.shape[i]);
    if (t.shape.size() == 1 || i + 1 < t.shape.size()) dict += ",";
    if (i + 1 < t.shape.size()) dict += " ";
  }
  dict += "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary; the header ends with '\n'.
  std::size_t prefix = 10;
  std::size_t total = prefix + dict.size() + 1;
  if ((total + 63) / 64 * 64 - prefix > 0xFFFF) {
    prefix = 12;
    total = prefix + dict.size() + 1;
  }
  const std::size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  const std::size_t hlen = dict.size();
  std::vector<std::uint8_t> out(kMagic, kMagic + sizeof kMagic);
  out.push_back(prefix == 10 ? 1 : 2);
  out.push_back(0);
  out.push_back(static_cast<std::uint8_t>(hlen));
  out.push_back(static_cast<std::uint8_t>(hlen >> 8));
  if (prefix == 12) {
    out.push_back(static_cast<std::uint8_t>(hlen >> 16));
    out.push_back(static_cast<std::uint8_t>(hlen >> 24));
  }
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), t.bytes.begin(), t.bytes.end());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) { write_file_bytes(path, serialize_npy(t)); }

}  // namespace lpu
