#!/usr/bin/env bash
# session 12, call 4: the default benchmark at commit e51d075 (the code checked in call 3) with the reference in the
# same call (single: dense, hierarchical, 5 steps; ref; cold; batch), then the low-VRAM peak if time is left
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=290 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
OUT=$R DEADLINE=$((505 - SECONDS)) ONLY=single,ref,cold,batch SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
if [ $SECONDS -lt 470 ]; then timeout 40 build-device/app/bench/orfeas-bench resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20-fitted --device cuda --precision fp16 --images 1 --warmup 1 --low-vram --json $R/lowvram.json > $R/lowvram.log 2>&1; fi
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS" >> $R/machine.txt
tail -n 30 $R/summary.txt
cd $OUT && tar czf r.tgz r && rm -rf r
