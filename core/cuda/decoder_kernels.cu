// Fused elementwise kernels of the geometry decoder: decoder_kernels.h says what each computes and where it rounds.

#include "decoder_kernels.h"
#include "row_io.cuh"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cuda_fp8.h>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

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

constexpr int kDevices = 64; // devices whose launch figures are cached

// The number of SMs of the current device, looked up once per device.
int smCount()
{
    static std::atomic<int> cached[kDevices] {};
    int device = 0;
    if (cudaGetDevice(&device) != cudaSuccess)
        return 1;
    if (device >= 0 && device < kDevices) {
        if (const int n = cached[device].load(std::memory_order_relaxed); n > 0)
            return n;
    }
    int sms = 0;
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
    sms = std::max(sms, 1);
    if (device >= 0 && device < kDevices)
        cached[device].store(sms, std::memory_order_relaxed);
    return sms;
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
// buffered: the next tile's global loads are issued before the current tile's products, one barrier per tile).
// The products are the tensor cores' m16n8k16 operations (mma.sync) with the fragment layouts PTX defines, so that
// every step after them works in registers: lane l holds, for its rows g = l / 4 and g + 8 of the warp's 16, the
// columns 8 j + 2 (l % 4) and the one after, j < 8, of each tile. A warp's features are computed in place, straight
// into the A fragments (K = 64: four 16-column steps), and stay in registers for all tiles; B fragments come from
// the staged tile through ldmatrix. A row's sums are over its four lanes (two shuffles). Results go through the
// warp's staging rows (conflict-free 4-byte stores) and out as whole 128-byte row segments.
constexpr int kFrontWarps = 8;
constexpr int kFrontRows = 16 * kFrontWarps;
constexpr int kFrontTile = 64;
constexpr int kFrontBlocksPerSm = 2; // at three the kernel spilled registers and ran slower (session 13)
constexpr int kFrontStride = 72; // shared row stride (elements): 144-byte rows, conflict-free for ldmatrix and stores

// c += a * b for one 16 x 8 x 16 step (A row-major, B column-major, float32 sums).
template <typename T>
__device__ __forceinline__ void mma16816(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1)
{
    if constexpr (std::is_same_v<T, __half>) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                     "{%0,%1,%2,%3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                     "{%0,%1,%2,%3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
}

__device__ __forceinline__ void ldmatrixX4(unsigned (&r)[4], const void* p)
{
    const unsigned address = unsigned(__cvta_generic_to_shared(p));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
}

// What feature column c is (fourierValue's layout, looked up instead of divided out per value): the coordinate it
// reads, its frequency and kind (0: the coordinate itself, 1: sine, 2: cosine, 3: zero padding, 4: the constant 1
// that decoderFeaturesKernel appends for the variance's quadratic form).
struct FrontColumn {
    int coordinate;
    int kind;
    float frequency;
};

__device__ __forceinline__ float featureValue(const FrontColumn& c, const float (&p)[3])
{
    const float x = p[c.coordinate];
    switch (c.kind) {
    case 0:
        return x;
    case 1:
        return sinf(x * c.frequency);
    case 2:
        return cosf(x * c.frequency);
    case 4:
        return 1.0f;
    default:
        return 0.0f;
    }
}

// Column idx of the feature table (idx < 64): what it reads, as FrontColumn; `one` marks the column that holds the
// constant 1 (-1: none).
__device__ __forceinline__ FrontColumn frontColumn(int idx, const float* frequencies, int numFrequencies, int one)
{
    const int sinEnd = 3 + 3 * numFrequencies, cosEnd = 3 + 6 * numFrequencies;
    FrontColumn c { 0, idx == one ? 4 : 3, 0.0f };
    if (idx < 3) {
        c = { idx, 0, 0.0f };
    } else if (idx < cosEnd) {
        const int k = idx < sinEnd ? idx - 3 : idx - sinEnd;
        c = { k / numFrequencies, idx < sinEnd ? 1 : 2, frequencies[k % numFrequencies] };
    }
    return c;
}

// Rows row0 and row1 (= row0 + 8) of the points, zeros past `rows`; in0 / in1 say which lie inside.
__device__ __forceinline__ void loadPointPair(
    const float* points, std::int64_t row0, std::int64_t rows, float (&p0)[3], float (&p1)[3], bool& in0, bool& in1)
{
    const std::int64_t row1 = row0 + 8;
    in0 = row0 < rows;
    in1 = row1 < rows;
#pragma unroll
    for (int i = 0; i < 3; ++i) {
        p0[i] = 0.0f;
        p1[i] = 0.0f;
    }
    if (in0)
        for (int i = 0; i < 3; ++i)
            p0[i] = points[row0 * 3 + i];
    if (in1)
        for (int i = 0; i < 3; ++i)
            p1[i] = points[row1 * 3 + i];
}

template <typename T> struct FrontShared {
    alignas(128) T weights[2][kFrontTile][kFrontStride];
    alignas(16) T staging[kFrontWarps][16][kFrontStride];
    FrontColumn columns[kFrontTile];
    // Followed by the per-column parameters in float32 (frontParameterBytes): the bias of x0, m1 and m2 (`width`
    // each), then the q norm's weight and bias (HEAD each).
    alignas(16) float parameters[1];
};

std::size_t frontSharedBytes(std::size_t elementBytes, int width, int headDim)
{
    const std::size_t fixed = 2 * kFrontTile * kFrontStride * elementBytes
        + kFrontWarps * 16 * kFrontStride * elementBytes + kFrontTile * sizeof(FrontColumn);
    return (fixed + 15) / 16 * 16 + 4 * (3 * std::size_t(width) + 2 * std::size_t(headDim));
}

// Two values stored as T, back in float32.
template <typename T> __device__ __forceinline__ float2 unpackPair(unsigned u)
{
    if constexpr (std::is_same_v<T, __half>)
        return __half22float2(*reinterpret_cast<const __half2*>(&u));
    else
        return __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(&u));
}

__device__ __forceinline__ void copy16Async(void* shared, const void* global)
{
    const unsigned address = unsigned(__cvta_generic_to_shared(shared));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(address), "l"(global));
}

