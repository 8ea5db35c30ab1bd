// Mesh analysis (topology, area, volume) and smooth normals.

#include "mesh/mesh_internal.h"

#include "orfeas/errors.h"
#include "orfeas/mesh_processing.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

namespace orfeas {

namespace mesh {

namespace {
std::uint32_t positionBits(float v) noexcept
{
    if (v == 0.0f)
        v = 0.0f; // -0 and +0 are the same point
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}
} // namespace

std::vector<std::uint32_t> weldByPosition(const std::vector<Vec3f>& positions, std::uint32_t& count, bool distinct)
{
    const std::size_t n = positions.size();
    if (distinct) {
        std::vector<std::uint32_t> ids(n);
        std::iota(ids.begin(), ids.end(), 0u);
        count = std::uint32_t(n);
        return ids;
    }
    std::vector<std::array<std::uint32_t, 3>> keys(n);
    for (std::size_t i = 0; i < n; ++i)
        keys[i] = {positionBits(positions[i].x), positionBits(positions[i].y), positionBits(positions[i].z)};
    const std::vector<std::uint32_t> first = firstEqualItems(
        n,
        [&](std::size_t i) { return mixBits(mixBits(std::uint64_t(keys[i][0]) << 32 | keys[i][1]) ^ keys[i][2]); },
        [&](std::size_t i, std::size_t j) {
            return keys[i][0] == keys[j][0] && keys[i][1] == keys[j][1] && keys[i][2] == keys[j][2];
        });
    std::vector<std::uint32_t> ids(n);
    count = 0;
    for (std::size_t i = 0; i < n; ++i)
        ids[i] = first[i] == i ? count++ : ids[first[i]];
    return ids;
}

UnionFind::UnionFind(std::size_t n) : m_parent(n), m_size(n, 1)
{
    std::iota(m_parent.begin(), m_parent.end(), 0u);
}

std::uint32_t UnionFind::find(std::uint32_t a) noexcept
{
    while (m_parent[a] != a) {
        m_parent[a] = m_parent[m_parent[a]];
        a = m_parent[a];
    }
    return a;
}

void UnionFind::unite(std::uint32_t a, std::uint32_t b) noexcept
{
    a = find(a);
    b = find(b);
    if (a == b)
        return;
    if (m_size[a] < m_size[b])
        std::swap(a, b);
    m_parent[b] = a;
    m_size[a] += m_size[b];
}

void requireValid(const Mesh& m, const char* what)
{
    if (!m.isValid())
        throw MeshingError(std::string(what) + ": the mesh has inconsistent attributes or out-of-range indices",
                           Stage::MeshPostprocess);
}

} // namespace mesh

namespace {

struct D3 {
    double x = 0, y = 0, z = 0;
};
D3 toD(const Vec3f& v)
{
    return {v.x, v.y, v.z};
}
D3 sub(const D3& a, const D3& b)
{
    return {a.x - b.x, a.y - b.y, a.z - b.z};
}
D3 cross(const D3& a, const D3& b)
{
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
double dot(const D3& a, const D3& b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

} // namespace

MeshTopology mesh::topologyOf(const std::vector<std::uint32_t>& ids, std::uint32_t weldedCount,
                              const std::vector<std::uint32_t>& indices)
{
    struct HalfEdge {
        std::uint64_t key; // (min << 32) | max
        bool forward;      // traversed min -> max
    };
    std::vector<HalfEdge> edges;
    edges.reserve(indices.size());
    mesh::UnionFind uf(weldedCount);
    std::vector<char> used(weldedCount, 0);
    for (std::size_t f = 0; f + 2 < indices.size(); f += 3) {
        const std::uint32_t v[3] = {ids[indices[f]], ids[indices[f + 1]], ids[indices[f + 2]]};
        for (int k = 0; k < 3; ++k) {
            const std::uint32_t a = v[k], b = v[(k + 1) % 3];
            used[a] = 1;
            uf.unite(a, b);
            if (a == b)
                continue; // a collapsed edge of a degenerate face
            const std::uint64_t lo = std::min(a, b), hi = std::max(a, b);
            edges.push_back({lo << 32 | hi, a < b});
        }
    }
    mesh::sortByVertex(edges, weldedCount, [](const HalfEdge& e) { return e.key >> 32; },
                       [](const HalfEdge& a, const HalfEdge& b) {
                           return a.key < b.key || (a.key == b.key && a.forward < b.forward);
                       });
    MeshTopology t;
    for (std::size_t i = 0; i < edges.size();) {
        std::size_t j = i;
        std::size_t forward = 0;
        while (j < edges.size() && edges[j].key == edges[i].key) {
            forward += edges[j].forward ? 1 : 0;
            ++j;
        }
        const std::size_t uses = j - i;
        const std::size_t backward = uses - forward;
        if (uses == 1)
            ++t.boundaryEdges;
        else if (uses > 2)
            ++t.nonManifoldEdges;
        if (forward > 1 || backward > 1)
            ++t.inconsistentEdges;
        i = j;
    }
    for (std::uint32_t v = 0; v < weldedCount; ++v)
        if (used[v] && uf.find(v) == v)
            ++t.components;
    return t;
}

MeshTopology analyzeTopology(const Mesh& m)
{
    mesh::requireValid(m, "mesh analysis");
    std::uint32_t weldedCount = 0;
    const std::vector<std::uint32_t> ids = mesh::weldByPosition(m.positions, weldedCount);
    return mesh::topologyOf(ids, weldedCount, m.indices);
}

double surfaceArea(const Mesh& m)
{
    mesh::requireValid(m, "surface area");
    double area = 0;
    for (std::size_t f = 0; f + 2 < m.indices.size(); f += 3) {
        const D3 a = toD(m.positions[m.indices[f]]);
        const D3 n = cross(sub(toD(m.positions[m.indices[f + 1]]), a), sub(toD(m.positions[m.indices[f + 2]]), a));
        area += 0.5 * std::sqrt(dot(n, n));
    }
    return area;
}

double signedVolume(const Mesh& m)
{
    mesh::requireValid(m, "signed volume");
    if (m.indices.empty())
        return 0;
    // Relative to a point near the mesh: the result is the same for a closed mesh, with less cancellation.
    const D3 o = toD(m.positions[m.indices[0]]);
    double volume = 0;
    for (std::size_t f = 0; f + 2 < m.indices.size(); f += 3) {
        const D3 a = sub(toD(m.positions[m.indices[f]]), o);
        const D3 b = sub(toD(m.positions[m.indices[f + 1]]), o);
        const D3 c = sub(toD(m.positions[m.indices[f + 2]]), o);
        volume += dot(a, cross(b, c));
    }
    return volume / 6.0;
}

void computeVertexNormals(Mesh& m)
{
    mesh::requireValid(m, "vertex normals");
    // Accumulated per position (not per vertex), so that vertices split by a uv seam get the same normal.
    std::uint32_t weldedCount = 0;
    const std::vector<std::uint32_t> ids = mesh::weldByPosition(m.positions, weldedCount);
    std::vector<D3> sum(weldedCount);
    for (std::size_t f = 0; f + 2 < m.indices.size(); f += 3) {
        const D3 a = toD(m.positions[m.indices[f]]);
        // |cross| is twice the face's area: area weighting comes for free.
        const D3 n = cross(sub(toD(m.positions[m.indices[f + 1]]), a), sub(toD(m.positions[m.indices[f + 2]]), a));
        for (int k = 0; k < 3; ++k) {
            D3& s = sum[ids[m.indices[f + std::size_t(k)]]];
            s.x += n.x;
            s.y += n.y;
            s.z += n.z;
        }
    }
    m.normals.resize(m.positions.size());
    for (std::size_t i = 0; i < m.positions.size(); ++i) {
        const D3& s = sum[ids[i]];
        const double len = std::sqrt(dot(s, s));
        if (len > 0 && std::isfinite(len))
            m.normals[i] = Vec3f{float(s.x / len), float(s.y / len), float(s.z / len)};
        else
            m.normals[i] = Vec3f{0, 0, 1}; // unused vertex or cancelling faces: any unit vector
    }
}

} // namespace orfeas
