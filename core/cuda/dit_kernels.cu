// Fused elementwise kernels of the denoiser: dit_kernels.h says what each computes and where it rounds.

#include "dit_kernels.h"
#include "row_io.cuh"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

namespace orfeas::cuda {

namespace {

using namespace detail;

// Two adjacent values at once (the pointer aligned to two elements): one 4- or 8-byte access per thread, so that a
// warp touches whole 128-byte lines.
template <typename T> struct Io2;
template <> struct Io2<float> {
    static __device__ __forceinline__ float2 load(const float* p) { return *reinterpret_cast<const float2*>(p); }
    static __device__ __forceinline__ void store(float* p, float2 v) { *reinterpret_cast<float2*>(p) = v; }
};
template <> struct Io2<__half> {
    static __device__ __forceinline__ float2 load(const __half* p)
    {
        return __half22float2(*reinterpret_cast<const __half2*>(p));
    }
    static __device__ __forceinline__ void store(__half* p, float2 v)
    {
        *reinterpret_cast<__half2*>(p) = __floats2half2_rn(v.x, v.y);
    }
};
template <> struct Io2<__nv_bfloat16> {
    static __device__ __forceinline__ float2 load(const __nv_bfloat16* p)
    {
        return __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(p));
    }
    static __device__ __forceinline__ void store(__nv_bfloat16* p, float2 v)
    {
        *reinterpret_cast<__nv_bfloat162*>(p) = __floats2bfloat162_rn(v.x, v.y);
    }
};

// N adjacent values as floats: N = 1 (any alignment), 2 (the pointer aligned to two elements) or 8 (2-byte types,
// the pointer 16-byte aligned).
template <typename T, int N> struct Lanes;
template <typename T> struct Lanes<T, 1> {
    static __device__ __forceinline__ void load(const T* p, float (&v)[1]) { v[0] = Io<T>::load(p); }
    static __device__ __forceinline__ void store(T* p, const float (&v)[1]) { Io<T>::store(p, v[0]); }
};
template <typename T> struct Lanes<T, 2> {
    static __device__ __forceinline__ void load(const T* p, float (&v)[2])
    {
        const float2 f = Io2<T>::load(p);
        v[0] = f.x;
        v[1] = f.y;
    }
    static __device__ __forceinline__ void store(T* p, const float (&v)[2])
    {
        Io2<T>::store(p, make_float2(v[0], v[1]));
    }
};
template <typename T> struct Lanes<T, 8> : Vec8<T> {
};

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result. `scratch` holds 32
// floats; the call ends with a barrier so that scratch can be reused.
__device__ float blockSum(float v, float* scratch)
{
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    v = warpSum(v);
    if (lane == 0)
        scratch[warp] = v;
    __syncthreads();
    float total = lane < warps ? scratch[lane] : 0.0f;
    total = warpSum(total);
    __syncthreads();
    return total;
}

constexpr int kNormThreads = 256;
constexpr int kMaxWidth = 16384;

// One block per token row; the row is kept in shared memory as float.
template <typename T>
__global__ void adaLayerNormKernel(T* x, const T* residual, const T* gate, const T* shift, const T* scale,
    std::int64_t modStride, T* out, std::int64_t tokens, int width, float eps, bool paired)
{
    extern __shared__ float row[];
    __shared__ float scratch[32];
    const std::int64_t r = blockIdx.x; // b * tokens + l
    const std::int64_t b = r / tokens;
    T* xr = x + r * width;
    const T* gr = gate ? gate + b * modStride : nullptr;
    const T* rr = residual ? residual + r * width : nullptr;
    float sum = 0.0f;
    if (paired) {
        for (int c = 2 * threadIdx.x; c < width; c += 2 * blockDim.x) {
            float2 v = Io2<T>::load(xr + c);
            if (rr) {
                // reference: x + gate * y, each operator rounded
                const float2 g = Io2<T>::load(gr + c);
                const float2 y = Io2<T>::load(rr + c);
                v = make_float2(Io<T>::round(v.x + Io<T>::round(g.x * y.x)), Io<T>::round(v.y + Io<T>::round(g.y * y.y)));
                Io2<T>::store(xr + c, v);
            }
            row[c] = v.x;
            row[c + 1] = v.y;
            sum += v.x + v.y;
        }
    } else {
        for (int c = threadIdx.x; c < width; c += blockDim.x) {
            float v = Io<T>::load(xr + c);
            if (rr) {
                const float g = Io<T>::round(Io<T>::load(gr + c) * Io<T>::load(rr + c));
                v = Io<T>::round(v + g);
                Io<T>::store(xr + c, v);
            }
            row[c] = v;
            sum += v;
        }
    }
    if (!out)
        return;
    const float mean = blockSum(sum, scratch) / float(width);
    float sq = 0.0f;
    for (int c = threadIdx.x; c < width; c += blockDim.x) {
        const float d = row[c] - mean;
        sq += d * d;
    }
    const float var = blockSum(sq, scratch) / float(width);
    const float rstd = rsqrtf(var + eps);
    const T* sh = shift + b * modStride;
    const T* sc = scale + b * modStride;
    T* o = out + r * width;
    // reference: (1 + scale) * LayerNorm(x) + shift, each operator rounded
    auto modulate = [&](float value, float scaleValue, float shiftValue) {
        const float n = Io<T>::round((value - mean) * rstd);
        const float s1 = Io<T>::round(scaleValue + 1.0f);
        return Io<T>::round(s1 * n) + shiftValue;
    };
    if (paired) {
        for (int c = 2 * threadIdx.x; c < width; c += 2 * blockDim.x) {
            const float2 scv = Io2<T>::load(sc + c);
            const float2 shv = Io2<T>::load(sh + c);
            Io2<T>::store(o + c, make_float2(modulate(row[c], scv.x, shv.x), modulate(row[c + 1], scv.y, shv.y)));
        }
    } else {
        for (int c = threadIdx.x; c < width; c += blockDim.x)
            Io<T>::store(o + c, modulate(row[c], Io<T>::load(sc + c), Io<T>::load(sh + c)));
    }
}

// x += T(gate * y) for every element, the gate row of batch element b at gate + b * modStride; N adjacent values per
// thread (Lanes<T, N>: width, modStride and the pointers must suit it).
template <typename T, int N>
__global__ void gatedResidualKernel(
    T* x, const T* y, const T* gate, std::int64_t modStride, std::int64_t tokens, int width, std::int64_t units)
{
    const std::int64_t perBatch = tokens * width;
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < units;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        const std::int64_t e = N * i;
        const std::int64_t b = e / perBatch;
        const int c = int(e % width);
        float xv[N], yv[N], g[N];
        Lanes<T, N>::load(x + e, xv);
        Lanes<T, N>::load(y + e, yv);
        Lanes<T, N>::load(gate + b * modStride + c, g);
#pragma unroll
        for (int j = 0; j < N; ++j)
            xv[j] += Io<T>::round(g[j] * yv[j]);
        Lanes<T, N>::store(x + e, xv);
    }
}

