#!/usr/bin/env python3
# Session 14: makes the exponential variants of the decoder attention kernel measured in variants_exp.txt from the
# kernel as of commit 679e96c (git show 679e96c:core/cuda/decoder_attention.cu > in.cu; python3 variant_exp.py in.cu
# out.cu). Macros: NOEXP (an FMA in place of exp2: a bound for timing, wrong results), POLY_MOD/POLY_COUNT (element e of
# a thread's block uses a degree-3 polynomial exp2 on the FMA pipe when e % POLY_MOD < POLY_COUNT), HSUM (row sums of P
# in packed half additions). Built with build_variant.sh (nvcc -gencode arch=compute_90a,code=sm_90a).
import sys
s = open(sys.argv[1]).read()
old = s[s.index('template <typename T>\n__device__ __forceinline__ void exponentials('):s.index('template <typename T>\n__global__ void __launch_bounds__')]
new = r'''#ifndef POLY_MOD
#define POLY_MOD 4
#endif
#ifndef POLY_COUNT
#define POLY_COUNT 0
#endif
// 2^x on the FMA pipe: x rounded to the nearest integer n in a float's low bits, 2^(x - n) by a degree-3 minimax
// polynomial on [-0.5, 0.5] (relative error 7.5e-5), n added to the exponent field.
__device__ __forceinline__ float exp2Poly(float x)
{
    x = fmaxf(x, -125.0f);
    const float t = x + 12582912.0f;
    const float f = x - (t - 12582912.0f);
    const float p = __fmaf_rn(__fmaf_rn(__fmaf_rn(0.0551716685f, f, 0.242611125f), f, 0.693260968f), f, 0.999928057f);
    return __int_as_float(__float_as_int(p) + (__float_as_int(t) << 23));
}

template <int e>
__device__ __forceinline__ float expChoice(float x)
{
#ifdef NOEXP
    return __fmaf_rn(x, 0.001f, 1.0f);
#else
    if constexpr ((e % POLY_MOD) < POLY_COUNT)
        return exp2Poly(x);
    else
        return exp2Approx(x);
#endif
}

template <int j, typename T>
__device__ __forceinline__ void exponentialsStep(const float (&s)[kScores], unsigned (&p)[kSteps][4], float shift0,
    float shift1, float& sum0, float& sum1, float scaleLog2
#ifdef HSUM
    , __half2 (&h)[2]
#endif
    )
{
    const float p0 = expChoice<4 * j>(__fmaf_rn(s[4 * j], scaleLog2, -shift0));
    const float p1 = expChoice<4 * j + 1>(__fmaf_rn(s[4 * j + 1], scaleLog2, -shift0));
    const float p2 = expChoice<4 * j + 2>(__fmaf_rn(s[4 * j + 2], scaleLog2, -shift1));
    const float p3 = expChoice<4 * j + 3>(__fmaf_rn(s[4 * j + 3], scaleLog2, -shift1));
    p[j >> 1][(j & 1) * 2] = packPair<T>(p0, p1);
    p[j >> 1][(j & 1) * 2 + 1] = packPair<T>(p2, p3);
#ifdef HSUM
    h[0] = __hadd2(h[0], *reinterpret_cast<const __half2*>(&p[j >> 1][(j & 1) * 2]));
    h[1] = __hadd2(h[1], *reinterpret_cast<const __half2*>(&p[j >> 1][(j & 1) * 2 + 1]));
#else
    sum0 += p0 + p1;
    sum1 += p2 + p3;
#endif
}

template <typename T, int... J>
__device__ __forceinline__ void exponentialsAll(const float (&s)[kScores], unsigned (&p)[kSteps][4], float shift0,
    float shift1, float& sum0, float& sum1, float scaleLog2, std::integer_sequence<int, J...>)
{
#ifdef HSUM
    __half2 h[4][2];
    for (int i = 0; i < 4; ++i)
        h[i][0] = h[i][1] = __float2half2_rn(0.0f);
    (exponentialsStep<J, T>(s, p, shift0, shift1, sum0, sum1, scaleLog2, h[J & 3]), ...);
    const float2 a0 = __half22float2(__hadd2(__hadd2(h[0][0], h[1][0]), __hadd2(h[2][0], h[3][0])));
    const float2 a1 = __half22float2(__hadd2(__hadd2(h[0][1], h[1][1]), __hadd2(h[2][1], h[3][1])));
    sum0 += a0.x + a0.y;
    sum1 += a1.x + a1.y;
#else
    (exponentialsStep<J, T>(s, p, shift0, shift1, sum0, sum1, scaleLog2), ...);
#endif
}

template <typename T>
__device__ __forceinline__ void exponentials(
    const float (&s)[kScores], unsigned (&p)[kSteps][4], float max0, float max1, float& sum0, float& sum1, float scaleLog2)
{
    exponentialsAll<T>(s, p, max0 * scaleLog2, max1 * scaleLog2, sum0, sum1, scaleLog2,
        std::make_integer_sequence<int, kKeys / 8>{});
}

'''
s = s.replace(old, new).replace('#include <type_traits>', '#include <type_traits>\n#include <utility>')
open(sys.argv[2], 'w').write(s)
