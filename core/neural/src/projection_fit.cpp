#include "projection_fit.h"

#include <algorithm>
#include <cmath>

namespace orfeas::neural {

ProjectionFrame nominalProjectionFrame(float borderRatio)
{
    const float half = 1.0f / std::max(1.0f - borderRatio, 0.05f);
    return ProjectionFrame { -half, half, -half, half };
}

ProjectionFrame fitProjectionFrame(const Volume& volume, float level, const Mask8& mask, float borderRatio)
{
    if (!mask.isValid() || volume.values.size() != volume.pointCount() || volume.values.empty())
        return nominalProjectionFrame(borderRatio);
    std::vector<std::uint8_t> silhouette(std::size_t(volume.nx) * std::size_t(volume.ny), 0);
    for (int ix = 0; ix < volume.nx; ++ix) {
        for (int iy = 0; iy < volume.ny; ++iy) {
            const float* column = volume.values.data() + volume.index(ix, iy, 0);
            if (std::any_of(column, column + volume.nz, [level](float x) { return x > level; }))
                silhouette[std::size_t(ix) * std::size_t(volume.ny) + std::size_t(iy)] = 1;
        }
    }
    return fitProjectionFrame(silhouette, volume.nx, volume.ny, volume.origin, volume.spacing, mask, borderRatio);
}

ProjectionFrame fitProjectionFrame(const std::vector<std::uint8_t>& silhouette, int nx, int ny, Vec3f origin,
    Vec3f spacing, const Mask8& mask, float borderRatio)
{
    const ProjectionFrame nominal = nominalProjectionFrame(borderRatio);
    if (!mask.isValid() || nx < 1 || ny < 1 || silhouette.size() != std::size_t(nx) * std::size_t(ny))
        return nominal;

    int u0 = mask.width, u1 = -1, v0 = mask.height, v1 = -1;
    for (int v = 0; v < mask.height; ++v) {
        for (int u = 0; u < mask.width; ++u) {
            if (mask.at(u, v) >= 128) {
                u0 = std::min(u0, u);
                u1 = std::max(u1, u);
                v0 = std::min(v0, v);
                v1 = std::max(v1, v);
            }
        }
    }
    int ix0 = nx, ix1 = -1, iy0 = ny, iy1 = -1;
    for (int ix = 0; ix < nx; ++ix) {
        for (int iy = 0; iy < ny; ++iy) {
            if (silhouette[std::size_t(ix) * std::size_t(ny) + std::size_t(iy)] != 0) {
                ix0 = std::min(ix0, ix);
                ix1 = std::max(ix1, ix);
                iy0 = std::min(iy0, iy);
                iy1 = std::max(iy1, iy);
            }
        }
    }
    if (u1 < 0 || ix1 < 0)
        return nominal;
    if (ix0 == 0 && iy0 == 0 && ix1 == nx - 1 && iy1 == ny - 1)
        return nominal; // no silhouette edge inside the grid

    // Extents: mask in normalised canvas coordinates (pixel edges), silhouette in world units (half a cell out).
    const double s0 = double(u0) / mask.width, s1 = double(u1 + 1) / mask.width;
    const double t0 = double(v0) / mask.height, t1 = double(v1 + 1) / mask.height;
    const double x0 = origin.x + (ix0 - 0.5) * spacing.x;
    const double x1 = origin.x + (ix1 + 0.5) * spacing.x;
    const double y0 = origin.y + (iy0 - 0.5) * spacing.y;
    const double y1 = origin.y + (iy1 + 0.5) * spacing.y;
    // One scale for both axes (the canvas is square), taken from the axis where the subject is larger.
    const double k = (s1 - s0) >= (t1 - t0) ? (x1 - x0) / (s1 - s0) : (y1 - y0) / (t1 - t0);
    const double nominalK = double(nominal.xMax - nominal.xMin);
    if (!(k > nominalK / 4 && k < nominalK * 4))
        return nominal;
    ProjectionFrame f;
    f.xMin = float(0.5 * (x0 + x1) - k * 0.5 * (s0 + s1));
    f.xMax = float(f.xMin + k);
    f.yMax = float(0.5 * (y0 + y1) + k * 0.5 * (t0 + t1));
    f.yMin = float(f.yMax - k);
    return f;
}

} // namespace orfeas::neural
