// Face-budget reduction with meshoptimizer.
//
// meshopt_simplify collapses edges towards existing vertices (so every kept vertex keeps its attributes) and keeps
// smooth closed shapes closed, but it does not check the link condition: on thin parts (handles, tubes, sheets a
// voxel thick) a collapse can pinch the surface. The damage shows up as pairs of identical faces with opposite
// orientation (a flattened pocket) and as edges shared by more than two faces. Opposite pairs cancel exactly and
// are removed (the surface on either side stays closed). Any other new boundary, non-manifold or flipped edge
// means the reduction broke the surface there: with keepClosed, the faces around such edges are protected (kept
// as they are in the input) and the rest is simplified again with meshopt_SimplifyLockBorder, which keeps the cut
// between the two parts intact; the protected region grows until no new defect appears. Protected faces are not
// reduced, so the budget can be exceeded (PostprocessStats::budgetExceeded, and a warning in the log): a closed
// mesh is worth more downstream (printing, volume, texture projection) than a few thousand faces. A further round
// starts from the result, where the protected parts often reduce without harm. Without keepClosed the budget
// wins, with a topology-blind sloppy simplification if the ordinary one stops short.
//
// Large meshes (marching cubes at octree 384 gives 0.3-1 M faces) are first reduced in parallel: the faces are cut
// into kPieces slabs of equal face count along the longest axis, and each slab is simplified on its own thread
// to its share of three times the budget. The faces touching a cut are kept as they are and the rest of the slab has
// its border locked: a slab could otherwise join two cut vertices by an edge its neighbour also has, and the
// joined mesh would share it among more than two faces. The kept faces along the cuts are fine, so a second
// parallel pass cuts halfway between the first pass's cuts (kPieces + 1 slabs, the end ones half as thick) and
// reduces them, to one and a half times the budget. (Error-bounded slab passes, or slabs reduced to their share
// of the budget itself, left visible bands of fine faces along the cuts.) The number of slabs does not depend on the machine, so neither does the result. A joined mesh
// must not have new defect edges (else the slabs concerned are put back as they were); the ordinary reduction
// above then finishes from it, with a fraction of the faces.

#include "mesh/mesh_internal.h"

#include "orfeas/errors.h"
#include "orfeas/mesh_processing.h"

#include <meshoptimizer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <optional>
#include <string>
#include <thread>

