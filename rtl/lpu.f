// The chip, in dependency order: the one list of what lpu_core is made of.
// Used by lint, synthesis and the Verilator builds.
rtl/gen/lpu_isa_pkg.sv
rtl/core/lpu_dsp2x.sv
rtl/core/lpu_gbuf.sv
rtl/core/lpu_imem.sv
rtl/core/lpu_opcheck.sv
rtl/core/lpu_loop_resolve.sv
rtl/core/lpu_loop_stack.sv
rtl/core/lpu_perf_counters.sv
rtl/core/lpu_seq.sv
rtl/core/lpu_link_port.sv
rtl/vxu/lpu_vregfile.sv
rtl/vxu/lpu_vxu_lane.sv
rtl/vxu/lpu_vxu_alu.sv
rtl/vxu/lpu_vxu_mul.sv
rtl/vxu/lpu_vxu_red.sv
rtl/vxu/lpu_vxu_lut.sv
rtl/vxu/lpu_vxu.sv
rtl/vxu/lpu_sxu_tr.sv
rtl/mem/lpu_sram_bank.sv
rtl/mem/lpu_sram.sv
rtl/mxu/lpu_mxu_pe.sv
rtl/mxu/lpu_mxu_array.sv
rtl/mxu/lpu_mxu_acc.sv
rtl/mxu/lpu_mxu.sv
// Chip-to-chip link (docs/link.md).
-f rtl/link/link.f
rtl/core/lpu_core.sv
// Host interface (docs/host-if.md): UART, CRC (above), frame parser and command engine, and lpu_top.
rtl/host/lpu_uart_rx.sv
rtl/host/lpu_uart_tx.sv
rtl/host/lpu_host_if.sv
rtl/host/lpu_top.sv
