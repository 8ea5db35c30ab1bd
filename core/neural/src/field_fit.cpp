// `orfeas model fit-field`: the geometry decoder of a model folder trained to reproduce an analytic shape, so that
// decoding benchmarks see a realistic field (a surface of a figurine's extent instead of random weights' surface
// everywhere). LibTorch autograd on ATen operators and a hand-written Adam (the C++ frontend is not needed).

#include "orfeas/errors.h"
#include "orfeas/model_config.h"
#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include "foundation/atomic_file.h"
#include "models/analytic_shape.h"
#include "models/safetensors_writer.h"

#include "field_fit.h"
#include "neural_common.h"
#include "shape_vae.h"
#include "weight_loading.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace orfeas {

namespace neural {

// The analytic shapes of models/analytic_shape.h on tensors: signed distance (negative inside) of points [M, 3].
at::Tensor shapeSignedDistance(FitShape shape, const at::Tensor& points)
{
    const at::Tensor x = points.select(1, 0), y = points.select(1, 1), z = points.select(1, 2);
    if (shape == FitShape::Torus) {
        const at::Tensor q = at::sqrt(x * x + z * z) - detail::kTorusMajor;
        return at::sqrt(q * q + y * y) - detail::kTorusMinor;
    }
    at::Tensor d;
    for (const detail::Capsule& c : detail::shapeCapsules(shape)) {
        const float abx = c.bx - c.ax, aby = c.by - c.ay, abz = c.bz - c.az;
        const float len2 = abx * abx + aby * aby + abz * abz;
        const at::Tensor apx = x - c.ax, apy = y - c.ay, apz = z - c.az;
        const at::Tensor t = len2 > 0 ? ((apx * abx + apy * aby + apz * abz) / len2).clamp(0.0, 1.0)
                                      : at::zeros_like(apx);
        const at::Tensor dx = apx - t * abx, dy = apy - t * aby, dz = apz - t * abz;
        const at::Tensor di = at::sqrt(dx * dx + dy * dy + dz * dz) - c.radius;
        if (!d.defined()) {
            d = di;
            continue;
        }
        // Polynomial smooth minimum, as models/analytic_shape.cpp.
        const at::Tensor h = (0.5f + 0.5f * (di - d) / detail::kBlend).clamp(0.0, 1.0);
        d = di + (d - di) * h - detail::kBlend * h * (1.0f - h);
    }
    return d;
}

} // namespace neural

namespace {

using namespace neural;
namespace fs = std::filesystem;

const std::string kGeo = "vae.geo_decoder.";
const std::string kAttnProj = "vae.geo_decoder.cross_attn_decoder.attn.c_proj.";

// The decoder's parameters that shape the field once the attention branch is gone.
bool isTrained(const std::string& name)
{
    static const std::set<std::string> parts { "vae.geo_decoder.query_proj.", "vae.geo_decoder.cross_attn_decoder.ln_3.",
        "vae.geo_decoder.cross_attn_decoder.mlp.c_fc.", "vae.geo_decoder.cross_attn_decoder.mlp.c_proj.",
        "vae.geo_decoder.ln_post.", "vae.geo_decoder.output_proj." };
    for (const auto& p : parts) {
        if (name.rfind(p, 0) == 0)
            return true;
    }
    return false;
}

// Training points: the first half uniform in the box, the second half near the surface (uniform points moved
// twice along the distance gradient onto it, then jittered by sigma). Random numbers from the CPU generator, so a
// seed gives the same points on every device.
at::Tensor samplePoints(
    FitShape shape, std::int64_t count, double sigma, at::Generator& gen, const at::Device& device, double bounds)
{
    const std::int64_t uniform = count / 2, near = count - uniform;
    const auto cpu = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor a = (at::rand({ uniform, 3 }, gen, cpu) * (2.0 * bounds) - bounds).to(device);
    at::Tensor p = (at::rand({ near, 3 }, gen, cpu) * (2.0 * bounds) - bounds).to(device);
    const at::Tensor jitter = (at::randn({ near, 3 }, gen, cpu) * sigma).to(device);
    constexpr float h = 1e-3f;
    for (int iteration = 0; iteration < 2; ++iteration) {
        const at::Tensor d = shapeSignedDistance(shape, p);
        std::vector<at::Tensor> grad;
        for (int k = 0; k < 3; ++k) {
            at::Tensor e = at::zeros({ 1, 3 }, p.options());
            e.select(1, k).fill_(h);
            grad.push_back((shapeSignedDistance(shape, p + e) - shapeSignedDistance(shape, p - e)) / (2 * h));
        }
        const at::Tensor g = at::stack(grad, 1);
        const at::Tensor norm = g.norm(2, { 1 }, /*keepdim=*/true).clamp_min(1e-6);
        p = p - d.unsqueeze(1) * g / norm;
    }
    p = (p + jitter).clamp(-bounds, bounds);
    return at::cat({ a, p }, 0);
}

struct Adam {
    std::vector<at::Tensor> params, m, v;
    double lr = 3e-4, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    int t = 0;
    void step()
    {
        ++t;
        const double c1 = 1.0 - std::pow(beta1, t), c2 = 1.0 - std::pow(beta2, t);
        const c10::NoGradGuard noGrad;
        for (std::size_t i = 0; i < params.size(); ++i) {
            const at::Tensor g = params[i].grad();
            if (!g.defined())
                continue;
            m[i].mul_(beta1).add_(g, 1.0 - beta1);
            v[i].mul_(beta2).addcmul_(g, g, 1.0 - beta2);
            params[i].sub_((m[i] / c1) / ((v[i] / c2).sqrt() + eps) * lr);
            g.zero_();
        }
    }
};

void copyFile(const std::string& from, const std::string& to, bool overwrite)
{
    std::ifstream in(from, std::ios::binary);
    if (!in)
        throw ModelError("cannot read the configuration", from);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    detail::writeFileAtomically(to, { reinterpret_cast<const std::uint8_t*>(s.data()), s.size() }, overwrite);
}

} // namespace