namespace orfeas::mesh {

namespace {

// Any error is acceptable: the face budget is the goal (relative to the mesh's extent).
constexpr float kMaxError = 1.0f;
constexpr int kMaxRounds = 3;
constexpr int kMaxAttempts = 8;
// Parallel pre-reduction (see the top): meshes above this many faces (and four times the budget) are pre-reduced in
// slabs.
constexpr std::size_t kParallelMinFaces = 150000;
constexpr int kPieces = 16;
constexpr int kHistogramBins = 4096;

} // namespace

void cancelDuplicateFaces(std::vector<std::uint32_t>& indices, const std::vector<std::uint32_t>& ids,
                          std::uint32_t count)
{
    const std::size_t faces = indices.size() / 3;
    struct Key {
        std::uint32_t v0; // the face's smallest welded id
        std::uint32_t face;
        std::uint64_t v12; // the other two, sorted: (middle << 32) | largest
    };
    std::vector<Key> keys(faces);
    for (std::size_t f = 0; f < faces; ++f) {
        std::uint32_t a = ids[indices[3 * f]], b = ids[indices[3 * f + 1]], c = ids[indices[3 * f + 2]];
        if (a > b)
            std::swap(a, b);
        if (b > c)
            std::swap(b, c);
        if (a > b)
            std::swap(a, b);
        keys[f] = {a, std::uint32_t(f), std::uint64_t(b) << 32 | c};
    }
    sortByVertex(keys, count, [](const Key& k) { return k.v0; }, [](const Key& a, const Key& b) {
        return a.v0 != b.v0 ? a.v0 < b.v0 : a.v12 != b.v12 ? a.v12 < b.v12 : a.face < b.face;
    });
    // Same orientation: one face is a rotation of the other (compared on welded ids).
    auto sameOrientation = [&](std::uint32_t f, std::uint32_t g) {
        const std::uint32_t a[3] = {ids[indices[3 * f]], ids[indices[3 * f + 1]], ids[indices[3 * f + 2]]};
        const std::uint32_t b[3] = {ids[indices[3 * g]], ids[indices[3 * g + 1]], ids[indices[3 * g + 2]]};
        for (int r = 0; r < 3; ++r)
            if (a[0] == b[r] && a[1] == b[(r + 1) % 3] && a[2] == b[(r + 2) % 3])
                return true;
        return false;
    };
    std::vector<char> drop(faces, 0);
    bool any = false;
    for (std::size_t i = 0; i + 1 < faces;) {
        std::size_t j = i + 1;
        while (j < faces && keys[j].v0 == keys[i].v0 && keys[j].v12 == keys[i].v12)
            ++j;
        if (j - i == 2) {
            const std::uint32_t f = keys[i].face, g = keys[i + 1].face;
            drop[g] = 1;
            if (!sameOrientation(f, g))
                drop[f] = 1;
            any = true;
        }
        i = j;
    }
    if (!any)
        return;
    std::size_t out = 0;
    for (std::size_t f = 0; f < faces; ++f) {
        if (drop[f])
            continue;
        for (int k = 0; k < 3; ++k)
            indices[out++] = indices[3 * f + std::size_t(k)];
    }
    indices.resize(out);
}

namespace {

// defectEdges in linear time: the half-edges are bucketed by their smaller vertex (and direction), and each
// bucket's uses per larger vertex are counted in an array indexed by it. (A std::sort of the half-edge keys was
// most of the reduction's serial time on large meshes.) Offset: the bucket offsets' type, wide enough for the
// number of half-edges.
template <class Offset>
std::vector<std::uint64_t> defectEdgesWith(const std::vector<std::uint32_t>& indices,
                                           const std::vector<std::uint32_t>& ids, std::uint32_t count)
{
    const std::size_t corners = indices.size() - indices.size() % 3;
    auto forEachHalfEdge = [&](auto&& visit) {
        for (std::size_t f = 0; f < corners; f += 3) {
            const std::uint32_t v[3] = {ids[indices[f]], ids[indices[f + 1]], ids[indices[f + 2]]};
            for (int k = 0; k < 3; ++k)
                if (v[k] != v[(k + 1) % 3])
                    visit(v[k], v[(k + 1) % 3]);
        }
    };
    // Bucket 2 * min + 1 holds the half-edges running min -> max, bucket 2 * min the others.
    auto bucketOf = [](std::uint32_t a, std::uint32_t b) {
        return a < b ? 2 * std::size_t(a) + 1 : 2 * std::size_t(b);
    };
    std::vector<Offset> end(2 * std::size_t(count) + 1, 0);
    forEachHalfEdge([&](std::uint32_t a, std::uint32_t b) { ++end[bucketOf(a, b) + 1]; });
    for (std::size_t i = 1; i < end.size(); ++i)
        end[i] += end[i - 1];
    std::vector<std::uint32_t> larger(end.back());
    forEachHalfEdge([&](std::uint32_t a, std::uint32_t b) { larger[end[bucketOf(a, b)]++] = std::max(a, b); });
    // end[i] is now where bucket i ends.
    constexpr std::uint64_t kForward = std::uint64_t(1) << 32;
    std::vector<std::uint64_t> uses(count, 0); // per larger vertex: backward + forward * kForward
    std::vector<std::uint64_t> defects;
    std::size_t begin = 0;
    for (std::uint32_t lo = 0; lo < count; ++lo) {
        const std::size_t middle = end[2 * std::size_t(lo)], stop = end[2 * std::size_t(lo) + 1];
        if (begin == stop)
            continue;
        for (std::size_t i = begin; i < middle; ++i)
            uses[larger[i]] += 1;
        for (std::size_t i = middle; i < stop; ++i)
            uses[larger[i]] += kForward;
        const std::size_t first = defects.size();
        for (std::size_t i = begin; i < stop; ++i) {
            const std::uint64_t u = uses[larger[i]];
            if (u != 0 && u != kForward + 1) // not one use each way (and not already reported)
                defects.push_back(std::uint64_t(lo) << 32 | larger[i]);
            uses[larger[i]] = 0;
        }
        if (defects.size() - first > 1)
            std::sort(defects.begin() + std::ptrdiff_t(first), defects.end());
        begin = stop;
    }
    return defects;
}

} // namespace

std::vector<std::uint64_t> defectEdges(const std::vector<std::uint32_t>& indices, const std::vector<std::uint32_t>& ids,
                                       std::uint32_t count)
{
    // 32-bit offsets halve the memory the bucketing walks through.
    return indices.size() < std::size_t(0xffffffffu) ? defectEdgesWith<std::uint32_t>(indices, ids, count)
                                                     : defectEdgesWith<std::size_t>(indices, ids, count);
}

namespace {

// The vertices a face list uses, numbered compactly (in the order of their global index).
struct Compact {
    std::vector<std::uint32_t> globalOf; // compact -> global
    std::vector<Vec3f> positions;
    std::vector<std::uint32_t> indices; // the face list in compact numbers

