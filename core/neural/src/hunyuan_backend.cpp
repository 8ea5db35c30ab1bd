// The `hunyuan3d` shape backend: image -> conditioner -> flow-matching sampling -> ShapeVAE -> dense volume.

#include "orfeas/errors.h"
#include "orfeas/neural.h"
#include "orfeas/profiler.h"

#include "hunyuan_model.h"
#include "projection_fit.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <torch/version.h>

namespace orfeas {

namespace {

using namespace neural;

constexpr double kBounds = 1.01; // the reference's box_v
// Shares of the shape_generation stage, for progress fractions.
constexpr double kConditioningEnd = 0.02;
constexpr double kSamplingEnd = 0.62;
constexpr double kVaeEnd = 0.64;

// The preprocessed image as the reference's array_to_tensor makes it: [1, 3, H, W], p / 255 * 2 - 1 in float32.
at::Tensor imageTensor(const ImageRGBA8& image)
{
    at::Tensor t = at::empty({ 1, 3, image.height, image.width }, at::kFloat);
    float* out = t.data_ptr<float>();
    const std::size_t plane = std::size_t(image.width) * std::size_t(image.height);
    for (std::size_t i = 0; i < plane; ++i) {
        for (std::size_t c = 0; c < 3; ++c)
            out[c * plane + i] = float(image.pixels[i * 4 + c]) / 255.0f * 2.0f - 1.0f;
    }
    return t;
}

class Hunyuan3DBackend final : public ShapeBackend {
public:
    explicit Hunyuan3DBackend(std::shared_ptr<const HunyuanModel> model)
        : m_model(std::move(model))
    {
    }

    std::string name() const override { return "hunyuan3d"; }

    ShapeResult generate(const PreprocessedImage& image, const JobSettings& settings, RunContext& ctx) override;

private:
    // On a GPU, runs take turns: concurrent runs would only compete for the same device and double the memory.
    std::unique_lock<std::timed_mutex> acquireDevice(RunContext& ctx);

