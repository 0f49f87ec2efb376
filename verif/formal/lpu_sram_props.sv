// Formal properties of lpu_sram (verif/formal/lpu_sram.sby, docs/verification.md "Formal"),
// from the exact error rules of docs/sram.md:
//
// * flags: every port's address error and conflict flag, and the performed-access counts,
//   equal a reference written pairwise (a port conflicts when another in-range request of the
//   cycle uses its bank: a read with a read, a write with a write; on single-ported banks any
//   two accesses); stop_i suppresses every request and flag;
// * read return: rd_valid_o one cycle after exactly the performed reads;
// * data (with DATA defined, instead of the above): one word (solver-chosen bank and address, anyconst) is tracked through the
//   performed writes; a performed read of it returns the word as at the start of its cycle
//   (read-first). A suppressed (flagged) write that still changed the memory, a write to the
//   wrong bank or address, or a read from the wrong bank makes that fail: never a silent
//   write.
module lpu_sram_props #(
  parameter int unsigned Lanes    = 1,
  parameter int unsigned Banks    = 2,
  parameter int unsigned Depth    = 4,
  parameter bit          DualPort = 1'b1,
  parameter int unsigned NumRd    = 3,
  parameter int unsigned NumWr    = 2,
  localparam int unsigned W       = Lanes * 8
) (
  input logic                 clk_i,
  input logic                 rst_ni,
  input logic                 stop_i,
  input logic [NumRd-1:0]     rd_valid_i,
  input logic [NumRd*4-1:0]   rd_bank_i,
  input logic [NumRd*32-1:0]  rd_addr_i,
  input logic [NumWr-1:0]     wr_valid_i,
  input logic [NumWr*4-1:0]   wr_bank_i,
  input logic [NumWr*32-1:0]  wr_addr_i,
  input logic [NumWr*W-1:0]   wr_data_i
);

  logic [NumRd*W-1:0] rd_data;
  logic [NumRd-1:0]   rd_valid, rd_err_addr, rd_err_conf;
  logic [NumWr-1:0]   wr_err_addr, wr_err_conf;
  logic [3:0]         num_rd, num_wr;

  lpu_sram #(
    .Lanes    (Lanes),
    .Banks    (Banks),
    .Depth    (Depth),
    .DualPort (DualPort),
    .NumRd    (NumRd),
    .NumWr    (NumWr)
  ) u_dut (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .stop_i        (stop_i),
    .rd_valid_i    (rd_valid_i),
    .rd_bank_i     (rd_bank_i),
    .rd_addr_i     (rd_addr_i),
    .rd_data_o     (rd_data),
    .rd_valid_o    (rd_valid),
    .rd_err_addr_o (rd_err_addr),
    .rd_err_conf_o (rd_err_conf),
    .wr_valid_i    (wr_valid_i),
    .wr_bank_i     (wr_bank_i),
    .wr_addr_i     (wr_addr_i),
    .wr_data_i     (wr_data_i),
    .wr_err_addr_o (wr_err_addr),
    .wr_err_conf_o (wr_err_conf),
    .num_rd_o      (num_rd),
    .num_wr_o      (num_wr)
  );

  initial assume (!rst_ni);

  // ---------------------------------------------------------------------------------------
  // Reference flags.
  // ---------------------------------------------------------------------------------------
  logic [NumRd-1:0] r_req, r_ok, r_conf, r_done;  // r_ok: requested and in range
  logic [NumWr-1:0] w_req, w_ok, w_conf, w_done;
  logic [3:0]       n_rd, n_wr;

  function automatic logic [3:0] rb(input int unsigned p);
    rb = rd_bank_i[4*p +: 4];
  endfunction
  function automatic logic [3:0] wb(input int unsigned p);
    wb = wr_bank_i[4*p +: 4];
  endfunction

  always_comb begin
    for (int unsigned p = 0; p < NumRd; p++) begin
      r_req[p] = rd_valid_i[p] && !stop_i;
      r_ok[p]  = r_req[p] && rd_addr_i[32*p +: 32] < 32'(Depth) && 32'(rb(p)) < 32'(Banks);
    end
    for (int unsigned p = 0; p < NumWr; p++) begin
      w_req[p] = wr_valid_i[p] && !stop_i;
      w_ok[p]  = w_req[p] && wr_addr_i[32*p +: 32] < 32'(Depth) && 32'(wb(p)) < 32'(Banks);
    end
    for (int unsigned p = 0; p < NumRd; p++) begin
      r_conf[p] = 1'b0;
      for (int unsigned q = 0; q < NumRd; q++) begin
        if (q != p && r_ok[p] && r_ok[q] && rb(p) == rb(q)) r_conf[p] = 1'b1;
      end
      for (int unsigned q = 0; q < NumWr; q++) begin
        if (!DualPort && r_ok[p] && w_ok[q] && rb(p) == wb(q)) r_conf[p] = 1'b1;
      end
    end
    for (int unsigned p = 0; p < NumWr; p++) begin
      w_conf[p] = 1'b0;
      for (int unsigned q = 0; q < NumWr; q++) begin
        if (q != p && w_ok[p] && w_ok[q] && wb(p) == wb(q)) w_conf[p] = 1'b1;
      end
      for (int unsigned q = 0; q < NumRd; q++) begin
        if (!DualPort && w_ok[p] && r_ok[q] && wb(p) == rb(q)) w_conf[p] = 1'b1;
      end
    end
    r_done = r_ok & ~r_conf;
    w_done = w_ok & ~w_conf;
    n_rd = 4'd0;
    n_wr = 4'd0;
    for (int unsigned p = 0; p < NumRd; p++) n_rd = n_rd + 4'(r_done[p]);
    for (int unsigned p = 0; p < NumWr; p++) n_wr = n_wr + 4'(w_done[p]);
  end

  // (With DATA these are left to the flags tasks, which prove them: the data tasks only
  // check the tracked word.)
