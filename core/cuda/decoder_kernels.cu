// Fused elementwise kernels of the geometry decoder: decoder_kernels.h says what each computes and where it rounds.

#include "decoder_kernels.h"
#include "row_io.cuh"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cuda_fp8.h>
#include <mma.h>
#include <type_traits>
#include <utility>

namespace orfeas::cuda {

namespace {

using namespace detail;

constexpr int kWarpsPerBlock = 4;
constexpr int kMaxSteps = 8; // rows of at most 8 * 32 lanes * 8 values = 2048

// A warp per row: lane `lane` holds the 8-value vectors s * 32 + lane (s < STEPS) that lie inside the row
// (`vectors` = width / 8 of them), plus the shift's values when there is one (in float32, not rounded); the others
// hold zeros and are masked out of every sum.
template <typename T, int STEPS>
__device__ __forceinline__ void loadRow(const T* row, const T* shift, int vectors, int lane, float (&v)[STEPS][8])
{
#pragma unroll
    for (int s = 0; s < STEPS; ++s) {
        const int idx = s * 32 + lane;
        if (idx < vectors) {
            Vec8<T>::load(row + idx * 8, v[s]);
            if (shift) {
                float a[8];
                Vec8<T>::load(shift + idx * 8, a);
#pragma unroll
                for (int i = 0; i < 8; ++i)
                    v[s][i] += a[i];
            }
        } else {
#pragma unroll
            for (int i = 0; i < 8; ++i)
                v[s][i] = 0.0f;
        }
    }
}

// Mean and 1 / sqrt(biased variance + eps) of the row held by the warp (every lane gets both).
template <int STEPS>
__device__ __forceinline__ void rowStatistics(
    const float (&v)[STEPS][8], int vectors, int lane, int width, float eps, float& mean, float& rstd)
{
    float sum = 0.0f;
#pragma unroll
    for (int s = 0; s < STEPS; ++s)
#pragma unroll
        for (int i = 0; i < 8; ++i)
            sum += v[s][i]; // the masked entries are zero
    mean = warpSum(sum) / float(width);
    float sq = 0.0f;
#pragma unroll
    for (int s = 0; s < STEPS; ++s) {
        if (s * 32 + lane < vectors) {
#pragma unroll
            for (int i = 0; i < 8; ++i) {
                const float d = v[s][i] - mean;
                sq += d * d;
            }
        }
    }
    rstd = rsqrtf(warpSum(sq) / float(width) + eps);
}

// The affine LayerNorm of one vector of 8 values (weight and bias may be null), in float32.
template <typename T>
__device__ __forceinline__ void normaliseVector(const float (&x)[8], float mean, float rstd, const T* weight,
    const T* bias, int column, float (&out)[8])
{
    float w[8], b[8];
    if (weight) {
        Vec8<T>::load(weight + column, w);
    } else {
#pragma unroll
        for (int i = 0; i < 8; ++i)
            w[i] = 1.0f;
    }
    if (bias) {
        Vec8<T>::load(bias + column, b);
    } else {
#pragma unroll
        for (int i = 0; i < 8; ++i)
            b[i] = 0.0f;
    }
#pragma unroll
    for (int i = 0; i < 8; ++i)
        out[i] = (x[i] - mean) * rstd * w[i] + b[i];
}

// Where shiftedLayerNormKernel writes the normalised row: rows of T, or of E4M3 bytes (value * scale, rounded to
// nearest even and saturated to +-448: cuda_fp8.h's __NV_SATFINITE).
template <typename T> struct StoreT {
    using Out = T;
    __device__ __forceinline__ void operator()(T* row, int column, const float (&v)[8]) const
    {
        Vec8<T>::store(row + column, v);
    }
};
struct StoreE4M3 {
    using Out = std::uint8_t;
    float scale;
    __device__ __forceinline__ void operator()(std::uint8_t* row, int column, const float (&v)[8]) const
    {
        uint2 raw;
        auto* pairs = reinterpret_cast<__nv_fp8x2_storage_t*>(&raw);
#pragma unroll
        for (int i = 0; i < 4; ++i)
            pairs[i] = __nv_cvt_float2_to_fp8x2(
                make_float2(v[2 * i] * scale, v[2 * i + 1] * scale), __NV_SATFINITE, __NV_E4M3);
        *reinterpret_cast<uint2*>(row + column) = raw;
    }
};

template <typename T, int STEPS, typename Store>
__global__ void shiftedLayerNormKernel(const T* x, const T* shift, const T* weight, const T* bias,
    typename Store::Out* out, Store store, std::int64_t rows, int width, float eps)
{
    const std::int64_t r = blockIdx.x * std::int64_t(kWarpsPerBlock) + (threadIdx.x >> 5);
    if (r >= rows)
        return;
    const int lane = threadIdx.x & 31;
    const int vectors = width / 8;
    float v[STEPS][8];
    loadRow<T, STEPS>(x + r * width, shift, vectors, lane, v);
    float mean, rstd;
    rowStatistics<STEPS>(v, vectors, lane, width, eps, mean, rstd);
    typename Store::Out* orow = out + r * width;
#pragma unroll
    for (int s = 0; s < STEPS; ++s) {
        const int idx = s * 32 + lane;
        if (idx >= vectors)
            continue;
        float n[8];
        normaliseVector<T>(v[s], mean, rstd, weight, bias, idx * 8, n);
        store(orow, idx * 8, n);
    }
}

template <typename T, int STEPS>
__global__ void layerNormDotKernel(const T* x, const T* shift, bool normalise, const T* weight, const T* bias,
    float eps, const T* w, const T* outBias, float* logits, std::int64_t rows, int width)
{
    const std::int64_t r = blockIdx.x * std::int64_t(kWarpsPerBlock) + (threadIdx.x >> 5);
    if (r >= rows)
        return;
    const int lane = threadIdx.x & 31;
    const int vectors = width / 8;
    float v[STEPS][8];
    loadRow<T, STEPS>(x + r * width, shift, vectors, lane, v);
    float mean = 0.0f, rstd = 1.0f;
    if (normalise)
        rowStatistics<STEPS>(v, vectors, lane, width, eps, mean, rstd);
    float acc = 0.0f;
#pragma unroll
    for (int s = 0; s < STEPS; ++s) {
        const int idx = s * 32 + lane;
        if (idx >= vectors)
            continue;
        float n[8], wv[8];
        if (normalise) {
            normaliseVector<T>(v[s], mean, rstd, weight, bias, idx * 8, n);
#pragma unroll
            for (int i = 0; i < 8; ++i)
                n[i] = Io<T>::round(n[i]); // the norm's output is a tensor of T in the operator path
        } else {
#pragma unroll
            for (int i = 0; i < 8; ++i)
                n[i] = v[s][i];
        }
        Vec8<T>::load(w + idx * 8, wv);
#pragma unroll
        for (int i = 0; i < 8; ++i)
            acc += n[i] * wv[i];
    }
    acc = warpSum(acc);
    if (lane == 0)
        logits[r] = Io<T>::round(acc + (outBias ? Io<T>::load(outBias) : 0.0f));
}

// Column c of a point's Fourier features (fourierFeatures' layout), in float32.
__device__ __forceinline__ float fourierValue(const float* p, const float* frequencies, int numFrequencies, int c)
{
    const int sinEnd = 3 + 3 * numFrequencies;
    const int cosEnd = 3 + 6 * numFrequencies;
    if (c < 3)
        return p[c];
    if (c < sinEnd) {
        const int k = c - 3;
        return sinf(p[k / numFrequencies] * frequencies[k % numFrequencies]);
    }
    if (c < cosEnd) {
        const int k = c - sinEnd;
        return cosf(p[k / numFrequencies] * frequencies[k % numFrequencies]);
    }
    return 0.0f;
}

template <typename T>
__global__ void fourierKernel(
    const float* points, const float* frequencies, int numFrequencies, T* out, std::int64_t rows, int outWidth)
{
    const std::int64_t total = rows * outWidth;
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < total;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        const std::int64_t r = i / outWidth;
        const int c = int(i - r * outWidth);
        Io<T>::store(out + i, fourierValue(points + r * 3, frequencies, numFrequencies, c));
    }
}

// factoredQueries: a warp per row, the rows of a block's warps strided over the grid so that each block loads the
// Gram matrix into shared memory once. A row's values are loaded first, so that their latency overlaps the
// quadratic form; the features f~ go through a per-warp shared buffer, from which every lane reads them (a
// broadcast) to form (G f~)_i for i = lane and lane + 32. A head's values lie in `group` = headDim / 8 adjacent
// lanes (lane vectors s * 32 + lane), whose sums are shuffles inside the group.
constexpr int kFactoredWarps = 8;
constexpr int kMaxGram = 64;

__device__ __forceinline__ float groupSum(float v, int group)
{
    for (int offset = group >> 1; offset > 0; offset >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

template <typename T, int STEPS>
__global__ void __launch_bounds__(32 * kFactoredWarps, 4)
    factoredQueriesKernel(T* y, const T* features, int featureStride, int featureCount, const float* gram, float eps,
        const float* yScale, const float* m1, const float* m2, bool normalise, const T* qWeight, const T* qBias,
        float qEps, std::int64_t rows, int width, int headDim)
{
    __shared__ float g[kMaxGram][kMaxGram + 1];
    __shared__ float shared[kFactoredWarps][kMaxGram];
    const int n = featureCount + 1;
    for (int i = threadIdx.x; i < kMaxGram * kMaxGram; i += blockDim.x) {
        const int a = i / kMaxGram, b = i % kMaxGram;
        g[a][b] = a < n && b < n ? gram[a * n + b] : 0.0f;
    }
    __syncthreads();
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    float* f = shared[warp];
    const int vectors = width / 8;
    const int group = headDim / 8;
    const float scale = *yScale;
    for (std::int64_t r = blockIdx.x * std::int64_t(kFactoredWarps) + warp; r < rows;
         r += std::int64_t(gridDim.x) * kFactoredWarps) {
        T* row = y + r * width;
        uint4 raw[STEPS];
#pragma unroll
        for (int s = 0; s < STEPS; ++s)
            if (s * 32 + lane < vectors)
                raw[s] = *reinterpret_cast<const uint4*>(row + (s * 32 + lane) * 8);
        const T* fr = features + r * featureStride;
        const float fa = lane < featureCount ? Io<T>::load(fr + lane) : lane == featureCount ? 1.0f : 0.0f;
        const float fb = lane + 32 < featureCount ? Io<T>::load(fr + lane + 32)
            : lane + 32 == featureCount           ? 1.0f
                                                  : 0.0f;
        __syncwarp();
        f[lane] = fa;
        f[lane + 32] = fb;
        __syncwarp();
        float ta = 0.0f, tb = 0.0f;
#pragma unroll 8
        for (int k = 0; k < kMaxGram; ++k) {
            if (k < n) {
                const float fk = f[k];
                ta += g[lane][k] * fk;
                tb += g[lane + 32][k] * fk;
            }
        }
        const float inv = rsqrtf(fmaxf(warpSum(fa * ta + fb * tb), 0.0f) + eps);
#pragma unroll
        for (int s = 0; s < STEPS; ++s) {
            const int idx = s * 32 + lane;
            const bool active = idx < vectors;
            float v[8];
            if (active) {
                const T* h = reinterpret_cast<const T*>(&raw[s]);
                const float4* a = reinterpret_cast<const float4*>(m1 + idx * 8);
                const float4* b = reinterpret_cast<const float4*>(m2 + idx * 8);
                const float4 a0 = a[0], a1 = a[1], b0 = b[0], b1 = b[1];
                const float add1[8] = { a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w };
                const float add2[8] = { b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w };
#pragma unroll
                for (int i = 0; i < 8; ++i)
                    v[i] = (Io<T>::load(h + i) * scale + add1[i]) * inv + add2[i];
            } else {
#pragma unroll
                for (int i = 0; i < 8; ++i)
                    v[i] = 0.0f;
            }
            if (normalise) {
                float sum = 0.0f;
#pragma unroll
                for (int i = 0; i < 8; ++i)
                    sum += v[i];
                const float mean = groupSum(sum, group) / float(headDim);
                float sq = 0.0f;
#pragma unroll
                for (int i = 0; i < 8; ++i) {
                    const float d = v[i] - mean;
                    sq += active ? d * d : 0.0f;
                }
                const float rstd = rsqrtf(groupSum(sq, group) / float(headDim) + qEps);
                float out[8];
                normaliseVector(v, mean, rstd, qWeight, qBias, (idx % group) * 8, out);
                if (active)
                    Vec8<T>::store(row + idx * 8, out);
            } else if (active) {
                Vec8<T>::store(row + idx * 8, v);
            }
        }
    }
}

const char* launchError()
{
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

// Steps (vectors of 8 per lane) for a row of `width` values, or 0 when the kernels do not take it.
int stepsFor(int width)
{
    if (width <= 0 || width % 8 != 0 || width > kMaxSteps * 256)
        return 0;
    return (width / 8 + 31) / 32;
}

unsigned rowBlocks(std::int64_t rows)
{
    return unsigned((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
}

// outScale < 0: rows of T; otherwise rows of E4M3 bytes holding value * outScale.
template <typename T, int STEPS>
void launchNorm(const void* x, const void* shift, const void* weight, const void* bias, void* out, float outScale,
    std::int64_t rows, int width, float eps, cudaStream_t stream)
{
    if (outScale < 0.0f) {
        shiftedLayerNormKernel<T, STEPS, StoreT<T>><<<rowBlocks(rows), 32 * kWarpsPerBlock, 0, stream>>>(
            static_cast<const T*>(x), static_cast<const T*>(shift), static_cast<const T*>(weight),
            static_cast<const T*>(bias), static_cast<T*>(out), StoreT<T> {}, rows, width, eps);
    } else {
        shiftedLayerNormKernel<T, STEPS, StoreE4M3><<<rowBlocks(rows), 32 * kWarpsPerBlock, 0, stream>>>(
            static_cast<const T*>(x), static_cast<const T*>(shift), static_cast<const T*>(weight),
            static_cast<const T*>(bias), static_cast<std::uint8_t*>(out), StoreE4M3 { outScale }, rows, width, eps);
    }
}

template <typename T, int STEPS>
void launchNormDot(const void* x, const void* shift, bool normalise, const void* weight, const void* bias, float eps,
    const void* w, const void* outBias, float* logits, std::int64_t rows, int width, cudaStream_t stream)
{
    layerNormDotKernel<T, STEPS><<<rowBlocks(rows), 32 * kWarpsPerBlock, 0, stream>>>(static_cast<const T*>(x),
        static_cast<const T*>(shift), normalise, static_cast<const T*>(weight), static_cast<const T*>(bias), eps,
        static_cast<const T*>(w), static_cast<const T*>(outBias), logits, rows, width);
}

// The launchers for rows of 1..kMaxSteps steps, indexed by steps - 1.
template <typename T, int... S> constexpr auto normLaunchers(std::integer_sequence<int, S...>)
{
    return std::array { &launchNorm<T, S + 1>... };
}
template <typename T, int... S>
constexpr auto normDotLaunchers(std::integer_sequence<int, S...>)
{
    return std::array { &launchNormDot<T, S + 1>... };
}

template <typename T>
const char* shiftedLayerNormT(const void* x, const void* shift, const void* weight, const void* bias, void* out,
    float outScale, std::int64_t rows, int width, float eps, cudaStream_t stream)
{
    const int steps = stepsFor(width);
    if (steps == 0)
        return "shiftedLayerNorm: the row width must be a multiple of 8 and at most 2048";
    if (!aligned16(x) || !aligned16(shift) || !aligned16(weight) || !aligned16(bias) || !aligned16(out))
        return "shiftedLayerNorm: the rows must be 16-byte aligned";
    if (rows == 0)
        return nullptr;
    normLaunchers<T>(std::make_integer_sequence<int, kMaxSteps> {})[std::size_t(steps - 1)](
        x, shift, weight, bias, out, outScale, rows, width, eps, stream);
    return launchError();
}

template <typename T>
const char* layerNormDotT(const void* x, const void* shift, bool normalise, const void* weight, const void* bias,
    float eps, const void* w, const void* outBias, float* logits, std::int64_t rows, int width, cudaStream_t stream)
{
    const int steps = stepsFor(width);
    if (steps == 0)
        return "layerNormDot: the row width must be a multiple of 8 and at most 2048";
    if (!aligned16(x) || !aligned16(shift) || !aligned16(weight) || !aligned16(bias) || !aligned16(w))
        return "layerNormDot: the rows must be 16-byte aligned";
    if (rows == 0)
        return nullptr;
    normDotLaunchers<T>(std::make_integer_sequence<int, kMaxSteps> {})[std::size_t(steps - 1)](
        x, shift, normalise, weight, bias, eps, w, outBias, logits, rows, width, stream);
    return launchError();
}

template <typename T>
const char* fourierT(const float* points, const float* frequencies, int numFrequencies, void* out, std::int64_t rows,
    int outWidth, cudaStream_t stream)
{
    if (numFrequencies < 0 || outWidth < 3 + 6 * numFrequencies)
        return "fourierFeatures: the output rows are narrower than the features";
    const std::int64_t total = rows * outWidth;
    if (total == 0)
        return nullptr;
    constexpr int kThreads = 256;
    const std::int64_t blocks = std::min<std::int64_t>((total + kThreads - 1) / kThreads, 132 * 64);
    fourierKernel<T><<<unsigned(blocks), kThreads, 0, stream>>>(
        points, frequencies, numFrequencies, static_cast<T*>(out), rows, outWidth);
    return launchError();
}

template <typename T, int STEPS>
void launchFactored(void* y, const void* features, int featureStride, int featureCount, const float* gram, float eps,
    const float* yScale, const float* m1, const float* m2, bool normalise, const void* qWeight, const void* qBias,
    float qEps, std::int64_t rows, int width, int headDim, cudaStream_t stream)
{
    // Enough blocks to fill the GPU several times over; each strides over the rest (the Gram matrix loaded once).
    const std::int64_t blocks = std::min<std::int64_t>((rows + kFactoredWarps - 1) / kFactoredWarps, 132 * 16);
    factoredQueriesKernel<T, STEPS><<<unsigned(blocks), 32 * kFactoredWarps, 0, stream>>>(static_cast<T*>(y),
        static_cast<const T*>(features), featureStride, featureCount, gram, eps, yScale, m1, m2, normalise,
        static_cast<const T*>(qWeight), static_cast<const T*>(qBias), qEps, rows, width, headDim);
}

template <typename T, int... S> constexpr auto factoredLaunchers(std::integer_sequence<int, S...>)
{
    return std::array { &launchFactored<T, S + 1>... };
}

template <typename T>
const char* factoredQueriesT(void* y, const void* features, int featureStride, int featureCount, const float* gram,
    float eps, const float* yScale, const float* m1, const float* m2, bool normalise, const void* qWeight,
    const void* qBias, float qEps, std::int64_t rows, int width, int headDim, cudaStream_t stream)
{
    const int steps = stepsFor(width);
    if (steps == 0)
        return "factoredQueries: the row width must be a multiple of 8 and at most 2048";
    const int group = headDim / 8;
    if (headDim <= 0 || headDim % 8 != 0 || width % headDim != 0 || 32 % group != 0)
        return "factoredQueries: the head size must divide the width, with head size / 8 a divisor of 32";
    if (featureCount < 0 || featureCount >= kMaxGram || featureCount > featureStride)
        return "factoredQueries: at most 63 features, within the feature rows";
    if (!y || !features || !gram || !yScale || !m1 || !m2)
        return "factoredQueries: a pointer is missing";
    if (!aligned16(y) || !aligned16(m1) || !aligned16(m2) || !aligned16(qWeight) || !aligned16(qBias))
        return "factoredQueries: the rows must be 16-byte aligned";
    if (rows == 0)
        return nullptr;
    factoredLaunchers<T>(std::make_integer_sequence<int, kMaxSteps> {})[std::size_t(steps - 1)](y, features,
        featureStride, featureCount, gram, eps, yScale, m1, m2, normalise, qWeight, qBias, qEps, rows, width, headDim,
        stream);
    return launchError();
}

// decoderFront: a block of kFrontWarps warps takes 16 rows per warp (128 points) and walks the 2 * width / 64
// column tiles of `weights` in order, the block's 256 threads staging each 64 x 64 tile in shared memory (double
// buffered: the next tile's global loads are issued before the current tile's products). A warp's features
// (16 x 64, computed in place) stay in registers as wmma fragments for all tiles; each tile is 16 x 64 products
// (K = 64) on the tensor cores in float32, stored to the warp's shared accumulator rows, then finished by the warp
// with two lanes per row (lane pair 2r, 2r + 1 holds the row's 4-column chunks h * 4 + 8 j, j < 8, conflict-free in
// the 72-float rows), staged as T and written out as whole 128-byte row segments.
constexpr int kFrontWarps = 8;
constexpr int kFrontRows = 16 * kFrontWarps;
constexpr int kFrontTile = 64;
constexpr int kFrontStride = 72; // shared row stride (elements): 16-byte rows, 32-byte aligned fragment pointers

// Four values rounded to T, packed for one 8-byte store.
template <typename T> __device__ __forceinline__ uint2 pack4(float a, float b, float c, float d)
{
    uint2 u;
    if constexpr (std::is_same_v<T, __half>) {
        const __half2 lo = __floats2half2_rn(a, b), hi = __floats2half2_rn(c, d);
        u.x = *reinterpret_cast<const unsigned*>(&lo);
        u.y = *reinterpret_cast<const unsigned*>(&hi);
    } else {
        const __nv_bfloat162 lo = __floats2bfloat162_rn(a, b), hi = __floats2bfloat162_rn(c, d);
        u.x = *reinterpret_cast<const unsigned*>(&lo);
        u.y = *reinterpret_cast<const unsigned*>(&hi);
    }
    return u;
}

template <typename T> struct FrontShared {
    alignas(128) T weights[2][kFrontTile][kFrontStride];
    // Per tile and column, in float32: x0 tiles: [0] the bias; query tiles: m1, m2, the q norm's weight and bias.
    alignas(16) float params[2][4][kFrontTile];
    alignas(128) T staging[kFrontWarps][16][kFrontStride];
    alignas(128) float acc[kFrontWarps][16][kFrontStride];
};

template <typename T, int HEAD>
__global__ void __launch_bounds__(32 * kFrontWarps, 2) decoderFrontKernel(const float* points, const float* frequencies,
    int numFrequencies, const T* weights, const T* bias0, const float* yScale, const float* m1, const float* m2,
    float eps, bool normalise, const T* qWeight, const T* qBias, float qEps, T* x0, T* q, std::int64_t rows, int width)
{
    using namespace nvcuda;
    extern __shared__ unsigned char frontRaw[];
    auto& sm = *reinterpret_cast<FrontShared<T>*>(frontRaw);
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int tiles = 2 * width / kFrontTile;
    const int halfTiles = tiles / 2;
    const int featureCount = 3 + 6 * numFrequencies;
    const std::int64_t rowBlocks = (rows + kFrontRows - 1) / kFrontRows;
    const float scale = *yScale;
    const int r = lane >> 1, h = lane & 1;
    constexpr int chunksPerHead = HEAD / 8;
    constexpr int headsPerTile = kFrontTile / HEAD;

    // This thread's two 16-byte pieces of a weight tile: rows idx / 8 and idx / 8 + 32, columns (idx % 8) * 8.
    const int idx = int(threadIdx.x);
    const T* src = weights + (idx / 8) * kFrontTile + (idx % 8) * 8;
    constexpr int kHalfTile = 32 * kFrontTile; // the second piece's offset, in values
    // ... and one of its parameters: slot idx / 64 of column idx % 64.
    const int slot = idx / kFrontTile, column = idx % kFrontTile;
    const auto param = [&](int t) {
        if (t < halfTiles) {
            const int col = t * kFrontTile + column;
            return slot == 0 && bias0 ? Io<T>::load(bias0 + col) : 0.0f;
        }
        const int col = (t - halfTiles) * kFrontTile + column;
        switch (slot) {
        case 0:
            return m1[col];
        case 1:
            return m2[col];
        case 2:
            return qWeight ? Io<T>::load(qWeight + col % HEAD) : 1.0f;
        default:
            return qBias ? Io<T>::load(qBias + col % HEAD) : 0.0f;
        }
    };
    uint4 next0, next1;
    if (std::int64_t(blockIdx.x) >= rowBlocks)
        return;
    next0 = *reinterpret_cast<const uint4*>(src);
    next1 = *reinterpret_cast<const uint4*>(src + kHalfTile);
    float nextParam = param(0);
    *reinterpret_cast<uint4*>(&sm.weights[0][idx / 8][(idx % 8) * 8]) = next0;
    *reinterpret_cast<uint4*>(&sm.weights[0][idx / 8 + 32][(idx % 8) * 8]) = next1;
    sm.params[0][slot][column] = nextParam;
    __syncthreads();
    int buffer = 0;
    T(*stage)[kFrontStride] = sm.staging[warp];
    float(*acc)[kFrontStride] = sm.acc[warp];
    for (std::int64_t block = blockIdx.x; block < rowBlocks; block += gridDim.x) {
        const std::int64_t base = block * kFrontRows + warp * 16;
        for (int i = lane; i < 16 * kFrontTile; i += 32) {
            const int rr = i / kFrontTile, c = i % kFrontTile;
            const std::int64_t row = base + rr;
            float value = 0.0f;
            if (row < rows && c < featureCount)
                value = fourierValue(points + row * 3, frequencies, numFrequencies, c);
            Io<T>::store(&stage[rr][c], value);
        }
        __syncwarp();
        wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a[4];
#pragma unroll
        for (int kf = 0; kf < 4; ++kf)
            wmma::load_matrix_sync(a[kf], &stage[0][kf * 16], kFrontStride);
        float shift = 0.0f, s1 = 0.0f, s2 = 0.0f, inv = 0.0f;
        for (int t = 0; t < tiles; ++t) {
            const bool more = t + 1 < tiles || block + gridDim.x < rowBlocks;
            if (more) {
                const int following = t + 1 < tiles ? t + 1 : 0;
                const T* tile = src + std::int64_t(following) * kFrontTile * kFrontTile;
                next0 = *reinterpret_cast<const uint4*>(tile);
                next1 = *reinterpret_cast<const uint4*>(tile + kHalfTile);
                nextParam = param(following);
            }
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> c[4];
#pragma unroll
            for (int nf = 0; nf < 4; ++nf)
                wmma::fill_fragment(c[nf], 0.0f);
#pragma unroll
            for (int kf = 0; kf < 4; ++kf) {
#pragma unroll
                for (int nf = 0; nf < 4; ++nf) {
                    wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> b;
                    wmma::load_matrix_sync(b, &sm.weights[buffer][nf * 16][kf * 16], kFrontStride);
                    wmma::mma_sync(c[nf], a[kf], b, c[nf]);
                }
            }
#pragma unroll
            for (int nf = 0; nf < 4; ++nf)
                wmma::store_matrix_sync(&acc[0][nf * 16], c[nf], kFrontStride, wmma::mem_row_major);
            __syncwarp();
            float v[32];
#pragma unroll
            for (int j = 0; j < 8; ++j) {
                const float4 a4 = *reinterpret_cast<const float4*>(&acc[r][h * 4 + 8 * j]);
                v[4 * j] = a4.x;
                v[4 * j + 1] = a4.y;
                v[4 * j + 2] = a4.z;
                v[4 * j + 3] = a4.w;
            }
            const bool first = t < halfTiles;
            const int col0 = (first ? t : t - halfTiles) * kFrontTile;
            const float(*par)[kFrontTile] = sm.params[buffer];
            // The parameters of this lane's chunk j, slot k: four columns from h * 4 + 8 * j.
            const auto chunk = [&](int k, int j) { return *reinterpret_cast<const float4*>(&par[k][h * 4 + 8 * j]); };
            if (first) {
                // x0 = T(W0 f + b0), and the LayerNorm statistics of the stored values (about the row's first tile's
                // mean, so that a large mean does not cancel in the variance).
                float sum = 0.0f;
#pragma unroll
                for (int j = 0; j < 8; ++j) {
                    const float4 b = chunk(0, j);
                    const float add[4] = { b.x, b.y, b.z, b.w };
#pragma unroll
                    for (int i = 0; i < 4; ++i) {
                        v[4 * j + i] = Io<T>::round(v[4 * j + i] + add[i]);
                        sum += v[4 * j + i];
                    }
                }
                if (t == 0)
                    shift = (sum + __shfl_xor_sync(0xffffffffu, sum, 1)) / float(kFrontTile);
#pragma unroll
                for (int i = 0; i < 32; ++i) {
                    const float d = v[i] - shift;
                    s1 += d;
                    s2 += d * d;
                }
                if (t == halfTiles - 1) {
                    const float t1 = s1 + __shfl_xor_sync(0xffffffffu, s1, 1);
                    const float t2 = s2 + __shfl_xor_sync(0xffffffffu, s2, 1);
                    const float mean = t1 / float(width);
                    inv = rsqrtf(fmaxf(t2 / float(width) - mean * mean, 0.0f) + eps);
                }
            } else {
#pragma unroll
                for (int j = 0; j < 8; ++j) {
                    const float4 a1 = chunk(0, j), a2 = chunk(1, j);
                    const float add1[4] = { a1.x, a1.y, a1.z, a1.w }, add2[4] = { a2.x, a2.y, a2.z, a2.w };
#pragma unroll
                    for (int i = 0; i < 4; ++i)
                        v[4 * j + i] = (v[4 * j + i] * scale + add1[i]) * inv + add2[i];
                }
                if (normalise) {
                    // Heads of headDim columns: chunk j (8 columns over the lane pair) lies in head j / chunksPerHead.
                    float sums[headsPerTile] = {}, sq[headsPerTile] = {};
#pragma unroll
                    for (int j = 0; j < 8; ++j)
#pragma unroll
                        for (int i = 0; i < 4; ++i)
                            sums[j / chunksPerHead] += v[4 * j + i];
                    float mean[headsPerTile], rstd[headsPerTile];
#pragma unroll
                    for (int k = 0; k < headsPerTile; ++k)
                        mean[k] = (sums[k] + __shfl_xor_sync(0xffffffffu, sums[k], 1)) / float(HEAD);
#pragma unroll
                    for (int j = 0; j < 8; ++j)
#pragma unroll
                        for (int i = 0; i < 4; ++i) {
                            const float d = v[4 * j + i] - mean[j / chunksPerHead];
                            sq[j / chunksPerHead] += d * d;
                        }
#pragma unroll
                    for (int k = 0; k < headsPerTile; ++k)
                        rstd[k] = rsqrtf((sq[k] + __shfl_xor_sync(0xffffffffu, sq[k], 1)) / float(HEAD) + qEps);
#pragma unroll
                    for (int j = 0; j < 8; ++j) {
                        const int k = j / chunksPerHead;
                        const float4 w4 = chunk(2, j), b4 = chunk(3, j);
                        const float w[4] = { w4.x, w4.y, w4.z, w4.w }, b[4] = { b4.x, b4.y, b4.z, b4.w };
#pragma unroll
                        for (int i = 0; i < 4; ++i)
                            v[4 * j + i] = (v[4 * j + i] - mean[k]) * rstd[k] * w[i] + b[i];
                    }
                }
            }
#pragma unroll
            for (int j = 0; j < 8; ++j)
                *reinterpret_cast<uint2*>(&stage[r][h * 4 + 8 * j])
                    = pack4<T>(v[4 * j], v[4 * j + 1], v[4 * j + 2], v[4 * j + 3]);
            __syncwarp();
            T* out = first ? x0 : q;
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int idx = lane + 32 * i;
                const std::int64_t row = base + idx / 8;
                if (row < rows)
                    *reinterpret_cast<uint4*>(out + row * width + col0 + (idx % 8) * 8)
                        = *reinterpret_cast<const uint4*>(&stage[idx / 8][(idx % 8) * 8]);
            }
            if (more) {
                *reinterpret_cast<uint4*>(&sm.weights[buffer ^ 1][idx / 8][(idx % 8) * 8]) = next0;
                *reinterpret_cast<uint4*>(&sm.weights[buffer ^ 1][idx / 8 + 32][(idx % 8) * 8]) = next1;
                sm.params[buffer ^ 1][slot][column] = nextParam;
            }
            __syncthreads();
            buffer ^= 1;
        }
    }
}

template <typename T>
const char* decoderFrontT(const float* points, const float* frequencies, int numFrequencies, const void* weights,
    const void* bias0, const float* yScale, const float* m1, const float* m2, float eps, bool normalise,
    const void* qWeight, const void* qBias, float qEps, void* x0, void* q, std::int64_t rows, int width, int headDim,
    cudaStream_t stream)
{
    if (width <= 0 || width % kFrontTile != 0)
        return "decoderFront: the row width must be a positive multiple of 64";
    if (headDim != 16 && headDim != 32 && headDim != 64)
        return "decoderFront: heads of 16, 32 or 64 values only";
    if (numFrequencies < 0 || 3 + 6 * numFrequencies > kFrontTile)
        return "decoderFront: at most 64 Fourier features";
    if (!points || !frequencies || !weights || !yScale || !m1 || !m2 || !x0 || !q)
        return "decoderFront: a pointer is missing";
    if (!aligned16(weights) || !aligned16(x0) || !aligned16(q))
        return "decoderFront: the rows must be 16-byte aligned";
    if (rows == 0)
        return nullptr;
    int device = 0, sms = 0;
    cudaGetDevice(&device);
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
    const std::int64_t rowBlocks = (rows + kFrontRows - 1) / kFrontRows;
    const std::int64_t blocks = std::min<std::int64_t>(rowBlocks, std::int64_t(std::max(sms, 1)) * 2);
    const auto launch = [&](auto kernel) {
        // More than the 48 KiB a launch gets by default; the attribute is the current device's, so set every call.
        const int bytes = int(sizeof(FrontShared<T>));
        if (cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes) != cudaSuccess) {
            cudaGetLastError();
            return false;
        }
        kernel<<<unsigned(blocks), 32 * kFrontWarps, bytes, stream>>>(points, frequencies, numFrequencies,
            static_cast<const T*>(weights), static_cast<const T*>(bias0), yScale, m1, m2, eps, normalise,
            static_cast<const T*>(qWeight), static_cast<const T*>(qBias), qEps, static_cast<T*>(x0), static_cast<T*>(q),
            rows, width);
        return true;
    };
    const bool launched = headDim == 16 ? launch(decoderFrontKernel<T, 16>)
        : headDim == 32                 ? launch(decoderFrontKernel<T, 32>)
                                        : launch(decoderFrontKernel<T, 64>);
    if (!launched)
        return "decoderFront: the kernel's shared memory cannot be granted";
    return launchError();
}

} // namespace

const char* fourierFeatures(DitDType type, const float* points, const float* frequencies, int numFrequencies,
    void* out, std::int64_t rows, int outWidth, void* stream) noexcept
{
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16: return fourierT<__half>(points, frequencies, numFrequencies, out, rows, outWidth, s);
    case DitDType::BFloat16:
        return fourierT<__nv_bfloat16>(points, frequencies, numFrequencies, out, rows, outWidth, s);
    default: return "fourierFeatures: half or bfloat16 only";
    }
}

const char* shiftedLayerNorm(DitDType type, const void* x, const void* shift, const void* weight, const void* bias,
    void* out, std::int64_t rows, int width, float eps, void* stream) noexcept
{
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return shiftedLayerNormT<__half>(x, shift, weight, bias, out, -1.0f, rows, width, eps, s);
    case DitDType::BFloat16:
        return shiftedLayerNormT<__nv_bfloat16>(x, shift, weight, bias, out, -1.0f, rows, width, eps, s);
    default:
        return "shiftedLayerNorm: half or bfloat16 only";
    }
}

const char* shiftedLayerNormE4M3(DitDType type, const void* x, const void* shift, const void* weight, const void* bias,
    std::uint8_t* out, float outScale, std::int64_t rows, int width, float eps, void* stream) noexcept
{
    if (!(outScale > 0.0f) || !std::isfinite(outScale))
        return "shiftedLayerNormE4M3: the output scale must be positive and finite";
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return shiftedLayerNormT<__half>(x, shift, weight, bias, out, outScale, rows, width, eps, s);
    case DitDType::BFloat16:
        return shiftedLayerNormT<__nv_bfloat16>(x, shift, weight, bias, out, outScale, rows, width, eps, s);
    default:
        return "shiftedLayerNormE4M3: half or bfloat16 only";
    }
}

