#pragma once
// The ShapeVAE's decoding side: the latent transformer, the geometry decoder (an occupancy logit per query point)
// and dense volume decoding. The latents' cross-attention keys and values are computed once per shape
// (GeometryKeys) and reused for every batch of query points, so a decoder can be asked for arbitrary point sets
// (dense grids and hierarchical refinement, volume_decoding.h).

#include "orfeas/model_config.h"
#include "orfeas/run_context.h"

#include "neural_common.h"

#include <functional>
#include <memory>
#include <vector>

namespace orfeas::neural {

class ShapeVaeDecoder {
public:
    ShapeVaeDecoder(const ShapeVaeConfig& config, const WeightStore& weights, const ComputeSpec& spec);
    // Sampled latents [B, num_latents, embed_dim] -> decoded latents [B, num_latents, width]: multiplied by
    // 1 / scale_factor, post_kl, then the pre-LN transformer (per-head qkv split, q/k LayerNorm, exact GELU).
    at::Tensor decode(const at::Tensor& latents) const;

private:
    struct Block {
        LayerNorm ln1, ln2, qNorm, kNorm;
        Linear qkv, proj, fc, fcOut;
    };
    ShapeVaeConfig m_config;
    ComputeSpec m_spec;
    Linear m_postKl;
    std::vector<Block> m_blocks;
};

// The geometry decoder's optional FP8 path (fused::decoderFp8, ORFEAS_DECODER_FP8=1): E4M3 copies of the query
// projection's and the MLP's weights with their scales, and scales for the two norms whose outputs feed FP8
// products. Made by GeometryDecoder::prepare from the weights as they are then (fitting a field changes them).
struct GeometryFp8 {
    at::Tensor q, fc, fcOut; // E4M3 bytes, [out, in]
    // The slots of `scales`: dequantisation scales of ln_1's output, q's weight, ln_3's output, c_fc's weight, the
    // hidden layer (GELU's output) and c_proj's weight, and the multiplier that quantises the hidden layer.
    enum Slot { Norm1, QWeight, Norm3, FcWeight, Hidden, FcOutWeight, QuantiseHidden, SlotCount };
    at::Tensor scales; // float32 on the device, one value per fused::kFp8ScaleStride (16 bytes)
    // The multipliers that quantise ln_1's and ln_3's outputs and the hidden layer (slot QuantiseHidden on the host).
    float quantise1 = 1.0f, quantise3 = 1.0f, quantiseHidden = 1.0f;
    at::ScalarType outType = at::kHalf; // the products' output type: the decoder's compute type
};

// The geometry decoder's attention queries in factored form, for its fused path (GeometryDecoder::factoredQuery).
// A point's query embedding x = W_p f + b_p is affine in its Fourier features f, so LN_1(x) needs no pass over x:
// with f~ = [f, 1] and C = [W_p, b_p] minus its mean over the channels,
//   var(x) = f~^T G f~ with G = C^T C / width,   and   W_q LN_1(x) + b_q = (M f + m1) / sigma + m2,
//   sigma = sqrt(var(x) + eps), [M, m1] = W_q diag(g_1) C, m2 = W_q b_1 + b_q   (g_1, b_1: LN_1's parameters).
// One product of the features with M (K = the padded feature count instead of the width) and one row pass
// (decoder_kernels.h: factoredQueries, which also applies the per-head q norm) replace LN_1, the query projection
// and the q norm. Made by GeometryDecoder::prepare from the weights as they are then (fitting a field changes them),
// in float64 and stored as below. The rounding differs from the operator path: no rounding of x or of LN_1's output
// to the storage type; docs/neural.md gives the measured difference.
struct FactoredQuery {
    at::Tensor matrix; // [width, padded features], the compute type: M / scale, zero columns after `features`
    at::Tensor scale; // [1] float32: a power of two >= 1 that keeps M f within half precision's range
    at::Tensor gram; // [(features + 1)^2] float32, row-major
    at::Tensor m1, m2; // [width] float32
    // [2 width, 64] of the compute type: W_p and M / scale, zero columns after `features`; defined when the one-pass
    // kernel (fused::decoderFront) computes x0 and the queries together (ORFEAS_DECODER_FRONT=0: not).
    at::Tensor front;
    // Defined when the attention kernel forms the queries itself (ORFEAS_DECODER_QUERIES_IN_ATTENTION=0: not; heads
    // of 64 where fused::decoderAttentionServes, with `front`): M / scale packed per head
    // (fused::decoderQueryWeightsPack), and [W_c, W_p] ([width, width + 64], W_p zero-padded to 64 columns) for the
    // attention's output projection, which then adds x0's W_p f in the same product (x0 is not written).
    // With them, LN_1's variance for fused::decoderFrontFeatures: G (padded to 64 x 64) / gramScale as two tiles of the
    // compute type, its rounding and the remainder ([128, 64]), and gramScale ([1] float32, a power of two).
    at::Tensor queryTiles;
    at::Tensor projWithInput;
    at::Tensor gramTiles;
    at::Tensor gramScale;
    std::int64_t features = 0; // the Fourier features' count (before padding)
    double eps = 0.0; // LN_1's
};

// LN_1's Gram matrix G ([n, n], n <= 64; FactoredQuery) as fused::decoderFrontFeatures takes it: padded to 64 x 64,
// divided by `scale` ([1] float32, the power of two that brings its largest entry to at most 2^12), and split into
// two tiles of `dtype`, its rounding and the rounding of the remainder ([128, 64]; their sum carries G to about twice
// dtype's precision). On G's device.
struct GramTiles {
    at::Tensor tiles;
    at::Tensor scale;
};
GramTiles gramTiles(const at::Tensor& gram, at::ScalarType dtype);

// Keys and values of one shape's latents for the geometry decoder's cross-attention, [B, H, N, D] each.
struct GeometryKeys {
    at::Tensor k;
    at::Tensor v;
    std::shared_ptr<const GeometryFp8> fp8; // null unless the FP8 path serves this decoder
    std::shared_ptr<const FactoredQuery> factored; // null unless the fused path computes queries in factored form
    // k and v packed for orfeas_cuda's own attention kernel (dit_fused.h: decoderAttentionPack), used by the fused
    // path; undefined where that kernel does not serve (then cuDNN's or LibTorch's attention runs).
    at::Tensor packed;
};

class GeometryDecoder {
public:
    GeometryDecoder(const ShapeVaeConfig& config, const WeightStore& weights, const ComputeSpec& spec);
    // From decoded latents [B, N, width]: (latents_proj,) ln_2, c_kv, per-head split, k LayerNorm.
    GeometryKeys prepare(const at::Tensor& decodedLatents) const;
    // Occupancy logits (inside > 0) of points [B, P, 3] (float32, any device) -> [B, P] float32 on the device.
    // The Fourier features are computed in float32 whatever the compute dtype. Keys without tensors (k undefined)
    // leave the cross-attention branch out: the field without the latents, exactly the decoder's own when the
    // branch's output projection is zero (a fitted field, field_fit.cpp).
    at::Tensor query(const GeometryKeys& keys, const at::Tensor& points) const;
    // query() over the points followed by copies of the last point up to `padded` points, the copies' values dropped
    // (what query() does on CUDA to keep cuDNN's attention shapes from a small set: shape_vae.cpp).
    at::Tensor queryPadded(const GeometryKeys& keys, const at::Tensor& points, std::int64_t padded) const;
    // The attention queries of points [rows, 3] (float32), per head normalised, as [rows, width] in the compute type:
    // by the operator path (Operators) or by the factored form in float32 LibTorch operators (FactoredReference, any
    // device; the fused path's kernel does the same arithmetic). For tests.
    enum class QueryForm { Operators, FactoredReference };
    at::Tensor attentionQueries(const at::Tensor& points, QueryForm form) const;
    // The factored form of the queries from the current weights (FactoredQuery), on the compute device.
    std::shared_ptr<const FactoredQuery> factoredQuery() const;
    // Rough bytes of intermediate tensors per query point, for sizing chunks.
    std::int64_t bytesPerPoint() const;
    const ComputeSpec& spec() const { return m_spec; }

private:
    at::Tensor fourier(const at::Tensor& points) const;
    // query() with orfeas_cuda's decoder kernels (CUDA, half precision): shape_vae.cpp says what differs.
    at::Tensor queryFused(const GeometryKeys& keys, const at::Tensor& points, bool cudnn) const;
    // The FP8 path's weights and scales (shape_vae.cpp says how the scales are bounded).
    std::shared_ptr<const GeometryFp8> fp8Weights() const;
    // Whether the fused path can compute this decoder's queries in factored form (and is not switched off with
    // ORFEAS_DECODER_FACTORED=0).
    bool factoredQueriesServe() const;
    // The queries [rows, width] from the padded features [rows, P] through the factored form.
    at::Tensor factoredQueries(const FactoredQuery& f, const at::Tensor& features, bool kernel) const;

