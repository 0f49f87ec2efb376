// Whole-file reads and writes (file_io.hpp).
#include "lpu/file_io.hpp"

#include <filesystem>
#include <fstream>

#include "lpu/error.hpp"

namespace lpu {

std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::size_t max_bytes, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(path + ": cannot open for reading (not a regular file)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open for reading");
  f.seekg(0, std::ios::end);
  const std::streamoff len = f.tellg();
  if (len < 0) throw Error(path + ": cannot determine the file size");
  if (static_cast<std::uint64_t>(len) > max_bytes) {
    throw Error(path + ": file is " + std::to_string(len) + " bytes, more than the " + std::to_string(max_bytes) +
                "-byte limit for " + what + " (too large)");
  }
  f.seekg(0, std::ios::beg);
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(len));
  if (len > 0 && !f.read(reinterpret_cast<char*>(buf.data()), len)) throw Error(path + ": read failed");
  return buf;
}

void write_file_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw Error(path + ": cannot open for writing");
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) throw Error(path + ": write failed");
}

}  // namespace lpu
