#!/usr/bin/env bash
# session 10, call 5: orfeas-neural-gpu-check (fixtures on CUDA in fp32 and fp16, two runs sharing one sampling loop)
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=200 ONLY=build bash packaging/scripts/device-bench.sh > $R/devbench.txt 2>&1
cmake --build build-device -j16 --target orfeas-neural-gpu-check > $R/check_build.txt 2>&1
timeout 120 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
tail -20 $R/neural_gpu_check.txt
cd $OUT && tar czf r.tgz r && rm -rf r
