#pragma once
// Image preprocessing: alpha from the file or classic background removal, recentring with a border ratio on a
// square canvas, resizing (semantics of the reference's ImageProcessorV2, reproduced to the 8-bit value).

#include "orfeas/run_context.h"
#include "orfeas/shape_backend.h"
#include "orfeas/types.h"

namespace orfeas {

struct PreprocessOptions {
    int size = 512; // output side (8..8192)
    float borderRatio = 0.15f; // empty border around the subject, as a share of the canvas ([0, 0.95))
    float backgroundTolerance = 0.10f; // colour distance (0..1] that still counts as background (0.1 = ΔE*ab 10)
    // Use the file's alpha when it has a meaningful one (not all opaque); otherwise remove the background.
    bool useAlpha = true;
};

// Finds the subject of an opaque image: the background colour(s) are estimated from the image border
// (clusters plus a smooth colour surface for gradients and vignettes, in CIELAB), a flood fill from the
// border takes every pixel within `tolerance` of that model, then morphological cleanup, the main
// component(s) are kept and enclosed holes filled (the subject is a silhouette: a drawing's white interior
// belongs to it). Returns a mask of the image's size, 0 or 255. Images above 4 megapixels are segmented at
// about 4 megapixels and the mask scaled back. Throws BadInputError(stage image_preprocessing) saying why
// and what to do when no subject can be found (uniform image, busy background, subject touching most of
// the border, subject tiny), ConfigError for a tolerance outside (0, 1]. Thread-safe.
Mask8 removeBackground(const ImageRGBA8& image, float tolerance);

// Full preprocessing: `image` and `mask` equal the reference's output (size x size, composited over white;
// mask by nearest neighbour); `canvas` is the same recentred square at the input's resolution (side
// max(W, H), at most 4096) with straight alpha, resampled with premultiplied alpha so that invisible
// pixels' colours do not bleed into the subject's edge. Reports progress and checks cancellation through
// ctx when given. Throws BadInputError(stage image_preprocessing) for an empty alpha ("the image is fully
// transparent") or no subject, ConfigError for invalid options, CancelledError. Thread-safe.
PreprocessedImage preprocessImage(const ImageRGBA8& image, const PreprocessOptions& options, RunContext* ctx = nullptr);

// Resamplers with OpenCV's semantics (for parity with the reference): INTER_AREA, INTER_CUBIC, INTER_NEAREST.
// Operate on interleaved 8-bit images with `channels` (1..4) channels; results rounded and saturated like
// OpenCV 5 on x86 (bit-exact except INTER_CUBIC with 1, 3 or 4 channels, which OpenCV hands to Intel IPP:
// about 5 values per million differ by 1). Throws InternalError for empty sizes. Thread-safe.
std::vector<std::uint8_t> resizeArea(const std::uint8_t* src, int w, int h, int channels, int outW, int outH);
std::vector<std::uint8_t> resizeCubic(const std::uint8_t* src, int w, int h, int channels, int outW, int outH);
std::vector<std::uint8_t> resizeNearest(const std::uint8_t* src, int w, int h, int channels, int outW, int outH);

} // namespace orfeas
