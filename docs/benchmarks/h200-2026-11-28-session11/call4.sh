#!/usr/bin/env bash
# session 11, call 4: final code: kernel check, GPU check, then the default benchmark with the reference in the
# same call (single: hierarchical, dense, 5 steps; ref; cold; batch), low-VRAM peak
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=290 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
cmake --build build-device -j16 --target orfeas-neural-gpu-check orfeas-dit-kernel-check > $R/check_build.txt 2>&1
timeout 60 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
OUT=$R DEADLINE=$((545 - SECONDS)) ONLY=single,ref,cold,batch SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
if [ $SECONDS -lt 505 ]; then timeout 45 build-device/app/bench/orfeas-bench resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20-fitted --device cuda --precision fp16 --images 1 --warmup 1 --low-vram --json $R/lowvram.json > $R/lowvram.log 2>&1; fi
grep -a "FAIL\|tunedGemm" $R/kcheck.txt | cat -v | head -30; tail -n 1 $R/kcheck.txt
grep -h "FAIL\|PASSED" $R/neural_gpu_check.txt | head -5
tail -n 30 $R/summary.txt
cd $OUT && tar czf r.tgz r && rm -rf r
