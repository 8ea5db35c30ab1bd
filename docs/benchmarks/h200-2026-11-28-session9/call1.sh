#!/usr/bin/env bash
# session 9, call 1: build, models, kernel check, dense trace, dense fp16/fp8 A/B, batch baseline
set -u
R=$OUT/r; mkdir -p $R
export OUT_BENCH=$R
OUT=$R DEADLINE=330 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
(cmake --build build-device -j16 --target orfeas-dit-kernel-check > $R/kc_build.txt 2>&1 && timeout 60 build-device/core/cuda/orfeas-dit-kernel-check > $R/kernel_check.txt 2>&1; echo "rc $?" >> $R/kernel_check.txt) 
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --decoder dense --images 1 --warmup 1 --no-export"
timeout 60 $B $A --json $R/dense_fp16.json > $R/dense_fp16.log 2>&1
ORFEAS_DECODER_FP8=1 timeout 60 $B $A --json $R/dense_fp8.json > $R/dense_fp8.log 2>&1
ORFEAS_DECODER_FP8=1 ORFEAS_DECODER_VERIFY=1 timeout 60 $B resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --decoder dense --images 1 --warmup 0 --no-export -v > $R/verify_fp8.log 2>&1
mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 90 $B $A -v > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
timeout 100 $B resources/samples --backend hunyuan3d --model $M --device cuda --precision fp16 --images 16 --warmup 1 --jobs 2 --json $R/batch.json > $R/batch.log 2>&1
cd $OUT && tar czf r.tgz r && rm -rf r