constexpr int kMaxPerLane = 8; // headDim <= 256
constexpr int kSplitWarpsPerBlock = 8;

// One warp per (batch, token, head).
template <typename T>
__global__ void qkRmsNormSplitKernel(const T* qkv, std::int64_t rowStride, const T* qScale, const T* kScale, T* q,
    T* k, T* v, std::int64_t tokens, int heads, int headDim, int headStride, std::int64_t outTokens,
    std::int64_t outOffset, float eps, std::int64_t units)
{
    const std::int64_t unit = blockIdx.x * std::int64_t(kSplitWarpsPerBlock) + (threadIdx.x >> 5);
    if (unit >= units)
        return;
    const int lane = threadIdx.x & 31;
    const int h = int(unit % heads);
    const std::int64_t r = unit / heads; // b * tokens + l
    const std::int64_t b = r / tokens;
    const std::int64_t l = r % tokens;
    const std::int64_t width = std::int64_t(heads) * headDim;
    const T* src = qkv + r * rowStride + std::int64_t(h) * headDim;
    const std::int64_t dst = ((b * outTokens + outOffset + l) * heads + h) * headStride;
    const float invD = 1.0f / float(headDim);
    for (int part = 0; part < 2; ++part) {
        const T* s = src + part * width;
        const T* w = part == 0 ? qScale : kScale;
        T* d = (part == 0 ? q : k) + dst;
        float vals[kMaxPerLane];
        float sq = 0.0f;
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const int c = lane + 32 * j;
            vals[j] = c < headDim ? Io<T>::load(s + c) : 0.0f;
            sq += vals[j] * vals[j];
        }
        const float rrms = rsqrtf(warpSum(sq) * invD + eps);
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const int c = lane + 32 * j;
            if (c < headDim)
                Io<T>::store(d + c, Io<T>::round(vals[j] * rrms) * Io<T>::load(w + c));
        }
    }
    if (v) {
        const T* s = src + 2 * width;
        for (int c = lane; c < headDim; c += 32)
            v[dst + c] = s[c];
    }
}

// One warp per (batch, token, head), each lane on pairs of values (headDim even, rows aligned to two elements). The
// loads of q, k and v are all issued before the first reduction, so that a warp keeps three requests in flight
// instead of waiting on each part in turn (the kernel is bound by memory latency, not by bandwidth, otherwise).
template <typename T>
__global__ void qkRmsNormSplitPairKernel(const T* qkv, std::int64_t rowStride, const T* qScale, const T* kScale,
    T* q, T* k, T* v, std::int64_t tokens, int heads, int headDim, int headStride, std::int64_t outTokens,
    std::int64_t outOffset, float eps, std::int64_t units)
{
    constexpr int kMaxPairs = kMaxPerLane / 2;
    const std::int64_t unit = blockIdx.x * std::int64_t(kSplitWarpsPerBlock) + (threadIdx.x >> 5);
    if (unit >= units)
        return;
    const int lane = threadIdx.x & 31;
    const int h = int(unit % heads);
    const std::int64_t r = unit / heads;
    const std::int64_t b = r / tokens;
    const std::int64_t l = r % tokens;
    const std::int64_t width = std::int64_t(heads) * headDim;
    const T* src = qkv + r * rowStride + std::int64_t(h) * headDim;
    const std::int64_t dst = ((b * outTokens + outOffset + l) * heads + h) * headStride;
    const float invD = 1.0f / float(headDim);
    float2 qv[kMaxPairs], kv[kMaxPairs], vv[kMaxPairs];
    float qsq = 0.0f, ksq = 0.0f;
#pragma unroll
    for (int j = 0; j < kMaxPairs; ++j) {
        const int c = 2 * (lane + 32 * j);
        const bool in = c < headDim;
        qv[j] = in ? Io2<T>::load(src + c) : make_float2(0.0f, 0.0f);
        kv[j] = in ? Io2<T>::load(src + width + c) : make_float2(0.0f, 0.0f);
        vv[j] = in && v ? Io2<T>::load(src + 2 * width + c) : make_float2(0.0f, 0.0f);
    }
#pragma unroll
    for (int j = 0; j < kMaxPairs; ++j) {
        qsq += qv[j].x * qv[j].x + qv[j].y * qv[j].y;
        ksq += kv[j].x * kv[j].x + kv[j].y * kv[j].y;
    }
    for (int offset = 16; offset > 0; offset >>= 1) {
        qsq += __shfl_xor_sync(0xffffffffu, qsq, offset);
        ksq += __shfl_xor_sync(0xffffffffu, ksq, offset);
    }
    const float qr = rsqrtf(qsq * invD + eps);
    const float kr = rsqrtf(ksq * invD + eps);
#pragma unroll
    for (int j = 0; j < kMaxPairs; ++j) {
        const int c = 2 * (lane + 32 * j);
        if (c < headDim) {
            const float2 qs = Io2<T>::load(qScale + c);
            const float2 ks = Io2<T>::load(kScale + c);
            Io2<T>::store(q + dst + c, make_float2(Io<T>::round(qv[j].x * qr) * qs.x, Io<T>::round(qv[j].y * qr) * qs.y));
            Io2<T>::store(k + dst + c, make_float2(Io<T>::round(kv[j].x * kr) * ks.x, Io<T>::round(kv[j].y * kr) * ks.y));
            if (v)
                Io2<T>::store(v + dst + c, vv[j]);
        }
    }
}

