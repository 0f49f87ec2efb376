// `lpu flash` (host/cli/cmd_flash.cpp), run as a child process: the bitstream check, the
// openFPGALoader command line, and its failures, against a fake openFPGALoader (a shell script
// that records its arguments and plays success or a failure) first on PATH or named by
// LPU_OPENFPGALOADER; and the real openFPGALoader with no board attached.
//
// References: the expected command lines and the bitstream headers are written out here by
// hand from openFPGALoader's documentation and the ECP5/iCE40 bitstream formats (docs/cli.md
// "Bitstream check"), not produced by the code under test.
#include <catch2/catch.hpp>

#ifdef LPU_CLI_PATH

#include "cli_test_util.hpp"

namespace {

using namespace lpu::test;

std::vector<std::uint8_t> with_body(std::vector<std::uint8_t> head, std::size_t zeros = 1000) {
  head.resize(head.size() + zeros, 0);
  return head;
}

// ecppack's start: comment header, preamble, LSC_RESET_CRC, VERIFY_ID with LFE5U-85F's IDCODE.
std::vector<std::uint8_t> ecp5_bit() {
  std::vector<std::uint8_t> b = {0xFF, 0x00};
  for (const char c : std::string("Part: LFE5U-85F-6CABGA381")) b.push_back(static_cast<std::uint8_t>(c));
  for (const int x : {0x00, 0xFF, 0xFF, 0xFF, 0xBD, 0xB3, 0xFF, 0xFF, 0xFF, 0xFF, 0x3B, 0x00, 0x00,
                      0x00, 0xE2, 0x00, 0x00, 0x00, 0x41, 0x11, 0x30, 0x43})
    b.push_back(static_cast<std::uint8_t>(x));
  return with_body(b);
}

// icepack's start: empty comment header, synchronisation word, the first commands.
std::vector<std::uint8_t> ice40_bin() {
  return with_body({0xFF, 0x00, 0x00, 0xFF, 0x7E, 0xAA, 0x99, 0x7E, 0x51, 0x00, 0x01, 0x05});
}

// The fake openFPGALoader: records its arguments (one per line) in $FAKE_OFL_LOG, then plays
// $FAKE_OFL_MODE.
const char* kFakeTool = R"SH(#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done > "$FAKE_OFL_LOG"
case "$FAKE_OFL_MODE" in
  ok)     echo "write to ram"; echo "Open file DONE"; echo "Load SRAM: [====] 100.00%"; exit 0 ;;
  nodev)  echo "unable to open ftdi device: -3 (device not found)" >&2
          echo "JTAG init failed with: unable to open ftdi device" >&2; exit 1 ;;
  perm)   echo "unable to open ftdi device: -4 (usb_open() failed)" >&2; exit 1 ;;
  busy)   echo "unable to open ftdi device: -5 (unable to claim device)" >&2; exit 1 ;;
  cdone)  printf 'Load SRAM: DONE\nWait for CDONE \033[31mFAIL\033[0m\n'; exit 0 ;;
  weird)  echo "something odd happened"; exit 3 ;;
  hang)   sleep 30 ;;
esac
)SH";

struct Fake {
  Fake() {
    tool = dir.file("openFPGALoader");
    {
      std::ofstream f(tool);
      f << kFakeTool;
    }
    ::chmod(tool.c_str(), 0755);
    log = dir.file("args.txt");
  }
  // Environment for a run with the fake first on PATH.
  std::map<std::string, std::string> env(const std::string& mode) const {
    const char* path = std::getenv("PATH");
    return {{"PATH", dir.path + ":" + (path ? path : "/usr/bin:/bin")},
            {"LPU_OPENFPGALOADER", ""},
            {"FAKE_OFL_LOG", log},
            {"FAKE_OFL_MODE", mode}};
  }
  std::string args() const { return read_text(log); }
  TempDir dir;
  std::string tool, log;
};

