#!/usr/bin/env bash
# session 16, call 1: commit 785ac03 (session 15's last, whose review changes to the front kernels had not run on a
# GPU): build; kernel check; neural GPU check; the decoder's row kernels alone (orfeas-decoder-kernel-bench); four
# dense decodings of the fitted field with nvidia-smi sampling power, SM clock and throttle reasons every 200 ms;
# the fused decoder against the operator path on the random and the fitted full-size models.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-dit-kernel-check orfeas-neural-gpu-check orfeas-decoder-kernel-bench > $R/check_build.txt 2>&1
tail -n 3 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 110 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
grep -a "FAIL" $R/kcheck.txt | head -12; tail -n 2 $R/kcheck.txt; tail -n 2 $R/neural_gpu_check.txt
timeout 30 build-device/core/cuda/orfeas-decoder-kernel-bench 30 > $R/kernel_bench.txt 2>&1; cat $R/kernel_bench.txt | tail -n 5
echo "before dense: $SECONDS s"
nvidia-smi --query-gpu=timestamp,power.draw,clocks.sm,clocks.mem,temperature.gpu,clocks_throttle_reasons.active --format=csv -lms 200 > $R/smi_dense.csv 2>&1 &
SMI=$!
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for round in 1 2 3 4; do
  timeout 60 $B $A --decoder dense --json $R/dense_$round.json > $R/dense_$round.log 2>&1
done
kill $SMI
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
for m in /tmp/m/v20 $M; do
  V="resources/samples/vase.png --backend hunyuan3d --model $m --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
  [ $SECONDS -lt 500 ] && ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_$(basename $m).log 2>&1
  grep -ih "against the operator" $R/verify_$(basename $m).log
done
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
