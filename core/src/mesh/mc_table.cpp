// Generation of the marching cubes table (see docs/marching_cubes.md for the numbering).
//
// The classic 256-entry table picks one connectivity per ambiguous face regardless of the neighbouring cell, which
// can leave cracks. Instead the table is generated from first principles for every corner configuration and every
// choice of the ambiguous faces' connectivity:
//  1. On each cell face, the crossed edges are paired into segments. A segment always runs from an edge where a
//     counter-clockwise walk around the face (seen from outside) enters the inside region to one where it leaves
//     it, so the inside lies to the right of each segment seen from outside the cell. On an ambiguous face the
//     face bit chooses between cutting off the two inside corners and cutting off the two outside corners.
//  2. Every crossed edge is the start of exactly one segment and the end of exactly one other (the two faces that
//     share the edge walk it in opposite directions), so the segments chain into closed loops. A loop oriented
//     this way is the boundary of a patch whose normal points to the outside region.
//  3. Each loop is triangulated keeping its vertex order (so triangles stay counter-clockwise seen from outside).
//     The triangulation minimises the total area measured on the edges' midpoints. A diagonal between two edges
//     of a common cell face lies in that face, and if the neighbouring cell used it too the edge would be shared
//     by four triangles; such diagonals are avoided where possible and otherwise used only by the one cell that
//     owns them (ownsFaceDiagonal).
// Two cells sharing a face build the same segments on it (in opposite directions) as long as they choose the same
// connectivity, which the asymptotic decider guarantees at run time; hence the mesh is watertight by construction.

#include "orfeas/errors.h"
#include "orfeas/marching_cubes.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

