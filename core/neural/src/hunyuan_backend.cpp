// The `hunyuan3d` shape backend: image -> conditioner -> flow-matching sampling -> ShapeVAE -> volume (dense or
// hierarchical), kept on the GPU for CUDA runs.

#include "orfeas/errors.h"
#include "orfeas/neural.h"
#include "orfeas/profiler.h"

#include "batch_rendezvous.h"
#include "dit_fused.h"
#include "gpu_runtime.h"
#include "hunyuan_model.h"
#include "projection_fit.h"
#include "torch_trace.h"
#include "volume_decoding.h"

#include <ATen/record_function.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <torch/version.h>
#include <utility>
#include <vector>

namespace orfeas {

namespace {

using namespace neural;

constexpr double kBounds = 1.01; // the reference's box_v
// Shares of the shape_generation stage, for progress fractions.
constexpr double kConditioningEnd = 0.02;
constexpr double kSamplingEnd = 0.62;
constexpr double kVaeEnd = 0.64;

// How a decoded volume differs from another of the same grid (the verification aids' log lines).
std::string volumeDifference(const at::Tensor& volume, const at::Tensor& other, float level)
{
    const at::Tensor diff = (volume - other).abs();
    return std::to_string(volume.gt(level).ne(other.gt(level)).sum().item<std::int64_t>())
        + " grid points on the other side of the level, " + std::to_string(volume.eq(other).sum().item<std::int64_t>())
        + " of " + std::to_string(volume.numel()) + " values identical, largest difference "
        + std::to_string(diff.max().item<double>()) + ", mean difference " + std::to_string(diff.mean().item<double>())
        + ", mean |value| " + std::to_string(other.abs().mean().item<double>());
}

// The preprocessed image as the reference's array_to_tensor makes it: [1, 3, H, W], p / 255 * 2 - 1 in float32.
bool hostVolumeRequested()
{
    // ORFEAS_HOST_VOLUME=1: return the volume in host memory from CUDA runs too (for comparisons and tests).
    const char* text = std::getenv("ORFEAS_HOST_VOLUME");
    return text && std::string(text) == "1";
}

int envInt(const char* name, int fallback)
{
    const char* text = std::getenv(name);
    if (!text || !*text)
        return fallback;
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    return end && *end == '\0' ? int(v) : fallback;
}

// Hierarchical decoding's safety margins (volume_decoding.h), adjustable for benchmarks and experiments through
// ORFEAS_HIERARCHICAL_THRESHOLD (factor, > 0) and ORFEAS_HIERARCHICAL_BAND (cells, 0..4).
HierarchicalOptions hierarchicalOptions()
{
    HierarchicalOptions o;
    if (const char* t = std::getenv("ORFEAS_HIERARCHICAL_THRESHOLD")) {
        char* end = nullptr;
        const double f = std::strtod(t, &end);
        if (end && *end == '\0' && f > 0 && f < 100)
            o.thresholdFactor = f;
    }
    const int band = envInt("ORFEAS_HIERARCHICAL_BAND", o.band);
    if (band >= 0 && band <= 4)
        o.band = band;
    return o;
}

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

// Admission of runs to a CUDA device. Each run queues its work on a stream of its own (gpu::RunStream), so
// several runs can share the GPU; `capacity` of them at once (ORFEAS_GPU_CONCURRENT_RUNS, else 2 on devices of
// 40 GB or more and 1 below, 1 without per-run streams). A low-VRAM run takes the device alone. Waiting keeps
// polling the caller's cancel flag. Each admitted run gets the lowest free slot number, which picks its stream:
// the caching allocator keeps freed blocks per stream, so a run on the stream of an earlier one reuses that run's
// memory instead of reserving its own.
class DeviceSlots {
public:
    explicit DeviceSlots(int capacity)
        : m_busy(std::size_t(std::max(capacity, 1)), false)
    {
    }
    int capacity() const { return int(m_busy.size()); }

