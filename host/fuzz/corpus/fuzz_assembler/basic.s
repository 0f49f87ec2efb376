.config tiny
.equ N, 4
start: li r1, N * 2 + (3 << 1)
    mlw b1[r2], buf=1, stride=-1
    nop 5
    loop N {
        mm b0[r1], acc[r3], count=4, buf=1, dstride=2
        vld v1, b0[r1+4], inc=1
        loop r3 {
            vadd v2, v1, -5
            vrq v3, v2, r4, 7
        }
    }
    vstb v2, b1[r4-3], slice=2
    halt