    Compact(const std::vector<std::uint32_t>& faces, const std::vector<Vec3f>& all)
        : indices(faces.size())
    {
        // Ranking the used vertices takes linear time (without a branch per vertex, which a slab's scattered
        // vertices would mispredict); sorting the face list and a binary search per corner took more than
        // meshopt_simplify itself. Only the range of indices used is ranked.
        if (faces.empty())
            return;
        const auto [lowest, highest] = std::minmax_element(faces.begin(), faces.end());
        const std::uint32_t base = *lowest;
        std::vector<std::uint32_t> rank(std::size_t(*highest - base) + 1, 0);
        for (const auto g : faces)
            rank[g - base] = 1;
        std::uint32_t total = 0;
        for (auto& r : rank) {
            const std::uint32_t used = r;
            r = total; // the compact number, where used
            total += used;
        }
        globalOf.resize(total);
        for (std::size_t i = 0; i < faces.size(); ++i) {
            indices[i] = rank[faces[i] - base];
            globalOf[indices[i]] = faces[i];
        }
        positions.resize(total);
        for (std::uint32_t c = 0; c < total; ++c)
            positions[c] = all[globalOf[c]];
    }
    void toGlobal(std::vector<std::uint32_t>& list) const
    {
        for (auto& v : list)
            v = globalOf[v];
    }
};

class Reducer {
public:
    // lockBorder: the mesh's open border stays as it is (a piece of a larger mesh, cut out for the parallel
    // pre-reduction). distinctPositions: as for weldByPosition. A Reducer is used by one thread at a time.
    Reducer(const Mesh& m, RunContext* ctx, bool distinctPositions, bool lockBorder = false)
        : m_mesh(m)
        , m_ctx(ctx)
        , m_lockBorder(lockBorder)
        , m_distinct(distinctPositions)
    {
        m_ids = weldByPosition(m.positions, m_count, distinctPositions);
    }

    // meshopt_simplify of `from` towards targetFaces, opposite duplicate faces cancelled.
    std::vector<std::uint32_t> simplify(const std::vector<std::uint32_t>& from, std::size_t targetFaces,
                                        unsigned options) const
    {
        if (m_ctx)
            m_ctx->throwIfCancelled(Stage::MeshPostprocess);
        if (from.empty())
            return {};
        // meshopt_simplify's work grows with the vertex count it is given: give it only the vertices `from` uses
        // (after a pre-reduction, a fraction of the mesh's).
        const Compact c(from, m_mesh.positions);
        std::vector<std::uint32_t> out(from.size());
        const std::size_t n = meshopt_simplify(out.data(), c.indices.data(), c.indices.size(), &c.positions[0].x,
            c.positions.size(), sizeof(Vec3f), std::min(targetFaces * 3, from.size()), kMaxError, options, nullptr);
        out.resize(n);
        c.toGlobal(out);
        cancelDuplicateFaces(out, m_ids, m_count);
        return out;
    }