    class Slot {
    public:
        Slot() = default;
        Slot(DeviceSlots* owner, int index, bool exclusive)
            : m_owner(owner)
            , m_index(index)
            , m_exclusive(exclusive)
        {
        }
        Slot(Slot&& o) noexcept
            : m_owner(std::exchange(o.m_owner, nullptr))
            , m_index(o.m_index)
            , m_exclusive(o.m_exclusive)
        {
        }
        Slot& operator=(Slot&&) = delete;
        ~Slot()
        {
            if (m_owner)
                m_owner->release(m_index, m_exclusive);
        }
        int index() const { return m_index; }

    private:
        DeviceSlots* m_owner = nullptr;
        int m_index = 0;
        bool m_exclusive = false;
    };

    Slot acquire(bool exclusive, const std::string& deviceName, RunContext& ctx)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        bool logged = false;
        while (!available(exclusive)) {
            m_changed.wait_for(lock, std::chrono::milliseconds(100));
            if (ctx.isCancelled())
                throw CancelledError(Stage::ShapeGeneration);
            if (!logged && !available(exclusive)) {
                ctx.log(LogLevel::Info, "waiting for " + deviceName + " (other runs are using it)");
                logged = true;
            }
        }
        if (exclusive) {
            std::fill(m_busy.begin(), m_busy.end(), true);
            return Slot(this, 0, true);
        }
        const auto free = std::find(m_busy.begin(), m_busy.end(), false);
        *free = true;
        return Slot(this, int(free - m_busy.begin()), false);
    }

private:
    bool available(bool exclusive) const
    {
        return exclusive ? std::none_of(m_busy.begin(), m_busy.end(), [](bool b) { return b; })
                         : std::find(m_busy.begin(), m_busy.end(), false) != m_busy.end();
    }
    void release(int index, bool exclusive)
    {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            if (exclusive)
                std::fill(m_busy.begin(), m_busy.end(), false);
            else
                m_busy[std::size_t(index)] = false;
        }
        m_changed.notify_all();
    }

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<bool> m_busy; // one flag per slot; its size is the capacity
};

int concurrentRunsFor(const ComputeSpec& spec)
{
    if (!spec.isCuda())
        return 64; // the CPU: runs are independent (each slot has a thread, see SlotThreads)
    if (!gpu::features().streams)
        return 1; // one shared stream: a second run would only interleave with the first
    const int configured = envInt("ORFEAS_GPU_CONCURRENT_RUNS", 0);
    if (configured > 0)
        return std::min(configured, 8);
    std::size_t freeBytes = 0, totalBytes = 0;
    const int index = spec.device.has_index() ? spec.device.index() : 0;
    if (cudaMemoryInfo(index, freeBytes, totalBytes) && totalBytes >= (std::size_t(40) << 30))
        return 2;
    return 1;
}

// Cross-job batching of diffusion sampling (batch_rendezvous.h): runs whose settings match sample in one loop, up to
// as many as the device admits at once. Opt-in with ORFEAS_BATCH_SAMPLING=1: on an H200 a batched loop took 2-4 %
// less time per image than a loop alone, but concurrent runs already fill the GPU and a batch changes the results
// by rounding (a job's mesh would depend on which jobs it met), so the default is off (docs/benchmarks.md, session
// 10). ORFEAS_BATCH_SAMPLING_WINDOW_MS bounds how long a run waits for the others (default 500);
// ORFEAS_BATCH_SAMPLING_MIN=N makes a leader wait (within the window) for N runs even when none is on its way yet
// (benchmarks of batched sampling).
struct SamplingKey {
    int steps = 0;
    double guidance = 0;
    bool operator==(const SamplingKey& o) const { return steps == o.steps && guidance == o.guidance; }
};
struct SamplingInput {
    at::Tensor noise; // [1, N, C] float32 on the host
    at::Tensor cond; // [1, M, Cc] on the device, its work completed
};
using SamplingRendezvous = BatchRendezvous<SamplingKey, SamplingInput, at::Tensor>;

