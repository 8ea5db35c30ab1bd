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

// LayerNorm of every row of x [rows, width] shifted by a vector (the biases of the products that accumulated into the
// residual stream without them, so that the stream is never written back just to add a bias):
//   out[r] = T((y - mean(y)) * rsqrt(var(y) + eps) * weight + bias),  y = x[r] + shift  (y, the biased variance and
//            everything else in float32, one rounding; shift, weight, bias may be null: zero shift, no affine step)
// x is not modified. width a multiple of 8, at most 2048; x, shift, out, weight, bias 16-byte aligned; 2-byte types.
const char* shiftedLayerNorm(DitDType type, const void* x, const void* shift, const void* weight, const void* bias,
    void* out, std::int64_t rows, int width, float eps, void* stream) noexcept;

// shiftedLayerNorm with the normalised row written as FP8 (E4M3) bytes: out[r][j] = e4m3(n_j * outScale), n_j the
// float32 value shiftedLayerNorm would round to T, rounded to nearest even and saturated to +-448. outScale > 0 is
// the quantisation's inverse scale (an FP8 product multiplies by 1 / outScale again). out 8-byte aligned rows.
const char* shiftedLayerNormE4M3(DitDType type, const void* x, const void* shift, const void* weight, const void* bias,
    std::uint8_t* out, float outScale, std::int64_t rows, int width, float eps, void* stream) noexcept;

// The decoder's last two steps in one pass: an optional LayerNorm of the shifted row (as shiftedLayerNorm, its result
// rounded to T) and the product with the one-output projection w [width] plus its bias (outBias: one value, may be
// null):
//   logits[r] = float(T(sum_j n_j * w_j + outBias))   (n = the normalised row, or x[r] + shift when !normalise)
// Same requirements as shiftedLayerNorm; logits is float32.
const char* layerNormDot(DitDType type, const void* x, const void* shift, bool normalise, const void* weight,
    const void* bias, float eps, const void* w, const void* outBias, float* logits, std::int64_t rows, int width,
    void* stream) noexcept;

// The attention queries of the decoder's points from their Fourier features, through the factored form of
//   q = qNorm(W_q LN_1(W_p f + b_p) + b_q)    (per head)
// that GeometryDecoder derives from its weights (shape_vae.h: FactoredQuery). LN_1's input is an affine function of
// the features f, so its variance is a quadratic form of f~ = [f, 1] and its product with W_q an affine function of
// f scaled by 1 / sigma. For every row r, in float32:
//   sigma^-1 = rsqrt(f~^T G f~ + eps)          f = the first featureCount values of features[r] (rows
//                                              of featureStride values of T), G [(featureCount + 1)^2]
//   pre_j    = (y[r][j] * yScale[0] + m1_j) * sigma^-1 + m2_j      y = f M^T, rows of `width` values of T
//   y[r]     = T(per head of headDim values: (pre - mean) * rsqrt(var + qEps) * qWeight + qBias)   (normalise)
//              T(pre)                                                                         (otherwise)
// written over y in place, one rounding. yScale, m1, m2 float32 (yScale one value on the device); qWeight, qBias
// [headDim] of T or null. width a multiple of 8, at most 2048; headDim a divisor of width with headDim / 8 one of
// 1, 2, 4, 8, 16, 32; featureCount at most 63 and at most featureStride; y, m1, m2, qWeight, qBias 16-byte aligned.
const char* factoredQueries(DitDType type, void* y, const void* features, int featureStride, int featureCount,
    const float* gram, float eps, const float* yScale, const float* m1, const float* m2, bool normalise,
    const void* qWeight, const void* qBias, float qEps, std::int64_t rows, int width, int headDim,
    void* stream) noexcept;

// The decoder's first layers in one pass over the points, for the factored form of the queries (above): the residual
// stream's start x0 and the queries q, both rows of `width` values of T, from points [rows, 3] (float32). Per point:
//   f        = its Fourier features (fourierFeatures; 3 + 6 * numFrequencies <= 64 of them), rounded to T
//   x0[r]    = T(W_p f + b_p)                     W_p = rows [0, width) of `weights`, b_p = bias0 (or null)
//   sigma^-1 = rsqrt(var + eps)                   mean and biased variance of the stored row x0[r] (LN_1's)
//   pre_j    = ((M f)_j * yScale[0] + m1_j) * sigma^-1 + m2_j      M = rows [width, 2 width) of `weights`
//   q[r]     = as factoredQueries: the per-head LayerNorm of pre (normalise) or pre, rounded to T
// `weights` is [2 width, 64] of T, each row's columns from the feature count on zero. The products run on the tensor
// cores (T inputs, float32 sums, one rounding when x0 is stored); everything else is float32. width a multiple of 64,
// headDim 16, 32 or 64; weights, x0 and q 16-byte aligned; yScale, m1, m2 as factoredQueries.
const char* decoderFront(DitDType type, const float* points, const float* frequencies, int numFrequencies,
    const void* weights, const void* bias0, const float* yScale, const float* m1, const float* m2, float eps,
    bool normalise, const void* qWeight, const void* qBias, float qEps, void* x0, void* q, std::int64_t rows, int width,
    int headDim, void* stream) noexcept;

// For decoderAttentionFromFeatures (decoder_attention.h), which forms the queries itself: per point the Fourier
// features f as decoderFront rounds them (64 values of T at features + r * featureStride, zeros past the feature
// count) and LN_1's sigma^-1 (sigmaInv[r], float32) from the Gram form of the variance (FactoredQuery, shape_vae.h):
//   var = gramScale[0] * f~^T (hi + lo) f~      f~ = f with a 1 in column 3 + 6 numFrequencies (so at most 63 features)
// where gramTiles is [2][64][64] of T: hi, then lo (G / gramScale split into its rounding and the remainder, so that
// the pair carries G to about twice T's precision), rows and columns indexed as f~. The product runs on the tensor
// cores (T inputs, float32 sums); everything else is float32. x0 is not formed: its LN_1 statistics are those of the
// exact W_p f + b_p, where decoderFront takes them from the rounded x0 row (a difference of the order of T's rounding
// over the square root of the width). gramTiles and features 16-byte aligned, featureStride a multiple of 8, >= 64.
const char* decoderFrontFeatures(DitDType type, const float* points, const float* frequencies, int numFrequencies,
    const void* gramTiles, const float* gramScale, float eps, void* features, std::int64_t featureStride,
    float* sigmaInv, std::int64_t rows, void* stream) noexcept;

} // namespace orfeas::cuda
