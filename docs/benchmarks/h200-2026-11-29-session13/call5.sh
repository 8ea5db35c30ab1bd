#!/usr/bin/env bash
# session 13, call 5: the decoder attention kernel with the output's rescaling moved before the next scores are issued
# (ptxas had serialised every product: C7515); check and time with 3 and 4 warpgroups per block, then ncu of both
# (speed of light, warp stall reasons, pipe utilisation, shared memory).
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
K=.bench-results/kb
S="--section SpeedOfLight --section Occupancy --section WarpStateStats --section SchedulerStats --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis --section InstructionStats --print-details all"
for g in 3 4; do echo "== groups $g" >> $R/attn.txt; timeout 100 $K/attn_test_g$g >> $R/attn.txt 2>&1; echo "rc $?" >> $R/attn.txt; done
grep -a "==\|FAIL\|PASS\|median" $R/attn.txt
for g in 3 4; do timeout 150 ncu $S -k regex:decoderAttention -c 1 $K/attn_test_g$g prof > $R/ncu_g$g.txt 2>&1; done
grep -a "Duration\|Issue Slots\|Executed Ipc\|Achieved Occ\|Registers Per\|Stall [A-Z]\|Pipe\|L1/TEX Cache Thr\|Shared\|Bank\|Instructions" $R/ncu_g3.txt | head -70
cd $OUT && tar czf r.tgz r && rm -rf r
