#!/usr/bin/env bash
# session 13, call 10 (right after call 9, on the same machine when it is still held; otherwise it builds again): the
# default benchmark at commit cfa774a with the reference in the same call (single: dense, hierarchical, 5 steps;
# ref; cold; batch), then the low-VRAM peak if time is left.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
if [ -x build-device/app/bench/orfeas-bench ] && [ -d /tmp/m/v20-fitted ]; then
  echo "warm machine: build and models kept" > $R/devbench_build.txt
  OUT=$R DEADLINE=120 ONLY=build SKIP_MODELS=1 bash packaging/scripts/device-bench.sh >> $R/devbench_build.txt 2>&1
else
  OUT=$R DEADLINE=290 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
fi
source shared/device/setup.sh >/dev/null 2>&1
OUT=$R DEADLINE=$((335 - SECONDS)) ONLY=single,ref,cold,batch SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
if [ $SECONDS -lt 300 ]; then timeout 40 build-device/app/bench/orfeas-bench resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20-fitted --device cuda --precision fp16 --images 1 --warmup 1 --low-vram --json $R/lowvram.json > $R/lowvram.log 2>&1; fi
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS" >> $R/machine.txt
head -n 3 $R/devbench_build.txt
tail -n 30 $R/summary.txt
cd $OUT && tar czf r.tgz r && rm -rf r
