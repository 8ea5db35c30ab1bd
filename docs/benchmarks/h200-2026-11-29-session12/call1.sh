#!/usr/bin/env bash
# session 12, call 1: session 11's last code on the GPU: the tuned-GEMM probe, kernel check, GPU check, dense x2 and a
# dense trace of the current decoder (session 11's trace was of the version with the doubled q norm)
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
bash docs/benchmarks/h200-2026-11-28-session11/next_probe.sh > $R/probe.txt 2>&1
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-neural-gpu-check orfeas-dit-kernel-check > $R/check_build.txt 2>&1
timeout 60 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for i in 1 2; do timeout 60 $B $A --decoder dense --json $R/dense$i.json > $R/dense$i.log 2>&1; done
mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 90 $B $A --decoder dense -v > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
nvidia-smi -q -d POWER,CLOCK > $R/machine.txt 2>&1
cat $R/probe.txt | tail -40
grep -a "FAIL" $R/kcheck.txt | cat -v | head -20; tail -n 2 $R/kcheck.txt
grep -h "FAIL\|PASSED" $R/neural_gpu_check.txt | head -5; tail -n 1 $R/neural_gpu_check.txt
python3 .bench-results/summ.py $R/dense*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
grep -A30 "volume_decoding" $R/trace_*.txt | grep "kernel" | head -20
cd $OUT && tar czf r.tgz r && rm -rf r
