// Transmitter (docs/link.md "Physical layer", "Training", "Clock compensation and deskew"):
// the bit timer, the column scheduler, one 8b/10b encoder and serializer per lane.
//
// A column (one symbol per lane) is chosen every 10*Osr cycles, at tick_o; its code groups
// go on the lines bit 'a' first, Osr cycles per bit, all lanes in lockstep. Priority:
//   1. the rest of a training sequence that has begun (TS_LEN columns, never cut)
//   2. a SKP column, when SkipInterval columns have passed since the last one
//   3. in training (mode_i TS1/TS2): the COM column that starts the next training sequence
//   4. link up: the data link layer's column when col_tx_valid_i (col_tx_take_o), else IDL
// The data link layer may send K23.7, K27.7, K29.7 and K30.7; any other K symbol (which could
// pass for a PHY symbol) goes out as K30.7. pre_tick_o is the cycle before tick_o; ts_sent_o
// pulses as the last column of a training sequence is chosen (ts_sent_type_o: 1 = TS2).
module lpu_link_tx #(
  parameter int unsigned LinkLanes    = 1,
  parameter int unsigned Osr          = 4,
  parameter int unsigned SkipInterval = 256,
  parameter logic [7:0]  ConfigId     = 8'd0
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic [1:0]             mode_i,
  input  logic [LinkLanes*8-1:0] col_tx_data_i,
  input  logic [LinkLanes-1:0]   col_tx_k_i,
  input  logic                   col_tx_valid_i,
  output logic                   col_tx_take_o,
  output logic [LinkLanes-1:0]   ser_tx_o,
  output logic                   pre_tick_o,
  output logic                   tick_o,
  output logic                   ts_sent_o,
  output logic                   ts_sent_type_o
);

  localparam int unsigned CycW  = (Osr > 1) ? $clog2(Osr) : 1;
  localparam int unsigned SkW   = $clog2(SkipInterval + 1);
  localparam int unsigned TsLen = lpu_link_pkg::TS_LEN;

  // ---- bit timer ----------------------------------------------------------------------------
  logic [CycW-1:0] cyc_q, cyc_d;
  logic [3:0]      bit_q, bit_d;
  logic            shift, load;

  always_comb begin
    shift = (cyc_q == CycW'(Osr - 1));
    load  = shift && (bit_q == 4'd9);
    cyc_d = shift ? '0 : cyc_q + 1'b1;
    bit_d = bit_q;
    if (shift) bit_d = (bit_q == 4'd9) ? 4'd0 : bit_q + 4'd1;
  end

  assign tick_o     = load;
  assign pre_tick_o = (cyc_q == CycW'(Osr - 2)) && (bit_q == 4'd9);

  // ---- column scheduler ---------------------------------------------------------------------
  typedef enum logic [2:0] {ColTs, ColSkp, ColCom, ColData, ColIdle} col_e;

  col_e           col;
  logic [2:0]     ts_idx_q, ts_idx_d;
  logic           ts_type_q, ts_type_d;
  logic [SkW-1:0] skip_q, skip_d;
  logic           sent_d, sent_type_d;

  always_comb begin
    if (ts_idx_q != 3'd0)                    col = ColTs;
    else if (skip_q >= SkW'(SkipInterval))   col = ColSkp;
    else if (mode_i != lpu_link_pkg::MODE_DATA) col = ColCom;
    else if (col_tx_valid_i)                 col = ColData;
    else                                     col = ColIdle;

    ts_idx_d    = ts_idx_q;
    ts_type_d   = ts_type_q;
    skip_d      = skip_q;
    sent_d      = 1'b0;
    sent_type_d = ts_type_q;
    if (load) begin
      if (col == ColSkp) skip_d = '0;
      else if (skip_q != SkW'(SkipInterval)) skip_d = skip_q + 1'b1;
      if (col == ColCom) begin
        ts_idx_d  = 3'd1;
        ts_type_d = (mode_i == lpu_link_pkg::MODE_TS2);
      end else if (col == ColTs) begin
        if (ts_idx_q == 3'(TsLen - 1)) begin
          ts_idx_d = 3'd0;
          sent_d   = 1'b1;
        end else begin
          ts_idx_d = ts_idx_q + 3'd1;
        end
      end
    end
  end

  assign col_tx_take_o = load && (col == ColData);

  // ---- per lane: symbol, encoder, serializer ------------------------------------------------
  for (genvar l = 0; l < LinkLanes; l++) begin : gen_lane
    logic [7:0] sym, dl_sym;
    logic       sym_k, dl_k_ok;
    logic [9:0] code, unused_code_alt;
    logic       rd_q, rd_d, rd_next;

    always_comb begin
      dl_sym  = col_tx_data_i[l*8 +: 8];
      dl_k_ok = (dl_sym == lpu_link_pkg::K23_7) || (dl_sym == lpu_link_pkg::K27_7) ||
                (dl_sym == lpu_link_pkg::K29_7) || (dl_sym == lpu_link_pkg::K30_7);
      sym   = lpu_link_pkg::K28_3;
      sym_k = 1'b1;
      case (col)
        ColTs: begin
          sym_k = 1'b0;
          case (ts_idx_q)
            3'd1:    sym = ts_type_q ? lpu_link_pkg::TS2_ID : lpu_link_pkg::TS1_ID;
            3'd2:    sym = 8'(l);
            3'd3:    sym = 8'(LinkLanes);
            3'd4:    sym = ConfigId;
            default: sym = lpu_link_pkg::TS_PAD;
          endcase
        end
        ColSkp: sym = lpu_link_pkg::K28_0;
        ColCom: sym = lpu_link_pkg::K28_5;
        ColData: begin
          sym_k = col_tx_k_i[l];
          sym   = (col_tx_k_i[l] && !dl_k_ok) ? lpu_link_pkg::K30_7 : dl_sym;
        end
        default: sym = lpu_link_pkg::K28_3;
      endcase
      rd_d = load ? rd_next : rd_q;
    end

    lpu_link_enc8b10b #(
      .WithAlt (1'b0)
    ) u_enc (
      .data_i     (sym),
      .k_i        (sym_k),
      .rd_i       (rd_q),
      .code_o     (code),
      .rd_o       (rd_next),
      .code_alt_o (unused_code_alt)
    );

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rd_q <= 1'b0;
      end else begin
        rd_q <= rd_d;
      end
    end

    lpu_link_ser u_ser (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .load_i  (load),
      .shift_i (shift),
      .code_i  (code),
      .ser_o   (ser_tx_o[l])
    );
  end

  logic sent_q, sent_type_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cyc_q       <= '0;
      bit_q       <= 4'd0;
      ts_idx_q    <= 3'd0;
      ts_type_q   <= 1'b0;
      skip_q      <= '0;
      sent_q      <= 1'b0;
      sent_type_q <= 1'b0;
    end else begin
      cyc_q       <= cyc_d;
      bit_q       <= bit_d;
      ts_idx_q    <= ts_idx_d;
      ts_type_q   <= ts_type_d;
      skip_q      <= skip_d;
      sent_q      <= sent_d;
      sent_type_q <= sent_type_d;
    end
  end

  assign ts_sent_o      = sent_q;
  assign ts_sent_type_o = sent_type_q;

`ifndef SYNTHESIS
  initial begin
    if (Osr < 3) $fatal(1, "lpu_link_tx: Osr must be >= 3");
    if (LinkLanes < 1 || LinkLanes > 4) $fatal(1, "lpu_link_tx: LinkLanes must be 1..4");
  end
`endif

endmodule
