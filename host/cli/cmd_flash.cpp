// lpu flash: load a bitstream onto a board (SRAM by default, SPI flash with --flash) through
// openFPGALoader, after checking that the file is a bitstream for that board's FPGA
// (docs/cli.md "lpu flash").
//
// openFPGALoader is found as $LPU_OPENFPGALOADER, else on PATH. Its output is passed through
// to stderr as it comes (progress bars included) and kept to explain a failure: no board, no
// permission, the bridge busy, or a programming failure, each with what to do.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "command.hpp"
#include "lpu/error.hpp"
#include "options.hpp"

extern char** environ;

namespace {

// ---- boards ---------------------------------------------------------------------------------

struct Board {
  const char* name;        // --board
  const char* ofl_board;   // openFPGALoader -b
  const char* family;      // FPGA family the bitstream must be for
  const char* ext;         // the extension openFPGALoader expects (else --file-type)
  const char* bridge;      // USB bridge and its VID:PID
  const char* connect;     // where to plug it in
};

constexpr Board kBoards[] = {
    {"ulx3s", "ulx3s", "ECP5", "bit", "FT231X, USB ID 0403:6015",
     "plug the ULX3S in by its US1 port (the FT231X one; US2 is the FPGA's own USB)"},
    {"icebreaker", "ice40_generic", "iCE40", "bin", "FT2232H, USB ID 0403:6010",
     "plug the iCEBreaker in by its micro-USB port"},
};

const Board& board_by_name(const std::string& name) {
  for (const auto& b : kBoards) {
    if (name == b.name) return b;
  }
  throw lpu::Error("--board '" + name + "': expected ulx3s (ECP5, configuration base) or " +
                   "icebreaker (iCE40 UP5K, configuration tiny)");
}

// ---- bitstream check --------------------------------------------------------------------------

struct Bitstream {
  std::string family;  // "ECP5", "iCE40" or "" (not recognised)
  std::string what;    // description for messages: "ECP5 bitstream (Part: ..., IDCODE ...)"
};

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Recognises the start of a bitstream (docs/cli.md "Bitstream check"):
//   optional comment header  FF 00 <text, strings ended by 00> 00 FF   (at most 4 KiB)
//   ECP5 (.bit, ecppack)     at least two FF, then the preamble BD B3; the IDCODE follows the
//                            VERIFY_ID command E2 00 00 00 within the next 64 bytes
//   iCE40 (.bin, icepack)    any FF padding, then the synchronisation word 7E AA 99 7E
Bitstream inspect_bitstream(const std::vector<std::uint8_t>& d) {
  const std::size_t n = d.size();
  std::size_t pos = 0;
  std::string header;
  if (n >= 2 && d[0] == 0xFF && d[1] == 0x00) {
    std::size_t end = 2;
    while (end + 1 < n && end < 4096 && !(d[end] == 0x00 && d[end + 1] == 0xFF)) ++end;
    if (end + 1 < n && d[end] == 0x00 && d[end + 1] == 0xFF) {
      for (std::size_t i = 2; i < end; ++i) {
        const char c = static_cast<char>(d[i]);
        if (c == '\0') {
          header += "; ";
        } else if (std::isprint(static_cast<unsigned char>(c))) {
          header += c;
        }
      }
      pos = end + 2;
    }
  }
  std::size_t ff = 0;
  while (pos + ff < n && d[pos + ff] == 0xFF) ++ff;
  const std::size_t at = pos + ff;
  const auto has = [&](std::size_t i, std::initializer_list<std::uint8_t> bytes) {
    if (i + bytes.size() > n) return false;
    return std::equal(bytes.begin(), bytes.end(), d.begin() + static_cast<std::ptrdiff_t>(i));
  };
  Bitstream b;
  const std::string note = header.empty() ? "" : " (" + header + ")";
  if (ff >= 2 && has(at, {0xBD, 0xB3})) {
    b.family = "ECP5";
    b.what = "an ECP5 bitstream" + note;
    for (std::size_t i = at + 2; i + 8 <= n && i < at + 66; ++i) {
      if (has(i, {0xE2, 0x00, 0x00, 0x00})) {
        const std::uint32_t id = (std::uint32_t{d[i + 4]} << 24) | (std::uint32_t{d[i + 5]} << 16) |
                                 (std::uint32_t{d[i + 6]} << 8) | d[i + 7];
        b.what += ", IDCODE " + hex32(id);
        break;
      }
    }
    return b;
  }
  if (has(at, {0x7E, 0xAA, 0x99, 0x7E})) {
    b.family = "iCE40";
    b.what = "an iCE40 bitstream" + note;
    return b;
  }
  if (has(0, {0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0})) {
    b.what = "a Xilinx bitstream";
  } else if (has(0, {0x1F, 0x8B})) {
    b.what = "gzip-compressed data (decompress it first)";
  } else if (has(0, {'L', 'P', 'U', 'P', 'R', 'O', 'G', 0})) {
    b.what = "an LPU program, not a bitstream (run it with `lpu run FILE --device usb`)";
  } else if (n == 0) {
    b.what = "empty";
  } else {
    b.what = "not a bitstream this tool recognises";
  }
  return b;
}

std::vector<std::uint8_t> read_head(const std::string& path, std::size_t max, std::uint64_t& size) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    throw lpu::Error("cannot open bitstream '" + path + "': " + std::strerror(errno) +
                     " (check the path; `make bitstream BOARD=ulx3s|icebreaker` writes "
                     "build/fpga/<board>/<board>.bit|.bin)");
  }
  f.seekg(0, std::ios::end);
  size = static_cast<std::uint64_t>(f.tellg());
  f.seekg(0);
  std::vector<std::uint8_t> d(static_cast<std::size_t>(std::min<std::uint64_t>(size, max)));
  f.read(reinterpret_cast<char*>(d.data()), static_cast<std::streamsize>(d.size()));
  if (!f) throw lpu::Error("cannot read bitstream '" + path + "'");
  return d;
}

