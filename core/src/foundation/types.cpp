#include "orfeas/types.h"

#include <algorithm>

namespace orfeas {

bool Mesh::isValid() const noexcept
{
    const std::size_t n = positions.size();
    if (indices.size() % 3 != 0)
        return false;
    if (!normals.empty() && normals.size() != n)
        return false;
    if (!uvs.empty() && uvs.size() != n)
        return false;
    if (!colors.empty() && colors.size() != n)
        return false;
    if (!texture.pixels.empty() && !texture.isValid())
        return false;
    return std::all_of(indices.begin(), indices.end(), [n](std::uint32_t i) { return i < n; });
}

Bounds3 computeBounds(const Mesh& mesh) noexcept
{
    Bounds3 b;
    if (mesh.positions.empty())
        return b;
    b.min = b.max = mesh.positions.front();
    for (const auto& p : mesh.positions) {
        b.min.x = std::min(b.min.x, p.x);
        b.min.y = std::min(b.min.y, p.y);
        b.min.z = std::min(b.min.z, p.z);
        b.max.x = std::max(b.max.x, p.x);
        b.max.y = std::max(b.max.y, p.y);
        b.max.z = std::max(b.max.z, p.z);
    }
    return b;
}

} // namespace orfeas
