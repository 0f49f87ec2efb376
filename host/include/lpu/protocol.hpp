// The host protocol (docs/host-protocol.md): frame encoding, a streaming decoder that
// resynchronises after garbage, and the request/response payloads. Shared by the host driver
// (driver/) and the device-side protocol engine (protocol_server.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/gen/isa_gen.hpp"
#include "lpu/link_status.hpp"

namespace lpu::proto {

inline constexpr std::uint8_t kSync0 = 0xA5;
inline constexpr std::uint8_t kSync1 = 0x5A;
inline constexpr std::size_t kHeaderBytes = 12;
inline constexpr std::size_t kCrcBytes = 4;
inline constexpr std::size_t kMaxData = 4096;      // data bytes per memory request
inline constexpr std::size_t kMemHeaderBytes = 8;  // space, bank, reserved, addr
inline constexpr std::size_t kMaxPayload = kMaxData + kMemHeaderBytes;
inline constexpr std::size_t kMaxFrame = kHeaderBytes + kMaxPayload + kCrcBytes;
inline constexpr std::size_t kMinMaxData = 256;  // smallest max_data a device may advertise
inline constexpr unsigned kGapTimeoutMs = 100;   // T_GAP
inline constexpr std::uint16_t kProtoMajor = 1;
inline constexpr std::uint16_t kProtoMinor = 1;  // 1: LINK_STATUS
inline constexpr std::uint8_t kResponseBit = 0x80;

enum class Cmd : std::uint8_t {
  info = 0x01,
  write_mem = 0x02,
  read_mem = 0x03,
  set_program_len = 0x04,
  run = 0x05,
  status = 0x06,
  counters = 0x07,
  reset = 0x08,
  abort = 0x09,
  link_status = 0x0A,  // protocol 1.1 (INFO feature bit 4)
};
bool is_request_cmd(std::uint8_t cmd);
std::string_view cmd_name(std::uint8_t cmd);  // "WRITE_MEM"; request or response code

enum class Status : std::uint8_t {
  ok = 0,
  bad_crc = 1,
  bad_length = 2,
  unknown_command = 3,
  bad_address = 4,
  busy = 5,
  bad_argument = 6,
  device_error = 7,
};
std::string_view status_name(Status s);

// Which part of a request an error response blames.
enum class ErrField : std::uint8_t {
  none = 0,
  space = 1,
  bank = 2,
  addr = 3,
  length = 4,
  command = 5,
  header = 6,
  payload = 7,
  reserved = 8,
  prog_len = 9,
  frame = 10,
};
std::string_view err_field_name(ErrField f);

// Address spaces of memory requests (the core's host-port numbering; 0..2 equal lpu::Space).
enum class MemSpace : std::uint8_t { sram = 0, acc = 1, lut = 2, imem = 3 };
inline constexpr unsigned kNumMemSpaces = 4;
std::string_view mem_space_name(MemSpace s);
// Bytes per unit, units per bank and number of banks of a space on `cfg`.
std::size_t mem_unit_bytes(MemSpace s, const Config& cfg);
std::size_t mem_depth(MemSpace s, const Config& cfg);
std::size_t mem_banks(MemSpace s, const Config& cfg);

enum class ChipState : std::uint8_t { idle = 0, running = 1, done = 2, error = 3 };
std::string_view chip_state_name(ChipState s);

// INFO feature bits.
inline constexpr std::uint32_t kFeatAbort = 1u << 0;
inline constexpr std::uint32_t kFeatImemReadable = 1u << 1;
inline constexpr std::uint32_t kFeatLiveCounters = 1u << 2;
inline constexpr std::uint32_t kFeatEmulated = 1u << 3;
inline constexpr std::uint32_t kFeatLinkStatus = 1u << 4;  // answers LINK_STATUS

struct Frame {
  std::uint8_t cmd = 0;
  std::uint8_t seq = 0;
  std::uint8_t status = 0;
  std::uint8_t flags = 0;
  std::vector<std::uint8_t> payload;
};

// The complete byte image of a frame. Throws lpu::Error when the payload exceeds kMaxPayload.
std::vector<std::uint8_t> encode_frame(const Frame& f);

// A streaming decoder: feed() bytes as they arrive; it yields whole, CRC-checked frames and
// error events, resynchronising byte by byte (docs/host-protocol.md "Receiving and
// resynchronising"). It holds at most one maximal frame plus one feed chunk of bytes.
class FrameDecoder {
 public:
  struct Event {
    enum class Kind : std::uint8_t {
      frame,       // a good frame (header, payload)
      bad_crc,     // the header was good but fcrc did not match: frame.cmd/seq are valid
      bad_length,  // the header was good but len exceeds the bound: frame.cmd/seq valid
    };
    Kind kind = Kind::frame;
    Frame frame;                     // payload only for Kind::frame
    std::uint16_t len = 0;           // the header's len
    std::uint32_t received_crc = 0;  // bad_crc: the fcrc in the frame
    std::uint32_t computed_crc = 0;  // bad_crc: the CRC of the bytes received
  };

  // `max_payload`: the bound on len (a device: its max_data + 8; a host: kMaxPayload).
  explicit FrameDecoder(std::size_t max_payload = kMaxPayload);

