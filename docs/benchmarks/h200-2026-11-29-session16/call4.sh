#!/usr/bin/env bash
# session 16, call 4: the final code (the attention's lazy rescaling): build; kernel check; neural GPU check; dense
# A/B alternating, lazy (default) against ORFEAS_DECODER_ATTENTION_LAZY=0, with nvidia-smi sampling; the fused
# decoder against the operator path on the random full-size model; the default single-image benchmark with the
# reference in the same call; the hierarchical surface against the dense one if time is left.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-dit-kernel-check orfeas-neural-gpu-check > $R/check_build.txt 2>&1
tail -n 3 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 110 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
grep -a "FAIL" $R/kcheck.txt | head -12; tail -n 2 $R/kcheck.txt; tail -n 2 $R/neural_gpu_check.txt
echo "before dense: $SECONDS s"
nvidia-smi --query-gpu=timestamp,power.draw,clocks.sm,clocks.mem,temperature.gpu,clocks_throttle_reasons.active --format=csv -lms 200 > $R/smi_dense.csv 2>&1 &
SMI=$!
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for round in 1 2; do
  timeout 60 $B $A --decoder dense --json $R/dense_lazy_$round.json > $R/dense_lazy_$round.log 2>&1
  ORFEAS_DECODER_ATTENTION_LAZY=0 timeout 60 $B $A --decoder dense --json $R/dense_eager_$round.json > $R/dense_eager_$round.log 2>&1
done
kill $SMI
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
V="resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20 --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_v20.log 2>&1
grep -ih "against the operator" $R/verify_v20.log
echo "before bench: $SECONDS s"
OUT=$R DEADLINE=$((560 - SECONDS)) ONLY=single,ref SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
tail -n 12 $R/summary.txt
if [ $SECONDS -lt 540 ]; then
  V="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
  ORFEAS_HIERARCHICAL_VERIFY=1 timeout $((590 - SECONDS)) $B $V --decoder hierarchical > $R/verify_hier.log 2>&1
  grep -ih "other side\|hierarchical.*dense" $R/verify_hier.log | head -3
fi
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
