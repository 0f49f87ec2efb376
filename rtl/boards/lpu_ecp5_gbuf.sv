// ECP5 global buffer for a high-fanout signal that is not a clock: a DCCA drives one of the
// device's primary (global) networks, which reach every slice's clock, LSR and CE inputs
// without using the general routing. nextpnr promotes clock nets to globals on its own but
// not resets; the ULX3S top passes the core reset (every flip-flop's LSR) through this buffer
// so that its ~37k loads leave the fabric's routing to data (docs/boards.md "Clocks").
//
// The vendor primitive is visible to synthesis only; under Verilator (lint) it is a wire.
module lpu_ecp5_gbuf (
  input  logic in_i,
  output logic out_o
);

`ifdef VERILATOR
  assign out_o = in_i;
`else
  DCCA u_dcca (
    .CLKI (in_i),
    .CE   (1'b1),
    .CLKO (out_o)
  );
`endif

endmodule
