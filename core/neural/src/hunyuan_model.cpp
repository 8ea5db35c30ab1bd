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
#include <map>
#include <string>
#include <thread>

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
    model->m_stepGraphs = std::make_shared<DenoiserGraphs>();
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
                        + (c.vae.geoHeads() > 0 && c.vae.geoWidth() % c.vae.geoHeads() == 0
                                    && fused::decoderAttentionServes(spec, c.vae.geoWidth() / c.vae.geoHeads())
                                ? "; geometry decoder: our attention kernel"
                                : "")
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

// The denoising loop's per-thread CUDA graphs (see sample()).
struct DenoiserGraphs {
    // The tensors one graph reads and writes, fixed in place between replays.
    struct State {
        at::Tensor latents; // float32 [B, N, C], updated in place by each step
        at::Tensor contexts; // the denoiser's condition input
        at::Tensor guidance; // guidance-distilled models: [rows] float32
        at::Tensor timestep; // [rows] float32: the scheduler's timestep (before dividing by num_train_timesteps)
        at::Tensor dt; // 0-dim float32: the step's sigma difference
        at::Tensor modulation; // guided pass: [1, W], the step's row of the denoiser's modulation table
        double guidanceScale = 0; // part of the recorded work (a kernel argument)
        bool guided = false;
        bool warmed = false; // the step ran once eagerly on this thread (lazy initialisation is done)
        gpu::CapturedGraph graph;
    };
    std::mutex mutex;
    // Per thread and batch size (a thread that samples one job's latents and, batched, several keeps both).
    std::map<std::pair<std::thread::id, std::int64_t>, std::shared_ptr<State>> byThread;
    bool failed = false; // a capture failed: the loop runs eagerly from then on
};

namespace {

constexpr std::size_t kMaxGraphStates = 12; // graph states (per thread and batch size) at most
// Diffusion steps queued on the GPU at most: enough to keep it busy while the thread sleeps, few enough that the
// other runs' work is not held back behind a whole loop.
constexpr int kStepsInFlight = 2;

std::string envOr(const char* name, const char* fallback)
{
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string(fallback);
}

bool sameShape(const at::Tensor& a, const at::Tensor& b)
{
    return a.defined() == b.defined() && (!a.defined() || (a.sizes() == b.sizes() && a.dtype() == b.dtype()));
}

// This thread's graph state for these shapes (its batch size among them) and this guidance scale, made if needed;
// null when a capture failed or too many states exist.
std::shared_ptr<DenoiserGraphs::State> graphState(DenoiserGraphs& graphs, const at::Tensor& latents,
    const at::Tensor& contexts, const at::Tensor& guidance, std::int64_t rows, double guidanceScale, bool guided,
    std::int64_t modulationWidth, at::ScalarType modulationType)
{
    const std::lock_guard<std::mutex> lock(graphs.mutex);
    if (graphs.failed)
        return {};
    const auto key = std::make_pair(std::this_thread::get_id(), latents.size(0));
    auto& slot = graphs.byThread[key];
    if (slot && sameShape(slot->latents, latents) && sameShape(slot->contexts, contexts)
        && sameShape(slot->guidance, guidance) && slot->timestep.size(0) == rows && slot->guided == guided
        && slot->guidanceScale == guidanceScale
        && (slot->modulation.defined() ? slot->modulation.size(1) : 0) == modulationWidth)
        return slot;
    if (!slot && graphs.byThread.size() > kMaxGraphStates) {
        graphs.byThread.erase(key);
        return {};
    }
    // New, or for other shapes or another guidance scale: the old graph (and its memory pool) goes.
    auto state = std::make_shared<DenoiserGraphs::State>();
    state->latents = at::empty_like(latents);
    state->contexts = at::empty_like(contexts);
    if (guidance.defined())
        state->guidance = at::empty_like(guidance);
    state->timestep = at::empty({ rows }, latents.options().dtype(at::kFloat));
    state->dt = at::empty({}, latents.options().dtype(at::kFloat));
    if (modulationWidth > 0)
        state->modulation = at::empty({ 1, modulationWidth }, latents.options().dtype(modulationType));
    state->guidanceScale = guidanceScale;
    state->guided = guided;
    slot = state;
    return state;
}

} // namespace