SamplingRendezvous::Options samplingBatchOptions(int capacity)
{
    SamplingRendezvous::Options o;
    const bool on = envInt("ORFEAS_BATCH_SAMPLING", 0) == 1;
    o.maxBatch = on ? capacity : 1;
    o.window = std::chrono::milliseconds(std::max(0, envInt("ORFEAS_BATCH_SAMPLING_WINDOW_MS", 500)));
    o.minBatch = std::clamp(envInt("ORFEAS_BATCH_SAMPLING_MIN", 1), 1, std::max(1, o.maxBatch));
    return o;
}

// A sub-stage of shape_generation: wall time, and GPU time between two CUDA events on the run's stream; both are
// added to the profiler when the scope ends (also during unwinding).
class SubStage {
public:
    SubStage(RunContext& ctx, Profiler& profiler, const char* name, const at::Device& device, gpu::PeakMemory& peak)
        : m_ctx(ctx)
        , m_profiler(profiler)
        , m_path(std::string("shape_generation/") + name)
        , m_start(std::chrono::steady_clock::now())
        , m_events(device)
        , m_peak(peak)
    {
        if (m_record.isActive())
            m_record.before(m_path); // a range in ORFEAS_TORCH_TRACE's traces
    }
    ~SubStage()
    {
        m_events.stop();
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        m_profiler.add(m_path, wall, m_events.seconds());
        m_peak.sample();
        const double mb = m_peak.peakMB();
        if (mb >= 0)
            m_ctx.log(LogLevel::Debug, m_path + ": peak GPU memory of the run so far " + std::to_string(int(mb)) + " MB");
    }
    SubStage(const SubStage&) = delete;
    SubStage& operator=(const SubStage&) = delete;

private:
    RunContext& m_ctx;
    Profiler& m_profiler;
    std::string m_path;
    std::chrono::steady_clock::time_point m_start;
    gpu::EventTimer m_events;
    gpu::PeakMemory& m_peak;
    at::RecordFunction m_record { at::RecordScope::USER_SCOPE };
};

// The GPU work of a run is done by a thread that belongs to its device slot, not by the caller's thread. LibTorch
// keeps state per thread that a thread's first run builds: cuDNN's execution graphs (85-95 ms each on the H100),
// the cuBLAS handles and their workspaces. With one thread per slot that is built once per slot for the backend's
// lifetime, whichever job worker calls generate(); before, a run on a job worker new to the device paid it again.
class SlotThreads {
public:
    SlotThreads() = default;
    SlotThreads(const SlotThreads&) = delete;
    SlotThreads& operator=(const SlotThreads&) = delete;
    ~SlotThreads()
    {
        for (auto& w : m_workers) {
            {
                const std::lock_guard<std::mutex> lock(w->mutex);
                w->stop = true;
            }
            w->wake.notify_one();
            w->thread.join();
        }
    }

    // Runs fn on slot `slot`'s thread (started on first use) and returns its result or rethrows its exception.
    // The caller holds the slot, so a slot's thread has one task at a time.
    template <typename Fn> auto run(int slot, Fn&& fn) -> decltype(fn())
    {
        // Shared with the worker: the caller may return as soon as the result is stored, while the worker is
        // still leaving the task's call operator.
        auto task = std::make_shared<std::packaged_task<decltype(fn())()>>(std::forward<Fn>(fn));
        auto result = task->get_future();
        Worker& w = worker(slot);
        {
            const std::lock_guard<std::mutex> lock(w.mutex);
            w.task = [task] { (*task)(); };
        }
        w.wake.notify_one();
        return result.get();
    }

private:
    struct Worker {
        std::mutex mutex;
        std::condition_variable wake;
        std::function<void()> task;
        bool stop = false;
        std::thread thread;
    };