bool ftdi_device_attached() {
  DIR* d = ::opendir("/sys/bus/usb/devices");
  if (!d) return false;
  bool found = false;
  while (dirent* e = ::readdir(d)) {
    const std::string v = read_text(std::string("/sys/bus/usb/devices/") + e->d_name + "/idVendor");
    if (v.rfind("0403", 0) == 0) found = true;
  }
  ::closedir(d);
  return found;
}

}  // namespace

TEST_CASE("flash: --dry-run prints the openFPGALoader command for each board", "[flash]") {
  TempDir t;
  const std::string bit = t.file("top.bit"), bin = t.file("top.bin");
  write_bytes(bit, ecp5_bit());
  write_bytes(bin, ice40_bin());
  const std::map<std::string, std::string> env = {{"LPU_OPENFPGALOADER", ""}};

  auto r = run_lpu({"flash", "--board", "ulx3s", bit, "--dry-run"}, env);
  CHECK(r.status == 0);
  CHECK(r.out == "openFPGALoader -b ulx3s --write-sram " + bit + "\n");
  CHECK_THAT(r.err, Catch::Contains("an ECP5 bitstream (Part: LFE5U-85F-6CABGA381)") &&
                        Catch::Contains("IDCODE 0x41113043") && Catch::Contains("ulx3s SRAM"));

  r = run_lpu({"flash", "-b", "icebreaker", "--flash", "--verify", bin, "-n"}, env);
  CHECK(r.status == 0);
  CHECK(r.out == "openFPGALoader -b ice40_generic --write-flash --verify " + bin + "\n");
  CHECK_THAT(r.err, Catch::Contains("an iCE40 bitstream") && Catch::Contains("SPI flash"));

  // Another extension: openFPGALoader is told the type. A serial picks one of several boards.
  const std::string img = t.file("top.img");
  write_bytes(img, ecp5_bit());
  r = run_lpu({"flash", "--board=ulx3s", "--serial", "FT1234", "--dry-run", img}, env);
  CHECK(r.status == 0);
  CHECK(r.out == "openFPGALoader -b ulx3s --write-sram --ftdi-serial FT1234 --file-type bit " +
                     img + "\n");

  // LPU_OPENFPGALOADER names the tool.
  r = run_lpu({"flash", "--board", "ulx3s", bit, "--dry-run"},
              {{"LPU_OPENFPGALOADER", "/opt/ofl/bin/openFPGALoader"}});
  CHECK(r.out == "/opt/ofl/bin/openFPGALoader -b ulx3s --write-sram " + bit + "\n");
}

