#!/usr/bin/env bash
# session 15, call 3: the kernel check with the bounds set from call 2's measurements; the hierarchical surface
# against the dense one with the queries formed in the attention kernel; cold start and batch (the benchmark's
# bench step), the low-VRAM peak, and a third dense A/B round if time is left.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-dit-kernel-check > $R/check_build.txt 2>&1
tail -n 3 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 100 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
grep -a "FAIL\|sigma\|FromFeatures.*against" $R/kcheck.txt | head -12; tail -n 2 $R/kcheck.txt
V="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_HIERARCHICAL_VERIFY=1 timeout 90 $B $V --decoder hierarchical > $R/verify_hier.log 2>&1
grep -ih "other side\|hierarchical.*dense" $R/verify_hier.log | head -3
echo "before bench: $SECONDS s"
OUT=$R DEADLINE=$((480 - SECONDS)) ONLY=cold,batch SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
tail -n 8 $R/summary.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1"
if [ $SECONDS -lt 500 ]; then timeout 40 $B $A --no-export --low-vram --json $R/lowvram.json > $R/lowvram.log 2>&1; fi
if [ $SECONDS -lt 520 ]; then
  timeout 30 $B $A --no-export --decoder dense --json $R/dense_inattn_3.json > $R/dense_inattn_3.log 2>&1
  ORFEAS_DECODER_QUERIES_IN_ATTENTION=0 timeout 30 $B $A --no-export --decoder dense --json $R/dense_front_3.json > $R/dense_front_3.log 2>&1
  python3 .bench-results/summ.py $R/dense_*.json $R/lowvram.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*\|peak[^,]*"
fi
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
