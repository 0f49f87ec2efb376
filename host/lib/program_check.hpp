// Internal to the host library: the container's validity rules, shared by the reader
// (program.cpp) and the assembler so that anything the assembler accepts also parses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lpu/program.hpp"

namespace lpu::detail {

// [A-Za-z_][A-Za-z0-9_.]*, 1..kMaxNameLen bytes.
bool valid_symbol_name(std::string_view name);
// Empty when `meta` is a valid META body (UTF-8 `key=value` lines, each ending in '\n',
// no control characters but tab); otherwise the problem.
std::string meta_problem(std::string_view meta);
// Where a symbol / segment lives in the memory described by `req` (the required
// configuration). Throws lpu::Error "<what>: <problem>" when it does not fit.
std::vector<Piece> symbol_pieces_in(const Symbol& s, const Requirements& req,
                                    const std::string& what);
std::vector<Piece> segment_pieces_in(const Segment& seg, const Requirements& req,
                                     const std::string& what);
// Upper bounds the reader accepts for the requirement fields (banks: the bank field's range).
inline constexpr std::uint32_t kMaxDepth = 1u << 24;

}  // namespace lpu::detail
