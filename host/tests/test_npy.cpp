// .npy reading and writing: hand-made files in every header version, the exact bytes we
// write, and rejection of everything outside the supported subset.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "lpu/error.hpp"
#include "lpu/npy.hpp"

namespace {

// A .npy file built by hand: magic, version, header length, header padded to 64, data.
std::vector<std::uint8_t> npy_file(int major, std::string header,
                                   const std::vector<std::uint8_t>& data) {
  const std::size_t prefix = major == 1 ? 10 : 12;
  std::size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major),
                                   0};
  const std::size_t n = header.size();
  out.push_back(static_cast<std::uint8_t>(n));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  if (major != 1) {
    out.push_back(static_cast<std::uint8_t>(n >> 16));
    out.push_back(static_cast<std::uint8_t>(n >> 24));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

lpu::Tensor parse(const std::vector<std::uint8_t>& b) {
  return lpu::parse_npy(b.data(), b.size(), "t.npy");
}

std::string parse_error(const std::vector<std::uint8_t>& b) {
  try {
    parse(b);
  } catch (const lpu::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("npy: reads int8 and int32 files in versions 1, 2 and 3", "[npy]") {
  for (const int major : {1, 2, 3}) {
    INFO("version " << major);
    const auto t8 =
        parse(npy_file(major, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }",
                       {1, 2, 3, 0xFF, 0x80, 0x7F}));
    CHECK(t8.dtype == lpu::DType::int8);
    CHECK(t8.shape == std::vector<std::uint32_t>{2, 3});
    CHECK(t8.as_int8() == std::vector<std::int8_t>{1, 2, 3, -1, -128, 127});
    CHECK(t8.as_int32() == std::vector<std::int32_t>{1, 2, 3, -1, -128, 127});

    const auto t32 =
        parse(npy_file(major, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                       {0x01, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF}));
    CHECK(t32.dtype == lpu::DType::int32);
    CHECK(t32.shape == std::vector<std::uint32_t>{2});
    CHECK(t32.as_int32() == std::vector<std::int32_t>{1, -2});
    CHECK_THROWS_AS(t32.as_int8(), lpu::Error);
  }
  // Other spellings NumPy and hand-written files use.
  CHECK(parse(npy_file(1, "{'descr': '<i1', 'fortran_order': False, 'shape': (1,)}", {5}))
            .as_int8()[0] == 5);
  CHECK(parse(npy_file(1, "{\"descr\": \"i1\", \"fortran_order\": False, \"shape\": (1,)}", {5}))
            .dtype == lpu::DType::int8);
  CHECK(parse(npy_file(1, "{'shape': (1, ), 'fortran_order': False, 'descr': '|i1'}", {7}))
            .as_int8()[0] == 7);
  const auto scalar =
      parse(npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (), }", {9}));
  CHECK(scalar.shape.empty());
  CHECK(scalar.elements() == 1);
  const auto empty =
      parse(npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (0, 4), }", {}));
  CHECK(empty.elements() == 0);
}

TEST_CASE("npy: rejects unsupported and malformed files", "[npy]") {
  auto hdr = [](const std::string& h, std::vector<std::uint8_t> d = {1}) {
    return parse_error(npy_file(1, h, d));
  };
  CHECK_THAT(hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0}),
             Catch::Contains("unsupported dtype"));
  CHECK_THAT(hdr("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0}),
             Catch::Contains("unsupported dtype"));
  CHECK_THAT(hdr("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }"),
             Catch::Contains("unsupported dtype"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': True, 'shape': (1,), }"),
             Catch::Contains("fortran_order"));
  CHECK_THAT(hdr("{'descr': '|i1', 'shape': (1,), }"), Catch::Contains("keys"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (1,), 'extra': 1}"),
             Catch::Contains("extra"));
  CHECK_THAT(hdr("{'descr': '|i1', 'descr': '|i1', 'fortran_order': False, 'shape': (1,)}"),
             Catch::Contains("repeated"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }"),
             Catch::Contains("data bytes"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (1,), }", {1, 2}),
             Catch::Contains("data bytes"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (-1,), }"),
             Catch::Contains("dimension"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (99999999999,), }"),
             Catch::Contains("too large"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (65536, 65536, 65536), }"),
             Catch::Contains("data bytes"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (1 2), }"),
             Catch::Contains("shape"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': False, 'shape': (1,) } x"),
             Catch::Contains("trailing"));
  CHECK_THAT(hdr("{'descr': '|i1', 'fortran_order': Maybe, 'shape': (1,)}"),
             Catch::Contains("True or False"));
  CHECK_THAT(hdr("{'descr: '|i1'}"), Catch::Contains("npy header at byte"));

  auto good = npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", {1, 2, 3});
  auto b = good;
  b[0] = 0x92;
  CHECK_THAT(parse_error(b), Catch::Contains("magic"));
  b = good;
  b[6] = 4;
  CHECK_THAT(parse_error(b), Catch::Contains("version"));
  b = good;
  b[8] = 0xFF;
  CHECK_THAT(parse_error(b), Catch::StartsWith("t.npy: "));
  // Every truncation is an error, never a crash.
  for (std::size_t n = 0; n < good.size(); ++n) {
    const std::vector<std::uint8_t> t(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS_AS(lpu::parse_npy(t.data(), t.size(), "t.npy"), lpu::Error);
  }
}

TEST_CASE("npy: writes exactly what NumPy writes and reads it back", "[npy]") {
  const auto t = lpu::Tensor::from_int8({2, 2}, {1, -1, 2, -2});
  const auto bytes = lpu::serialize_npy(t);
  const auto want = npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }",
                             {1, 0xFF, 2, 0xFE});
  CHECK(bytes == want);
  CHECK((bytes.size() - 4) % 64 == 0);  // data starts on a 64-byte boundary

  const auto t1 = lpu::Tensor::from_int32({3}, {0, -1, 0x12345678});
  const auto b1 = lpu::serialize_npy(t1);
  CHECK(b1 == npy_file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                       {0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0x56, 0x34, 0x12}));
  const auto back = parse(b1);
  CHECK(back.as_int32() == std::vector<std::int32_t>{0, -1, 0x12345678});

  CHECK_THROWS_AS(lpu::Tensor::from_int8({2, 3}, {1, 2}), lpu::Error);
  CHECK_THROWS_AS(lpu::Tensor::from_int32({2}, {1, 2, 3}), lpu::Error);

  const auto dir =
      std::filesystem::temp_directory_path() / ("lpu_test_npy_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "x.npy").string();
  lpu::write_npy(path, t);
  const auto r = lpu::read_npy(path);
  CHECK(r.shape == t.shape);
  CHECK(r.bytes == t.bytes);
  CHECK_THROWS_WITH(lpu::read_npy((dir / "nope.npy").string()), Catch::Contains("nope.npy"));
  CHECK_THROWS_AS(lpu::read_npy(dir.string()), lpu::Error);  // a directory
  std::filesystem::remove_all(dir);
}
