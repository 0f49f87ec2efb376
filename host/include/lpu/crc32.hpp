// CRC-32 (IEEE 802.3, reflected, init/xorout 0xFFFFFFFF): containers and host frames.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lpu {

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace lpu
