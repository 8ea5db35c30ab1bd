#pragma once
// Internal helpers shared by mesh analysis and post-processing.

#include "orfeas/mesh_processing.h"
#include "orfeas/run_context.h"
#include "orfeas/types.h"

#include <cstdint>
#include <vector>

namespace orfeas::mesh {

// One id per vertex such that vertices with bit-identical positions (+0 and -0 equal) share an id. Ids are
// numbered in order of first occurrence, 0..count-1. Used so that attribute seams (same position, different uv)
// do not count as boundaries or split components.
std::vector<std::uint32_t> weldByPosition(const std::vector<Vec3f>& positions, std::uint32_t& count);

// Disjoint-set forest over ids 0..n-1 (path halving, union by size).
class UnionFind {
public:
    explicit UnionFind(std::size_t n);
    std::uint32_t find(std::uint32_t a) noexcept;
    void unite(std::uint32_t a, std::uint32_t b) noexcept;

private:
    std::vector<std::uint32_t> m_parent;
    std::vector<std::uint32_t> m_size;
};

// Topology of the faces `indices` over vertices welded to `ids` (from weldByPosition, `count` ids).
MeshTopology topologyOf(const std::vector<std::uint32_t>& ids, std::uint32_t count,
                        const std::vector<std::uint32_t>& indices);

// Reduces the mesh's faces to at most faceBudget with meshoptimizer (mesh_reduce.cpp, which explains how
// closedness is kept). Leaves unused vertices in place. Returns whether the budget was exceeded to keep it closed.
bool reduceToBudget(Mesh& mesh, std::size_t faceBudget, bool keepClosed, RunContext* ctx);

// Flips edges between folded needle triangles and their neighbours (mesh_folds.cpp). Keeps the mesh's
// topology (edge counts) unchanged. Returns the number of flips.
std::size_t repairFolds(Mesh& mesh);

// Throws MeshingError(stage) if the mesh's attributes or indices are inconsistent.
void requireValid(const Mesh& mesh, const char* what);

} // namespace orfeas::mesh
