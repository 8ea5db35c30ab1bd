#pragma once
// Hunyuan3D-2 model folders, torch-free: config.yaml parsed into plain structs, the parameter manifest that a
// configuration implies, the sampling schedules, and the check of a weights file against the manifest. The neural
// backend (core/neural) builds its models from these; `orfeas model check` and the tests use them without LibTorch.
// Defaults are the reference implementation's class defaults (Hunyuan3DDiT, ShapeVAE, Hugging Face Dinov2Config,
// the schedulers, ImageProcessorV2), so a config.yaml means here what it means there.

#include <cstdint>
#include <string>
#include <vector>

namespace orfeas {

class SafetensorsFile;

// The denoiser (reference class Hunyuan3DDiT). Keys under model.params.
struct DitConfig {
    int inChannels = 64; // in_channels: latent channels (= vae embed_dim)
    int contextInDim = 1536; // context_in_dim: conditioner width
    int hiddenSize = 1024; // hidden_size
    double mlpRatio = 4.0; // mlp_ratio
    int numHeads = 16; // num_heads
    int depth = 16; // depth: double-stream blocks
    int depthSingleBlocks = 32; // depth_single_blocks
    std::vector<int> axesDim
        = { 64 }; // axes_dim: must sum to hiddenSize / numHeads (no positional encoding is applied)
    int theta = 10000; // theta (unused: the denoiser applies no positional encoding)
    bool qkvBias = true; // qkv_bias: bias on the double blocks' qkv projections
    double timeFactor = 1000.0; // time_factor: the reference hands it to the sinusoidal embedding as its max_period
                                // (t in [0, 1] is scaled by a fixed 1000 there)
    bool guidanceEmbed = false; // guidance_embed: guidance-distilled (guidance enters as an embedding, no CFG batch)

    int headDim() const noexcept { return hiddenSize / numHeads; }
    // int(hidden_size * mlp_ratio), truncated as Python's int() does.
    int mlpHiddenDim() const noexcept { return static_cast<int>(double(hiddenSize) * mlpRatio); }
};

// The ShapeVAE (reference class ShapeVAE). Keys under vae.params.
struct ShapeVaeConfig {
    int numLatents = 0; // num_latents (required)
    int embedDim = 0; // embed_dim (required)
    int width = 0; // width (required)
    int heads = 0; // heads (required)
    int numDecoderLayers = 0; // num_decoder_layers (required)
    int numEncoderLayers = 8; // num_encoder_layers (point-cloud encoder; not used for generation)
    int pointFeats = 3; // point_feats (encoder input features besides xyz)
    bool useLnPost = true; // use_ln_post (encoder's final LayerNorm)
    int geoDecoderDownsampleRatio = 1; // geo_decoder_downsample_ratio
    int geoDecoderMlpExpandRatio = 4; // geo_decoder_mlp_expand_ratio
    bool geoDecoderLnPost = true; // geo_decoder_ln_post (its LayerNorm uses eps 1e-5, PyTorch's default)
    int numFreqs = 8; // num_freqs: Fourier frequencies 2^0 .. 2^(n-1)
    bool includePi = true; // include_pi: frequencies times pi
    bool qkvBias = true; // qkv_bias
    bool qkNorm = false; // qk_norm: per-head LayerNorm on q and k
    double scaleFactor = 1.0; // scale_factor: latents are multiplied by 1 / scale_factor before decoding

    // Width of the Fourier embedding of a point: 3 * (2 * numFreqs + 1) ([x, sin, cos]).
    int fourierDim() const noexcept { return 3 * (2 * numFreqs + 1); }
    int geoWidth() const noexcept { return width / geoDecoderDownsampleRatio; }
    int geoHeads() const noexcept { return heads / geoDecoderDownsampleRatio; }
    // The geometry decoder normalises q/k only when it has ln_post (reference behaviour).
    bool geoQkNorm() const noexcept { return qkNorm && geoDecoderLnPost; }
};

// DINOv2 as Hugging Face's Dinov2Config describes it (conditioner.params.main_image_encoder.kwargs.config).
struct Dinov2Config {
    int hiddenSize = 768; // hidden_size
    int numHiddenLayers = 12; // num_hidden_layers
    int numAttentionHeads = 12; // num_attention_heads
    int patchSize = 14; // patch_size
    int imageSize = 224; // image_size: the grid the stored position embeddings were made for
    int numChannels = 3; // num_channels
    double mlpRatio = 4.0; // mlp_ratio
    double layerNormEps = 1e-6; // layer_norm_eps
    double layerscaleValue = 1.0; // layerscale_value (initial value only: the weights hold the scales)
    bool useSwigluFfn = false; // use_swiglu_ffn
    std::string hiddenAct = "gelu"; // hidden_act of the plain MLP: gelu, gelu_new, gelu_pytorch_tanh, relu, silu
    bool qkvBias = true; // qkv_bias

    int storedGrid() const noexcept { return imageSize / patchSize; }
    // The FFN's hidden width: int(C * mlp_ratio) for the MLP; for SwiGLU, int(int(C * mlp_ratio) * 2 / 3)
    // rounded up to a multiple of 8 (weights_in then has twice this many outputs).
    int ffnHiddenDim() const noexcept;
};

// The image conditioner (SingleImageEncoder with a DinoImageEncoder).
struct ConditionerConfig {
    Dinov2Config dino;
    int imageSize = 224; // kwargs.image_size: the encoder resizes its input to this (then centre-crops)
    bool useClsToken = true; // kwargs.use_cls_token: keep the CLS token in the output

