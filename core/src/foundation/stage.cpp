#include "orfeas/stage.h"

namespace orfeas {

std::string_view stageName(Stage stage) noexcept
{
    switch (stage) {
    case Stage::ImageLoading: return "image_loading";
    case Stage::ImagePreprocessing: return "image_preprocessing";
    case Stage::ShapeGeneration: return "shape_generation";
    case Stage::SurfaceExtraction: return "surface_extraction";
    case Stage::MeshPostprocess: return "mesh_postprocess";
    case Stage::TextureSynthesis: return "texture_synthesis";
    case Stage::MeshExport: return "mesh_export";
    }
    return "unknown";
}

std::optional<Stage> stageFromName(std::string_view name) noexcept
{
    for (Stage s : kAllStages) {
        if (stageName(s) == name)
            return s;
    }
    return std::nullopt;
}

} // namespace orfeas