    std::shared_ptr<const HunyuanModel> m_model;
    std::timed_mutex m_deviceMutex;
};

std::unique_lock<std::timed_mutex> Hunyuan3DBackend::acquireDevice(RunContext& ctx)
{
    std::unique_lock<std::timed_mutex> lock(m_deviceMutex, std::defer_lock);
    if (!m_model->spec().isCuda())
        return lock;
    bool logged = false;
    while (!lock.try_lock_for(std::chrono::milliseconds(100))) {
        ctx.throwIfCancelled(Stage::ShapeGeneration);
        if (!logged) {
            ctx.log(LogLevel::Info, "waiting for " + m_model->spec().deviceName + " (another run is using it)");
            logged = true;
        }
    }
    return lock;
}

ShapeResult Hunyuan3DBackend::generate(const PreprocessedImage& image, const JobSettings& settings, RunContext& ctx)
{
    if (!image.image.isValid())
        throw BadInputError("the preprocessed image is empty", {}, Stage::ShapeGeneration);
    if (settings.steps < 1 || settings.steps > Limits::kMaxSteps)
        throw ConfigError("steps must be between 1 and " + std::to_string(Limits::kMaxSteps) + " (got "
            + std::to_string(settings.steps) + ")");
    if (settings.octreeResolution < 2 || settings.octreeResolution > Limits::kMaxResolution)
        throw ConfigError("the octree resolution must be between 2 and " + std::to_string(Limits::kMaxResolution)
            + " (got " + std::to_string(settings.octreeResolution) + ")");
    if (settings.chunkSize < 0)
        throw ConfigError("the chunk size must not be negative");
    const HunyuanModel& model = *m_model;
    const SamplingSchedule schedule = computeSamplingSchedule(model.config().scheduler, settings.steps);
    std::vector<std::string> warnings;
    if (settings.decoder == DecoderMode::Hierarchical) {
        warnings.push_back("hierarchical volume decoding is not available in the neural backend yet: the dense grid "
                           "was decoded");
        ctx.log(LogLevel::Info, warnings.back());
    }
    if (model.spec().isCuda() && scalarTypeOf(settings.precision) != model.spec().dtype)
        ctx.log(LogLevel::Debug,
            "the model was loaded for " + std::string(scalarTypeName(model.spec().dtype))
                + "; the precision setting applies when a model is loaded");

    const auto lock = acquireDevice(ctx);
    const InferenceScope inference;
    const Stage stage = Stage::ShapeGeneration;
    Profiler& profiler = ctx.profiler();
    std::string during = "conditioning";
    ShapeResult result;
    try {
        ctx.progressStep(stage, "conditioning", 0, 0, 0.0, "encoding the image");
        at::Tensor cond;
        {
            const ScopedTimer timer(profiler, "shape_generation/conditioning");
            cond = model.condition(imageTensor(image.image));
            requireFinite(cond, during);
        }
        ctx.throwIfCancelled(stage);

        during = "diffusion sampling";
        at::Tensor latents;
        {
            const ScopedTimer timer(profiler, "shape_generation/diffusion_sampling");
            const int steps = settings.steps;
            ctx.progressStep(
                stage, "diffusion_sampling", 0, steps, kConditioningEnd, "diffusion step 0/" + std::to_string(steps));
            latents = model.sample(
                model.initialNoise(settings.seed), cond, schedule, settings.guidance, ctx, [&](int done, int total) {
                    ctx.progressStep(stage, "diffusion_sampling", done, total,
                        kConditioningEnd + (kSamplingEnd - kConditioningEnd) * done / total,
                        "diffusion step " + std::to_string(done) + "/" + std::to_string(total));
                });
            requireFinite(latents, during);
        }

        during = "VAE decoding";
        at::Tensor decoded;
        {
            const ScopedTimer timer(profiler, "shape_generation/vae_decoding");
            ctx.progressStep(stage, "vae_decoding", 0, 0, kSamplingEnd, "decoding the latents");
            decoded = model.decodeLatents(latents);
            requireFinite(decoded, during);
        }
        ctx.throwIfCancelled(stage);

        during = "volume decoding";
        {
            const ScopedTimer timer(profiler, "shape_generation/volume_decoding");
            DenseGridRequest request;
            request.resolution = settings.octreeResolution;
            request.bounds = kBounds;
            request.chunkSize = settings.chunkSize;
            const GeometryKeys keys = model.geometry().prepare(decoded);
            Volume& v = result.volume;
            v.values = decodeDenseGrid(model.geometry(), keys, request, ctx, [&](int done, int total) {
                ctx.progressStep(stage, "volume_decoding", done, total, kVaeEnd + (1.0 - kVaeEnd) * done / total,
                    "volume decoding chunk " + std::to_string(done) + "/" + std::to_string(total));
            });
            v.nx = v.ny = v.nz = settings.octreeResolution + 1;
            v.origin = { float(-kBounds), float(-kBounds), float(-kBounds) };
            const float spacing = float(2.0 * kBounds / settings.octreeResolution);
            v.spacing = { spacing, spacing, spacing };
            v.pointsEvaluated = std::int64_t(v.pointCount());
        }
    } catch (...) {
        rethrowAsEngineError(during);
    }
    // The volume's axes are already the engine's (+X right, +Y up, +Z towards the viewer): no conversion.
    result.level = 0.0f;
    result.frame = fitProjectionFrame(result.volume, result.level, image.mask, settings.borderRatio);
    result.backendName = "hunyuan3d";
    result.modelDescription = model.description();
    result.warnings = std::move(warnings);
    return result;
}

} // namespace

std::shared_ptr<ShapeBackend> loadHunyuan3DBackend(const HunyuanLoadOptions& options, RunContext& ctx)
{
    ctx.progressStep(Stage::ShapeGeneration, "model_loading", 0, 0, 0.0, "loading " + options.modelPath);
    std::shared_ptr<const HunyuanModel> model;
    {
        const ScopedTimer timer(ctx.profiler(), "shape_generation/model_loading");
        model = HunyuanModel::load(options, ctx);
    }
    ctx.log(LogLevel::Info, "loaded " + model->description() + " from " + model->weightsPath());
    return std::make_shared<Hunyuan3DBackend>(std::move(model));
}

NeuralRuntimeInfo neuralRuntimeInfo()
{
    NeuralRuntimeInfo info;
    info.available = true;
    info.torchVersion = TORCH_VERSION;
    try {
        info.cudaAvailable = at::hasCUDA();
        info.cudaDeviceCount = info.cudaAvailable ? int(at::detail::getCUDAHooks().getNumGPUs()) : 0;
    } catch (const std::exception& e) {
        info.cudaAvailable = false;
        info.detail = e.what();
    }
    for (int i = 0; i < info.cudaDeviceCount; ++i) {
        std::string name = cudaDeviceName(i);
        info.cudaDeviceNames.push_back(name.empty() ? "CUDA device " + std::to_string(i) : name);
    }
    if (!info.cudaAvailable && info.detail.empty())
        info.detail = "CUDA is not available (LibTorch without CUDA, or no NVIDIA driver or device)";
    return info;
}

} // namespace orfeas
