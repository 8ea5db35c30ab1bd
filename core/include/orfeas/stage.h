#pragma once
// Pipeline stages. The names match the profiling report's, so reports stay comparable across versions.

#include <array>
#include <optional>
#include <string_view>

namespace orfeas {

enum class Stage {
    ImageLoading,
    ImagePreprocessing,
    ShapeGeneration,
    SurfaceExtraction,
    MeshPostprocess,
    TextureSynthesis,
    MeshExport,
};

inline constexpr std::array<Stage, 7> kAllStages = {
    Stage::ImageLoading,     Stage::ImagePreprocessing, Stage::ShapeGeneration, Stage::SurfaceExtraction,
    Stage::MeshPostprocess,  Stage::TextureSynthesis,   Stage::MeshExport,
};

// The report name of a stage, e.g. "shape_generation". Thread-safe.
std::string_view stageName(Stage stage) noexcept;

// The stage of a report name; empty for an unknown name. Thread-safe.
std::optional<Stage> stageFromName(std::string_view name) noexcept;

} // namespace orfeas