    int patchGrid() const noexcept { return imageSize / dino.patchSize; }
    // Tokens of the conditioning sequence: patches (+ CLS).
    int tokens() const noexcept { return patchGrid() * patchGrid() + (useClsToken ? 1 : 0); }
};

enum class SchedulerKind {
    FlowMatchEuler, // FlowMatchEulerDiscreteScheduler
    ConsistencyFlowMatchEuler, // ConsistencyFlowMatchEulerDiscreteScheduler (turbo models)
};

struct SchedulerConfig {
    SchedulerKind kind = SchedulerKind::FlowMatchEuler;
    int numTrainTimesteps = 1000; // num_train_timesteps
    double shift = 1.0; // shift (FlowMatchEuler)
    int pcmTimesteps = 50; // pcm_timesteps (ConsistencyFlowMatchEuler)
};

struct ImageProcessorConfig {
    int size = 512; // size: side of the preprocessed square image
    double borderRatio = 0.15; // border_ratio (the reference's call default when the config leaves it out)
};

struct HunyuanModelConfig {
    DitConfig dit;
    ShapeVaeConfig vae;
    ConditionerConfig conditioner;
    SchedulerConfig scheduler;
    ImageProcessorConfig imageProcessor;
    std::string path; // the config.yaml it was read from
};

// Reads <path> (a config.yaml). Throws ModelError naming the file and the field for a missing or ill-typed required
// field, an invalid value, or a section whose target is not a supported architecture ("unsupported model
// architecture ..." for multi-view, 2.1 and other variants). Unknown extra keys are ignored. Thread-safe.
HunyuanModelConfig loadHunyuanModelConfig(const std::string& path);
// The same from YAML text; `pathForErrors` names it in errors.
HunyuanModelConfig parseHunyuanModelConfig(
    const std::string& yamlText, const std::string& pathForErrors = "config.yaml");

// One tensor the model needs.
struct ParameterSpec {
    std::string name; // full key, e.g. "model.latent_in.weight"
    std::vector<std::int64_t> shape;
    bool optional = false; // not needed for generation: the VAE's point-cloud encoder (vae.encoder.*,
                           // vae.pre_kl.*) and DINOv2's mask_token
};

// Every tensor name and shape the configuration implies (denoiser `model.*`, ShapeVAE `vae.*`, conditioner
// `conditioner.*`), in the order the reference registers them, optional ones included. Allocates nothing.
std::vector<ParameterSpec> hunyuanParameterManifest(const HunyuanModelConfig& config);

// The sampling schedule of the reference pipeline for `steps` steps: step i feeds the model
// t = timesteps[i] / numTrainTimesteps and moves the latents by (sigmas[i + 1] - sigmas[i]) * v.
struct SamplingSchedule {
    std::vector<float> timesteps; // steps values, float32 as the reference computes them
    std::vector<float> sigmas; // steps + 1 values, the last one 1
};
// Throws ConfigError for steps < 1 or a step count the reference scheduler cannot run (consistency scheduler
// with more steps than pcm_timesteps). Thread-safe.
SamplingSchedule computeSamplingSchedule(const SchedulerConfig& config, int steps);

// How a weights file compares with a manifest. Policy: every required tensor must be present with its exact shape
// and a floating-point dtype (F32/F16/BF16/F64); optional tensors may be absent; an extra tensor under `model.` or
// `conditioner.` is an error (the reference loads those strictly: an extra key there means config and weights
// disagree, e.g. guidance_embed), an extra tensor under `vae.` or any other prefix is ignored with a warning
// (the reference loads the VAE non-strictly and ignores unknown groups).
struct WeightsCheck {
    std::vector<std::string> missing; // required tensors absent
    std::vector<std::string> wrongShape; // "name: has [a, b], the configuration needs [c, d]"
    std::vector<std::string> wrongDtype; // "name: I32 (a floating-point type is needed)"
    std::vector<std::string> unexpected; // extra tensors that are errors
    std::vector<std::string> ignored; // extra tensors that are ignored (warnings)
    std::vector<std::string> absentOptional; // optional tensors not in the file (fine)

    bool ok() const noexcept
    {
        return missing.empty() && wrongShape.empty() && wrongDtype.empty() && unexpected.empty();
    }
    // A one-paragraph description of the errors (first few of each kind), empty if ok().
    std::string errorSummary() const;
};
WeightsCheck checkWeights(const SafetensorsFile& file, const std::vector<ParameterSpec>& manifest);

enum class WeightsPreference {
    Auto, // model.fp16.safetensors if present, else model.safetensors
    Fp16, // model.fp16.safetensors, else model.safetensors
    Fp32, // model.safetensors, else model.fp16.safetensors
};

// The weights file of a model folder. Throws ModelError with the folder when there is no safetensors file (saying,
// when only a pickle checkpoint such as model.fp16.ckpt is there, that pickles are not read and how to convert
// one), or when the folder or its config.yaml does not exist. `note` (optional) receives a sentence when the
// preferred file was absent and the other one is used. Thread-safe.
std::string locateWeightsFile(
    const std::string& folder, WeightsPreference preference = WeightsPreference::Auto, std::string* note = nullptr);

} // namespace orfeas
