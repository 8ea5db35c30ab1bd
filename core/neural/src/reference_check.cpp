// `orfeas model check --reference io.safetensors`: every stage of a model against the reference implementation's
// recorded inputs and outputs.

#include "orfeas/errors.h"
#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include "hunyuan_model.h"
#include "volume_decoding.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace orfeas {

namespace {

using namespace neural;

class ReferenceFile {
public:
    explicit ReferenceFile(const std::string& path)
        : m_file(path)
    {
    }
    bool has(const std::string& name) const { return m_file.contains(name); }
    // The tensor as float32 on the CPU; ModelError if absent or not of `rank` dimensions (rank < 0: any).
    at::Tensor get(const std::string& name, int rank = -1) const
    {
        const TensorInfo* info = m_file.find(name);
        if (!info)
            throw ModelError("the reference file has no tensor '" + name + "'", m_file.path());
        if (rank >= 0 && int(info->shape.size()) != rank)
            throw ModelError("the reference tensor '" + name + "' has " + std::to_string(info->shape.size())
                    + " dimensions, expected " + std::to_string(rank),
                m_file.path());
        std::vector<float> values = m_file.toFloat32(name);
        const std::vector<std::int64_t> shape(info->shape.begin(), info->shape.end());
        return at::tensor(values, at::kFloat).reshape(shape);
    }
    const std::string& path() const { return m_file.path(); }

private:
    SafetensorsFile m_file;
};

double readBounds(const std::string& referencePath)
{
    const auto json = std::filesystem::path(referencePath).parent_path() / "io.json";
    std::ifstream in(json);
    if (!in)
        return 1.01;
    try {
        const auto j = nlohmann::json::parse(in);
        if (j.contains("bounds") && j["bounds"].is_number())
            return j["bounds"].get<double>();
    } catch (const nlohmann::json::exception&) {
    }
    return 1.01;
}

StageCheck compare(
    const std::string& stage, const at::Tensor& ours, const at::Tensor& reference, double tolerance, double seconds)
{
    StageCheck s;
    s.stage = stage;
    s.tolerance = tolerance;
    s.seconds = seconds;
    const at::Tensor a = ours.detach().to(at::kCPU, at::kDouble).reshape({ -1 });
    const at::Tensor b = reference.to(at::kDouble).reshape({ -1 });
    std::string shape;
    for (auto d : reference.sizes()) {
        if (!shape.empty())
            shape += 'x';
        shape += std::to_string(d);
    }
    if (a.numel() != b.numel()) {
        s.detail = "ours has " + std::to_string(a.numel()) + " values, the reference " + std::to_string(b.numel())
            + " (" + shape + ")";
        s.maxAbsError = s.relError = std::numeric_limits<double>::infinity();
        return s;
    }
    s.detail = shape;
    if (!at::isfinite(a).all().item<bool>()) {
        s.detail += ", ours has non-finite values";
        s.maxAbsError = s.relError = std::numeric_limits<double>::quiet_NaN();
        return s;
    }
    s.maxAbsError = a.numel() ? (a - b).abs().max().item<double>() : 0.0;
    const double scale = b.numel() ? b.abs().max().item<double>() : 0.0;
    s.relError = s.maxAbsError / std::max(scale, 1e-30);
    s.passed = s.relError <= tolerance;
    return s;
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

ReferenceCheckReport checkAgainstReference(const ReferenceCheckOptions& options, RunContext& ctx)
{
    HunyuanLoadOptions load;
    load.modelPath = options.modelPath;
    load.device = options.device;
    load.precision = options.precision;
    load.weights = options.weights;
    const auto model = HunyuanModel::load(load, ctx);
    const ReferenceFile ref(options.referencePath);
    const double bounds = readBounds(options.referencePath);

    ReferenceCheckReport report;
    report.modelDescription = model->description();
    report.weightsFile = model->weightsPath();
    const InferenceScope inference;
    std::string during = "the reference check";
    try {
        using Clock = std::chrono::steady_clock;
        const HunyuanModelConfig& config = model->config();
        // A stage runs when the reference holds its inputs and outputs; the others are listed as skipped.
        const auto available = [&](const char* stage, std::initializer_list<const char*> names) {
            for (const char* n : names) {
                if (!ref.has(n)) {
                    report.skipped.push_back(std::string(stage) + " (no " + n + ")");
                    return false;
                }
            }
            ctx.throwIfCancelled(Stage::ShapeGeneration);
            return true;
        };
        // Until the result is on the host, so that asynchronous GPU work is counted.
        const auto timed = [](const auto& fn, double& seconds) {
            const auto start = Clock::now();
            at::Tensor out = fn().to(at::kCPU);
            seconds = secondsSince(start);
            return out;
        };
        double seconds = 0;

        std::optional<SamplingSchedule> schedule;
        if (ref.has("sample.timesteps")) {
            during = "the schedule";
            schedule = computeSamplingSchedule(config.scheduler, int(ref.get("sample.timesteps", 1).size(0)));
        }
        if (available("schedule", { "sample.timesteps", "sample.sigmas" })) {
            // The tables must match exactly: float32 computations of the same formulas.
            const at::Tensor ours
                = at::cat({ at::tensor(schedule->timesteps, at::kFloat), at::tensor(schedule->sigmas, at::kFloat) });
            const at::Tensor theirs = at::cat({ ref.get("sample.timesteps", 1), ref.get("sample.sigmas", 1) });
            report.stages.push_back(compare("schedule", ours, theirs, 1e-7, 0));
        }

        if (available("conditioner", { "pre.image", "cond.main" })) {
            during = "the conditioner";
            const at::Tensor cond = timed([&] { return model->condition(ref.get("pre.image", 4)); }, seconds);
            report.stages.push_back(
                compare("conditioner", cond, ref.get("cond.main"), options.stageTolerance, seconds));
        }

        if (available("denoiser", { "dit.x", "dit.t", "dit.cond", "dit.out" })
            && (!config.dit.guidanceEmbed || available("denoiser", { "dit.guidance" }))) {
            during = "the denoiser";
            const at::Tensor guidance = ref.has("dit.guidance") ? ref.get("dit.guidance", 1) : at::Tensor();
            const at::Tensor velocity = timed(
                [&] {
                    return model->denoise(ref.get("dit.x", 3), ref.get("dit.t", 1), ref.get("dit.cond", 3), guidance);
                },
                seconds);
            report.stages.push_back(compare("denoiser", velocity, ref.get("dit.out"), options.stageTolerance, seconds));
        }

        const auto guidanceScale = [&] { return ref.get("sample.guidance_scale", 1)[0].item<double>(); };
        if (available("sampling",
                { "sample.init", "cond.main", "sample.timesteps", "sample.guidance_scale", "sample.out" })) {
            during = "diffusion sampling";
            const at::Tensor sampled = timed(
                [&] {
                    return model->sample(
                        ref.get("sample.init", 3), ref.get("cond.main", 3), *schedule, guidanceScale(), ctx);
                },
                seconds);
            report.stages.push_back(
                compare("sampling", sampled, ref.get("sample.out"), options.loopTolerance, seconds));

            // Two jobs' samples in one loop (the backend batches jobs whose settings match): the reference's
            // sample, and a second one from other noise (rolled) and another condition (tokens reversed). Each
            // row must be what its sample gives alone: the reference's output, and our own loop for the second.
            during = "batched diffusion sampling";
            const at::Tensor init = ref.get("sample.init", 3), cond = ref.get("cond.main", 3);
            const at::Tensor otherInit = init.roll(1, 1), otherCond = cond.flip(1);
            const at::Tensor alone = model->sample(otherInit, otherCond, *schedule, guidanceScale(), ctx).to(at::kCPU);
            const at::Tensor batched = timed(
                [&] {
                    return model->sample(at::cat({ init, otherInit }, 0), at::cat({ cond, otherCond }, 0), *schedule,
                        guidanceScale(), ctx);
                },
                seconds);
            StageCheck check = compare("sampling_batch", batched,
                at::cat({ ref.get("sample.out", 3).to(at::kFloat), alone.to(at::kFloat) }, 0), options.loopTolerance,
                seconds);
            check.detail += " (a batch of two: the reference's sample, and another compared with its loop alone)";
            report.stages.push_back(check);
        }

        if (available("vae", { "sample.out", "vae.decoded" })) {
            during = "VAE decoding";
            const at::Tensor decoded = timed([&] { return model->decodeLatents(ref.get("sample.out", 3)); }, seconds);
            report.stages.push_back(compare("vae", decoded, ref.get("vae.decoded"), options.stageTolerance, seconds));
        }

        if (available("geometry", { "vae.decoded", "geo.queries", "geo.logits" })) {
            during = "the geometry decoder";
            const at::Tensor logits = timed(
                [&] {
                    const GeometryKeys keys = model->geometry().prepare(ref.get("vae.decoded", 3));
                    return model->geometry().query(keys, ref.get("geo.queries", 3));
                },
                seconds);
            report.stages.push_back(
                compare("geometry", logits, ref.get("geo.logits"), options.stageTolerance, seconds));
        }

        GridSpec grid;
        if (ref.has("grid.logits")) {
            const at::Tensor refGrid = ref.get("grid.logits", 4);
            grid.resolution = int(refGrid.size(1)) - 1;
            grid.bounds = bounds;
            if (refGrid.size(2) != refGrid.size(1) || refGrid.size(3) != refGrid.size(1) || grid.resolution < 1)
                throw ModelError("the reference tensor 'grid.logits' is not a cube of at least 2^3 points", ref.path());
        }
        const auto decodeGrid = [&](const GeometryKeys& keys) {
            ChunkedEvaluator evaluator(geometryField(model->geometry(), keys), model->spec().device,
                chooseChunkSize(model->geometry(), options.chunkSize), ctx);
            return decodeDenseVolume(evaluator, grid, ctx);
        };
        if (available("grid", { "vae.decoded", "grid.logits" })) {
            during = "volume decoding";
            const at::Tensor ours = timed(
                [&] {
                    const GeometryKeys keys = model->geometry().prepare(ref.get("vae.decoded", 3));
                    return decodeGrid(keys);
                },
                seconds);
            report.stages.push_back(compare("grid", ours, ref.get("grid.logits"), options.stageTolerance, seconds));
        }

        // The stages chained, from the image and the initial noise alone.
        if (available("pipeline",
                { "pre.image", "sample.init", "sample.timesteps", "sample.guidance_scale", "grid.logits" })) {
            during = "the chained pipeline";
            const at::Tensor chained = timed(
                [&] {
                    const at::Tensor cond = model->condition(ref.get("pre.image", 4));
                    const at::Tensor latents
                        = model->sample(ref.get("sample.init", 3), cond, *schedule, guidanceScale(), ctx);
                    const GeometryKeys keys = model->geometry().prepare(model->decodeLatents(latents));
                    return decodeGrid(keys);
                },
                seconds);
            report.stages.push_back(
                compare("pipeline", chained, ref.get("grid.logits"), options.loopTolerance, seconds));
        }
    } catch (...) {
        rethrowAsEngineError(during);
    }
    return report;
}

} // namespace orfeas
