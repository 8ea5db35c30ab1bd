#pragma once
// The image conditioner: the reference's DinoImageEncoder around DINOv2 as Hugging Face's Dinov2Model computes it.

#include "orfeas/model_config.h"

#include "neural_common.h"

#include <functional>
#include <vector>

namespace orfeas::neural {

class Dinov2Conditioner {
public:
    // Takes its weights from `weights` under conditioner.main_image_encoder.model.
    Dinov2Conditioner(const ConditionerConfig& config, const WeightStore& weights, const ComputeSpec& spec);

    // [B, 3, H, W] in [-1, 1] (any device, float) -> [B, tokens, hidden] in the compute dtype: the last hidden state
    // (after the final LayerNorm), CLS first unless use_cls_token is false.
    at::Tensor encode(const at::Tensor& image) const;

    // The encoder's input transform in float32: [-1, 1] -> [0, 1], resize of the shorter side to image_size
    // (bilinear, antialiased), centre crop to image_size, ImageNet normalisation.
    at::Tensor preprocess(const at::Tensor& image) const;
    // Dinov2Model on normalised pixels -> last_hidden_state (CLS included).
    at::Tensor forward(const at::Tensor& pixels) const;

    // The same conditioner with its weights in pinned host memory (pageable if pinning fails), streamed to the
    // compute device one layer at a time while it runs: the low-VRAM mode keeps only one layer on the GPU.
    Dinov2Conditioner offloaded() const;
    // The same conditioner with its weights on the compute device again.
    Dinov2Conditioner resident() const;
    bool isOffloaded() const { return m_offloaded; }

private:
    struct Layer {
        LayerNorm norm1, norm2;
        Linear query, key, value, dense;
        at::Tensor scale1, scale2;
        Linear ffnIn, ffnOut; // weights_in/out (SwiGLU) or fc1/fc2 (MLP)
    };
    at::Tensor positionEmbeddings(const at::Tensor& positions, std::int64_t gridH, std::int64_t gridW) const;
    // Every weight through f (a copy of the conditioner).
    Dinov2Conditioner mapped(const std::function<at::Tensor(const at::Tensor&)>& f, bool offloaded) const;
    // The weight on the compute device: itself, or its upload when offloaded.
    at::Tensor onDevice(const at::Tensor& t) const;
    Layer layerOnDevice(const Layer& l) const;
    at::Tensor ffn(const Layer& layer, const at::Tensor& x) const;

    ConditionerConfig m_config;
    ComputeSpec m_spec;
    at::Tensor m_patchWeight, m_patchBias, m_clsToken, m_positions;
    std::vector<Layer> m_layers;
    LayerNorm m_finalNorm;
    bool m_offloaded = false;
};

} // namespace orfeas::neural