// ---- openFPGALoader ---------------------------------------------------------------------------

struct ToolRun {
  bool started = false;
  int spawn_errno = 0;
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal ended it
  bool timed_out = false;
  std::string output;  // the last 64 KiB of its stdout + stderr
};

// Runs `argv` (argv[0] looked up on PATH unless it has a '/') with stdout and stderr into one
// pipe, echoing to our stderr unless `quiet`; kills it after `timeout`.
ToolRun run_tool(const std::vector<std::string>& argv, bool quiet, std::chrono::seconds timeout) {
  ToolRun r;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw lpu::Error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const bool has_slash = argv[0].find('/') != std::string::npos;
  const int rc = has_slash ? ::posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ)
                           : ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    r.spawn_errno = rc;
    return r;
  }
  r.started = true;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGTERM);
      for (int i = 0; i < 200 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i) ::usleep(10000);
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int pr = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) continue;
    const ssize_t k = ::read(fds[0], buf, sizeof buf);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;  // EOF: the tool closed its output (exited)
    if (!quiet) {
      std::fwrite(buf, 1, static_cast<std::size_t>(k), stderr);
      std::fflush(stderr);
    }
    r.output.append(buf, static_cast<std::size_t>(k));
    if (r.output.size() > 65536) r.output.erase(0, r.output.size() - 65536);
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

// Output without ANSI colour sequences, lower case.
std::string plain_lower(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\033' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
      continue;
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  }
  return out;
}