    std::vector<std::uint32_t> simplifySloppy(const std::vector<std::uint32_t>& from, std::size_t targetFaces) const
    {
        if (from.empty())
            return {};
        const Compact c(from, m_mesh.positions);
        std::vector<std::uint32_t> out(from.size());
        const std::size_t n = meshopt_simplifySloppy(out.data(), c.indices.data(), c.indices.size(),
            &c.positions[0].x, c.positions.size(), sizeof(Vec3f), std::min(targetFaces * 3, from.size()), kMaxError,
            nullptr);
        out.resize(n);
        c.toGlobal(out);
        return out;
    }

    // The parallel pre-reduction described at the top, with the cuts of the first or (shifted) the second pass.
    // Returns `input` itself when every slab would create new defects.
    std::vector<std::uint32_t> preReduceInPieces(
        const std::vector<std::uint32_t>& input, std::size_t target, bool shifted) const
    {
        const int pieceCount = kPieces + (shifted ? 1 : 0);
        const std::size_t faces = input.size() / 3;
        const std::vector<Vec3f>& pos = m_mesh.positions;
        // The longest axis of the bounding box, and each face's centroid coordinate along it.
        Vec3f lo = pos[input[0]], hi = lo;
        for (const auto v : input) {
            lo = { std::min(lo.x, pos[v].x), std::min(lo.y, pos[v].y), std::min(lo.z, pos[v].z) };
            hi = { std::max(hi.x, pos[v].x), std::max(hi.y, pos[v].y), std::max(hi.z, pos[v].z) };
        }
        const float ext[3] = { hi.x - lo.x, hi.y - lo.y, hi.z - lo.z };
        const int axis = ext[0] >= ext[1] && ext[0] >= ext[2] ? 0 : (ext[1] >= ext[2] ? 1 : 2);
        const float origin = axis == 0 ? lo.x : axis == 1 ? lo.y : lo.z;
        const float extent = std::max(ext[axis], 1e-20f);
        auto coord = [&](std::uint32_t v) { return axis == 0 ? pos[v].x : axis == 1 ? pos[v].y : pos[v].z; };
        std::vector<std::uint16_t> bin(faces);
        std::vector<std::size_t> histogram(kHistogramBins, 0);
        for (std::size_t f = 0; f < faces; ++f) {
            const float c = (coord(input[3 * f]) + coord(input[3 * f + 1]) + coord(input[3 * f + 2])) / 3.0f;
            const int b = std::clamp(int((c - origin) / extent * kHistogramBins), 0, kHistogramBins - 1);
            bin[f] = std::uint16_t(b);
            ++histogram[std::size_t(b)];
        }
        // Bin -> piece, cutting at equal face counts.
        std::vector<std::uint8_t> pieceOfBin(kHistogramBins);
        std::size_t seen = 0;
        for (int b = 0; b < kHistogramBins; ++b) {
            const std::size_t piece = shifted ? (seen * 2 * kPieces / faces + 1) / 2 : seen * kPieces / faces;
            pieceOfBin[std::size_t(b)] = std::uint8_t(std::min<std::size_t>(std::size_t(pieceCount - 1), piece));
            seen += histogram[std::size_t(b)];
        }
        std::vector<std::vector<std::uint32_t>> pieces(std::size_t(pieceCount), std::vector<std::uint32_t>{});
        {
            std::vector<std::size_t> pieceFaces(std::size_t(pieceCount), 0);
            for (int b = 0; b < kHistogramBins; ++b)
                pieceFaces[pieceOfBin[std::size_t(b)]] += histogram[std::size_t(b)];
            for (int p = 0; p < pieceCount; ++p)
                pieces[std::size_t(p)].reserve(3 * pieceFaces[std::size_t(p)]);
        }
        for (std::size_t f = 0; f < faces; ++f) {
            auto& piece = pieces[pieceOfBin[bin[f]]];
            piece.insert(piece.end(), input.begin() + std::ptrdiff_t(3 * f), input.begin() + std::ptrdiff_t(3 * f + 3));
        }
        // Vertices on a cut (used by faces of two pieces). A piece could join two of them by a new edge that the
        // neighbouring piece also has, which the joined mesh would share among three or four faces: the faces
        // touching the cut are kept as they are, and the free part's border (one ring in) is locked instead.
        std::vector<std::uint8_t> ownerOf(m_count, std::uint8_t(0xff));
        std::vector<char> onCut(m_count, 0);
        for (std::size_t f = 0; f < faces; ++f)
            for (int k = 0; k < 3; ++k) {
                const std::uint32_t id = m_ids[input[3 * f + std::size_t(k)]];
                const std::uint8_t p = pieceOfBin[bin[f]];
                if (ownerOf[id] == 0xff)
                    ownerOf[id] = p;
                else if (ownerOf[id] != p)
                    onCut[id] = 1;
            }
        // Each piece on compact vertices of its own, simplified with its border locked.
        std::vector<std::vector<std::uint32_t>> results(std::size_t(pieceCount), std::vector<std::uint32_t>{});
        auto work = [&](int piece) {
            const std::vector<std::uint32_t>& in = pieces[std::size_t(piece)];
            if (in.empty())
                return;
            Compact c(in, pos);
            const std::size_t pieceTarget = std::max<std::size_t>(1, target * (in.size() / 3) / faces);
            // The piece as a mesh of its own, reduced like a whole mesh (pinches protected) with its cut locked.
            Mesh pieceMesh;
            pieceMesh.positions = std::move(c.positions);
            pieceMesh.indices = c.indices;
            const Reducer reducer(pieceMesh, nullptr, m_distinct, /*lockBorder=*/true);
            std::vector<char> keep(in.size() / 3, 0);
            for (std::size_t f = 0; f < keep.size(); ++f)
                keep[f] = char(onCut[m_ids[in[3 * f]]] | onCut[m_ids[in[3 * f + 1]]] | onCut[m_ids[in[3 * f + 2]]]);
            std::vector<std::uint32_t> out = reducer.reduceKeepingTopology(c.indices, pieceTarget, &keep);
            c.toGlobal(out);
            results[std::size_t(piece)] = std::move(out);
        };
        const int threads = int(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1u, unsigned(pieceCount)));
        std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
        {
            std::vector<std::thread> pool;
            for (int t = 1; t < threads; ++t)
                pool.emplace_back([&, t] {
                    try {
                        for (int p = t; p < pieceCount; p += threads)
                            work(p);
                    } catch (...) {
                        errors[std::size_t(t)] = std::current_exception();
                    }
                });
            try {
                for (int p = 0; p < pieceCount; p += threads)
                    work(p);
            } catch (...) {
                errors[0] = std::current_exception();
            }
            for (auto& th : pool)
                th.join();
        }
        for (const auto& e : errors)
            if (e)
                std::rethrow_exception(e);
        if (m_ctx)
            m_ctx->throwIfCancelled(Stage::MeshPostprocess);
        // Join the pieces. A piece whose result has a new defect edge (a pinch on a thin part) is put back as it
        // was; the ordinary reduction then deals with it.
        std::vector<char> reverted(std::size_t(pieceCount), 0);
        for (int attempt = 0; attempt < 4; ++attempt) {
            std::vector<std::uint32_t> joined;
            std::vector<std::uint8_t> owner;
            std::size_t joinedSize = 0;
            for (int p = 0; p < pieceCount; ++p)
                joinedSize += (reverted[std::size_t(p)] ? pieces[std::size_t(p)] : results[std::size_t(p)]).size();
            joined.reserve(joinedSize);
            owner.reserve(joinedSize / 3);
            for (int p = 0; p < pieceCount; ++p) {
                const auto& r = reverted[std::size_t(p)] ? pieces[std::size_t(p)] : results[std::size_t(p)];
                joined.insert(joined.end(), r.begin(), r.end());
                owner.insert(owner.end(), r.size() / 3, std::uint8_t(p));
            }
            const std::vector<std::uint64_t> fresh = freshDefects(joined);
            if (fresh.empty()) {
                cancelDuplicateFaces(joined, m_ids, m_count);
                return joined;
            }
            std::vector<char> touched(m_count, 0);
            for (const std::uint64_t e : fresh) {
                touched[e >> 32] = 1;
                touched[e & 0xffffffffu] = 1;
            }
            bool any = false;
            for (std::size_t f = 0; f < owner.size(); ++f)
                for (int k = 0; k < 3; ++k)
                    if (touched[m_ids[joined[3 * f + std::size_t(k)]]] && !reverted[owner[f]]) {
                        reverted[owner[f]] = 1;
                        any = true;
                    }
            if (!any)
                break;
        }
        return input;
    }

