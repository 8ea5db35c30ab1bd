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
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
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

// Removes pairs of faces over the same three (welded) vertices: both if they face opposite ways, one if they are
// the same face twice.
void cancelDuplicateFaces(std::vector<std::uint32_t>& indices, const std::vector<std::uint32_t>& ids)
{
    const std::size_t faces = indices.size() / 3;
    struct Key {
        std::array<std::uint32_t, 3> v; // sorted welded ids
        std::uint32_t face;
    };
    std::vector<Key> keys(faces);
    for (std::size_t f = 0; f < faces; ++f) {
        std::array<std::uint32_t, 3> v{ids[indices[3 * f]], ids[indices[3 * f + 1]], ids[indices[3 * f + 2]]};
        std::sort(v.begin(), v.end());
        keys[f] = {v, std::uint32_t(f)};
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.v != b.v ? a.v < b.v : a.face < b.face; });
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
        while (j < faces && keys[j].v == keys[i].v)
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

// Undirected edges (welded ids, (min << 32) | max) used by one face, by more than two, or twice the same way.
std::vector<std::uint64_t> defectEdges(const std::vector<std::uint32_t>& indices, const std::vector<std::uint32_t>& ids)
{
    std::vector<std::uint64_t> half; // key << 1 | forward
    half.reserve(indices.size());
    for (std::size_t f = 0; f + 2 < indices.size(); f += 3)
        for (int k = 0; k < 3; ++k) {
            const std::uint64_t a = ids[indices[f + std::size_t(k)]], b = ids[indices[f + std::size_t((k + 1) % 3)]];
            if (a != b)
                half.push_back((std::min(a, b) << 32 | std::max(a, b)) << 1 | (a < b ? 1u : 0u));
        }
    std::sort(half.begin(), half.end());
    std::vector<std::uint64_t> defects;
    for (std::size_t i = 0; i < half.size();) {
        std::size_t j = i, forward = 0;
        while (j < half.size() && (half[j] >> 1) == (half[i] >> 1))
            forward += half[j++] & 1;
        const std::size_t uses = j - i;
        if (uses != 2 || forward != 1)
            defects.push_back(half[i] >> 1);
        i = j;
    }
    return defects;
}

// The vertices a face list uses, numbered compactly (in the order of their global index).
struct Compact {
    std::vector<std::uint32_t> globalOf; // compact -> global
    std::vector<Vec3f> positions;
    std::vector<std::uint32_t> indices; // the face list in compact numbers

