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
#include <algorithm>
#include <functional>
#include <utility>

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

std::size_t repairFolds(Mesh& m, bool distinctPositions)
{
    std::uint32_t count = 0;
    const std::vector<std::uint32_t> ids = weldByPosition(m.positions, count, distinctPositions);
    std::vector<std::uint32_t>& idx = m.indices;
    const std::size_t halfEdges = idx.size();
    constexpr std::uint32_t kNone = 0xffffffffu;
    // Half-edge h = 3 * face + k runs from idx[h] to idx[next(h)]; opp[h] is its twin when the edge has exactly
    // two half-edges running opposite ways (on welded ids), else kNone.
    auto next = [](std::uint32_t h) { return h - h % 3 + (h % 3 + 1) % 3; };
    auto prev = [](std::uint32_t h) { return h - h % 3 + (h % 3 + 2) % 3; };
    std::vector<std::uint32_t> opp(halfEdges, kNone);
    {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(halfEdges);
        for (std::uint32_t h = 0; h < halfEdges; ++h) {
            const std::uint64_t a = ids[idx[h]], b = ids[idx[next(h)]];
            keyed[h] = {std::min(a, b) << 32 | std::max(a, b), h};
        }
        sortByVertex(keyed, count, [](const std::pair<std::uint64_t, std::uint32_t>& e) { return e.first >> 32; },
                     std::less<>());
        for (std::size_t i = 0; i < halfEdges;) {
            std::size_t j = i + 1;
            while (j < halfEdges && keyed[j].first == keyed[i].first)
                ++j;
            if (j - i == 2) {
                const std::uint32_t h = keyed[i].second, o = keyed[i + 1].second;
                if (ids[idx[h]] == ids[idx[next(o)]] && ids[idx[h]] != ids[idx[next(h)]]) {
                    opp[h] = o;
                    opp[o] = h;
                }
            }
            i = j;
        }
    }
    // Whether vertex v (origin of half-edge `start`) already has an edge to welded vertex w. Walks v's fan; an
    // open or irregular fan answers yes, so that no flip is done there.
    auto connected = [&](std::uint32_t start, std::uint32_t w) {
        std::uint32_t h = start;
        for (int steps = 0; steps < 256; ++steps) {
            if (ids[idx[next(h)]] == w)
                return true;
            const std::uint32_t o = opp[prev(h)];
            if (o == kNone)
                return true;
            h = o;
            if (h == start)
                return false;
        }
        return true;
    };
    auto normalOf = [&](std::uint32_t a, std::uint32_t b, std::uint32_t c) {
        const V3 pa = toV(m.positions[a]);
        return cross(sub(toV(m.positions[b]), pa), sub(toV(m.positions[c]), pa));
    };
    auto link = [&](std::uint32_t h, std::uint32_t o) {
        opp[h] = o;
        if (o != kNone)
            opp[o] = h;
    };

    std::size_t flips = 0;
    const std::size_t faces = m.faceCount();
    for (int pass = 0; pass < kMaxPasses; ++pass) {
        std::size_t flipsThisPass = 0;
        for (std::uint32_t f = 0; f < faces; ++f) {
            for (std::uint32_t k = 0; k < 3; ++k) {
                const std::uint32_t hab = 3 * f + k, hba = opp[hab];
                if (hba == kNone)
                    continue;
                const std::uint32_t hbc = next(hab), hca = prev(hab), had = next(hba), hdb = prev(hba);
                const std::uint32_t a = idx[hab], b = idx[hbc], c = idx[hca], d = idx[hdb];
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
                const V3 pa = toV(m.positions[a]);
                const double volume = std::abs(dot(sub(toV(m.positions[c]), pa),
                                                   cross(sub(toV(m.positions[b]), pa), sub(toV(m.positions[d]), pa)))) /
                                      6.0;
                if (volume > kMaxRelativeVolume * area * std::sqrt(area))
                    continue;
                if (ids[c] == ids[d] || connected(hca, ids[d]))
                    continue; // the new edge exists already: a flip would make it non-manifold
                const std::uint32_t g = hba / 3;
                const std::uint32_t oca = opp[hca], oad = opp[had], odb = opp[hdb], obc = opp[hbc];
                idx[3 * f] = c;
                idx[3 * f + 1] = a;
                idx[3 * f + 2] = d;
                idx[3 * g] = c;
                idx[3 * g + 1] = d;
                idx[3 * g + 2] = b;
                link(3 * f, oca);
                link(3 * f + 1, oad);
                link(3 * f + 2, 3 * g);
                link(3 * g + 1, odb);
                link(3 * g + 2, obc);
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