    // Reduces `current` towards the budget without creating defect edges the input did not have, protecting the
    // regions where they appear. Returns `current` itself if every attempt failed.
    // `keep` (one flag per face of `current`) marks faces to keep from the start.
    std::vector<std::uint32_t> reduceKeepingTopology(const std::vector<std::uint32_t>& current, std::size_t budget,
        const std::vector<char>* keep = nullptr) const
    {
        const std::size_t faces = current.size() / 3;
        // Faces around each welded vertex of `current`, for growing the protected region: built when first needed
        // (the first attempt usually succeeds).
        std::vector<std::uint32_t> offsets, around;
        const auto findAround = [&] {
            offsets.assign(std::size_t(m_count) + 1, 0);
            around.resize(current.size());
            for (const auto v : current)
                ++offsets[m_ids[v] + 1];
            for (std::size_t i = 1; i < offsets.size(); ++i)
                offsets[i] += offsets[i - 1];
            std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
            for (std::size_t i = 0; i < current.size(); ++i)
                around[fill[m_ids[current[i]]]++] = std::uint32_t(i / 3);
        };
        std::vector<char> protectedFace = keep ? *keep : std::vector<char>(faces, 0);
        std::vector<char> seed(m_count, 0);
        std::vector<std::uint32_t> seeds;
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            std::vector<std::uint32_t> free, kept;
            free.reserve(current.size());
            for (std::size_t f = 0; f < faces; ++f) {
                auto& dst = protectedFace[f] ? kept : free;
                dst.insert(dst.end(), current.begin() + std::ptrdiff_t(3 * f), current.begin() + std::ptrdiff_t(3 * f + 3));
            }
            if (free.empty())
                break;
            const std::size_t keptFaces = kept.size() / 3;
            std::vector<std::uint32_t> result =
                simplify(free, budget > keptFaces ? budget - keptFaces : 0,
                         kept.empty() && !m_lockBorder ? 0 : meshopt_SimplifyLockBorder);
            // simplify cancelled the pairs in its own result: only the kept faces can make new ones.
            if (!kept.empty()) {
                result.insert(result.end(), kept.begin(), kept.end());
                cancelDuplicateFaces(result, m_ids, m_count);
            }
            const std::vector<std::uint64_t> fresh = freshDefects(result);
            if (fresh.empty())
                return result;
            if (offsets.empty())
                findAround();
            for (const std::uint64_t e : fresh)
                for (const std::uint32_t v : {std::uint32_t(e >> 32), std::uint32_t(e & 0xffffffffu)})
                    if (!seed[v]) {
                        seed[v] = 1;
                        seeds.push_back(v);
                    }
            // Protect every face within (attempt + 2) rings of the seeds.
            std::vector<std::uint32_t> frontier = seeds;
            std::vector<char> reached(m_count, 0);
            for (const auto v : frontier)
                reached[v] = 1;
            for (int ring = 0; ring < attempt + 2 && !frontier.empty(); ++ring) {
                std::vector<std::uint32_t> next;
                for (const auto v : frontier)
                    for (std::uint32_t i = offsets[v]; i < offsets[v + 1]; ++i) {
                        const std::uint32_t f = around[i];
                        protectedFace[f] = 1;
                        for (int k = 0; k < 3; ++k) {
                            const std::uint32_t w = m_ids[current[3 * f + std::size_t(k)]];
                            if (!reached[w]) {
                                reached[w] = 1;
                                next.push_back(w);
                            }
                        }
                    }
                frontier = std::move(next);
            }
        }
        return current;
    }

private:
    // The defect edges of `faces` that the input does not have (sorted).
    std::vector<std::uint64_t> freshDefects(const std::vector<std::uint32_t>& faces) const
    {
        std::vector<std::uint64_t> defects = defectEdges(faces, m_ids, m_count);
        if (defects.empty())
            return defects;
        // The input's own defects are only needed now: a closed mesh's reductions rarely have any, and finding
        // them takes a pass over the whole input.
        if (!m_inputDefects)
            m_inputDefects = defectEdges(m_mesh.indices, m_ids, m_count);
        std::vector<std::uint64_t> fresh;
        std::set_difference(defects.begin(), defects.end(), m_inputDefects->begin(), m_inputDefects->end(),
                            std::back_inserter(fresh));
        return fresh;
    }

