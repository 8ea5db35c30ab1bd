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

} // namespace orfeas::cuda
