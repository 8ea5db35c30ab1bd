#pragma once
// Fused elementwise kernels of the Hunyuan3D-2 denoiser (library orfeas_cuda, built with ORFEAS_WITH_CUDA=ON).
// Torch-free: the neural backend passes raw device pointers of contiguous tensors and a cudaStream_t as void*.
//
// Each kernel does in one pass over memory what the reference does in several operators, and rounds exactly where
// the reference's operators round (after every operator, to the storage type), so the fused path differs from the
// operator-by-operator path only in the order of the LayerNorm/RMSNorm reductions. In float32 there is no rounding
// to repeat and the results agree to the last few bits.
//
// All functions queue work on `stream` and return nullptr on success, or a static message naming the failure
// (an unsupported shape, or the CUDA launch error). They never throw and never synchronise.

#include <cstdint>

namespace orfeas::cuda {

enum class DitDType { Float32, Float16, BFloat16 };

// adaLayerNorm, gatedResidual and qkRmsNormSplit have vectorised kernels for half and bfloat16 rows of 256k values
// (16-byte aligned), and rowLayerNorm for rows of 8, 16, ..., 256 such values, which they choose by themselves.
// For tests: true makes them use the general kernels only.
// Not synchronised with calls in flight on other threads.
void useGenericKernelsOnly(bool on) noexcept;

// For every token row x[b, l, :] of x [batch, tokens, width]:
//   if residual:  x <- x + gate[b] * residual[b, l]      (x is updated in place; residual has x's shape)
//   if out:       out[b, l] <- (1 + scale[b]) * LayerNorm(x[b, l]) + shift[b]   (LayerNorm without affine, eps)
// gate, shift and scale are rows of `width` values, one per batch entry, `modStride` elements apart (the chunks
// of a modulation output [batch, k * width]). Needs width <= 16384.
const char* adaLayerNorm(DitDType type, void* x, const void* residual, const void* gate, const void* shift,
    const void* scale, std::int64_t modStride, void* out, int batch, std::int64_t tokens, int width, float eps,
    void* stream) noexcept;

// x <- x + gate[b] * y on [batch, tokens, width] (x in place; gate rows modStride elements apart).
const char* gatedResidual(DitDType type, void* x, const void* y, const void* gate, std::int64_t modStride, int batch,
    std::int64_t tokens, int width, void* stream) noexcept;

// Splits the fused projection qkv [batch, tokens, 3, heads, headDim] (token rows `rowStride` elements apart) into
// q, k and v of layout [batch, outTokens, heads, headStride] (the first headDim values of each head; headStride >=
// headDim leaves room for extra columns), written at token offset outOffset (so that two streams can fill one
// joint sequence), applying the reference's RMSNorm to q and k:
//   q <- T(T(x * rsqrt(mean(x^2) + eps)) * qScale)     (statistics in float32; k alike with kScale)
// v may be null: v is then not copied (the caller reads it from qkv in place). Needs headDim <= 256.
const char* qkRmsNormSplit(DitDType type, const void* qkv, std::int64_t rowStride, const void* qScale,
    const void* kScale, void* q, void* k, void* v, int batch, std::int64_t tokens, int heads, int headDim,
    int headStride, std::int64_t outTokens, std::int64_t outOffset, float eps, void* stream) noexcept;

// Adds one more key to an attention already computed over other keys. For every token l and head h of o
// [tokens, heads, headDim] (o[l, h, d] at o + l * oTokenStride + h * oHeadStride + d), the attention output of query
// q[l, h] (q [tokens, heads, headDim], contiguous) whose scaled scores had the log-sum-exp lse[h, l] (float32, at
// lse + h * lseHeadStride + l * lseTokenStride), the key k0[h] (k0 [heads, headDim]) joins with value v0[h],
// counted as `count` identical keys (logBias = log(count)):
//   s = scale * <q[l, h], k0[h]> + logBias - lse[h, l];   w = 1 / (1 + exp(-s));   o <- o + w * (v0[h] - o)
// (statistics in float32, one rounding of o). Needs headDim <= 256.
const char* addRepeatedKey(DitDType type, void* o, std::int64_t oTokenStride, std::int64_t oHeadStride,
    const float* lse, std::int64_t lseHeadStride, std::int64_t lseTokenStride, const void* q, const void* k0,
    const void* v0, std::int64_t tokens, int heads, int headDim, float scale, float logBias, void* stream) noexcept;

// LayerNorm over short rows: out[r, :] = T((x[r, :] - mean) * rsqrt(var + eps) * weight + bias) for the `rows`
// contiguous rows of `width` values of x (biased variance, statistics and the affine step in float32, one rounding;
// weight and bias may be null: no affine step). One warp per row: for the geometry decoder's per-head query norm
// (rows of 64), where LibTorch's LayerNorm kernel, laid out for wide rows, ran several times slower than memory
// allows. Needs width <= 256.
const char* rowLayerNorm(DitDType type, const void* x, const void* weight, const void* bias, void* out,
    std::int64_t rows, int width, float eps, void* stream) noexcept;

} // namespace orfeas::cuda
