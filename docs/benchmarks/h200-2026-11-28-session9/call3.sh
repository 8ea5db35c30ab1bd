#!/usr/bin/env bash
# session 9, call 3: final code: fixtures, dense A/B (x2) + FP8, verify, then the default benchmark with the reference
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
B=build-device/app/bench/orfeas-bench; O=build-device/app/cli/orfeas
M=/tmp/m/v20-fitted
for m in hy3d-tiny hy3d-tiny-turbo; do for p in fp32 fp16; do echo "== $m $p" >> $R/fixtures.txt; timeout 60 $O model check tests/data/$m --reference tests/data/$m/io.safetensors --device cuda --precision $p >> $R/fixtures.txt 2>&1; echo "rc $?" >> $R/fixtures.txt; done; done
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --decoder dense --images 1 --warmup 1 --no-export"
timeout 60 $B $A --json $R/dense_1.json > $R/dense_1.log 2>&1
ORFEAS_DECODER_FP8=1 timeout 60 $B $A --json $R/dense_fp8.json > $R/dense_fp8.log 2>&1
timeout 60 $B $A --json $R/dense_2.json > $R/dense_2.log 2>&1
V="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_dense.log 2>&1
ORFEAS_DECODER_FP8=1 ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_dense_fp8.log 2>&1
OUT=$R DEADLINE=$((560 - SECONDS)) ONLY=single,ref,cold,batch SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
cd $OUT && tar czf r.tgz r && rm -rf r