at::Tensor HunyuanModel::sample(const at::Tensor& noise, const at::Tensor& cond, const SamplingSchedule& schedule,
    double guidanceScale, RunContext& ctx, const std::function<void(int, int)>& onStep, bool reuseGraphs) const
{
    const auto opts = at::TensorOptions().dtype(m_spec.dtype).device(m_spec.device);
    const bool distilled = m_config.dit.guidanceEmbed;
    const bool cfg = guidanceScale >= 0 && !distilled;
    // A copy: the loop updates the latents in place, and the caller's noise must stay as it was.
    at::Tensor latents = noise.to(m_spec.device, at::kFloat, /*non_blocking=*/false, /*copy=*/true);
    const std::int64_t batch = latents.size(0);
    at::Tensor contexts = cond.to(opts);
    // Samples with guidance (one condition each): the denoiser's guided pass, which computes the all-zero
    // unconditional condition once instead of token by token (hunyuan_dit.h). ORFEAS_CFG_COMPRESS=0 runs the plain
    // batch [cond, zeros] instead; ORFEAS_CFG_VERIFY=1 also runs the plain batch at the first and last step and logs
    // how far the two differ.
    const bool guidedWanted = envOr("ORFEAS_CFG_COMPRESS", "1") != "0";
    const bool verify = envOr("ORFEAS_CFG_VERIFY", "0") == "1";
    const bool guided = cfg && guidedWanted && contexts.size(0) == batch;
    if (cfg && !guided)
        contexts = at::cat({ contexts, at::zeros_like(contexts) }, 0);
    const auto f32 = at::TensorOptions().dtype(at::kFloat).device(m_spec.device);
    at::Tensor guidance;
    if (distilled)
        guidance = at::full({ batch }, guidanceScale, f32);
    // Timestep rows: the guided pass takes one for all its samples.
    const std::int64_t rows = guided ? 1 : (cfg ? 2 * batch : batch);
    const int steps = int(schedule.timesteps.size());
    // The guided pass's modulation vectors depend on the timestep alone: all steps' at once, here.
    at::Tensor modulations;
    if (guided && steps > 0) {
        // timestep / num_train_timesteps in float32, as step() computes it.
        modulations = m_dit->modulationTable(at::tensor(schedule.timesteps, f32.device(at::kCPU)).to(m_spec.device)
            / m_config.scheduler.numTrainTimesteps);
    }
    const auto stepModulation = [&](int i) { return modulations.defined() ? modulations.narrow(0, i, 1) : at::Tensor(); };

    // One step from the float32 latents `lat`, updated in place: `timestep` [rows] holds the scheduler's timestep,
    // `dt` (0-dim) the sigma difference. All its inputs are tensors on the device, so that a CUDA graph of it can be
    // replayed for any step.
    const auto step = [&](at::Tensor& lat, const at::Tensor& timestep, const at::Tensor& dt, const at::Tensor& ctxs,
                          const at::Tensor& guid, const at::Tensor& modulation) {
        at::Tensor x = lat.to(m_spec.dtype);
        // timestep / num_train_timesteps, in float32 (the reference rounds it to the compute dtype first).
        const at::Tensor t = timestep / m_config.scheduler.numTrainTimesteps;
        at::Tensor v;
        if (guided) {
            v = m_dit->forwardGuided(x, t, ctxs, modulation);
        } else {
            if (cfg)
                x = at::cat({ x, x }, 0);
            v = m_dit->forward(x, t, ctxs, guid);
        }
        if (cfg) {
            const auto parts = v.chunk(2, 0);
            v = parts[1] + (parts[0] - parts[1]) * guidanceScale;
        }
        lat.add_(v.to(at::kFloat) * dt);
    };

    // CUDA graphs: on each thread (a device slot's, hunyuan_backend.cpp) the first step runs eagerly, which does
    // LibTorch's lazy set-up (cuBLAS handles, attention kernel checks); the next is recorded as a graph; every
    // later step, in this run and in the thread's later runs with the same shapes, replays it: one launch instead of
    // about a thousand. The arithmetic is the same. Off with ORFEAS_CUDA_GRAPHS=0, under ORFEAS_DIT_PROFILE (its
    // events need a host sync per pass) and ORFEAS_CFG_VERIFY, for low-VRAM runs (the graph keeps its memory), and
    // after a failed capture.
    std::shared_ptr<DenoiserGraphs::State> graph;
    if (reuseGraphs && m_stepGraphs && gpu::CapturedGraph::available(m_spec.device)
        && envOr("ORFEAS_CUDA_GRAPHS", "1") != "0" && envOr("ORFEAS_DIT_PROFILE", "").empty() && !verify)
        graph = graphState(*m_stepGraphs, latents, contexts, guidance, rows, guidanceScale, guided,
            modulations.defined() ? modulations.size(1) : 0,
            modulations.defined() ? modulations.scalar_type() : at::kFloat);
    if (graph) {
        graph->latents.copy_(latents);
        graph->contexts.copy_(contexts);
        if (guidance.defined())
            graph->guidance.copy_(guidance);
    }

    for (int i = 0; i < steps; ++i) {
        if (ctx.isCancelled())
            throw CancelledError(Stage::ShapeGeneration);
        RECORD_USER_SCOPE("diffusion_step");
        const double timestepValue = double(schedule.timesteps[std::size_t(i)]);
        const float dt = schedule.sigmas[std::size_t(i) + 1] - schedule.sigmas[std::size_t(i)];
        if (graph) {
            graph->timestep.fill_(timestepValue);
            graph->dt.fill_(double(dt));
            if (modulations.defined())
                graph->modulation.copy_(stepModulation(i));
            const auto eager = [&] {
                step(graph->latents, graph->timestep, graph->dt, graph->contexts, graph->guidance, graph->modulation);
            };
            if (graph->graph.captured()) {
                graph->graph.replay(kStepsInFlight);
            } else if (!graph->warmed) {
                eager();
                graph->warmed = true;
            } else {
                bool recorded = false;
                try {
                    graph->graph.capture(m_spec.device, eager);
                    recorded = true;
                } catch (const std::exception& e) {
                    ctx.log(LogLevel::Warning,
                        std::string("the diffusion step could not be recorded as a CUDA graph; it runs without: ")
                            + e.what());
                    const std::lock_guard<std::mutex> lock(m_stepGraphs->mutex);
                    m_stepGraphs->failed = true;
                    m_stepGraphs->byThread.clear();
                }
                if (recorded) {
                    ctx.log(LogLevel::Debug, "the diffusion step was recorded as a CUDA graph; the next steps replay it");
                    graph->graph.replay(kStepsInFlight);
                } else {
                    // Nothing of the failed capture ran: this step (and the rest) eagerly, from the static latents.
                    latents = graph->latents.clone();
                    graph.reset();
                    at::Tensor t = at::full({ rows }, timestepValue, f32);
                    step(latents, t, at::full({}, double(dt), f32), contexts, guidance, stepModulation(i));
                }
            }
        } else {
            const at::Tensor t = at::full({ rows }, timestepValue, f32);
            if (guided && verify && (i == 0 || i == steps - 1)) {
                const at::Tensor x = latents.to(m_spec.dtype);
                const at::Tensor tt = t / m_config.scheduler.numTrainTimesteps;
                const at::Tensor g = m_dit->forwardGuided(x, tt, contexts);
                const at::Tensor plain = m_dit->forward(
                    at::cat({ x, x }, 0), tt.repeat({ 2 * batch }), at::cat({ contexts, at::zeros_like(contexts) }, 0));
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
                        + relative(g[0], plain[0]) + " (conditional), " + relative(g[1], plain[1])
                        + " (unconditional), relative to the largest value; attention with log-sum-exp: "
                        + (m_spec.isCuda() ? attentionWithLseKernelName() : "direct"));
            }
            step(latents, t, at::full({}, double(dt), f32), contexts, guidance, stepModulation(i));
        }
        if (onStep)
            onStep(i + 1, steps);
    }
    if (graph)
        latents = graph->latents.clone(); // the thread's next run overwrites the static latents
    return latents;
}

at::Tensor HunyuanModel::decodeLatents(const at::Tensor& latents) const
{
    return m_vae->decode(latents);
}

} // namespace orfeas::neural
