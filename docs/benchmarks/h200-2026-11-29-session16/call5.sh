#!/usr/bin/env bash
# session 16, call 5: on call 4's machine while it was still held (its build and models kept): cold start and the
# batch of 16 (the benchmark's cold and batch steps), then the low-VRAM peak. As run (one command line, spread out).
set -u; R=$OUT/r; mkdir -p $R; export PATH=/usr/local/cuda/bin:$PATH
ls build-device/app/bench/orfeas-bench /tmp/m >/dev/null || exit 3
source shared/device/setup.sh >/dev/null 2>&1
OUT=$R DEADLINE=280 ONLY=cold,batch SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
tail -n 8 $R/summary.txt
B=build-device/app/bench/orfeas-bench
[ $SECONDS -lt 270 ] && timeout 40 $B resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20-fitted --device cuda \
  --precision fp16 --images 1 --warmup 1 --no-export --low-vram --json $R/lowvram.json > $R/lowvram.log 2>&1
python3 .bench-results/summ.py $R/lowvram.json | head -3; echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
