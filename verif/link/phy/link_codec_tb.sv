// Testbench top for the exhaustive 8b/10b tests: the encoder and the decoder side by side,
// each with its own ports (both combinational).
module link_codec_tb (
  input  logic [7:0] enc_data_i,
  input  logic       enc_k_i,
  input  logic       enc_rd_i,
  output logic [9:0] enc_code_o,
  output logic       enc_rd_o,
  output logic [9:0] enc_code_alt_o,
  input  logic [9:0] dec_code_i,
  input  logic       dec_rd_i,
  output logic [7:0] dec_data_o,
  output logic       dec_k_o,
  output logic       dec_code_err_o,
  output logic       dec_disp_err_o,
  output logic       dec_rd_o
);

  lpu_link_enc8b10b u_enc (
    .data_i (enc_data_i),
    .k_i    (enc_k_i),
    .rd_i   (enc_rd_i),
    .code_o     (enc_code_o),
    .rd_o       (enc_rd_o),
    .code_alt_o (enc_code_alt_o)
  );

  lpu_link_dec8b10b u_dec (
    .code_i     (dec_code_i),
    .rd_i       (dec_rd_i),
    .data_o     (dec_data_o),
    .k_o        (dec_k_o),
    .code_err_o (dec_code_err_o),
    .disp_err_o (dec_disp_err_o),
    .rd_o       (dec_rd_o)
  );

endmodule
