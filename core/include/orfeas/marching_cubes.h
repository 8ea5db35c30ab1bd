#pragma once
// Surface extraction shared by all backends.

#include "orfeas/run_context.h"
#include "orfeas/types.h"

#include <array>
#include <cstdint>
#include <vector>

namespace orfeas {

// Marching cubes at `level` on a host volume (inside where value > level; NaN counts as outside).
// The result is watertight wherever the surface does not leave the grid (each edge shared by exactly two
// triangles), oriented with counter-clockwise triangles seen from outside, and every vertex lies on a grid edge
// at its exact position origin + index * spacing (interpolated along the edge). Vertices are shared between
// neighbouring cells. Ambiguous faces are resolved with the asymptotic decider on the face alone, so neighbours
// always agree. Reports progress / checks cancellation through ctx if given. Throws MeshingError for an invalid
// volume. Thread-safe; uses up to `threads` threads (0 = hardware concurrency).
Mesh marchingCubes(const Volume& volume, float level, RunContext* ctx = nullptr, int threads = 0);

// The triangulation table shared by the CPU and GPU implementations: for a cube configuration `cubeIndex`
// (bit i set when corner i is inside) and the decider bits of its ambiguous faces (bit f set when face f's
// inside corners are connected), up to 12 triangles as edge indices, terminated by -1.
// Corner and edge numbering are documented in docs/ARCHITECTURE.md (marching cubes section).
struct McTable {
    static constexpr int kMaxTriangles = 12;
    // [256 * 64][3 * kMaxTriangles + 1]
    std::vector<std::array<std::int8_t, 3 * kMaxTriangles + 1>> triangles;
};
const McTable& marchingCubesTable();

} // namespace orfeas
