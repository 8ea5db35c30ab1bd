#pragma once
// Fused elementwise kernels of the geometry decoder (the ShapeVAE's cross-attention decoder that turns query points
// into occupancy logits, shape_vae.h), for half and bfloat16 storage. Torch-free like dit_kernels.h: raw device
// pointers of contiguous rows, a cudaStream_t passed as void*, nullptr on success or a static message naming the
// failure (an unsupported shape or dtype, misaligned rows, the CUDA launch error). They never throw or synchronise.
//
// Together with products that accumulate into their output (β = 1) they replace the decoder's separate LayerNorm,
// bias and residual-addition passes over every point's row: see GeometryDecoder::query (shape_vae.cpp).

#include "dit_kernels.h"

#include <cstdint>

namespace orfeas::cuda {

// The decoder's Fourier features of points [rows, 3] (float32) in the storage type, rows of `outWidth` values:
//   [p0, p1, p2, sin(p0 f0) .. sin(p0 f(F-1)), sin(p1 f0) .. sin(p2 f(F-1)), cos(...) alike, 0 ...]
// (arguments, sine and cosine in float32, one rounding; the columns after 3 + 6F are zero, so that the product
// with a weight padded by zero columns is the product with the unpadded one). outWidth >= 3 + 6F.
const char* fourierFeatures(DitDType type, const float* points, const float* frequencies, int numFrequencies,
    void* out, std::int64_t rows, int outWidth, void* stream) noexcept;

// LayerNorm of every row of x [rows, width], optionally followed by a bias added to the row itself:
//   out[r] = T((x[r] - mean) * rsqrt(var + eps) * weight + bias)   (biased variance, all in float32, one rounding;
//                                                                    weight, bias may be null: no affine step)
//   x[r]  <- T(x[r] + addend)                                     (when addend is not null; the norm reads x first)
// width a multiple of 8, at most 2048; x, out, weight, bias, addend 16-byte aligned; 2-byte types only.
const char* layerNormAddBias(DitDType type, void* x, const void* weight, const void* bias, const void* addend,
    void* out, std::int64_t rows, int width, float eps, void* stream) noexcept;

// layerNormAddBias with the normalised row written as FP8 (E4M3) bytes: out[r][j] = e4m3(n_j * outScale), n_j the
// float32 value layerNormAddBias would round to T, rounded to nearest even and saturated to +-448. outScale > 0 is
// the quantisation's inverse scale (an FP8 product multiplies by 1 / outScale again). out 8-byte aligned rows.
const char* layerNormAddBiasE4M3(DitDType type, void* x, const void* weight, const void* bias, const void* addend,
    std::uint8_t* out, float outScale, std::int64_t rows, int width, float eps, void* stream) noexcept;

// The decoder's last two steps in one pass: an optional LayerNorm (as layerNormAddBias, its result rounded to T)
// and the product with the one-output projection w [width] plus its bias (outBias: one value, may be null):
//   logits[r] = float(T(sum_j n_j * w_j + outBias))   (n = the normalised row, or x[r] itself when !normalise)
// Same requirements as layerNormAddBias; logits is float32.
const char* layerNormDot(DitDType type, const void* x, bool normalise, const void* weight, const void* bias,
    float eps, const void* w, const void* outBias, float* logits, std::int64_t rows, int width, void* stream) noexcept;

} // namespace orfeas::cuda
