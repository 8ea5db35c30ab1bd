#pragma once
// The geometry decoder's cross-attention in one kernel of our own for Hopper (sm_90a's warpgroup tensor-core
// operations and bulk copies), torch-free like decoder_kernels.h. For every query row r and head h, with
// S = scale * q[r, h] K_h^T over the `keys` keys of head h:
//   o[r, h, :] = T(softmax(S) V_h)      (products of T with float32 sums, softmax in float32, P rounded to T)
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

} // namespace orfeas::cuda
