#pragma once
// Signed Euclidean distance of a binary mask, for locating the silhouette between grid points with sub-cell
// accuracy. Internal to the inflate backend.

#include "orfeas/types.h"

#include <cstddef>
#include <vector>

namespace orfeas::inflate {

// A signed distance map in pixel units, positive inside the subject (mask value >= 128). The zero level runs
// half-way between a subject pixel centre and its nearest background pixel centre. Everything outside the mask
// counts as background, so a subject touching the mask's border still gets a closed zero level.
class SignedDistanceMap {
public:
    // Computes the exact Euclidean transform (separable lower-envelope algorithm, linear time).
    explicit SignedDistanceMap(const Mask8& mask);

    int width() const noexcept { return m_width; }
    int height() const noexcept { return m_height; }
    // Bilinear sample at continuous pixel coordinates (the centre of pixel (u, v) is at (u, v), v down). Beyond the
    // map the value keeps decreasing with the distance to it, so far points stay outside. Thread-safe.
    float sample(float u, float v) const noexcept;
    // The value at a pixel of the mask.
    float at(int u, int v) const noexcept { return m_values[std::size_t(v + 1) * m_stride + std::size_t(u + 1)]; }

private:
    int m_width = 0, m_height = 0;
    int m_stride = 0, m_rows = 0; // padded size: one background pixel on every side
    std::vector<float> m_values;
};

} // namespace orfeas::inflate
