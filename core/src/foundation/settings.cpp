#include "orfeas/settings.h"

#include "orfeas/errors.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace orfeas {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

[[noreturn]] void badValue(std::string_view what, std::string_view value, std::string_view accepted)
{
    std::ostringstream os;
    os << "invalid " << what << " '" << value << "' (accepted: " << accepted << ")";
    throw ConfigError(os.str());
}

template <typename T>
void checkRange(std::string_view name, T value, T lo, T hi)
{
    if (!(value >= lo && value <= hi)) {
        std::ostringstream os;
        os << name << " must be between " << lo << " and " << hi << " (got " << value << ")";
        throw ConfigError(os.str());
    }
}

} // namespace

std::string_view backendName(BackendChoice b) noexcept
{
    switch (b) {
    case BackendChoice::Auto: return "auto";
    case BackendChoice::Inflate: return "inflate";
    case BackendChoice::Hunyuan3D: return "hunyuan3d";
    }
    return "auto";
}

std::string_view decoderModeName(DecoderMode d) noexcept
{
    return d == DecoderMode::Dense ? "dense" : "hierarchical";
}

std::string_view precisionName(Precision p) noexcept
{
    switch (p) {
    case Precision::Fp32: return "fp32";
    case Precision::Fp16: return "fp16";
    case Precision::Bf16: return "bf16";
    }
    return "fp16";
}

std::string_view formatExtension(ExportFormat f) noexcept
{
    switch (f) {
    case ExportFormat::Glb: return "glb";
    case ExportFormat::Obj: return "obj";
    case ExportFormat::Stl: return "stl";
    case ExportFormat::Ply: return "ply";
    }
    return "glb";
}

BackendChoice parseBackend(std::string_view s)
{
    const std::string v = lower(s);
    if (v == "auto")
        return BackendChoice::Auto;
    if (v == "inflate" || v == "classic")
        return BackendChoice::Inflate;
    if (v == "hunyuan3d" || v == "hunyuan" || v == "neural")
        return BackendChoice::Hunyuan3D;
    badValue("backend", s, "auto, inflate, hunyuan3d");
}

DecoderMode parseDecoderMode(std::string_view s)
{
    const std::string v = lower(s);
    if (v == "dense")
        return DecoderMode::Dense;
    if (v == "hierarchical")
        return DecoderMode::Hierarchical;
    badValue("decoder", s, "dense, hierarchical");
}

Precision parsePrecision(std::string_view s)
{
    const std::string v = lower(s);
    if (v == "fp32" || v == "float32")
        return Precision::Fp32;
    if (v == "fp16" || v == "float16" || v == "half")
        return Precision::Fp16;
    if (v == "bf16" || v == "bfloat16")
        return Precision::Bf16;
    badValue("precision", s, "fp32, fp16, bf16");
}

ExportFormat parseFormat(std::string_view s)
{
    const std::string v = lower(s);
    if (v == "glb")
        return ExportFormat::Glb;
    if (v == "obj")
        return ExportFormat::Obj;
    if (v == "stl")
        return ExportFormat::Stl;
    if (v == "ply")
        return ExportFormat::Ply;
    badValue("format", s, "glb, obj, stl, ply");
}

std::vector<ExportFormat> parseFormatList(std::string_view s)
{
    std::vector<ExportFormat> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(',', start);
        if (end == std::string_view::npos)
            end = s.size();
        std::string_view item = s.substr(start, end - start);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())))
            item.remove_prefix(1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
            item.remove_suffix(1);
        if (!item.empty()) {
            ExportFormat f = parseFormat(item);
            if (std::find(out.begin(), out.end(), f) == out.end())
                out.push_back(f);
        }
        start = end + 1;
    }
    if (out.empty())
        throw ConfigError("no output format given (accepted: glb, obj, stl, ply)");
    return out;
}

void JobSettings::validate() const
{
    checkRange("resolution", resolution, 8, Limits::kMaxResolution);
    if (!std::isfinite(thickness))
        throw ConfigError("thickness must be a finite number");
    checkRange("thickness", thickness, 0.05f, 4.0f);
    checkRange("steps", steps, 1, Limits::kMaxSteps);
    if (!std::isfinite(guidance))
        throw ConfigError("guidance must be a finite number");
    checkRange("guidance", guidance, 0.0f, 100.0f);
    checkRange("octree resolution", octreeResolution, 16, Limits::kMaxResolution);
    if (chunkSize != 0)
        checkRange("chunk size", chunkSize, 1024, 64 * 1024 * 1024);
    if (!std::isfinite(borderRatio))
        throw ConfigError("border ratio must be a finite number");
    checkRange("border ratio", borderRatio, 0.0f, 0.9f);
    checkRange("image size", imageSize, 32, 4096);
    checkRange("background tolerance", backgroundTolerance, 0.0f, 1.0f);
    if (faceBudget != 0)
        checkRange("face budget", std::int64_t(faceBudget), std::int64_t(100), Limits::kMaxFaces);
    checkRange("minimum component ratio", minComponentRatio, 0.0f, 1.0f);
    checkRange("texture size", textureSize, 16, Limits::kMaxTextureSize);
    if (formats.empty())
        throw ConfigError("no output format given (accepted: glb, obj, stl, ply)");
    const std::string d = lower(device);
    const bool deviceOk = d == "auto" || d == "cpu" || d == "cuda" ||
                          (d.rfind("cuda:", 0) == 0 && d.size() > 5 &&
                           std::all_of(d.begin() + 5, d.end(), [](unsigned char c) { return std::isdigit(c); }));
    if (!deviceOk)
        badValue("device", device, "auto, cpu, cuda, cuda:N");
}

} // namespace orfeas