// One warp per (token, head).
template <typename T>
__global__ void addRepeatedKeyKernel(T* o, std::int64_t oTokenStride, std::int64_t oHeadStride, const float* lse,
    std::int64_t lseHeadStride, std::int64_t lseTokenStride, const T* q, const T* k0, const T* v0, int heads,
    int headDim, float scale, float logBias, std::int64_t units)
{
    const std::int64_t unit = blockIdx.x * std::int64_t(kSplitWarpsPerBlock) + (threadIdx.x >> 5);
    if (unit >= units)
        return;
    const int lane = threadIdx.x & 31;
    const int h = int(unit % heads);
    const std::int64_t l = unit / heads;
    const T* qr = q + unit * headDim;
    const T* kr = k0 + std::int64_t(h) * headDim;
    const T* vr = v0 + std::int64_t(h) * headDim;
    T* orow = o + l * oTokenStride + std::int64_t(h) * oHeadStride;
    float dot = 0.0f;
    for (int c = lane; c < headDim; c += 32)
        dot += Io<T>::load(qr + c) * Io<T>::load(kr + c);
    dot = warpSum(dot);
    const float s = scale * dot + logBias - lse[std::int64_t(h) * lseHeadStride + l * lseTokenStride];
    const float w = 1.0f / (1.0f + __expf(-s));
    for (int c = lane; c < headDim; c += 32) {
        const float a = Io<T>::load(orow + c);
        Io<T>::store(orow + c, a + w * (Io<T>::load(vr + c) - a));
    }
}

// One warp per row of at most 2 * 32 * kMaxPairs values; lanes on pairs when `paired` (width even, rows aligned).
template <typename T>
__global__ void rowLayerNormKernel(const T* x, const T* weight, const T* bias, T* out, std::int64_t rows, int width,
    float eps, bool paired)
{
    constexpr int kMaxPairs = kMaxPerLane / 2;
    const std::int64_t r = blockIdx.x * std::int64_t(kSplitWarpsPerBlock) + (threadIdx.x >> 5);
    if (r >= rows)
        return;
    const int lane = threadIdx.x & 31;
    const T* xr = x + r * width;
    T* orow = out + r * width;
    const float invW = 1.0f / float(width);
    if (paired) {
        float2 v[kMaxPairs];
        float sum = 0.0f;
#pragma unroll
        for (int j = 0; j < kMaxPairs; ++j) {
            const int c = 2 * (lane + 32 * j);
            v[j] = c < width ? Io2<T>::load(xr + c) : make_float2(0.0f, 0.0f);
            sum += v[j].x + v[j].y;
        }
        const float mean = warpSum(sum) * invW;
        float sq = 0.0f;
#pragma unroll
        for (int j = 0; j < kMaxPairs; ++j) {
            const int c = 2 * (lane + 32 * j);
            if (c < width) {
                const float a = v[j].x - mean, b = v[j].y - mean;
                sq += a * a + b * b;
            }
        }
        const float rstd = rsqrtf(warpSum(sq) * invW + eps);
#pragma unroll
        for (int j = 0; j < kMaxPairs; ++j) {
            const int c = 2 * (lane + 32 * j);
            if (c < width) {
                float a = (v[j].x - mean) * rstd, b = (v[j].y - mean) * rstd;
                if (weight) {
                    const float2 w = Io2<T>::load(weight + c);
                    a *= w.x;
                    b *= w.y;
                }
                if (bias) {
                    const float2 bb = Io2<T>::load(bias + c);
                    a += bb.x;
                    b += bb.y;
                }
                Io2<T>::store(orow + c, make_float2(a, b));
            }
        }
        return;
    }
    float v[kMaxPerLane];
    float sum = 0.0f;
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const int c = lane + 32 * j;
        v[j] = c < width ? Io<T>::load(xr + c) : 0.0f;
        sum += v[j];
    }
    const float mean = warpSum(sum) * invW;
    float sq = 0.0f;
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const int c = lane + 32 * j;
        if (c < width)
            sq += (v[j] - mean) * (v[j] - mean);
    }
    const float rstd = rsqrtf(warpSum(sq) * invW + eps);
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const int c = lane + 32 * j;
        if (c < width) {
            float a = (v[j] - mean) * rstd;
            if (weight)
                a *= Io<T>::load(weight + c);
            if (bias)
                a += Io<T>::load(bias + c);
            Io<T>::store(orow + c, a);
        }
    }
}

