#!/usr/bin/env bash
# session 14, call 9 (the last): commit ee400bf built on the device: kernel check, GPU check (fixtures), dense decoding with
# 32 (default) and 8 cuBLASLt candidates timed alternating, the fused decoder against the operator path on the random
# full-size model, the default single-image benchmark with the reference in the same call, a trace of a dense run if
# time is left.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-dit-kernel-check orfeas-neural-gpu-check > $R/check_build.txt 2>&1
tail -n 3 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 100 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
grep -a "FAIL" $R/kcheck.txt | head -5; tail -n 2 $R/kcheck.txt; tail -n 2 $R/neural_gpu_check.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for round in 1 2; do
  for c in 32 8; do
    ORFEAS_GEMM_CANDIDATES=$c timeout 60 $B $A --decoder dense --json $R/dense_c${c}_$round.json > $R/dense_c${c}_$round.log 2>&1
  done
done
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
V="resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20 --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_random_own.log 2>&1
grep -ih "against the operator" $R/verify_random_*.log | head -3
echo "before bench: $SECONDS s"
OUT=$R DEADLINE=$((520 - SECONDS)) ONLY=single,ref SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
tail -n 12 $R/summary.txt
if [ $SECONDS -lt 520 ]; then
  mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 40 $B $A --decoder dense > $R/trace_run.log 2>&1
  for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
  grep -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -8
fi
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