`ifndef DATA
  always_comb begin
    if (rst_ni) begin
      assert (rd_err_addr == (r_req & ~r_ok));
      assert (wr_err_addr == (w_req & ~w_ok));
      assert (rd_err_conf == r_conf);
      assert (wr_err_conf == w_conf);
      assert (num_rd == n_rd);
      assert (num_wr == n_wr);
    end
  end
`endif

  // ---------------------------------------------------------------------------------------
  // Read return and the tracked word.
  // ---------------------------------------------------------------------------------------
  (* anyconst *) logic [3:0]  tb;  // tracked bank
  (* anyconst *) logic [31:0] ta;  // tracked address
  always_comb assume (32'(tb) < 32'(Banks) && ta < 32'(Depth));

  logic           sh_valid_q;     // the tracked word has been written since reset
  logic [W-1:0]   sh_q;           // its value
  logic [NumRd-1:0] r_done_q;     // last cycle's performed reads
  logic [NumRd-1:0] chk_q;        // ... of the tracked word, with a known value
  logic [NumRd*W-1:0] chk_val_q;  // that value

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sh_valid_q <= 1'b0;
      r_done_q   <= '0;
      chk_q      <= '0;
    end else begin
      r_done_q <= r_done;
      for (int unsigned p = 0; p < NumRd; p++) begin
        chk_q[p] <= r_done[p] && sh_valid_q && rb(p) == tb && rd_addr_i[32*p +: 32] == ta;
        chk_val_q[W*p +: W] <= sh_q;
      end
      for (int unsigned p = 0; p < NumWr; p++) begin
        if (w_done[p] && wb(p) == tb && wr_addr_i[32*p +: 32] == ta) begin
          sh_valid_q <= 1'b1;
          sh_q       <= wr_data_i[W*p +: W];
        end
      end
    end
  end

  always_comb begin
    if (rst_ni) begin
`ifndef DATA
      assert (rd_valid == r_done_q);
`else  // bounded only: the memory contents are not visible at the ports (not inductive)
      for (int unsigned p = 0; p < NumRd; p++) begin
        if (chk_q[p]) assert (rd_data[W*p +: W] == chk_val_q[W*p +: W]);
      end
`endif
    end
  end

  // Not vacuous: the tracked word is read back after a write, and a conflict is flagged.
  always_comb begin
    cover (rst_ni && chk_q != '0);
    cover (rst_ni && wr_err_conf != '0 && rd_err_conf != '0);
  end

endmodule