// The first output line containing `needle` (case-insensitive), trimmed, without colours.
std::string line_with(const std::string& output, const std::string& needle) {
  const std::string low = plain_lower(output);
  const std::size_t at = low.find(needle);
  if (at == std::string::npos) return "";
  std::size_t b = low.rfind('\n', at);
  b = b == std::string::npos ? 0 : b + 1;
  std::size_t e = low.find_first_of("\r\n", at);
  if (e == std::string::npos) e = low.size();
  std::string line = low.substr(b, e - b);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

std::string last_lines(const std::string& output, unsigned k) {
  std::string low = plain_lower(output);
  std::replace(low.begin(), low.end(), '\r', '\n');
  std::vector<std::string> lines;
  std::size_t b = 0;
  while (b < low.size()) {
    std::size_t e = low.find('\n', b);
    if (e == std::string::npos) e = low.size();
    std::string l = low.substr(b, e - b);
    if (l.find_first_not_of(" \t") != std::string::npos) lines.push_back(l);
    b = e + 1;
  }
  std::string out;
  for (std::size_t i = lines.size() > k ? lines.size() - k : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out.empty() ? "(no output)" : out;
}

constexpr const char* kUdevHint =
    "install the udev rules so your user may open it (sudo cp driver/99-lpu.rules "
    "/etc/udev/rules.d/70-lpu.rules && sudo udevadm control --reload-rules && sudo udevadm "
    "trigger; sudo usermod -aG plugdev $USER and log in again; docs/cli.md \"Boards and udev "
    "rules\"), then re-plug the board";

// Turns a failed openFPGALoader run into one message: what happened to which board, and what
// to do about it.
std::string explain_failure(const Board& b, const ToolRun& r, const std::string& tool) {
  const std::string who = "board " + std::string(b.name) + " (" + b.bridge + ")";
  const std::string low = plain_lower(r.output);
  std::string said = line_with(r.output, "unable to open ftdi device");
  if (said.empty()) said = line_with(r.output, "jtag init failed");
  if (said.empty()) said = line_with(r.output, "failed to claim cable");
  if (said.empty()) said = line_with(r.output, "unable to claim");
  const std::string quoted = said.empty() ? "" : " (openFPGALoader: \"" + said + "\")";

  if (r.timed_out) {
    return who + ": " + tool + " did not finish within the --timeout and was stopped; re-plug "
           "the board and try again (writing flash takes longer: raise --timeout)";
  }
  if (r.signal != 0) {
    return who + ": " + tool + " was ended by signal " + std::to_string(r.signal) +
           "; the board may be half-configured: run the command again";
  }
  const bool open_failed = !said.empty();
  if (open_failed && (low.find("device not found") != std::string::npos ||
                      low.find("-3 (") != std::string::npos)) {
    return "no " + who + " found" + quoted + ": " + b.connect +
           ", check that `lsusb` lists it, and run the command again; if it is listed, " +
           kUdevHint;
  }
  if (open_failed && (low.find("permission") != std::string::npos ||
                      low.find("access") != std::string::npos ||
                      low.find("-4 (") != std::string::npos ||
                      low.find("unable to open device") != std::string::npos)) {
    return "cannot open " + who + quoted + ", most likely a permission problem: " + kUdevHint;
  }
  if (open_failed && (low.find("claim") != std::string::npos || low.find("busy") != std::string::npos ||
                      low.find("-5 (") != std::string::npos)) {
    return who + " is in use" + quoted + ": close the program that holds it (an `lpu run "
           "--device usb`, an `lpu sim-server --device usb`, a serial terminal, another "
           "openFPGALoader) and run the command again";
  }
  if (open_failed) {
    return "cannot reach " + who + quoted + ": " + b.connect + ", check that `lsusb` lists it; " +
           "if it does, " + kUdevHint;
  }
  const std::string fail = line_with(r.output, "fail");
  if (!fail.empty()) {
    return who + ": programming failed (openFPGALoader: \"" + fail + "\"): check that the " +
           "bitstream was built for this board's FPGA, re-plug the board and try again";
  }
  return who + ": " + tool + " exited with status " + std::to_string(r.exit_code) + " (" +
         last_lines(r.output, 3) + "); see its output above, re-plug the board and try again";
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_./:=+,@%") == std::string::npos)
    return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run_flash(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"board", 'b', OptKind::value, "ulx3s|icebreaker"},
                                        {"flash", 'f', OptKind::flag, "write the SPI flash"},
                                        {"verify", 0, OptKind::flag, "verify the flash"},
                                        {"serial", 0, OptKind::value, "FTDI serial number"},
                                        {"dry-run", 'n', OptKind::flag, "check and print only"},
                                        {"timeout", 0, OptKind::value, "seconds"},
                                        {"quiet", 'q', OptKind::flag, "no openFPGALoader output"},
                                    });
  opt.require_positionals(1, 1, "bitstream (FILE.bit for ulx3s, FILE.bin for icebreaker)");
  if (!opt.has("board")) {
    throw lpu::Error("--board is required: --board ulx3s (ECP5 .bit) or --board icebreaker "
                     "(iCE40 .bin)");
  }
  const Board& b = board_by_name(opt.value_or("board", ""));
  const std::string file = opt.positional(0);
  if (opt.flag("verify") && !opt.flag("flash")) {
    throw lpu::Error("--verify checks the SPI flash: use it with --flash");
  }
  const std::uint64_t timeout_s = opt.uint_or("timeout", 600);
  if (timeout_s == 0) throw lpu::Error("--timeout 0: give the seconds to wait (default 600)");

  // 1. The file: a bitstream for this board's FPGA.
  std::uint64_t size = 0;
  const auto head = read_head(file, 64 * 1024, size);
  const Bitstream bs = inspect_bitstream(head);
  if (bs.family != b.family) {
    std::string hint;
    for (const auto& other : kBoards) {
      if (bs.family == other.family) hint = " (it is for --board " + std::string(other.name) + ")";
    }
    throw lpu::Error("board " + std::string(b.name) + ": '" + file + "' is " + bs.what + hint +
                     ", not an " + b.family + " bitstream; give the " + b.family + " ." + b.ext +
                     " file that `make bitstream BOARD=" + b.name +
                     "` writes (docs/cli.md \"Bitstream check\")");
  }

  // 2. The command.
  const char* env = std::getenv("LPU_OPENFPGALOADER");
  const std::string tool = env && *env ? env : "openFPGALoader";
  std::vector<std::string> argv = {tool, "-b", b.ofl_board};
  argv.push_back(opt.flag("flash") ? "--write-flash" : "--write-sram");
  if (opt.flag("verify")) argv.push_back("--verify");
  if (opt.has("serial")) {
    argv.push_back("--ftdi-serial");
    argv.push_back(opt.value_or("serial", ""));
  }
  const std::string ext = file.size() > 4 ? file.substr(file.size() - 4) : "";
  if (ext != "." + std::string(b.ext)) {  // openFPGALoader goes by the extension otherwise
    argv.push_back("--file-type");
    argv.push_back(b.ext);
  }
  argv.push_back(file);
  std::string cmdline;
  for (const auto& a : argv) cmdline += (cmdline.empty() ? "" : " ") + shell_quote(a);

  const std::string target = opt.flag("flash") ? "SPI flash" : "SRAM";
  std::cerr << "lpu flash: " << file << ": " << bs.what << ", " << size << " bytes -> " << b.name
            << " " << target << std::endl;
  if (opt.flag("dry-run")) {
    std::cout << cmdline << std::endl;
    return 0;
  }

  // 3. Run it.
  const ToolRun r = run_tool(argv, opt.flag("quiet"), std::chrono::seconds(timeout_s));
  if (!r.started) {
    if (r.spawn_errno == ENOENT) {
      throw lpu::Error(
          "board " + std::string(b.name) + ": " +
          (env && *env ? "LPU_OPENFPGALOADER=" + tool + " does not exist"
                       : std::string("openFPGALoader was not found on PATH")) +
          "; it loads the bitstream onto the board: install it (sudo apt install openfpgaloader, "
          "or `make setup`) or set LPU_OPENFPGALOADER to its path");
    }
    throw lpu::Error("board " + std::string(b.name) + ": cannot run " + tool + ": " +
                     std::strerror(r.spawn_errno) + " (check that it is an executable file)");
  }
  if (r.exit_code != 0 || r.signal != 0 || r.timed_out ||
      !line_with(r.output, "unable to open ftdi device").empty() ||
      !line_with(r.output, "fail").empty()) {
    throw lpu::Error(explain_failure(b, r, tool));
  }
  std::cerr << "lpu flash: " << b.name << ": " << file << " written to " << target
            << (opt.flag("flash") ? " (it boots from it at the next power-up)" : "") << std::endl;
  return 0;
}

}  // namespace

