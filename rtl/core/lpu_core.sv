// The LPU core: sequencer, SRAM banks, matrix unit, vector pipeline and transpose unit, and a
// host access port. Every size and latency comes from lpu_isa_pkg for the configuration
// CfgId. Specification: docs/core.md (host port, error routing), docs/architecture.md.
module lpu_core #(
  parameter int unsigned CfgId = lpu_isa_pkg::CFG_BASE_ID,
  // Implementation choice, not architecture (no behaviour depends on it): PEs of the systolic
  // array that multiply in DSP blocks (the first ones in row-major order); the others use
  // LUTs (lpu_mxu DspPes). The default gives the array every DSP block the configuration's
  // FPGA has left after the vector pipeline (4 per lane) and the sequencer's scalar multiply
  // (3): LFE5U-85F (base), 156 MULT18X18D: 156 - 64 - 3 = 89 PEs (5 rows and 9 PEs of the
  // sixth); iCE40UP5K (tiny), 8 SB_MAC16: none left.
  // DspPump = 2 double-pumps the DSP multipliers of the array and the vector pipeline on
  // clk2x_i (twice clk_i, rising edges aligned; lpu_dsp2x): the vector pipeline then needs 2
  // per lane, and each block left serves two PEs: base 2 * (156 - 32 - 3) = 242 PEs (15 rows
  // and 2 PEs of the sixteenth). With DspPump = 1, clk2x_i is unused. A budget above the
  // array's Lanes * Lanes PEs (a smaller `base` built for a diagnostic, docs/boards.md) gives
  // every PE a DSP block.
  parameter int unsigned DspPump = 1,
  parameter int unsigned DspPes =
      (CfgId == lpu_isa_pkg::CFG_TINY_ID) ? 0
          : (DspPump * (156 - 4 / DspPump * lpu_isa_pkg::CFG_BASE_LANES - 3)
             > lpu_isa_pkg::CFG_BASE_LANES * lpu_isa_pkg::CFG_BASE_LANES)
              ? lpu_isa_pkg::CFG_BASE_LANES * lpu_isa_pkg::CFG_BASE_LANES
              : DspPump * (156 - 4 / DspPump * lpu_isa_pkg::CFG_BASE_LANES - 3),
  // Implementation choice for a single-chip build: 0 leaves out the links' hardware (lpu_link,
  // docs/link.md). The chip then behaves exactly as one whose links never come up (no
  // partner attached): send and recv raise link_down, link_up_o stays 0, link_tx_o idles low,
  // and the LINK space reads state ST_RESET and zero counters (docs/core.md "LINK space").
  parameter bit          WithLinks = 1'b1,
  // Implementation choice of the board top: the units' stop (a clock enable of most of the
  // chip's flip-flops) on a global network, lpu_gbuf Kind (0 wire, 1 ECP5 DCCA).
  parameter int unsigned GlobalBuf = 0,
  // Derived from the package; not meant to be overridden.
  localparam bit          Tiny  = (CfgId == lpu_isa_pkg::CFG_TINY_ID),
  localparam int unsigned Lanes = Tiny ? lpu_isa_pkg::CFG_TINY_LANES : lpu_isa_pkg::CFG_BASE_LANES,
  localparam int unsigned HostW = Lanes * 32,
  localparam int unsigned Links = Tiny ? lpu_isa_pkg::CFG_TINY_LINKS : lpu_isa_pkg::CFG_BASE_LINKS,
  localparam int unsigned LinkLanes = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_LANES
                                           : lpu_isa_pkg::CFG_BASE_LINK_LANES,
  localparam int unsigned LinkPins = Links * LinkLanes
) (
  input  logic             clk_i,
  input  logic             clk2x_i,   // DspPump = 2: twice clk_i, rising edges aligned
  input  logic             rst_ni,
  // Host port (docs/core.md): one request per cycle, response in the next cycle.
  input  logic             host_req_i,
  input  logic             host_we_i,
  input  logic [2:0]       host_space_i,
  input  logic [3:0]       host_bank_i,
  input  logic [31:0]      host_addr_i,
  input  logic [HostW-1:0] host_wdata_i,
  output logic             host_rvalid_o,
  output logic             host_err_o,
  output logic [HostW-1:0] host_rdata_o,
  // Run status (also readable through the port).
  output logic             running_o,
  output logic             done_o,
  output logic             error_o,   // the last run ended with an error (STATUS state 3)
  // Chip-to-chip links (docs/link.md): link k, lane l is bit k*LinkLanes + l.
  output logic [LinkPins-1:0] link_tx_o,
  input  logic [LinkPins-1:0] link_rx_i,   // asynchronous to clk_i (the PHY synchronises)
  output logic [Links-1:0]    link_up_o
);

  // ---------------------------------------------------------------------------------------
  // Configuration.
  // ---------------------------------------------------------------------------------------
  localparam int unsigned Banks       = Tiny ? lpu_isa_pkg::CFG_TINY_BANKS : lpu_isa_pkg::CFG_BASE_BANKS;
  localparam int unsigned BankDepth   = Tiny ? lpu_isa_pkg::CFG_TINY_BANK_DEPTH : lpu_isa_pkg::CFG_BASE_BANK_DEPTH;
  localparam bit          DualPort    = Tiny ? (lpu_isa_pkg::CFG_TINY_SRAM_DUAL_PORT != 0)
                                             : (lpu_isa_pkg::CFG_BASE_SRAM_DUAL_PORT != 0);
  localparam int unsigned AccDepth    = Tiny ? lpu_isa_pkg::CFG_TINY_ACC_DEPTH : lpu_isa_pkg::CFG_BASE_ACC_DEPTH;
  localparam int unsigned ImemDepth   = Tiny ? lpu_isa_pkg::CFG_TINY_IMEM_DEPTH : lpu_isa_pkg::CFG_BASE_IMEM_DEPTH;
  localparam int unsigned LutDepth    = Tiny ? lpu_isa_pkg::CFG_TINY_LUT_DEPTH : lpu_isa_pkg::CFG_BASE_LUT_DEPTH;
  localparam int unsigned VRegs       = Tiny ? lpu_isa_pkg::CFG_TINY_VREGS : lpu_isa_pkg::CFG_BASE_VREGS;
  localparam int unsigned SRegs       = Tiny ? lpu_isa_pkg::CFG_TINY_SREGS : lpu_isa_pkg::CFG_BASE_SREGS;
  localparam int unsigned LoopDepth   = Tiny ? lpu_isa_pkg::CFG_TINY_LOOP_DEPTH : lpu_isa_pkg::CFG_BASE_LOOP_DEPTH;
  localparam int unsigned LinkTxDepth = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_TX_DEPTH
                                             : lpu_isa_pkg::CFG_BASE_LINK_TX_DEPTH;
  localparam int unsigned Vlat        = Tiny ? lpu_isa_pkg::CFG_TINY_VLAT : lpu_isa_pkg::CFG_BASE_VLAT;
  localparam int unsigned MxuLat      = Tiny ? lpu_isa_pkg::CFG_TINY_MXU_LAT : lpu_isa_pkg::CFG_BASE_MXU_LAT;
  localparam int unsigned MlwBusy     = Tiny ? lpu_isa_pkg::CFG_TINY_MLW_BUSY : lpu_isa_pkg::CFG_BASE_MLW_BUSY;
  localparam int unsigned MlwReady    = Tiny ? lpu_isa_pkg::CFG_TINY_MLW_READY : lpu_isa_pkg::CFG_BASE_MLW_READY;
  localparam int unsigned WbufRelease = Tiny ? lpu_isa_pkg::CFG_TINY_WBUF_RELEASE : lpu_isa_pkg::CFG_BASE_WBUF_RELEASE;
  localparam int unsigned VtrBusy     = Tiny ? lpu_isa_pkg::CFG_TINY_VTR_BUSY : lpu_isa_pkg::CFG_BASE_VTR_BUSY;
  localparam int unsigned VtrWrStart  = Tiny ? lpu_isa_pkg::CFG_TINY_VTR_WR_START : lpu_isa_pkg::CFG_BASE_VTR_WR_START;
  // Block RAM of the base target (ECP5) is true dual-port; iCE40's is not (docs/vxu.md).
  localparam int unsigned LutPorts    = Tiny ? 1 : 2;
  localparam int unsigned LutldW      = Tiny ? lpu_isa_pkg::CFG_TINY_LUTLD_WORD_CYCLES
                                             : lpu_isa_pkg::CFG_BASE_LUTLD_WORD_CYCLES;

  localparam int unsigned ImemAw = $clog2(ImemDepth);
  localparam int unsigned LutAw  = $clog2(LutDepth);
  localparam int unsigned WordW  = Lanes * 8;

  // SRAM port map (docs/architecture.md "SRAM ports").
  localparam int unsigned NumRd  = 5;
  localparam int unsigned NumWr  = 3;
  localparam int unsigned RdAct  = 0;
  localparam int unsigned RdW    = 1;
  localparam int unsigned RdVec  = 2;
  localparam int unsigned RdTr   = 3;
  localparam int unsigned RdSend = 4;
  localparam int unsigned WrVec  = 0;
  localparam int unsigned WrTr   = 1;
  localparam int unsigned WrRecv = 2;

  // Host port spaces and control registers (docs/core.md).
  localparam logic [2:0] SpSram = 3'd0;
  localparam logic [2:0] SpAcc  = 3'd1;
  localparam logic [2:0] SpLut  = 3'd2;
  localparam logic [2:0] SpImem = 3'd3;
  localparam logic [2:0] SpCtrl = 3'd4;
  localparam logic [2:0] SpCnt  = 3'd5;
  localparam logic [2:0] SpSreg = 3'd6;
  localparam logic [2:0] SpLink = 3'd7;

  localparam logic [31:0] CtrlCmd      = 32'd0;
  localparam logic [31:0] CtrlLen      = 32'd1;
  localparam logic [31:0] CtrlErrCode  = 32'd2;
  localparam logic [31:0] CtrlErrPc    = 32'd3;
  localparam logic [31:0] CtrlErrCycle = 32'd4;
  localparam logic [31:0] CtrlCfgId    = 32'd5;

  // ---------------------------------------------------------------------------------------
  // Sequencer.
  // ---------------------------------------------------------------------------------------
  // External error sources in attribution order (lowest index wins a tie on the code; the
  // golden model's Src order: issue, lutld, mm, mlw, vtr read, vtr write, acc write).
  localparam int unsigned ErrMxuIss  = 0;
  localparam int unsigned ErrSxuIss  = 1;
  localparam int unsigned ErrVecRd   = 2;   // vld/vldu/vgather, lutld words (port 2)
  localparam int unsigned ErrVecWr   = 3;   // vst/vstb (write port 0)
  localparam int unsigned ErrAccRd   = 4;   // vlda
  localparam int unsigned ErrLut     = 5;   // lutld table range
  localparam int unsigned ErrAct     = 6;   // mm/mma rows (port 0)
  localparam int unsigned ErrWgt     = 7;   // mlw rows (port 1)
  localparam int unsigned ErrTrRd    = 8;   // vtr rows in (port 3)
  localparam int unsigned ErrTrWr    = 9;   // vtr rows out (write port 1)
  localparam int unsigned ErrAccWr   = 10;  // mm/mma ACC writes
  localparam int unsigned ErrSend    = 11;  // send words (port 4)
  localparam int unsigned ErrRecv    = 12;  // recv words (write port 2)
  localparam int unsigned NumErr     = 13;

  logic              iss_valid;
  logic [63:0]       iss_instr;
  logic [15:0]       iss_pc;
  logic [31:0]       iss_ra_val, iss_rb_val, iss_ea;
  logic              stop, stop_seq;
  logic              iss_reject;
  logic              pending;
  logic [31:0]       vext_val;
  logic [NumErr-1:0]    ext_err;
  logic [NumErr*8-1:0]  ext_err_code;
  logic [NumErr*16-1:0] ext_err_pc;
  logic              ev_mxu_row, ev_mxu_wrow, ev_acc_wr;
  logic [3:0]        ev_sram_rd, ev_sram_wr;
  logic [3:0]        ev_link_tx, ev_link_rx;
  logic              send_busy, recv_done;
  logic [Links*2-1:0]  tx_infl;
  logic [Links*16-1:0] lnk_tx_free;  // the links' free TX entries (registered)
  logic [Links-1:0]  link_up;

  logic              seq_imem_req;
  logic [63:0]       seq_imem_rdata;
  logic              seq_len_we;
  logic [15:0]       seq_prog_len;
  logic              seq_start, seq_abort;
  logic [1:0]        seq_status;
  logic [7:0]        seq_err_code;
  logic [15:0]       seq_err_pc;
  logic [63:0]       seq_err_cycle;
  logic [63:0]       seq_cnt_rdata;
  logic [31:0]       seq_sreg_rdata;
  logic              running;       // the sequencer's state: the units are live
  logic [1:0]        seq_host_status;
  logic              host_running;  // the state the host sees (one cycle longer after an error)

  // The sequencer's registered stop holds nearly every register of the units: on a global
  // network when the board asks for it.
  lpu_gbuf #(
    .Kind (GlobalBuf)
  ) u_stop_gbuf (
    .in_i  (stop_seq),
    .out_o (stop)
  );

  lpu_seq #(
    .ImemDepth (ImemDepth),
    .Lanes     (Lanes),
    .Banks     (Banks),
    .VRegs     (VRegs),
    .SRegs     (SRegs),
    .LoopDepth (LoopDepth),
    .Links     (Links),
    .LinkTxDepth (LinkTxDepth),
    .LutldW    (LutldW),
    .NumErr    (NumErr)
  ) u_seq (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .imem_req_i    (seq_imem_req),
    .imem_we_i     (host_we_i),
    .imem_addr_i   (host_addr_i[ImemAw-1:0]),
    .imem_wdata_i  (host_wdata_i[63:0]),
    .imem_rdata_o  (seq_imem_rdata),
    .len_we_i      (seq_len_we),
    .len_wdata_i   (host_wdata_i[15:0]),
    .prog_len_o    (seq_prog_len),
    .start_i       (seq_start),
    .abort_i       (seq_abort),
    .status_o      (seq_status),
    .host_status_o (seq_host_status),
    .err_code_o    (seq_err_code),
    .err_pc_o      (seq_err_pc),
    .err_cycle_o   (seq_err_cycle),
    .cnt_sel_i     (host_addr_i[3:0]),
    .cnt_rdata_o   (seq_cnt_rdata),
    .sreg_sel_i    (host_addr_i[3:0]),
    .sreg_rdata_o  (seq_sreg_rdata),
    .iss_valid_o   (iss_valid),
    .iss_instr_o   (iss_instr),
    .iss_pc_o      (iss_pc),
    .iss_ra_val_o  (iss_ra_val),
    .iss_rb_val_o  (iss_rb_val),
    .iss_ea_o      (iss_ea),
    .stop_o        (stop_seq),
    .iss_reject_i  (iss_reject),
    .pending_i     (pending),
    .vext_val_i    (vext_val),
    .link_up_i     (link_up),
    .send_busy_i   (send_busy),
    .tx_free_i     (lnk_tx_free),
    .tx_infl_i     (tx_infl),
    .recv_done_i   (recv_done),
    .err_i         (ext_err),
    .err_code_i    (ext_err_code),
    .err_pc_i      (ext_err_pc),
    .ev_mxu_row_i  (ev_mxu_row),
    .ev_mxu_wrow_i (ev_mxu_wrow),
    .ev_acc_wr_i   (ev_acc_wr),
    .ev_sram_rd_i  (ev_sram_rd),
    .ev_sram_wr_i  (ev_sram_wr),
    .ev_link_tx_i  (ev_link_tx),
    .ev_link_rx_i  (ev_link_rx)
  );

  assign running      = (seq_status == 2'd1);
  assign host_running = (seq_host_status == 2'd1);
  assign running_o    = host_running;
  assign done_o       = (seq_host_status == 2'd2) || (seq_host_status == 2'd3);
  assign error_o      = (seq_host_status == 2'd3);

  // ---------------------------------------------------------------------------------------
  // Host port decode. Memory spaces only while not running; control always.
  // ---------------------------------------------------------------------------------------
  logic h_mem, h_sram, h_acc, h_lut, h_imem, h_ctrl;
  logic h_range_bad;

  assign h_mem  = host_req_i && !host_running &&
                  (host_space_i == SpSram || host_space_i == SpAcc ||
                   host_space_i == SpLut || host_space_i == SpImem);
  assign h_sram = h_mem && host_space_i == SpSram;
  assign h_acc  = h_mem && host_space_i == SpAcc && host_addr_i < 32'(AccDepth);
  assign h_lut  = h_mem && host_space_i == SpLut && host_addr_i < 32'(LutDepth);
  assign h_imem = h_mem && host_space_i == SpImem && host_addr_i < 32'(ImemDepth);
  assign h_ctrl = host_req_i && host_space_i == SpCtrl;

  assign seq_imem_req = h_imem;
  assign seq_len_we   = h_ctrl && host_we_i && host_addr_i == CtrlLen && !host_running;
  assign seq_start    = h_ctrl && host_we_i && host_addr_i == CtrlCmd && host_wdata_i[0];
  assign seq_abort    = h_ctrl && host_we_i && host_addr_i == CtrlCmd && host_wdata_i[1];

  // ---------------------------------------------------------------------------------------
  // SRAM.
  // ---------------------------------------------------------------------------------------
  logic [NumRd-1:0]         rd_valid;
  logic [NumRd*4-1:0]       rd_bank;
  logic [NumRd*32-1:0]      rd_addr;
  logic [NumRd*WordW-1:0]   rd_data;
  logic [NumRd-1:0]         rd_err_addr, rd_err_conf;
  logic [NumWr-1:0]         wr_valid;
  logic [NumWr*4-1:0]       wr_bank;
  logic [NumWr*32-1:0]      wr_addr;
  logic [NumWr*WordW-1:0]   wr_data;
  logic [NumWr-1:0]         wr_err_addr, wr_err_conf;

  // Unit-side requests.
  logic              mxu_act_valid, mxu_w_valid;
  logic [3:0]        mxu_act_bank, mxu_w_bank;
  logic [31:0]       mxu_act_addr, mxu_w_addr;
  logic [15:0]       mxu_act_pc, mxu_w_pc;
  logic              vxu_rd_req, vxu_wr_req;
  logic [3:0]        vxu_rd_bank, vxu_wr_bank;
  logic [31:0]       vxu_rd_addr, vxu_wr_addr;
  logic [15:0]       vxu_rd_pc, vxu_wr_pc;
  logic [WordW-1:0]  vxu_wr_data;
  logic              tr_rd_req, tr_wr_req;
  logic [3:0]        tr_rd_bank, tr_wr_bank;
  logic [31:0]       tr_rd_addr, tr_wr_addr;
  logic [15:0]       tr_rd_pc, tr_wr_pc;
  logic [WordW-1:0]  tr_wr_data;
  logic              lnk_rd_valid, lnk_wr_valid;
  logic [3:0]        lnk_rd_bank, lnk_wr_bank;
  logic [31:0]       lnk_rd_addr, lnk_wr_addr;
  logic [15:0]       lnk_rd_pc, lnk_wr_pc;
  logic [WordW-1:0]  lnk_wr_data;

  always_comb begin
    rd_valid = '0;
    rd_bank  = '0;
    rd_addr  = '0;
    wr_valid = '0;
    wr_bank  = '0;
    wr_addr  = '0;
    wr_data  = '0;
    // Unit ports are only live while running (the units are stopped otherwise; this also
    // keeps them off the banks while the host uses the vector ports).
    rd_valid[RdAct]           = mxu_act_valid && running;
    rd_bank[4*RdAct +: 4]     = mxu_act_bank;
    rd_addr[32*RdAct +: 32]   = mxu_act_addr;
    rd_valid[RdW]             = mxu_w_valid && running;
    rd_bank[4*RdW +: 4]       = mxu_w_bank;
    rd_addr[32*RdW +: 32]     = mxu_w_addr;
    rd_valid[RdTr]            = tr_rd_req && running;
    rd_bank[4*RdTr +: 4]      = tr_rd_bank;
    rd_addr[32*RdTr +: 32]    = tr_rd_addr;
    wr_valid[WrTr]            = tr_wr_req && running;
    wr_bank[4*WrTr +: 4]      = tr_wr_bank;
    wr_addr[32*WrTr +: 32]    = tr_wr_addr;
    wr_data[WordW*WrTr +: WordW] = tr_wr_data;
    // The vector ports serve the host while the chip is not running.
    if (running) begin
      rd_valid[RdVec]              = vxu_rd_req;
      rd_bank[4*RdVec +: 4]        = vxu_rd_bank;
      rd_addr[32*RdVec +: 32]      = vxu_rd_addr;
      wr_valid[WrVec]              = vxu_wr_req;
      wr_bank[4*WrVec +: 4]        = vxu_wr_bank;
      wr_addr[32*WrVec +: 32]      = vxu_wr_addr;
      wr_data[WordW*WrVec +: WordW] = vxu_wr_data;
    end else begin
      rd_valid[RdVec]              = h_sram && !host_we_i;
      rd_bank[4*RdVec +: 4]        = host_bank_i;
      rd_addr[32*RdVec +: 32]      = host_addr_i;
      wr_valid[WrVec]              = h_sram && host_we_i;
      wr_bank[4*WrVec +: 4]        = host_bank_i;
      wr_addr[32*WrVec +: 32]      = host_addr_i;
      wr_data[WordW*WrVec +: WordW] = host_wdata_i[WordW-1:0];
    end
    // The links: send reads through port 4, recv writes through write port 2.
    rd_valid[RdSend]              = lnk_rd_valid && running;
    rd_bank[4*RdSend +: 4]        = lnk_rd_bank;
    rd_addr[32*RdSend +: 32]      = lnk_rd_addr;
    wr_valid[WrRecv]              = lnk_wr_valid && running;
    wr_bank[4*WrRecv +: 4]        = lnk_wr_bank;
    wr_addr[32*WrRecv +: 32]      = lnk_wr_addr;
    wr_data[WordW*WrRecv +: WordW] = lnk_wr_data;
  end

  logic [3:0] sram_num_rd;

  // rd_valid_o of the SRAM is not needed: every reader knows when its data returns.
  logic [NumRd-1:0] unused_rd_valid;

  lpu_sram #(
    .Lanes    (Lanes),
    .Banks    (Banks),
    .Depth    (BankDepth),
    .DualPort (DualPort),
    .NumRd    (NumRd),
    .NumWr    (NumWr)
  ) u_sram (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .stop_i        (stop && !h_sram),
    .rd_valid_i    (rd_valid),
    .rd_bank_i     (rd_bank),
    .rd_addr_i     (rd_addr),
    .rd_data_o     (rd_data),
    .rd_valid_o    (unused_rd_valid),
    .rd_err_addr_o (rd_err_addr),
    .rd_err_conf_o (rd_err_conf),
    .wr_valid_i    (wr_valid),
    .wr_bank_i     (wr_bank),
    .wr_addr_i     (wr_addr),
    .wr_data_i     (wr_data),
    .wr_err_addr_o (wr_err_addr),
    .wr_err_conf_o (wr_err_conf),
    .num_rd_o      (sram_num_rd),
    .num_wr_o      (ev_sram_wr)
  );

  // ---------------------------------------------------------------------------------------
  // Matrix unit.
  // ---------------------------------------------------------------------------------------
  logic [7:0]        mxu_iss_err;
  logic              acc_wr, acc_wr_err;
  logic [15:0]       acc_wr_pc;
  // Entry and value of each ACC write: only observed by the co-simulation trace.
  logic [15:0]       trace_acc_wr_addr;
  logic [Lanes*32-1:0] trace_acc_wr_data;
  logic              vxu_acc_req;
  logic [31:0]       vxu_acc_addr;
  logic [15:0]       vxu_acc_pc;
  logic              acc_rd_err;
  logic [Lanes*32-1:0] acc_rd_data;
  logic [Lanes*32-1:0] host_acc_rdata;
  logic              mxu_pending;

  lpu_mxu #(
    .Lanes       (Lanes),
    .AccDepth    (AccDepth),
    .MxuLat      (MxuLat),
    .MlwBusy     (MlwBusy),
    .MlwReady    (MlwReady),
    .WbufRelease (WbufRelease),
    .DspPes      (DspPes),
    .DspPump     (DspPump)
  ) u_mxu (
    .clk_i            (clk_i),
    .clk2x_i          (clk2x_i),
    .rst_ni           (rst_ni),
    .stop_i           (stop),
    .clear_i          (seq_start && !host_running),
    .iss_valid_i      (iss_valid),
    .iss_instr_i      (iss_instr),
    .iss_pc_i         (iss_pc),
    .iss_ra_val_i     (iss_ra_val),
    .iss_rb_val_i     (iss_rb_val),
    .iss_err_o        (mxu_iss_err),
    .act_rd_valid_o   (mxu_act_valid),
    .act_rd_bank_o    (mxu_act_bank),
    .act_rd_addr_o    (mxu_act_addr),
    .act_rd_pc_o      (mxu_act_pc),
    .act_rd_data_i    (rd_data[WordW*RdAct +: WordW]),
    .w_rd_valid_o     (mxu_w_valid),
    .w_rd_bank_o      (mxu_w_bank),
    .w_rd_addr_o      (mxu_w_addr),
    .w_rd_pc_o        (mxu_w_pc),
    .w_rd_data_i      (rd_data[WordW*RdW +: WordW]),
    .acc_wr_o         (acc_wr),
    .acc_wr_err_o     (acc_wr_err),
    .acc_wr_pc_o      (acc_wr_pc),
    .acc_wr_addr_o    (trace_acc_wr_addr),
    .acc_wr_data_o    (trace_acc_wr_data),
    .acc_rd_valid_i   (vxu_acc_req),
    .acc_rd_addr_i    (vxu_acc_addr),
    .acc_rd_err_o     (acc_rd_err),
    .acc_rd_data_o    (acc_rd_data),
    .host_acc_req_i   (h_acc),
    .host_acc_we_i    (host_we_i),
    .host_acc_addr_i  (host_addr_i),
    .host_acc_wdata_i (host_wdata_i[Lanes*32-1:0]),
    .host_acc_rdata_o (host_acc_rdata),
    .pending_o        (mxu_pending)
  );

  // ---------------------------------------------------------------------------------------
  // Vector pipeline.
  // ---------------------------------------------------------------------------------------
  logic        vxu_err;
  logic [7:0]  vxu_err_code;
  logic [15:0] vxu_err_pc;
  logic        vxu_pending;
  logic [15:0] host_lut_rdata;

  lpu_vxu #(
    .Lanes    (Lanes),
    .VRegs    (VRegs),
    .LutDepth (LutDepth),
    .Vlat     (Vlat),
    .LutPorts (LutPorts),
    .LutldW   (LutldW),
    .DspPump  (DspPump)
  ) u_vxu (
    .clk_i            (clk_i),
    .clk2x_i          (clk2x_i),
    .rst_ni           (rst_ni),
    .stop_i           (stop),
    .iss_valid_i      (iss_valid),
    .iss_instr_i      (iss_instr),
    .iss_pc_i         (iss_pc),
    .iss_ra_val_i     (iss_ra_val),
    .iss_rb_val_i     (iss_rb_val),
    .iss_ea_i         (iss_ea),
    .vext_val_o       (vext_val),
    .sram_rd_req_o    (vxu_rd_req),
    .sram_rd_bank_o   (vxu_rd_bank),
    .sram_rd_addr_o   (vxu_rd_addr),
    .sram_rd_pc_o     (vxu_rd_pc),
    .sram_rd_err_i    (rd_err_addr[RdVec] || rd_err_conf[RdVec]),
    .sram_rd_data_i   (rd_data[WordW*RdVec +: WordW]),
    .sram_wr_req_o    (vxu_wr_req),
    .sram_wr_bank_o   (vxu_wr_bank),
    .sram_wr_addr_o   (vxu_wr_addr),
    .sram_wr_data_o   (vxu_wr_data),
    .sram_wr_pc_o     (vxu_wr_pc),
    .acc_rd_req_o     (vxu_acc_req),
    .acc_rd_addr_o    (vxu_acc_addr),
    .acc_rd_pc_o      (vxu_acc_pc),
    .acc_rd_data_i    (acc_rd_data),
    .err_o            (vxu_err),
    .err_code_o       (vxu_err_code),
    .err_pc_o         (vxu_err_pc),
    .pending_o        (vxu_pending),
    .host_lut_we_i    (h_lut && host_we_i),
    .host_lut_re_i    (h_lut && !host_we_i),
    .host_lut_addr_i  (host_addr_i[LutAw-1:0]),
    .host_lut_wdata_i (host_wdata_i[15:0]),
    .host_lut_rdata_o (host_lut_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // Transpose unit.
  // ---------------------------------------------------------------------------------------
  logic tr_iss_err;
  logic tr_pending;

  lpu_sxu_tr #(
    .Lanes      (Lanes),
    .VtrBusy    (VtrBusy),
    .VtrWrStart (VtrWrStart)
  ) u_sxu_tr (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .stop_i         (stop),
    .iss_valid_i    (iss_valid),
    .iss_instr_i    (iss_instr),
    .iss_pc_i       (iss_pc),
    .iss_ra_val_i   (iss_ra_val),
    .iss_rb_val_i   (iss_rb_val),
    .iss_err_o      (tr_iss_err),
    .sram_rd_req_o  (tr_rd_req),
    .sram_rd_bank_o (tr_rd_bank),
    .sram_rd_addr_o (tr_rd_addr),
    .sram_rd_data_i (rd_data[WordW*RdTr +: WordW]),
    .sram_rd_pc_o   (tr_rd_pc),
    .sram_wr_req_o  (tr_wr_req),
    .sram_wr_bank_o (tr_wr_bank),
    .sram_wr_addr_o (tr_wr_addr),
    .sram_wr_data_o (tr_wr_data),
    .sram_wr_pc_o   (tr_wr_pc),
    .pending_o      (tr_pending)
  );

  // ---------------------------------------------------------------------------------------
  // Chip-to-chip links (docs/link.md): one lpu_link per link, pins of link k at
  // [k*LinkLanes +: LinkLanes]; lpu_link_port runs send and recv between them and the SRAM.
  // ---------------------------------------------------------------------------------------
  localparam int unsigned LinkCntW = Tiny ? 16 : 32;
  localparam int unsigned LinkNCnt = lpu_link_pkg::NUM_CNT + 13;

  logic [Links-1:0]                   lnk_tx_valid, lnk_rx_valid, lnk_rx_ready;
  logic [WordW-1:0]                   lnk_tx_word;
  logic [Links*WordW-1:0]             lnk_rx_word;
  logic [Links*3-1:0]                 lnk_state;
  logic [Links*LinkNCnt*LinkCntW-1:0] lnk_status;
  logic [Links-1:0]                   unused_lnk_tx_ready, unused_lnk_tx_empty;

  if (WithLinks) begin : gen_links
    for (genvar k = 0; k < Links; k++) begin : gen_link
      lpu_link #(
        .CfgId (CfgId),
        .CntW  (LinkCntW)
      ) u_link (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .tx_valid_i   (lnk_tx_valid[k]),
        .tx_word_i    (lnk_tx_word),
        .tx_ready_o   (unused_lnk_tx_ready[k]),  // a send issues only with room: see tx_free_o
        .tx_empty_o   (unused_lnk_tx_empty[k]),
        .tx_free_o    (lnk_tx_free[16*k +: 16]),
        .rx_valid_o   (lnk_rx_valid[k]),
        .rx_word_o    (lnk_rx_word[WordW*k +: WordW]),
        .rx_ready_i   (lnk_rx_ready[k]),
        .link_up_o    (link_up[k]),
        .ser_tx_o     (link_tx_o[LinkLanes*k +: LinkLanes]),
        .ser_rx_i     (link_rx_i[LinkLanes*k +: LinkLanes]),
        .link_state_o (lnk_state[3*k +: 3]),
        .status_o     (lnk_status[LinkNCnt*LinkCntW*k +: LinkNCnt*LinkCntW])
      );
    end
  end else begin : gen_no_links
    // A link that never comes up: no words, no TX room, state ST_RESET, counters 0.
    assign lnk_tx_free  = '0;
    assign lnk_rx_valid = '0;
    assign lnk_rx_word  = '0;
    assign link_up      = '0;
    assign link_tx_o    = '0;
    assign lnk_state    = {Links{lpu_link_pkg::ST_RESET}};
    assign lnk_status   = '0;
    assign unused_lnk_tx_ready = '0;
    assign unused_lnk_tx_empty = '0;
    logic unused_links;
    assign unused_links = ^{lnk_tx_valid, lnk_tx_word, lnk_rx_ready, link_rx_i};
  end

  assign link_up_o = link_up;

  lpu_link_port #(
    .Lanes (Lanes),
    .Links (Links)
  ) u_link_port (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (seq_start && !host_running),
    .run_i        (running),
    .iss_valid_i  (iss_valid),
    .iss_instr_i  (iss_instr),
    .iss_pc_i     (iss_pc),
    .iss_ra_val_i (iss_ra_val),
    .send_busy_o  (send_busy),
    .tx_infl_o    (tx_infl),
    .recv_done_o  (recv_done),
    .rd_valid_o   (lnk_rd_valid),
    .rd_bank_o    (lnk_rd_bank),
    .rd_addr_o    (lnk_rd_addr),
    .rd_pc_o      (lnk_rd_pc),
    .rd_ok_i      (!rd_err_addr[RdSend] && !rd_err_conf[RdSend]),
    .rd_data_i    (rd_data[WordW*RdSend +: WordW]),
    .wr_valid_o   (lnk_wr_valid),
    .wr_bank_o    (lnk_wr_bank),
    .wr_addr_o    (lnk_wr_addr),
    .wr_data_o    (lnk_wr_data),
    .wr_pc_o      (lnk_wr_pc),
    .tx_valid_o   (lnk_tx_valid),
    .tx_word_o    (lnk_tx_word),
    .rx_valid_i   (lnk_rx_valid),
    .rx_word_i    (lnk_rx_word),
    .rx_ready_o   (lnk_rx_ready)
  );

  // ---------------------------------------------------------------------------------------
  // Errors, events and drain, routed to the sequencer.
  // ---------------------------------------------------------------------------------------
  function automatic logic [7:0] sram_code(input logic err_addr);
    sram_code = err_addr ? lpu_isa_pkg::ERR_SRAM_ADDR : lpu_isa_pkg::ERR_BANK_CONFLICT;
  endfunction

  always_comb begin
    ext_err      = '0;
    ext_err_code = '0;
    ext_err_pc   = '0;

    ext_err[ErrMxuIss]                = iss_valid && (mxu_iss_err != lpu_isa_pkg::ERR_NONE);
    ext_err_code[8*ErrMxuIss +: 8]    = mxu_iss_err;
    ext_err_pc[16*ErrMxuIss +: 16]    = iss_pc;

    ext_err[ErrSxuIss]                = iss_valid && tr_iss_err;
    ext_err_code[8*ErrSxuIss +: 8]    = lpu_isa_pkg::ERR_SXU_BUSY;
    ext_err_pc[16*ErrSxuIss +: 16]    = iss_pc;

    ext_err[ErrVecRd]                 = running && (rd_err_addr[RdVec] || rd_err_conf[RdVec]);
    ext_err_code[8*ErrVecRd +: 8]     = sram_code(rd_err_addr[RdVec]);
    ext_err_pc[16*ErrVecRd +: 16]     = vxu_rd_pc;

    ext_err[ErrVecWr]                 = running && (wr_err_addr[WrVec] || wr_err_conf[WrVec]);
    ext_err_code[8*ErrVecWr +: 8]     = sram_code(wr_err_addr[WrVec]);
    ext_err_pc[16*ErrVecWr +: 16]     = vxu_wr_pc;

    ext_err[ErrAccRd]                 = acc_rd_err;
    ext_err_code[8*ErrAccRd +: 8]     = lpu_isa_pkg::ERR_ACC_ADDR;
    ext_err_pc[16*ErrAccRd +: 16]     = vxu_acc_pc;

    ext_err[ErrLut]                   = vxu_err;
    ext_err_code[8*ErrLut +: 8]       = vxu_err_code;
    ext_err_pc[16*ErrLut +: 16]       = vxu_err_pc;

    ext_err[ErrAct]                   = rd_err_addr[RdAct] || rd_err_conf[RdAct];
    ext_err_code[8*ErrAct +: 8]       = sram_code(rd_err_addr[RdAct]);
    ext_err_pc[16*ErrAct +: 16]       = mxu_act_pc;

    ext_err[ErrWgt]                   = rd_err_addr[RdW] || rd_err_conf[RdW];
    ext_err_code[8*ErrWgt +: 8]       = sram_code(rd_err_addr[RdW]);
    ext_err_pc[16*ErrWgt +: 16]       = mxu_w_pc;

    ext_err[ErrTrRd]                  = rd_err_addr[RdTr] || rd_err_conf[RdTr];
    ext_err_code[8*ErrTrRd +: 8]      = sram_code(rd_err_addr[RdTr]);
    ext_err_pc[16*ErrTrRd +: 16]      = tr_rd_pc;

    ext_err[ErrTrWr]                  = wr_err_addr[WrTr] || wr_err_conf[WrTr];
    ext_err_code[8*ErrTrWr +: 8]      = sram_code(wr_err_addr[WrTr]);
    ext_err_pc[16*ErrTrWr +: 16]      = tr_wr_pc;

    ext_err[ErrAccWr]                 = acc_wr_err;
    ext_err_code[8*ErrAccWr +: 8]     = lpu_isa_pkg::ERR_ACC_ADDR;
    ext_err_pc[16*ErrAccWr +: 16]     = acc_wr_pc;

    ext_err[ErrSend]                  = rd_err_addr[RdSend] || rd_err_conf[RdSend];
    ext_err_code[8*ErrSend +: 8]      = sram_code(rd_err_addr[RdSend]);
    ext_err_pc[16*ErrSend +: 16]      = lnk_rd_pc;

    ext_err[ErrRecv]                  = wr_err_addr[WrRecv] || wr_err_conf[WrRecv];
    ext_err_code[8*ErrRecv +: 8]      = sram_code(wr_err_addr[WrRecv]);
    ext_err_pc[16*ErrRecv +: 16]      = lnk_wr_pc;
  end

  assign iss_reject  = iss_valid && ((mxu_iss_err != lpu_isa_pkg::ERR_NONE) || tr_iss_err);
  assign pending     = mxu_pending || vxu_pending || tr_pending || send_busy;
  assign ev_mxu_row  = mxu_act_valid && !rd_err_addr[RdAct] && !rd_err_conf[RdAct];
  assign ev_mxu_wrow = mxu_w_valid && !rd_err_addr[RdW] && !rd_err_conf[RdW];
  assign ev_acc_wr   = acc_wr;
  assign ev_link_tx  = {3'd0, rd_valid[RdSend] && !rd_err_addr[RdSend] && !rd_err_conf[RdSend]};
  assign ev_link_rx  = {3'd0, wr_valid[WrRecv] && !wr_err_addr[WrRecv] && !wr_err_conf[WrRecv]};
  // A lutld word that raised lut_addr is suppressed as a whole: its SRAM read still takes the
  // port (and can conflict) but is not counted, as in the golden model.
  assign ev_sram_rd  = sram_num_rd - {3'd0, running && vxu_err && rd_valid[RdVec] &&
                                            !rd_err_addr[RdVec] && !rd_err_conf[RdVec]};

  // ---------------------------------------------------------------------------------------
  // Host responses: every request is answered in the next cycle.
  // ---------------------------------------------------------------------------------------
  logic             rsp_valid_q;
  logic             rsp_err_q, rsp_err_d;
  logic [2:0]       rsp_space_q;
  logic             rsp_reg_q;          // data from rsp_data_q (not from a memory)
  logic [63:0]      rsp_data_q, rsp_data_d;

  // Link status (space 7, docs/core.md "LINK space"): address k*32 is {link_up, link_state}
  // of link k, k*32 + 1 + i its status counter i; anything else reads 0. Indexed selects
  // (link, then counter) rather than a compare per counter: a mux tree, not a chain.
  localparam int unsigned LinkIdxW = (Links > 1) ? $clog2(Links) : 1;
  localparam int unsigned CntIdxW  = $clog2(LinkNCnt);

  logic [31:0]                  link_rdata;
  logic [LinkIdxW-1:0]          lsel;
  logic [CntIdxW-1:0]           csel;
  logic [LinkNCnt*LinkCntW-1:0] lsel_status;
  logic                         lsel_ok;

  assign lsel        = host_addr_i[5 +: LinkIdxW];
  assign csel        = CntIdxW'(host_addr_i[4:0] - 5'd1);
  assign lsel_ok     = (host_addr_i[31:5] < 27'(Links));
  assign lsel_status = lnk_status[LinkNCnt*LinkCntW*lsel +: LinkNCnt*LinkCntW];

  always_comb begin
    link_rdata = 32'd0;
    if (lsel_ok) begin
      if (host_addr_i[4:0] == 5'd0) begin
        link_rdata = {28'd0, link_up[lsel], lnk_state[3*lsel +: 3]};
      end else if (host_addr_i[4:0] <= 5'(LinkNCnt)) begin
        link_rdata = 32'(lsel_status[LinkCntW*csel +: LinkCntW]);
      end
    end
  end

  always_comb begin
    rsp_err_d  = 1'b0;
    rsp_data_d = 64'd0;
    h_range_bad = 1'b0;
    case (host_space_i)
      SpSram: h_range_bad = (host_addr_i >= 32'(BankDepth)) || (32'(host_bank_i) >= Banks);
      SpAcc:  h_range_bad = host_addr_i >= 32'(AccDepth);
      SpLut:  h_range_bad = host_addr_i >= 32'(LutDepth);
      SpImem: h_range_bad = host_addr_i >= 32'(ImemDepth);
      default: ;
    endcase
    case (host_space_i)
      SpSram, SpAcc, SpLut, SpImem: rsp_err_d = running || h_range_bad;
      SpCtrl: begin
        case (host_addr_i)
          CtrlCmd:      rsp_data_d = 64'(seq_host_status);
          CtrlLen:      begin
            rsp_data_d = 64'(seq_prog_len);
            rsp_err_d  = host_we_i && running;
          end
          CtrlErrCode:  rsp_data_d = 64'(seq_err_code);
          CtrlErrPc:    rsp_data_d = 64'(seq_err_pc);
          CtrlErrCycle: rsp_data_d = seq_err_cycle;
          CtrlCfgId:    rsp_data_d = 64'(CfgId);
          default:      rsp_err_d  = 1'b1;
        endcase
      end
      SpCnt: begin
        rsp_data_d = seq_cnt_rdata;
        rsp_err_d  = host_we_i || host_addr_i >= 32'(lpu_isa_pkg::NUM_COUNTERS);
      end
      SpSreg: begin
        rsp_data_d = 64'(seq_sreg_rdata);
        rsp_err_d  = host_we_i || running || host_addr_i >= 32'(SRegs);
      end
      SpLink: begin
        rsp_data_d = 64'(link_rdata);
        rsp_err_d  = host_we_i;
      end
      default: rsp_err_d = 1'b1;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rsp_valid_q <= 1'b0;
      rsp_err_q   <= 1'b0;
      rsp_space_q <= SpCtrl;
      rsp_reg_q   <= 1'b0;
      rsp_data_q  <= '0;
    end else begin
      rsp_valid_q <= host_req_i;
      rsp_err_q   <= host_req_i && rsp_err_d;
      rsp_space_q <= host_space_i;
      rsp_reg_q   <= !(host_space_i == SpSram || host_space_i == SpAcc ||
                       host_space_i == SpLut || host_space_i == SpImem);
      rsp_data_q  <= rsp_data_d;
    end
  end

  always_comb begin
    host_rdata_o = '0;
    if (rsp_reg_q) begin
      host_rdata_o[63:0] = rsp_data_q;
    end else begin
      case (rsp_space_q)
        SpSram:  host_rdata_o[WordW-1:0] = rd_data[WordW*RdVec +: WordW];
        SpAcc:   host_rdata_o[Lanes*32-1:0] = host_acc_rdata;
        SpLut:   host_rdata_o[15:0] = host_lut_rdata;
        SpImem:  host_rdata_o[63:0] = seq_imem_rdata;
        default: ;
      endcase
    end
  end

  assign host_rvalid_o = rsp_valid_q;
  assign host_err_o    = rsp_err_q;

endmodule
