#include "orfeas/texture.h"

#include "orfeas/errors.h"
#include "orfeas/settings.h"
#include "texture/texture_image.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace orfeas {

namespace {

constexpr Stage kStage = Stage::TextureSynthesis;

// The image that carries the subject's colours: the native-resolution canvas, or the square network image when a
// caller left the canvas empty.
const ImageRGBA8& colourSource(const PreprocessedImage& image)
{
    if (image.canvas.isValid())
        return image.canvas;
    if (image.image.isValid())
        return image.image;
    throw BadInputError("the preprocessed image has no colour image to project", {}, kStage);
}

bool hasTransparency(const ImageRGBA8& image)
{
    for (std::size_t i = 3; i < image.pixels.size(); i += 4)
        if (image.pixels[i] != 255)
            return true;
    return false;
}

// 3 x 3 minimum (pixels beyond the border count as background).
Mask8 erode(const Mask8& mask)
{
    Mask8 out = mask;
    for (int y = 0; y < mask.height; ++y)
        for (int x = 0; x < mask.width; ++x) {
            std::uint8_t m = 255;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const int xx = x + dx, yy = y + dy;
                    m = std::min(m, (xx < 0 || yy < 0 || xx >= mask.width || yy >= mask.height) ? std::uint8_t(0)
                                                                                                  : mask.at(xx, yy));
                }
            out.values[std::size_t(y) * mask.width + x] = m;
        }
    return out;
}

// Bilinear sample of an RGBA8 image at texture coordinates (Assimp convention: v up, (0, 0) bottom-left).
Color8 sampleBilinear(const ImageRGBA8& image, Vec2f uv)
{
    const float x = std::clamp(uv.x * image.width - 0.5f, 0.0f, float(image.width - 1));
    const float y = std::clamp((1.0f - uv.y) * image.height - 0.5f, 0.0f, float(image.height - 1));
    const int x0 = int(x), y0 = int(y);
    const int x1 = std::min(x0 + 1, image.width - 1), y1 = std::min(y0 + 1, image.height - 1);
    const float fx = x - float(x0), fy = y - float(y0);
    Color8 out;
    std::uint8_t* channels[3] = {&out.r, &out.g, &out.b};
    for (int c = 0; c < 3; ++c) {
        const float top = image.pixel(x0, y0)[c] + (image.pixel(x1, y0)[c] - image.pixel(x0, y0)[c]) * fx;
        const float bottom = image.pixel(x0, y1)[c] + (image.pixel(x1, y1)[c] - image.pixel(x0, y1)[c]) * fx;
        *channels[c] = std::uint8_t(std::lround(std::clamp(top + (bottom - top) * fy, 0.0f, 255.0f)));
    }
    out.a = 255;
    return out;
}

} // namespace

void synthesizeTexture(Mesh& mesh, const PreprocessedImage& image, const ProjectionFrame& frame,
                       const TextureOptions& options, RunContext* ctx)
{
    if (options.textureSize < 1 || options.textureSize > Limits::kMaxTextureSize)
        throw ConfigError("texture size must be between 1 and " + std::to_string(Limits::kMaxTextureSize) +
                          " (got " + std::to_string(options.textureSize) + ")");
    if (!mesh.isValid())
        throw InternalError("synthesizeTexture: the mesh is inconsistent", kStage);
    if (!(frame.xMax > frame.xMin) || !(frame.yMax > frame.yMin) || !std::isfinite(frame.xMin) ||
        !std::isfinite(frame.xMax) || !std::isfinite(frame.yMin) || !std::isfinite(frame.yMax))
        throw InternalError("synthesizeTexture: degenerate projection frame", kStage);
    const ImageRGBA8& source = colourSource(image);

    auto poll = [ctx]() {
        if (ctx)
            ctx->throwIfCancelled(kStage);
    };
    std::optional<ScopedTimer> timer;
    auto time = [&](const char* sub) {
        timer.reset();
        if (ctx)
            timer.emplace(ctx->profiler(), std::string("texture_synthesis/") + sub);
    };
    poll();

    // Coverage: the canvas's own alpha. An opaque canvas (alpha dropped somewhere upstream) says nothing about the
    // subject, so the mask decides then, eroded by one of its pixels: it is usually coarser than the canvas, and
    // its staircase edge would otherwise let background pixels count as subject.
    const bool useMask = !hasTransparency(source) && image.mask.isValid();
    Mask8 eroded;
    std::vector<int> maskColumn;
    if (useMask) {
        eroded = erode(image.mask);
        maskColumn.resize(std::size_t(source.width));
        for (int x = 0; x < source.width; ++x)
            maskColumn[std::size_t(x)] = std::min(eroded.width - 1, int(std::int64_t(x) * eroded.width / source.width));
    }
    auto coverage = [&](int y, std::uint8_t* row) {
        if (!useMask) {
            const std::uint8_t* p = source.pixel(0, y);
            for (int x = 0; x < source.width; ++x)
                row[x] = p[std::size_t(x) * 4 + 3];
            return;
        }
        const int my = std::min(eroded.height - 1, int(std::int64_t(y) * eroded.height / source.height));
        for (int x = 0; x < source.width; ++x)
            row[x] = eroded.at(maskColumn[std::size_t(x)], my);
    };

    time("resample");
    if (ctx)
        ctx->progress(kStage, 0.0, "resampling the image");
    const int size = options.textureSize;
    const texture::PremultipliedImage premultiplied =
        texture::resamplePremultiplied(source, size, size, coverage, poll);

    time("bleed");
    if (ctx)
        ctx->progress(kStage, 0.5, "bleeding colours past the silhouette");
    ImageRGBA8 tex = texture::pushPullFill(premultiplied, poll);

    time("project");
    if (ctx)
        ctx->progress(kStage, 0.85, "projecting onto the mesh");
    // Orthographic projection along z: the front and the back both see the image (the back mirrored).
    const float invW = 1.0f / (frame.xMax - frame.xMin);
    const float invH = 1.0f / (frame.yMax - frame.yMin);
    mesh.uvs.resize(mesh.positions.size());
    mesh.colors.resize(mesh.positions.size());
    for (std::size_t i = 0; i < mesh.positions.size(); ++i) {
        const Vec3f& p = mesh.positions[i];
        const Vec2f uv{std::clamp((p.x - frame.xMin) * invW, 0.0f, 1.0f),
                       std::clamp((p.y - frame.yMin) * invH, 0.0f, 1.0f)};
        mesh.uvs[i] = uv;
        mesh.colors[i] = sampleBilinear(tex, uv);
    }
    mesh.texture = std::move(tex);
    timer.reset();
    if (ctx)
        ctx->progress(kStage, 1.0, "textured");
}

} // namespace orfeas
