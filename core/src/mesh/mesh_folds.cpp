// Repair of folded slivers by edge flips.
//
// meshoptimizer 0.18 does not reject collapses that rotate a triangle (later versions do), so a reduced
// marching-cubes mesh keeps a few needle triangles standing across the surface: tiny in area, but a vertex whose
// faces are all such needles gets a normal perpendicular to the surface. Flipping the edge between a needle and
// its neighbour replaces the pair by two faces that follow the neighbour. A flip never changes the topology's
// edge counts (each edge still has two faces), and it is only done when the new edge does not exist yet, both new
// faces agree, and the tetrahedron between the four points (the volume the flip adds or removes) is negligible.

#include "mesh/mesh_internal.h"

#include <cmath>
#include <unordered_map>

namespace orfeas::mesh {

namespace {

struct V3 {
    double x, y, z;
};
V3 toV(const Vec3f& p)
{
    return {p.x, p.y, p.z};
}
V3 sub(const V3& a, const V3& b)
{
    return {a.x - b.x, a.y - b.y, a.z - b.z};
}
V3 cross(const V3& a, const V3& b)
{
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
double dot(const V3& a, const V3& b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}
double norm(const V3& a)
{
    return std::sqrt(dot(a, a));
}

// Faces whose normals disagree by more than this (cosine) are a fold candidate.
constexpr double kFoldCos = 0.5;
// A flip must bring the two faces at least this close (cosine).
constexpr double kFlippedCos = 0.8;
// Tetrahedron volume allowed relative to (area of the two faces)^1.5.
constexpr double kMaxRelativeVolume = 0.02;
constexpr int kMaxPasses = 4;

} // namespace

std::size_t repairFolds(Mesh& m)
{
    std::uint32_t count = 0;
    const std::vector<std::uint32_t> ids = weldByPosition(m.positions, count);
    auto key = [&](std::uint32_t a, std::uint32_t b) { return std::uint64_t(ids[a]) << 32 | ids[b]; };
    const std::size_t faces = m.faceCount();
    constexpr std::uint32_t kAmbiguous = 0xffffffffu;
    std::unordered_map<std::uint64_t, std::uint32_t> faceOfEdge; // directed welded edge -> face
    faceOfEdge.reserve(faces * 3);
    for (std::size_t f = 0; f < faces; ++f)
        for (int k = 0; k < 3; ++k) {
            auto [it, inserted] = faceOfEdge.emplace(key(m.indices[3 * f + std::size_t(k)], m.indices[3 * f + std::size_t((k + 1) % 3)]),
                                                     std::uint32_t(f));
            if (!inserted)
                it->second = kAmbiguous;
        }
    auto normalOf = [&](std::uint32_t a, std::uint32_t b, std::uint32_t c) {
        const V3 pa = toV(m.positions[a]);
        return cross(sub(toV(m.positions[b]), pa), sub(toV(m.positions[c]), pa));
    };

    std::size_t flips = 0;
    for (int pass = 0; pass < kMaxPasses; ++pass) {
        std::size_t flipsThisPass = 0;
        for (std::size_t f = 0; f < faces; ++f) {
            for (int k = 0; k < 3; ++k) {
                std::uint32_t* t = &m.indices[3 * f];
                const std::uint32_t a = t[k], b = t[(k + 1) % 3], c = t[(k + 2) % 3];
                const auto it = faceOfEdge.find(key(b, a));
                if (it == faceOfEdge.end() || it->second == kAmbiguous || it->second == f)
                    continue;
                const std::size_t g = it->second;
                std::uint32_t* s = &m.indices[3 * g];
                int r = 0;
                while (r < 3 && !(ids[s[r]] == ids[b] && ids[s[(r + 1) % 3]] == ids[a]))
                    ++r;
                if (r == 3)
                    continue;
                const std::uint32_t d = s[(r + 2) % 3];
                auto owns = [&](std::uint32_t u, std::uint32_t v, std::size_t face) {
                    const auto e = faceOfEdge.find(key(u, v));
                    return e != faceOfEdge.end() && e->second == face;
                };
                if (!owns(a, b, f) || !owns(b, c, f) || !owns(c, a, f) || !owns(a, d, g) || !owns(d, b, g))
                    continue; // non-manifold surroundings: leave alone
                if (ids[c] == ids[d] || faceOfEdge.count(key(c, d)) || faceOfEdge.count(key(d, c)))
                    continue; // the new edge exists already: a flip would make it non-manifold
                const V3 n1 = normalOf(a, b, c), n2 = normalOf(b, a, d);
                const double l1 = norm(n1), l2 = norm(n2);
                if (l1 == 0 || l2 == 0 || dot(n1, n2) > kFoldCos * l1 * l2)
                    continue; // not a fold
                // Flipped: (c, a, d) and (c, d, b).
                const V3 m1 = normalOf(c, a, d), m2 = normalOf(c, d, b);
                const double k1 = norm(m1), k2 = norm(m2);
                if (k1 == 0 || k2 == 0 || dot(m1, m2) < kFlippedCos * k1 * k2)
                    continue;
                const double area = 0.5 * (l1 + l2);
                const double volume =
                    std::abs(dot(sub(toV(m.positions[c]), toV(m.positions[a])),
                                 cross(sub(toV(m.positions[b]), toV(m.positions[a])),
                                       sub(toV(m.positions[d]), toV(m.positions[a]))))) / 6.0;
                if (volume > kMaxRelativeVolume * area * std::sqrt(area))
                    continue;
                for (const std::uint64_t e : {key(a, b), key(b, c), key(c, a), key(b, a), key(a, d), key(d, b)})
                    faceOfEdge.erase(e);
                t[0] = c;
                t[1] = a;
                t[2] = d;
                s[0] = c;
                s[1] = d;
                s[2] = b;
                for (const std::size_t h : {f, g})
                    for (int j = 0; j < 3; ++j)
                        faceOfEdge[key(m.indices[3 * h + std::size_t(j)], m.indices[3 * h + std::size_t((j + 1) % 3)])] =
                            std::uint32_t(h);
                ++flipsThisPass;
                break; // face f changed: its other edges are looked at in the next pass
            }
        }
        flips += flipsThisPass;
        if (flipsThisPass == 0)
            break;
    }
    return flips;
}

} // namespace orfeas::mesh
