#pragma once
// One loaded Hunyuan3D-2 model (conditioner, denoiser, ShapeVAE decoder) and its stages. Immutable after loading,
// so one instance serves concurrent runs. The backend and the reference check both run these stages.

#include "orfeas/model_config.h"
#include "orfeas/neural.h"
#include "orfeas/run_context.h"

#include "dinov2.h"
#include "hunyuan_dit.h"
#include "neural_common.h"
#include "shape_vae.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace orfeas::neural {

struct DenoiserGraphs; // hunyuan_model.cpp

class HunyuanModel {
public:
    // Reads config.yaml, picks and validates the weights file, loads it to the device. Throws ModelError,
    // DeviceError, ConfigError (malformed device name), CancelledError.
    static std::shared_ptr<const HunyuanModel> load(const HunyuanLoadOptions& options, RunContext& ctx);

    const HunyuanModelConfig& config() const { return m_config; }
    const ComputeSpec& spec() const { return m_spec; }
    const std::string& weightsPath() const { return m_weightsPath; }
    // e.g. "hunyuan3d-dit-v2-0 (fp16 weights, fp16 on cuda:0)"
    const std::string& description() const { return m_description; }

    // The stages. Tensors may live anywhere; results are on the model's device. Callers hold an InferenceScope
    // and translate LibTorch errors (rethrowAsEngineError).

    // [B, 3, H, W] in [-1, 1] -> conditioning [B, tokens, hidden] (compute dtype). With `lowVram` the
    // conditioner's weights are moved to (pinned) host memory first if they are on the device, and streamed to the
    // device one layer at a time; without it they are moved back to the device first if a low-VRAM run left them
    // on the host. Runs of the conditioner take turns (a mutex): the weights may move between runs.
    at::Tensor condition(const at::Tensor& image, bool lowVram = false) const;
    // Whether the conditioner's weights are on the host at the moment (low-VRAM mode).
    bool conditionerOffloaded() const;
    // One denoiser call (see HunyuanDit::forward).
    at::Tensor denoise(
        const at::Tensor& x, const at::Tensor& t, const at::Tensor& cond, const at::Tensor& guidance = {}) const;
    // Seeded initial latents [1, num_latents, embed_dim], float32 on the CPU: LibTorch's CPU generator
    // (mt19937, seeded like torch.manual_seed: the low 32 bits of the seed) drawing standard normals, the same
    // numbers as torch.randn(shape, generator=torch.Generator().manual_seed(seed)) with the same LibTorch version,
    // whatever the device and precision.
    at::Tensor initialNoise(std::uint64_t seed) const;
    // The flow-matching loop from `noise` (float32 latents) with the conditioning `cond` (batch B). Classifier-free
    // guidance batches [cond, zeros] when guidanceScale >= 0 and the denoiser is not guidance-distilled; a
    // guidance-distilled denoiser gets guidanceScale through its guidance embedding instead. The latents are kept
    // in float32 between steps. `onStep(done, total)` runs after each step; cancellation is checked before each.
    // On a CUDA device the steps replay a CUDA graph kept per calling thread (and per shape and guidance scale),
    // unless `reuseGraphs` is false (low-VRAM runs: the graph keeps its memory pool).
    at::Tensor sample(const at::Tensor& noise, const at::Tensor& cond, const SamplingSchedule& schedule,
        double guidanceScale, RunContext& ctx, const std::function<void(int, int)>& onStep = {},
        bool reuseGraphs = true) const;
    // Sampled latents -> decoded latents [B, num_latents, width].
    at::Tensor decodeLatents(const at::Tensor& latents) const;
    const GeometryDecoder& geometry() const { return *m_geometry; }

private:
    HunyuanModel() = default;

    HunyuanModelConfig m_config;
    ComputeSpec m_spec;
    std::string m_weightsPath;
    std::string m_description;
    mutable std::mutex m_conditionerMutex;
    mutable std::optional<Dinov2Conditioner> m_conditioner;
    std::optional<HunyuanDit> m_dit;
    std::optional<ShapeVaeDecoder> m_vae;
    std::optional<GeometryDecoder> m_geometry;
    std::shared_ptr<DenoiserGraphs> m_stepGraphs; // sample()'s CUDA graphs; guarded by its own mutex
};

} // namespace orfeas::neural
