#!/bin/bash
# session 16, call 3: the attention kernel's lazy rescaling (the running maximum kept unless a block's exceeds it by
# more than 2^8) against the committed kernel: session 13's attn_test.cu with session 14's sustained mode, both
# variants compiled on the CPU machine (nvcc 13.0, sm_90a) and carried; alternating, two rounds.
cd .bench-results/s16
R=$OUT/r; mkdir -p $R
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw --format=csv,noheader -lms 250 > $R/smi.csv &
S=$!
for round in 1 2; do
 for v in base lazy; do
  echo "== $v $round $(date +%T)"; timeout 60 ./attn_$v 2>&1 | grep -E "FAIL|PASS|median|max abs" | tr '\n' ' '; echo
  echo "== $v sustain $round $(date +%T)"; timeout 60 ./attn_$v sustain 2>&1 | grep -E "sustained|median" | tr '\n' ' '; echo
 done
done 2>&1 | tee $R/variants.txt
kill $S
cd $OUT && tar czf r.tgz r && rm -rf r
