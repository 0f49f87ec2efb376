// Board tops (docs/boards.md): the chip (rtl/lpu.f), then the per-vendor clock modules, the
// reset synchroniser, the part every board shares (lpu_board_lpu) and one top per board.
// Used by lint and scripts/bitstream.sh.
-f rtl/lpu.f
rtl/boards/lpu_reset_sync.sv
rtl/boards/lpu_ecp5_pll.sv
rtl/boards/lpu_ice40_pll.sv
rtl/boards/lpu_board_lpu.sv
rtl/boards/lpu_ulx3s_top.sv
rtl/boards/lpu_icebreaker_top.sv