    Worker& worker(int slot)
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        while (int(m_workers.size()) <= slot)
            m_workers.push_back(nullptr);
        auto& w = m_workers[std::size_t(slot)];
        if (!w) {
            w = std::make_unique<Worker>();
            Worker* self = w.get();
            self->thread = std::thread([self] {
                std::unique_lock<std::mutex> lock(self->mutex);
                for (;;) {
                    self->wake.wait(lock, [self] { return self->stop || self->task; });
                    if (self->stop)
                        return;
                    std::function<void()> task = std::move(self->task);
                    self->task = nullptr;
                    lock.unlock();
                    task(); // a packaged_task: its exception goes to the caller's future
                    lock.lock();
                }
            });
        }
        return *w;
    }

    std::mutex m_mutex;
    std::vector<std::unique_ptr<Worker>> m_workers;
};

// Low-VRAM mode: decoding chunks of at most this many points (about 0.25 GB of intermediates at full size in fp16).
constexpr std::int64_t kLowVramChunk = 8192;

class Hunyuan3DBackend final : public ShapeBackend {
public:
    explicit Hunyuan3DBackend(std::shared_ptr<const HunyuanModel> model)
        : m_model(std::move(model))
        , m_slots(concurrentRunsFor(m_model->spec()))
        , m_batcher(samplingBatchOptions(m_slots.capacity()))
    {
    }

    std::string name() const override { return "hunyuan3d"; }

    ShapeResult generate(const PreprocessedImage& image, const JobSettings& settings, RunContext& ctx) override;

private:
    // Sampling through the rendezvous (on the run's slot thread): alone, as the leader of a batch, or as a follower
    // that gets its rows from a leader.
    at::Tensor sampleInBatch(const at::Tensor& noise, const at::Tensor& cond, const SamplingSchedule& schedule,
        const JobSettings& settings, RunContext& ctx, SamplingRendezvous::Expected& expected,
        const std::function<void(int, int)>& onStep, const std::function<at::Tensor()>& sampleAlone);

    std::shared_ptr<const HunyuanModel> m_model;
    DeviceSlots m_slots;
    SamplingRendezvous m_batcher;
    SlotThreads m_slotThreads; // declared last: its threads are joined first
};