bool aligned2(const void* p, std::size_t element)
{
    return p == nullptr || reinterpret_cast<std::uintptr_t>(p) % (2 * element) == 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Vectorised variants for 2-byte types and the common shapes (rows of 256 * STEPS values, 16-byte aligned): a warp
// per token row, every lane moving 16 bytes (8 values) per access and issuing all its loads before the first
// reduction, reductions by warp shuffles only. The generic kernels above used a block per row (two block-wide
// reductions through shared memory) or a warp per head with 4-byte accesses, and ran at about half the memory
// bandwidth on an H100. The same arithmetic and roundings; only the order of the float32 sums differs.

constexpr int kRowWarpsPerBlock = 4;
bool g_genericOnly = false;


// adaLayerNormKernel for rows of 256 * STEPS values: lane `lane` holds columns (s * 32 + lane) * 8 .. + 7.
template <typename T, int STEPS>
__global__ void adaLayerNormWarpKernel(T* x, const T* residual, const T* gate, const T* shift, const T* scale,
    std::int64_t modStride, T* out, std::int64_t rows, std::int64_t tokens, float eps)
{
    constexpr int kWidth = 256 * STEPS;
    const std::int64_t r = blockIdx.x * std::int64_t(kRowWarpsPerBlock) + (threadIdx.x >> 5);
    if (r >= rows)
        return;
    const int lane = threadIdx.x & 31;
    const std::int64_t b = r / tokens;
    T* xr = x + r * kWidth;
    float v[STEPS][8];
#pragma unroll
    for (int s = 0; s < STEPS; ++s)
        Vec8<T>::load(xr + (s * 32 + lane) * 8, v[s]);
    if (residual) {
        const T* rr = residual + r * kWidth;
        const T* gr = gate + b * modStride;
        float y[STEPS][8];
#pragma unroll
        for (int s = 0; s < STEPS; ++s)
            Vec8<T>::load(rr + (s * 32 + lane) * 8, y[s]);
#pragma unroll
        for (int s = 0; s < STEPS; ++s) {
            float g[8];
            Vec8<T>::load(gr + (s * 32 + lane) * 8, g);
#pragma unroll
            for (int i = 0; i < 8; ++i)
                v[s][i] = Io<T>::round(v[s][i] + Io<T>::round(g[i] * y[s][i])); // x + gate * y, each rounded
            Vec8<T>::store(xr + (s * 32 + lane) * 8, v[s]);
        }
    }
    if (!out)
        return;
    float sum = 0.0f;
#pragma unroll
    for (int s = 0; s < STEPS; ++s)
#pragma unroll
        for (int i = 0; i < 8; ++i)
            sum += v[s][i];
    const float mean = warpSum(sum) / float(kWidth);
    float sq = 0.0f;
#pragma unroll
    for (int s = 0; s < STEPS; ++s)
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            const float d = v[s][i] - mean;
            sq += d * d;
        }
    const float rstd = rsqrtf(warpSum(sq) / float(kWidth) + eps);
    const T* sh = shift + b * modStride;
    const T* sc = scale + b * modStride;
    T* o = out + r * kWidth;
#pragma unroll
    for (int s = 0; s < STEPS; ++s) {
        const int c = (s * 32 + lane) * 8;
        float scv[8], shv[8], res[8];
        Vec8<T>::load(sc + c, scv);
        Vec8<T>::load(sh + c, shv);
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            // (1 + scale) * LayerNorm(x) + shift, each operator rounded
            const float n = Io<T>::round((v[s][i] - mean) * rstd);
            const float s1 = Io<T>::round(scv[i] + 1.0f);
            res[i] = Io<T>::round(s1 * n) + shv[i];
        }
        Vec8<T>::store(o + c, res);
    }
}

// qkRmsNormSplitKernel with a warp per (batch, token) row of heads * headDim = 256 * STEPS values per part, LPH =
// headDim / 8 lanes per head (a head's lanes are adjacent: the RMS is a shuffle over LPH lanes).
template <typename T, int STEPS, int LPH>
__global__ void qkRmsNormSplitWarpKernel(const T* qkv, std::int64_t rowStride, const T* qScale, const T* kScale,
    T* q, T* k, T* v, std::int64_t rows, std::int64_t tokens, int heads, int headStride, std::int64_t outTokens,
    std::int64_t outOffset, float eps)
{
    constexpr int kHeadDim = 8 * LPH;
    constexpr int kWidth = 256 * STEPS;
    const std::int64_t r = blockIdx.x * std::int64_t(kRowWarpsPerBlock) + (threadIdx.x >> 5);
    if (r >= rows)
        return;
    const int lane = threadIdx.x & 31;
    const std::int64_t b = r / tokens;
    const std::int64_t l = r % tokens;
    const T* src = qkv + r * rowStride;
    float qv[STEPS][8], kv[STEPS][8];
    uint4 vv[STEPS];
#pragma unroll
    for (int s = 0; s < STEPS; ++s) {
        const int c = (s * 32 + lane) * 8;
        Vec8<T>::load(src + c, qv[s]);
        Vec8<T>::load(src + kWidth + c, kv[s]);
        if (v)
            vv[s] = *reinterpret_cast<const uint4*>(src + 2 * kWidth + c);
    }
    const std::int64_t rowOut = (b * outTokens + outOffset + l) * heads;
    const int within = (lane % LPH) * 8; // offset inside the head
    float qs[8], ks[8];
    Vec8<T>::load(qScale + within, qs);
    Vec8<T>::load(kScale + within, ks);
    constexpr float kInvD = 1.0f / float(kHeadDim);
#pragma unroll
    for (int s = 0; s < STEPS; ++s) {
        float qsq = 0.0f, ksq = 0.0f;
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            qsq += qv[s][i] * qv[s][i];
            ksq += kv[s][i] * kv[s][i];
        }
#pragma unroll
        for (int offset = LPH / 2; offset > 0; offset >>= 1) {
            qsq += __shfl_xor_sync(0xffffffffu, qsq, offset);
            ksq += __shfl_xor_sync(0xffffffffu, ksq, offset);
        }
        const float qr = rsqrtf(qsq * kInvD + eps);
        const float kr = rsqrtf(ksq * kInvD + eps);
        const int h = (s * 32 + lane) / LPH;
        const std::int64_t dst = (rowOut + h) * headStride + within;
        float qo[8], ko[8];
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            qo[i] = Io<T>::round(qv[s][i] * qr) * qs[i];
            ko[i] = Io<T>::round(kv[s][i] * kr) * ks[i];
        }
        Vec8<T>::store(q + dst, qo);
        Vec8<T>::store(k + dst, ko);
        if (v)
            *reinterpret_cast<uint4*>(v + dst) = vv[s];
    }
}

