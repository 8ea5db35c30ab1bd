// `orfeas model check --reference io.safetensors`: every stage of a model against the reference implementation's
// recorded inputs and outputs.

#include "hunyuan_model.h"

#include "orfeas/errors.h"
#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

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
            throw ModelError("the reference tensor '" + name + "' has " + std::to_string(info->shape.size()) +
                                 " dimensions, expected " + std::to_string(rank),
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

StageCheck compare(const std::string& stage, const at::Tensor& ours, const at::Tensor& reference, double tolerance,
                   double seconds)
{
    StageCheck s;
    s.stage = stage;
    s.tolerance = tolerance;
    s.seconds = seconds;
    const at::Tensor a = ours.detach().to(at::kCPU, at::kDouble).reshape({-1});
    const at::Tensor b = reference.to(at::kDouble).reshape({-1});
    std::string shape;
    for (auto d : reference.sizes())
        shape += (shape.empty() ? "" : "x") + std::to_string(d);
    if (a.numel() != b.numel()) {
        s.detail = "ours has " + std::to_string(a.numel()) + " values, the reference " + std::to_string(b.numel()) +
                   " (" + shape + ")";
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
        const Stage stage = Stage::ShapeGeneration;
        const HunyuanModelConfig& config = model->config();

        // Schedule: the tables must match exactly (they are float32 computations of the same formulas).
        during = "the schedule";
        const at::Tensor refTimesteps = ref.get("sample.timesteps", 1);
        const int steps = int(refTimesteps.size(0));
        const SamplingSchedule schedule = computeSamplingSchedule(config.scheduler, steps);
        {
            const at::Tensor ours = at::cat({at::tensor(schedule.timesteps, at::kFloat),
                                             at::tensor(schedule.sigmas, at::kFloat)});
            const at::Tensor theirs = at::cat({refTimesteps, ref.get("sample.sigmas", 1)});
            report.stages.push_back(compare("schedule", ours, theirs, 1e-7, 0));
        }

        during = "the conditioner";
        ctx.throwIfCancelled(stage);
        auto start = Clock::now();
        const at::Tensor cond = model->condition(ref.get("pre.image", 4));
        report.stages.push_back(
            compare("conditioner", cond, ref.get("cond.main"), options.stageTolerance, secondsSince(start)));

        during = "the denoiser";
        ctx.throwIfCancelled(stage);
        start = Clock::now();
        const at::Tensor guidance = ref.has("dit.guidance") ? ref.get("dit.guidance", 1) : at::Tensor();
        const at::Tensor velocity =
            model->denoise(ref.get("dit.x", 3), ref.get("dit.t", 1), ref.get("dit.cond", 3), guidance);
        report.stages.push_back(
            compare("denoiser", velocity, ref.get("dit.out"), options.stageTolerance, secondsSince(start)));

        during = "diffusion sampling";
        ctx.throwIfCancelled(stage);
        start = Clock::now();
        const double guidanceScale = ref.get("sample.guidance_scale", 1)[0].item<double>();
        const at::Tensor sampled =
            model->sample(ref.get("sample.init", 3), ref.get("cond.main", 3), schedule, guidanceScale, ctx);
        report.stages.push_back(
            compare("sampling", sampled, ref.get("sample.out"), options.loopTolerance, secondsSince(start)));

        during = "VAE decoding";
        ctx.throwIfCancelled(stage);
        start = Clock::now();
        const at::Tensor decoded = model->decodeLatents(ref.get("sample.out", 3));
        report.stages.push_back(
            compare("vae", decoded, ref.get("vae.decoded"), options.stageTolerance, secondsSince(start)));

        during = "the geometry decoder";
        ctx.throwIfCancelled(stage);
        start = Clock::now();
        const at::Tensor refDecoded = ref.get("vae.decoded", 3);
        const GeometryKeys keys = model->geometry().prepare(refDecoded);
        const at::Tensor logits = model->geometry().query(keys, ref.get("geo.queries", 3));
        report.stages.push_back(
            compare("geometry", logits, ref.get("geo.logits"), options.stageTolerance, secondsSince(start)));

        during = "volume decoding";
        const at::Tensor refGrid = ref.get("grid.logits", 4);
        DenseGridRequest grid;
        grid.resolution = int(refGrid.size(1)) - 1;
        grid.bounds = bounds;
        grid.chunkSize = options.chunkSize;
        if (refGrid.size(2) != refGrid.size(1) || refGrid.size(3) != refGrid.size(1) || grid.resolution < 1)
            throw ModelError("the reference tensor 'grid.logits' is not a cube of at least 2^3 points", ref.path());
        start = Clock::now();
        const std::vector<float> values = decodeDenseGrid(model->geometry(), keys, grid, ctx);
        const at::Tensor ours = at::tensor(values, at::kFloat);
        report.stages.push_back(compare("grid", ours, refGrid, options.stageTolerance, secondsSince(start)));

        // The stages chained, from the image and the initial noise alone.
        during = "the chained pipeline";
        start = Clock::now();
        const at::Tensor chainedCond = model->condition(ref.get("pre.image", 4));
        const at::Tensor chainedLatents =
            model->sample(ref.get("sample.init", 3), chainedCond, schedule, guidanceScale, ctx);
        const GeometryKeys chainedKeys = model->geometry().prepare(model->decodeLatents(chainedLatents));
        const at::Tensor chained = at::tensor(decodeDenseGrid(model->geometry(), chainedKeys, grid, ctx), at::kFloat);
        report.stages.push_back(compare("pipeline", chained, refGrid, options.loopTolerance, secondsSince(start)));
    } catch (...) {
        rethrowAsEngineError(during);
    }
    return report;
}

} // namespace orfeas
