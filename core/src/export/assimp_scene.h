#pragma once
// Building Assimp scenes from an orfeas::Mesh, one flavour per output format. Internal to the exporter.

#include "orfeas/types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct aiScene;

namespace orfeas::exporting {

struct SceneOptions {
    std::string name = "orfeas"; // mesh / node name
    bool withNormals = true;
    bool withUvs = false;
    bool withColors = false;
    // Base colour texture: either embedded (PNG bytes, referenced as "*0") or an external file name.
    std::vector<std::uint8_t> embeddedPng;
    std::string textureFile;
    // Colours for writers that truncate c * 255 to an integer (Assimp's PLY): offset by a quarter step so the
    // truncation gives back the exact 8-bit value.
    bool colorsForTruncation = false;
    bool flatFaces = false; // one vertex per face corner with the face's normal (for STL)
};

struct SceneDeleter {
    void operator()(aiScene* scene) const noexcept;
};
using ScenePtr = std::unique_ptr<aiScene, SceneDeleter>;

// A one-mesh, one-material scene. Normals are renormalised so that strict readers (glTF) accept them; missing or
// zero ones are replaced by area-weighted face normals. Throws std::bad_alloc only.
ScenePtr buildScene(const Mesh& mesh, const SceneOptions& options);

// A name safe for OBJ groups and glTF names: letters, digits, '_' and '-' (others become '_'); never empty.
std::string sanitizedName(const std::string& name);

} // namespace orfeas::exporting
