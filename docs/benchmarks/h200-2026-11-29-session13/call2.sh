#!/usr/bin/env bash
# session 13, call 2: no build on the device (binaries from the CPU machine, nvcc 13.0, sm_90, orfeas_cuda's flags, in
# .bench-results/kb/). The front kernel's third form (parameters in shared memory once per block, weight tiles by
# cp.async, x0 rounded once through the packed pair, stmatrix staging) at two (b2) and three (b3) blocks per SM:
# kernel checks of both, the decoder kernel bench against the first (old) and second (v2, commit 13c1d05) forms,
# ncu of b3 with the warp stall reasons.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
K=.bench-results/kb
for b in b2 b3; do timeout 120 $K/kcheck_$b > $R/kcheck_$b.txt 2>&1; echo "rc $?" >> $R/kcheck_$b.txt; done
for round in 1 2; do
  for v in old v2 v3b2 v3b3; do
    echo "== $v round $round" >> $R/bench.txt
    timeout 60 $K/bench_$v 30 >> $R/bench.txt 2>&1
  done
done
S="--section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis --print-details all"
timeout 120 ncu $S -k regex:'decoderFront' -c 2 $K/bench_v3b3 1 > $R/ncu_v3b3.txt 2>&1
timeout 120 ncu $S -k regex:'decoderFront' -c 2 $K/bench_v3b2 1 > $R/ncu_v3b2.txt 2>&1
for b in b2 b3; do grep -a "FAIL\|decoderFront" $R/kcheck_$b.txt | head -14; tail -n 2 $R/kcheck_$b.txt; done
grep -a "decoderFront\|==" $R/bench.txt
awk '/decoderFrontKernel<__half, 64>/{c++} c==1' $R/ncu_v3b3.txt | grep -a "Duration\|Issue Slots\|Achieved Occ\|Registers Per\|Stall\|stall\|L1/TEX Cache\|DRAM Through" | head -40
cd $OUT && tar czf r.tgz r && rm -rf r
