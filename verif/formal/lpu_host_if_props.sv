// Formal properties of lpu_host_if (verif/formal/lpu_host_if.sby, docs/verification.md
// "Formal"): what one request frame can make the host interface do.
//
// The request is one of four fixed frames (parameter Which, one task each): a WRITE_MEM of
// one LUT entry, SET_PROGRAM_LEN, RUN or RESET (docs/host-protocol.md), built here, CRCs
// included, by constant functions (CRC-32 in the MSB-first form of lpu_crc32_props.sv). Its
// bytes arrive back to back from the first cycle after reset and the response is taken at
// full rate (free byte timing makes the CRC registers symbolic: too slow for z3); the core's
// answers (rdata, rvalid, err, and running in BAD mode) are free.
//
// BAD (the default): the four fcrc bytes are anything but the frame's CRC.
//   * the frame never reaches the core: no host-port request of any kind (no memory or CTRL
//     write, no read) and no core reset, in any cycle;
//   * the response header is a BAD_CRC error: A5 5A, cmd | 0x80, seq, len 12, status 1.
// GOOD (defined): the frame is intact and the core is idle.
//   * the command's one effect, with its own values: WRITE_MEM writes 0x1234 to LUT entry 3,
//     SET_PROGRAM_LEN writes 7 to CTRL len, RUN writes 1 to CTRL cmd, RESET pulses
//     core_rst_o; no other write, no reset otherwise;
//   * the response header is OK: cmd | 0x80, seq, len 0, status 0.
// Both: the response header is complete within 16 cycles of the frame's end (and in GOOD
// mode the effect has happened by then), so the checks are not vacuous: the frame was
// really parsed. The task depths reach past that point.
module lpu_host_if_props #(
  parameter logic [1:0] Which = 2'd0  // the frame: 0 WRITE_MEM, 1 SET_PROGRAM_LEN, 2 RUN, 3 RESET
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic         rx_valid_i,
  input logic [7:0]   rx_data_i,
  input logic         tx_ready_i,
  input logic         core_rvalid_i,
  input logic         core_err_i,
  input logic [127:0] core_rdata_i,
  input logic         core_running_i
);

  localparam int unsigned CfgId = lpu_isa_pkg::CFG_TINY_ID;  // 4 lanes: HostW = 128

  logic         rx_ready, tx_valid, idle, mid_frame;
  logic [7:0]   tx_data;
  logic         core_req, core_we, core_rst;
  logic [2:0]   core_space;
  logic [3:0]   core_bank;
  logic [31:0]  core_addr;
  logic [127:0] core_wdata;

  lpu_host_if #(
    .CfgId     (CfgId),
    .MaxData   (256),
    .GapCycles (200)   // longer than any trace here: a partial frame is never dropped
  ) u_dut (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .rx_valid_i     (rx_valid_i),
    .rx_data_i      (rx_data_i),
    .rx_ready_o     (rx_ready),
    .tx_valid_o     (tx_valid),
    .tx_data_o      (tx_data),
    .tx_ready_i     (tx_ready_i),
    .flush_i        (1'b0),
    .idle_o         (idle),
    .mid_frame_o    (mid_frame),
    .core_req_o     (core_req),
    .core_we_o      (core_we),
    .core_space_o   (core_space),
    .core_bank_o    (core_bank),
    .core_addr_o    (core_addr),
    .core_wdata_o   (core_wdata),
    .core_rvalid_i  (core_rvalid_i),
    .core_err_i     (core_err_i),
    .core_rdata_i   (core_rdata_i),
    .core_running_i (core_running_i),
    .core_rst_o     (core_rst)
  );

  // Reset in the first cycle only.
  logic init_q = 1'b1;
  always_ff @(posedge clk_i) init_q <= 1'b0;
  always_comb assume (rst_ni == !init_q);

  // ---------------------------------------------------------------------------------------
  // The frames.
  // ---------------------------------------------------------------------------------------
  localparam int unsigned MaxFrame = 12 + 10 + 4;

  function automatic logic [31:0] crc_byte(input logic [31:0] c, input logic [7:0] d);
    // MSB-first register, bytes fed LSB first; the CRC is ~reverse(register).
    logic [31:0] s;
    s = c;
    for (int i = 0; i < 8; i++) begin
      s = {s[30:0], 1'b0} ^ ((s[31] ^ d[i]) ? 32'h04C1_1DB7 : 32'd0);
    end
    crc_byte = s;
  endfunction

  function automatic logic [31:0] crc_final(input logic [31:0] s);
    for (int i = 0; i < 32; i++) crc_final[i] = ~s[31-i];
  endfunction

  // Byte i of the frame is bits [8i +: 8]; payload bytes given in the same order.
  function automatic logic [8*MaxFrame-1:0] mk_frame(input logic [7:0] cmd,
                                                     input logic [7:0] seq,
                                                     input int         len,
                                                     input logic [79:0] payload);
    logic [8*MaxFrame-1:0] f;
    logic [31:0]           s, c;
    f = '0;
    f[7:0]   = 8'hA5;
    f[15:8]  = 8'h5A;
    f[23:16] = cmd;
    f[31:24] = seq;
    f[39:32] = 8'(len);
    f[47:40] = 8'(len >> 8);
    s = 32'hFFFF_FFFF;
    for (int i = 0; i < 8; i++) s = crc_byte(s, f[8*i +: 8]);
    c = crc_final(s);
    f[95:64] = c;
    for (int i = 0; i < 10; i++) begin
      if (i < len) f[8*(12+i) +: 8] = payload[8*i +: 8];
    end
    s = 32'hFFFF_FFFF;
    for (int i = 0; i < MaxFrame; i++) begin
      if (i < 12 + len) s = crc_byte(s, f[8*i +: 8]);
    end
    c = crc_final(s);
    for (int i = 0; i < 4; i++) begin
      for (int k = 0; k < MaxFrame; k++) begin
        if (k == 12 + len + i) f[8*k +: 8] = c[8*i +: 8];
      end
    end
    mk_frame = f;
  endfunction

  // WRITE_MEM: space 2 (LUT), bank 0, reserved 0, addr 3, one int16 entry 0x1234.
  localparam logic [79:0] PayWrite = {8'h12, 8'h34, 32'd3, 16'd0, 8'd0, 8'd2};
  localparam logic [79:0] PayLen   = {48'd0, 32'd7};

  localparam logic [8*MaxFrame-1:0] FrWrite = mk_frame(8'h02, 8'h21, 10, PayWrite);
  localparam logic [8*MaxFrame-1:0] FrLen   = mk_frame(8'h04, 8'h22, 4, PayLen);
  localparam logic [8*MaxFrame-1:0] FrRun   = mk_frame(8'h05, 8'h23, 0, 80'd0);
  localparam logic [8*MaxFrame-1:0] FrReset = mk_frame(8'h08, 8'h24, 0, 80'd0);

  logic [1:0] which;
  assign which = Which;

  logic [8*MaxFrame-1:0] frame;
  logic [7:0]            f_cmd, f_seq;
  logic [7:0]            f_bytes;  // total bytes: 12 + len + 4
  always_comb begin
    case (which)
      2'd0:    begin frame = FrWrite; f_bytes = 8'd26; end
      2'd1:    begin frame = FrLen;   f_bytes = 8'd20; end
      2'd2:    begin frame = FrRun;   f_bytes = 8'd16; end
      default: begin frame = FrReset; f_bytes = 8'd16; end
    endcase
    f_cmd = frame[23:16];
    f_seq = frame[31:24];
  end

  // ---------------------------------------------------------------------------------------
  // Stimulus: the frame's bytes in order, once; the fcrc bytes are free in BAD mode.
  // ---------------------------------------------------------------------------------------
  logic [7:0]  n_q;        // request bytes taken so far
  logic [23:0] fcrc_lo_q;  // the first three fcrc bytes taken
  logic        rx_fire;
  logic [7:0]  exp_byte;
  assign rx_fire  = rx_valid_i && rx_ready;

  always_comb begin
    exp_byte = 8'd0;
    for (int k = 0; k < MaxFrame; k++) begin
      if (32'(n_q) == k) exp_byte = frame[8*k +: 8];
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      n_q <= 8'd0;
    end else if (rx_fire) begin
      n_q <= n_q + 8'd1;
      if (n_q >= f_bytes - 8'd4) fcrc_lo_q <= {rx_data_i, fcrc_lo_q[23:8]};
    end
  end

  logic [31:0] fcrc_good;
  always_comb begin
    fcrc_good = 32'd0;
    for (int k = 0; k < MaxFrame - 3; k++) begin
      if (32'(f_bytes) - 4 == k) fcrc_good = frame[8*k +: 32];
    end
  end

  always_comb begin
    if (rst_ni) begin
      // One frame, its bytes back to back from the first cycle after reset (free byte
      // timing makes the CRC registers symbolic and the problem too slow for z3).
      assume (rx_valid_i == (n_q < f_bytes));
      assume (tx_ready_i);  // the host takes the response at full rate
`ifdef GOOD
      if (rx_valid_i && n_q < f_bytes) assume (rx_data_i == exp_byte);
      assume (!core_running_i);
`else
      if (rx_valid_i && n_q < f_bytes - 8'd4) assume (rx_data_i == exp_byte);
      // The complete fcrc differs from the frame's CRC.
      if (rx_valid_i && n_q == f_bytes - 8'd1) assume ({rx_data_i, fcrc_lo_q} != fcrc_good);
`endif
    end
  end

  // ---------------------------------------------------------------------------------------
  // The response header, as sent.
  // ---------------------------------------------------------------------------------------
  logic [7:0] t_q;  // response bytes sent so far
  logic       tx_fire;
  assign tx_fire = tx_valid && tx_ready_i;
  always_ff @(posedge clk_i) begin
    if (!rst_ni)                     t_q <= 8'd0;
    else if (tx_fire && t_q != 8'hff) t_q <= t_q + 8'd1;
  end

  // The response header is out within `deadline` cycles of reset: the frame, the checks
  // and the command (WRITE_MEM: a few cycles of commit), the 8 header bytes.
  logic [7:0] cyc_q;  // cycles since reset
  logic [7:0] deadline;
  assign deadline = f_bytes + 8'd16;
  always_ff @(posedge clk_i) begin
    if (!rst_ni)               cyc_q <= 8'd0;
    else if (cyc_q != 8'hff)   cyc_q <= cyc_q + 8'd1;
  end
  always_comb if (rst_ni && cyc_q >= deadline) assert (t_q >= 8'd7);

  always_comb begin
    if (rst_ni && tx_fire) begin
      if (t_q == 8'd0) assert (tx_data == 8'hA5);
      if (t_q == 8'd1) assert (tx_data == 8'h5A);
      if (t_q == 8'd2) assert (tx_data == (f_cmd | 8'h80));
      if (t_q == 8'd3) assert (tx_data == f_seq);
`ifdef GOOD
      if (t_q == 8'd4) assert (tx_data == 8'd0);   // len 0
      if (t_q == 8'd5) assert (tx_data == 8'd0);
      if (t_q == 8'd6) assert (tx_data == 8'd0);   // OK
`else
      if (t_q == 8'd4) assert (tx_data == 8'd12);  // len 12: field, value, limit
      if (t_q == 8'd5) assert (tx_data == 8'd0);
      if (t_q == 8'd6) assert (tx_data == 8'd1);   // BAD_CRC
`endif
    end
  end

  // ---------------------------------------------------------------------------------------
  // What reaches the core.
  // ---------------------------------------------------------------------------------------
  always_comb begin
    if (rst_ni) begin
`ifndef GOOD
      assert (!core_req);
      assert (!core_rst);
`else
      if (core_req && core_we) begin
        case (which)
          2'd0: assert (core_space == 3'd2 && core_bank == 4'd0 && core_addr == 32'd3 &&
                        core_wdata[15:0] == 16'h1234);
          2'd1: assert (core_space == 3'd4 && core_addr == 32'd1 && core_wdata[31:0] == 32'd7);
          2'd2: assert (core_space == 3'd4 && core_addr == 32'd0 && core_wdata[31:0] == 32'd1);
          default: assert (1'b0);  // RESET writes nothing
        endcase
      end
      if (core_rst) assert (which == 2'd3);
      if (cyc_q >= deadline) assert (effect_q);
`endif
    end
  end

`ifdef GOOD
  logic effect_q;  // the command's effect has happened
  always_ff @(posedge clk_i) begin
    if (!rst_ni)                                effect_q <= 1'b0;
    else if ((core_req && core_we) || core_rst) effect_q <= 1'b1;
  end
`endif

  logic unused;
  assign unused = idle ^ mid_frame;

endmodule