namespace orfeas {

namespace {

struct P3 {
    double x, y, z;
};

P3 cornerPos(int c)
{
    return {double(c & 1), double((c >> 1) & 1), double((c >> 2) & 1)};
}

P3 edgeMidpoint(int e)
{
    const P3 a = cornerPos(McTable::kEdgeCorners[e][0]);
    const P3 b = cornerPos(McTable::kEdgeCorners[e][1]);
    return {(a.x + b.x) / 2, (a.y + b.y) / 2, (a.z + b.z) / 2};
}

double triangleArea(const P3& a, const P3& b, const P3& c)
{
    const P3 u{b.x - a.x, b.y - a.y, b.z - a.z};
    const P3 v{c.x - a.x, c.y - a.y, c.z - a.z};
    const P3 n{u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x};
    return 0.5 * std::sqrt(n.x * n.x + n.y * n.y + n.z * n.z);
}

// The edge joining two corners, or -1.
int edgeBetween(int a, int b)
{
    for (int e = 0; e < 12; ++e) {
        const int c0 = McTable::kEdgeCorners[e][0], c1 = McTable::kEdgeCorners[e][1];
        if ((c0 == a && c1 == b) || (c0 == b && c1 == a))
            return e;
    }
    return -1;
}

// Whether a cell may use the diagonal between edges a and b lying in their common face f. The two cells sharing
// a face must never both use the same diagonal, so each diagonal has one owner: a diagonal cutting off the face
// corner at in-plane coordinates (u, v) belongs to the cell that has the face on side (u + v) % 2; a diagonal
// between opposite edges belongs to the cell that has the face on its low side. (Owning all diagonals by the low
// side is not enough: some loops need a diagonal in a high face. This rule lets every loop be triangulated.)
bool ownsFaceDiagonal(int f, int a, int b)
{
    const int axis = f / 2, side = f % 2;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            if (McTable::kEdgeCorners[a][i] == McTable::kEdgeCorners[b][j]) {
                const int c = McTable::kEdgeCorners[a][i];
                const int u = (c >> ((axis + 1) % 3)) & 1, v = (c >> ((axis + 2) % 3)) & 1;
                return side == ((u + v) & 1);
            }
    return side == 0;
}

struct Geometry {
    int faceEdges[6][4];  // edge k of face f joins kFaceCorners[f][k] and kFaceCorners[f][(k + 1) % 4]
    std::uint8_t edgeFaces[12]; // bit f set when the edge lies on face f
    P3 midpoints[12];
};

Geometry makeGeometry()
{
    Geometry g{};
    for (int f = 0; f < 6; ++f) {
        for (int k = 0; k < 4; ++k) {
            const int e = edgeBetween(McTable::kFaceCorners[f][k], McTable::kFaceCorners[f][(k + 1) % 4]);
            if (e < 0)
                throw InternalError("marching cubes: face corners are not adjacent");
            g.faceEdges[f][k] = e;
            g.edgeFaces[e] |= std::uint8_t(1u << f);
        }
    }
    for (int e = 0; e < 12; ++e)
        g.midpoints[e] = edgeMidpoint(e);
    return g;
}

// Minimum-area triangulation of a closed loop of edge indices that keeps the loop's order, with face diagonals
// restricted as explained in the file comment. Appends triangles to `out`; false if no triangulation exists.
bool triangulateLoop(const Geometry& g, const std::vector<int>& loop, std::vector<int>& out)
{
    const int n = int(loop.size());
    if (n < 3)
        return false;
    if (n == 3) {
        out.insert(out.end(), loop.begin(), loop.end());
        return true;
    }
    constexpr double kInf = std::numeric_limits<double>::infinity();
    // Extra cost of a diagonal lying in a cell face: used only where nothing else works.
    constexpr double kFaceChordPenalty = 100.0;
    auto chordCost = [&](int i, int j) {
        if (j == i + 1 || (i == 0 && j == n - 1))
            return 0.0; // a side of the loop
        const unsigned common = g.edgeFaces[loop[i]] & g.edgeFaces[loop[j]];
        if (common == 0)
            return 0.0;
        const int face = std::countr_zero(common); // two distinct edges share at most one face
        return ownsFaceDiagonal(face, loop[i], loop[j]) ? kFaceChordPenalty : kInf;
    };
    // cost[i][j]: best triangulation of the sub-polygon i..j (j > i + 1), split[i][j]: its apex.
    std::vector<double> cost(std::size_t(n * n), 0.0);
    std::vector<int> split(std::size_t(n * n), -1);
    for (int len = 2; len < n; ++len) {
        for (int i = 0; i + len < n; ++i) {
            const int j = i + len;
            double best = kInf;
            int bestK = -1;
            const double chord = chordCost(i, j);
            if (std::isfinite(chord)) {
                for (int k = i + 1; k < j; ++k) {
                    const double c = chord + cost[std::size_t(i * n + k)] + cost[std::size_t(k * n + j)];
                    if (!std::isfinite(c))
                        continue;
                    const double total =
                        c + triangleArea(g.midpoints[loop[i]], g.midpoints[loop[k]], g.midpoints[loop[j]]);
                    if (total < best - 1e-12) {
                        best = total;
                        bestK = k;
                    }
                }
            }
            cost[std::size_t(i * n + j)] = best;
            split[std::size_t(i * n + j)] = bestK;
        }
    }
    if (!std::isfinite(cost[std::size_t(n - 1)]))
        return false;
    // Emit triangles (i, k, j) recursively; they keep the loop's cyclic order.
    std::vector<std::pair<int, int>> stack{{0, n - 1}};
    while (!stack.empty()) {
        const auto [i, j] = stack.back();
        stack.pop_back();
        if (j - i < 2)
            continue;
        const int k = split[std::size_t(i * n + j)];
        out.push_back(loop[i]);
        out.push_back(loop[k]);
        out.push_back(loop[j]);
        stack.push_back({k, j});
        stack.push_back({i, k});
    }
    return true;
}

// The triangles of one configuration, as edge indices.
std::vector<int> buildEntry(const Geometry& g, int cube, int faceBits)
{
    auto inside = [cube](int c) { return (cube >> c) & 1; };
    int next[12];
    int prevCount[12] = {};
    std::fill(std::begin(next), std::end(next), -1);
    auto addSegment = [&](int from, int to) {
        if (next[from] != -1)
            throw InternalError("marching cubes table: edge starts two segments");
        next[from] = to;
        ++prevCount[to];
    };
    for (int f = 0; f < 6; ++f) {
        const auto& fc = McTable::kFaceCorners[f];
        const int* fe = g.faceEdges[f];
        int enter[2], leave[2]; // edges where the CCW walk enters / leaves the inside region
        int nEnter = 0, nLeave = 0;
        for (int k = 0; k < 4; ++k) {
            const int a = inside(fc[k]), b = inside(fc[(k + 1) % 4]);
            if (!a && b)
                enter[nEnter++] = k;
            else if (a && !b)
                leave[nLeave++] = k;
        }
        if (nEnter != nLeave)
            throw InternalError("marching cubes table: unbalanced face crossings");
        if (nEnter == 1) {
            addSegment(fe[enter[0]], fe[leave[0]]);
        } else if (nEnter == 2) {
            // Inside corners k and k + 2 (diagonal): edges k-1 and k+1 enter, edges k and k+2 leave.
            const int k = inside(fc[0]) ? 0 : 1;
            auto edge = [&](int i) { return fe[(i + 4) % 4]; };
            if ((faceBits >> f) & 1) {
                // Inside corners connected: the segments cut off the two outside corners k+1 and k+3.
                addSegment(edge(k + 1), edge(k));
                addSegment(edge(k - 1), edge(k + 2));
            } else {
                // Separated: the segments cut off the two inside corners k and k+2.
                addSegment(edge(k - 1), edge(k));
                addSegment(edge(k + 1), edge(k + 2));
            }
        }
    }
    std::vector<int> tris;
    bool visited[12] = {};
    for (int e = 0; e < 12; ++e) {
        if (next[e] == -1 || visited[e])
            continue;
        std::vector<int> loop;
        int cur = e;
        while (!visited[cur]) {
            if (next[cur] == -1 || prevCount[cur] != 1)
                throw InternalError("marching cubes table: open segment chain");
            visited[cur] = true;
            loop.push_back(cur);
            cur = next[cur];
        }
        if (cur != e)
            throw InternalError("marching cubes table: segment chain does not close");
        if (!triangulateLoop(g, loop, tris))
            throw InternalError("marching cubes table: no triangulation for cube " + std::to_string(cube) +
                                ", face bits " + std::to_string(faceBits));
    }
    return tris;
}

McTable generateTable()
{
    const Geometry g = makeGeometry();
    McTable table;
    table.triangles.resize(McTable::kEntries);
    for (int cube = 0; cube < 256; ++cube) {
        std::uint8_t ambiguous = 0;
        for (int f = 0; f < 6; ++f) {
            const auto& fc = McTable::kFaceCorners[f];
            const int a = (cube >> fc[0]) & 1, b = (cube >> fc[1]) & 1, c = (cube >> fc[2]) & 1,
                      d = (cube >> fc[3]) & 1;
            if (a == c && b == d && a != b)
                ambiguous |= std::uint8_t(1u << f);
        }
        table.ambiguousFaces[std::size_t(cube)] = ambiguous;
        for (int bits = 0; bits < 64; ++bits) {
            auto& entry = table.triangles[std::size_t(cube * 64 + bits)];
            entry.fill(-1);
            // Only ambiguous faces' bits matter: reuse the entry of the canonical bit pattern.
            const int canonical = bits & ambiguous;
            if (canonical != bits) {
                entry = table.triangles[std::size_t(cube * 64 + canonical)];
                continue;
            }
            const std::vector<int> tris = buildEntry(g, cube, bits);
            if (tris.size() > std::size_t(3 * McTable::kMaxTriangles))
                throw InternalError("marching cubes table: too many triangles");
            for (std::size_t i = 0; i < tris.size(); ++i)
                entry[i] = std::int8_t(tris[i]);
        }
    }
    return table;
}

} // namespace

const McTable& marchingCubesTable()
{
    static const McTable table = generateTable();
    return table;
}

} // namespace orfeas
