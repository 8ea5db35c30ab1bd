#!/usr/bin/env bash
# session 13, call 7: the decoder attention kernel with and without turn-taking between its two consumer warpgroups
# (attn_test_p1 / _p0), reference check and time, and cuDNN's and flash attention's kernels through LibTorch at the
# same shape in the same call (.bench-results/src/cudnn_attn.py), twice, alternating.
set -u
R=$OUT/r; mkdir -p $R
K=.bench-results/kb
for round in 1 2; do
  for v in p1 p0; do echo "== $v $round" >> $R/attn.txt; timeout 100 $K/attn_test_$v >> $R/attn.txt 2>&1; echo "rc $?" >> $R/attn.txt; done
  echo "== torch $round" >> $R/attn.txt; timeout 120 python3 .bench-results/src/cudnn_attn.py >> $R/attn.txt 2>&1
done
grep -a "==\|FAIL\|PASS\|median\|error\|rror" $R/attn.txt
cd $OUT && tar czf r.tgz r && rm -rf r
