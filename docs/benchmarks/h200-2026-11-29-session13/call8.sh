#!/usr/bin/env bash
# session 13, call 8: the decoder attention kernel's variants (attn_gGkKo|n: G consumer warpgroups, K keys per block,
# o: the next block's scores issued before the current exponentials, n: one score buffer), reference check and time;
# cuDNN through LibTorch at the same shape in the same call.
set -u
R=$OUT/r; mkdir -p $R
K=.bench-results/kb
for round in 1 2; do
  for v in g2k128o g3k128n g3k64o g2k128n; do echo "== $v $round" >> $R/attn.txt; timeout 100 $K/attn_$v >> $R/attn.txt 2>&1; echo "rc $?" >> $R/attn.txt; done
  echo "== torch $round" >> $R/attn.txt; timeout 120 python3 .bench-results/src/cudnn_attn.py >> $R/attn.txt 2>&1
done
grep -a "==\|FAIL\|PASS\|median\|rror" $R/attn.txt
cd $OUT && tar czf r.tgz r && rm -rf r
