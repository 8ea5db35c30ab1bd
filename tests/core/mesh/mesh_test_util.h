#pragma once
// Volumes and mesh checks shared by the mesh tests.

#include "orfeas/types.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <tuple>
#include <vector>

namespace meshtest {

// A cubic grid of n cells (n + 1 points) per axis over [lo, hi]^3 sampling fn at the exact grid positions.
inline orfeas::Volume makeVolume(int n, float lo, float hi, const std::function<float(float, float, float)>& fn)
{
    orfeas::Volume v;
    v.nx = v.ny = v.nz = n + 1;
    v.origin = {lo, lo, lo};
    const float h = (hi - lo) / float(n);
    v.spacing = {h, h, h};
    v.values.resize(v.pointCount());
    for (int ix = 0; ix <= n; ++ix)
        for (int iy = 0; iy <= n; ++iy)
            for (int iz = 0; iz <= n; ++iz)
                v.values[v.index(ix, iy, iz)] =
                    fn(lo + float(ix) * h, lo + float(iy) * h, lo + float(iz) * h);
    v.pointsEvaluated = std::int64_t(v.pointCount());
    return v;
}

// Signed distance-like field of a sphere: positive inside.
inline orfeas::Volume sphereVolume(int n, float radius, float lo = -1.0f, float hi = 1.0f)
{
    return makeVolume(n, lo, hi, [radius](float x, float y, float z) {
        return radius - std::sqrt(x * x + y * y + z * z);
    });
}

// Random values on an (nx, ny, nz) grid whose border points are outside (-1), so the surface stays inside.
// Values are drawn from a few integers around the level 0 (so many equal it exactly), a continuous range, and
// NaN with probability nanRate.
inline orfeas::Volume noiseVolume(int nx, int ny, int nz, std::uint32_t seed, double nanRate, bool integers)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> cont(-1.0f, 1.0f);
    std::uniform_int_distribution<int> ints(-2, 2);
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    orfeas::Volume v;
    v.nx = nx;
    v.ny = ny;
    v.nz = nz;
    v.origin = {-0.5f, 0.25f, 1.0f};
    v.spacing = {0.1f, 0.07f, 0.13f};
    v.values.resize(v.pointCount());
    for (int ix = 0; ix < nx; ++ix)
        for (int iy = 0; iy < ny; ++iy)
            for (int iz = 0; iz < nz; ++iz) {
                float value;
                const bool border = ix == 0 || iy == 0 || iz == 0 || ix == nx - 1 || iy == ny - 1 || iz == nz - 1;
                if (border)
                    value = -1.0f;
                else if (u01(rng) < nanRate)
                    value = std::nanf("");
                else
                    value = integers ? float(ints(rng)) : cont(rng);
                v.values[v.index(ix, iy, iz)] = value;
            }
    return v;
}

// Number of grid edges whose end points are on different sides of the level (NaN outside).
inline std::size_t crossedEdges(const orfeas::Volume& v, float level)
{
    auto in = [&](int x, int y, int z) { return v.values[v.index(x, y, z)] > level; };
    std::size_t count = 0;
    for (int x = 0; x < v.nx; ++x)
        for (int y = 0; y < v.ny; ++y)
            for (int z = 0; z < v.nz; ++z) {
                const bool a = in(x, y, z);
                if (x + 1 < v.nx && a != in(x + 1, y, z))
                    ++count;
                if (y + 1 < v.ny && a != in(x, y + 1, z))
                    ++count;
                if (z + 1 < v.nz && a != in(x, y, z + 1))
                    ++count;
            }
    return count;
}

// Whether coordinate c equals a grid value origin + i * spacing exactly (i in [0, n)); sets i.
inline bool onGridValue(float c, float origin, float spacing, int n, int& i)
{
    i = int(std::lround((double(c) - origin) / spacing));
    return i >= 0 && i < n && c == origin + float(i) * spacing;
}

// Every vertex has exactly two coordinates on grid values and the third strictly between two neighbouring ones.
inline bool verticesOnGridEdges(const orfeas::Mesh& m, const orfeas::Volume& v, std::size_t* firstBad = nullptr)
{
    const float o[3] = {v.origin.x, v.origin.y, v.origin.z};
    const float s[3] = {v.spacing.x, v.spacing.y, v.spacing.z};
    const int n[3] = {v.nx, v.ny, v.nz};
    for (std::size_t k = 0; k < m.positions.size(); ++k) {
        const float c[3] = {m.positions[k].x, m.positions[k].y, m.positions[k].z};
        int onGrid = 0, free = -1;
        for (int a = 0; a < 3; ++a) {
            int i;
            if (onGridValue(c[a], o[a], s[a], n[a], i))
                ++onGrid;
            else
                free = a;
        }
        bool ok = onGrid == 2;
        if (ok) {
            const int j = int(std::floor((double(c[free]) - o[free]) / s[free]));
            ok = j >= 0 && j + 1 < n[free] && c[free] > o[free] + float(j) * s[free] &&
                 c[free] < o[free] + float(j + 1) * s[free];
        }
        if (!ok) {
            if (firstBad)
                *firstBad = k;
            return false;
        }
    }
    return true;
}

// Number of distinct vertex positions.
inline std::size_t distinctPositions(const orfeas::Mesh& m)
{
    std::vector<std::tuple<float, float, float>> p;
    p.reserve(m.positions.size());
    for (const auto& q : m.positions)
        p.emplace_back(q.x, q.y, q.z);
    std::sort(p.begin(), p.end());
    return std::size_t(std::unique(p.begin(), p.end()) - p.begin());
}

// Number of faces with a repeated index or zero area.
inline std::size_t degenerateFaces(const orfeas::Mesh& m)
{
    std::size_t count = 0;
    for (std::size_t f = 0; f < m.indices.size(); f += 3) {
        const auto a = m.indices[f], b = m.indices[f + 1], c = m.indices[f + 2];
        if (a == b || b == c || a == c) {
            ++count;
            continue;
        }
        const auto& p = m.positions[a];
        const auto& q = m.positions[b];
        const auto& r = m.positions[c];
        const double ux = double(q.x) - p.x, uy = double(q.y) - p.y, uz = double(q.z) - p.z;
        const double vx = double(r.x) - p.x, vy = double(r.y) - p.y, vz = double(r.z) - p.z;
        const double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
        if (nx == 0 && ny == 0 && nz == 0)
            ++count;
    }
    return count;
}

inline bool sameMesh(const orfeas::Mesh& a, const orfeas::Mesh& b)
{
    return a.indices == b.indices && a.positions.size() == b.positions.size() &&
           (a.positions.empty() ||
            std::memcmp(a.positions.data(), b.positions.data(), a.positions.size() * sizeof(orfeas::Vec3f)) == 0);
}

} // namespace meshtest
