#pragma once
// The per-item steps of the CUDA marching cubes (mc_cuda.cu), written once for the device and the host. The kernels
// are thin loops around these functions; tests/core/gpu/tst_cuda_mc_logic.cpp runs the same functions in a host
// emulation of the whole pipeline and compares its mesh with marchingCubes(), so the ordering, the decider and the
// arithmetic are checked on machines without a GPU. Plain C++ when not compiled by nvcc.
//
// Numerics follow core/src/mesh/marching_cubes.cpp exactly: inside is value > level (NaN outside); the edge
// parameter is computed in double and clamped to [1e-3, 1 - 1e-3]; grid coordinates and the linear interpolation
// are single float operations, each rounded (never fused into an FMA on the device, where the compiler would
// otherwise contract a + t * (b - a)); the face decider compares double products of the face's four values.
//
// Vertex order ("slots"): the CPU numbers vertices plane by plane, for plane ix first the crossed y and z edges of
// its points in (iy, iz) order (y before z at one point), then the crossed x edges from plane ix to ix + 1 in
// (iy, iz) order. Slot s = ix * 2P + part * P + (iy * nz + iz) (P = ny * nz points per plane; part 0 = y/z edges,
// part 1 = x edge) enumerates exactly that order; a slot holds 0, 1 or 2 vertices. Triangles follow the cells in
// (ix, iy, iz) order, i.e. the order of the cell's lowest point index, each cell's in table order.

#include <cstdint>

#if defined(__CUDACC__)
#define ORFEAS_MC_HD __host__ __device__ __forceinline__
#else
#define ORFEAS_MC_HD inline
#endif

