// Receive column parser (docs/link.md "Training"): sorts the deskewed columns the elastic
// buffer reads into PHY-internal ones (training sequences, SKP, IDL) and data-link columns.
//
// Per column (lane l: err = code or disparity error, phy = a valid K28.x, PHY-owned):
//   - COM on every lane that has no error (at least one)         start of a training sequence:
//     the next TS_LEN - 1 columns are checked field by field (every lane the same TS1/TS2 id;
//     lane number l; LinkLanes; ConfigId; pads), never delivered, and the end of the sequence
//     gives ts_o with ts_type_o (1 = TS2) and ts_ok_o (every field right, no symbol error) or
//     ts_mismatch_o (error-free but some lane number, the width or the ConfigId differs)
//   - COM on some lanes, another PHY symbol on the others (or, while training, any valid
//     symbol)                                                      deskew_err_o (the lanes are
//     not aligned any more; the training FSM retrains); the column is dropped. With the link
//     up, COM beside data is a corrupted data column (D28.5 -> K28.5 is one bit) and is
//     delivered, flagged
//     (with the link up, a COM column followed by a column that is not a TS identifier was
//     a corrupted data column: from that column on, columns are data again)
//   - a PHY K28.x on every lane that has no error (SKP, IDL)       dropped
//   - anything else: a data-link column, delivered while deliver_i (link up) with
//     err = code/disparity error or a K28.x in a data column.
// Outputs are registered one-cycle pulses.
module lpu_link_rx_parse #(
  parameter int unsigned LinkLanes = 1,
  parameter logic [7:0]  ConfigId  = 8'd0
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    clear_i,
  input  logic                    deliver_i,
  input  logic                    col_valid_i,
  input  logic [LinkLanes*10-1:0] col_i,
  output logic                    col_valid_o,
  output logic [LinkLanes*8-1:0]  col_data_o,
  output logic [LinkLanes-1:0]    col_k_o,
  output logic [LinkLanes-1:0]    col_err_o,
  output logic                    ts_o,
  output logic                    ts_type_o,
  output logic                    ts_ok_o,
  output logic                    ts_mismatch_o,
  output logic                    deskew_err_o
);

  localparam int unsigned TsLen = lpu_link_pkg::TS_LEN;

  logic [LinkLanes-1:0] err, kk, phy, com;
  logic [LinkLanes*8-1:0] data;
  logic all_com, any_com, all_phy, any_phy, com_mixed, ts_id, ts_abort;

  logic [2:0] idx_q, idx_d;         // 0: outside a TS, else the column index within it
  logic       type_q, type_d;       // this TS: 0 = TS1, 1 = TS2
  logic       bad_q, bad_d;         // a symbol error or a malformed field so far
  logic       mism_q, mism_d;       // a lane number / width / config field differs

  logic                   out_valid_d, ts_d, ts_ok_d, ts_mism_d, dsk_d;
  logic [LinkLanes*8-1:0] out_data_d;
  logic [LinkLanes-1:0]   out_k_d, out_err_d;
  logic [7:0]             want;
  logic                   field_cfg;  // the field is a configuration check (mismatch)

  always_comb begin
    for (int unsigned l = 0; l < LinkLanes; l++) begin
      err[l]  = col_i[l*10 + 9];
      kk[l]   = col_i[l*10 + 8];
      data[l*8 +: 8] = col_i[l*10 +: 8];
      phy[l]  = !err[l] && kk[l] && (col_i[l*10 +: 5] == 5'd28);
      com[l]  = phy[l] && (col_i[l*10 +: 8] == lpu_link_pkg::K28_5);
    end
    any_com   = (com != '0);
    all_com   = any_com && ((com | err) == '1);
    com_mixed = any_com && !all_com;
    any_phy   = (phy != '0);
    all_phy   = any_phy && ((phy | err) == '1);
    // After a COM while the link is up: a column that is no TS identifier means the COM was
    // a corrupted data symbol (D28.5 -> K28.5 is one bit); the columns go on as data.
    ts_id = 1'b1;
    for (int unsigned l = 0; l < LinkLanes; l++) begin
      if (err[l] || kk[l] || ((data[l*8 +: 8] != lpu_link_pkg::TS1_ID) &&
                              (data[l*8 +: 8] != lpu_link_pkg::TS2_ID))) begin
        ts_id = 1'b0;
      end
    end
    ts_abort = (idx_q == 3'd1) && deliver_i && !ts_id;

    idx_d       = idx_q;
    type_d      = type_q;
    bad_d       = bad_q;
    mism_d      = mism_q;
    out_valid_d = 1'b0;
    out_data_d  = data;
    out_k_d     = kk;
    out_err_d   = err | phy;
    ts_d        = 1'b0;
    ts_ok_d     = 1'b0;
    ts_mism_d   = 1'b0;
    dsk_d       = 1'b0;
    want        = 8'd0;
    field_cfg   = 1'b0;

    if (col_valid_i) begin
      if (all_com) begin
        // A COM starts a training sequence (also inside one: that one is cut short).
        idx_d  = 3'd1;
        bad_d  = (err != '0);
        mism_d = 1'b0;
      end else if (com_mixed && (all_phy || !deliver_i)) begin
        // COM beside other PHY symbols, or beside anything while training: the lanes are
        // not aligned. (A COM beside data while the link is up is a bit error: one flipped
        // bit turns D28.5 into K28.5. That column goes to the data link layer, flagged.)
        dsk_d = 1'b1;
        idx_d = 3'd0;
      end else if ((idx_q != 3'd0) && !ts_abort) begin
        if (idx_q == 3'd1) begin
          type_d = (data[7:0] == lpu_link_pkg::TS2_ID);
          if ((data[7:0] != lpu_link_pkg::TS1_ID) && (data[7:0] != lpu_link_pkg::TS2_ID)) begin
            bad_d = 1'b1;
          end
        end
        for (int unsigned l = 0; l < LinkLanes; l++) begin
          case (idx_q)
            3'd1:    want = type_d ? lpu_link_pkg::TS2_ID : lpu_link_pkg::TS1_ID;
            3'd2:    begin want = 8'(l);         field_cfg = 1'b1; end
            3'd3:    begin want = 8'(LinkLanes); field_cfg = 1'b1; end
            3'd4:    begin want = ConfigId;      field_cfg = 1'b1; end
            default: want = lpu_link_pkg::TS_PAD;
          endcase
          if (err[l] || kk[l]) begin
            bad_d = 1'b1;
          end else if (data[l*8 +: 8] != want) begin
            if (field_cfg) mism_d = 1'b1;
            else           bad_d  = 1'b1;
          end
        end
        if (idx_q == 3'(TsLen - 1)) begin
          idx_d     = 3'd0;
          ts_d      = 1'b1;
          ts_ok_d   = !bad_d && !mism_d;
          ts_mism_d = !bad_d && mism_d;
        end else begin
          idx_d = idx_q + 3'd1;
        end
      end else if (!all_phy) begin
        out_valid_d = deliver_i;
        idx_d       = 3'd0;
      end else begin
        idx_d = 3'd0;
      end
    end
    if (clear_i) idx_d = 3'd0;
  end

  logic                   out_valid_q, ts_q, ts_ok_q, ts_mism_q, dsk_q, ts_type_q;
  logic [LinkLanes*8-1:0] out_data_q;
  logic [LinkLanes-1:0]   out_k_q, out_err_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idx_q       <= 3'd0;
      type_q      <= 1'b0;
      bad_q       <= 1'b0;
      mism_q      <= 1'b0;
      out_valid_q <= 1'b0;
      out_data_q  <= '0;
      out_k_q     <= '0;
      out_err_q   <= '0;
      ts_q        <= 1'b0;
      ts_type_q   <= 1'b0;
      ts_ok_q     <= 1'b0;
      ts_mism_q   <= 1'b0;
      dsk_q       <= 1'b0;
    end else begin
      idx_q       <= idx_d;
      type_q      <= type_d;
      bad_q       <= bad_d;
      mism_q      <= mism_d;
      out_valid_q <= out_valid_d;
      out_data_q  <= out_data_d;
      out_k_q     <= out_k_d;
      out_err_q   <= out_err_d;
      ts_q        <= ts_d;
      ts_type_q   <= type_d;
      ts_ok_q     <= ts_ok_d;
      ts_mism_q   <= ts_mism_d;
      dsk_q       <= dsk_d;
    end
  end

  assign col_valid_o   = out_valid_q;
  assign col_data_o    = out_data_q;
  assign col_k_o       = out_k_q;
  assign col_err_o     = out_err_q;
  assign ts_o          = ts_q;
  assign ts_type_o     = ts_type_q;
  assign ts_ok_o       = ts_ok_q;
  assign ts_mismatch_o = ts_mism_q;
  assign deskew_err_o  = dsk_q;

endmodule
