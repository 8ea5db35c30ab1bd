#!/usr/bin/env bash
# session 9, call 2: build the sliced decoder, kernel check, fixtures, dense A/B of slice sizes, verify, trace
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
B=build-device/app/bench/orfeas-bench; O=build-device/app/cli/orfeas
M=/tmp/m/v20-fitted
(cmake --build build-device -j16 --target orfeas-dit-kernel-check > $R/kc_build.txt 2>&1 && timeout 60 build-device/core/cuda/orfeas-dit-kernel-check > $R/kernel_check.txt 2>&1; echo "rc $?" >> $R/kernel_check.txt)
for m in hy3d-tiny hy3d-tiny-turbo; do for p in fp32 fp16; do echo "== $m $p" >> $R/fixtures.txt; timeout 60 $O model check tests/data/$m --reference tests/data/$m/io.safetensors --device cuda --precision $p >> $R/fixtures.txt 2>&1; echo "rc $?" >> $R/fixtures.txt; done; done
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --decoder dense --images 1 --warmup 1 --no-export"
timeout 60 $B $A --json $R/dense_default.json > $R/dense_default.log 2>&1
for r in 16384 65536 131072; do ORFEAS_DECODER_SLICE_ROWS=$r timeout 60 $B $A --json $R/dense_slice$r.json > $R/dense_slice$r.log 2>&1; done
timeout 60 $B $A --json $R/dense_default2.json > $R/dense_default2.log 2>&1
ORFEAS_DECODER_FP8=1 timeout 60 $B $A --json $R/dense_fp8.json > $R/dense_fp8.log 2>&1
V="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_dense.log 2>&1
ORFEAS_HIERARCHICAL_VERIFY=1 timeout 90 $B $V --decoder hierarchical > $R/verify_hier.log 2>&1
mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 90 $B $A -v > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
cd $OUT && tar czf r.tgz r && rm -rf r
