#!/usr/bin/env bash
# session 13, call 3: no build on the device (binaries from the CPU machine in .bench-results/kb/). The first run of
# the decoder attention kernel of our own (decoder_attention.cu, sm_90a) against a naive float32 reference kernel and
# its time on a chunk; the front kernel's fourth form (bias in the accumulators, reciprocals instead of divisions):
# kernel check and bench against the second and third forms.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
K=.bench-results/kb
timeout 120 $K/attn_test > $R/attn_test.txt 2>&1; echo "rc $?" >> $R/attn_test.txt
cat $R/attn_test.txt
timeout 120 $K/kcheck_v3c > $R/kcheck_v3c.txt 2>&1; echo "rc $?" >> $R/kcheck_v3c.txt
for round in 1 2; do for v in v2 v3b2 v3c; do echo "== $v $round" >> $R/bench.txt; timeout 60 $K/bench_$v 30 >> $R/bench.txt 2>&1; done; done
grep -a "FAIL" $R/kcheck_v3c.txt | head; tail -n 2 $R/kcheck_v3c.txt
grep -a "decoderFront\|==" $R/bench.txt
cuobjdump -sass $K/attn_test > $R/attn.sass 2>&1
cd $OUT && tar czf r.tgz r && rm -rf r
