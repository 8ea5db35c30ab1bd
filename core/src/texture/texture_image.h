#pragma once
// Building the texture image: resampling the canvas with premultiplied alpha (so the background's colour never
// reaches a texel) and bleeding the subject's colours outward (push-pull). Internal to texture synthesis.

#include "orfeas/types.h"

#include <functional>
#include <vector>

namespace orfeas::texture {

// A float RGBA image with premultiplied colour: (r*a, g*a, b*a, a), channel values 0..1, rows top to bottom.
struct PremultipliedImage {
    int width = 0, height = 0;
    std::vector<float> pixels; // width * height * 4

    float* pixel(int x, int y) noexcept { return pixels.data() + (std::size_t(y) * width + x) * 4; }
    const float* pixel(int x, int y) const noexcept { return pixels.data() + (std::size_t(y) * width + x) * 4; }
};

// Resamples `source` to outWidth x outHeight: box (area) filter when shrinking, bilinear when enlarging, on
// premultiplied colour. `coverage(y, row)` fills the subject coverage 0..255 of source row y (its alpha, or a
// mask). `poll` is called every few rows and may throw (cancellation). Thread-safe.
PremultipliedImage resamplePremultiplied(const ImageRGBA8& source, int outWidth, int outHeight,
    const std::function<void(int y, std::uint8_t* row)>& coverage, const std::function<void()>& poll = {});

// Fills every partly or not covered pixel with the subject's colours pulled in from around it (push-pull on an
// image pyramid: Gortler et al., "The Lumigraph"): a fully covered texel keeps its colour exactly, a partly covered
// one mixes its own colour with the pulled one, an empty one gets the pulled colour. The result is opaque.
// An image without any coverage becomes mid grey. Thread-safe.
ImageRGBA8 pushPullFill(const PremultipliedImage& image, const std::function<void()>& poll = {});

} // namespace orfeas::texture
