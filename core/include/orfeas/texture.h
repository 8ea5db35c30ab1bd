#pragma once
// Texture synthesis: projects the input image onto the mesh.

#include "orfeas/run_context.h"
#include "orfeas/shape_backend.h"
#include "orfeas/types.h"

namespace orfeas {

struct TextureOptions {
    int textureSize = 1024;
};

// Front projection of the preprocessed image along z (back faces receive the mirrored view of the same image):
// sets mesh.uvs, mesh.texture (the subject with its colours bled outward past the silhouette so that rim
// samples never pick up background) and mesh.colors (sampled from the texture). Thread-safe.
void synthesizeTexture(Mesh& mesh, const PreprocessedImage& image, const ProjectionFrame& frame,
                       const TextureOptions& options, RunContext* ctx = nullptr);

} // namespace orfeas
