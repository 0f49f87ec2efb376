// The chip, in dependency order: the one list of what lpu_core is made of.
// Used by lint, synthesis and the Verilator builds.
rtl/gen/lpu_isa_pkg.sv
rtl/core/lpu_imem.sv
rtl/core/lpu_opcheck.sv
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
// Chip-to-chip link (docs/link.md): the files of rtl/link/link.f, repeated here (minus the ISA
// package and lpu_crc32, listed once) because some consumers read this list line by line
// without following -f. Keep the two lists in step.
rtl/host/lpu_crc32.sv
rtl/link/lpu_link_pkg.sv
rtl/link/lpu_link_enc8b10b.sv
rtl/link/lpu_link_dec8b10b.sv
rtl/link/lpu_link_ser.sv
rtl/link/lpu_link_cdr.sv
rtl/link/lpu_link_align.sv
rtl/link/lpu_link_rx_lane.sv
rtl/link/lpu_link_elastic.sv
rtl/link/lpu_link_deskew.sv
rtl/link/lpu_link_rx_parse.sv
rtl/link/lpu_link_train.sv
rtl/link/lpu_link_tx.sv
rtl/link/lpu_link_counters.sv
rtl/link/lpu_link_phy.sv
rtl/link/lpu_link_dl_pkg.sv
rtl/link/lpu_link_dl_ram.sv
rtl/link/lpu_link_dl_counter.sv
rtl/link/lpu_link_dl_txcol.sv
rtl/link/lpu_link_dl_rxcol.sv
rtl/link/lpu_link_dl_tx.sv
rtl/link/lpu_link_dl_rx.sv
rtl/link/lpu_link_dl.sv
rtl/link/lpu_link.sv
rtl/core/lpu_core.sv
// Host interface (docs/host-if.md): UART, CRC (above), frame parser and command engine, and lpu_top.
rtl/host/lpu_uart_rx.sv
rtl/host/lpu_uart_tx.sv
rtl/host/lpu_host_if.sv
rtl/host/lpu_top.sv
