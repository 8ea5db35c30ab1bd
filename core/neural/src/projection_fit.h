#pragma once
// Where the input image lies relative to a generated shape, for front projection. Torch-free.
//
// Hunyuan3D-2's volume is already in the engine's frame (+X to the image's right, +Y up, +Z towards the viewer):
// see docs/neural.md. Its scale relative to the image is not fixed by the model, so the frame is fitted: the
// shape's silhouette seen along -Z is matched to the subject's mask (uniform scale, centres aligned).

#include "orfeas/shape_backend.h"
#include "orfeas/types.h"

#include <cstdint>
#include <vector>

namespace orfeas::neural {

// The frame when nothing better is known: the subject's longer image extent, (1 - borderRatio) of the canvas,
// spans [-1, 1] (the box Hunyuan3D-2 normalises shapes to).
ProjectionFrame nominalProjectionFrame(float borderRatio);

// Fits the frame to the volume's silhouette (points with value > level, projected along z) and the mask's bounding
// box (values >= 128). Falls back to the nominal frame when either is empty, the silhouette fills the whole grid,
// or the fitted scale is implausible (outside 1/4 .. 4 times the nominal one).
ProjectionFrame fitProjectionFrame(const Volume& volume, float level, const Mask8& mask, float borderRatio);

// The same from the silhouette alone: silhouette[ix * ny + iy] != 0 where some point of the column (ix, iy) is
// inside (a volume on the GPU computes it there and downloads only this). Grid geometry as the volume's.
ProjectionFrame fitProjectionFrame(const std::vector<std::uint8_t>& silhouette, int nx, int ny, Vec3f origin,
    Vec3f spacing, const Mask8& mask, float borderRatio);

} // namespace orfeas::neural