// rowLayerNormKernel for 2-byte rows of 8 * L values (L = 1, 2, 4, ..., 32; the decoder's heads of 64 values: L = 8):
// L lanes per row, 32 / L rows per warp, every lane moving 16 bytes. The general kernel's warp per row read 4 bytes
// per lane, 128 bytes per row of 64 half values, and ran at about a quarter of an H200's memory bandwidth.
template <typename T, int L>
__global__ void rowLayerNormVecKernel(
    const T* x, const T* weight, const T* bias, T* out, std::int64_t rows, float eps)
{
    constexpr int kWidth = 8 * L;
    constexpr int kRowsPerWarp = 32 / L;
    const int lane = threadIdx.x & 31;
    const std::int64_t warp = blockIdx.x * std::int64_t(kRowWarpsPerBlock) + (threadIdx.x >> 5);
    const std::int64_t r = warp * kRowsPerWarp + lane / L;
    const int column = (lane % L) * 8;
    const bool active = r < rows;
    float v[8];
    if (active) {
        Vec8<T>::load(x + r * kWidth + column, v);
    } else {
#pragma unroll
        for (int i = 0; i < 8; ++i)
            v[i] = 0.0f;
    }
    // Sums over the row's L lanes (aligned groups: xor offsets below L stay inside them); every lane takes part.
    float sum = 0.0f;
#pragma unroll
    for (int i = 0; i < 8; ++i)
        sum += v[i];
#pragma unroll
    for (int o = L / 2; o > 0; o >>= 1)
        sum += __shfl_xor_sync(0xffffffffu, sum, o);
    const float mean = sum / float(kWidth);
    float sq = 0.0f;
#pragma unroll
    for (int i = 0; i < 8; ++i)
        sq += (v[i] - mean) * (v[i] - mean);
#pragma unroll
    for (int o = L / 2; o > 0; o >>= 1)
        sq += __shfl_xor_sync(0xffffffffu, sq, o);
    if (!active)
        return;
    const float rstd = rsqrtf(sq / float(kWidth) + eps);
    float w[8], b[8];
    if (weight)
        Vec8<T>::load(weight + column, w);
    if (bias)
        Vec8<T>::load(bias + column, b);
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        float a = (v[i] - mean) * rstd;
        if (weight)
            a *= w[i];
        if (bias)
            a += b[i];
        v[i] = a;
    }
    Vec8<T>::store(out + r * kWidth + column, v);
}

template <typename T, int L>
void launchRowNormVec(const void* x, const void* weight, const void* bias, void* out, std::int64_t rows, float eps,
    cudaStream_t stream)
{
    const std::int64_t rowsPerBlock = std::int64_t(kRowWarpsPerBlock) * (32 / L);
    const std::int64_t blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
    rowLayerNormVecKernel<T, L><<<unsigned(blocks), 32 * kRowWarpsPerBlock, 0, stream>>>(static_cast<const T*>(x),
        static_cast<const T*>(weight), static_cast<const T*>(bias), static_cast<T*>(out), rows, eps);
}

// Whether the vectorised rowLayerNorm applies (and then launches it).
template <typename T>
bool rowLayerNormVectorised(const void* x, const void* weight, const void* bias, void* out, std::int64_t rows,
    int width, float eps, cudaStream_t stream)
{
    if (g_genericOnly || sizeof(T) != 2 || !aligned16(x) || !aligned16(weight) || !aligned16(bias) || !aligned16(out))
        return false;
    switch (width) {
    case 8: launchRowNormVec<T, 1>(x, weight, bias, out, rows, eps, stream); return true;
    case 16: launchRowNormVec<T, 2>(x, weight, bias, out, rows, eps, stream); return true;
    case 32: launchRowNormVec<T, 4>(x, weight, bias, out, rows, eps, stream); return true;
    case 64: launchRowNormVec<T, 8>(x, weight, bias, out, rows, eps, stream); return true;
    case 128: launchRowNormVec<T, 16>(x, weight, bias, out, rows, eps, stream); return true;
    case 256: launchRowNormVec<T, 32>(x, weight, bias, out, rows, eps, stream); return true;
    default: return false;
    }
}

template <typename T, int STEPS>
void launchAdaWarp(void* x, const void* residual, const void* gate, const void* shift, const void* scale,
    std::int64_t modStride, void* out, std::int64_t rows, std::int64_t tokens, float eps, cudaStream_t stream)
{
    const std::int64_t blocks = (rows + kRowWarpsPerBlock - 1) / kRowWarpsPerBlock;
    adaLayerNormWarpKernel<T, STEPS><<<unsigned(blocks), 32 * kRowWarpsPerBlock, 0, stream>>>(static_cast<T*>(x),
        static_cast<const T*>(residual), static_cast<const T*>(gate), static_cast<const T*>(shift),
        static_cast<const T*>(scale), modStride, static_cast<T*>(out), rows, tokens, eps);
}

// Whether the vectorised adaLayerNorm applies (and then launches it).
template <typename T>
bool adaLayerNormVectorised(void* x, const void* residual, const void* gate, const void* shift, const void* scale,
    std::int64_t modStride, void* out, std::int64_t rows, std::int64_t tokens, int width, float eps,
    cudaStream_t stream)
{
    if (g_genericOnly || sizeof(T) != 2 || width % 256 != 0 || width > 256 * 8 || modStride % 8 != 0
        || !aligned16(x) || !aligned16(residual) || !aligned16(gate) || !aligned16(shift) || !aligned16(scale)
        || !aligned16(out))
        return false;
    switch (width / 256) {
    case 1: launchAdaWarp<T, 1>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    case 2: launchAdaWarp<T, 2>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    case 3: launchAdaWarp<T, 3>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    case 4: launchAdaWarp<T, 4>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    case 5: launchAdaWarp<T, 5>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    case 6: launchAdaWarp<T, 6>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    case 7: launchAdaWarp<T, 7>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    case 8: launchAdaWarp<T, 8>(x, residual, gate, shift, scale, modStride, out, rows, tokens, eps, stream); return true;
    default: return false;
    }
}

