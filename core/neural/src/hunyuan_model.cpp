#include "hunyuan_model.h"

#include "orfeas/errors.h"

#include "dit_fused.h"
#include "gpu_runtime.h"
#include "weight_loading.h"

#include <ATen/record_function.h>
#include <ATen/CPUGeneratorImpl.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace orfeas::neural {

namespace {

std::string folderName(const std::string& folder)
{
    std::filesystem::path p(folder);
    if (p.filename().empty())
        p = p.parent_path();
    const std::string name = p.filename().string();
    return name.empty() ? folder : name;
}

} // namespace

std::shared_ptr<const HunyuanModel> HunyuanModel::load(const HunyuanLoadOptions& options, RunContext& ctx)
{
    namespace fs = std::filesystem;
    if (options.modelPath.empty())
        throw ModelError("no model folder was given");
    std::error_code ec;
    if (!fs::is_directory(options.modelPath, ec))
        throw ModelError("the model folder does not exist or is not a folder", options.modelPath);
    const std::string configPath = (fs::path(options.modelPath) / "config.yaml").string();
    if (!fs::is_regular_file(configPath, ec))
        throw ModelError("the model folder has no config.yaml", options.modelPath);

    std::shared_ptr<HunyuanModel> model(new HunyuanModel());
    model->m_config = loadHunyuanModelConfig(configPath);
    std::string note;
    model->m_weightsPath = locateWeightsFile(options.modelPath, options.weights, &note);
    if (!note.empty())
        ctx.log(LogLevel::Info, note);

    try {
        const InferenceScope inference;
        ComputeSpec& spec = model->m_spec;
        spec.device = resolveDevice(options.device);
        spec.deviceName = deviceLabel(spec.device);
        spec.dtype = scalarTypeOf(options.precision);
        if (!spec.isCuda() && spec.dtype != at::kFloat) {
            // Half-precision kernels on the CPU are slow or missing (LibTorch 1.13): compute in float32 there.
            ctx.log(LogLevel::Info,
                std::string("the CPU computes in fp32 (") + scalarTypeName(spec.dtype) + " was asked for)");
            spec.dtype = at::kFloat;
        }
        LoadedWeights loaded = loadWeights(model->m_weightsPath, hunyuanParameterManifest(model->m_config), spec, ctx);
        // The modules hold the tensors; the store goes when loading ends, so that a module's weights can move
        // (the conditioner's in low-VRAM mode) without a second reference keeping them on the device.
        const WeightStore& weights = loaded.store;
        const HunyuanModelConfig& c = model->m_config;
        std::string attention;
        if (spec.isCuda())
            attention = fused::configureAttention(spec); // before the first attention call
        model->m_conditioner.emplace(c.conditioner, weights, spec);
        model->m_dit.emplace(c.dit, weights, spec);
        model->m_vae.emplace(c.vae, weights, spec);
        model->m_geometry.emplace(c.vae, weights, spec);
        const std::string fileDtype = loaded.fileDtype == "F16" ? "fp16"
            : loaded.fileDtype == "F32"                         ? "fp32"
            : loaded.fileDtype == "BF16"                        ? "bf16"
                                                                : loaded.fileDtype;
        model->m_description = folderName(options.modelPath) + " (" + fileDtype + " weights, "
            + scalarTypeName(spec.dtype) + " on " + spec.deviceName
            + (spec.isCuda() ? std::string("; denoiser ") + (model->m_dit->fused() ? "fused" : "unfused")
                        + ", attention: " + attention
                             : std::string())
            + ")";
    } catch (...) {
        rethrowAsEngineError("model loading");
    }
    if (options.lowVram && model->m_spec.isCuda()) {
        // The weight store is gone by now: the conditioner's device copies are its only references.
        try {
            model->m_conditioner = model->m_conditioner->offloaded();
        } catch (...) {
            rethrowAsEngineError("model loading");
        }
        gpu::releaseCachedMemory(model->m_spec.device);
        ctx.log(LogLevel::Debug, "low VRAM: the conditioner was moved to host memory after loading");
    }
    return model;
}

at::Tensor HunyuanModel::condition(const at::Tensor& image, bool lowVram) const
{
    const std::lock_guard<std::mutex> lock(m_conditionerMutex);
    if (lowVram && !m_conditioner->isOffloaded()) {
        m_conditioner = m_conditioner->offloaded();
        gpu::releaseCachedMemory(m_spec.device); // the device copies are free now: give them back
    } else if (!lowVram && m_conditioner->isOffloaded()) {
        m_conditioner = m_conditioner->resident();
    }
    return m_conditioner->encode(image);
}

bool HunyuanModel::conditionerOffloaded() const
{
    const std::lock_guard<std::mutex> lock(m_conditionerMutex);
    return m_conditioner->isOffloaded();
}

