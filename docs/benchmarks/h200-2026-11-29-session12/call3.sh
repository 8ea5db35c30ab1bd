#!/usr/bin/env bash
# session 12, call 3: the one-pass decoder front with its per-tile parameters staged in shared memory and packed stores: kernel check,
# GPU check, dense A/B (ORFEAS_DECODER_FRONT=0 against the default), hierarchical A/B, verify, trace
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-neural-gpu-check orfeas-dit-kernel-check > $R/check_build.txt 2>&1
timeout 90 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for i in 1 2; do
  timeout 60 $B $A --decoder dense --json $R/dense_new$i.json > $R/dense_new$i.log 2>&1
  ORFEAS_DECODER_FRONT=0 timeout 60 $B $A --decoder dense --json $R/dense_old$i.json > $R/dense_old$i.log 2>&1
done
timeout 60 $B $A --json $R/hier_new.json > $R/hier_new.log 2>&1
ORFEAS_DECODER_FRONT=0 timeout 60 $B $A --json $R/hier_old.json > $R/hier_old.log 2>&1
V="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_dense.log 2>&1
mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 90 $B $A --decoder dense -v > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
tail -n 3 $R/check_build.txt | grep -i error
grep -a "FAIL\|decoderFront\|tunedGemm" $R/kcheck.txt | cat -v | head -30; tail -n 2 $R/kcheck.txt
grep -h "FAIL\|PASSED" $R/neural_gpu_check.txt | head -8; tail -n 1 $R/neural_gpu_check.txt
python3 .bench-results/summ.py $R/dense_*.json $R/hier_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
grep -ih "verif\|differ\|flip" $R/verify_dense.log | head -8
grep -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -12
cd $OUT && tar czf r.tgz r && rm -rf r
