#include "orfeas/errors.h"
#include "orfeas/settings.h"
#include "orfeas/texture.h"

#include "texture/texture_image.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>

namespace orfeas {

namespace {

constexpr Stage kStage = Stage::TextureSynthesis;
// Canvas pixels dropped along the edge of a subject cut out by background removal.
constexpr int kRemovedBackgroundMargin = 2;
// File alpha at or above this counts as opaque.
constexpr std::uint8_t kOpaqueAlpha = 250;

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

// Minimum over a (2r + 1)^2 square, separable; pixels beyond the border count as background.
Mask8 erode(const Mask8& mask, int r)
{
    const int w = mask.width, h = mask.height;
    std::vector<std::uint8_t> rows(mask.values.size());
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::uint8_t m = (x - r < 0 || x + r >= w) ? 0 : 255;
            for (int d = std::max(0, x - r); d <= std::min(w - 1, x + r) && m; ++d)
                m = std::min(m, mask.values[std::size_t(y) * w + d]);
            rows[std::size_t(y) * w + x] = m;
        }
    Mask8 out = mask;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::uint8_t m = (y - r < 0 || y + r >= h) ? 0 : 255;
            for (int d = std::max(0, y - r); d <= std::min(h - 1, y + r) && m; ++d)
                m = std::min(m, rows[std::size_t(d) * w + x]);
            out.values[std::size_t(y) * w + x] = m;
        }
    return out;
}

// How much of each source pixel is the subject (0..255), at the source's resolution.
Mask8 subjectCoverage(const ImageRGBA8& source, const PreprocessedImage& image)
{
    Mask8 cover;
    cover.width = source.width;
    cover.height = source.height;
    cover.values.resize(std::size_t(source.width) * source.height);
    if (hasTransparency(source)) {
        if (!image.alphaFromFile) {
            // A mask from background removal is hard: its outermost pixels are opaque but mixed with the
            // background (anti-aliasing, JPEG ringing). Drop them and let the interior's colours fill in.
            for (std::size_t i = 0; i < cover.values.size(); ++i)
                cover.values[i] = source.pixels[i * 4 + 3];
            return erode(cover, kRemovedBackgroundMargin);
        }
        // A file's own alpha: the colour of a half-transparent edge pixel is rarely the subject's (renderers and
        // matting tools leave it darkened or tinted), and the rim of the model samples exactly there. Only opaque
        // pixels give colour; the others are filled from them. A subject without any opaque pixel keeps its alpha.
        bool anyOpaque = false;
        for (std::size_t i = 0; i < cover.values.size() && !anyOpaque; ++i)
            anyOpaque = source.pixels[i * 4 + 3] >= kOpaqueAlpha;
        for (std::size_t i = 0; i < cover.values.size(); ++i) {
            const std::uint8_t a = source.pixels[i * 4 + 3];
            cover.values[i] = !anyOpaque ? a : (a >= kOpaqueAlpha ? 255 : 0);
        }
        return cover;
    }
    if (!image.mask.isValid()) {
        std::fill(cover.values.begin(), cover.values.end(), std::uint8_t(255));
        return cover;
    }
    // An opaque canvas (alpha dropped somewhere upstream) says nothing about the subject: the mask decides, eroded
    // by one of its pixels, since it is usually coarser than the canvas and its staircase would let background in.
    const Mask8 mask = erode(image.mask, 1);
    std::vector<int> column(std::size_t(source.width));
    for (int x = 0; x < source.width; ++x)
        column[std::size_t(x)] = std::min(mask.width - 1, int(std::int64_t(x) * mask.width / source.width));
    for (int y = 0; y < source.height; ++y) {
        const int my = std::min(mask.height - 1, int(std::int64_t(y) * mask.height / source.height));
        for (int x = 0; x < source.width; ++x)
            cover.values[std::size_t(y) * source.width + x] = mask.at(column[std::size_t(x)], my);
    }
    return cover;
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
    std::uint8_t* channels[3] = { &out.r, &out.g, &out.b };
    for (int c = 0; c < 3; ++c) {
        const float top = image.pixel(x0, y0)[c] + (image.pixel(x1, y0)[c] - image.pixel(x0, y0)[c]) * fx;
        const float bottom = image.pixel(x0, y1)[c] + (image.pixel(x1, y1)[c] - image.pixel(x0, y1)[c]) * fx;
        *channels[c] = std::uint8_t(std::lround(std::clamp(top + (bottom - top) * fy, 0.0f, 255.0f)));
    }
    out.a = 255;
    return out;
}

} // namespace