TEST_CASE("flash: the bitstream check accepts both headers and refuses other files", "[flash]") {
  TempDir t;
  const std::map<std::string, std::string> env = {{"LPU_OPENFPGALOADER", ""}};
  auto accepted = [&](const std::string& board, const std::vector<std::uint8_t>& bytes) {
    const std::string f = t.file("x.bin");
    write_bytes(f, bytes);
    return run_lpu({"flash", "--board", board, f, "--dry-run"}, env);
  };
  // Without the comment header, with FF padding, with a comment.
  CHECK(accepted("icebreaker", with_body({0x7E, 0xAA, 0x99, 0x7E})).status == 0);
  CHECK(accepted("icebreaker", with_body({0xFF, 0xFF, 0x7E, 0xAA, 0x99, 0x7E})).status == 0);
  CHECK(accepted("icebreaker", with_body({0xFF, 0x00, 'h', 'i', 0x00, 0xFF, 0x7E, 0xAA, 0x99, 0x7E}))
            .status == 0);
  CHECK(accepted("ulx3s", with_body({0xFF, 0xFF, 0xBD, 0xB3})).status == 0);
  CHECK(accepted("ulx3s", with_body({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBD, 0xB3})).status == 0);

  // One byte wrong, one FF short, the other family, other files.
  auto refused = [&](const std::string& board, const std::vector<std::uint8_t>& bytes) {
    const Result r = accepted(board, bytes);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("lpu flash: error: board " + board + ": '") &&
                          Catch::Contains("docs/cli.md"));
    return r.err;
  };
  CHECK_THAT(refused("icebreaker", with_body({0xFF, 0x00, 0x00, 0xFF, 0x7E, 0xAA, 0x98, 0x7E})),
             Catch::Contains("not a bitstream this tool recognises") &&
                 Catch::Contains("not an iCE40 bitstream"));
  CHECK_THAT(refused("ulx3s", with_body({0xFF, 0xBD, 0xB3})),
             Catch::Contains("not an ECP5 bitstream"));
  CHECK_THAT(refused("icebreaker", ecp5_bit()),
             Catch::Contains("is an ECP5 bitstream") && Catch::Contains("for --board ulx3s"));
  CHECK_THAT(refused("ulx3s", ice40_bin()),
             Catch::Contains("is an iCE40 bitstream") && Catch::Contains("for --board icebreaker"));
  CHECK_THAT(refused("ulx3s", with_body({'L', 'P', 'U', 'P', 'R', 'O', 'G', 0})),
             Catch::Contains("an LPU program"));
  CHECK_THAT(refused("ulx3s", with_body({0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0})),
             Catch::Contains("a Xilinx bitstream"));
  CHECK_THAT(refused("ulx3s", {}), Catch::Contains("is empty"));

  // Options and files.
  Result r = run_lpu({"flash", "--board", "ulx3s", t.file("missing.bit")}, env);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot open bitstream") && Catch::Contains("missing.bit"));
  r = run_lpu({"flash", t.file("x.bin")}, env);
  CHECK_THAT(r.err, Catch::Contains("--board is required"));
  r = run_lpu({"flash", "--board", "arty", t.file("x.bin")}, env);
  CHECK_THAT(r.err, Catch::Contains("--board 'arty': expected ulx3s"));
  r = run_lpu({"flash", "--board", "ulx3s", "--verify", t.file("x.bin")}, env);
  CHECK_THAT(r.err, Catch::Contains("--verify checks the SPI flash: use it with --flash"));
}

TEST_CASE("flash: runs openFPGALoader (first on PATH) and reports success", "[flash]") {
  Fake fake;
  const std::string bit = fake.dir.file("top.bit");
  write_bytes(bit, ecp5_bit());
  const Result r = run_lpu({"flash", "--board", "ulx3s", bit}, fake.env("ok"));
  CHECK(r.status == 0);
  CHECK(fake.args() == "-b\nulx3s\n--write-sram\n" + bit + "\n");
  CHECK_THAT(r.err, Catch::Contains("Open file DONE") &&  // the tool's output, passed through
                        Catch::Contains("ulx3s: " + bit + " written to SRAM"));

  const std::string bin = fake.dir.file("top.bin");
  write_bytes(bin, ice40_bin());
  auto env = fake.env("ok");
  env["PATH"] = "/usr/bin:/bin";  // the real one (if any) is not found first: the override is
  env["LPU_OPENFPGALOADER"] = fake.tool;
  const Result q = run_lpu({"flash", "--board", "icebreaker", "--flash", "--quiet", bin}, env);
  CHECK(q.status == 0);
  CHECK(fake.args() == "-b\nice40_generic\n--write-flash\n" + bin + "\n");
  CHECK_THAT(q.err, !Catch::Contains("Open file DONE") && Catch::Contains("written to SPI flash"));
}

