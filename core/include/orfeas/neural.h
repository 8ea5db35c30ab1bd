#pragma once
// The neural shape backend: Hunyuan3D-2 (single view) on LibTorch. This header is torch-free; the implementation
// lives in core/neural (orfeas_neural). In a build without LibTorch every function here still links: the loaders,
// the reference check and the field fit throw ModelError ("built without LibTorch") and neuralRuntimeInfo() says
// so; writeRandomModel and the analytic shapes are torch-free and always work.

#include "orfeas/model_config.h"
#include "orfeas/run_context.h"
#include "orfeas/settings.h"
#include "orfeas/shape_backend.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace orfeas {

struct HunyuanLoadOptions {
    std::string modelPath; // model folder: config.yaml + model(.fp16).safetensors
    std::string device = "auto"; // "auto" (cuda:0 when CUDA works, else cpu), "cpu", "cuda", "cuda:N"
    Precision precision = Precision::Fp16; // compute precision on CUDA; on the CPU the backend computes in float32
    WeightsPreference weights = WeightsPreference::Auto;
    // Low-VRAM use: the conditioner goes to host memory right after loading (a low-VRAM run would move it there
    // anyway, but the first run's peak then still held it: 4699 MB against 3272 MB for later runs on the H100).
    bool lowVram = false;
};

// Reads the configuration, validates the weights file against the configuration's manifest before building
// anything, converts the weights to the device and precision (progress on shape_generation/model_loading, step =
// tensors done) and returns the `hunyuan3d` backend. generate() may be called from several threads at once: the
// weights are read-only; on a CUDA device a few runs share the GPU at once (each on a stream of its own; a low-VRAM
// run takes it alone). Throws ModelError (bad folder, config or weights; pickle-only folders), DeviceError (no such device,
// out of memory: isOutOfMemory()), CancelledError. Thread-safe.
std::shared_ptr<ShapeBackend> loadHunyuan3DBackend(const HunyuanLoadOptions& options, RunContext& ctx);

struct NeuralRuntimeInfo {
    bool available = false; // built with LibTorch
    std::string torchVersion; // e.g. "1.13.0" (the headers' version)
    bool cudaAvailable = false;
    int cudaDeviceCount = 0;
    std::vector<std::string> cudaDeviceNames;
    std::string detail; // e.g. "built without LibTorch", "CUDA not compiled into LibTorch"
};
// What LibTorch offers in this process. Thread-safe.
NeuralRuntimeInfo neuralRuntimeInfo();

// Parity check of a model folder against a reference file written by the reference implementation (the layout of
// tests/data/hy3d-tiny/io.safetensors: pre.image, cond.main, dit.*, sample.*, vae.decoded, geo.*, grid.logits).
// Every stage is fed with the reference's own input for that stage, so one wrong stage cannot hide behind another;
// "pipeline" then chains conditioner -> sampling -> VAE -> volume decoding from pre.image and sample.init alone.
// A stage whose tensors the file lacks is skipped (listed), so a file may check only some stages.
// This is what `orfeas model check --reference io.safetensors` runs.
struct ReferenceCheckOptions {
    std::string modelPath;
    std::string referencePath; // io.safetensors; io.json beside it is read for the bounds if present
    WeightsPreference weights = WeightsPreference::Fp32;
    std::string device = "cpu";
    Precision precision = Precision::Fp32;
    int chunkSize = 0; // volume decoding points per chunk; 0 = automatic
    double stageTolerance = 1e-5; // on the relative error of single stages
    double loopTolerance = 1e-4; // on the relative error of the sampling loop and the pipeline
};

struct StageCheck {
    std::string stage; // "schedule", "conditioner", "denoiser", "sampling", "sampling_batch", "vae", "geometry",
                       // "grid", "pipeline"
    double maxAbsError = 0; // max |ours - reference|
    double relError = 0; // maxAbsError / max |reference| (the stage's scale)
    double tolerance = 0; // bound on relError
    bool passed = false;
    double seconds = 0; // wall time of our computation of the stage
    std::string detail; // e.g. the shape compared, or why the stage was skipped
};

struct ReferenceCheckReport {
    std::string modelDescription;
    std::string weightsFile;
    std::vector<StageCheck> stages; // the stages whose tensors the reference file holds, in pipeline order
    std::vector<std::string> skipped; // the others, e.g. "denoiser (no dit.x)"
    bool passed() const noexcept
    {
        for (const auto& s : stages) {
            if (!s.passed)
                return false;
        }
        return !stages.empty();
    }
};

// Throws ModelError (bad model or reference file, or a reference tensor with an unexpected shape), DeviceError,
// CancelledError. A stage that runs but differs is reported, not thrown. Thread-safe.
ReferenceCheckReport checkAgainstReference(const ReferenceCheckOptions& options, RunContext& ctx);

// --- Realistic occupancy fields for decoding benchmarks (`orfeas model fit-field`) ------------------------------

