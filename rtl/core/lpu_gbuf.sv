// A signal onto one of the FPGA's global (clock) networks: for the few nets that reach
// nearly every flip-flop as a reset or a clock enable, which the general routing would
// otherwise have to carry to tens of thousands of pins (docs/boards.md "Global nets").
//
// Kind is an implementation choice made by the board top: 0 is a plain wire (simulation, and
// the iCE40, where nextpnr promotes high-fanout resets and enables to globals by itself);
// 1 is an ECP5 DCCA, whose output drives a primary clock network that reaches every slice's
// CLK, LSR and CE inputs. nextpnr-ecp5 promotes only clock nets on its own.
//
// The vendor primitive is visible to synthesis only; under Verilator the buffer is a wire for
// every Kind. It adds the global network's delay (a few ns) to the signal, so it is used only
// on signals that leave a register (or an asynchronous reset).
module lpu_gbuf #(
  parameter int unsigned Kind = 0
) (
  input  logic in_i,
  output logic out_o
);

`ifdef VERILATOR
  assign out_o = in_i;
`else
  if (Kind == 1) begin : gen_ecp5
    DCCA u_dcca (
      .CLKI (in_i),
      .CE   (1'b1),
      .CLKO (out_o)
    );
  end else begin : gen_wire
    assign out_o = in_i;
  end
`endif

`ifndef SYNTHESIS
  initial begin
    if (Kind > 1) $fatal(1, "lpu_gbuf: Kind %0d is not 0 (wire) or 1 (ECP5 DCCA)", Kind);
  end
`endif

endmodule
