// Host interface: frame parser, command engine and response serialiser of the host protocol
// (docs/host-protocol.md), executing requests through lpu_core's host port (docs/core.md).
// Specification and timing: docs/host-if.md.
//
// Bytes in (rx_*) and out (tx_*) are valid/ready streams of at most one byte per cycle: from
// and to the UART on a board, or the side door of lpu_top in a simulation. A frame is checked
// completely (header CRC, length bound, frame CRC, then the command's own checks) before
// anything is written: WRITE_MEM data waits in a MaxData-byte buffer until then.
module lpu_host_if #(
  parameter int unsigned CfgId     = lpu_isa_pkg::CFG_BASE_ID,
  parameter int unsigned MaxData   = 4096,       // INFO.max_data: power of two, 256..4096
  parameter int unsigned GapCycles = 10_000_000, // inter-byte timeout of a partial frame
  parameter int unsigned ClkHz     = 100_000_000,// INFO.clock_hz
  parameter int unsigned GapMs     = 100,        // INFO.gap_timeout_ms
  parameter bit          Emulated  = 1'b0,       // INFO.features bit 3
  // Derived from the package; not meant to be overridden.
  localparam bit          Tiny  = (CfgId == lpu_isa_pkg::CFG_TINY_ID),
  localparam int unsigned Lanes = Tiny ? lpu_isa_pkg::CFG_TINY_LANES : lpu_isa_pkg::CFG_BASE_LANES,
  localparam int unsigned HostW = Lanes * 32
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // Request bytes.
  input  logic             rx_valid_i,
  input  logic [7:0]       rx_data_i,
  output logic             rx_ready_o,
  // Response bytes.
  output logic             tx_valid_o,
  output logic [7:0]       tx_data_o,
  input  logic             tx_ready_i,
  // Drop a partial frame now (a gap timeout on demand).
  input  logic             flush_i,
  output logic             idle_o,       // waiting for request bytes, nothing else to do
  output logic             mid_frame_o,  // part of a frame is held (the gap timer runs)
  // lpu_core's host port.
  output logic             core_req_o,
  output logic             core_we_o,
  output logic [2:0]       core_space_o,
  output logic [3:0]       core_bank_o,
  output logic [31:0]      core_addr_o,
  output logic [HostW-1:0] core_wdata_o,
  input  logic             core_rvalid_i,
  input  logic             core_err_i,
  input  logic [HostW-1:0] core_rdata_i,
  input  logic             core_running_i,
  output logic             core_rst_o    // hold lpu_core in reset (RESET)
);

  // ---------------------------------------------------------------------------------------
  // Configuration.
  // ---------------------------------------------------------------------------------------
  localparam int unsigned Banks     = Tiny ? lpu_isa_pkg::CFG_TINY_BANKS : lpu_isa_pkg::CFG_BASE_BANKS;
  localparam int unsigned BankDepth = Tiny ? lpu_isa_pkg::CFG_TINY_BANK_DEPTH : lpu_isa_pkg::CFG_BASE_BANK_DEPTH;
  localparam int unsigned AccDepth  = Tiny ? lpu_isa_pkg::CFG_TINY_ACC_DEPTH : lpu_isa_pkg::CFG_BASE_ACC_DEPTH;
  localparam int unsigned ImemDepth = Tiny ? lpu_isa_pkg::CFG_TINY_IMEM_DEPTH : lpu_isa_pkg::CFG_BASE_IMEM_DEPTH;
  localparam int unsigned LutDepth  = Tiny ? lpu_isa_pkg::CFG_TINY_LUT_DEPTH : lpu_isa_pkg::CFG_BASE_LUT_DEPTH;
  localparam int unsigned VRegs     = Tiny ? lpu_isa_pkg::CFG_TINY_VREGS : lpu_isa_pkg::CFG_BASE_VREGS;
  localparam int unsigned SRegs     = Tiny ? lpu_isa_pkg::CFG_TINY_SREGS : lpu_isa_pkg::CFG_BASE_SREGS;
  localparam int unsigned LoopDepth = Tiny ? lpu_isa_pkg::CFG_TINY_LOOP_DEPTH : lpu_isa_pkg::CFG_BASE_LOOP_DEPTH;
  localparam int unsigned Links     = Tiny ? lpu_isa_pkg::CFG_TINY_LINKS : lpu_isa_pkg::CFG_BASE_LINKS;
  localparam int unsigned NumCnt    = lpu_isa_pkg::NUM_COUNTERS;

  localparam int unsigned BufAw    = $clog2(MaxData);
  localparam int unsigned GapW     = $clog2(GapCycles + 1);
  localparam int unsigned SramLog  = $clog2(Lanes);       // log2 of unit bytes per space
  localparam int unsigned AccLog   = $clog2(Lanes * 4);
  localparam int unsigned MaxLen   = MaxData + 8;         // bound on a request's len

  // INFO.features: ABORT, IMEM readable, counters live while running, emulated, LINK_STATUS.
  localparam logic [31:0] Features = {27'd0, 1'b1, Emulated, 3'b111};
  localparam logic [15:0] ProtoMinor = 16'd1;  // 1: LINK_STATUS

  // Protocol constants (docs/host-protocol.md).
  localparam logic [7:0] Sync0 = 8'hA5;
  localparam logic [7:0] Sync1 = 8'h5A;

  localparam logic [7:0] CmdInfo     = 8'h01;
  localparam logic [7:0] CmdWrite    = 8'h02;
  localparam logic [7:0] CmdRead     = 8'h03;
  localparam logic [7:0] CmdSetLen   = 8'h04;
  localparam logic [7:0] CmdRun      = 8'h05;
  localparam logic [7:0] CmdStatus   = 8'h06;
  localparam logic [7:0] CmdCounters = 8'h07;
  localparam logic [7:0] CmdReset    = 8'h08;
  localparam logic [7:0] CmdAbort    = 8'h09;
  localparam logic [7:0] CmdLink     = 8'h0A;  // LINK_STATUS

  localparam logic [7:0] StOk         = 8'd0;
  localparam logic [7:0] StBadCrc     = 8'd1;
  localparam logic [7:0] StBadLength  = 8'd2;
  localparam logic [7:0] StUnknownCmd = 8'd3;
  localparam logic [7:0] StBadAddress = 8'd4;
  localparam logic [7:0] StBusy       = 8'd5;
  localparam logic [7:0] StBadArg     = 8'd6;

  localparam logic [7:0] FldSpace    = 8'd1;
  localparam logic [7:0] FldBank     = 8'd2;
  localparam logic [7:0] FldAddr     = 8'd3;
  localparam logic [7:0] FldLength   = 8'd4;
  localparam logic [7:0] FldCommand  = 8'd5;
  localparam logic [7:0] FldHeader   = 8'd6;
  localparam logic [7:0] FldPayload  = 8'd7;
  localparam logic [7:0] FldReserved = 8'd8;
  localparam logic [7:0] FldProgLen  = 8'd9;
  localparam logic [7:0] FldFrame    = 8'd10;

  // Host-port spaces and CTRL registers (docs/core.md).
  localparam logic [2:0] SpCtrl = 3'd4;
  localparam logic [2:0] SpCnt  = 3'd5;
  localparam logic [2:0] SpLink = 3'd7;  // link k: k*32 {up, state}, k*32+1+i counter i
  localparam logic [31:0] CtrlCmd      = 32'd0;
  localparam logic [31:0] CtrlLen      = 32'd1;
  localparam logic [31:0] CtrlErrCode  = 32'd2;
  localparam logic [31:0] CtrlErrPc    = 32'd3;
  localparam logic [31:0] CtrlErrCycle = 32'd4;

  // INFO payload, 8 bytes at a time (little-endian fields, docs/host-protocol.md "INFO").
  function automatic logic [63:0] info_word(input logic [2:0] i);
    case (i)
      3'd0:    info_word = {32'(lpu_isa_pkg::ISA_VERSION), ProtoMinor, 16'd1};
      3'd1:    info_word = {16'(Banks), 16'(Lanes), 32'(CfgId)};
      3'd2:    info_word = {32'(AccDepth), 32'(BankDepth)};
      3'd3:    info_word = {32'(LutDepth), 32'(ImemDepth)};
      3'd4:    info_word = {16'(Links), 16'(LoopDepth), 16'(SRegs), 16'(VRegs)};
      3'd5:    info_word = {Features, 32'(MaxData)};
      3'd6:    info_word = {32'(ClkHz), 16'd0, 16'(NumCnt)};
      default: info_word = {32'd0, 32'(GapMs)};
    endcase
  endfunction

  // ---------------------------------------------------------------------------------------
  // State.
  // ---------------------------------------------------------------------------------------
  typedef enum logic [3:0] {
    StHunt,    // waiting for sync0
    StSync1,   // sync0 seen, waiting for sync1
    StHdr,     // header bytes 2..11
    StPay,     // payload bytes
    StFcrc,    // the 4 fcrc bytes
    StCheck0,  // the command's checks, registered
    StCheck,   // the first failing check, or the action
    StCommit,  // WRITE_MEM: buffer -> core
    StAct,     // one CTRL write (SET_PROGRAM_LEN, RUN, ABORT)
    StReset,   // core reset pulse
    StTx       // sending the response
  } state_e;

  typedef enum logic [1:0] {TpHdr, TpHcrc, TpPay, TpFcrc} tx_phase_e;

  // What the response payload is made of.
  typedef enum logic [2:0] {KNone, KError, KInfo, KRead, KStatus, KCounters, KLink} payload_e;

  // LINK_STATUS: per link one {up, state} word and the status counters (docs/link.md).
  localparam int unsigned LinkCnt = 23;
  localparam int unsigned LinkRspLen = 4 + Links * (4 + 4 * LinkCnt);

  state_e      state_q, state_d;
  logic [15:0] idx_q, idx_d;           // byte index within the current state / phase
  logic [GapW-1:0] gap_q, gap_d;

  logic [7:0]  cmd_q, cmd_d, seq_q, seq_d, hstat_q, hstat_d, flags_q, flags_d;
  logic [15:0] len_q, len_d;
  logic [31:0] rcrc_q, rcrc_d;         // received CRC bytes, little-endian
  logic [31:0] ccrc_q, ccrc_d;         // computed CRC they are compared with
  logic [95:0] args_q, args_d;         // payload bytes 0..11
  logic [31:0] runs_q, runs_d;

  // Command checks, registered in StCheck0.
  logic        ck_cmd_bad_q, ck_hdr_bad_q, ck_size_bad_q, ck_busy_q, ck_rsv_bad_q;
  logic        ck_space_bad_q, ck_bank_bad_q, ck_addr_bad_q, ck_unit_bad_q, ck_max_bad_q;
  logic        ck_left_bad_q, ck_prog_bad_q;
  logic [31:0] ck_expect_q, n_q, depth_q, left_bytes_q;
  logic [7:0]  nbanks_q, unit_q;
  logic        ck_cmd_bad_d, ck_hdr_bad_d, ck_size_bad_d, ck_busy_d, ck_rsv_bad_d;
  logic        ck_space_bad_d, ck_bank_bad_d, ck_addr_bad_d, ck_unit_bad_d, ck_max_bad_d;
  logic        ck_left_bad_d, ck_prog_bad_d;
  logic [31:0] ck_expect_d, n_d, depth_d, left_bytes_d;
  logic [7:0]  nbanks_d, unit_d;

  // Response.
  logic [7:0]  rsp_status_q, rsp_status_d;
  logic [15:0] rsp_len_q, rsp_len_d;
  payload_e    kind_q, kind_d;
  logic [7:0]  err_field_q, err_field_d;
  logic [31:0] err_value_q, err_value_d, err_limit_q, err_limit_d;
  tx_phase_e   tph_q, tph_d;
  logic [31:0] snap_q, snap_d;         // CRC being sent
  logic [15:0] item_q, item_d;         // payload item / WRITE_MEM unit index
  logic [HostW-1:0] word_q, word_d;    // payload word being sent / WRITE_MEM unit assembled
  logic [7:0]  left_q, left_d;         // bytes of word_q still to send
  logic [1:0]  fetch_q, fetch_d;       // a core read for word_q: 1 in the port register, 2 answered
  logic [7:0]  fbytes_q, fbytes_d;     // its bytes
  logic        fmask_q, fmask_d;       // its value is an error field (0 unless state error)
  logic        fstate_q, fstate_d;     // it is STATUS.state
  logic [1:0]  cstate_q, cstate_d;     // STATUS.state as read
  logic        flink_q, flink_d;       // it is a link's {up, state} word (LINK_STATUS)
  logic [8:0]  laddr_q, laddr_d;       // LINK_STATUS: the next SpLink address
  logic        cvalid_q, cvalid_d;     // WRITE_MEM: a buffer byte arrives this cycle
  logic [7:0]  ucnt_q, ucnt_d;         // WRITE_MEM: bytes of the current unit so far
  logic        core_rst_q;
  // The host port's request, registered (core_*_o): the core sees a request the cycle after
  // the engine makes it and answers in the cycle after that. The write data is word_q, which
  // holds the unit (or CTRL value) the cycle after the request is made.
  logic        hreq, hwe, hreq_q, hwe_q;
  logic [2:0]  hspace, hspace_q;
  logic [3:0]  hbank, hbank_q;
  logic [31:0] haddr, haddr_q;

  // ---------------------------------------------------------------------------------------
  // Receive CRC and buffer.
  // ---------------------------------------------------------------------------------------
  logic        rx_fire;
  logic        rcrc_clear, rcrc_en;
  logic [31:0] rx_crc, rx_crc_next;
  logic [7:0]  b;

  assign b = rx_data_i;

  lpu_crc32 u_rx_crc (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (rcrc_clear),
    .en_i       (rcrc_en),
    .data_i     (rx_data_i),
    .crc_o      (rx_crc),
    .crc_next_o (rx_crc_next)
  );

  logic             buf_we, buf_re;
  logic [BufAw-1:0] buf_waddr, buf_raddr;
  logic [7:0]       buf_rdata;

  lpu_sram_bank #(
    .Lanes    (1),
    .Depth    (MaxData),
    .DualPort (1'b1)
  ) u_buf (
    .clk_i     (clk_i),
    .rd_en_i   (buf_re),
    .rd_addr_i (buf_raddr),
    .rd_data_o (buf_rdata),
    .wr_en_i   (buf_we),
    .wr_addr_i (buf_waddr),
    .wr_data_i (rx_data_i)
  );

  // ---------------------------------------------------------------------------------------
  // Transmit CRC.
  // ---------------------------------------------------------------------------------------
  logic        tx_fire;
  logic [7:0]  tx_byte;
  logic [31:0] tx_crc, tx_crc_next;

  lpu_crc32 u_tx_crc (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (state_q == StTx && tph_q == TpHdr && idx_q == 16'd0),
    .en_i       (tx_fire),
    .data_i     (tx_byte),
    .crc_o      (tx_crc),
    .crc_next_o (tx_crc_next)
  );

  // ---------------------------------------------------------------------------------------
  // Request decode and the command checks (inputs of StCheck0).
  // ---------------------------------------------------------------------------------------
  logic        is_write, is_read, is_mem;
  logic [7:0]  a_space, a_bank;
  logic [15:0] a_rsv;
  logic [31:0] a_addr, a_n;
  logic [4:0]  ulog;
  logic [31:0] left_units;

  assign is_write = (cmd_q == CmdWrite);
  assign is_read  = (cmd_q == CmdRead);
  assign is_mem   = is_write || is_read;
  assign a_space  = args_q[7:0];
  assign a_bank   = args_q[15:8];
  assign a_rsv    = args_q[31:16];
  assign a_addr   = args_q[63:32];
  assign a_n      = is_write ? (32'(len_q) - 32'd8) : args_q[95:64];

  always_comb begin
    ulog     = 5'd0;
    depth_d  = 32'd0;
    nbanks_d = 8'd1;
    case (a_space)
      8'd0: begin ulog = 5'(SramLog); depth_d = 32'(BankDepth); nbanks_d = 8'(Banks); end
      8'd1: begin ulog = 5'(AccLog);  depth_d = 32'(AccDepth);  end
      8'd2: begin ulog = 5'd1;        depth_d = 32'(LutDepth);  end
      8'd3: begin ulog = 5'd3;        depth_d = 32'(ImemDepth); end
      default: ;
    endcase
    unit_d       = 8'd1 << ulog;
    left_units   = depth_d - a_addr;
    left_bytes_d = left_units << ulog;
    n_d          = a_n;

    ck_cmd_bad_d  = (cmd_q == 8'd0) || (cmd_q > CmdLink);
    ck_hdr_bad_d  = (hstat_q != 8'd0) || (flags_q != 8'd0);
    case (cmd_q)
      CmdWrite:  ck_expect_d = 32'd8;
      CmdRead:   ck_expect_d = 32'd12;
      CmdSetLen: ck_expect_d = 32'd4;
      default:   ck_expect_d = 32'd0;
    endcase
    ck_size_bad_d  = is_write ? (len_q < 16'd8) : (32'(len_q) != ck_expect_d);
    ck_busy_d      = core_running_i &&
                     (is_mem || cmd_q == CmdSetLen || cmd_q == CmdRun);
    ck_rsv_bad_d   = (a_rsv != 16'd0);
    ck_space_bad_d = (a_space > 8'd3);
    ck_bank_bad_d  = (a_bank >= nbanks_d);
    ck_addr_bad_d  = (a_addr >= depth_d);
    ck_unit_bad_d  = (a_n == 32'd0) || ((a_n & (32'(unit_d) - 32'd1)) != 32'd0);
    ck_max_bad_d   = (a_n > 32'(MaxData));
    ck_left_bad_d  = ((a_n >> ulog) > left_units);
    ck_prog_bad_d  = (args_q[31:0] > 32'(ImemDepth));
  end

  // ---------------------------------------------------------------------------------------
  // Response payload items: what word_q is loaded with next.
  // ---------------------------------------------------------------------------------------
  logic        it_core, it_mask, it_state, it_link;
  logic [2:0]  it_space;
  logic [3:0]  it_bank;
  logic [31:0] it_addr;
  logic [7:0]  it_bytes;
  logic [63:0] it_local;

  always_comb begin
    it_core  = 1'b0;
    it_mask  = 1'b0;
    it_state = 1'b0;
    it_link  = 1'b0;
    it_space = SpCtrl;
    it_bank  = 4'd0;
    it_addr  = 32'd0;
    it_bytes = 8'd8;
    it_local = 64'd0;
    case (kind_q)
      KError: begin
        if (item_q == 16'd0) begin
          it_local = {err_value_q, 24'd0, err_field_q};
        end else begin
          it_local = {32'd0, err_limit_q};
          it_bytes = 8'd4;
        end
      end
      KInfo: it_local = info_word(item_q[2:0]);
      KRead: begin
        it_core  = 1'b1;
        it_space = a_space[2:0];
        it_bank  = a_bank[3:0];
        it_addr  = a_addr + 32'(item_q);
        it_bytes = unit_q;
      end
      KStatus: begin
        it_core = 1'b1;
        case (item_q[2:0])
          3'd0: begin it_addr = CtrlCmd;      it_bytes = 8'd1; it_state = 1'b1; end
          3'd1: begin it_addr = CtrlErrCode;  it_bytes = 8'd1; it_mask = 1'b1; end
          3'd2: begin it_core = 1'b0;         it_bytes = 8'd2; end
          3'd3: begin it_addr = CtrlErrPc;    it_bytes = 8'd4; it_mask = 1'b1; end
          3'd4: begin it_addr = CtrlErrCycle; it_bytes = 8'd8; it_mask = 1'b1; end
          3'd5: begin it_space = SpCnt; it_addr = 32'(lpu_isa_pkg::CNT_CYCLES); end
          3'd6: begin it_addr = CtrlLen;      it_bytes = 8'd4; end
          default: begin it_core = 1'b0; it_local = {32'd0, runs_q}; it_bytes = 8'd4; end
        endcase
      end
      KCounters: begin
        if (item_q == 16'd0) begin
          it_local = {32'd0, 16'd0, 16'(NumCnt)};
        end else begin
          it_core  = 1'b1;
          it_space = SpCnt;
          it_addr  = 32'(item_q) - 32'd1;
        end
      end
      KLink: begin
        if (item_q == 16'd0) begin
          it_local = {32'd0, 16'd0, 8'(LinkCnt), 8'(Links)};
          it_bytes = 8'd4;
        end else begin
          it_core  = 1'b1;
          it_space = SpLink;
          it_addr  = 32'(laddr_q);
          it_bytes = 8'd4;
          it_link  = (laddr_q[4:0] == 5'd0);
        end
      end
      default: ;
    endcase
  end

  // WRITE_MEM: the next unit is assembled right-aligned in word_q (cleared when StCommit
  // starts): every buffer byte enters at the unit's top byte while the word shifts down, so
  // after `unit` bytes the unit fills the low bytes and everything above stays zero.
  logic [HostW-1:0] unit_in;

  always_comb begin
    unit_in = {8'd0, word_q[HostW-1:8]};
    case (a_space)
      8'd0:    unit_in[8*(Lanes-1) +: 8] = buf_rdata;
      8'd2:    unit_in[8 +: 8]           = buf_rdata;
      8'd3:    unit_in[56 +: 8]          = buf_rdata;
      default: unit_in[HostW-8 +: 8]     = buf_rdata;
    endcase
  end

  // Response header bytes.
  logic [7:0] hdr_byte;
  always_comb begin
    case (idx_q[2:0])
      3'd0:    hdr_byte = Sync0;
      3'd1:    hdr_byte = Sync1;
      3'd2:    hdr_byte = cmd_q | 8'h80;
      3'd3:    hdr_byte = seq_q;
      3'd4:    hdr_byte = rsp_len_q[7:0];
      3'd5:    hdr_byte = rsp_len_q[15:8];
      3'd6:    hdr_byte = rsp_status_q;
      default: hdr_byte = 8'd0;
    endcase
  end

  always_comb begin
    case (tph_q)
      TpHdr:   tx_byte = hdr_byte;
      TpPay:   tx_byte = word_q[7:0];
      default: tx_byte = snap_q[7:0];
    endcase
  end

  assign tx_valid_o = (state_q == StTx) && (tph_q != TpPay || left_q != 8'd0);
  assign tx_data_o  = tx_byte;
  assign tx_fire    = tx_valid_o && tx_ready_i;

  // ---------------------------------------------------------------------------------------
  // The engine.
  // ---------------------------------------------------------------------------------------
  logic receiving;
  assign receiving   = (state_q == StHunt) || (state_q == StSync1) || (state_q == StHdr) ||
                       (state_q == StPay) || (state_q == StFcrc);
  assign rx_ready_o  = receiving;
  assign rx_fire     = rx_valid_i && receiving;
  assign idle_o      = receiving;
  assign mid_frame_o = receiving && (state_q != StHunt);

  logic [31:0] rcrc_full;  // the 4 received CRC bytes, the last one arriving now
  assign rcrc_full = {b, rcrc_q[31:8]};

  always_comb begin
    state_d      = state_q;
    idx_d        = idx_q;
    gap_d        = gap_q;
    cmd_d        = cmd_q;
    seq_d        = seq_q;
    hstat_d      = hstat_q;
    flags_d      = flags_q;
    len_d        = len_q;
    rcrc_d       = rcrc_q;
    ccrc_d       = ccrc_q;
    args_d       = args_q;
    runs_d       = runs_q;
    rsp_status_d = rsp_status_q;
    rsp_len_d    = rsp_len_q;
    kind_d       = kind_q;
    err_field_d  = err_field_q;
    err_value_d  = err_value_q;
    err_limit_d  = err_limit_q;
    tph_d        = tph_q;
    snap_d       = snap_q;
    item_d       = item_q;
    word_d       = word_q;
    left_d       = left_q;
    fetch_d      = fetch_q;
    fbytes_d     = fbytes_q;
    fmask_d      = fmask_q;
    fstate_d     = fstate_q;
    cstate_d     = cstate_q;
    flink_d      = flink_q;
    laddr_d      = laddr_q;
    cvalid_d     = 1'b0;
    ucnt_d       = ucnt_q;

    rcrc_clear   = 1'b0;
    rcrc_en      = 1'b0;
    buf_we       = 1'b0;
    buf_waddr    = BufAw'(idx_q - 16'd8);
    buf_re       = 1'b0;
    buf_raddr    = BufAw'(idx_q);

    hreq   = 1'b0;
    hwe    = 1'b0;
    hspace = a_space[2:0];
    hbank  = a_bank[3:0];
    haddr  = a_addr + 32'(item_q);

    // Gap timer: runs while part of a frame is held and no byte arrives.
    if (mid_frame_o && !rx_fire) begin
      gap_d = gap_q + 1'b1;
    end else begin
      gap_d = '0;
    end

    case (state_q)
      // ----- receiving ----------------------------------------------------------------
      StHunt: begin
        if (rx_fire && b == Sync0) begin
          rcrc_clear = 1'b1;
          rcrc_en    = 1'b1;
          state_d    = StSync1;
        end
      end

      StSync1: begin
        if (rx_fire) begin
          rcrc_en = 1'b1;
          if (b == Sync1) begin
            state_d = StHdr;
            idx_d   = 16'd2;
          end else if (b == Sync0) begin
            rcrc_clear = 1'b1;  // a second sync0 restarts the pair
          end else begin
            state_d = StHunt;
          end
        end
      end

      StHdr: begin
        if (rx_fire) begin
          rcrc_en = 1'b1;
          idx_d   = idx_q + 16'd1;
          case (idx_q[3:0])
            4'd2: cmd_d         = b;
            4'd3: seq_d         = b;
            4'd4: len_d[7:0]    = b;
            4'd5: len_d[15:8]   = b;
            4'd6: hstat_d       = b;
            4'd7: begin
              flags_d = b;
              ccrc_d  = rx_crc_next;  // CRC of bytes 0..7: the expected hcrc
            end
            default: rcrc_d = rcrc_full;
          endcase
          if (idx_q == 16'd11) begin
            args_d = '0;
            idx_d  = 16'd0;
            if (rcrc_full != ccrc_q) begin
              state_d = StHunt;  // not a header: hunt on from the next byte
            end else if (32'(len_q) > 32'(MaxLen)) begin
              state_d      = StTx;
              rsp_status_d = StBadLength;
              err_field_d  = FldLength;
              err_value_d  = 32'(len_q);
              err_limit_d  = 32'(MaxLen);
            end else if (len_q == 16'd0) begin
              state_d = StFcrc;
              ccrc_d  = rx_crc_next;
            end else begin
              state_d = StPay;
            end
          end
        end
      end

      StPay: begin
        if (rx_fire) begin
          rcrc_en = 1'b1;
          idx_d   = idx_q + 16'd1;
          if (idx_q < 16'd12) args_d[8*idx_q[3:0] +: 8] = b;
          if (idx_q >= 16'd8) buf_we = 1'b1;
          if (idx_q == len_q - 16'd1) begin
            state_d = StFcrc;
            idx_d   = 16'd0;
            ccrc_d  = rx_crc_next;
          end
        end
      end

      StFcrc: begin
        if (rx_fire) begin
          rcrc_d = rcrc_full;
          idx_d  = idx_q + 16'd1;
          if (idx_q == 16'd3) begin
            idx_d = 16'd0;
            if (rcrc_full != ccrc_q) begin
              state_d      = StTx;
              rsp_status_d = StBadCrc;
              err_field_d  = FldFrame;
              err_value_d  = rcrc_full;
              err_limit_d  = ccrc_q;
            end else begin
              state_d = StCheck0;
            end
          end
        end
      end

      // ----- executing ----------------------------------------------------------------
      StCheck0: state_d = StCheck;

      StCheck: begin
        state_d      = StTx;
        rsp_status_d = StOk;
        err_field_d  = 8'd0;
        err_value_d  = 32'd0;
        err_limit_d  = 32'd0;
        if (ck_cmd_bad_q) begin
          rsp_status_d = StUnknownCmd;
          err_field_d  = FldCommand;
          err_value_d  = 32'(cmd_q);
        end else if (ck_hdr_bad_q) begin
          rsp_status_d = StBadArg;
          err_field_d  = FldHeader;
          err_value_d  = {16'd0, flags_q, hstat_q};
        end else if (ck_size_bad_q) begin
          rsp_status_d = StBadLength;
          err_field_d  = FldPayload;
          err_value_d  = 32'(len_q);
          err_limit_d  = ck_expect_q;
        end else if (ck_busy_q) begin
          rsp_status_d = StBusy;
          err_field_d  = FldCommand;
          err_value_d  = 32'(cmd_q);
          err_limit_d  = 32'd1;  // ChipState running
        end else if (is_mem) begin
          rsp_status_d = StBadAddress;
          if (ck_rsv_bad_q) begin
            rsp_status_d = StBadArg;
            err_field_d  = FldReserved;
            err_value_d  = 32'(a_rsv);
          end else if (ck_space_bad_q) begin
            err_field_d = FldSpace;
            err_value_d = 32'(a_space);
            err_limit_d = 32'd4;
          end else if (ck_bank_bad_q) begin
            err_field_d = FldBank;
            err_value_d = 32'(a_bank);
            err_limit_d = 32'(nbanks_q);
          end else if (ck_addr_bad_q) begin
            err_field_d = FldAddr;
            err_value_d = a_addr;
            err_limit_d = depth_q;
          end else if (ck_unit_bad_q) begin
            err_field_d = FldLength;
            err_value_d = n_q;
            err_limit_d = 32'(unit_q);
          end else if (ck_max_bad_q) begin
            err_field_d = FldLength;
            err_value_d = n_q;
            err_limit_d = 32'(MaxData);
          end else if (ck_left_bad_q) begin
            err_field_d = FldLength;
            err_value_d = n_q;
            err_limit_d = left_bytes_q;
          end else begin
            rsp_status_d = StOk;
            state_d      = is_write ? StCommit : StTx;
          end
        end else if (cmd_q == CmdSetLen) begin
          if (ck_prog_bad_q) begin
            rsp_status_d = StBadAddress;
            err_field_d  = FldProgLen;
            err_value_d  = args_q[31:0];
            err_limit_d  = 32'(ImemDepth);
          end else begin
            state_d = StAct;
          end
        end else if (cmd_q == CmdRun || cmd_q == CmdAbort) begin
          state_d = StAct;
        end else if (cmd_q == CmdReset) begin
          state_d = StReset;
        end
        // The response.
        kind_d    = KNone;
        rsp_len_d = 16'd0;
        if (rsp_status_d != StOk) begin
          kind_d    = KError;
          rsp_len_d = 16'd12;
        end else begin
          case (cmd_q)
            CmdInfo:     begin kind_d = KInfo;     rsp_len_d = 16'd64; end
            CmdRead:     begin kind_d = KRead;     rsp_len_d = n_q[15:0]; end
            CmdStatus:   begin kind_d = KStatus;   rsp_len_d = 16'd32; end
            CmdCounters: begin kind_d = KCounters; rsp_len_d = 16'(8 + 8 * NumCnt); end
            CmdLink:     begin kind_d = KLink;     rsp_len_d = 16'(LinkRspLen); end
            default: ;
          endcase
        end
        idx_d  = 16'd0;
        ucnt_d = 8'd0;
      end

      StCommit: begin
        // Read the buffer a byte per cycle; write each unit to the core once it is complete.
        if (idx_q < len_q - 16'd8) begin
          buf_re   = 1'b1;
          cvalid_d = 1'b1;
          idx_d    = idx_q + 16'd1;
        end
        if (cvalid_q) begin
          word_d = unit_in;
          if (ucnt_q == unit_q - 8'd1) begin
            hreq   = 1'b1;
            hwe    = 1'b1;
            item_d = item_q + 16'd1;
            ucnt_d = 8'd0;
          end else begin
            ucnt_d = ucnt_q + 8'd1;
          end
        end else if (!buf_re) begin
          state_d = StTx;
          idx_d   = 16'd0;
        end
      end

      StAct: begin
        hreq   = 1'b1;
        hwe    = 1'b1;
        hspace = SpCtrl;
        hbank  = 4'd0;
        // CTRL registers take the low 32 bits; the bits above are not looked at, so they
        // keep what word_q holds. (Zeroing them gave every one of the HostW bits another
        // multiplexer input: `lpu_host_if` alone on ECP5, base, 4277 LUT4 instead of 3875.)
        case (cmd_q)
          CmdSetLen: begin
            haddr        = CtrlLen;
            word_d[31:0] = args_q[31:0];
          end
          CmdRun: begin
            haddr        = CtrlCmd;
            word_d[31:0] = 32'd1;
            runs_d       = runs_q + 32'd1;
          end
          default: begin  // ABORT (ignored by the core when it is not running)
            haddr        = CtrlCmd;
            word_d[31:0] = 32'd2;
          end
        endcase
        state_d = StTx;
      end

      StReset: begin
        runs_d = 32'd0;
        idx_d  = idx_q + 16'd1;
        if (idx_q == 16'd3) begin
          state_d = StTx;
          idx_d   = 16'd0;
        end
      end

      // ----- responding ---------------------------------------------------------------
      StTx: begin
        // Load word_q with the next payload item (during the hcrc bytes for the first).
        if (fetch_q == 2'd1) begin
          fetch_d = 2'd2;  // the read is on the port this cycle; its data comes in the next
        end else if (fetch_q == 2'd2) begin
          fetch_d = 2'd0;
          left_d  = fbytes_q;
          word_d  = core_rdata_i;
          // Error fields of a chip that is not in error read as 0 (they are at most 64 bits).
          if (fmask_q && cstate_q != 2'd3) word_d[63:0] = 64'd0;
          if (fstate_q) cstate_d = core_rdata_i[1:0];
          // A link's {28'b0, up, state[2:0]} goes out as the bytes up, state, 0, 0 (bytes 2-3
          // are the word's, zero; only 4 bytes are sent).
          if (flink_q) word_d[15:0] = {5'd0, core_rdata_i[2:0], 7'd0, core_rdata_i[3]};
        end else if (left_q == 8'd0 &&
                     (tph_q == TpPay || (tph_q == TpHcrc && rsp_len_q != 16'd0 && item_q == 16'd0))) begin
          item_d = item_q + 16'd1;
          if (kind_q == KLink && item_q != 16'd0) begin
            // Link k's word (k*32) and counters (k*32+1..23), then link k+1.
            laddr_d = (laddr_q[4:0] == 5'(LinkCnt)) ? {laddr_q[8:5] + 4'd1, 5'd0}
                                                     : laddr_q + 9'd1;
          end
          if (it_core) begin
            hreq     = 1'b1;
            hspace   = it_space;
            hbank    = it_bank;
            haddr    = it_addr;
            fetch_d  = 2'd1;
            fbytes_d = it_bytes;
            fmask_d  = it_mask;
            fstate_d = it_state;
            flink_d  = it_link;
          end else begin
            word_d = HostW'(it_local);
            left_d = it_bytes;
          end
        end
        if (tx_fire) begin
          idx_d = idx_q + 16'd1;
          case (tph_q)
            TpHdr: begin
              if (idx_q == 16'd7) begin
                tph_d  = TpHcrc;
                idx_d  = 16'd0;
                snap_d = tx_crc_next;
              end
            end
            TpHcrc: begin
              snap_d = {8'd0, snap_q[31:8]};
              if (idx_q == 16'd3) begin
                idx_d = 16'd0;
                if (rsp_len_q == 16'd0) begin
                  tph_d  = TpFcrc;
                  snap_d = tx_crc_next;
                end else begin
                  tph_d = TpPay;
                end
              end
            end
            TpPay: begin
              word_d = {8'd0, word_q[HostW-1:8]};
              left_d = left_q - 8'd1;
              if (idx_q == rsp_len_q - 16'd1) begin
                tph_d  = TpFcrc;
                idx_d  = 16'd0;
                snap_d = tx_crc_next;
              end
            end
            default: begin  // TpFcrc
              snap_d = {8'd0, snap_q[31:8]};
              if (idx_q == 16'd3) begin
                state_d = StHunt;
                idx_d   = 16'd0;
              end
            end
          endcase
        end
      end

      default: state_d = StHunt;
    endcase

    // A partial frame is dropped after GapCycles without a byte, or on request.
    if (mid_frame_o && (flush_i || (!rx_fire && gap_q == GapW'(GapCycles - 1)))) begin
      state_d = StHunt;
      idx_d   = 16'd0;
    end

    // Every response starts with its header; the payload items from the first.
    if (state_d == StTx && state_q != StTx) begin
      tph_d   = TpHdr;
      idx_d   = 16'd0;
      item_d  = 16'd0;
      left_d  = 8'd0;
      fetch_d = 2'd0;
      laddr_d = 9'd0;
      if (rsp_status_d != StOk && state_q != StCheck) begin  // parser errors (no StCheck)
        kind_d    = KError;
        rsp_len_d = 16'd12;
      end
    end
    if (state_d == StCommit && state_q != StCommit) begin
      item_d = 16'd0;
      word_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= StHunt;
      idx_q          <= 16'd0;
      gap_q          <= '0;
      cmd_q          <= 8'd0;
      seq_q          <= 8'd0;
      hstat_q        <= 8'd0;
      flags_q        <= 8'd0;
      len_q          <= 16'd0;
      rcrc_q         <= 32'd0;
      ccrc_q         <= 32'd0;
      args_q         <= '0;
      runs_q         <= 32'd0;
      ck_cmd_bad_q   <= 1'b0;
      ck_hdr_bad_q   <= 1'b0;
      ck_size_bad_q  <= 1'b0;
      ck_busy_q      <= 1'b0;
      ck_rsv_bad_q   <= 1'b0;
      ck_space_bad_q <= 1'b0;
      ck_bank_bad_q  <= 1'b0;
      ck_addr_bad_q  <= 1'b0;
      ck_unit_bad_q  <= 1'b0;
      ck_max_bad_q   <= 1'b0;
      ck_left_bad_q  <= 1'b0;
      ck_prog_bad_q  <= 1'b0;
      ck_expect_q    <= 32'd0;
      n_q            <= 32'd0;
      depth_q        <= 32'd0;
      left_bytes_q   <= 32'd0;
      nbanks_q       <= 8'd0;
      unit_q         <= 8'd1;
      rsp_status_q   <= 8'd0;
      rsp_len_q      <= 16'd0;
      kind_q         <= KNone;
      err_field_q    <= 8'd0;
      err_value_q    <= 32'd0;
      err_limit_q    <= 32'd0;
      tph_q          <= TpHdr;
      snap_q         <= 32'd0;
      item_q         <= 16'd0;
      word_q         <= '0;
      left_q         <= 8'd0;
      fetch_q        <= 2'd0;
      fbytes_q       <= 8'd0;
      fmask_q        <= 1'b0;
      fstate_q       <= 1'b0;
      cstate_q       <= 2'd0;
      flink_q        <= 1'b0;
      laddr_q        <= 9'd0;
      cvalid_q       <= 1'b0;
      ucnt_q         <= 8'd0;
      core_rst_q     <= 1'b0;
      hreq_q         <= 1'b0;
      hwe_q          <= 1'b0;
      hspace_q       <= 3'd0;
      hbank_q        <= 4'd0;
      haddr_q        <= 32'd0;
    end else begin
      state_q        <= state_d;
      idx_q          <= idx_d;
      gap_q          <= gap_d;
      cmd_q          <= cmd_d;
      seq_q          <= seq_d;
      hstat_q        <= hstat_d;
      flags_q        <= flags_d;
      len_q          <= len_d;
      rcrc_q         <= rcrc_d;
      ccrc_q         <= ccrc_d;
      args_q         <= args_d;
      runs_q         <= runs_d;
      if (state_q == StCheck0) begin
        ck_cmd_bad_q   <= ck_cmd_bad_d;
        ck_hdr_bad_q   <= ck_hdr_bad_d;
        ck_size_bad_q  <= ck_size_bad_d;
        ck_busy_q      <= ck_busy_d;
        ck_rsv_bad_q   <= ck_rsv_bad_d;
        ck_space_bad_q <= ck_space_bad_d;
        ck_bank_bad_q  <= ck_bank_bad_d;
        ck_addr_bad_q  <= ck_addr_bad_d;
        ck_unit_bad_q  <= ck_unit_bad_d;
        ck_max_bad_q   <= ck_max_bad_d;
        ck_left_bad_q  <= ck_left_bad_d;
        ck_prog_bad_q  <= ck_prog_bad_d;
        ck_expect_q    <= ck_expect_d;
        n_q            <= n_d;
        depth_q        <= depth_d;
        left_bytes_q   <= left_bytes_d;
        nbanks_q       <= nbanks_d;
        unit_q         <= unit_d;
      end
      rsp_status_q   <= rsp_status_d;
      rsp_len_q      <= rsp_len_d;
      kind_q         <= kind_d;
      err_field_q    <= err_field_d;
      err_value_q    <= err_value_d;
      err_limit_q    <= err_limit_d;
      tph_q          <= tph_d;
      snap_q         <= snap_d;
      item_q         <= item_d;
      word_q         <= word_d;
      left_q         <= left_d;
      fetch_q        <= fetch_d;
      fbytes_q       <= fbytes_d;
      fmask_q        <= fmask_d;
      fstate_q       <= fstate_d;
      cstate_q       <= cstate_d;
      flink_q        <= flink_d;
      laddr_q        <= laddr_d;
      cvalid_q       <= cvalid_d;
      ucnt_q         <= ucnt_d;
      core_rst_q     <= (state_d == StReset);
      hreq_q         <= hreq;
      hwe_q          <= hwe;
      hspace_q       <= hspace;
      hbank_q        <= hbank;
      haddr_q        <= haddr;
    end
  end

  assign core_rst_o   = core_rst_q;
  assign core_req_o   = hreq_q;
  assign core_we_o    = hwe_q;
  assign core_space_o = hspace_q;
  assign core_bank_o  = hbank_q;
  assign core_addr_o  = haddr_q;
  assign core_wdata_o = word_q;

  // The host port never refuses what the checks let through; core_rvalid_i marks the read
  // data that fetch_q already expects. tx_crc (without the byte of this cycle) is not needed.
  logic unused_inputs;
  assign unused_inputs = core_err_i ^ core_rvalid_i ^ (^tx_crc) ^ (^rx_crc);

`ifndef SYNTHESIS
  initial begin
    if (MaxData < 256 || MaxData > 4096 || (1 << BufAw) != MaxData)
      $fatal(1, "lpu_host_if: MaxData must be a power of two in 256..4096");
    if (GapCycles < 2) $fatal(1, "lpu_host_if: GapCycles must be >= 2");
  end
`endif

endmodule
