#!/bin/bash
cd .bench-results/s14
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw --format=csv,noheader -lms 250 > $OUT/smi_b.csv &
S=$!
for round in 1 2; do
 for v in $VARIANTS; do
  echo "== $v $round $(date +%T)"; timeout 60 ./attn_$v 2>&1 | grep -E "FAIL|PASS|median|max abs" | tr '\n' ' '; echo
  echo "== $v sustain $round $(date +%T)"; timeout 60 ./attn_$v sustain 2>&1 | grep -E "sustained|median" | tr '\n' ' '; echo
 done
done
kill $S
