#pragma once
// The neural shape backend: Hunyuan3D-2 (single view) on LibTorch. This header is torch-free; the implementation
// lives in core/neural (orfeas_neural). In a build without LibTorch every function here still links: the loaders
// and the reference check throw ModelError ("built without LibTorch") and neuralRuntimeInfo() says so.

#include "orfeas/model_config.h"
#include "orfeas/run_context.h"
#include "orfeas/settings.h"
#include "orfeas/shape_backend.h"

#include <memory>
#include <string>
#include <vector>

namespace orfeas {

struct HunyuanLoadOptions {
    std::string modelPath; // model folder: config.yaml + model(.fp16).safetensors
    std::string device = "auto"; // "auto" (cuda:0 when CUDA works, else cpu), "cpu", "cuda", "cuda:N"
    Precision precision = Precision::Fp16; // compute precision on CUDA; on the CPU the backend computes in float32
    WeightsPreference weights = WeightsPreference::Auto;
};

// Reads the configuration, validates the weights file against the configuration's manifest before building
// anything, converts the weights to the device and precision (progress on shape_generation/model_loading, step =
// tensors done) and returns the `hunyuan3d` backend. generate() may be called from several threads at once: the
// weights are read-only; on a CUDA device runs take turns (one at a time) so that two jobs never need twice the
// memory. Throws ModelError (bad folder, config or weights; pickle-only folders), DeviceError (no such device,
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
    std::string stage; // "schedule", "conditioner", "denoiser", "sampling", "vae", "geometry", "grid", "pipeline"
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

} // namespace orfeas