// Analytic shapes a geometry decoder can be fitted to. Figurine: a standing figure of blended capsules (head,
// torso, arms, legs, feet, base; 3.4 % of the box's volume, about 340 000 faces at octree 384); sphere: radius
// 0.6; torus: radii 0.55 / 0.22 around the y axis.
enum class FitShape { Figurine, Sphere, Torus };
std::string_view fitShapeName(FitShape shape) noexcept; // "figurine", "sphere", "torus"
FitShape parseFitShape(std::string_view s); // throws ConfigError naming the accepted names
// The shape's occupancy value at p: its negated signed distance (positive inside, level 0). Torch-free;
// thread-safe.
float analyticShapeValue(FitShape shape, Vec3f p);

// Random weights give a field with a surface everywhere, so hierarchical decoding cannot be judged on them. The
// fit makes the geometry decoder of a model folder reproduce an analytic shape: the cross-attention output
// projection (c_proj) is set to zero, so the field no longer depends on the latents (any image gives the same
// shape), and the rest of the decoder that still matters (query_proj, ln_3, the MLP, ln_post, output_proj) is
// trained with binary cross-entropy on inside/outside labels with Adam, in float32, each step on fresh points,
// half uniform in [-1.01, 1.01]^3 and half near the surface (projected onto it, then jittered by
// nearSurfaceSigma). The attention branch is skipped while training: with c_proj zero it adds exactly zero. The
// output folder gets config.yaml and the source weights file with the fitted decoder (same name, tensors and
// dtypes; every other tensor copied unchanged), written one tensor at a time.
struct FieldFitOptions {
    std::string modelPath; // source model folder
    std::string outputPath; // created if missing; must not be the source folder
    std::string device = "auto"; // "auto", "cpu", "cuda", "cuda:N"
    FitShape shape = FitShape::Figurine;
    int steps = 600;
    int pointsPerStep = 48000;
    double learningRate = 3e-4;
    double nearSurfaceSigma = 0.02; // jitter of the near-surface half of the points
    std::uint64_t seed = 0;
    WeightsPreference weights = WeightsPreference::Auto;
    bool overwrite = false; // replace existing files in the output folder
};

struct FieldFitReport {
    std::string configFile; // written
    std::string weightsFile; // written
    std::string device; // where it was trained, e.g. "cuda:0"
    int steps = 0;
    std::int64_t trainedParameters = 0;
    double initialLoss = 0; // binary cross-entropy of the first step
    double finalLoss = 0; // mean of the last min(10, steps) steps
    // On 20 000 held-out points (half uniform, half near the surface), the fraction where the fitted field has the
    // shape's sign, overall and for the near-surface half.
    double accuracy = 0;
    double nearSurfaceAccuracy = 0;
    double seconds = 0; // training time
};

// Progress on shape_generation/field_fit (step / steps); cancellation between steps. Throws ModelError (bad
// folder or weights), ConfigError (bad options: steps < 1, points < 64, learning rate <= 0, output = source),
// DeviceError, ExportError (output exists without overwrite, I/O), CancelledError. Thread-safe (no shared state).
FieldFitReport fitGeometryField(const FieldFitOptions& options, RunContext& ctx);

// --- Random-weight model folders for benchmarks (`orfeas model init-random`) ------------------------------------

// Writes <outputPath>/config.yaml (a copy of configPath, validated) and the weights: model.fp16.safetensors for
// fp16 (as published), model.safetensors for fp32 and bf16 (the loader reads any float dtype). Names and shapes are the configuration's manifest in the reference's order (the optional
// point-cloud encoder and mask_token only with includeOptional). Values: biases 0, norm weights and RMS scales 1,
// DINOv2 layer scales the config's layerscale_value, embeddings (CLS, mask, positions) uniform with standard
// deviation 0.02, every other weight uniform with standard deviation 1/sqrt(fan_in) (fan_in = product of the
// other dimensions), which keeps activations of order one through the networks. Deterministic for a seed
// (whatever the thread count). Written one tensor at a time (memory: one tensor), threads for large tensors.
struct RandomModelOptions {
    std::string configPath; // a config.yaml
    std::string outputPath; // folder, created if missing
    std::uint64_t seed = 0;
    Precision dtype = Precision::Fp16;
    bool includeOptional = false; // also the VAE's point-cloud encoder and DINOv2's mask_token
    bool overwrite = false;
    int threads = 0; // 0: hardware concurrency
};

struct RandomModelReport {
    std::string configFile;
    std::string weightsFile;
    std::int64_t tensors = 0;
    std::int64_t parameters = 0;
    std::uint64_t bytes = 0; // of the weights file
    double seconds = 0;
};

// Progress on shape_generation/model_writing (tensor / tensors); cancellation between tensors. Throws ModelError
// (bad config), ExportError (existing files without overwrite, I/O), CancelledError. Torch-free; thread-safe.
RandomModelReport writeRandomModel(const RandomModelOptions& options, RunContext& ctx);

} // namespace orfeas