at::Tensor Hunyuan3DBackend::sampleInBatch(const at::Tensor& noise, const at::Tensor& cond,
    const SamplingSchedule& schedule, const JobSettings& settings, RunContext& ctx,
    SamplingRendezvous::Expected& expected, const std::function<void(int, int)>& onStep,
    const std::function<at::Tensor()>& sampleAlone)
{
    const HunyuanModel& model = *m_model;
    const at::Device device = model.spec().device;
    // The condition is read by a leader on its own stream: its work must be complete.
    gpu::synchronize(device);
    const auto start = std::chrono::steady_clock::now();
    auto turn = m_batcher.join(
        SamplingKey { settings.steps, settings.guidance }, SamplingInput { noise, cond }, expected,
        [&] { return ctx.isCancelled(); }, onStep);
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    using Role = SamplingRendezvous::Role;
    // A leader's (or a run left alone's) wait for others; a follower's wait is its sampling (the others, the loop).
    if ((turn.role() == Role::Leader || turn.role() == Role::Alone) && waited > 0.001)
        ctx.profiler().add("shape_generation/diffusion_sampling/batch_wait", waited);
    switch (turn.role()) {
    case Role::Cancelled:
        throw CancelledError(Stage::ShapeGeneration);
    case Role::Alone:
        return sampleAlone();
    case Role::Follower: {
        if (!turn.output()) {
            ctx.log(LogLevel::Info, "the run that was to sample this job's latents in a batch gave up; sampling alone");
            return sampleAlone();
        }
        ctx.log(LogLevel::Debug,
            "diffusion sampling: this job's latents were sampled in one loop with " + std::to_string(turn.others())
                + " other job(s) (waited " + std::to_string(int(waited * 1000)) + " ms)");
        return turn.output()->to(device);
    }
    case Role::Leader:
        break;
    }
    std::vector<at::Tensor> noises, conds;
    for (const SamplingInput& in : turn.inputs()) {
        noises.push_back(in.noise);
        conds.push_back(in.cond);
    }
    at::Tensor batch;
    try {
        batch = model.sample(
            at::cat(noises, 0), at::cat(conds, 0), schedule, settings.guidance, ctx, [&](int done, int total) {
                onStep(done, total);
                turn.progress(done, total);
            });
    } catch (const CancelledError&) {
        throw; // the turn gives the batch up: the others sample alone
    } catch (const std::exception& e) {
        ctx.log(LogLevel::Warning,
            std::string("sampling a batch of ") + std::to_string(noises.size())
                + " jobs failed; each samples alone: " + e.what());
        turn.abandon();
        return sampleAlone();
    }
    // The followers' rows through the host: they continue on their own streams (a synchronous copy).
    std::vector<at::Tensor> outputs { at::Tensor() };
    for (std::int64_t i = 1; i < batch.size(0); ++i)
        outputs.push_back(batch.narrow(0, i, 1).to(at::kCPU));
    turn.finish(std::move(outputs));
    ctx.log(LogLevel::Debug,
        "diffusion sampling: one loop for this job and " + std::to_string(turn.others()) + " other job(s) (waited "
            + std::to_string(int(waited * 1000)) + " ms)");
    return batch.narrow(0, 0, 1).contiguous();
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
    const ComputeSpec& spec = model.spec();
    const at::Device device = spec.device;
    const SamplingSchedule schedule = computeSamplingSchedule(model.config().scheduler, settings.steps);
    std::vector<std::string> warnings;
    if (spec.isCuda() && scalarTypeOf(settings.precision) != spec.dtype)
        ctx.log(LogLevel::Debug,
            "the model was loaded for " + std::string(scalarTypeName(spec.dtype))
                + "; the precision setting applies when a model is loaded");

    // Counted from here (waiting for a slot too) as a run that other runs' sampling may wait for.
    auto expected = m_batcher.expect();
    const auto slot = m_slots.acquire(settings.lowVram, spec.deviceName, ctx);
    // Everything below runs on the slot's own thread (SlotThreads; on the CPU too, where it costs a thread switch).
    const auto run = [&]() -> ShapeResult {
        const InferenceScope inference;
        const gpu::RunStream stream(device, slot.index());
        gpu::PeakMemory peak(device);
        const TraceSession trace(ctx);
        const Stage stage = Stage::ShapeGeneration;
        Profiler& profiler = ctx.profiler();
        std::string during = "conditioning";
        ShapeResult result;
        const float level = 0.0f;
        try {
            ctx.progressStep(stage, "conditioning", 0, 0, 0.0, "encoding the image");
            at::Tensor cond;
            {
                const SubStage timer(ctx, profiler, "conditioning", device, peak);
                cond = model.condition(imageTensor(image.image), settings.lowVram);
                requireFinite(cond, during);
            }
            ctx.throwIfCancelled(stage);

            during = "diffusion sampling";
            at::Tensor latents;
            {
                const SubStage timer(ctx, profiler, "diffusion_sampling", device, peak);
                const int steps = settings.steps;
                ctx.progressStep(
                    stage, "diffusion_sampling", 0, steps, kConditioningEnd, "diffusion step 0/" + std::to_string(steps));
                const auto onStep = [&](int done, int total) {
                    ctx.progressStep(stage, "diffusion_sampling", done, total,
                        kConditioningEnd + (kSamplingEnd - kConditioningEnd) * done / total,
                        "diffusion step " + std::to_string(done) + "/" + std::to_string(total));
                };
                const at::Tensor noise = model.initialNoise(settings.seed);
                const auto sampleAlone = [&] {
                    return model.sample(
                        noise, cond, schedule, settings.guidance, ctx, onStep, /*reuseGraphs=*/!settings.lowVram);
                };
                if (settings.lowVram || m_batcher.maxBatch() < 2) {
                    expected.release();
                    latents = sampleAlone();
                } else {
                    latents = sampleInBatch(noise, cond, schedule, settings, ctx, expected, onStep, sampleAlone);
                }
                requireFinite(latents, during);
            }
            cond = at::Tensor();

            during = "VAE decoding";
            at::Tensor decoded;
            {
                const SubStage timer(ctx, profiler, "vae_decoding", device, peak);
                ctx.progressStep(stage, "vae_decoding", 0, 0, kSamplingEnd, "decoding the latents");
                decoded = model.decodeLatents(latents);
                requireFinite(decoded, during);
            }
            ctx.throwIfCancelled(stage);

            during = "volume decoding";
            at::Tensor volume;
            {
                const SubStage timer(ctx, profiler, "volume_decoding", device, peak);
                const GridSpec grid { settings.octreeResolution, kBounds };
                const GeometryKeys keys = model.geometry().prepare(decoded);
                decoded = at::Tensor();
                if (keys.fp8) {
                    // The experimental FP8 decoder (ORFEAS_DECODER_FP8=1): said in the log and in the report.
                    const std::string note = "volume decoding used FP8 products (ORFEAS_DECODER_FP8=1, experimental: "
                                             "a few grid points near the surface may change side)";
                    ctx.log(LogLevel::Info, note);
                    warnings.push_back(note);
                }
                std::int64_t chunk = chooseChunkSize(model.geometry(), settings.chunkSize);
                if (settings.lowVram && settings.chunkSize == 0 && spec.isCuda())
                    chunk = std::min(chunk, kLowVramChunk);
                ChunkedEvaluator evaluator(geometryField(model.geometry(), keys), device, chunk, ctx);
                if (settings.decoder == DecoderMode::Hierarchical) {
                    HierarchicalStats stats;
                    const HierarchicalOptions options = hierarchicalOptions();
                    volume = decodeHierarchicalVolume(evaluator, grid, options, ctx,
                        [&](int lvl, int levels, int done, int total) {
                            const double fraction = double(lvl) / (levels + 1)
                                + (total > 0 ? double(done) / total / (levels + 1) : 0.0);
                            ctx.progressStep(stage, "volume_decoding", lvl + 1, levels + 1,
                                kVaeEnd + (1.0 - kVaeEnd) * fraction,
                                "volume decoding level " + std::to_string(lvl + 1) + "/" + std::to_string(levels + 1)
                                    + ", chunk " + std::to_string(done) + "/" + std::to_string(total));
                        },
                        &stats);
                    std::string perLevel, thresholds;
                    for (const auto p : stats.pointsPerLevel)
                        perLevel += (perLevel.empty() ? "" : " + ") + std::to_string(p);
                    for (const auto t : stats.thresholds)
                        thresholds += (thresholds.empty() ? "" : ", ") + std::to_string(t);
                    std::string times;
                    for (const auto t : stats.secondsPerLevel)
                        times += (times.empty() ? "" : ", ") + std::to_string(t).substr(0, 5) + " s";
                    ctx.log(LogLevel::Debug,
                        "hierarchical volume decoding: " + std::to_string(stats.levels) + " refinement levels, points "
                            + perLevel + " of " + std::to_string(grid.points()) + " (" + times + "), thresholds " + thresholds
                            + (stats.denseFallback ? " (no surface on the coarse grid: dense)" : ""));
                    if (envInt("ORFEAS_HIERARCHICAL_VERIFY", 0) == 1) {
                        // The dense grid as well, for comparison (a benchmark aid: it costs a dense decoding).
                        const at::Tensor dense = decodeDenseVolume(evaluator, grid, ctx);
                        ctx.log(LogLevel::Debug,
                            "hierarchical decoding against dense decoding: " + volumeDifference(volume, dense, level));
                    }
                } else {
                    volume = decodeDenseVolume(evaluator, grid, ctx, [&](int done, int total) {
                        ctx.progressStep(stage, "volume_decoding", done, total, kVaeEnd + (1.0 - kVaeEnd) * done / total,
                            "volume decoding chunk " + std::to_string(done) + "/" + std::to_string(total));
                    });
                }
                if (envInt("ORFEAS_DECODER_VERIFY", 0) == 1
                    && fused::decoderKernels(spec, spec.dtype, model.config().vae.geoWidth())) {
                    // The dense grid once more with the operator path, for comparison with the fused decoder (a
                    // benchmark aid: it costs a dense decoding, and the switch is process-wide, so other runs of
                    // the process use the operator path meanwhile).
                    struct OperatorPath {
                        OperatorPath() { fused::setDecoderKernelsOff(true); }
                        ~OperatorPath() { fused::setDecoderKernelsOff(false); }
                    };
                    at::Tensor plain;
                    {
                        const OperatorPath operatorPath;
                        plain = decodeDenseVolume(evaluator, grid, ctx);
                    }
                    ctx.log(LogLevel::Debug,
                        std::string("fused decoder (")
                            + (settings.decoder == DecoderMode::Hierarchical ? "hierarchical" : "dense")
                            + ") against the operator path (dense): " + volumeDifference(volume, plain, level));
                }
                requireFinite(volume, during);
                for (const auto& w : evaluator.warnings())
                    warnings.push_back(w);
                result.volume.pointsEvaluated = evaluator.pointsEvaluated();
            }

            Volume& v = result.volume;
            v.nx = v.ny = v.nz = settings.octreeResolution + 1;
            v.origin = { float(-kBounds), float(-kBounds), float(-kBounds) };
            const float spacing = float(2.0 * kBounds / settings.octreeResolution);
            v.spacing = { spacing, spacing, spacing };
            during = "volume transfer";
            if (spec.isCuda() && !hostVolumeRequested()) {
                // The volume stays on the GPU for marching cubes there; only the silhouette for the projection frame
                // comes to the host.
                const at::Tensor column = volume.gt(level).any(2).to(at::kByte).to(at::kCPU).contiguous();
                const std::uint8_t* p = column.data_ptr<std::uint8_t>();
                const std::vector<std::uint8_t> silhouette(p, p + column.numel());
                result.frame
                    = fitProjectionFrame(silhouette, v.nx, v.ny, v.origin, v.spacing, image.mask, settings.borderRatio);
                gpu::synchronize(device);
                v.device = gpu::makeDeviceVolume(volume.contiguous(), v.origin, v.spacing);
            } else {
                const at::Tensor host = volume.to(at::kCPU).contiguous();
                const float* p = host.data_ptr<float>();
                v.values.assign(p, p + host.numel());
                result.frame = fitProjectionFrame(v, level, image.mask, settings.borderRatio);
            }
            volume = at::Tensor();
            result.peakGpuMemoryMB = peak.peakMB();
            if (spec.isCuda())
                ctx.log(LogLevel::Debug,
                    "peak device memory of the run: " + std::to_string(int(result.peakGpuMemoryMB)) + " MB"
                        + (peak.fromAllocator() ? " allocated, " + std::to_string(int(peak.peakReservedMB())) + " MB reserved"
                                                : " in use on the device (cudaMemGetInfo)"));
        } catch (...) {
            rethrowAsEngineError(during);
        }
        // The volume's axes are already the engine's (+X right, +Y up, +Z towards the viewer): no conversion.
        result.level = level;
        result.backendName = "hunyuan3d";
        result.modelDescription = model.description();
        result.warnings = std::move(warnings);
        return result;
    };
    return m_slotThreads.run(slot.index(), run);
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
    if (model->spec().isCuda())
        ctx.log(LogLevel::Debug, "GPU features: " + gpu::describeFeatures());
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
