#pragma once
// The image conditioner: the reference's DinoImageEncoder around DINOv2 as Hugging Face's Dinov2Model computes it.

#include "orfeas/model_config.h"

#include "neural_common.h"

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

private:
    struct Layer {
        LayerNorm norm1, norm2;
        Linear query, key, value, dense;
        at::Tensor scale1, scale2;
        Linear ffnIn, ffnOut; // weights_in/out (SwiGLU) or fc1/fc2 (MLP)
    };
    at::Tensor positionEmbeddings(std::int64_t gridH, std::int64_t gridW) const;
    at::Tensor ffn(const Layer& layer, const at::Tensor& x) const;

    ConditionerConfig m_config;
    ComputeSpec m_spec;
    at::Tensor m_patchWeight, m_patchBias, m_clsToken, m_positions;
    std::vector<Layer> m_layers;
    LayerNorm m_finalNorm;
};

} // namespace orfeas::neural
