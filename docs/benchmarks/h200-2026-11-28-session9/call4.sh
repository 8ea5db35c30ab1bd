#!/usr/bin/env bash
# session 9, call 4: power and clocks during dense decoding, and cuDNN attention burst vs sustained
set -u
R=$OUT/r; mkdir -p $R
source shared/device/setup.sh >/dev/null 2>&1
nvidia-smi --query-gpu=timestamp,power.draw,power.limit,clocks.sm,clocks.mem,temperature.gpu,clocks_throttle_reasons.sw_power_cap,clocks_throttle_reasons.hw_slowdown,utilization.gpu --format=csv -lms 100 > $R/smi_attention.csv 2>&1 &
P=$!
/opt/torch/.venv/bin/python3 .bench-results/s9/sustained.py > $R/sustained.txt 2>&1
kill $P
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
export PATH=/usr/local/cuda/bin:$PATH
B=build-device/app/bench/orfeas-bench
A="resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20-fitted --device cuda --precision fp16 --decoder dense --images 2 --warmup 1 --no-export -v"
nvidia-smi --query-gpu=timestamp,power.draw,power.limit,clocks.sm,clocks.mem,temperature.gpu,clocks_throttle_reasons.sw_power_cap,clocks_throttle_reasons.hw_slowdown,utilization.gpu --format=csv -lms 100 > $R/smi_dense.csv 2>&1 &
P=$!
timeout 90 $B $A --json $R/dense.json > $R/dense.log 2>&1
kill $P
cd $OUT && tar czf r.tgz r && rm -rf r