at::Tensor HunyuanModel::denoise(
    const at::Tensor& x, const at::Tensor& t, const at::Tensor& cond, const at::Tensor& guidance) const
{
    return m_dit->forward(x, t, cond, guidance);
}

at::Tensor HunyuanModel::initialNoise(std::uint64_t seed) const
{
    at::Generator generator = at::detail::createCPUGenerator(seed);
    return at::randn({ 1, m_config.vae.numLatents, m_config.vae.embedDim }, generator,
        at::TensorOptions().dtype(at::kFloat).device(at::kCPU));
}

at::Tensor HunyuanModel::sample(const at::Tensor& noise, const at::Tensor& cond, const SamplingSchedule& schedule,
    double guidanceScale, RunContext& ctx, const std::function<void(int, int)>& onStep) const
{
    const auto opts = at::TensorOptions().dtype(m_spec.dtype).device(m_spec.device);
    const bool distilled = m_config.dit.guidanceEmbed;
    const bool cfg = guidanceScale >= 0 && !distilled;
    at::Tensor latents = noise.to(m_spec.device, at::kFloat);
    const std::int64_t batch = latents.size(0);
    at::Tensor contexts = cond.to(opts);
    // One sample with guidance: the denoiser's guided pass, which computes the all-zero unconditional condition
    // once instead of token by token (hunyuan_dit.h). ORFEAS_CFG_COMPRESS=0 runs the plain batch of two instead;
    // ORFEAS_CFG_VERIFY=1 also runs the plain batch at the first and last step and logs how far the two differ.
    const char* compress = std::getenv("ORFEAS_CFG_COMPRESS");
    const bool guidedWanted = !(compress && std::string(compress) == "0");
    const char* verifyEnv = std::getenv("ORFEAS_CFG_VERIFY");
    const bool verify = verifyEnv && std::string(verifyEnv) == "1";
    const bool guided = cfg && guidedWanted && batch == 1 && contexts.size(0) == 1;
    const at::Tensor conditional = contexts;
    if (cfg && !guided)
        contexts = at::cat({ contexts, at::zeros_like(contexts) }, 0);
    const auto f32 = at::TensorOptions().dtype(at::kFloat).device(m_spec.device);
    at::Tensor guidance;
    if (distilled)
        guidance = at::full({ batch }, guidanceScale, f32);

    const int steps = int(schedule.timesteps.size());
    for (int i = 0; i < steps; ++i) {
        if (ctx.isCancelled())
            throw CancelledError(Stage::ShapeGeneration);
        RECORD_USER_SCOPE("diffusion_step");
        at::Tensor x = latents.to(m_spec.dtype);
        // timestep / num_train_timesteps, in float32 (the reference rounds it to the compute dtype first).
        const auto timestep = [&](std::int64_t rows) {
            return at::full({ rows }, double(schedule.timesteps[std::size_t(i)]), f32)
                / m_config.scheduler.numTrainTimesteps;
        };
        at::Tensor v;
        if (guided) {
            v = m_dit->forwardGuided(x, timestep(1), conditional);
            if (verify && (i == 0 || i == steps - 1)) {
                const at::Tensor plain = m_dit->forward(
                    at::cat({ x, x }, 0), timestep(2), at::cat({ conditional, at::zeros_like(conditional) }, 0));
                const auto relative = [](const at::Tensor& a, const at::Tensor& b) {
                    const at::Tensor bf = b.to(at::kFloat);
                    const double r
                        = ((a.to(at::kFloat) - bf).abs().max() / bf.abs().max().clamp_min(1e-30)).item<double>();
                    char text[32];
                    std::snprintf(text, sizeof text, "%.3g", r);
                    return std::string(text);
                };
                ctx.log(LogLevel::Debug,
                    "guided denoiser pass at step " + std::to_string(i + 1) + ": max difference from the plain batch "
                        + relative(v[0], plain[0]) + " (conditional), " + relative(v[1], plain[1])
                        + " (unconditional), relative to the largest value; attention with log-sum-exp: "
                        + (m_spec.isCuda() ? attentionWithLseKernelName() : "direct"));
            }
        } else {
            if (cfg)
                x = at::cat({ x, x }, 0);
            v = m_dit->forward(x, timestep(x.size(0)), contexts, guidance);
        }
        if (cfg) {
            const auto parts = v.chunk(2, 0);
            v = parts[1] + (parts[0] - parts[1]) * guidanceScale;
        }
        const float dt = schedule.sigmas[std::size_t(i) + 1] - schedule.sigmas[std::size_t(i)];
        latents = latents + v.to(at::kFloat) * double(dt);
        if (onStep)
            onStep(i + 1, steps);
    }
    return latents;
}

at::Tensor HunyuanModel::decodeLatents(const at::Tensor& latents) const
{
    return m_vae->decode(latents);
}

} // namespace orfeas::neural
