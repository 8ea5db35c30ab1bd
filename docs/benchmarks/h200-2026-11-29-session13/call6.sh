#!/usr/bin/env bash
# session 13, call 6: the decoder attention kernel's second design (keys packed once into swizzled 32 KB blocks of 128
# keys, bulk copies by a producer warpgroup through an mbarrier ring of 4 stages, 2 consumer warpgroups with 240
# registers each via setmaxnreg, no block-wide barrier in the loop): reference check and time (attn_test_g2).
set -u
R=$OUT/r; mkdir -p $R
K=.bench-results/kb
timeout 100 $K/attn_test_g2 > $R/attn.txt 2>&1; echo "rc $?" >> $R/attn.txt
cat $R/attn.txt
cd $OUT && tar czf r.tgz r && rm -rf r
