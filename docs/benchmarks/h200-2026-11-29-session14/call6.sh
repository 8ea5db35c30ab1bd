#!/usr/bin/env bash
# session 14, call 6: the tree at the working copy (attention launcher caches its shared-memory attribute; MLP slice
# rows from ORFEAS_DECODER_MLP_SLICE for measurement) built on the device: kernel check, dense decoding with MLP slices
# of 32768/16384/8192/4096 rows alternating, SM clock and power sampled during dense runs, and the fused decoder
# against the operator path on the random full-size model (a real attention branch) with our attention and cuDNN's.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-dit-kernel-check > $R/check_build.txt 2>&1
tail -n 4 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 100 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
grep -a "FAIL" $R/kcheck.txt | head -5; tail -n 2 $R/kcheck.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu,utilization.gpu --format=csv -lms 200 > $R/smi.csv 2>&1 &
SMI=$!
for round in 1 2; do
  for s in 32768 16384 8192 4096; do
    echo "mark $s $round $(date +%T.%N)" >> $R/marks.txt
    ORFEAS_DECODER_MLP_SLICE=$s timeout 60 $B $A --decoder dense --json $R/dense_s${s}_$round.json > $R/dense_s${s}_$round.log 2>&1
  done
done
kill $SMI
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
V="resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20 --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_random_own.log 2>&1
ORFEAS_DECODER_VERIFY=1 ORFEAS_DECODER_ATTENTION=cudnn timeout 90 $B $V --decoder dense > $R/verify_random_cudnn.log 2>&1
grep -ih "against the operator" $R/verify_random_*.log | head -6
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
