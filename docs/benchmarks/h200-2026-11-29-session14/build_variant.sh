#!/bin/bash
# build NAME "FLAGS"
# As run in session 14 from .bench-results/: s14/attn_test.cu was session 13's attn_test.cu with attn_test_sustain.diff
# applied; s14/var/decoder_attention.cu the kernel variant (variant_exp.py's output, or the kernel plus
# variant_multicast.diff).
cd /work/main/.bench-results
nvcc -O3 -std=c++17 -gencode arch=compute_90a,code=sm_90a $2 -I s14/var -I /work/main/core/cuda -I /work/main/core/include -o s14/attn_$1 s14/attn_test.cu s14/var/decoder_attention.cu -Xptxas -v 2>&1 | grep -A3 "decoderAttentionKernelI6__half" | grep -E "registers|spill" > s14/attn_$1.ptxas
echo "$1 done"; cat s14/attn_$1.ptxas
