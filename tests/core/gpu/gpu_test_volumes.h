#pragma once
// Volumes and mesh comparisons shared by the CUDA marching-cubes tests (host emulation and device).

#include "orfeas/types.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace gputest {

// A (nx, ny, nz) grid at origin + index * spacing sampling fn at the exact grid positions (float arithmetic).
inline orfeas::Volume sampled(int nx, int ny, int nz, orfeas::Vec3f origin, orfeas::Vec3f spacing,
    const std::function<float(float, float, float)>& fn)
{
    orfeas::Volume v;
    v.nx = nx;
    v.ny = ny;
    v.nz = nz;
    v.origin = origin;
    v.spacing = spacing;
    v.values.resize(v.pointCount());
    for (int ix = 0; ix < nx; ++ix)
        for (int iy = 0; iy < ny; ++iy)
            for (int iz = 0; iz < nz; ++iz)
                v.values[v.index(ix, iy, iz)] = fn(origin.x + float(ix) * spacing.x, origin.y + float(iy) * spacing.y,
                    origin.z + float(iz) * spacing.z);
    v.pointsEvaluated = std::int64_t(v.pointCount());
    return v;
}

// Sphere of `radius` around (cx, cy, cz), positive inside, on an (nx, ny, nz) grid centred on the origin with
// spacing 2 / (nx - 1) (spanning [-1, 1] along x).
inline orfeas::Volume sphere(
    int nx, int ny, int nz, float radius, float cx = 0.05f, float cy = -0.03f, float cz = 0.02f)
{
    const float h = 2.0f / float(nx - 1);
    const orfeas::Vec3f origin { -1.0f, -0.5f * h * float(ny - 1), -0.5f * h * float(nz - 1) };
    return sampled(nx, ny, nz, origin, { h, h, h }, [=](float x, float y, float z) {
        const float dx = x - cx, dy = y - cy, dz = z - cz;
        return radius - std::sqrt(dx * dx + dy * dy + dz * dz);
    });
}

// Torus around the z axis (major radius 0.55, minor 0.22) on an anisotropic grid.
inline orfeas::Volume torus(int nx, int ny, int nz)
{
    return sampled(nx, ny, nz, { -0.9f, -0.85f, -0.4f },
        { 1.8f / float(nx - 1), 1.7f / float(ny - 1), 0.8f / float(nz - 1) }, [](float x, float y, float z) {
            const float q = std::sqrt(x * x + y * y) - 0.55f;
            return 0.22f - std::sqrt(q * q + z * z);
        });
}

// Random values: small integers around the level 0 (many exactly at it, many exact ties in the face decider) or a
// continuous range; NaN with probability nanRate and +-infinity with probability infRate. With `closed`, border
// points are outside (-1) so the surface stays inside the grid.
inline orfeas::Volume noise(
    int nx, int ny, int nz, std::uint32_t seed, double nanRate, double infRate, bool integers, bool closed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> cont(-1.0f, 1.0f);
    std::uniform_int_distribution<int> ints(-2, 2);
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    orfeas::Volume v;
    v.nx = nx;
    v.ny = ny;
    v.nz = nz;
    v.origin = { -0.5f, 0.25f, 1.0f };
    v.spacing = { 0.1f, 0.07f, 0.13f };
    v.values.resize(v.pointCount());
    for (int ix = 0; ix < nx; ++ix)
        for (int iy = 0; iy < ny; ++iy)
            for (int iz = 0; iz < nz; ++iz) {
                const bool border = ix == 0 || iy == 0 || iz == 0 || ix == nx - 1 || iy == ny - 1 || iz == nz - 1;
                float value;
                const double u = u01(rng);
                if (closed && border)
                    value = -1.0f;
                else if (u < nanRate)
                    value = std::numeric_limits<float>::quiet_NaN();
                else if (u < nanRate + infRate)
                    value = (u01(rng) < 0.5 ? -1.0f : 1.0f) * std::numeric_limits<float>::infinity();
                else
                    value = integers ? float(ints(rng)) : cont(rng);
                v.values[v.index(ix, iy, iz)] = value;
            }
    return v;
}

// Bitwise equality of two meshes' positions and indices; a description of the first difference otherwise.
inline bool identical(const orfeas::Mesh& a, const orfeas::Mesh& b, std::string* why)
{
    if (a.positions.size() != b.positions.size()) {
        *why = "vertex count " + std::to_string(a.positions.size()) + " vs " + std::to_string(b.positions.size());
        return false;
    }
    if (a.indices.size() != b.indices.size()) {
        *why = "index count " + std::to_string(a.indices.size()) + " vs " + std::to_string(b.indices.size());
        return false;
    }
    for (std::size_t k = 0; k < a.positions.size(); ++k)
        if (std::memcmp(&a.positions[k], &b.positions[k], sizeof(orfeas::Vec3f)) != 0) {
            const auto& p = a.positions[k];
            const auto& q = b.positions[k];
            char text[160];
            std::snprintf(text, sizeof text, "vertex %zu: (%.9g, %.9g, %.9g) vs (%.9g, %.9g, %.9g)", k, double(p.x),
                double(p.y), double(p.z), double(q.x), double(q.y), double(q.z));
            *why = text;
            return false;
        }
    for (std::size_t k = 0; k < a.indices.size(); ++k)
        if (a.indices[k] != b.indices[k]) {
            *why = "index " + std::to_string(k) + ": " + std::to_string(a.indices[k]) + " vs "
                + std::to_string(b.indices[k]);
            return false;
        }
    return true;
}

// Triangles as position triples, rotated so that the smallest position comes first (orientation kept), sorted.
using Triangle = std::array<float, 9>;
inline std::vector<Triangle> canonicalTriangles(const orfeas::Mesh& m)
{
    std::vector<Triangle> out;
    out.reserve(m.faceCount());
    for (std::size_t f = 0; f < m.faceCount(); ++f) {
        std::array<std::array<float, 3>, 3> p;
        for (int k = 0; k < 3; ++k) {
            const orfeas::Vec3f& v = m.positions[m.indices[3 * f + std::size_t(k)]];
            p[std::size_t(k)] = { v.x, v.y, v.z };
        }
        const auto first = std::size_t(std::min_element(p.begin(), p.end()) - p.begin());
        Triangle t;
        for (std::size_t k = 0; k < 3; ++k)
            for (std::size_t c = 0; c < 3; ++c)
                t[3 * k + c] = p[(first + k) % 3][c];
        out.push_back(t);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The same triangles (up to vertex renumbering and the order of faces) with positions within tol.
inline bool sameTriangles(const orfeas::Mesh& a, const orfeas::Mesh& b, float tol, std::string* why)
{
    if (a.faceCount() != b.faceCount()) {
        *why = "face count " + std::to_string(a.faceCount()) + " vs " + std::to_string(b.faceCount());
        return false;
    }
    const auto ta = canonicalTriangles(a);
    const auto tb = canonicalTriangles(b);
    for (std::size_t k = 0; k < ta.size(); ++k)
        for (std::size_t c = 0; c < 9; ++c)
            if (!(std::abs(ta[k][c] - tb[k][c]) <= tol)) {
                *why = "sorted triangle " + std::to_string(k) + " differs in coordinate " + std::to_string(c);
                return false;
            }
    return true;
}

} // namespace gputest
