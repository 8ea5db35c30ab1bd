#pragma once
// Mesh post-processing and analysis.

#include "orfeas/run_context.h"
#include "orfeas/types.h"

#include <cstddef>

namespace orfeas {

struct PostprocessOptions {
    int faceBudget = 40000;          // reduce to at most this many faces (meshoptimizer); 0 = no reduction
    float minComponentRatio = 0.02f; // drop components with fewer faces than this share of the largest
    bool computeNormals = true;      // smooth (area-weighted) vertex normals
    // When reaching the budget would add boundary or non-manifold edges (it can pinch thin parts), keep the
    // smallest reduction found that does not, even above the budget (true), or reach the budget anyway (false).
    bool keepClosed = true;
};

struct PostprocessStats {
    std::size_t facesIn = 0, facesOut = 0;
    std::size_t componentsRemoved = 0;
    std::size_t degenerateRemoved = 0;
    std::size_t duplicatesMerged = 0;  // vertices merged into an identical one
    std::size_t foldsRepaired = 0;     // edge flips removing folded slivers left by the reduction
    bool budgetExceeded = false;       // keepClosed kept more faces than the budget
};

// In order: merges vertices identical in position and attributes (uv seams stay split), removes degenerate faces
// (repeated vertex: dropped; zero area: dropped, the neighbour across the long edge split so the mesh stays closed),
// removes components smaller than minComponentRatio of the largest, reduces to the face budget with
// meshoptimizer (positions only: kept vertices keep their attributes) and flips away the folded slivers it can
// leave, drops unused vertices (order kept) and computes smooth normals. Deterministic. Reports progress and checks cancellation through ctx (throws
// CancelledError(MeshPostprocess)). Throws ConfigError for a negative budget or a ratio outside [0, 1],
// MeshingError(MeshPostprocess) for an invalid or empty mesh, or if nothing is left. Thread-safe.
PostprocessStats postprocessMesh(Mesh& mesh, const PostprocessOptions& options, RunContext* ctx = nullptr);

// Analysis helpers (used by tests and reports). Thread-safe.
struct MeshTopology {
    std::size_t boundaryEdges = 0;     // edges used by one face
    std::size_t nonManifoldEdges = 0;  // edges used by more than two faces
    std::size_t inconsistentEdges = 0; // edges traversed more than once in the same direction (orientation flips)
    std::size_t components = 0;
    bool isWatertight() const noexcept { return boundaryEdges == 0 && nonManifoldEdges == 0; }
    bool isConsistentlyOriented() const noexcept { return inconsistentEdges == 0; }
};
// Vertices at bit-identical positions count as one (a uv seam is not a boundary). Faces with a repeated vertex
// contribute their other edges. Throws MeshingError for an invalid mesh (also surfaceArea, signedVolume,
// computeVertexNormals).
MeshTopology analyzeTopology(const Mesh& mesh);
double surfaceArea(const Mesh& mesh);
// Signed volume (divergence theorem): positive for a closed mesh oriented outward.
double signedVolume(const Mesh& mesh);
// Recomputes smooth vertex normals (area-weighted), shared by all vertices at the same position; unit length
// ((0, 0, 1) for a vertex no face with area uses).
void computeVertexNormals(Mesh& mesh);

} // namespace orfeas