template <typename T, int STEPS, int LPH>
void launchSplitWarp(const void* qkv, std::int64_t rowStride, const void* qScale, const void* kScale, void* q,
    void* k, void* v, std::int64_t rows, std::int64_t tokens, int heads, int headStride, std::int64_t outTokens,
    std::int64_t outOffset, float eps, cudaStream_t stream)
{
    const std::int64_t blocks = (rows + kRowWarpsPerBlock - 1) / kRowWarpsPerBlock;
    qkRmsNormSplitWarpKernel<T, STEPS, LPH><<<unsigned(blocks), 32 * kRowWarpsPerBlock, 0, stream>>>(
        static_cast<const T*>(qkv), rowStride, static_cast<const T*>(qScale), static_cast<const T*>(kScale),
        static_cast<T*>(q), static_cast<T*>(k), static_cast<T*>(v), rows, tokens, heads, headStride, outTokens,
        outOffset, eps);
}

template <typename T, int STEPS>
bool splitWarpSteps(const void* qkv, std::int64_t rowStride, const void* qScale, const void* kScale, void* q,
    void* k, void* v, std::int64_t rows, std::int64_t tokens, int heads, int headDim, int headStride,
    std::int64_t outTokens, std::int64_t outOffset, float eps, cudaStream_t stream)
{
    switch (headDim) {
    case 32: launchSplitWarp<T, STEPS, 4>(qkv, rowStride, qScale, kScale, q, k, v, rows, tokens, heads, headStride, outTokens, outOffset, eps, stream); return true;
    case 64: launchSplitWarp<T, STEPS, 8>(qkv, rowStride, qScale, kScale, q, k, v, rows, tokens, heads, headStride, outTokens, outOffset, eps, stream); return true;
    case 128: launchSplitWarp<T, STEPS, 16>(qkv, rowStride, qScale, kScale, q, k, v, rows, tokens, heads, headStride, outTokens, outOffset, eps, stream); return true;
    default: return false;
    }
}

// Whether the vectorised qkRmsNormSplit applies (and then launches it).
template <typename T>
bool qkRmsNormSplitVectorised(const void* qkv, std::int64_t rowStride, const void* qScale, const void* kScale,
    void* q, void* k, void* v, std::int64_t rows, std::int64_t tokens, int heads, int headDim, int headStride,
    std::int64_t outTokens, std::int64_t outOffset, float eps, cudaStream_t stream)
{
    const std::int64_t width = std::int64_t(heads) * headDim;
    if (g_genericOnly || sizeof(T) != 2 || width % 256 != 0 || width > 256 * 4 || rowStride % 8 != 0
        || headStride % 8 != 0 || !aligned16(qkv) || !aligned16(qScale) || !aligned16(kScale) || !aligned16(q)
        || !aligned16(k) || !aligned16(v))
        return false;
    switch (width / 256) {
    case 1: return splitWarpSteps<T, 1>(qkv, rowStride, qScale, kScale, q, k, v, rows, tokens, heads, headDim, headStride, outTokens, outOffset, eps, stream);
    case 2: return splitWarpSteps<T, 2>(qkv, rowStride, qScale, kScale, q, k, v, rows, tokens, heads, headDim, headStride, outTokens, outOffset, eps, stream);
    case 3: return splitWarpSteps<T, 3>(qkv, rowStride, qScale, kScale, q, k, v, rows, tokens, heads, headDim, headStride, outTokens, outOffset, eps, stream);
    case 4: return splitWarpSteps<T, 4>(qkv, rowStride, qScale, kScale, q, k, v, rows, tokens, heads, headDim, headStride, outTokens, outOffset, eps, stream);
    default: return false;
    }
}


