#!/usr/bin/env bash
# session 15, call 2: the queries formed inside the attention kernel as the default, with LN_1's sigma from the Gram
# form on the tensor cores (decoderFeaturesKernel) instead of call 1's x0 products: build; kernel check; neural GPU
# check; dense A/B default against ORFEAS_DECODER_QUERIES_IN_ATTENTION=0, alternating; the fused decoder against the
# operator path on the random full-size model and the fitted field; the default single-image benchmark with the
# reference in the same call; a trace of a dense run if time is left.
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
grep -a "FAIL\|sigma" $R/kcheck.txt | head -12; tail -n 2 $R/kcheck.txt; tail -n 2 $R/neural_gpu_check.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for round in 1 2; do
  timeout 60 $B $A --decoder dense --json $R/dense_inattn_$round.json > $R/dense_inattn_$round.log 2>&1
  ORFEAS_DECODER_QUERIES_IN_ATTENTION=0 timeout 60 $B $A --decoder dense --json $R/dense_front_$round.json > $R/dense_front_$round.log 2>&1
done
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
for m in /tmp/m/v20 $M; do
  V="resources/samples/vase.png --backend hunyuan3d --model $m --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
  ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_$(basename $m).log 2>&1
  grep -ih "against the operator" $R/verify_$(basename $m).log
done
echo "before bench: $SECONDS s"
OUT=$R DEADLINE=$((540 - SECONDS)) ONLY=single,ref SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
tail -n 12 $R/summary.txt
if [ $SECONDS -lt 530 ]; then
  mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 40 $B $A --decoder dense > $R/trace_run.log 2>&1
  for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
  grep -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -9
fi
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
