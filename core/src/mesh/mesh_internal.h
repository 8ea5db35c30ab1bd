#pragma once
// Internal helpers shared by mesh analysis and post-processing.

#include "orfeas/mesh_processing.h"
#include "orfeas/run_context.h"
#include "orfeas/types.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace orfeas::mesh {

// One id per vertex such that vertices with bit-identical positions (+0 and -0 equal) share an id. Ids are
// numbered in order of first occurrence, 0..count-1. Used so that attribute seams (same position, different uv)
// do not count as boundaries or split components. `distinct`: the caller knows that no two positions are equal
// (post-processing learns it while merging duplicates; marching cubes makes no duplicates), so the ids are
// 0..n-1 without looking.
std::vector<std::uint32_t> weldByPosition(const std::vector<Vec3f>& positions, std::uint32_t& count,
                                          bool distinct = false);

// For items 0..n-1 (n below 2^32 - 1) whose keys are described by hash(i) (64 bits) and equal(i, j): for each
// item, the first item with an equal key (itself if none comes before it). An open-addressing hash table makes
// this linear where a sort of the keys was the main cost of welding and merging large meshes.
template <class Hash, class Equal>
std::vector<std::uint32_t> firstEqualItems(std::size_t n, Hash hash, Equal equal)
{
    constexpr std::uint32_t kEmpty = 0xffffffffu;
    std::size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    std::vector<std::uint32_t> table(size, kEmpty);
    std::vector<std::uint32_t> first(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t slot = std::size_t(hash(i)) & (size - 1);; slot = (slot + 1) & (size - 1)) {
            const std::uint32_t j = table[slot];
            if (j == kEmpty) {
                table[slot] = std::uint32_t(i);
                first[i] = std::uint32_t(i);
                break;
            }
            if (equal(i, std::size_t(j))) {
                first[i] = j;
                break;
            }
        }
    }
    return first;
}

// Mixes 64 bits into a hash whose low bits depend on all of them (splitmix64's finaliser).
inline std::uint64_t mixBits(std::uint64_t x) noexcept
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// sortByVertex with bucket offsets of type Offset.
template <class Offset, class T, class Vertex, class Less>
void sortByVertexWith(std::vector<T>& items, std::size_t vertexCount, Vertex vertex, Less less)
{
    std::vector<Offset> end(vertexCount + 1, 0);
    for (const T& item : items)
        ++end[std::size_t(vertex(item)) + 1];
    for (std::size_t v = 1; v <= vertexCount; ++v)
        end[v] += end[v - 1];
    std::vector<T> sorted(items.size());
    for (const T& item : items)
        sorted[end[std::size_t(vertex(item))]++] = item;
    // end[v] is now where vertex v's items end (and v + 1's begin).
    std::size_t begin = 0;
    for (std::size_t v = 0; v < vertexCount; ++v) {
        const std::size_t stop = end[v];
        if (stop - begin > 16) {
            std::stable_sort(sorted.begin() + std::ptrdiff_t(begin), sorted.begin() + std::ptrdiff_t(stop), less);
        } else {
            for (std::size_t i = begin + 1; i < stop; ++i) {
                T item = sorted[i];
                std::size_t j = i;
                for (; j > begin && less(item, sorted[j - 1]); --j)
                    sorted[j] = sorted[j - 1];
                sorted[j] = item;
            }
        }
        begin = stop;
    }
    items = std::move(sorted);
}

// Sorts `items` exactly as std::stable_sort(items, less) would, for an order that compares vertex(item) (below
// vertexCount) first: a counting sort by that vertex, then a sort of each vertex's items. Keys led by their
// smallest vertex (edges, faces) put a handful of items on each vertex, so this takes linear time where a
// std::sort of a large mesh's edges or faces was a good part of post-processing's serial time.
template <class T, class Vertex, class Less>
void sortByVertex(std::vector<T>& items, std::size_t vertexCount, Vertex vertex, Less less)
{
    // 32-bit offsets halve the memory the bucketing walks through.
    if (items.size() < std::size_t(0xffffffffu))
        sortByVertexWith<std::uint32_t>(items, vertexCount, vertex, less);
    else
        sortByVertexWith<std::size_t>(items, vertexCount, vertex, less);
}

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

// Removes pairs of faces over the same three (welded, below count) vertices: both if they face opposite ways, one if
// they are the same face twice (mesh_reduce.cpp).
void cancelDuplicateFaces(std::vector<std::uint32_t>& indices, const std::vector<std::uint32_t>& ids,
                          std::uint32_t count);

// Undirected edges (welded ids below count, (min << 32) | max) used by one face, by more than two, or twice the
// same way, sorted (mesh_reduce.cpp).
std::vector<std::uint64_t> defectEdges(const std::vector<std::uint32_t>& indices, const std::vector<std::uint32_t>& ids,
                                       std::uint32_t count);

// Reduces the mesh's faces to at most faceBudget with meshoptimizer (mesh_reduce.cpp, which explains how
// closedness is kept). Leaves unused vertices in place. Returns whether the budget was exceeded to keep it closed.
// distinctPositions: as for weldByPosition.
bool reduceToBudget(Mesh& mesh, std::size_t faceBudget, bool keepClosed, RunContext* ctx, bool distinctPositions);

// Flips edges between folded needle triangles and their neighbours (mesh_folds.cpp). Keeps the mesh's
// topology (edge counts) unchanged. Returns the number of flips.
// distinctPositions: as for weldByPosition.
std::size_t repairFolds(Mesh& mesh, bool distinctPositions);

// Throws MeshingError(stage) if the mesh's attributes or indices are inconsistent.
void requireValid(const Mesh& mesh, const char* what);

} // namespace orfeas::mesh
