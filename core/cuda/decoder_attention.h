#pragma once
// The geometry decoder's cross-attention in one kernel of our own for Hopper (sm_90a's warpgroup tensor-core
// operations and bulk copies), torch-free like decoder_kernels.h. For every query row r and head h, with
// S = scale * q[r, h] K_h^T over the `keys` keys of head h:
//   o[r, h, :] = T(softmax(S) V_h)      (products of T with float32 sums, softmax in float32, P rounded to T)
// scale > 0 (the kernel tracks the raw scores' maxima).
// Heads of 64 values. The keys and values are first packed once (decoderAttentionPack) into the layout the kernel
// copies from. q [rows, heads, 64] (row stride qRowStride elements, heads adjacent), o alike (oRowStride).
// Functions return nullptr on success or a static message naming the failure; they never synchronise.

#include "dit_kernels.h"

#include <cstdint>

namespace orfeas::cuda {

// Whether decoderAttention runs on `device` for these shapes: compute capability 9.0 (the kernel is built for
// sm_90a), heads of 64 values, at least one key.
bool decoderAttentionServes(int device, int headDim, int keys) noexcept;

// Bytes of the packed keys and values of `heads` heads of `keys` keys (blocks of 128 keys, the last one padded).
std::int64_t decoderAttentionPackedBytes(int heads, int keys) noexcept;

// Packs k and v ([heads, keys, 64] each: element (h, j, d) at h * headStride + j * keyStride + d) into `packed`
// (decoderAttentionPackedBytes bytes, 16-byte aligned).
const char* decoderAttentionPack(DitDType type, const void* k, std::int64_t kKeyStride, std::int64_t kHeadStride,
    const void* v, std::int64_t vKeyStride, std::int64_t vHeadStride, int heads, int keys, void* packed,
    void* stream) noexcept;

const char* decoderAttention(DitDType type, const void* q, std::int64_t qRowStride, const void* packed, void* o,
    std::int64_t oRowStride, std::int64_t rows, int heads, int keys, float scale, void* stream) noexcept;

// The attention with the queries formed inside the kernel from the points' features, in place of decoderFront's q
// (decoder_kernels.h): for row r and head h, with f = the 64 features of row r and sigma^-1 = sigmaInv[r] (both as
// decoderFrontFeatures writes them),
//   pre_j = (M_h[j] . f * yScale[0] + m1[64 h + j]) * sigma^-1 + m2[64 h + j]         (j < 64, float32)
//   q[r, h] = T(per-head LayerNorm of pre with qWeight, qBias, qEps (normalise), or pre)
// which is decoderFront's formula for q, then o as decoderAttention. M_h = rows [64 h, 64 h + 64) of the factored
// query matrix (decoderFront's weight rows [width, 2 width)), packed by decoderQueryWeightsPack. This saves writing
// and reading q (2 KB per point at width 1024).
struct DecoderQueryInputs {
    const void* features = nullptr; // [rows, >= 64] of T, row stride featureStride (a multiple of 8), 16-byte aligned
    std::int64_t featureStride = 0;
    const float* sigmaInv = nullptr; // [rows]
    const void* weights = nullptr; // decoderQueryWeightsPack's tiles, decoderQueryWeightsBytes(heads)
    const float* yScale = nullptr; // one value
    const float* m1 = nullptr; // [heads * 64] each, 8-byte aligned
    const float* m2 = nullptr;
    const void* qWeight = nullptr; // [64] of T, or null (ones)
    const void* qBias = nullptr; // [64] of T, or null (zeros)
    float qEps = 0.0f;
    bool normalise = false;
};

// Bytes of the packed query weights of `heads` heads (8 KB each).
constexpr std::int64_t decoderQueryWeightsBytes(int heads) noexcept
{
    return std::int64_t(heads) * 64 * 128;
}

// Packs M ([heads * 64, 64] of T, row stride rowStride elements, 16-byte aligned rows) into the kernel's tiles.
const char* decoderQueryWeightsPack(
    DitDType type, const void* m, std::int64_t rowStride, int heads, void* packed, void* stream) noexcept;

const char* decoderAttentionFromFeatures(DitDType type, const DecoderQueryInputs& in, const void* packed, void* o,
    std::int64_t oRowStride, std::int64_t rows, int heads, int keys, float scale, void* stream) noexcept;

} // namespace orfeas::cuda
