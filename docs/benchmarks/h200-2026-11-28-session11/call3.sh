#!/usr/bin/env bash
# session 11, call 3: factored queries (fixed) + timed GEMM algorithms: kernel check, GPU check, dense A/B/C
# (default; ORFEAS_GEMM_TUNING=0; both off = the session-10 decoder), hierarchical A/C, trace of the default dense run
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-neural-gpu-check orfeas-dit-kernel-check > $R/check_build.txt 2>&1
timeout 90 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 120 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for i in 1 2; do
  timeout 60 $B $A --decoder dense --json $R/dense_new$i.json > $R/dense_new$i.log 2>&1
  ORFEAS_GEMM_TUNING=0 timeout 60 $B $A --decoder dense --json $R/dense_notune$i.json > $R/dense_notune$i.log 2>&1
  ORFEAS_GEMM_TUNING=0 ORFEAS_DECODER_FACTORED=0 timeout 60 $B $A --decoder dense --json $R/dense_old$i.json > $R/dense_old$i.log 2>&1
done
timeout 60 $B $A --json $R/hier_new.json > $R/hier_new.log 2>&1
ORFEAS_GEMM_TUNING=0 ORFEAS_DECODER_FACTORED=0 timeout 60 $B $A --json $R/hier_old.json > $R/hier_old.log 2>&1
mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 90 $B $A --decoder dense --images 1 --warmup 0 -v > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
grep -h "FAIL\|factored\|tunedGemm" $R/kcheck.txt | head -30; tail -n 1 $R/kcheck.txt
grep -h "FAIL\|PASSED" $R/neural_gpu_check.txt | head
python3 .bench-results/summ.py $R/dense_*.json $R/hier_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*" | paste - -
cd $OUT && tar czf r.tgz r && rm -rf r
