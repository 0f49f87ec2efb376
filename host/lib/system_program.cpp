// The multi-chip program bundle (docs/program-format.md "Multi-chip programs").
#include "lpu/system_program.hpp"

#include <cstring>

#include "lpu/crc32.hpp"
#include "lpu/error.hpp"
#include "lpu/file_io.hpp"

namespace lpu {

namespace {

constexpr char kMagic[8] = {'L', 'P', 'U', 'S', 'Y', 'S', '\0', '\0'};
constexpr std::size_t kHeader = 32;
constexpr std::size_t kEntry = 16;

void put(std::vector<std::uint8_t>& b, std::size_t off, std::uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get(const std::uint8_t* d, std::size_t off, unsigned n) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= std::uint64_t{d[off + i]} << (8 * i);
  return v;
}

}  // namespace

bool is_system_program(const std::uint8_t* data, std::size_t size) {
  return size >= sizeof kMagic && std::memcmp(data, kMagic, sizeof kMagic) == 0;
}

std::vector<std::uint8_t> SystemProgram::serialize() const {
  if (chips.empty() || chips.size() > kMaxSystemChips) {
    throw Error("system program: " + std::to_string(chips.size()) + " chips; 1 to " +
                std::to_string(kMaxSystemChips) + " are supported");
  }
  std::vector<std::vector<std::uint8_t>> bodies;
  for (const auto& p : chips) bodies.push_back(p.serialize());
  std::vector<std::uint8_t> b(kHeader + kEntry * chips.size(), 0);
  std::memcpy(b.data(), kMagic, sizeof kMagic);
  put(b, 8, kSystemFormatMajor, 2);
  put(b, 10, kSystemFormatMinor, 2);
  put(b, 12, kHeader, 4);
  put(b, 20, chips.size(), 4);
  put(b, 24, 0, 4);  // topology: ring
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    while (b.size() % 8) b.push_back(0);
    const std::size_t off = b.size();
    put(b, kHeader + kEntry * i, off, 4);
    put(b, kHeader + kEntry * i + 4, bodies[i].size(), 4);
    b.insert(b.end(), bodies[i].begin(), bodies[i].end());
  }
  while (b.size() % 4) b.push_back(0);
  if (b.size() + 4 > kMaxFileSize) {
    throw Error("system program: " + std::to_string(b.size() + 4) + " bytes, more than the " +
                std::to_string(kMaxFileSize) + "-byte limit");
  }
  put(b, 16, b.size() + 4, 4);
  const std::uint32_t crc = crc32(b.data(), b.size());
  b.resize(b.size() + 4);
  put(b, b.size() - 4, crc, 4);
  return b;
}

SystemProgram SystemProgram::parse(const std::uint8_t* d, std::size_t n, std::string_view source) {
  const std::string src(source);
  auto fail = [&](const std::string& field, std::size_t off, const std::string& problem) {
    throw Error(src + ": " + field + " at byte " + std::to_string(off) + ": " + problem);
  };
  if (n < kHeader + 4) fail("header", 0, "truncated (" + std::to_string(n) + " bytes)");
  if (!is_system_program(d, n)) fail("magic", 0, "not a multi-chip program (no \"LPUSYS\" magic)");
  if (n > kMaxFileSize) fail("file_size", 16, "file is larger than the limit");
  const auto major = get(d, 8, 2);
  if (major != kSystemFormatMajor) {
    fail("version_major", 8, "version " + std::to_string(major) + " (this reader reads " +
                                 std::to_string(kSystemFormatMajor) + ")");
  }
  if (get(d, 12, 4) != kHeader) fail("header_size", 12, "must be " + std::to_string(kHeader));
  const auto file_size = get(d, 16, 4);
  if (file_size != n) {
    fail("file_size", 16, "says " + std::to_string(file_size) + " bytes, the data has " + std::to_string(n));
  }
  const auto crc = static_cast<std::uint32_t>(get(d, n - 4, 4));
  if (crc32(d, n - 4) != crc) fail("crc32", n - 4, "checksum mismatch (corrupt file)");
  const auto count = get(d, 20, 4);
  if (count < 1 || count > kMaxSystemChips) {
    fail("chip_count", 20, std::to_string(count) + " (1 to " + std::to_string(kMaxSystemChips) + ")");
  }
  if (get(d, 24, 4) != 0) fail("topology", 24, "unknown topology " + std::to_string(get(d, 24, 4)) + " (0 = ring)");
  if (get(d, 28, 4) != 0) fail("reserved", 28, "must be 0");
  const std::size_t table_end = kHeader + kEntry * count;
  if (table_end > n - 4) fail("chip table", kHeader, "truncated");
  SystemProgram sp;
  std::size_t prev_end = table_end;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t e = kHeader + kEntry * i;
    const std::string f = "chip " + std::to_string(i);
    const auto off = get(d, e, 4), size = get(d, e + 4, 4);
    if (get(d, e + 8, 4) != 0 || get(d, e + 12, 4) != 0) fail(f + " reserved", e + 8, "must be 0");
    if (off % 8 != 0) fail(f + " offset", e, "not 8-byte aligned");
    if (off < prev_end) fail(f + " offset", e, "overlaps the table or the previous chip");
    if (off > n - 4 || size > n - 4 - off) fail(f + " size", e + 4, "runs past the end of the file");
    for (std::size_t k = prev_end; k < off; ++k) {
      if (d[k] != 0) fail(f + " padding", k, "nonzero padding");
    }
    sp.chips.push_back(Program::parse(d + off, size, src + ": chip " + std::to_string(i)));
    prev_end = off + size;
  }
  for (std::size_t k = prev_end; k < n - 4; ++k) {
    if (d[k] != 0) fail("padding", k, "nonzero padding after the last chip");
  }
  if (n - 4 - prev_end > 7) fail("padding", prev_end, "more padding than alignment needs");
  return sp;
}

SystemProgram SystemProgram::load_file(const std::string& path) {
  const auto buf = read_file_bytes(path, kMaxFileSize, "a program");
  if (is_system_program(buf.data(), buf.size())) return parse(buf.data(), buf.size(), path);
  SystemProgram sp;
  sp.chips.push_back(Program::parse(buf.data(), buf.size(), path));
  return sp;
}

void SystemProgram::save_file(const std::string& path) const { write_file_bytes(path, serialize()); }

}  // namespace lpu