LPU_COMMAND(flash, "load a bitstream onto a board (ULX3S, iCEBreaker) with openFPGALoader",
            "--board ulx3s|icebreaker FILE [--flash [--verify]] [--serial S] [--dry-run]\n"
            "         [--timeout SECONDS] [--quiet]\n"
            "\n"
            "Checks that FILE is a bitstream for the board's FPGA (ECP5 .bit for ulx3s, iCE40\n"
            ".bin for icebreaker), then runs openFPGALoader to load it into the FPGA's SRAM\n"
            "(lost at power-off) or, with --flash, to write it to the board's SPI flash (the\n"
            "FPGA boots from it). openFPGALoader is $LPU_OPENFPGALOADER, else the one on PATH;\n"
            "its output is shown as it runs. A missing board, missing permissions (udev rules:\n"
            "driver/99-lpu.rules) or a busy bridge is an error that says what to do.\n"
            "\n"
            "options:\n"
            "  -b, --board B       ulx3s (openFPGALoader -b ulx3s) or icebreaker\n"
            "                      (openFPGALoader -b ice40_generic)\n"
            "  -f, --flash         write the SPI flash instead of the SRAM\n"
            "      --verify        read the flash back and compare (with --flash)\n"
            "      --serial S      the board's FTDI serial number, when several are plugged in\n"
            "  -n, --dry-run       check the file and print the openFPGALoader command only\n"
            "      --timeout S     stop openFPGALoader after S seconds (default 600)\n"
            "  -q, --quiet         do not show openFPGALoader's output\n",
            run_flash)