const char* layerNormDot(DitDType type, const void* x, const void* shift, bool normalise, const void* weight,
    const void* bias, float eps, const void* w, const void* outBias, float* logits, std::int64_t rows, int width,
    void* stream) noexcept
{
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return layerNormDotT<__half>(x, shift, normalise, weight, bias, eps, w, outBias, logits, rows, width, s);
    case DitDType::BFloat16:
        return layerNormDotT<__nv_bfloat16>(x, shift, normalise, weight, bias, eps, w, outBias, logits, rows, width, s);
    default: return "layerNormDot: half or bfloat16 only";
    }
}

const char* factoredQueries(DitDType type, void* y, const void* features, int featureStride, int featureCount,
    const float* gram, float eps, const float* yScale, const float* m1, const float* m2, bool normalise,
    const void* qWeight, const void* qBias, float qEps, std::int64_t rows, int width, int headDim,
    void* stream) noexcept
{
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return factoredQueriesT<__half>(y, features, featureStride, featureCount, gram, eps, yScale, m1, m2, normalise,
            qWeight, qBias, qEps, rows, width, headDim, s);
    case DitDType::BFloat16:
        return factoredQueriesT<__nv_bfloat16>(y, features, featureStride, featureCount, gram, eps, yScale, m1, m2,
            normalise, qWeight, qBias, qEps, rows, width, headDim, s);
    default:
        return "factoredQueries: half or bfloat16 only";
    }
}

const char* decoderFront(DitDType type, const float* points, const float* frequencies, int numFrequencies,
    const void* weights, const void* bias0, const float* yScale, const float* m1, const float* m2, float eps,
    bool normalise, const void* qWeight, const void* qBias, float qEps, void* x0, void* q, std::int64_t rows, int width,
    int headDim, void* stream) noexcept
{
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return decoderFrontT<__half>(points, frequencies, numFrequencies, weights, bias0, yScale, m1, m2, eps,
            normalise, qWeight, qBias, qEps, x0, q, rows, width, headDim, s);
    case DitDType::BFloat16:
        return decoderFrontT<__nv_bfloat16>(points, frequencies, numFrequencies, weights, bias0, yScale, m1, m2, eps,
            normalise, qWeight, qBias, qEps, x0, q, rows, width, headDim, s);
    default:
        return "decoderFront: half or bfloat16 only";
    }
}

} // namespace orfeas::cuda
