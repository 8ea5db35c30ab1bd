#pragma once
// Silhouette inflation: from a subject mask to an occupancy volume whose surface is a rounded body (a disk becomes
// a sphere, an ellipse an ellipsoid). Internal to the inflate backend; the public entry is createInflateBackend().

#include "orfeas/run_context.h"
#include "orfeas/shape_backend.h"
#include "orfeas/types.h"

namespace orfeas::inflate {

struct InflateParams {
    int resolution = 128; // grid cells across the canvas's longer side
    float thickness = 1.0f; // depth scale: 1 gives round sections
};

// Builds the volume. Coordinates: the canvas's longer side spans [-1, 1] (image right = +x, image up = +y), the
// viewer looks along -z. The height field h solves -Laplacian(h) = 4 inside the silhouette with h = 0 on it (so a
// disk of radius R gives h = R^2 - r^2), the body is |z| < thickness * sqrt(h), and the stored value is
// thickness^2 * h - z^2 (positive inside, level 0). Outside the silhouette the value is extended linearly through
// the boundary, so the slice z = 0 crosses zero at the silhouette to sub-cell accuracy.
// Throws BadInputError (stage shape_generation) for an empty mask or one too small for the grid, ConfigError for
// invalid parameters, CancelledError. Thread-safe.
ShapeResult inflateMask(const Mask8& mask, const InflateParams& params, RunContext* ctx = nullptr);

} // namespace orfeas::inflate
