#pragma once
// Analytic FLOP counts of the Hunyuan3D-2 networks, from a model's configuration (config.yaml). One multiply-add
// counts as two FLOPs. Counted: every linear layer (matrix products) and the two matrix products of attention
// (scores Q·Kᵀ and the weighted sum P·V). Not counted: normalisations, modulation, activations, softmax, residual
// additions and the guidance combination (elementwise work, well under 1 % of the total at full size).
// docs/benchmarks.md derives the formulas.

#include "orfeas/model_config.h"

#include <cstdint>

namespace orfeas::bench {

struct DenoiserFlops {
    double linearPerSample = 0;    // linear layers of one forward pass of one sample
    double attentionPerSample = 0; // attention matrix products of one forward pass of one sample
    double perSample = 0;          // linear + attention
    int batch = 1;                 // samples per step: 2 with classifier-free guidance, 1 for distilled models
    int steps = 0;
    double perStep = 0;            // perSample * batch
    double perImage = 0;           // perStep * steps
    std::int64_t latentTokens = 0; // vae.num_latents
    std::int64_t conditionTokens = 0; // conditioner tokens (patches + CLS)
};

// The denoiser (Hunyuan3DDiT) for one image sampled with `steps` steps at guidance scale `guidance`. Classifier-free
// guidance doubles the batch when guidance >= 0 and the model is not guidance-distilled (the backend's rule).
// Thread-safe.
DenoiserFlops denoiserFlops(const HunyuanModelConfig& config, int steps, double guidance);

struct DecoderFlops {
    double perPoint = 0;  // Fourier features excluded; query projection, cross-attention, MLP, output projection
    double perShape = 0;  // keys and values of the latents (computed once per shape)
};

// The geometry decoder (the ShapeVAE's cross-attention occupancy head). Thread-safe.
DecoderFlops geometryDecoderFlops(const ShapeVaeConfig& vae);

} // namespace orfeas::bench