const char* launchError()
{
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

template <typename T>
const char* adaLayerNormT(void* x, const void* residual, const void* gate, const void* shift, const void* scale,
    std::int64_t modStride, void* out, int batch, std::int64_t tokens, int width, float eps, cudaStream_t stream)
{
    const std::int64_t rows = std::int64_t(batch) * tokens;
    if (rows == 0)
        return nullptr;
    if (adaLayerNormVectorised<T>(x, residual, gate, shift, scale, modStride, out, rows, tokens, width, eps, stream))
        return launchError();
    int threads = kNormThreads;
    while (threads > 32 && threads / 2 >= width)
        threads /= 2;
    const bool paired = width % 2 == 0 && modStride % 2 == 0 && aligned2(x, sizeof(T))
        && aligned2(residual, sizeof(T)) && aligned2(gate, sizeof(T)) && aligned2(shift, sizeof(T))
        && aligned2(scale, sizeof(T)) && aligned2(out, sizeof(T));
    adaLayerNormKernel<T><<<unsigned(rows), threads, std::size_t(width) * sizeof(float), stream>>>(
        static_cast<T*>(x), static_cast<const T*>(residual), static_cast<const T*>(gate),
        static_cast<const T*>(shift), static_cast<const T*>(scale), modStride, static_cast<T*>(out), tokens, width,
        eps, paired);
    return launchError();
}

template <typename T, int N>
const char* launchGatedResidual(void* x, const void* y, const void* gate, std::int64_t modStride, std::int64_t tokens,
    int width, std::int64_t n, cudaStream_t stream)
{
    constexpr int kThreads = 256;
    const std::int64_t units = n / N;
    const std::int64_t blocks = std::min<std::int64_t>((units + kThreads - 1) / kThreads, 65536);
    gatedResidualKernel<T, N><<<unsigned(blocks), kThreads, 0, stream>>>(
        static_cast<T*>(x), static_cast<const T*>(y), static_cast<const T*>(gate), modStride, tokens, width, units);
    return launchError();
}

template <typename T>
const char* gatedResidualT(void* x, const void* y, const void* gate, std::int64_t modStride, int batch,
    std::int64_t tokens, int width, cudaStream_t stream)
{
    const std::int64_t n = std::int64_t(batch) * tokens * width;
    if (n == 0)
        return nullptr;
    if constexpr (sizeof(T) == 2) {
        if (!g_genericOnly && width % 8 == 0 && modStride % 8 == 0 && aligned16(x) && aligned16(y) && aligned16(gate))
            return launchGatedResidual<T, 8>(x, y, gate, modStride, tokens, width, n, stream);
    }
    if (width % 2 == 0 && modStride % 2 == 0 && aligned2(x, sizeof(T)) && aligned2(y, sizeof(T))
        && aligned2(gate, sizeof(T)))
        return launchGatedResidual<T, 2>(x, y, gate, modStride, tokens, width, n, stream);
    return launchGatedResidual<T, 1>(x, y, gate, modStride, tokens, width, n, stream);
}

template <typename T>
const char* qkRmsNormSplitT(const void* qkv, std::int64_t rowStride, const void* qScale, const void* kScale,
    void* q, void* k, void* v, int batch, std::int64_t tokens, int heads, int headDim, int headStride,
    std::int64_t outTokens, std::int64_t outOffset, float eps, cudaStream_t stream)
{
    const std::int64_t units = std::int64_t(batch) * tokens * heads;
    if (units == 0)
        return nullptr;
    if (qkRmsNormSplitVectorised<T>(qkv, rowStride, qScale, kScale, q, k, v, std::int64_t(batch) * tokens, tokens,
            heads, headDim, headStride, outTokens, outOffset, eps, stream))
        return launchError();
    const std::int64_t blocks = (units + kSplitWarpsPerBlock - 1) / kSplitWarpsPerBlock;
    if (headDim % 2 == 0 && headStride % 2 == 0 && rowStride % 2 == 0 && aligned2(qkv, sizeof(T)) && aligned2(q, sizeof(T))
        && aligned2(k, sizeof(T)) && aligned2(v, sizeof(T)) && aligned2(qScale, sizeof(T))
        && aligned2(kScale, sizeof(T))) {
        qkRmsNormSplitPairKernel<T><<<unsigned(blocks), 32 * kSplitWarpsPerBlock, 0, stream>>>(
            static_cast<const T*>(qkv), rowStride, static_cast<const T*>(qScale), static_cast<const T*>(kScale),
            static_cast<T*>(q), static_cast<T*>(k), static_cast<T*>(v), tokens, heads, headDim, headStride, outTokens,
            outOffset, eps, units);
        return launchError();
    }
    qkRmsNormSplitKernel<T><<<unsigned(blocks), 32 * kSplitWarpsPerBlock, 0, stream>>>(static_cast<const T*>(qkv),
        rowStride, static_cast<const T*>(qScale), static_cast<const T*>(kScale), static_cast<T*>(q),
        static_cast<T*>(k), static_cast<T*>(v), tokens, heads, headDim, headStride, outTokens, outOffset, eps, units);
    return launchError();
}

template <typename T>
const char* addRepeatedKeyT(void* o, std::int64_t oTokenStride, std::int64_t oHeadStride, const float* lse,
    std::int64_t lseHeadStride, std::int64_t lseTokenStride, const void* q, const void* k0, const void* v0,
    std::int64_t tokens, int heads, int headDim, float scale, float logBias, cudaStream_t stream)
{
    const std::int64_t units = tokens * heads;
    if (units == 0)
        return nullptr;
    const std::int64_t blocks = (units + kSplitWarpsPerBlock - 1) / kSplitWarpsPerBlock;
    addRepeatedKeyKernel<T><<<unsigned(blocks), 32 * kSplitWarpsPerBlock, 0, stream>>>(static_cast<T*>(o),
        oTokenStride, oHeadStride, lse, lseHeadStride, lseTokenStride, static_cast<const T*>(q),
        static_cast<const T*>(k0), static_cast<const T*>(v0), heads, headDim, scale, logBias, units);
    return launchError();
}

template <typename T>
const char* rowLayerNormT(const void* x, const void* weight, const void* bias, void* out, std::int64_t rows,
    int width, float eps, cudaStream_t stream)
{
    if (rows == 0)
        return nullptr;
    if (rowLayerNormVectorised<T>(x, weight, bias, out, rows, width, eps, stream))
        return launchError();
    const bool paired = width % 2 == 0 && aligned2(x, sizeof(T)) && aligned2(weight, sizeof(T))
        && aligned2(bias, sizeof(T)) && aligned2(out, sizeof(T));
    const std::int64_t blocks = (rows + kSplitWarpsPerBlock - 1) / kSplitWarpsPerBlock;
    rowLayerNormKernel<T><<<unsigned(blocks), 32 * kSplitWarpsPerBlock, 0, stream>>>(static_cast<const T*>(x),
        static_cast<const T*>(weight), static_cast<const T*>(bias), static_cast<T*>(out), rows, width, eps, paired);
    return launchError();
}

} // namespace

void useGenericKernelsOnly(bool on) noexcept
{
    g_genericOnly = on;
}

