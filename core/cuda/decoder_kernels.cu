// Fused elementwise kernels of the geometry decoder: decoder_kernels.h says what each computes and where it rounds.

#include "decoder_kernels.h"
#include "row_io.cuh"

#include <cuda_fp8.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
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

template <typename T>
__global__ void fourierKernel(
    const float* points, const float* frequencies, int numFrequencies, T* out, std::int64_t rows, int outWidth)
{
    const std::int64_t total = rows * outWidth;
    const int sinEnd = 3 + 3 * numFrequencies;
    const int cosEnd = 3 + 6 * numFrequencies;
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < total;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        const std::int64_t r = i / outWidth;
        const int c = int(i - r * outWidth);
        const float* p = points + r * 3;
        float value = 0.0f;
        if (c < 3) {
            value = p[c];
        } else if (c < sinEnd) {
            const int k = c - 3;
            value = sinf(p[k / numFrequencies] * frequencies[k % numFrequencies]);
        } else if (c < cosEnd) {
            const int k = c - sinEnd;
            value = cosf(p[k / numFrequencies] * frequencies[k % numFrequencies]);
        }
        Io<T>::store(out + i, value);
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

} // namespace orfeas::cuda
