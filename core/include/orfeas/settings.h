#pragma once
// Settings a user can change, in the GUI and on the command line alike. Defaults follow the reference
// implementation (50 steps, guidance 5.0, octree 384) for the neural backend.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orfeas {

enum class BackendChoice { Auto, Inflate, Hunyuan3D };
enum class DecoderMode { Dense, Hierarchical };
enum class Precision { Fp32, Fp16, Bf16 };
enum class ExportFormat { Glb, Obj, Stl, Ply };

std::string_view backendName(BackendChoice b) noexcept;       // "auto", "inflate", "hunyuan3d"
std::string_view decoderModeName(DecoderMode d) noexcept;     // "dense", "hierarchical"
std::string_view precisionName(Precision p) noexcept;         // "fp32", "fp16", "bf16"
std::string_view formatExtension(ExportFormat f) noexcept;    // "glb", "obj", "stl", "ply"
// Parsers: throw ConfigError naming the bad value and the accepted ones.
BackendChoice parseBackend(std::string_view s);
DecoderMode parseDecoderMode(std::string_view s);
Precision parsePrecision(std::string_view s);
ExportFormat parseFormat(std::string_view s);
// "glb,obj" -> {Glb, Obj}; duplicates removed, order kept. Throws ConfigError.
std::vector<ExportFormat> parseFormatList(std::string_view s);

struct JobSettings {
    // --- shape
    BackendChoice backend = BackendChoice::Auto;
    std::string modelPath;            // model folder for hunyuan3d; empty: discover (see model discovery)
    std::string device = "auto";      // "auto", "cpu", "cuda", "cuda:N"
    // classic (inflate)
    int resolution = 128;             // grid cells per axis for the classic backend
    float thickness = 1.0f;           // depth scale of the inflated body (1 = round sections)
    // neural (hunyuan3d)
    int steps = 50;
    float guidance = 5.0f;
    std::uint64_t seed = 0;
    int octreeResolution = 384;
    int chunkSize = 0;                // points per decoding chunk; 0 = sized from free memory
    DecoderMode decoder = DecoderMode::Hierarchical;
    Precision precision = Precision::Fp16;
    bool lowVram = false;
    // --- preprocessing
    float borderRatio = 0.15f;
    int imageSize = 512;              // side of the preprocessed square image
    float backgroundTolerance = 0.10f; // colour distance (0..1) that still counts as background
    // --- mesh
    int faceBudget = 40000;           // 0 = no reduction
    float minComponentRatio = 0.02f;  // components with fewer faces than this share of the largest are removed
    // --- texture / export
    int textureSize = 1024;
    std::vector<ExportFormat> formats = {ExportFormat::Glb};

    // Throws ConfigError naming the first invalid setting and its accepted range.
    void validate() const;
};

// Hard limits enforced everywhere (documented in docs/reliability.md).
struct Limits {
    static constexpr std::int64_t kMaxImagePixels = 64ll * 1024 * 1024;  // 64 megapixels
    static constexpr int kMaxImageSide = 16384;
    static constexpr int kMaxResolution = 1024;        // grid cells per axis
    static constexpr int kMaxTextureSize = 8192;
    static constexpr std::int64_t kMaxFaces = 50'000'000;
    static constexpr int kMaxSteps = 1000;
};

} // namespace orfeas