const char* rowLayerNorm(DitDType type, const void* x, const void* weight, const void* bias, void* out,
    std::int64_t rows, int width, float eps, void* stream) noexcept
{
    if (width <= 0 || width > 32 * kMaxPerLane || rows < 0)
        return "rowLayerNorm: width must be in 1..256";
    if (!x || !out)
        return "rowLayerNorm: missing operand";
    if ((rows + kSplitWarpsPerBlock - 1) / kSplitWarpsPerBlock > 0x7fffffffLL)
        return "rowLayerNorm: too many rows";
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float32:
        return rowLayerNormT<float>(x, weight, bias, out, rows, width, eps, s);
    case DitDType::Float16:
        return rowLayerNormT<__half>(x, weight, bias, out, rows, width, eps, s);
    case DitDType::BFloat16:
        return rowLayerNormT<__nv_bfloat16>(x, weight, bias, out, rows, width, eps, s);
    }
    return "rowLayerNorm: unknown type";
}

const char* addRepeatedKey(DitDType type, void* o, std::int64_t oTokenStride, std::int64_t oHeadStride,
    const float* lse, std::int64_t lseHeadStride, std::int64_t lseTokenStride, const void* q, const void* k0,
    const void* v0, std::int64_t tokens, int heads, int headDim, float scale, float logBias, void* stream) noexcept
{
    if (headDim <= 0 || headDim > 256 || heads <= 0 || tokens < 0)
        return "addRepeatedKey: head dimension must be in 1..256";
    if (!o || !lse || !q || !k0 || !v0)
        return "addRepeatedKey: missing operand";
    if ((tokens * heads + kSplitWarpsPerBlock - 1) / kSplitWarpsPerBlock > 0x7fffffffLL)
        return "addRepeatedKey: too many rows";
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float32:
        return addRepeatedKeyT<float>(o, oTokenStride, oHeadStride, lse, lseHeadStride, lseTokenStride, q, k0, v0,
            tokens, heads, headDim, scale, logBias, s);
    case DitDType::Float16:
        return addRepeatedKeyT<__half>(o, oTokenStride, oHeadStride, lse, lseHeadStride, lseTokenStride, q, k0, v0,
            tokens, heads, headDim, scale, logBias, s);
    case DitDType::BFloat16:
        return addRepeatedKeyT<__nv_bfloat16>(o, oTokenStride, oHeadStride, lse, lseHeadStride, lseTokenStride, q,
            k0, v0, tokens, heads, headDim, scale, logBias, s);
    }
    return "addRepeatedKey: unknown type";
}

const char* adaLayerNorm(DitDType type, void* x, const void* residual, const void* gate, const void* shift,
    const void* scale, std::int64_t modStride, void* out, int batch, std::int64_t tokens, int width, float eps,
    void* stream) noexcept
{
    if (width <= 0 || width > kMaxWidth || batch < 0 || tokens < 0)
        return "adaLayerNorm: width must be in 1..16384";
    if (!x || (residual && !gate) || (out && (!shift || !scale)))
        return "adaLayerNorm: missing operand";
    if (std::int64_t(batch) * tokens > 0x7fffffffLL)
        return "adaLayerNorm: too many rows";
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float32:
        return adaLayerNormT<float>(x, residual, gate, shift, scale, modStride, out, batch, tokens, width, eps, s);
    case DitDType::Float16:
        return adaLayerNormT<__half>(x, residual, gate, shift, scale, modStride, out, batch, tokens, width, eps, s);
    case DitDType::BFloat16:
        return adaLayerNormT<__nv_bfloat16>(
            x, residual, gate, shift, scale, modStride, out, batch, tokens, width, eps, s);
    }
    return "adaLayerNorm: unknown type";
}

const char* gatedResidual(DitDType type, void* x, const void* y, const void* gate, std::int64_t modStride, int batch,
    std::int64_t tokens, int width, void* stream) noexcept
{
    if (width <= 0 || batch < 0 || tokens < 0 || !x || !y || !gate)
        return "gatedResidual: invalid operands";
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float32:
        return gatedResidualT<float>(x, y, gate, modStride, batch, tokens, width, s);
    case DitDType::Float16:
        return gatedResidualT<__half>(x, y, gate, modStride, batch, tokens, width, s);
    case DitDType::BFloat16:
        return gatedResidualT<__nv_bfloat16>(x, y, gate, modStride, batch, tokens, width, s);
    }
    return "gatedResidual: unknown type";
}

const char* qkRmsNormSplit(DitDType type, const void* qkv, std::int64_t rowStride, const void* qScale,
    const void* kScale, void* q, void* k, void* v, int batch, std::int64_t tokens, int heads, int headDim,
    int headStride, std::int64_t outTokens, std::int64_t outOffset, float eps, void* stream) noexcept
{
    if (headDim <= 0 || headDim > 32 * kMaxPerLane || heads <= 0 || batch < 0 || tokens < 0)
        return "qkRmsNormSplit: head dimension must be in 1..256";
    if (headStride < headDim)
        return "qkRmsNormSplit: head stride below the head dimension";
    if (outOffset < 0 || outOffset + tokens > outTokens || rowStride < 3LL * heads * headDim)
        return "qkRmsNormSplit: output or row stride too small";
    if (!qkv || !qScale || !kScale || !q || !k)
        return "qkRmsNormSplit: missing operand";
    if ((std::int64_t(batch) * tokens * heads + kSplitWarpsPerBlock - 1) / kSplitWarpsPerBlock > 0x7fffffffLL)
        return "qkRmsNormSplit: too many rows";
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float32:
        return qkRmsNormSplitT<float>(
            qkv, rowStride, qScale, kScale, q, k, v, batch, tokens, heads, headDim, headStride, outTokens, outOffset, eps, s);
    case DitDType::Float16:
        return qkRmsNormSplitT<__half>(
            qkv, rowStride, qScale, kScale, q, k, v, batch, tokens, heads, headDim, headStride, outTokens, outOffset, eps, s);
    case DitDType::BFloat16:
        return qkRmsNormSplitT<__nv_bfloat16>(
            qkv, rowStride, qScale, kScale, q, k, v, batch, tokens, heads, headDim, headStride, outTokens, outOffset, eps, s);
    }
    return "qkRmsNormSplit: unknown type";
}

} // namespace orfeas::cuda
