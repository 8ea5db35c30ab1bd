#pragma once
// Surface extraction shared by all backends.

#include "orfeas/run_context.h"
#include "orfeas/types.h"

#include <array>
#include <cstdint>
#include <vector>

namespace orfeas {

// Marching cubes at `level` on a volume (inside where value > level; NaN counts as outside). A volume whose values
// live on a device is downloaded first (DeviceVolume::extractSurface is the caller's fast path, not used here).
// The result is watertight wherever the surface does not leave the grid (each edge shared by exactly two
// triangles), oriented with counter-clockwise triangles seen from outside, and every vertex lies on a grid edge
// at its exact position origin + index * spacing (interpolated along the edge, never closer to a grid point than
// 1/1000 of the edge so that no triangle degenerates). Vertices are shared between neighbouring cells. Ambiguous
// faces are resolved with the asymptotic decider on the face alone, so neighbours always agree. The output (vertex
// and index order) does not depend on the thread count. An empty mesh is returned when nothing crosses the level.
// Reports progress and checks cancellation through ctx if given (throws CancelledError(SurfaceExtraction)).
// Throws MeshingError for an invalid volume (bad dimensions, value count, non-positive or non-finite spacing,
// too many vertices for 32-bit indices). Thread-safe; uses up to `threads` threads (0 = hardware concurrency).
Mesh marchingCubes(const Volume& volume, float level, RunContext* ctx = nullptr, int threads = 0);

// The triangulation table shared by the CPU and GPU implementations. Numbering (see docs/marching_cubes.md):
//  - corner c (0..7) sits at offset (c & 1, (c >> 1) & 1, (c >> 2) & 1) from the cell's lowest grid point;
//  - edges 0..3 run along x, 4..7 along y, 8..11 along z; kEdgeCorners gives each edge's (lower, upper) corner;
//  - face f (0..5) is the face at axis f / 2 (x, y, z), side f % 2 (0 = low, 1 = high); kFaceCorners lists its
//    corners counter-clockwise seen from outside the cell.
// Entry [cubeIndex * 64 + faceBits]: cubeIndex has bit c set when corner c is inside; faceBits has bit f set when
// ambiguous face f (two diagonal inside corners) connects its inside corners. Bits of faces that are not
// ambiguous for that cubeIndex are ignored (all 64 entries are filled). Each entry lists up to kMaxTriangles
// triangles as edge indices (counter-clockwise seen from outside), terminated by -1.
struct McTable {
    static constexpr int kMaxTriangles = 12;
    static constexpr int kEntries = 256 * 64;
    static constexpr std::int8_t kEdgeCorners[12][2] = {
        {0, 1}, {2, 3}, {4, 5}, {6, 7}, // x edges: (y, z) = (0,0), (1,0), (0,1), (1,1)
        {0, 2}, {1, 3}, {4, 6}, {5, 7}, // y edges: (x, z) = (0,0), (1,0), (0,1), (1,1)
        {0, 4}, {1, 5}, {2, 6}, {3, 7}, // z edges: (x, y) = (0,0), (1,0), (0,1), (1,1)
    };
    static constexpr std::int8_t kFaceCorners[6][4] = {
        {0, 4, 6, 2}, {1, 3, 7, 5}, // x = 0, x = 1
        {0, 1, 5, 4}, {2, 6, 7, 3}, // y = 0, y = 1
        {0, 2, 3, 1}, {4, 5, 7, 6}, // z = 0, z = 1
    };
    // [kEntries][3 * kMaxTriangles + 1]
    std::vector<std::array<std::int8_t, 3 * kMaxTriangles + 1>> triangles;
    // [256]: bit f set when face f is ambiguous for that cubeIndex (the only faces the decider must evaluate).
    std::array<std::uint8_t, 256> ambiguousFaces{};
};
// The table, generated once on first use (thread-safe).
const McTable& marchingCubesTable();

} // namespace orfeas
