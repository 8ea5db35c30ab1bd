// Preprocessing with the semantics of the reference's ImageProcessorV2 (hy3dgen/shapegen/preprocessors.py):
//  - the subject's bounding box is taken over alpha != 0, and the crop spans [min, max) on each axis: the
//    reference slices up to the maximum index, so the last row and column of the subject are dropped;
//  - the crop is scaled (INTER_AREA) so its longer side is int(S * (1 - border)) with S = max(H, W), sizes
//    truncated like Python's int(), and centred on an S x S canvas with floor division;
//  - compositing over white runs in float32 exactly as NumPy does it (c * m + 255 * (1 - m), m = a / 255,
//    truncated to uint8), the mask is trunc(m * 255) in float32;
//  - the composite is resized with INTER_CUBIC, the mask with INTER_NEAREST.
// The canvas kept for texturing is the same recentred canvas but resampled with premultiplied alpha, so
// colours of invisible pixels (often black or the removed background) do not bleed into the subject's edge.
// Canvases larger than kMaxCanvas are built at kMaxCanvas directly (the only departure from the reference,
// for memory: a 16384-pixel canvas would take 1 GiB).

#include "orfeas/preprocess.h"

#include "orfeas/errors.h"

#include "image/mask_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace orfeas {

namespace {

// Separate pieces of the mask with at least a tenth of the largest one's area (8-connected, as the background
// removal's own component analysis); from this many on, preprocessImage warns.
constexpr std::size_t kManyPieces = 6;

std::size_t majorPieces(const Mask8& mask)
{
    image_detail::BinaryMask m(mask.width, mask.height);
    for (std::size_t i = 0; i < m.v.size(); ++i)
        m.v[i] = mask.values[i] >= 128;
    return image_detail::countMainComponents(m, 0.10);
}


constexpr int kMaxCanvas = 4096;

void report(RunContext* ctx, double fraction, const std::string& message)
{
    if (!ctx)
        return;
    ctx->throwIfCancelled(Stage::ImagePreprocessing);
    ctx->progress(Stage::ImagePreprocessing, fraction, message);
}

struct Box {
    int x0 = 0, y0 = 0, x1 = -1, y1 = -1; // inclusive extremes of alpha != 0
};

// Alpha of pixel i: the removed-background mask when there is one, else the image's own alpha.
inline std::uint8_t alphaAt(const ImageRGBA8& img, const Mask8* mask, std::size_t i) noexcept
{
    return mask ? mask->values[i] : img.pixels[i * 4 + 3];
}

Box alphaBounds(const ImageRGBA8& img, const Mask8* mask)
{
    Box b;
    b.x0 = img.width;
    b.y0 = img.height;
    for (int y = 0; y < img.height; ++y) {
        for (int x = 0; x < img.width; ++x) {
            if (alphaAt(img, mask, std::size_t(y) * img.width + x)) {
                b.x0 = std::min(b.x0, x);
                b.x1 = std::max(b.x1, x);
                b.y0 = std::min(b.y0, y);
                b.y1 = std::max(b.y1, y);
            }
        }
    }
    return b;
}

// The float border ratio as the decimal the user meant (0.15f -> 0.15), so int(S * (1 - r)) matches Python's.
double decimalRatio(float r)
{
    return std::round(double(r) * 1e6) / 1e6;
}

std::vector<std::uint8_t> cropRows(const ImageRGBA8& img, const Mask8* mask, int x0, int y0, int w, int h)
{
    std::vector<std::uint8_t> out(std::size_t(w) * h * 4);
    for (int y = 0; y < h; ++y) {
        std::uint8_t* row = out.data() + std::size_t(y) * w * 4;
        std::memcpy(row, img.pixel(x0, y0 + y), std::size_t(w) * 4);
        if (mask)
            for (int x = 0; x < w; ++x)
                row[x * 4 + 3] = mask->values[std::size_t(y0 + y) * img.width + x0 + x];
    }
    return out;
}

void paste(
    std::vector<std::uint8_t>& canvas, int side, const std::vector<std::uint8_t>& src, int x0, int y0, int w, int h)
{
    for (int y = 0; y < h; ++y)
        std::memcpy(canvas.data() + (std::size_t(y0 + y) * side + x0) * 4, src.data() + std::size_t(y) * w * 4,
            std::size_t(w) * 4);
}

} // namespace

