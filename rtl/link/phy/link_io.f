// Board pin wrappers for the link's serial lanes (docs/link.md "Physical layer"): one per FPGA
// family, each synthesised with its own family's flow (not by scripts/synth.sh's default run).
rtl/link/phy/lpu_link_io_ecp5.sv
rtl/link/phy/lpu_link_io_ice40.sv
