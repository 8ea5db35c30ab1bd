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
};

struct PostprocessStats {
    std::size_t facesIn = 0, facesOut = 0;
    std::size_t componentsRemoved = 0;
    std::size_t degenerateRemoved = 0;
};

// Removes degenerate faces and small components, merges duplicate vertices, reduces to the face budget and
// computes normals. Throws MeshingError if nothing is left. Thread-safe.
PostprocessStats postprocessMesh(Mesh& mesh, const PostprocessOptions& options, RunContext* ctx = nullptr);

// Analysis helpers (used by tests and reports). Thread-safe.
struct MeshTopology {
    std::size_t boundaryEdges = 0;     // edges used by one face
    std::size_t nonManifoldEdges = 0;  // edges used by more than two faces
    std::size_t inconsistentEdges = 0; // edges traversed twice in the same direction (orientation flips)
    std::size_t components = 0;
    bool isWatertight() const noexcept { return boundaryEdges == 0 && nonManifoldEdges == 0; }
    bool isConsistentlyOriented() const noexcept { return inconsistentEdges == 0; }
};
MeshTopology analyzeTopology(const Mesh& mesh);
double surfaceArea(const Mesh& mesh);
// Signed volume (divergence theorem): positive for a closed mesh oriented outward.
double signedVolume(const Mesh& mesh);
// Recomputes smooth vertex normals (area-weighted).
void computeVertexNormals(Mesh& mesh);

} // namespace orfeas
