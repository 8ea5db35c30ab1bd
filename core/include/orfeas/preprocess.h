#pragma once
// Image preprocessing: alpha from the file or classic background removal, recentring with a border ratio on a
// square canvas, resizing (semantics of the reference's ImageProcessorV2).

#include "orfeas/run_context.h"
#include "orfeas/shape_backend.h"
#include "orfeas/types.h"

namespace orfeas {

struct PreprocessOptions {
    int size = 512;                  // output side
    float borderRatio = 0.15f;       // empty border around the subject, as a share of the canvas
    float backgroundTolerance = 0.10f; // colour distance (0..1) that still counts as background
    // Use the file's alpha when it has a meaningful one (not all opaque); otherwise remove the background.
    bool useAlpha = true;
};

// Finds the subject of an opaque image: border-connected colour segmentation with a tolerance, morphological
// cleanup, keep the main component. Throws BadInputError(stage image_preprocessing) when no subject can be found
// (e.g. a uniform image, or a subject touching most of the border). Thread-safe.
Mask8 removeBackground(const ImageRGBA8& image, float tolerance);

// Full preprocessing. Throws BadInputError(stage image_preprocessing) for an empty alpha / no subject. Thread-safe.
PreprocessedImage preprocessImage(const ImageRGBA8& image, const PreprocessOptions& options, RunContext* ctx = nullptr);

// Resamplers with OpenCV's semantics (for parity with the reference): INTER_AREA, INTER_CUBIC, INTER_NEAREST.
// Operate on interleaved 8-bit images with `channels` channels; results rounded and saturated like OpenCV.
std::vector<std::uint8_t> resizeArea(const std::uint8_t* src, int w, int h, int channels, int outW, int outH);
std::vector<std::uint8_t> resizeCubic(const std::uint8_t* src, int w, int h, int channels, int outW, int outH);
std::vector<std::uint8_t> resizeNearest(const std::uint8_t* src, int w, int h, int channels, int outW, int outH);

} // namespace orfeas
