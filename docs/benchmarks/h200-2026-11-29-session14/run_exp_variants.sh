#!/bin/bash
cd .bench-results/s14
nvidia-smi --query-gpu=name,clocks.sm,power.limit,temperature.gpu --format=csv,noheader
for round in 1 2; do
 for v in base noexp p14 p24 p44 p18 p38 hsum hsum_p14 hsum_p24; do
  echo "== $v $round"; timeout 60 ./attn_$v 2>&1 | grep -E "FAIL|PASS|median|max abs" | tr '\n' ' '; echo
 done
done
