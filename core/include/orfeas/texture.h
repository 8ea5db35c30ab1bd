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
// sets mesh.uvs (through `frame`, Assimp convention, clamped to [0, 1]), mesh.texture (image.canvas resampled to
// textureSize x textureSize, opaque, with the subject's colours bled outward past the silhouette so that rim
// samples never pick up background) and mesh.colors (sampled from the texture). Colour comes only from pixels
// that surely show the subject: opaque ones of a file's alpha; a background-removal mask loses its two outermost
// pixels; an opaque canvas falls back to image.mask; an empty canvas to image.image.
// Throws ConfigError (texture size outside 1..Limits::kMaxTextureSize), BadInputError (no colour image),
// InternalError (inconsistent mesh or degenerate frame), CancelledError(texture_synthesis). The mesh is only
// modified on success. Thread-safe.
// `prepared`, when given, is prepareTextureImage(image, options)'s result: it is moved into mesh.texture instead of
// making the texture image again.
void synthesizeTexture(Mesh& mesh, const PreprocessedImage& image, const ProjectionFrame& frame,
    const TextureOptions& options, RunContext* ctx = nullptr, ImageRGBA8* prepared = nullptr);

// The texture image alone (the resampled, bled colour image of synthesizeTexture): it depends on the image and the
// options but not on the mesh, so the pipeline makes it on a thread of its own while the shape is generated. Polls
// ctx for cancellation only (no progress, no timing records: it may run beside another stage). Throws as
// synthesizeTexture does. Thread-safe.
ImageRGBA8 prepareTextureImage(const PreprocessedImage& image, const TextureOptions& options, RunContext* ctx = nullptr);

} // namespace orfeas