namespace orfeas::mccuda {

// As kInterpEps in marching_cubes.cpp.
constexpr double kInterpEps = 1e-3;
// Entry stride of the flattened McTable::triangles (3 * McTable::kMaxTriangles + 1).
constexpr int kEntryStride = 37;
constexpr int kEntries = 256 * 64;

// Bits of a point's flag byte.
constexpr std::uint8_t kInside = 1; // value > level
constexpr std::uint8_t kCrossX = 2; // the x edge to (ix + 1, iy, iz) is crossed
constexpr std::uint8_t kCrossY = 4; // the y edge to (ix, iy + 1, iz) is crossed
constexpr std::uint8_t kCrossZ = 8; // the z edge to (ix, iy, iz + 1) is crossed

// Point indices and slots are 32-bit: the pipeline refuses volumes of more than kMaxPoints points (2 * points slots
// must fit in 32 bits).
constexpr std::uint32_t kMaxPoints = 0x7fffffffu;
constexpr std::uint32_t kNoIndex = 0xffffffffu;

struct Grid {
    int nx = 0, ny = 0, nz = 0;
    std::uint32_t plane = 0; // ny * nz
    std::uint32_t points = 0; // nx * ny * nz
    float level = 0;
    float ox = 0, oy = 0, oz = 0; // origin
    float sx = 0, sy = 0, sz = 0; // spacing
};

// The flattened McTable (host or device memory).
struct TableView {
    const std::int8_t* triangles = nullptr; // [kEntries * kEntryStride], edge indices, -1 terminated
    const std::uint8_t* triangleCount = nullptr; // [kEntries]
    const std::uint8_t* ambiguousFaces = nullptr; // [256]
    const std::int8_t* faceCorners = nullptr; // [6 * 4], McTable::kFaceCorners
};

struct PointCoord {
    int ix, iy, iz;
};

ORFEAS_MC_HD PointCoord pointCoord(const Grid& g, std::uint32_t p)
{
    const std::uint32_t row = p / std::uint32_t(g.nz);
    return { int(row / std::uint32_t(g.ny)), int(row % std::uint32_t(g.ny)), int(p % std::uint32_t(g.nz)) };
}

// Offset of cell corner c (bit 0: +x, bit 1: +y, bit 2: +z) from the cell's lowest point.
ORFEAS_MC_HD std::uint32_t cornerOffset(const Grid& g, int c)
{
    return std::uint32_t(c & 1) * g.plane + std::uint32_t((c >> 1) & 1) * std::uint32_t(g.nz)
        + std::uint32_t((c >> 2) & 1);
}

// Single-rounded float and double operations (no contraction into fused multiply-adds on the device).
ORFEAS_MC_HD float addRn(float a, float b)
{
#if defined(__CUDA_ARCH__)
    return __fadd_rn(a, b);
#else
    return a + b;
#endif
}
ORFEAS_MC_HD float subRn(float a, float b)
{
#if defined(__CUDA_ARCH__)
    return __fsub_rn(a, b);
#else
    return a - b;
#endif
}
ORFEAS_MC_HD float mulRn(float a, float b)
{
#if defined(__CUDA_ARCH__)
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}
ORFEAS_MC_HD double dsubRn(double a, double b)
{
#if defined(__CUDA_ARCH__)
    return __dsub_rn(a, b);
#else
    return a - b;
#endif
}
ORFEAS_MC_HD double dmulRn(double a, double b)
{
#if defined(__CUDA_ARCH__)
    return __dmul_rn(a, b);
#else
    return a * b;
#endif
}
ORFEAS_MC_HD double ddivRn(double a, double b)
{
#if defined(__CUDA_ARCH__)
    return __ddiv_rn(a, b);
#else
    return a / b;
#endif
}

// origin + i * spacing, as Grid::gx/gy/gz in marching_cubes.cpp.
ORFEAS_MC_HD float gridCoord(float origin, int i, float spacing)
{
    return addRn(origin, mulRn(float(i), spacing));
}

// a + t * (b - a), as lerp() in marching_cubes.cpp.
ORFEAS_MC_HD float lerpRn(float a, float b, float t)
{
    return addRn(a, mulRn(t, subRn(b, a)));
}

// Where the level crosses the edge from v0 (parameter 0) to v1 (parameter 1), clamped away from the ends; as
// Grid::crossing in marching_cubes.cpp (NaN end or NaN parameter: the middle).
ORFEAS_MC_HD float edgeCrossing(float v0, float v1, float level)
{
    if (v0 != v0 || v1 != v1)
        return 0.5f;
    const double t = ddivRn(dsubRn(double(level), double(v0)), dsubRn(double(v1), double(v0)));
    if (!(t >= kInterpEps))
        return t != t ? 0.5f : float(kInterpEps);
    if (!(t <= 1.0 - kInterpEps))
        return float(1.0 - kInterpEps);
    return float(t);
}

// The flag byte of point p (kInside and the crossed edges starting at p).
ORFEAS_MC_HD std::uint8_t classifyPoint(const float* values, const Grid& g, std::uint32_t p)
{
    const PointCoord c = pointCoord(g, p);
    const float level = g.level;
    const bool in = values[p] > level; // NaN compares false: outside
    std::uint8_t f = in ? kInside : 0;
    if (c.ix + 1 < g.nx && (values[p + g.plane] > level) != in)
        f |= kCrossX;
    if (c.iy + 1 < g.ny && (values[p + std::uint32_t(g.nz)] > level) != in)
        f |= kCrossY;
    if (c.iz + 1 < g.nz && (values[p + 1] > level) != in)
        f |= kCrossZ;
    return f;
}

// Number of vertex slots of point p that hold a vertex (0..2: its y/z slot and its x slot).
ORFEAS_MC_HD unsigned activeSlotsOfPoint(std::uint8_t flags)
{
    return ((flags & (kCrossY | kCrossZ)) ? 1u : 0u) + ((flags & kCrossX) ? 1u : 0u);
}

// The cube index of the cell whose lowest point is p (bit c set when corner c is inside); 0 when p is on the
// grid's high border (no cell).
ORFEAS_MC_HD std::uint8_t classifyCell(const std::uint8_t* flags, const Grid& g, std::uint32_t p)
{
    const PointCoord c = pointCoord(g, p);
    if (c.ix + 1 >= g.nx || c.iy + 1 >= g.ny || c.iz + 1 >= g.nz)
        return 0;
    unsigned cube = 0;
    for (int k = 0; k < 8; ++k)
        cube |= unsigned(flags[p + cornerOffset(g, k)] & kInside) << k;
    return std::uint8_t(cube);
}

ORFEAS_MC_HD bool cellActive(std::uint8_t cube)
{
    return cube != 0 && cube != 255;
}

// The point of slot s, and whether s is the point's x slot.
ORFEAS_MC_HD std::uint32_t slotPoint(const Grid& g, std::uint32_t s, bool& xPart)
{
    const std::uint32_t twoPlanes = 2u * g.plane;
    const std::uint32_t ix = s / twoPlanes;
    std::uint32_t r = s - ix * twoPlanes;
    xPart = r >= g.plane;
    if (xPart)
        r -= g.plane;
    return ix * g.plane + r;
}

// Number of vertices slot s holds (0, 1 or 2).
ORFEAS_MC_HD unsigned slotVertexCount(const std::uint8_t* flags, const Grid& g, std::uint32_t s)
{
    bool xPart;
    const std::uint8_t f = flags[slotPoint(g, s, xPart)];
    if (xPart)
        return (f & kCrossX) ? 1u : 0u;
    return ((f & kCrossY) ? 1u : 0u) + ((f & kCrossZ) ? 1u : 0u);
}

// Writes the vertices of slot s (3 floats each; y before z) to out.
ORFEAS_MC_HD void emitSlotVertices(
    const float* values, const std::uint8_t* flags, const Grid& g, std::uint32_t s, float* out)
{
    bool xPart;
    const std::uint32_t p = slotPoint(g, s, xPart);
    const PointCoord c = pointCoord(g, p);
    const std::uint8_t f = flags[p];
    const float v = values[p];
    const float x = gridCoord(g.ox, c.ix, g.sx);
    const float y = gridCoord(g.oy, c.iy, g.sy);
    const float z = gridCoord(g.oz, c.iz, g.sz);
    if (xPart) {
        if (f & kCrossX) {
            const float t = edgeCrossing(v, values[p + g.plane], g.level);
            out[0] = lerpRn(x, gridCoord(g.ox, c.ix + 1, g.sx), t);
            out[1] = y;
            out[2] = z;
        }
        return;
    }
    if (f & kCrossY) {
        const float t = edgeCrossing(v, values[p + std::uint32_t(g.nz)], g.level);
        out[0] = x;
        out[1] = lerpRn(y, gridCoord(g.oy, c.iy + 1, g.sy), t);
        out[2] = z;
        out += 3;
    }
    if (f & kCrossZ) {
        const float t = edgeCrossing(v, values[p + 1], g.level);
        out[0] = x;
        out[1] = y;
        out[2] = lerpRn(z, gridCoord(g.oz, c.iz + 1, g.sz), t);
    }
}

// The table entry (cubeIndex * 64 + faceBits) of the active cell at p: each ambiguous face is decided by the
// asymptotic decider on its four values (f = value - level in double; the inside corners are connected when the
// product over their diagonal exceeds the other diagonal's; NaN compares false: separated).
ORFEAS_MC_HD std::uint16_t cellEntry(
    const float* values, const Grid& g, const TableView& t, std::uint32_t p, std::uint8_t cube)
{
    unsigned faceBits = 0;
    const unsigned amb = t.ambiguousFaces[cube];
    if (amb) {
        const double level = double(g.level);
        for (int face = 0; face < 6; ++face) {
            if (!((amb >> face) & 1u))
                continue;
            const std::int8_t* fc = t.faceCorners + 4 * face;
            const double f0 = dsubRn(double(values[p + cornerOffset(g, fc[0])]), level);
            const double f1 = dsubRn(double(values[p + cornerOffset(g, fc[1])]), level);
            const double f2 = dsubRn(double(values[p + cornerOffset(g, fc[2])]), level);
            const double f3 = dsubRn(double(values[p + cornerOffset(g, fc[3])]), level);
            const double a = dmulRn(f0, f2);
            const double b = dmulRn(f1, f3);
            const bool firstInside = (cube >> fc[0]) & 1u;
            if (firstInside ? (a > b) : (b > a))
                faceBits |= 1u << face;
        }
    }
    return std::uint16_t(unsigned(cube) * 64u + faceBits);
}

// Index of the first element of sorted[0, n) not less than key.
ORFEAS_MC_HD std::uint32_t lowerBound(const std::uint32_t* sorted, std::uint32_t n, std::uint32_t key)
{
    std::uint32_t lo = 0, hi = n;
    while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

// Writes the vertex indices of the triangles of the active cell at p (table entry `entry`) to out. Each edge's
// vertex is found by binary search of its slot in the sorted list of active slots; vertexStart[j] is the first
// vertex of slots[j]. Returns false (and writes kNoIndex) if an edge's slot is missing, which the table rules out.
ORFEAS_MC_HD bool emitCellTriangles(const std::uint8_t* flags, const Grid& g, const TableView& t,
    const std::uint32_t* slots, std::uint32_t slotCount, const std::uint64_t* vertexStart, std::uint32_t p,
    std::uint16_t entry, std::uint32_t* out)
{
    const PointCoord c = pointCoord(g, p);
    const std::int8_t* edges = t.triangles + std::uint32_t(entry) * kEntryStride;
    const int n = 3 * int(t.triangleCount[entry]);
    const std::uint32_t twoPlanes = 2u * g.plane;
    const std::uint32_t nz = std::uint32_t(g.nz);
    bool ok = true;
    for (int k = 0; k < n; ++k) {
        const int e = edges[k];
        const std::uint32_t a = std::uint32_t(e & 1), b = std::uint32_t((e >> 1) & 1);
        std::uint32_t s;
        std::uint32_t sub = 0;
        if (e < 4) { // x edge from (ix, iy + a, iz + b)
            s = std::uint32_t(c.ix) * twoPlanes + g.plane + (std::uint32_t(c.iy) + a) * nz + std::uint32_t(c.iz) + b;
        } else if (e < 8) { // y edge from (ix + a, iy, iz + b): first vertex of its y/z slot
            s = (std::uint32_t(c.ix) + a) * twoPlanes + std::uint32_t(c.iy) * nz + std::uint32_t(c.iz) + b;
        } else { // z edge from (ix + a, iy + b, iz): after the y vertex of that point, if any
            s = (std::uint32_t(c.ix) + a) * twoPlanes + (std::uint32_t(c.iy) + b) * nz + std::uint32_t(c.iz);
            sub = (flags[p + a * g.plane + b * nz] & kCrossY) ? 1u : 0u;
        }
        const std::uint32_t j = lowerBound(slots, slotCount, s);
        if (j >= slotCount || slots[j] != s) {
            out[k] = kNoIndex;
            ok = false;
            continue;
        }
        out[k] = std::uint32_t(vertexStart[j] + sub);
    }
    return ok;
}

} // namespace orfeas::mccuda
