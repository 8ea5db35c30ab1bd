#!/usr/bin/env bash
# session 10, call 2: batched sampling forced (ORFEAS_BATCH_SAMPLING_MIN) against none, 2 and 4 concurrent runs
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
C="--backend hunyuan3d --model $M --device cuda --precision fp16"
timeout 60 $B resources/samples/vase.png $C --images 2 --warmup 1 -v --json $R/single.json > $R/single.log 2>&1
ORFEAS_BATCH_SAMPLING_MIN=2 ORFEAS_BATCH_SAMPLING_WINDOW_MS=10000 timeout 75 $B resources/samples $C --images 16 --warmup 2 --jobs 2 -v --json $R/pairs_j2.json > $R/pairs_j2.log 2>&1
ORFEAS_BATCH_SAMPLING=0 timeout 75 $B resources/samples $C --images 16 --warmup 2 --jobs 2 --json $R/off_j2.json > $R/off_j2.log 2>&1
export ORFEAS_GPU_CONCURRENT_RUNS=4
ORFEAS_BATCH_SAMPLING_MIN=4 ORFEAS_BATCH_SAMPLING_WINDOW_MS=10000 timeout 75 $B resources/samples $C --images 16 --warmup 4 --jobs 4 -v --json $R/quads_j4.json > $R/quads_j4.log 2>&1
ORFEAS_BATCH_SAMPLING=0 timeout 75 $B resources/samples $C --images 16 --warmup 4 --jobs 4 --json $R/off_j4.json > $R/off_j4.log 2>&1
cd $OUT && tar czf r.tgz r && rm -rf r