    ShapeVaeConfig m_config;
    ComputeSpec m_spec;
    at::Tensor m_frequencies; // float32 on the device
    Linear m_queryProj, m_latentsProj, m_q, m_kv, m_proj, m_fc, m_fcOut, m_outputProj;
    LayerNorm m_ln1, m_ln2, m_ln3, m_qNorm, m_kNorm, m_lnPost;
};

// Bounds that fix the FP8 path's scales (GeometryDecoder::fp8Weights), float32 on the host; `options` says where
// missing affine parameters are made (the weights' device).
// The largest |value| `norm` can output for any row of `width` values: a normalised entry is at most
// sqrt(width - 1) in magnitude (all other entries equal), so |out_j| <= |g_j| sqrt(width - 1) + |b_j|.
float layerNormOutputBound(const LayerNorm& norm, std::int64_t width, const at::TensorOptions& options);
// The largest |y_j| of y = layer(norm(x)) for any row x: with the normalised row z (|z| <= sqrt(width)),
// y_j = sum_k W_jk g_k z_k + (W b + c)_j, and Cauchy-Schwarz bounds the first term by |W_j * g| sqrt(width).
float normThenLinearBound(
    const Linear& layer, const LayerNorm& norm, std::int64_t width, const at::TensorOptions& options);

// Points per volume-decoding chunk for this decoder: `requested` when > 0; on CUDA sized from the free device
// memory, on the CPU a cache-friendly fixed budget.
std::int64_t chooseChunkSize(const GeometryDecoder& decoder, int requested);

} // namespace orfeas::neural
