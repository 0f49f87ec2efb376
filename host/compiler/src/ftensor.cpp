// Float .npy files: a small reader for the header dictionary NumPy writes
// ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }) and a writer.
#include "lpu/compiler/ftensor.hpp"

#include <cstring>
#include <fstream>
#include <iterator>

#include "lpu/error.hpp"

namespace lpu::compiler {

FTensor FTensor::zeros(Shape s) {
  FTensor t;
  t.data.assign(shape_elements(s), 0.0f);
  t.shape = std::move(s);
  return t;
}

std::size_t FTensor::elements() const { return shape_elements(shape); }

std::size_t shape_elements(const Shape& s) {
  std::size_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

namespace {

[[noreturn]] void bad(const std::string& source, const std::string& what) {
  throw Error(source + ": not a usable .npy file: " + what);
}

// The value text after 'key': in the header dictionary, up to the next top-level comma.
std::string dict_value(const std::string& header, const std::string& key,
                       const std::string& source) {
  const std::string k1 = "'" + key + "'";
  auto p = header.find(k1);
  if (p == std::string::npos) bad(source, "header has no " + k1);
  p = header.find(':', p + k1.size());
  if (p == std::string::npos) bad(source, "header entry " + k1 + " has no value");
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  std::size_t e = p;
  int depth = 0;
  while (e < header.size()) {
    const char c = header[e];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if ((c == ',' || c == '}') && depth == 0) break;
    ++e;
  }
  return header.substr(p, e - p);
}

Shape parse_shape(const std::string& v, const std::string& source) {
  if (v.size() < 2 || v.front() != '(' || v.back() != ')') bad(source, "bad shape '" + v + "'");
  Shape s;
  std::size_t i = 1;
  while (i + 1 < v.size()) {
    while (i + 1 < v.size() && (v[i] == ' ' || v[i] == ',')) ++i;
    if (i + 1 >= v.size()) break;
    std::uint64_t d = 0;
    bool any = false;
    while (i + 1 < v.size() && v[i] >= '0' && v[i] <= '9') {
      d = d * 10 + static_cast<unsigned>(v[i] - '0');
      if (d > 0xFFFFFFFFull) bad(source, "dimension too large in '" + v + "'");
      ++i;
      any = true;
    }
    if (!any) bad(source, "bad shape '" + v + "'");
    s.push_back(static_cast<std::uint32_t>(d));
  }
  return s;
}

}  // namespace

FTensor parse_npy_float(const std::uint8_t* data, std::size_t size, const std::string& source) {
  static const char kMagic[] = "\x93NUMPY";
  if (size < 10 || std::memcmp(data, kMagic, 6) != 0) bad(source, "missing the \\x93NUMPY magic");
  const unsigned major = data[6];
  std::size_t hlen = 0, hstart = 0;
  if (major == 1) {
    hlen = data[8] | (static_cast<std::size_t>(data[9]) << 8);
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) bad(source, "truncated header");
    hlen = data[8] | (static_cast<std::size_t>(data[9]) << 8) |
           (static_cast<std::size_t>(data[10]) << 16) | (static_cast<std::size_t>(data[11]) << 24);
    hstart = 12;
  } else {
    bad(source, "format version " + std::to_string(major) + " is not 1, 2 or 3");
  }
  if (hlen > size - hstart) bad(source, "header longer than the file");
  const std::string header(reinterpret_cast<const char*>(data + hstart), hlen);
  const std::string descr = dict_value(header, "descr", source);
  const std::string fortran = dict_value(header, "fortran_order", source);
  if (fortran != "False")
    bad(source, "fortran_order is " + fortran + " (only C order is supported)");
  FTensor t;
  t.shape = parse_shape(dict_value(header, "shape", source), source);
  const std::size_t n = shape_elements(t.shape);
  std::size_t esize = 0;
  if (descr == "'<f4'")
    esize = 4;
  else if (descr == "'<f8'")
    esize = 8;
  else if (descr == "'|i1'" || descr == "'<i1'" || descr == "'i1'")
    esize = 1;
  else if (descr == "'<i4'")
    esize = 4;
  else
    bad(source, "dtype " + descr + " (expected float32 '<f4', float64 '<f8', int8 or int32)");
  const std::size_t body = hstart + hlen;
  if (n > (size - body) / esize || (size - body) != n * esize) {
    bad(source, "data is " + std::to_string(size - body) + " bytes, shape " + shape_str(t.shape) +
                    " needs " + std::to_string(n * esize));
  }
  t.data.resize(n);
  const std::uint8_t* p = data + body;
  for (std::size_t i = 0; i < n; ++i) {
    if (descr == "'<f4'") {
      std::uint32_t u = 0;
      for (int b = 0; b < 4; ++b) u |= static_cast<std::uint32_t>(p[4 * i + b]) << (8 * b);
      float f;
      std::memcpy(&f, &u, 4);
      t.data[i] = f;
    } else if (descr == "'<f8'") {
      std::uint64_t u = 0;
      for (int b = 0; b < 8; ++b) u |= static_cast<std::uint64_t>(p[8 * i + b]) << (8 * b);
      double f;
      std::memcpy(&f, &u, 8);
      t.data[i] = static_cast<float>(f);
    } else if (esize == 1) {
      t.data[i] = static_cast<float>(static_cast<std::int8_t>(p[i]));
    } else {
      std::uint32_t u = 0;
      for (int b = 0; b < 4; ++b) u |= static_cast<std::uint32_t>(p[4 * i + b]) << (8 * b);
      t.data[i] = static_cast<float>(static_cast<std::int32_t>(u));
    }
  }
  return t;
}

FTensor read_npy_float(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open the file");
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                        std::istreambuf_iterator<char>());
  return parse_npy_float(bytes.data(), bytes.size(), path);
}

std::vector<std::uint8_t> serialize_npy_float(const FTensor& t) {
  std::string dims;
  for (std::size_t i = 0; i < t.shape.size(); ++i)
    dims += (i ? ", " : "") + std::to_string(t.shape[i]);
  if (t.shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<std::uint8_t>(header.size() & 0xFF));
  out.push_back(static_cast<std::uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  for (float f : t.data) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<std::uint8_t>(u >> (8 * b)));
  }
  return out;
}

void write_npy_float(const std::string& path, const FTensor& t) {
  if (t.data.size() != t.elements()) throw Error(path + ": tensor data does not match its shape");
  const auto bytes = serialize_npy_float(t);
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot create the file");
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw Error(path + ": write failed");
}

}  // namespace lpu::compiler
