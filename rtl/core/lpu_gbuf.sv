// A signal onto one of the FPGA's global (clock) networks: for the few nets that reach
// nearly every flip-flop as a reset or a clock enable, which the general routing would
// otherwise have to carry to tens of thousands of pins (docs/boards.md "Global nets").
//
// Kind is an implementation choice made by the board top: 0 is a plain wire (simulation, and
// the iCE40, where nextpnr promotes high-fanout resets and enables to globals by itself);
// 1 is an ECP5 DCCA, whose output drives a primary clock network that reaches every slice's
// CLK, LSR and CE inputs. nextpnr-ecp5 promotes only clock nets on its own.
//
// ActiveLow (for an active-low reset): the network carries the inverted signal and the
// buffer's output inverts it back. ECP5 flip-flops take an asynchronous reset only active
// high (their LSR input), so synthesis inverts an active-low reset before every flip-flop;
// those inverters fold into the one behind the DCCA and the LSR inputs hang directly on the
// global network. Without it the network would end in one inverter LUT that drives every LSR
// through the general routing again.
//
// The vendor primitive is visible to synthesis only; under Verilator the buffer is a wire for
// every Kind. It adds the global network's delay (a few ns) to the signal, so it is used only
// on signals that leave a register (or an asynchronous reset).
module lpu_gbuf #(
  parameter int unsigned Kind      = 0,
  parameter bit          ActiveLow = 1'b0
) (
  input  logic in_i,
  output logic out_o
);

  logic glb_in, glb_out;  // the signal on the network
  assign glb_in = ActiveLow ? !in_i : in_i;

`ifdef VERILATOR
  assign glb_out = glb_in;
`else
  if (Kind == 1) begin : gen_ecp5
    DCCA u_dcca (
      .CLKI (glb_in),
      .CE   (1'b1),
      .CLKO (glb_out)
    );
  end else begin : gen_wire
    assign glb_out = glb_in;
  end
`endif

  assign out_o = ActiveLow ? !glb_out : glb_out;

`ifndef SYNTHESIS
  initial begin
    if (Kind > 1) $fatal(1, "lpu_gbuf: Kind %0d is not 0 (wire) or 1 (ECP5 DCCA)", Kind);
  end
`endif

endmodule