  // Appends bytes and returns the events they complete, in stream order.
  std::vector<Event> feed(const std::uint8_t* data, std::size_t n);
  // True while part of a candidate frame is held (the gap timer should run).
  bool mid_frame() const { return !buf_.empty(); }
  std::size_t held() const { return buf_.size(); }
  // After T_GAP of silence (a device): abandons the incomplete candidate, rescans the bytes
  // held after its first byte (a good frame may hide behind a bogus or truncated header) and
  // returns what that completes; whatever is still incomplete is then dropped too.
  std::vector<Event> flush();
  // Drops everything held (a host before a retry).
  void drop_partial() {
    discarded_ += buf_.size();
    buf_.clear();
  }
  // Bytes skipped while hunting or discarded by drop_partial (statistics for tests).
  std::uint64_t discarded() const { return discarded_; }
  std::size_t max_payload() const { return max_payload_; }

 private:
  void parse(std::vector<Event>& out);

  std::size_t max_payload_;
  std::vector<std::uint8_t> buf_;  // buf_[0] == kSync0 whenever non-empty
  std::uint64_t discarded_ = 0;
};

// ---- little-endian helpers ------------------------------------------------------------

void put_u16(std::vector<std::uint8_t>& v, std::uint16_t x);
void put_u32(std::vector<std::uint8_t>& v, std::uint32_t x);
void put_u64(std::vector<std::uint8_t>& v, std::uint64_t x);
std::uint16_t get_u16(const std::uint8_t* p);
std::uint32_t get_u32(const std::uint8_t* p);
std::uint64_t get_u64(const std::uint8_t* p);

// ---- payloads (encode to / decode from a frame payload) ---------------------------------
// decode_* throw lpu::Error "<what>: ..." when the payload has the wrong size or a bad value.

struct InfoPayload {
  std::uint16_t proto_major = kProtoMajor;
  std::uint16_t proto_minor = kProtoMinor;
  std::uint32_t isa_version = gen::kIsaVersion;
  std::uint32_t config_id = 0;
  std::uint16_t lanes = 0, banks = 0;
  std::uint32_t bank_depth = 0, acc_depth = 0, imem_depth = 0, lut_depth = 0;
  std::uint16_t vregs = 0, sregs = 0, loop_depth = 0, links = 0;
  std::uint32_t max_data = kMaxData;
  std::uint32_t features = 0;
  std::uint16_t num_counters = gen::kNumCounters;
  std::uint32_t clock_hz = 0;
  std::uint32_t gap_timeout_ms = kGapTimeoutMs;

  static InfoPayload for_config(const Config& cfg);
  std::vector<std::uint8_t> encode() const;
  static InfoPayload decode(const std::vector<std::uint8_t>& p);
  static constexpr std::size_t kBytes = 64;
  // The host's view: the known configuration this describes. Throws lpu::Error naming the
  // mismatch (protocol major, ISA version, unknown config id, a size that differs).
  const Config& check_config() const;
};

struct MemRequest {
  MemSpace space = MemSpace::sram;
  std::uint8_t bank = 0;
  std::uint32_t addr = 0;
  std::uint32_t nbytes = 0;        // READ_MEM
  std::vector<std::uint8_t> data;  // WRITE_MEM

  std::vector<std::uint8_t> encode_write() const;
  std::vector<std::uint8_t> encode_read() const;
};

struct StatusPayload {
  ChipState state = ChipState::idle;
  std::uint8_t error_code = 0;
  std::uint32_t error_pc = 0;
  std::uint64_t error_cycle = 0;
  std::uint64_t cycles = 0;
  std::uint32_t program_len = 0;
  std::uint32_t runs = 0;

  std::vector<std::uint8_t> encode() const;
  static StatusPayload decode(const std::vector<std::uint8_t>& p);
  static constexpr std::size_t kBytes = 32;
};

using CounterArray = std::array<std::uint64_t, gen::kNumCounters>;
std::vector<std::uint8_t> encode_counters(const CounterArray& c);
CounterArray decode_counters(const std::vector<std::uint8_t>& p);

// LINK_STATUS: u8 links, u8 counters per link, u16 0, then per link u8 up, u8 state, u16 0
// and kLinkCounters x u32.
inline constexpr unsigned kMaxLinks = 16;
inline constexpr std::size_t kLinkStatusHeaderBytes = 4;
inline constexpr std::size_t kLinkStatusPerLinkBytes = 4 + 4 * kLinkCounters;
// Throws lpu::Error for more than kMaxLinks links or a link without kLinkCounters counters.
std::vector<std::uint8_t> encode_link_status(const std::vector<LinkStatus>& links);
// Throws lpu::Error "LINK_STATUS response: ..." for a short or wrong-sized payload, more than
// kMaxLinks links, a counter count other than kLinkCounters, up not 0/1 or a state above UP.
// Reserved fields are ignored.
std::vector<LinkStatus> decode_link_status(const std::vector<std::uint8_t>& p);

struct ErrorPayload {
  ErrField field = ErrField::none;
  std::uint32_t value = 0;
  std::uint32_t limit = 0;

  std::vector<std::uint8_t> encode() const;
  static ErrorPayload decode(const std::vector<std::uint8_t>& p);  // lenient: short -> none
  static constexpr std::size_t kBytes = 12;
};

// "WRITE_MEM: BAD_ADDRESS: addr 1024 (limit 1024)" for an error response to `cmd`.
std::string describe_error(std::uint8_t cmd, Status s, const ErrorPayload& e);

}  // namespace lpu::proto