namespace {

void checkTextureSize(const TextureOptions& options)
{
    if (options.textureSize < 1 || options.textureSize > Limits::kMaxTextureSize)
        throw ConfigError("texture size must be between 1 and " + std::to_string(Limits::kMaxTextureSize) + " (got "
            + std::to_string(options.textureSize) + ")");
}

// Coverage, resampling and bleeding; `step` is called before each (for progress and timing).
ImageRGBA8 makeTextureImage(const PreprocessedImage& image, const TextureOptions& options,
    const std::function<void()>& poll, const std::function<void(const char*, double, const char*)>& step)
{
    const ImageRGBA8& source = colourSource(image);
    step("coverage", -1.0, nullptr);
    const Mask8 cover = subjectCoverage(source, image);
    auto coverage = [&](int y, std::uint8_t* row) {
        std::copy_n(cover.values.data() + std::size_t(y) * cover.width, cover.width, row);
    };
    poll();
    step("resample", 0.0, "resampling the image");
    const int size = options.textureSize;
    const texture::PremultipliedImage premultiplied
        = texture::resamplePremultiplied(source, size, size, coverage, poll);
    step("bleed", 0.5, "bleeding colours past the silhouette");
    return texture::pushPullFill(premultiplied, poll);
}

} // namespace

ImageRGBA8 prepareTextureImage(const PreprocessedImage& image, const TextureOptions& options, RunContext* ctx)
{
    checkTextureSize(options);
    const auto poll = [ctx]() {
        if (ctx)
            ctx->throwIfCancelled(kStage);
    };
    poll();
    return makeTextureImage(image, options, poll, [](const char*, double, const char*) {});
}

void synthesizeTexture(Mesh& mesh, const PreprocessedImage& image, const ProjectionFrame& frame,
    const TextureOptions& options, RunContext* ctx, ImageRGBA8* prepared)
{
    checkTextureSize(options);
    if (!mesh.isValid())
        throw InternalError("synthesizeTexture: the mesh is inconsistent", kStage);
    if (!(frame.xMax > frame.xMin) || !(frame.yMax > frame.yMin) || !std::isfinite(frame.xMin)
        || !std::isfinite(frame.xMax) || !std::isfinite(frame.yMin) || !std::isfinite(frame.yMax))
        throw InternalError("synthesizeTexture: degenerate projection frame", kStage);
    if (prepared && (prepared->width != options.textureSize || prepared->height != options.textureSize
                        || !prepared->isValid()))
        throw InternalError("synthesizeTexture: the prepared texture does not match the options", kStage);

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

    ImageRGBA8 tex;
    if (prepared) {
        tex = std::move(*prepared);
    } else {
        tex = makeTextureImage(image, options, poll, [&](const char* sub, double fraction, const char* message) {
            time(sub);
            if (ctx && message)
                ctx->progress(kStage, fraction, message);
        });
    }

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
        const Vec2f uv { std::clamp((p.x - frame.xMin) * invW, 0.0f, 1.0f),
            std::clamp((p.y - frame.yMin) * invH, 0.0f, 1.0f) };
        mesh.uvs[i] = uv;
        mesh.colors[i] = sampleBilinear(tex, uv);
    }
    mesh.texture = std::move(tex);
    timer.reset();
    if (ctx)
        ctx->progress(kStage, 1.0, "textured");
}

} // namespace orfeas
