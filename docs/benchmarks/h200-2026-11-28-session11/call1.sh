#!/usr/bin/env bash
# session 11, call 1: HEAD (8b9e7a2) re-verified on the GPU (neural GPU check, kernel check, one image dense and
# hierarchical), and every cuBLASLt algorithm for the decoder's and DiT's fp16 products timed (gemm_algos.cu)
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
(nvcc -O2 -arch=sm_90 .bench-results/s11/gemm_algos.cu -lcublasLt -o /tmp/gemm_algos > $R/gemm_build.txt 2>&1 && timeout 90 /tmp/gemm_algos > $R/gemm_algos.txt 2>&1)
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-neural-gpu-check orfeas-dit-kernel-check > $R/check_build.txt 2>&1
timeout 120 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
timeout 60 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
C="--backend hunyuan3d --model $M --device cuda --precision fp16"
timeout 60 $B resources/samples/vase.png $C --images 1 --warmup 1 --json $R/single.json > $R/single.log 2>&1
timeout 60 $B resources/samples/vase.png $C --decoder dense --images 1 --warmup 1 --no-export --json $R/dense.json > $R/dense.log 2>&1
tail -3 $R/neural_gpu_check.txt $R/kcheck.txt; grep -h "best\|==" $R/gemm_algos.txt
cd $OUT && tar czf r.tgz r && rm -rf r
