// Reference codec of the data link layer's frame format (docs/link.md "Framing"), written
// from the document in plain C++ and independent of the RTL: builds the symbol sequence of a
// frame, and parses a transmitter's column stream back into frames, checking every rule
// (start at lane 0, K codes, CRC-32, end symbol, padding).
#pragma once

#include "dl_channel.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lpu::verif::link::ref {

constexpr std::uint8_t kSof = 0xFB;  // K27.7
constexpr std::uint8_t kEof = 0xFD;  // K29.7
constexpr std::uint8_t kNak = 0xFE;  // K30.7
constexpr std::uint8_t kAck = 0xF7;  // K23.7

// CRC-32 IEEE 802.3, bit by bit: reflected polynomial 0xEDB88320, init and final xor ~0.
inline std::uint32_t crc32(const std::vector<std::uint8_t>& bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::uint8_t b : bytes) {
    c ^= b;
    for (int i = 0; i < 8; ++i) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : (c >> 1);
  }
  return ~c;
}

struct Symbol {
  std::uint8_t v;
  bool k;
};

// A frame's symbols: start, header value (low byte first), payload, CRC (low byte first) over
// the start symbol's value, the header and the payload, end symbol. For an ACK/NAK frame the
// "payload" is the two-byte credit field (use ctrl()).
inline std::vector<Symbol> frame(std::uint8_t start, std::uint16_t value,
                                 const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> covered{start, static_cast<std::uint8_t>(value & 0xFF),
                                    static_cast<std::uint8_t>(value >> 8)};
  covered.insert(covered.end(), payload.begin(), payload.end());
  const std::uint32_t crc = crc32(covered);
  std::vector<Symbol> s{{start, true}};
  for (std::size_t i = 1; i < covered.size(); ++i) s.push_back({covered[i], false});
  for (int i = 0; i < 4; ++i) s.push_back({static_cast<std::uint8_t>(crc >> (8 * i)), false});
  s.push_back({kEof, true});
  return s;
}

// An ACK or NAK frame: the expected number e, then the credit field, low byte first: bits
// 14..0 the sender's free receive-buffer words, bit 15 a credit request.
inline std::vector<Symbol> ctrl(std::uint8_t start, std::uint16_t e, unsigned credit,
                                bool request) {
  const unsigned c = (credit & 0x7FFFu) | (request ? 0x8000u : 0u);
  return frame(start, e, {static_cast<std::uint8_t>(c & 0xFF), static_cast<std::uint8_t>(c >> 8)});
}

// Columns of LinkLanes symbols, symbol i of the frame on lane i % L, the last column padded
// with the end symbol.
inline std::vector<Column> columns(const std::vector<Symbol>& s, unsigned link_lanes) {
  std::vector<Column> out;
  for (std::size_t i = 0; i < s.size(); i += link_lanes) {
    Column c;
    c.data = std::vector<std::uint8_t>(link_lanes, kEof);
    c.k = static_cast<std::uint8_t>((1u << link_lanes) - 1);
    for (unsigned l = 0; l < link_lanes && i + l < s.size(); ++l) {
      c.data[l] = s[i + l].v;
      if (!s[i + l].k) c.k = static_cast<std::uint8_t>(c.k & ~(1u << l));
    }
    out.push_back(c);
  }
  return out;
}

struct Frame {
  std::uint8_t start;
  std::uint16_t value;
  std::vector<std::uint8_t> payload;
  // ACK/NAK frames: the credit field (payload must be 2 bytes).
  unsigned credit() const { return (payload.at(0) | (payload.at(1) << 8)) & 0x7FFFu; }
  bool request() const { return (payload.at(1) & 0x80u) != 0; }
  std::uint16_t limit() const { return static_cast<std::uint16_t>(value + credit()); }
};

// Parses a column stream that must consist of well-formed frames only. Returns an empty
// string and the frames, or what is wrong and where.
inline std::string parse(const std::vector<Column>& cols, unsigned link_lanes,
                         std::vector<Frame>& frames) {
  std::vector<Symbol> s;
  for (const Column& c : cols) {
    if (c.data.size() != link_lanes) return "column width";
    for (unsigned l = 0; l < link_lanes; ++l) s.push_back({c.data[l], ((c.k >> l) & 1u) != 0});
  }
  std::size_t i = 0;
  while (i < s.size()) {
    const std::string at = " at symbol " + std::to_string(i);
    if (i % link_lanes != 0) return "frame does not start at lane 0" + at;
    if (!s[i].k || (s[i].v != kSof && s[i].v != kAck && s[i].v != kNak)) {
      return "not a start symbol" + at;
    }
    std::vector<std::uint8_t> covered{s[i].v};
    std::size_t j = i + 1;
    while (j < s.size() && !s[j].k) covered.push_back(s[j++].v);
    if (j == s.size()) return "frame without an end symbol" + at;
    if (s[j].v != kEof) return "K symbol other than K29.7 inside a frame" + at;
    if (covered.size() < 7) return "frame too short" + at;
    std::vector<std::uint8_t> body(covered.begin(), covered.end() - 4);
    const std::uint32_t got = std::uint32_t{covered[covered.size() - 4]} |
                              std::uint32_t{covered[covered.size() - 3]} << 8 |
                              std::uint32_t{covered[covered.size() - 2]} << 16 |
                              std::uint32_t{covered[covered.size() - 1]} << 24;
    if (crc32(body) != got) return "CRC-32 mismatch" + at;
    Frame f;
    f.start = body[0];
    f.value = static_cast<std::uint16_t>(body[1] | (body[2] << 8));
    f.payload.assign(body.begin() + 3, body.end());
    frames.push_back(f);
    ++j;
    while (j % link_lanes != 0) {
      if (j >= s.size() || !s[j].k || s[j].v != kEof) return "bad padding" + at;
      ++j;
    }
    i = j;
  }
  return "";
}

}  // namespace lpu::verif::link::ref
