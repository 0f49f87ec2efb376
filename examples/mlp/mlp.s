; Two-layer MLP on base, batch of M = 64 rows:
;   H = requant(relu(X W1 + B1), MULT1, SH1)      X 64x128, W1 128x64, H 64x64
;   Y = requant(relu(H W2 + B2), MULT2, SH2)      W2 64x32, Y 64x32
; requant(x, m, s) = saturate_int8(round_shift(x * m, s)) (vrq).
; Per layer and column block j of the output: the k-block streams run back to back on the
; MXU (double-buffered weights: the next tile loads into the idle buffer while the current
; stream runs), then bias, ReLU and requantization in a software pipeline.
; Registers: r1 activation block, r2 weight tile, r3 column block j, r4 ACC read pointer,
; r6 requant multiplier, r7 output write pointer; v5 bias of the column block.
.config base
.predicted_cycles 4955
.equ M, 64
.equ MULT1, 11
.equ SH1, 14
.equ MULT2, 25
.equ SH2, 14
.input X, b0[0], shape=(64, 128), layout=tiled
.input W1, b1[0], shape=(128, 64)
.input B1, acc[448], shape=(64,), dtype=int32
.input W2, b3[0], shape=(64, 32)
.input B2, acc[452], shape=(32,), dtype=int32
.output H, b2[0], shape=(64, 64), layout=tiled
.output Y, b4[0], shape=(64, 32), layout=tiled

; ---- layer 1: 4 column blocks of H, 8 k-blocks each
    li r6, MULT1
    li r3, 0
    li r7, 0
loop 4 {
    vlda v5, acc[r3+448]        ; B1[16j .. 16j+15]
    addi r2, r3, 0              ; W1 tile (0, j): row k at word 4k + j
    mlw b1[r2], buf=0, stride=4
    li r1, 0                    ; X block 0
    nop 16                      ; mlw_ready
    mm  b0[r1], acc[r0], M, buf=0
    addi r2, r2, 64
    nop 16                      ; the idle buffer's last mm drains (wbuf_release)
    mlw b1[r2], buf=1, stride=4
    addi r1, r1, M
    nop 44                      ; the next stream issues M cycles after this one
    loop 3 {                    ; k-blocks 1..6 in pairs
        mma b0[r1], acc[r0], M, buf=1
        addi r2, r2, 64
        nop 16                      ; the idle buffer's last mm drains (wbuf_release)
        mlw b1[r2], buf=0, stride=4
        addi r1, r1, M
        nop 44                      ; the next stream issues M cycles after this one
        mma b0[r1], acc[r0], M, buf=0
        addi r2, r2, 64
        nop 16                      ; the idle buffer's last mm drains (wbuf_release)
        mlw b1[r2], buf=1, stride=4
        addi r1, r1, M
        nop 44                      ; the next stream issues M cycles after this one
    }
    mma b0[r1], acc[r0], M, buf=1
    li r4, 0
    barrier                     ; the last ACC row has landed
    ; bias + ReLU + requant of the 64 rows, 5 cycles per row (slots: vlda row i,
    ; vadd row i-1, vrelu row i-2, vrq row i-3, vst row i-4; vlat = 4 between stages)
    vlda v0, acc[r4], inc=1     ; fill: row 0
    nop 4
    vlda v0, acc[r4], inc=1     ; row 1
    vadd v1, v0, v5
    nop 3
    vlda v0, acc[r4], inc=1     ; row 2
    vadd v1, v0, v5
    vrelu v2, v1
    nop 2
    vlda v0, acc[r4], inc=1     ; row 3
    vadd v1, v0, v5
    vrelu v2, v1
    vrq v3, v2, r6, SH1
    loop M - 4 {
        vlda v0, acc[r4], inc=1
        vadd v1, v0, v5
        vrelu v2, v1
        vrq v3, v2, r6, SH1
        vst v3, b2[r7], inc=1
    }
    nop                         ; drain: rows M-4 .. M-1
    vadd v1, v0, v5
    vrelu v2, v1
    vrq v3, v2, r6, SH1
    vst v3, b2[r7], inc=1
    nop 2
    vrelu v2, v1
    vrq v3, v2, r6, SH1
    vst v3, b2[r7], inc=1
    nop 3
    vrq v3, v2, r6, SH1
    vst v3, b2[r7], inc=1
    nop 4
    vst v3, b2[r7], inc=1
    addi r3, r3, 1
}

; ---- layer 2: 2 column blocks of Y, 4 k-blocks each (H is the activation)
    li r6, MULT2
    li r3, 0
    li r7, 0
loop 2 {
    vlda v5, acc[r3+452]        ; B2[16j .. 16j+15]
    addi r2, r3, 0              ; W2 tile (0, j): row k at word 2k + j
    mlw b3[r2], buf=0, stride=2
    li r1, 0                    ; H block 0
    nop 16
    mm  b2[r1], acc[r0], M, buf=0
    addi r2, r2, 32
    nop 16                      ; the idle buffer's last mm drains (wbuf_release)
    mlw b3[r2], buf=1, stride=2
    addi r1, r1, M
    nop 44                      ; the next stream issues M cycles after this one
    mma b2[r1], acc[r0], M, buf=1
    addi r2, r2, 32
    nop 16                      ; the idle buffer's last mm drains (wbuf_release)
    mlw b3[r2], buf=0, stride=2
    addi r1, r1, M
    nop 44                      ; the next stream issues M cycles after this one
    mma b2[r1], acc[r0], M, buf=0
    addi r2, r2, 32
    nop 16                      ; the idle buffer's last mm drains (wbuf_release)
    mlw b3[r2], buf=1, stride=2
    addi r1, r1, M
    nop 44                      ; the next stream issues M cycles after this one
    mma b2[r1], acc[r0], M, buf=1
    li r4, 0
    barrier
    ; bias + ReLU + requant of the 64 rows, 5 cycles per row (slots: vlda row i,
    ; vadd row i-1, vrelu row i-2, vrq row i-3, vst row i-4; vlat = 4 between stages)
    vlda v0, acc[r4], inc=1     ; fill: row 0
    nop 4
    vlda v0, acc[r4], inc=1     ; row 1
    vadd v1, v0, v5
    nop 3
    vlda v0, acc[r4], inc=1     ; row 2
    vadd v1, v0, v5
    vrelu v2, v1
    nop 2
    vlda v0, acc[r4], inc=1     ; row 3
    vadd v1, v0, v5
    vrelu v2, v1
    vrq v3, v2, r6, SH2
    loop M - 4 {
        vlda v0, acc[r4], inc=1
        vadd v1, v0, v5
        vrelu v2, v1
        vrq v3, v2, r6, SH2
        vst v3, b4[r7], inc=1
    }
    nop                         ; drain: rows M-4 .. M-1
    vadd v1, v0, v5
    vrelu v2, v1
    vrq v3, v2, r6, SH2
    vst v3, b4[r7], inc=1
    nop 2
    vrelu v2, v1
    vrq v3, v2, r6, SH2
    vst v3, b4[r7], inc=1
    nop 3
    vrq v3, v2, r6, SH2
    vst v3, b4[r7], inc=1
    nop 4
    vst v3, b4[r7], inc=1
    addi r3, r3, 1
}
    halt
