// `orfeas model init-random`: a model folder in the published layout with random weights (torch-free).

#include "orfeas/errors.h"
#include "orfeas/model_config.h"
#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include "foundation/atomic_file.h"
#include "models/safetensors_writer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace orfeas {

namespace {

namespace fs = std::filesystem;

std::uint64_t splitMix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

bool endsWith(const std::string& s, const std::string& tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool contains(const std::string& s, const char* part)
{
    return s.find(part) != std::string::npos;
}

// How one tensor is initialised: a constant, or uniform in [-a, a].
struct Init {
    bool constant = true;
    float value = 0.0f; // the constant
    float halfWidth = 0.0f; // a (standard deviation a / sqrt(3))
};

Init initFor(const ParameterSpec& p, const HunyuanModelConfig& config)
{
    const std::string& n = p.name;
    const bool isNorm = contains(n, "norm") || contains(n, ".ln_") || contains(n, "layernorm");
    if (endsWith(n, ".bias"))
        return { true, 0.0f, 0.0f };
    if (endsWith(n, ".scale") || (isNorm && endsWith(n, ".weight")))
        return { true, 1.0f, 0.0f };
    if (endsWith(n, "lambda1"))
        return { true, float(config.conditioner.dino.layerscaleValue), 0.0f };
    const float sqrt3 = std::sqrt(3.0f);
    if (endsWith(n, "cls_token") || endsWith(n, "mask_token") || endsWith(n, "position_embeddings"))
        return { false, 0.0f, 0.02f * sqrt3 };
    std::int64_t fanIn = 1;
    for (std::size_t i = 1; i < p.shape.size(); ++i)
        fanIn *= p.shape[i];
    if (p.shape.size() < 2)
        fanIn = std::max<std::int64_t>(p.shape.empty() ? 1 : p.shape[0], 1);
    return { false, 0.0f, sqrt3 / std::sqrt(float(std::max<std::int64_t>(fanIn, 1))) };
}

constexpr std::int64_t kBlock = 1 << 20; // values per random stream: the result does not depend on the threads

// Values [begin, end) of tensor `index`, converted to `dtype`, into out (bytes of those values).
void fillRange(std::uint8_t* out, std::int64_t begin, std::int64_t end, const Init& init, std::uint64_t tensorSeed,
    TensorDType dtype)
{
    std::uint64_t state = 0;
    for (std::int64_t i = begin; i < end; ++i) {
        if (i == begin || i % kBlock == 0)
            state = splitMix64(tensorSeed ^ splitMix64(std::uint64_t(i / kBlock) + 1) ^ std::uint64_t(i % kBlock));
        float v = init.value;
        if (!init.constant) {
            state = splitMix64(state);
            const float u = float(state >> 40) * (1.0f / 16777216.0f); // [0, 1), 24 bits
            v = init.halfWidth * (2.0f * u - 1.0f);
        }
        const std::int64_t k = i - begin;
        if (dtype == TensorDType::F16) {
            const std::uint16_t h = floatToHalf(v);
            std::memcpy(out + 2 * k, &h, 2);
        } else if (dtype == TensorDType::BF16) {
            const std::uint16_t h = floatToBf16(v);
            std::memcpy(out + 2 * k, &h, 2);
        } else {
            std::memcpy(out + 4 * k, &v, 4);
        }
    }
}

} // namespace

RandomModelReport writeRandomModel(const RandomModelOptions& options, RunContext& ctx)
{
    const auto started = std::chrono::steady_clock::now();
    if (options.configPath.empty())
        throw ConfigError("no configuration was given (--config)");
    if (options.outputPath.empty())
        throw ConfigError("no output folder was given (--out)");
    const HunyuanModelConfig config = loadHunyuanModelConfig(options.configPath);
    const std::vector<ParameterSpec> manifest = hunyuanParameterManifest(config);

    std::error_code ec;
    fs::create_directories(options.outputPath, ec);
    if (!fs::is_directory(options.outputPath, ec))
        throw ExportError("cannot create the output folder", options.outputPath);
    const TensorDType dtype = options.dtype == Precision::Fp16 ? TensorDType::F16
        : options.dtype == Precision::Bf16                     ? TensorDType::BF16
                                                               : TensorDType::F32;
    const std::string weightsName = dtype == TensorDType::F16 ? "model.fp16.safetensors" : "model.safetensors";
    RandomModelReport report;
    report.configFile = (fs::path(options.outputPath) / "config.yaml").string();
    report.weightsFile = (fs::path(options.outputPath) / weightsName).string();
    if (!options.overwrite) {
        for (const auto& f : { report.configFile, report.weightsFile }) {
            if (fs::exists(fs::symlink_status(f, ec)))
                throw ExportError("the output file already exists (use overwrite to replace it)", f);
        }
    }

    std::vector<const ParameterSpec*> specs;
    std::vector<detail::TensorSlot> slots;
    for (const auto& p : manifest) {
        if (p.optional && !options.includeOptional)
            continue;
        specs.push_back(&p);
        slots.push_back({ p.name, dtype, p.shape });
    }
    detail::SafetensorsWriter writer(report.weightsFile, slots,
        { { "format", "pt" }, { "orfeas", "random weights (orfeas model init-random), seed " + std::to_string(options.seed) } });

    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    const int threads = options.threads > 0 ? options.threads : int(std::min(hw, 32u));
    const std::size_t elementSize = dtypeSize(dtype);
    std::vector<std::uint8_t> buffer;
    const int total = int(specs.size());
    for (int t = 0; t < total; ++t) {
        ctx.throwIfCancelled(Stage::ShapeGeneration);
        const ParameterSpec& p = *specs[std::size_t(t)];
        std::int64_t count = 1;
        for (const auto d : p.shape)
            count *= d;
        const Init init = initFor(p, config);
        const std::uint64_t tensorSeed = splitMix64(options.seed ^ splitMix64(std::uint64_t(t) * 0x632be59bd9b4e019ull));
        buffer.resize(std::size_t(count) * elementSize);
        const std::int64_t blocks = (count + kBlock - 1) / kBlock;
        if (threads > 1 && blocks > 1) {
            std::vector<std::thread> pool;
            const std::int64_t perThread = (blocks + threads - 1) / threads;
            for (int w = 0; w < threads; ++w) {
                const std::int64_t b0 = std::int64_t(w) * perThread * kBlock;
                const std::int64_t b1 = std::min(count, (std::int64_t(w) + 1) * perThread * kBlock);
                if (b0 >= b1)
                    break;
                pool.emplace_back([&, b0, b1] {
                    fillRange(buffer.data() + std::size_t(b0) * elementSize, b0, b1, init, tensorSeed, dtype);
                });
            }
            for (auto& th : pool)
                th.join();
        } else {
            fillRange(buffer.data(), 0, count, init, tensorSeed, dtype);
        }
        writer.write(buffer);
        report.parameters += count;
        ctx.progressStep(Stage::ShapeGeneration, "model_writing", t + 1, total, double(t + 1) / total,
            "writing tensor " + std::to_string(t + 1) + "/" + std::to_string(total));
    }

    // The weights first, then the configuration (the text as given; it parsed above): a folder without its
    // config.yaml is never taken for a model.
    writer.commit(options.overwrite);
    std::ifstream in(options.configPath, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string yaml = text.str();
    detail::writeFileAtomically(
        report.configFile, { reinterpret_cast<const std::uint8_t*>(yaml.data()), yaml.size() }, options.overwrite);

    report.tensors = total;
    report.bytes = std::uint64_t(fs::file_size(report.weightsFile, ec));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace orfeas
