// Mesh post-processing: duplicates, degenerate faces, floaters, face budget, normals.

#include "mesh/mesh_internal.h"

#include "orfeas/errors.h"
#include "orfeas/mesh_processing.h"
#include "orfeas/profiler.h"
#include "orfeas/run_context.h"

#include <meshoptimizer.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

namespace orfeas {

namespace {

constexpr Stage kStage = Stage::MeshPostprocess;

std::uint32_t bitsOf(float v) noexcept
{
    if (v == 0.0f)
        v = 0.0f; // -0 == +0
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

// Keeps the vertices with keep[i] set, in their original order, and remaps the indices.
void keepVertices(Mesh& m, const std::vector<char>& keep)
{
    const std::size_t n = m.positions.size();
    std::vector<std::uint32_t> remap(n, 0xffffffffu);
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (keep[i])
            remap[i] = next++;
    if (next == n)
        return;
    auto compactAttr = [&](auto& attr) {
        if (attr.empty())
            return;
        for (std::size_t i = 0; i < n; ++i)
            if (keep[i])
                attr[remap[i]] = attr[i];
        attr.resize(next);
    };
    compactAttr(m.positions);
    compactAttr(m.normals);
    compactAttr(m.uvs);
    compactAttr(m.colors);
    for (auto& idx : m.indices)
        idx = remap[idx];
}

// Drops vertices no face uses.
void compactVertices(Mesh& m)
{
    std::vector<char> used(m.positions.size(), 0);
    for (const auto idx : m.indices)
        used[idx] = 1;
    keepVertices(m, used);
}

// Merges vertices whose position and attributes are bit-identical (normals only when they are kept), so that uv
// seams stay split. Returns the number of vertices merged away. distinctPositions: whether no two vertices left
// share a position, so that the later steps need not weld (marching cubes makes no duplicates).
std::size_t mergeDuplicateVertices(Mesh& m, bool compareNormals, bool& distinctPositions)
{
    const std::size_t n = m.positions.size();
    std::uint32_t weldedCount = 0;
    mesh::weldByPosition(m.positions, weldedCount);
    distinctPositions = weldedCount == n;
    if (distinctPositions)
        return 0; // distinct positions make distinct vertices
    constexpr int kWords = 9;
    using Key = std::array<std::uint32_t, kWords>;
    std::vector<Key> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        Key k{};
        k[0] = bitsOf(m.positions[i].x);
        k[1] = bitsOf(m.positions[i].y);
        k[2] = bitsOf(m.positions[i].z);
        if (compareNormals && !m.normals.empty()) {
            k[3] = bitsOf(m.normals[i].x);
            k[4] = bitsOf(m.normals[i].y);
            k[5] = bitsOf(m.normals[i].z);
        }
        if (!m.uvs.empty()) {
            k[6] = bitsOf(m.uvs[i].x);
            k[7] = bitsOf(m.uvs[i].y);
        }
        if (!m.colors.empty()) {
            const Color8 c = m.colors[i];
            k[8] = std::uint32_t(c.r) | std::uint32_t(c.g) << 8 | std::uint32_t(c.b) << 16 | std::uint32_t(c.a) << 24;
        }
        keys[i] = k;
    }
    const std::vector<std::uint32_t> representative = mesh::firstEqualItems(
        n,
        [&](std::size_t i) {
            std::uint64_t h = 0;
            for (const std::uint32_t word : keys[i])
                h = mesh::mixBits(h ^ word);
            return h;
        },
        [&](std::size_t i, std::size_t j) {
            for (std::size_t w = 0; w < kWords; ++w)
                if (keys[i][w] != keys[j][w])
                    return false;
            return true;
        });
    std::size_t merged = 0;
    for (std::size_t i = 0; i < n; ++i)
        merged += representative[i] != i ? 1 : 0;
    // Each position left has one vertex when as many vertices are left as there are positions.
    distinctPositions = n - merged == weldedCount;
    if (merged == 0)
        return 0;
    for (auto& idx : m.indices)
        idx = representative[idx];
    std::vector<char> keep(n);
    for (std::size_t i = 0; i < n; ++i)
        keep[i] = representative[i] == i;
    keepVertices(m, keep);
    return merged;
}

double twiceAreaRelative(const Vec3f& a, const Vec3f& b, const Vec3f& c, double& longest)
{
    const double u[3] = {double(b.x) - a.x, double(b.y) - a.y, double(b.z) - a.z};
    const double v[3] = {double(c.x) - a.x, double(c.y) - a.y, double(c.z) - a.z};
    const double w[3] = {double(c.x) - b.x, double(c.y) - b.y, double(c.z) - b.z};
    const double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    longest = std::max({u[0] * u[0] + u[1] * u[1] + u[2] * u[2], v[0] * v[0] + v[1] * v[1] + v[2] * v[2],
                        w[0] * w[0] + w[1] * w[1] + w[2] * w[2]});
    return std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
}

// Removes faces with a repeated vertex (by index or position) and faces of zero area. A zero-area face with three
// distinct points has one point on the opposite edge; simply deleting it would open the mesh, so the neighbour
// across that edge is split at the point instead (which closes the gap exactly). Returns the faces removed.
std::size_t removeDegenerateFaces(Mesh& m, bool distinctPositions)
{
    std::uint32_t weldedCount = 0;
    const std::vector<std::uint32_t> ids = mesh::weldByPosition(m.positions, weldedCount, distinctPositions);
    const std::size_t faces = m.faceCount();
    std::vector<char> kind(faces, 0); // 0 fine, 1 collapsed (drop), 2 flat (drop and split the neighbour)
    std::size_t flat = 0;
    for (std::size_t f = 0; f < faces; ++f) {
        const std::uint32_t* t = &m.indices[3 * f];
        const std::uint32_t a = ids[t[0]], b = ids[t[1]], c = ids[t[2]];
        if (a == b || b == c || a == c) {
            kind[f] = 1;
            continue;
        }
        double longest2 = 0;
        const double twiceArea = twiceAreaRelative(m.positions[t[0]], m.positions[t[1]], m.positions[t[2]], longest2);
        if (!(twiceArea > 1e-12 * longest2)) {
            kind[f] = 2;
            ++flat;
        }
    }
    std::vector<std::uint32_t> extra; // faces appended by splits
    if (flat > 0) {
        constexpr std::uint32_t kAmbiguous = 0xffffffffu;
        std::unordered_map<std::uint64_t, std::uint32_t> faceOfEdge;
        faceOfEdge.reserve(faces * 3);
        for (std::size_t f = 0; f < faces; ++f) {
            if (kind[f] != 0)
                continue;
            for (int k = 0; k < 3; ++k) {
                const std::uint64_t key = std::uint64_t(ids[m.indices[3 * f + std::size_t(k)]]) << 32 |
                                          ids[m.indices[3 * f + std::size_t((k + 1) % 3)]];
                auto [it, inserted] = faceOfEdge.emplace(key, std::uint32_t(f));
                if (!inserted)
                    it->second = kAmbiguous;
            }
        }
        std::vector<char> touched(faces, 0);
        for (std::size_t f = 0; f < faces; ++f) {
            if (kind[f] != 2)
                continue;
            const std::uint32_t* t = &m.indices[3 * f];
            // Longest edge t[k] -> t[k+1]; the middle point is t[k+2].
            int k = 0;
            double best = -1;
            for (int e = 0; e < 3; ++e) {
                const Vec3f& p = m.positions[t[e]];
                const Vec3f& q = m.positions[t[(e + 1) % 3]];
                const double d = (double(q.x) - p.x) * (double(q.x) - p.x) + (double(q.y) - p.y) * (double(q.y) - p.y) +
                                 (double(q.z) - p.z) * (double(q.z) - p.z);
                if (d > best) {
                    best = d;
                    k = e;
                }
            }
            const std::uint32_t u = t[k], v = t[(k + 1) % 3], w = t[(k + 2) % 3];
            const auto it = faceOfEdge.find(std::uint64_t(ids[v]) << 32 | ids[u]);
            if (it == faceOfEdge.end() || it->second == kAmbiguous || touched[it->second])
                continue; // no single neighbour: dropping the face is all we can do
            const std::size_t g = it->second;
            std::uint32_t* s = &m.indices[3 * g];
            int r = 0;
            while (!(ids[s[r]] == ids[v] && ids[s[(r + 1) % 3]] == ids[u]))
                ++r;
            const std::uint32_t gv = s[r], gu = s[(r + 1) % 3], gx = s[(r + 2) % 3];
            s[0] = gv;
            s[1] = w;
            s[2] = gx;
            extra.insert(extra.end(), {w, gu, gx});
            touched[g] = 1;
        }
    }
    std::size_t removed = 0, out = 0;
    for (std::size_t f = 0; f < faces; ++f) {
        if (kind[f] != 0) {
            ++removed;
            continue;
        }
        for (int k = 0; k < 3; ++k)
            m.indices[out++] = m.indices[3 * f + std::size_t(k)];
    }
    m.indices.resize(out);
    m.indices.insert(m.indices.end(), extra.begin(), extra.end());
    return removed;
}

// Removes connected components (through shared positions) with fewer faces than ratio * the largest one's.
std::size_t removeSmallComponents(Mesh& m, float ratio, bool distinctPositions)
{
    std::uint32_t weldedCount = 0;
    const std::vector<std::uint32_t> ids = mesh::weldByPosition(m.positions, weldedCount, distinctPositions);
    mesh::UnionFind uf(weldedCount);
    const std::size_t faces = m.faceCount();
    for (std::size_t f = 0; f < faces; ++f) {
        uf.unite(ids[m.indices[3 * f]], ids[m.indices[3 * f + 1]]);
        uf.unite(ids[m.indices[3 * f]], ids[m.indices[3 * f + 2]]);
    }
    std::vector<std::uint32_t> faceCount(weldedCount, 0);
    for (std::size_t f = 0; f < faces; ++f)
        ++faceCount[uf.find(ids[m.indices[3 * f]])];
    const std::uint32_t largest = *std::max_element(faceCount.begin(), faceCount.end());
    const double threshold = double(ratio) * double(largest);
    std::size_t removedComponents = 0;
    for (std::uint32_t r = 0; r < weldedCount; ++r)
        if (faceCount[r] > 0 && double(faceCount[r]) < threshold)
            ++removedComponents;
    if (removedComponents == 0)
        return 0;
    std::size_t out = 0;
    for (std::size_t f = 0; f < faces; ++f) {
        if (double(faceCount[uf.find(ids[m.indices[3 * f]])]) < threshold)
            continue;
        for (int k = 0; k < 3; ++k)
            m.indices[out++] = m.indices[3 * f + std::size_t(k)];
    }
    m.indices.resize(out);
    return removedComponents;
}

} // namespace

PostprocessStats postprocessMesh(Mesh& m, const PostprocessOptions& options, RunContext* ctx)
{
    if (options.faceBudget < 0)
        throw ConfigError("mesh post-processing: the face budget must not be negative");
    if (!(options.minComponentRatio >= 0.0f && options.minComponentRatio <= 1.0f))
        throw ConfigError("mesh post-processing: the minimum component ratio must lie in [0, 1]");
    mesh::requireValid(m, "mesh post-processing");
    if (m.empty())
        throw MeshingError("mesh post-processing: the mesh has no faces", kStage);

    PostprocessStats stats;
    stats.facesIn = m.faceCount();
    // Each step is a sub-stage of the profile (mesh_postprocess/<name>), so that reports say where the time goes.
    std::optional<ScopedTimer> timer;
    auto step = [ctx, &timer](double fraction, const char* message, const char* sub) {
        timer.reset();
        if (!ctx)
            return;
        ctx->throwIfCancelled(kStage);
        ctx->progress(kStage, fraction, message);
        if (sub)
            timer.emplace(ctx->profiler(), std::string("mesh_postprocess/") + sub);
    };

    step(0.0, "merging duplicate vertices", "merge_vertices");
    // Positions stay distinct through the steps below once they are: they only drop vertices or change faces.
    bool distinct = false;
    stats.duplicatesMerged = mergeDuplicateVertices(m, !options.computeNormals, distinct);
    step(0.1, "removing degenerate faces", "degenerate_faces");
    stats.degenerateRemoved = removeDegenerateFaces(m, distinct);
    if (m.empty())
        throw MeshingError("mesh post-processing: only degenerate faces", kStage);
    step(0.2, "removing small components", "components");
    stats.componentsRemoved = removeSmallComponents(m, options.minComponentRatio, distinct);
    compactVertices(m);

    if (options.faceBudget > 0 && m.faceCount() > std::size_t(options.faceBudget)) {
        step(0.3, "reducing faces", "reduce");
        stats.budgetExceeded =
            mesh::reduceToBudget(m, std::size_t(options.faceBudget), options.keepClosed, ctx, distinct);
        step(0.8, "repairing folds", "repair_folds");
        // Compacted before the repair too, which then looks up a small vertex array: it makes the same flips.
        compactVertices(m);
        stats.foldsRepaired = mesh::repairFolds(m, distinct);
        compactVertices(m); // a flip across a uv seam can leave a vertex unused
    }
    if (m.empty())
        throw MeshingError("mesh post-processing: nothing left", kStage);
    if (options.computeNormals) {
        step(0.9, "computing normals", "normals");
        computeVertexNormals(m);
    }
    timer.reset();
    stats.facesOut = m.faceCount();
    if (ctx) {
        ctx->progress(kStage, 1.0, "post-processing done");
        ctx->log(LogLevel::Info, "post-processing: " + std::to_string(stats.facesIn) + " -> " +
                                     std::to_string(stats.facesOut) + " faces, " + std::to_string(stats.duplicatesMerged) +
                                     " duplicate vertices merged, " + std::to_string(stats.foldsRepaired) + " folds repaired, " +
                                     std::to_string(stats.degenerateRemoved) +
                                     " degenerate faces and " + std::to_string(stats.componentsRemoved) +
                                     " small components removed");
    }
    return stats;
}

} // namespace orfeas