    const Mesh& m_mesh;
    RunContext* m_ctx;
    bool m_lockBorder = false;
    bool m_distinct = false;
    std::vector<std::uint32_t> m_ids;
    std::uint32_t m_count = 0;
    mutable std::optional<std::vector<std::uint64_t>> m_inputDefects; // sorted; found when first needed
};

} // namespace

bool reduceToBudget(Mesh& m, std::size_t budget, bool keepClosed, RunContext* ctx, bool distinctPositions)
{
    if (m.faceCount() <= budget || m.positions.empty())
        return false;
    const Reducer reducer(m, ctx, distinctPositions);
    // The faces so far: m.indices itself (the reducer's input, not copied) until a step replaces them.
    std::vector<std::uint32_t> current;
    const std::vector<std::uint32_t>* faces = &m.indices;
    const auto replace = [&](std::vector<std::uint32_t> next) {
        current = std::move(next);
        faces = &current;
    };
    if (!keepClosed) {
        replace(reducer.simplify(*faces, budget, 0));
        if (faces->size() / 3 > budget)
            replace(reducer.simplifySloppy(*faces, budget));
    } else {
        using Clock = std::chrono::steady_clock;
        const auto since = [](Clock::time_point t0) {
            char text[32];
            std::snprintf(text, sizeof text, "%.3f s", std::chrono::duration<double>(Clock::now() - t0).count());
            return std::string(text);
        };
        std::string steps;
        for (const bool shifted : { false, true }) {
            // The first pass for large meshes (to three times the budget), the second after it (to one and a half
            // times); the ordinary reduction's global order of collapses then has the last third to place.
            if (faces->size() / 3 <= (shifted ? 2 * budget : std::max(kParallelMinFaces, 4 * budget))
                || (shifted && steps.empty()))
                break;
            const auto t0 = Clock::now();
            const std::size_t before = faces->size() / 3;
            // Slabs reduced far below their own share of the input lose thin parts' volume (each slab gets the same
            // density of faces; the global order would give thin parts more): at most 8x in the first pass, 2x in
            // the second.
            const std::size_t target =
                shifted ? std::max(budget * 3 / 2, before / 2) : std::max(3 * budget, before / 8);
            replace(reducer.preReduceInPieces(*faces, target, shifted));
            steps += std::string(steps.empty() ? "" : "; ") + "pre-reduction in "
                + std::to_string(kPieces + (shifted ? 1 : 0)) + " slabs " + std::to_string(before) + " -> "
                + std::to_string(faces->size() / 3) + " faces in " + since(t0);
        }
        for (int round = 0; round < kMaxRounds && faces->size() / 3 > budget; ++round) {
            const auto t0 = Clock::now();
            std::vector<std::uint32_t> next = reducer.reduceKeepingTopology(*faces, budget);
            const bool progressed = next.size() < faces->size() - faces->size() / 50;
            replace(std::move(next));
            steps += std::string(steps.empty() ? "" : "; ") + "round " + std::to_string(round + 1) + " -> "
                + std::to_string(faces->size() / 3) + " faces in " + since(t0);
            if (!progressed)
                break;
        }
        if (ctx)
            ctx->log(LogLevel::Debug, "mesh reduction: " + steps);
    }
    if (faces != &m.indices)
        m.indices = std::move(current);
    const bool exceeded = m.faceCount() > budget;
    if (exceeded && ctx)
        ctx->log(LogLevel::Warning, "mesh reduction: kept " + std::to_string(m.faceCount()) + " faces (budget " +
                                        std::to_string(budget) +
                                        "): reducing further would have broken the surface or was not possible");
    return exceeded;
}

} // namespace orfeas::mesh