TEST_CASE("flash: openFPGALoader's failures become errors saying what to do", "[flash]") {
  Fake fake;
  const std::string bit = fake.dir.file("top.bit");
  write_bytes(bit, ecp5_bit());
  const std::string bin = fake.dir.file("top.bin");
  write_bytes(bin, ice40_bin());
  auto fails = [&](const std::string& mode, const std::string& board, const std::string& file) {
    const Result r = run_lpu({"flash", "--board", board, file}, fake.env(mode));
    CHECK(r.status == 1);
    const auto at = r.err.find("lpu flash: error: ");
    REQUIRE(at != std::string::npos);
    return r.err.substr(at);
  };
  CHECK_THAT(fails("nodev", "ulx3s", bit),
             Catch::Contains("no board ulx3s (FT231X, USB ID 0403:6015) found") &&
                 Catch::Contains("-3 (device not found)") && Catch::Contains("US1 port") &&
                 Catch::Contains("lsusb") && Catch::Contains("driver/99-lpu.rules"));
  CHECK_THAT(fails("nodev", "icebreaker", bin),
             Catch::Contains("no board icebreaker (FT2232H, USB ID 0403:6010) found") &&
                 Catch::Contains("plug the iCEBreaker in"));
  CHECK_THAT(fails("perm", "ulx3s", bit),
             Catch::Contains("cannot open board ulx3s") && Catch::Contains("permission") &&
                 Catch::Contains("driver/99-lpu.rules") && Catch::Contains("plugdev"));
  CHECK_THAT(fails("busy", "icebreaker", bin),
             Catch::Contains("board icebreaker (FT2232H, USB ID 0403:6010) is in use") &&
                 Catch::Contains("close the program that holds it"));
  CHECK_THAT(fails("cdone", "icebreaker", bin),
             Catch::Contains("programming failed") && Catch::Contains("wait for cdone fail") &&
                 Catch::Contains("built for this board's FPGA"));
  CHECK_THAT(fails("weird", "ulx3s", bit),
             Catch::Contains("exited with status 3") && Catch::Contains("something odd happened"));

  // A tool that hangs is stopped after --timeout.
  const Result h = run_lpu({"flash", "--board", "ulx3s", "--timeout", "1", bit}, fake.env("hang"));
  CHECK(h.status == 1);
  CHECK(h.seconds < 10);
  CHECK_THAT(h.err, Catch::Contains("did not finish within the --timeout"));
}

TEST_CASE("flash: a missing openFPGALoader is a clear error", "[flash]") {
  TempDir t;
  const std::string bit = t.file("top.bit");
  write_bytes(bit, ecp5_bit());
  Result r = run_lpu({"flash", "--board", "ulx3s", bit},
                     {{"PATH", t.path}, {"LPU_OPENFPGALOADER", ""}});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("board ulx3s: openFPGALoader was not found on PATH") &&
                        Catch::Contains("apt install openfpgaloader") &&
                        Catch::Contains("LPU_OPENFPGALOADER"));
  r = run_lpu({"flash", "--board", "ulx3s", bit},
              {{"LPU_OPENFPGALOADER", t.file("no-such-tool")}});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("LPU_OPENFPGALOADER=" + t.file("no-such-tool") +
                                    " does not exist"));
}

TEST_CASE("flash: the real openFPGALoader with no board attached fails fast and clearly",
          "[flash]") {
  const char* real = "/usr/bin/openFPGALoader";
  if (::access(real, X_OK) != 0) {
    WARN("skipped: " << real << " is not installed");
    return;
  }
  if (ftdi_device_attached()) {
    WARN("skipped: an FTDI device (0403:*) is attached; this test must not program a board");
    return;
  }
  TempDir t;
  const std::string bit = t.file("top.bit"), bin = t.file("top.bin");
  write_bytes(bit, ecp5_bit());
  write_bytes(bin, ice40_bin());
  for (const auto& [board, file] :
       std::vector<std::pair<std::string, std::string>>{{"ulx3s", bit}, {"icebreaker", bin}}) {
    const Result r = run_lpu({"flash", "--board", board, file}, {{"LPU_OPENFPGALOADER", real}});
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(r.seconds < 10);
    CHECK_THAT(r.err, Catch::Contains("lpu flash: error: no board " + board) &&
                          Catch::Contains("lsusb") && Catch::Contains("driver/99-lpu.rules"));
  }
}

#else

TEST_CASE("flash: tests need the lpu CLI", "[flash]") {
  WARN("skipped: LPU_CLI_PATH is not defined (the lpu CLI is not part of this build)");
}

#endif
