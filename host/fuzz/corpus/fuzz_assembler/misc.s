vtr b7[r6], b2[r5]
vgather v1, b3[r2+5], v4, 7
lutld b2[r1], 8, -4
loopi 2, 1
nop cycles=3