__device__ __forceinline__ void stmatrixX4(void* p, unsigned r0, unsigned r1, unsigned r2, unsigned r3)
{
    const unsigned address = unsigned(__cvta_generic_to_shared(p));
    asm volatile("stmatrix.sync.aligned.m8n8.x4.shared.b16 [%0], {%1,%2,%3,%4};\n" ::"r"(address), "r"(r0), "r"(r1),
        "r"(r2), "r"(r3));
}

// Writes a warp's staging tile (16 rows of 64 values of T, rows kFrontStride apart) to rows base .. base + 15 of
// `out` (those below `rows`), each row's 128 bytes as 16-byte stores: out + row * stride is the row's first value.
template <typename T>
__device__ __forceinline__ void storeStagedRows(
    const T (*stage)[kFrontStride], int lane, T* out, std::int64_t stride, std::int64_t base, std::int64_t rows)
{
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const int piece = lane + 32 * i;
        const std::int64_t row = base + piece / 8;
        if (row < rows)
            *reinterpret_cast<uint4*>(out + row * stride + (piece % 8) * 8)
                = *reinterpret_cast<const uint4*>(&stage[piece / 8][(piece % 8) * 8]);
    }
}

template <typename T, int HEAD>
__global__ void __launch_bounds__(32 * kFrontWarps, kFrontBlocksPerSm)
    decoderFrontKernel(const float* points, const float* frequencies, int numFrequencies, const T* weights,
        const T* bias0, const float* yScale, const float* m1, const float* m2, float eps, bool normalise,
        const T* qWeight, const T* qBias, float qEps, T* x0, T* q, std::int64_t rows, int width)
{
    extern __shared__ __align__(128) unsigned char frontRaw[];
    auto& sm = *reinterpret_cast<FrontShared<T>*>(frontRaw);
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int g = lane >> 2, quad = lane & 3;
    const int tiles = 2 * width / kFrontTile;
    const int halfTiles = tiles / 2;
    const std::int64_t rowBlocks = (rows + kFrontRows - 1) / kFrontRows;
    if (std::int64_t(blockIdx.x) >= rowBlocks)
        return;
    const float scale = *yScale;
    constexpr int tilesPerHead = HEAD / 8; // n8 column groups per head
    constexpr int headsPerTile = kFrontTile / HEAD;
    float* biasS = sm.parameters;
    float* m1S = biasS + width;
    float* m2S = m1S + width;
    float* qwS = m2S + width;
    float* qbS = qwS + HEAD;

    const int idx = int(threadIdx.x);
    // This thread's two 16-byte pieces of a weight tile: rows idx / 8 and idx / 8 + 32, columns (idx % 8) * 8.
    const T* src = weights + (idx / 8) * kFrontTile + (idx % 8) * 8;
    constexpr int kHalfTile = 32 * kFrontTile; // the second piece's offset, in values
    const auto fetchTile = [&](int t, int into) {
        const T* tile = src + std::int64_t(t) * kFrontTile * kFrontTile;
        copy16Async(&sm.weights[into][idx / 8][(idx % 8) * 8], tile);
        copy16Async(&sm.weights[into][idx / 8 + 32][(idx % 8) * 8], tile + kHalfTile);
        asm volatile("cp.async.commit_group;\n" ::);
    };
    fetchTile(0, 0);
    if (idx < kFrontTile)
        sm.columns[idx] = frontColumn(idx, frequencies, numFrequencies, -1);
    for (int j = idx; j < width; j += blockDim.x) {
        biasS[j] = bias0 ? Io<T>::load(bias0 + j) : 0.0f;
        m1S[j] = m1[j];
        m2S[j] = m2[j];
    }
    if (idx < HEAD) {
        qwS[idx] = qWeight ? Io<T>::load(qWeight + idx) : 1.0f;
        qbS[idx] = qBias ? Io<T>::load(qBias + idx) : 0.0f;
    }
    asm volatile("cp.async.wait_group 0;\n" ::);
    __syncthreads();
    int buffer = 0;
    T(*stage)[kFrontStride] = sm.staging[warp];
    // ldmatrix: lane l gives the address of row l % 8 of 8 x 8 matrix l / 8: (n tile 2 p + (l / 8) / 2, k half
    // (l / 8) % 2) of the 16-column n pair p and the 16-value k step. stmatrix: of row l % 8 + 8 ((l / 8) % 2) of
    // n tile 2 p + (l / 8) / 2.
    const int ldRow = ((lane >> 4) << 3) + (lane & 7), ldCol = ((lane >> 3) & 1) << 3;
    const int stRow = (lane & 7) + (((lane >> 3) & 1) << 3), stCol = (lane >> 4) << 3;
    for (std::int64_t block = blockIdx.x; block < rowBlocks; block += gridDim.x) {
        const std::int64_t base = block * kFrontRows + warp * 16;
        const std::int64_t row0 = base + g;
        float p0[3], p1[3];
        bool in0, in1;
        loadPointPair(points, row0, rows, p0, p1, in0, in1);
        // A fragments: step s, register 0/2: row g, columns 16 s + 2 quad (+8 for 2), 1/3: row g + 8 alike.
        unsigned a[4][4];
#pragma unroll
        for (int s = 0; s < 4; ++s)
#pragma unroll
            for (int hi = 0; hi < 2; ++hi) {
                const int c = 16 * s + 8 * hi + 2 * quad;
                const FrontColumn ca = sm.columns[c], cb = sm.columns[c + 1];
                a[s][2 * hi] = packPair<T>(in0 ? featureValue(ca, p0) : 0.0f, in0 ? featureValue(cb, p0) : 0.0f);
                a[s][2 * hi + 1] = packPair<T>(in1 ? featureValue(ca, p1) : 0.0f, in1 ? featureValue(cb, p1) : 0.0f);
            }
        float shift0 = 0.0f, shift1 = 0.0f, sum0 = 0.0f, sum1 = 0.0f, sq0 = 0.0f, sq1 = 0.0f, inv0 = 0.0f, inv1 = 0.0f;
        for (int t = 0; t < tiles; ++t) {
            const bool more = t + 1 < tiles || block + gridDim.x < rowBlocks;
            if (more)
                fetchTile(t + 1 < tiles ? t + 1 : 0, buffer ^ 1);
            const bool first = t < halfTiles;
            const int col0 = (first ? t : t - halfTiles) * kFrontTile;
            // The sums start from x0's bias (x0 tiles) or zero.
            float c[8][4];
#pragma unroll
            for (int n = 0; n < 8; ++n) {
                const float2 b = first ? *reinterpret_cast<const float2*>(&biasS[col0 + 8 * n + 2 * quad])
                                       : make_float2(0.0f, 0.0f);
                c[n][0] = b.x;
                c[n][1] = b.y;
                c[n][2] = b.x;
                c[n][3] = b.y;
            }
#pragma unroll
            for (int s = 0; s < 4; ++s)
#pragma unroll
                for (int p = 0; p < 4; ++p) {
                    unsigned b[4];
                    ldmatrixX4(b, &sm.weights[buffer][16 * p + ldRow][16 * s + ldCol]);
                    mma16816<T>(c[2 * p], a[s], b[0], b[1]);
                    mma16816<T>(c[2 * p + 1], a[s], b[2], b[3]);
                }
            unsigned packed[8][2];
            if (first) {
                // x0 = T(W0 f + b0), and the LayerNorm statistics of the stored values: their sum, and their squares
                // about the row's first tile's mean (so that a large mean does not cancel in the variance).
                float tileSum0 = 0.0f, tileSum1 = 0.0f;
#pragma unroll
                for (int n = 0; n < 8; ++n) {
                    packed[n][0] = packPair<T>(c[n][0], c[n][1]);
                    packed[n][1] = packPair<T>(c[n][2], c[n][3]);
                    const float2 v0 = unpackPair<T>(packed[n][0]), v1 = unpackPair<T>(packed[n][1]);
                    c[n][0] = v0.x;
                    c[n][1] = v0.y;
                    c[n][2] = v1.x;
                    c[n][3] = v1.y;
                    tileSum0 += v0.x + v0.y;
                    tileSum1 += v1.x + v1.y;
                }
                if (t == 0) {
                    shift0 = quadSum(tileSum0) * (1.0f / kFrontTile);
                    shift1 = quadSum(tileSum1) * (1.0f / kFrontTile);
                }
                sum0 += tileSum0;
                sum1 += tileSum1;
#pragma unroll
                for (int n = 0; n < 8; ++n) {
                    const float d0 = c[n][0] - shift0, d1 = c[n][1] - shift0;
                    const float d2 = c[n][2] - shift1, d3 = c[n][3] - shift1;
                    sq0 = __fmaf_rn(d0, d0, __fmaf_rn(d1, d1, sq0));
                    sq1 = __fmaf_rn(d2, d2, __fmaf_rn(d3, d3, sq1));
                }
                if (t == halfTiles - 1) {
                    // Sums of the deviations from the shift: the sums less width * shift.
                    const float perValue = 1.0f / float(width);
                    const float mean0 = quadSum(sum0) * perValue - shift0;
                    const float mean1 = quadSum(sum1) * perValue - shift1;
                    inv0 = rsqrtf(fmaxf(quadSum(sq0) * perValue - mean0 * mean0, 0.0f) + eps);
                    inv1 = rsqrtf(fmaxf(quadSum(sq1) * perValue - mean1 * mean1, 0.0f) + eps);
                }
            } else {
#pragma unroll
                for (int n = 0; n < 8; ++n) {
                    const int col = col0 + 8 * n + 2 * quad;
                    const float2 a1 = *reinterpret_cast<const float2*>(&m1S[col]);
                    const float2 a2 = *reinterpret_cast<const float2*>(&m2S[col]);
                    c[n][0] = __fmaf_rn(__fmaf_rn(c[n][0], scale, a1.x), inv0, a2.x);
                    c[n][1] = __fmaf_rn(__fmaf_rn(c[n][1], scale, a1.y), inv0, a2.y);
                    c[n][2] = __fmaf_rn(__fmaf_rn(c[n][2], scale, a1.x), inv1, a2.x);
                    c[n][3] = __fmaf_rn(__fmaf_rn(c[n][3], scale, a1.y), inv1, a2.y);
                }
                if (normalise) {
                    // Head k of the tile holds n tiles [k * tilesPerHead, (k + 1) * tilesPerHead).
#pragma unroll
                    for (int k = 0; k < headsPerTile; ++k) {
                        float hs0 = 0.0f, hs1 = 0.0f;
#pragma unroll
                        for (int n = k * tilesPerHead; n < (k + 1) * tilesPerHead; ++n) {
                            hs0 += c[n][0] + c[n][1];
                            hs1 += c[n][2] + c[n][3];
                        }
                        const float mean0 = quadSum(hs0) * (1.0f / HEAD), mean1 = quadSum(hs1) * (1.0f / HEAD);
                        float hq0 = 0.0f, hq1 = 0.0f;
#pragma unroll
                        for (int n = k * tilesPerHead; n < (k + 1) * tilesPerHead; ++n) {
                            c[n][0] -= mean0;
                            c[n][1] -= mean0;
                            c[n][2] -= mean1;
                            c[n][3] -= mean1;
                            hq0 = __fmaf_rn(c[n][0], c[n][0], __fmaf_rn(c[n][1], c[n][1], hq0));
                            hq1 = __fmaf_rn(c[n][2], c[n][2], __fmaf_rn(c[n][3], c[n][3], hq1));
                        }
                        const float rstd0 = rsqrtf(quadSum(hq0) * (1.0f / HEAD) + qEps);
                        const float rstd1 = rsqrtf(quadSum(hq1) * (1.0f / HEAD) + qEps);
#pragma unroll
                        for (int n = k * tilesPerHead; n < (k + 1) * tilesPerHead; ++n) {
                            const int hc = (8 * n + 2 * quad) % HEAD;
                            const float2 w = *reinterpret_cast<const float2*>(&qwS[hc]);
                            const float2 b = *reinterpret_cast<const float2*>(&qbS[hc]);
                            c[n][0] = __fmaf_rn(c[n][0] * rstd0, w.x, b.x);
                            c[n][1] = __fmaf_rn(c[n][1] * rstd0, w.y, b.y);
                            c[n][2] = __fmaf_rn(c[n][2] * rstd1, w.x, b.x);
                            c[n][3] = __fmaf_rn(c[n][3] * rstd1, w.y, b.y);
                        }
                    }
                }
#pragma unroll
                for (int n = 0; n < 8; ++n) {
                    packed[n][0] = packPair<T>(c[n][0], c[n][1]);
                    packed[n][1] = packPair<T>(c[n][2], c[n][3]);
                }
            }
#pragma unroll
            for (int p = 0; p < 4; ++p)
                stmatrixX4(&stage[stRow][16 * p + stCol], packed[2 * p][0], packed[2 * p][1], packed[2 * p + 1][0],
                    packed[2 * p + 1][1]);
            __syncwarp();
            storeStagedRows<T>(stage, lane, (first ? x0 : q) + col0, width, base, rows);
            asm volatile("cp.async.wait_group 0;\n" ::);
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
    if (width <= 0 || width % kFrontTile != 0 || width > 8192)
        return "decoderFront: the row width must be a positive multiple of 64, at most 8192";
    if (headDim != 16 && headDim != 32 && headDim != 64)
        return "decoderFront: heads of 16, 32 or 64 values only";
    if (numFrequencies < 0 || 3 + 6 * numFrequencies > kFrontTile)
        return "decoderFront: at most 64 Fourier features";
    if (!points || !frequencies || !weights || !yScale || !m1 || !m2 || !x0 || !q)
        return "decoderFront: a pointer is missing";
    if (!aligned16(weights) || !aligned16(x0) || !aligned16(q) || reinterpret_cast<std::uintptr_t>(m1) % 8 != 0
        || reinterpret_cast<std::uintptr_t>(m2) % 8 != 0)
        return "decoderFront: the rows must be 16-byte aligned, m1 and m2 8-byte aligned";
    if (rows == 0)
        return nullptr;
    const std::size_t bytes = frontSharedBytes(sizeof(T), width, headDim);
    const std::int64_t rowBlocks = (rows + kFrontRows - 1) / kFrontRows;
    const auto launch = [&](auto kernel) {
        // Above 48 KiB a kernel needs the attribute, set once per device and size class (widths above 1024).
        if (bytes > 48 * 1024 && !sharedAttributeSet(reinterpret_cast<const void*>(kernel), int(bytes))) {
            return false;
        }
        const std::int64_t blocks = std::min<std::int64_t>(rowBlocks, std::int64_t(smCount()) * kFrontBlocksPerSm);
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

// The points' rounded Fourier features and LN_1's sigma^-1 from the Gram matrix (decoderFrontFeatures): 16 rows per
// warp as in decoderFrontKernel, the features computed straight into m16n8k16 A fragments. With f~ = the features and
// a 1 in column `featureCount`, z = G f~ is one 64 x 64 product (the tiles hi and lo, both accumulated: G = hi + lo
// to about 22 bits) and var = f~ . z; in the accumulator layout a lane holds z at the same (row, column) places as
// its A fragments hold f~, so the dot product needs only the quad's sum.
template <typename T>
__global__ void __launch_bounds__(32 * kFrontWarps)
    decoderFeaturesKernel(const float* points, const float* frequencies, int numFrequencies, const T* gramTiles,
        const float* gramScale, float eps, T* features, std::int64_t featureStride, float* sigmaInv, std::int64_t rows)
{
    __shared__ alignas(128) T gram[2][kFrontTile][kFrontStride];
    __shared__ alignas(16) T staging[kFrontWarps][16][kFrontStride];
    __shared__ FrontColumn columns[kFrontTile];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int g = lane >> 2, quad = lane & 3;
    const int idx = int(threadIdx.x);
    // 2 tiles of 64 rows of 8 pieces of 16 bytes.
    for (int piece = idx; piece < 2 * kFrontTile * 8; piece += blockDim.x) {
        const int tile = piece / (kFrontTile * 8), row = (piece / 8) % kFrontTile, col = (piece % 8) * 8;
        *reinterpret_cast<uint4*>(&gram[tile][row][col])
            = *reinterpret_cast<const uint4*>(gramTiles + (tile * kFrontTile + row) * kFrontTile + col);
    }
    const int featureCount = 3 + 6 * numFrequencies;
    if (idx < kFrontTile)
        columns[idx] = frontColumn(idx, frequencies, numFrequencies, featureCount);
    __syncthreads();
    const float scale = *gramScale;
    const std::int64_t rowBlocks = (rows + kFrontRows - 1) / kFrontRows;
    T(*stage)[kFrontStride] = staging[warp];
    const int ldRow = ((lane >> 4) << 3) + (lane & 7), ldCol = ((lane >> 3) & 1) << 3;
    const int stRow = (lane & 7) + (((lane >> 3) & 1) << 3), stCol = (lane >> 4) << 3;
    for (std::int64_t block = blockIdx.x; block < rowBlocks; block += gridDim.x) {
        const std::int64_t base = block * kFrontRows + warp * 16;
        const std::int64_t row0 = base + g, row1 = base + g + 8;
        float p0[3], p1[3];
        bool in0, in1;
        loadPointPair(points, row0, rows, p0, p1, in0, in1);
        // A fragments of f~ (step s, register 0/2: row g, columns 16 s + 2 quad (+8 for 2), 1/3: row g + 8 alike) and
        // the stored features (the same without the 1).
        unsigned a[4][4], stored[4][4];
#pragma unroll
        for (int s = 0; s < 4; ++s) {
#pragma unroll
            for (int hi = 0; hi < 2; ++hi) {
                const int c = 16 * s + 8 * hi + 2 * quad;
                const FrontColumn ca = columns[c], cb = columns[c + 1];
                const float va0 = featureValue(ca, p0), vb0 = featureValue(cb, p0);
                const float va1 = featureValue(ca, p1), vb1 = featureValue(cb, p1);
                a[s][2 * hi] = packPair<T>(va0, vb0);
                a[s][2 * hi + 1] = packPair<T>(va1, vb1);
                const float ka = ca.kind == 4 ? 0.0f : 1.0f, kb = cb.kind == 4 ? 0.0f : 1.0f;
                stored[s][2 * hi] = packPair<T>(va0 * ka, vb0 * kb);
                stored[s][2 * hi + 1] = packPair<T>(va1 * ka, vb1 * kb);
            }
        }
        // The features through the warp's staging rows, so that each row's 128 bytes go out as 16-byte stores.
#pragma unroll
        for (int s = 0; s < 4; ++s)
            stmatrixX4(&stage[stRow][16 * s + stCol], stored[s][0], stored[s][1], stored[s][2], stored[s][3]);
        __syncwarp();
        storeStagedRows<T>(stage, lane, features, featureStride, base, rows);
        float z[8][4];
#pragma unroll
        for (int n = 0; n < 8; ++n)
            z[n][0] = z[n][1] = z[n][2] = z[n][3] = 0.0f;
#pragma unroll
        for (int tile = 0; tile < 2; ++tile)
#pragma unroll
            for (int s = 0; s < 4; ++s)
#pragma unroll
                for (int p = 0; p < 4; ++p) {
                    unsigned b[4];
                    ldmatrixX4(b, &gram[tile][16 * p + ldRow][16 * s + ldCol]);
                    mma16816<T>(z[2 * p], a[s], b[0], b[1]);
                    mma16816<T>(z[2 * p + 1], a[s], b[2], b[3]);
                }
        // z's n tile n holds columns 8 n + 2 quad (+1) of rows g and g + 8: A fragment (n / 2, 2 (n % 2) (+1)).
        float v0 = 0.0f, v1 = 0.0f;
#pragma unroll
        for (int n = 0; n < 8; ++n) {
            const float2 f0 = unpackPair<T>(a[n / 2][2 * (n % 2)]), f1 = unpackPair<T>(a[n / 2][2 * (n % 2) + 1]);
            v0 = __fmaf_rn(z[n][0], f0.x, __fmaf_rn(z[n][1], f0.y, v0));
            v1 = __fmaf_rn(z[n][2], f1.x, __fmaf_rn(z[n][3], f1.y, v1));
        }
        const float inv0 = rsqrtf(fmaxf(quadSum(v0) * scale, 0.0f) + eps);
        const float inv1 = rsqrtf(fmaxf(quadSum(v1) * scale, 0.0f) + eps);
        if (quad == 0) {
            if (in0)
                sigmaInv[row0] = inv0;
            if (in1)
                sigmaInv[row1] = inv1;
        }
        __syncwarp();
    }
}

template <typename T>
const char* decoderFrontFeaturesT(const float* points, const float* frequencies, int numFrequencies,
    const void* gramTiles, const float* gramScale, float eps, void* features, std::int64_t featureStride,
    float* sigmaInv, std::int64_t rows, cudaStream_t stream)
{
    if (numFrequencies < 0 || 3 + 6 * numFrequencies >= kFrontTile)
        return "decoderFrontFeatures: at most 63 Fourier features (one column stays free for the constant)";
    if (!points || !frequencies || !gramTiles || !gramScale || !features || !sigmaInv)
        return "decoderFrontFeatures: a pointer is missing";
    if (!aligned16(gramTiles) || !aligned16(features) || featureStride < kFrontTile || featureStride % 8 != 0)
        return "decoderFrontFeatures: the Gram tiles and feature rows must be 16-byte aligned, rows of at least 64";
    if (rows < 0)
        return "decoderFrontFeatures: a negative row count";
    if (rows == 0)
        return nullptr;
    const std::int64_t rowBlocks = (rows + kFrontRows - 1) / kFrontRows;
    // 80 registers a thread: three blocks of 256 threads fill an SM's registers.
    const std::int64_t blocks = std::min<std::int64_t>(rowBlocks, std::int64_t(smCount()) * 3);
    decoderFeaturesKernel<T><<<unsigned(blocks), 32 * kFrontWarps, 0, stream>>>(points, frequencies, numFrequencies,
        static_cast<const T*>(gramTiles), gramScale, eps, static_cast<T*>(features), featureStride, sigmaInv, rows);
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

const char* decoderFrontFeatures(DitDType type, const float* points, const float* frequencies, int numFrequencies,
    const void* gramTiles, const float* gramScale, float eps, void* features, std::int64_t featureStride,
    float* sigmaInv, std::int64_t rows, void* stream) noexcept
{
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return decoderFrontFeaturesT<__half>(
            points, frequencies, numFrequencies, gramTiles, gramScale, eps, features, featureStride, sigmaInv, rows, s);
    case DitDType::BFloat16:
        return decoderFrontFeaturesT<__nv_bfloat16>(
            points, frequencies, numFrequencies, gramTiles, gramScale, eps, features, featureStride, sigmaInv, rows, s);
    default:
        return "decoderFrontFeatures: half or bfloat16 only";
    }
}

} // namespace orfeas::cuda