    Compact(const std::vector<std::uint32_t>& faces, const std::vector<Vec3f>& all)
        : globalOf(faces)
        , indices(faces.size())
    {
        std::sort(globalOf.begin(), globalOf.end());
        globalOf.erase(std::unique(globalOf.begin(), globalOf.end()), globalOf.end());
        positions.reserve(globalOf.size());
        for (const auto g : globalOf)
            positions.push_back(all[g]);
        for (std::size_t i = 0; i < faces.size(); ++i)
            indices[i] = std::uint32_t(std::lower_bound(globalOf.begin(), globalOf.end(), faces[i]) - globalOf.begin());
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
    // pre-reduction).
    Reducer(const Mesh& m, RunContext* ctx, bool lockBorder = false) : m_mesh(m), m_ctx(ctx), m_lockBorder(lockBorder)
    {
        m_ids = weldByPosition(m.positions, m_count);
        m_inputDefects = defectEdges(m.indices, m_ids);
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
        cancelDuplicateFaces(out, m_ids);
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
            const Reducer reducer(pieceMesh, nullptr, /*lockBorder=*/true);
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
            for (int p = 0; p < pieceCount; ++p) {
                const auto& r = reverted[std::size_t(p)] ? pieces[std::size_t(p)] : results[std::size_t(p)];
                joined.insert(joined.end(), r.begin(), r.end());
                owner.insert(owner.end(), r.size() / 3, std::uint8_t(p));
            }
            const std::vector<std::uint64_t> defects = defectEdges(joined, m_ids);
            std::vector<std::uint64_t> fresh;
            std::set_difference(defects.begin(), defects.end(), m_inputDefects.begin(), m_inputDefects.end(),
                std::back_inserter(fresh));
            if (fresh.empty()) {
                cancelDuplicateFaces(joined, m_ids);
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
        // Faces around each welded vertex of `current`, for growing the protected region.
        std::vector<std::uint32_t> offsets(std::size_t(m_count) + 1, 0), around(current.size());
        for (const auto v : current)
            ++offsets[m_ids[v] + 1];
        for (std::size_t i = 1; i < offsets.size(); ++i)
            offsets[i] += offsets[i - 1];
        {
            std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
            for (std::size_t i = 0; i < current.size(); ++i)
                around[fill[m_ids[current[i]]]++] = std::uint32_t(i / 3);
        }
        std::vector<char> protectedFace = keep ? *keep : std::vector<char>(faces, 0);
        std::vector<char> seed(m_count, 0);
        std::vector<std::uint32_t> seeds;
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            std::vector<std::uint32_t> free, kept;
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
            result.insert(result.end(), kept.begin(), kept.end());
            cancelDuplicateFaces(result, m_ids);
            const std::vector<std::uint64_t> defects = defectEdges(result, m_ids);
            std::vector<std::uint64_t> fresh;
            std::set_difference(defects.begin(), defects.end(), m_inputDefects.begin(), m_inputDefects.end(),
                                std::back_inserter(fresh));
            if (fresh.empty())
                return result;
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
    const Mesh& m_mesh;
    RunContext* m_ctx;
    bool m_lockBorder = false;
    std::vector<std::uint32_t> m_ids;
    std::uint32_t m_count = 0;
    std::vector<std::uint64_t> m_inputDefects; // sorted
};

} // namespace

bool reduceToBudget(Mesh& m, std::size_t budget, bool keepClosed, RunContext* ctx)
{
    if (m.faceCount() <= budget || m.positions.empty())
        return false;
    const Reducer reducer(m, ctx);
    std::vector<std::uint32_t> current = m.indices;
    if (!keepClosed) {
        current = reducer.simplify(current, budget, 0);
        if (current.size() / 3 > budget)
            current = reducer.simplifySloppy(current, budget);
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
            if (current.size() / 3 <= (shifted ? 2 * budget : std::max(kParallelMinFaces, 4 * budget))
                || (shifted && steps.empty()))
                break;
            const auto t0 = Clock::now();
            const std::size_t before = current.size() / 3;
            // Slabs reduced far below their own share of the input lose thin parts' volume (each slab gets the same
            // density of faces; the global order would give thin parts more): at most 8x in the first pass, 2x in
            // the second.
            const std::size_t faces = current.size() / 3;
            const std::size_t target = shifted ? std::max(budget * 3 / 2, faces / 2) : std::max(3 * budget, faces / 8);
            current = reducer.preReduceInPieces(current, target, shifted);
            steps += std::string(steps.empty() ? "" : "; ") + "pre-reduction in "
                + std::to_string(kPieces + (shifted ? 1 : 0)) + " slabs " + std::to_string(before) + " -> "
                + std::to_string(current.size() / 3) + " faces in " + since(t0);
        }
        for (int round = 0; round < kMaxRounds && current.size() / 3 > budget; ++round) {
            const auto t0 = Clock::now();
            std::vector<std::uint32_t> next = reducer.reduceKeepingTopology(current, budget);
            const bool progressed = next.size() < current.size() - current.size() / 50;
            current = std::move(next);
            steps += std::string(steps.empty() ? "" : "; ") + "round " + std::to_string(round + 1) + " -> "
                + std::to_string(current.size() / 3) + " faces in " + since(t0);
            if (!progressed)
                break;
        }
        if (ctx)
            ctx->log(LogLevel::Debug, "mesh reduction: " + steps);
    }
    m.indices = std::move(current);
    const bool exceeded = m.faceCount() > budget;
    if (exceeded && ctx)
        ctx->log(LogLevel::Warning, "mesh reduction: kept " + std::to_string(m.faceCount()) + " faces (budget " +
                                        std::to_string(budget) +
                                        "): reducing further would have broken the surface or was not possible");
    return exceeded;
}

} // namespace orfeas::mesh
