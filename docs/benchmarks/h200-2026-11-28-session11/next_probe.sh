#!/usr/bin/env bash
# prepared in session 11, NOT run (no device time left): tuned_probe.cu (which tunedGemm products fail to launch, and where)
# (no setup.sh: the probe needs only the CUDA toolkit)
export PATH=/usr/local/cuda/bin:$PATH
nvcc -std=c++17 -O2 -arch=sm_90 -Icore/cuda -Icore/include docs/benchmarks/h200-2026-11-28-session11/tuned_probe.cu core/cuda/tuned_gemm.cu -lcublasLt -o /tmp/tp 2>&1 | tail -3
timeout 60 /tmp/tp
