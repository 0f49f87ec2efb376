// Reference 8b/10b code for the tests: plain C++, written from the standard's tables
// (IEEE 802.3 clause 36: the 5b/6b and 3b/4b sub-block tables with both running-disparity
// columns, the primary/alternate x.7 rule, and the table of the twelve control code groups),
// independent of the RTL. Code groups are strings in transmission order "abcdei fghj"
// without the space; as numbers, bit 0 is 'a' (the first bit on the line).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace lpu::verif::link::ref {

// 5b/6b: {RD- column, RD+ column}, index x = EDCBA.
inline const std::array<std::array<const char*, 2>, 32> kSix = {{
    {"100111", "011000"}, {"011101", "100010"}, {"101101", "010010"}, {"110001", "110001"},
    {"110101", "001010"}, {"101001", "101001"}, {"011001", "011001"}, {"111000", "000111"},
    {"111001", "000110"}, {"100101", "100101"}, {"010101", "010101"}, {"110100", "110100"},
    {"001101", "001101"}, {"101100", "101100"}, {"011100", "011100"}, {"010111", "101000"},
    {"011011", "100100"}, {"100011", "100011"}, {"010011", "010011"}, {"110010", "110010"},
    {"001011", "001011"}, {"101010", "101010"}, {"011010", "011010"}, {"111010", "000101"},
    {"110011", "001100"}, {"100110", "100110"}, {"010110", "010110"}, {"110110", "001001"},
    {"001110", "001110"}, {"101110", "010001"}, {"011110", "100001"}, {"101011", "010100"},
}};

// 3b/4b: {RD- column, RD+ column}, index y = HGF; [8] is the alternate A7.
inline const std::array<std::array<const char*, 2>, 9> kFour = {{
    {"1011", "0100"}, {"1001", "1001"}, {"0101", "0101"}, {"1100", "0011"},
    {"1101", "0010"}, {"1010", "1010"}, {"0110", "0110"}, {"1110", "0001"},
    {"0111", "1000"},
}};

struct KCode {
  std::uint8_t byte;
  const char* rd_minus;
  const char* rd_plus;
};

// The control code groups as the standard lists them.
inline const std::array<KCode, 12> kK = {{
    {0x1C, "0011110100", "1100001011"},  // K28.0
    {0x3C, "0011111001", "1100000110"},  // K28.1
    {0x5C, "0011110101", "1100001010"},  // K28.2
    {0x7C, "0011110011", "1100001100"},  // K28.3
    {0x9C, "0011110010", "1100001101"},  // K28.4
    {0xBC, "0011111010", "1100000101"},  // K28.5
    {0xDC, "0011110110", "1100001001"},  // K28.6
    {0xFC, "0011111000", "1100000111"},  // K28.7
    {0xF7, "1110101000", "0001010111"},  // K23.7
    {0xFB, "1101101000", "0010010111"},  // K27.7
    {0xFD, "1011101000", "0100010111"},  // K29.7
    {0xFE, "0111101000", "1000010111"},  // K30.7
}};

inline int ones(const std::string& s) {
  int n = 0;
  for (char c : s) n += (c == '1');
  return n;
}

// Running disparity at the end of a sub-block (the standard's definition): RD+ if it has
// more ones than zeros or is 000111 / 0011; RD- if more zeros or 111000 / 1100; else as before.
inline bool sub_block_rd(const std::string& s, bool rd) {
  const int n1 = ones(s), n0 = static_cast<int>(s.size()) - n1;
  if (n1 > n0 || s == "000111" || s == "0011") return true;
  if (n0 > n1 || s == "111000" || s == "1100") return false;
  return rd;
}

inline std::uint16_t to_bits(const std::string& s) {
  std::uint16_t v = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '1') v |= static_cast<std::uint16_t>(1u << i);  // 'a' -> bit 0
    else if (s[i] != '0') throw std::logic_error("bad code string " + s);
  }
  return v;
}

inline std::string to_string(std::uint16_t code) {
  std::string s;
  for (int i = 0; i < 10; ++i) s += ((code >> i) & 1u) ? '1' : '0';
  return s;
}

inline bool is_k(std::uint8_t byte) {
  for (const auto& k : kK) {
    if (k.byte == byte) return true;
  }
  return false;
}

struct Encoded {
  std::uint16_t code;
  bool rd;  // after
};

// Encode one byte (k: a control code group, must be one of kK) at running disparity rd
// (false = RD-).
inline Encoded encode(std::uint8_t byte, bool k, bool rd) {
  std::string s;
  if (k) {
    const KCode* kc = nullptr;
    for (const auto& c : kK) {
      if (c.byte == byte) kc = &c;
    }
    if (!kc) throw std::logic_error("not a K code");
    s = rd ? kc->rd_plus : kc->rd_minus;
  } else {
    const unsigned x = byte & 31u, y = byte >> 5;
    const std::string six = kSix[x][rd ? 1 : 0];
    const bool rd6 = sub_block_rd(six, rd);
    unsigned yi = y;
    if (y == 7 && ((!rd6 && (x == 17 || x == 18 || x == 20)) || (rd6 && (x == 11 || x == 13 || x == 14)))) {
      yi = 8;
    }
    s = six + kFour[yi][rd6 ? 1 : 0];
  }
  const bool rd_end = sub_block_rd(s.substr(6, 4), sub_block_rd(s.substr(0, 6), rd));
  return {to_bits(s), rd_end};
}

// What a decoder must make of a 10-bit pattern at a given running disparity.
struct Decoded {
  bool valid = false;       // a code group of the RD's column
  bool disp_err = false;    // not in this RD's column but in the other's
  bool code_err = false;    // in neither
  std::uint8_t byte = 0;
  bool k = false;
  bool rd_after = false;    // by the sub-block rule, for every pattern
};

class Table {
 public:
  Table() {
    for (int rd = 0; rd < 2; ++rd) {
      for (int b = 0; b < 256; ++b) add(rd, static_cast<std::uint8_t>(b), false);
      for (const auto& k : kK) add(rd, k.byte, true);
    }
  }

  Decoded decode(std::uint16_t code, bool rd) const {
    Decoded d;
    const auto& mine = col_[rd ? 1 : 0];
    const auto& other = col_[rd ? 0 : 1];
    auto it = mine.find(code);
    if (it != mine.end()) {
      d.valid = true;
      d.byte = it->second.first;
      d.k = it->second.second;
    } else if (other.count(code)) {
      d.disp_err = true;
    } else {
      d.code_err = true;
    }
    const std::string s = to_string(code);
    d.rd_after = sub_block_rd(s.substr(6, 4), sub_block_rd(s.substr(0, 6), rd));
    return d;
  }

  std::size_t column_size(bool rd) const { return col_[rd ? 1 : 0].size(); }

 private:
  void add(int rd, std::uint8_t byte, bool k) {
    const Encoded e = encode(byte, k, rd != 0);
    auto [it, fresh] = col_[rd].emplace(e.code, std::make_pair(byte, k));
    if (!fresh) throw std::logic_error("reference table: code group " + to_string(e.code) + " twice");
  }
  std::array<std::map<std::uint16_t, std::pair<std::uint8_t, bool>>, 2> col_;
};

}  // namespace lpu::verif::link::ref
