// Whole-file reads and writes for the host library's file formats, with lpu::Error messages
// that name the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lpu {

// Reads a regular file. Throws lpu::Error "<path>: ..." when it cannot be opened or read, or
// when it is larger than max_bytes ("file is N bytes, more than the M-byte limit for <what>").
std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::size_t max_bytes, const std::string& what);
// Writes (truncates) a file. Throws lpu::Error "<path>: ..." on failure.
void write_file_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes);

}  // namespace lpu
