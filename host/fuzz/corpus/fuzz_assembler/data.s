.config base
.predicted_cycles 100
.meta "source=data.s"
.data b0[0], 1, 2, 0xff
.data acc[1] {
  1, -2, 3
}
.data lut[3], -7, 8
.input x, b2[0], shape=(2, 32), dtype=int8, layout=tiled
.output y, acc[0], shape=(2, 16), dtype=int32
    vlda v1, acc[r1+2]
    vclamp v2, v1, -128, 127
    send 1, b3[r2], 10, stride=2
    .word 0x0700000000000000
    halt