FieldFitReport fitGeometryField(const FieldFitOptions& options, RunContext& ctx)
{
    if (options.steps < 1 || options.steps > 1000000)
        throw ConfigError("the number of fitting steps must be between 1 and 1000000 (got "
            + std::to_string(options.steps) + ")");
    if (options.pointsPerStep < 64 || options.pointsPerStep > 10000000)
        throw ConfigError("the points per step must be between 64 and 10000000 (got "
            + std::to_string(options.pointsPerStep) + ")");
    if (!(options.learningRate > 0 && options.learningRate < 1))
        throw ConfigError("the learning rate must be in (0, 1)");
    if (!(options.nearSurfaceSigma >= 0 && options.nearSurfaceSigma < 1))
        throw ConfigError("the near-surface jitter must be in [0, 1)");
    if (options.outputPath.empty())
        throw ConfigError("no output folder was given (--out)");
    std::error_code ec;
    if (!fs::is_directory(options.modelPath, ec))
        throw ModelError("the model folder does not exist or is not a folder", options.modelPath);
    if (fs::exists(options.outputPath, ec) && fs::equivalent(options.outputPath, options.modelPath, ec))
        throw ConfigError("the output folder must not be the model folder (" + options.outputPath + ")");

    const std::string configPath = (fs::path(options.modelPath) / "config.yaml").string();
    const HunyuanModelConfig config = loadHunyuanModelConfig(configPath);
    const std::string weightsPath = locateWeightsFile(options.modelPath, options.weights);
    const SafetensorsFile file(weightsPath);
    const WeightsCheck check = checkWeights(file, hunyuanParameterManifest(config));
    if (!check.ok())
        throw ModelError("the weights do not match the model configuration: " + check.errorSummary(), weightsPath);

    FieldFitReport report;
    fs::create_directories(options.outputPath, ec);
    if (!fs::is_directory(options.outputPath, ec))
        throw ExportError("cannot create the output folder", options.outputPath);
    report.configFile = (fs::path(options.outputPath) / "config.yaml").string();
    report.weightsFile = (fs::path(options.outputPath) / fs::path(weightsPath).filename()).string();
    if (!options.overwrite) {
        for (const auto& f : { report.configFile, report.weightsFile }) {
            if (fs::exists(fs::symlink_status(f, ec)))
                throw ExportError("the output file already exists (use overwrite to replace it)", f);
        }
    }

    std::string during = "field fitting";
    try {
        ComputeSpec spec;
        spec.device = resolveDevice(options.device);
        spec.deviceName = deviceLabel(spec.device);
        spec.dtype = at::kFloat;
        report.device = spec.deviceName;

        // The decoder's tensors in float32 on the device; the trained ones are autograd leaves.
        WeightStore store;
        Adam adam;
        adam.lr = options.learningRate;
        for (const TensorInfo& info : file.tensors()) {
            if (info.name.rfind(kGeo, 0) != 0)
                continue;
            at::Tensor t = readTensor(file, info).to(spec.device, at::kFloat);
            if (info.name.rfind(kAttnProj, 0) == 0)
                t.zero_(); // the field no longer depends on the latents
            if (isTrained(info.name)) {
                t = t.detach().requires_grad_(true);
                adam.params.push_back(t);
                adam.m.push_back(at::zeros_like(t).detach());
                adam.v.push_back(at::zeros_like(t).detach());
                report.trainedParameters += t.numel();
            }
            store.insert(info.name, t);
        }
        const GeometryDecoder decoder(config.vae, store, spec);
        const GeometryKeys noLatents; // the attention branch is exactly zero: left out
        constexpr double kBox = 1.01;

        at::Generator gen = at::detail::createCPUGenerator(options.seed);
        const auto started = std::chrono::steady_clock::now();
        std::vector<double> losses;
        for (int step = 0; step < options.steps; ++step) {
            if (ctx.isCancelled())
                throw CancelledError(Stage::ShapeGeneration);
            const at::Tensor points
                = samplePoints(options.shape, options.pointsPerStep, options.nearSurfaceSigma, gen, spec.device, kBox);
            at::Tensor labels;
            {
                const c10::NoGradGuard noGrad;
                labels = shapeSignedDistance(options.shape, points).lt(0).to(at::kFloat);
            }
            const at::Tensor logits = decoder.query(noLatents, points.unsqueeze(0)).view({ -1 });
            const at::Tensor loss = at::binary_cross_entropy_with_logits(logits, labels);
            loss.backward();
            adam.step();
            losses.push_back(loss.item<double>());
            if (!std::isfinite(losses.back()))
                throw ModelError("the field fit diverged (loss " + std::to_string(losses.back()) + " at step "
                    + std::to_string(step + 1) + "); try a smaller learning rate");
            ctx.progressStep(Stage::ShapeGeneration, "field_fit", step + 1, options.steps,
                double(step + 1) / options.steps,
                "fitting step " + std::to_string(step + 1) + "/" + std::to_string(options.steps) + ", loss "
                    + std::to_string(losses.back()));
        }
        if (spec.isCuda())
            (void)at::zeros({ 1 }, at::TensorOptions().device(spec.device)).item<float>(); // all queued work done
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        report.steps = options.steps;
        report.initialLoss = losses.front();
        const std::size_t tail = std::min<std::size_t>(10, losses.size());
        double sum = 0;
        for (std::size_t i = losses.size() - tail; i < losses.size(); ++i)
            sum += losses[i];
        report.finalLoss = sum / double(tail);

        // Held-out points, another stream of the generator.
        {
            const c10::NoGradGuard noGrad;
            at::Generator testGen = at::detail::createCPUGenerator(options.seed ^ 0x5eedf00dull);
            const std::int64_t n = 20000;
            const at::Tensor points = samplePoints(options.shape, n, options.nearSurfaceSigma, testGen, spec.device, kBox);
            const at::Tensor inside = shapeSignedDistance(options.shape, points).lt(0);
            const at::Tensor agree = decoder.query(noLatents, points.unsqueeze(0)).view({ -1 }).gt(0).eq(inside);
            report.accuracy = agree.to(at::kFloat).mean().item<double>();
            report.nearSurfaceAccuracy = agree.narrow(0, n / 2, n - n / 2).to(at::kFloat).mean().item<double>();
        }

        // The output folder: every tensor of the source file, in its order and dtype, the decoder's from the fit.
        during = "writing the fitted model";
        std::vector<detail::TensorSlot> slots;
        for (const TensorInfo& info : file.tensors())
            slots.push_back({ info.name, info.dtype, info.shape });
        std::map<std::string, std::string> metadata = file.metadata();
        metadata["orfeas_field_fit"] = std::string(fitShapeName(options.shape)) + ", " + std::to_string(options.steps)
            + " steps of " + std::to_string(options.pointsPerStep) + " points, seed " + std::to_string(options.seed);
        detail::SafetensorsWriter writer(report.weightsFile, slots, metadata);
        std::vector<std::uint8_t> buffer;
        for (const TensorInfo& info : file.tensors()) {
            ctx.throwIfCancelled(Stage::ShapeGeneration);
            if (store.has(info.name)) {
                const at::Tensor t
                    = store.get(info.name).detach().to(at::kCPU).to(fileScalarType(info.dtype)).contiguous();
                const auto* p = static_cast<const std::uint8_t*>(t.data_ptr());
                writer.write({ p, std::size_t(t.numel()) * t.element_size() });
            } else {
                buffer.resize(info.bytes);
                file.readInto(info, buffer.data());
                writer.write(buffer);
            }
        }
        writer.commit(options.overwrite);
        copyFile(configPath, report.configFile, options.overwrite);
    } catch (...) {
        rethrowAsEngineError(during);
    }
    return report;
}

} // namespace orfeas
