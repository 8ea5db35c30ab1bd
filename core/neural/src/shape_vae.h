#pragma once
// The ShapeVAE's decoding side: the latent transformer, the geometry decoder (an occupancy logit per query point)
// and dense volume decoding. The latents' cross-attention keys and values are computed once per shape
// (GeometryKeys) and reused for every batch of query points, so a decoder can be asked for arbitrary point sets
// (dense grids and hierarchical refinement, volume_decoding.h).

#include "orfeas/model_config.h"
#include "orfeas/run_context.h"

#include "neural_common.h"

#include <functional>
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

// Keys and values of one shape's latents for the geometry decoder's cross-attention, [B, H, N, D] each.
struct GeometryKeys {
    at::Tensor k;
    at::Tensor v;
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
    // Rough bytes of intermediate tensors per query point, for sizing chunks.
    std::int64_t bytesPerPoint() const;
    const ComputeSpec& spec() const { return m_spec; }

private:
    at::Tensor fourier(const at::Tensor& points) const;
    // query() with orfeas_cuda's decoder kernels (CUDA, half precision): shape_vae.cpp says what differs.
    at::Tensor queryFused(const GeometryKeys& keys, const at::Tensor& points, bool cudnn) const;

    ShapeVaeConfig m_config;
    ComputeSpec m_spec;
    at::Tensor m_frequencies; // float32 on the device
    Linear m_queryProj, m_latentsProj, m_q, m_kv, m_proj, m_fc, m_fcOut, m_outputProj;
    LayerNorm m_ln1, m_ln2, m_ln3, m_qNorm, m_kNorm, m_lnPost;
};

// Points per volume-decoding chunk for this decoder: `requested` when > 0; on CUDA sized from the free device
// memory, on the CPU a cache-friendly fixed budget.
std::int64_t chooseChunkSize(const GeometryDecoder& decoder, int requested);

} // namespace orfeas::neural
