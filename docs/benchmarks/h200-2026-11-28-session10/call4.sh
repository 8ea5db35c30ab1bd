#!/usr/bin/env bash
# session 10, call 4: the gpu-labelled tests (tst_neural_gpu new: fixtures on CUDA, batched sampling on the GPU)
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=330 ONLY=build,gputest bash packaging/scripts/device-bench.sh > $R/devbench.txt 2>&1
cd $OUT && tar czf r.tgz r && rm -rf r
