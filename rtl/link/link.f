// Chip-to-chip link (docs/link.md), in dependency order.
rtl/gen/lpu_isa_pkg.sv
// Physical layer (lpu_link_phy).
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
// Data link layer (lpu_link_dl): framing, CRC-32, sequence numbers, ACK/NAK, go-back-N replay.
rtl/host/lpu_crc32.sv
rtl/link/lpu_link_dl_pkg.sv
rtl/link/lpu_link_dl_ram.sv
rtl/link/lpu_link_dl_counter.sv
rtl/link/lpu_link_dl_txcol.sv
rtl/link/lpu_link_dl_rxcol.sv
rtl/link/lpu_link_dl_tx.sv
rtl/link/lpu_link_dl_rx.sv
rtl/link/lpu_link_dl.sv
// The link: lpu_link_phy + lpu_link_dl with the word interface toward the core.
rtl/link/lpu_link.sv
