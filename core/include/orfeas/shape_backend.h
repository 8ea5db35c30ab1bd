#pragma once
// Shape backends turn a preprocessed image into an occupancy volume. All backends share surface extraction,
// post-processing, texturing and export.

#include "orfeas/run_context.h"
#include "orfeas/settings.h"
#include "orfeas/types.h"

#include <memory>
#include <string>
#include <vector>

namespace orfeas {

// What preprocessing produced: the subject recentred with a border on a square canvas (reference semantics:
// crop to the alpha bounding box, scale so the longer side is (1 - border) of the canvas, centre).
struct PreprocessedImage {
    ImageRGBA8 canvas;      // the recentred square canvas at (about) the input's own resolution, straight alpha:
                            // the colour source for texturing (side = max(W, H) of the input, capped at 4096)
    ImageRGBA8 image;       // size x size, composited over white, alpha 255: what the neural conditioner sees
    Mask8 mask;             // size x size subject mask (nearest-neighbour resize, as the reference)
    bool alphaFromFile = false; // true: the mask came from the file's alpha; false: from background removal
    std::vector<std::string> warnings; // for the run report (e.g. "the subject is 64 separate pieces")
};

// How the canvas maps onto the volume, for front projection: with normalised canvas coordinates
// s = (u + 0.5) / side, t = (v + 0.5) / side (v down), the pixel lies on the line x = xMin + s * (xMax - xMin),
// y = yMax - t * (yMax - yMin), parallel to z (the viewer looks along -z).
struct ProjectionFrame {
    float xMin = -1, xMax = 1, yMin = -1, yMax = 1;
};

struct ShapeResult {
    Volume volume;
    float level = 0.0f;     // the iso-level: inside where value > level
    ProjectionFrame frame;  // how the input image maps onto the volume
    std::string backendName;
    std::string modelDescription; // e.g. "hunyuan3d-dit-v2-0 (fp16, cuda:0)"; empty for classic backends
    double peakGpuMemoryMB = -1;  // peak device memory during generate(), -1 if not measured
    std::vector<std::string> warnings; // for the run report (e.g. "decoding retried with smaller chunks")
};

class ShapeBackend {
public:
    virtual ~ShapeBackend() = default;
    virtual std::string name() const = 0;
    // Computes the volume. Reports progress and checks cancellation through ctx; throws orfeas::Error.
    // Thread-safety: a backend instance may be used by several runs at once.
    virtual ShapeResult generate(const PreprocessedImage& image, const JobSettings& settings, RunContext& ctx) = 0;
};

// The classic silhouette-inflation backend (CPU, no weights, stateless: one instance serves concurrent runs).
// From image.mask it solves a Poisson problem whose square root is a rounded height field (a disk inflates to a
// sphere, an ellipse to an ellipsoid; depth scaled by settings.thickness) and writes thickness^2 * h - z^2 on a
// grid of settings.resolution cells across the canvas (level 0, frame: the canvas's longer side spans [-1, 1]).
// Throws BadInputError (empty or too small mask), ConfigError (resolution, thickness), CancelledError.
std::unique_ptr<ShapeBackend> createInflateBackend();

} // namespace orfeas
