#!/usr/bin/env bash
# session 13, call 1: no build on the device. Binaries compiled on the CPU machine with nvcc 13.0 (sm_90, the flags of
# orfeas_cuda) and carried in .bench-results/kb/: the kernel check of the new kernels, the decoder kernel bench against
# the previous decoder_kernels.cu (bench_old) and three variants of the new one (bench_new2: resident LayerNorms at two
# blocks per SM, bench_new1: one block per SM, bench_new0: the previous LayerNorms), and ncu profiles of the front and
# LayerNorm kernels, old and new.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
K=.bench-results/kb
nvidia-smi --query-gpu=name,power.limit,clocks.max.sm --format=csv > $R/gpu.txt 2>&1
timeout 120 $K/kcheck > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
for round in 1 2; do
  for v in old new2 new1 new0; do
    echo "== $v round $round" >> $R/bench.txt
    timeout 60 $K/bench_$v 30 >> $R/bench.txt 2>&1
  done
done
which ncu > $R/ncu_which.txt 2>&1
S="--section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis --section ComputeWorkloadAnalysis"
for v in old new2; do
  timeout 120 ncu $S -k regex:'decoderFront|LayerNorm' -c 6 $K/bench_$v 1 > $R/ncu_$v.txt 2>&1
done
grep -a "FAIL\|decoderFront\|PASSED\|FAILED" $R/kcheck.txt | head -20; tail -n 1 $R/kcheck.txt
cat $R/gpu.txt; grep -v "^$" $R/bench.txt
grep -a "Duration\|Compute (SM) Throughput\|Memory Throughput\|DRAM Throughput\|Achieved Occupancy\|Issue Slots Busy\|No Eligible\|Registers Per\|Kernel\|decoderFront\|LayerNorm" $R/ncu_old.txt | grep -v "^ *$" | head -60
cd $OUT && tar czf r.tgz r && rm -rf r
