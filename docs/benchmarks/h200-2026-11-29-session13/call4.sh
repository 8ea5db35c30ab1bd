#!/usr/bin/env bash
# session 13, call 4: the decoder attention kernel with the next block's scores issued before the current block's
# softmax, three key stages, one barrier per block; 2, 3 and 4 warpgroups per block (attn_test_gN, built on the CPU
# machine for sm_90a): the naive float32 reference check and the time on a 131072-row chunk.
set -u
R=$OUT/r; mkdir -p $R
K=.bench-results/kb
for g in 2 3 4; do echo "== groups $g" >> $R/attn.txt; timeout 100 $K/attn_test_g$g >> $R/attn.txt 2>&1; echo "rc $?" >> $R/attn.txt; done
cat $R/attn.txt
cd $OUT && tar czf r.tgz r && rm -rf r