PreprocessedImage preprocessImage(const ImageRGBA8& image, const PreprocessOptions& options, RunContext* ctx)
{
    if (!image.isValid())
        throw BadInputError("the image is empty or inconsistent", {}, Stage::ImagePreprocessing);
    if (options.size < 8 || options.size > 8192)
        throw ConfigError("image size must be between 8 and 8192, got " + std::to_string(options.size));
    if (!(options.borderRatio >= 0.f && options.borderRatio < 0.95f))
        throw ConfigError("border ratio must be in [0, 0.95), got " + std::to_string(options.borderRatio));
    report(ctx, 0.0, "analysing the image");

    bool anyTransparent = false, anyVisible = false;
    for (std::size_t i = 3; i < image.pixels.size(); i += 4) {
        anyTransparent = anyTransparent || image.pixels[i] != 255;
        anyVisible = anyVisible || image.pixels[i] != 0;
    }

    PreprocessedImage out;
    Mask8 removed; // the background-removal mask, when the file's alpha is not used
    if (options.useAlpha && anyTransparent) {
        if (!anyVisible)
            throw BadInputError("the image is fully transparent", {}, Stage::ImagePreprocessing);
        out.alphaFromFile = true;
    } else {
        report(ctx, 0.05, "removing the background");
        removed = removeBackground(image, options.backgroundTolerance);
    }
    const Mask8* mask = out.alphaFromFile ? nullptr : &removed;
    report(ctx, 0.5, "recentring the subject");

    const Box box = alphaBounds(image, mask);
    const int h = box.y1 - box.y0, w = box.x1 - box.x0; // the reference's extents: max - min
    if (box.x1 < 0)
        throw BadInputError("the image is fully transparent", {}, Stage::ImagePreprocessing);
    if (h <= 0 || w <= 0)
        throw BadInputError(
            "the subject is a single row or column of pixels: nothing to reconstruct", {}, Stage::ImagePreprocessing);

    const int side = std::min(std::max(image.width, image.height), kMaxCanvas);
    const int desired = int(double(side) * (1.0 - decimalRatio(options.borderRatio)));
    const double scale = double(desired) / double(std::max(h, w));
    const int h2 = std::max(1, int(double(h) * scale)), w2 = std::max(1, int(double(w) * scale));
    const int oy = (side - h2) / 2, ox = (side - w2) / 2;

    std::vector<std::uint8_t> crop = cropRows(image, mask, box.x0, box.y0, w, h);
    removed = {};
    std::vector<std::uint8_t> canvas(std::size_t(side) * side * 4, 0);
    paste(canvas, side, resizeArea(crop.data(), w, h, 4, w2, h2), ox, oy, w2, h2);

    // Texturing canvas: premultiplied resampling (the crop is premultiplied in place, it is not needed
    // straight any more), then straight alpha again.
    {
        for (std::size_t i = 0; i < crop.size(); i += 4)
            for (int c = 0; c < 3; ++c)
                crop[i + c] = std::uint8_t((crop[i + c] * crop[i + 3] + 127) / 255);
        std::vector<std::uint8_t> scaled = resizeArea(crop.data(), w, h, 4, w2, h2);
        crop = {};
        for (std::size_t i = 0; i < scaled.size(); i += 4) {
            const int a = scaled[i + 3];
            for (int c = 0; c < 3; ++c)
                scaled[i + c] = a ? std::uint8_t(std::min(255, (scaled[i + c] * 255 + a / 2) / a)) : 0;
        }
        out.canvas.width = out.canvas.height = side;
        out.canvas.pixels.assign(std::size_t(side) * side * 4, 0);
        paste(out.canvas.pixels, side, scaled, ox, oy, w2, h2);
    }
    report(ctx, 0.75, "compositing and resizing");

    // Composite over white and extract the mask, in float32 like the reference's NumPy code.
    const std::size_t n = std::size_t(side) * side;
    std::vector<std::uint8_t> rgb(n * 3), alpha(n);
    for (std::size_t i = 0; i < n; ++i) {
        const float m = float(canvas[i * 4 + 3]) / 255.f;
        const float back = 255.f * (1.f - m);
        for (int c = 0; c < 3; ++c) {
            const float v = float(canvas[i * 4 + c]) * m + back;
            rgb[i * 3 + c] = std::uint8_t(std::clamp(v, 0.f, 255.f));
        }
        alpha[i] = std::uint8_t(std::clamp(m * 255.f, 0.f, 255.f));
    }
    canvas = {};

    const int size = options.size;
    const std::vector<std::uint8_t> small = resizeCubic(rgb.data(), side, side, 3, size, size);
    out.image.width = out.image.height = size;
    out.image.pixels.resize(std::size_t(size) * size * 4);
    for (std::size_t i = 0; i < std::size_t(size) * size; ++i) {
        std::memcpy(&out.image.pixels[i * 4], &small[i * 3], 3);
        out.image.pixels[i * 4 + 3] = 255;
    }
    out.mask.width = out.mask.height = size;
    out.mask.values = resizeNearest(alpha.data(), side, side, 1, size, size);
    // A subject in many pieces of similar size is usually no single object: a texture, a pattern, a chart, a sheet
    // of sprites. The model then has as many separate parts. Say so; the user may mean one of them.
    const std::size_t pieces = majorPieces(out.mask);
    if (pieces >= kManyPieces) {
        out.warnings.push_back("the subject is " + std::to_string(pieces)
            + " separate pieces of similar size (is the image a pattern or texture rather than one object?); the "
              "model will have as many separate parts. Crop to one object, or give it a transparent background");
        if (ctx)
            ctx->log(LogLevel::Warning, out.warnings.back());
    }
    report(ctx, 1.0, "preprocessing done");
    return out;
}

} // namespace orfeas
