// Marching cubes on a host volume with the generated table (mc_table.cpp) and the asymptotic decider.
//
// Work is split into blocks of consecutive x slabs. The output order is canonical and independent of the split:
// vertices are numbered plane by plane (for plane ix: its y and z edges scanned in (iy, iz) order, then the x edges
// from ix to ix + 1), triangles follow the cells in (ix, iy, iz) order. A block creates the vertices of the planes
// it owns; the y/z-edge vertices of its last plane belong to the next block, so the block refers to them by their
// rank in that plane ("foreign" indices), resolved once every block's vertex count is known. Only two planes of
// edge-index maps per block are alive at a time.

#include "orfeas/errors.h"
#include "orfeas/marching_cubes.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace orfeas {

namespace {

constexpr std::uint32_t kForeign = 0x80000000u;
constexpr std::uint32_t kNoVertex = 0xffffffffu;
// Vertices never come closer to a grid point than this fraction of the edge: keeps vertices of different edges
// distinct (and triangles non-degenerate) when a value equals the level exactly.
constexpr double kInterpEps = 1e-3;

struct Grid {
    int nx, ny, nz;
    const float* values;
    float level;
    Vec3f origin, spacing;

    std::size_t index(int ix, int iy, int iz) const noexcept
    {
        return (std::size_t(ix) * std::size_t(ny) + std::size_t(iy)) * std::size_t(nz) + std::size_t(iz);
    }
    float gx(int i) const noexcept { return origin.x + float(i) * spacing.x; }
    float gy(int i) const noexcept { return origin.y + float(i) * spacing.y; }
    float gz(int i) const noexcept { return origin.z + float(i) * spacing.z; }

    // Where the level crosses the edge from value v0 (at parameter 0) to v1 (at 1), clamped away from the ends.
    float crossing(float v0, float v1) const noexcept
    {
        if (std::isnan(v0) || std::isnan(v1))
            return 0.5f;
        const double t = (double(level) - double(v0)) / (double(v1) - double(v0));
        if (!(t >= kInterpEps))
            return std::isnan(t) ? 0.5f : float(kInterpEps);
        if (!(t <= 1.0 - kInterpEps))
            return float(1.0 - kInterpEps);
        return float(t);
    }
};

float lerp(float a, float b, float t) noexcept
{
    return a + t * (b - a);
}

struct BlockOutput {
    std::vector<Vec3f> positions;
    std::vector<std::uint32_t> indices; // local vertex index, or kForeign | rank in the next block's first plane
};

// Row summaries: most rows of a typical volume are entirely inside or outside and are skipped.
constexpr std::uint8_t kRowOutside = 0, kRowInside = 1, kRowMixed = 2;

// Edge-index maps of one plane: y edges and z edges starting at each grid point of the plane.
struct PlaneMaps {
    std::vector<std::uint32_t> y, z;
    std::vector<std::uint8_t> inside;
    std::vector<std::uint8_t> rows; // per iy: kRowOutside, kRowInside or kRowMixed
};

class BlockWorker {
public:
    BlockWorker(const Grid& g, const McTable& table) : m_g(g), m_table(table)
    {
        const std::size_t n = std::size_t(g.ny) * std::size_t(g.nz);
        for (auto* p : {&m_a, &m_b}) {
            p->y.assign(n, kNoVertex);
            p->z.assign(n, kNoVertex);
            p->inside.assign(n, 0);
            p->rows.assign(std::size_t(g.ny), kRowOutside);
        }
        m_x.assign(n, kNoVertex);
    }

    // Processes cell slabs [first, last). `ownsLastPlane`: whether plane `last` belongs to this block.
    // `onSlab` is called after every slab and returns false to stop.
    template <typename OnSlab>
    void run(int first, int last, bool ownsLastPlane, BlockOutput& out, OnSlab&& onSlab)
    {
        m_out = &out;
        PlaneMaps* p0 = &m_a;
        PlaneMaps* p1 = &m_b;
        computeInside(first, *p0);
        scanPlane(first, *p0, true);
        for (int ix = first; ix < last; ++ix) {
            computeInside(ix + 1, *p1);
            scanXEdges(ix, *p0, *p1);
            scanPlane(ix + 1, *p1, ix + 1 < last || ownsLastPlane);
            polygonizeSlab(ix, *p0, *p1);
            std::swap(p0, p1);
            if (!onSlab())
                return;
        }
    }

private:
    std::uint32_t addVertex(const Vec3f& p)
    {
        const std::size_t id = m_out->positions.size();
        if (id >= kForeign)
            throw MeshingError("marching cubes: too many vertices for 32-bit indices");
        m_out->positions.push_back(p);
        return std::uint32_t(id);
    }

    void computeInside(int ix, PlaneMaps& pm) const
    {
        const std::size_t nz = std::size_t(m_g.nz);
        const float level = m_g.level;
        for (int iy = 0; iy < m_g.ny; ++iy) {
            const float* v = m_g.values + m_g.index(ix, iy, 0);
            std::uint8_t* in = pm.inside.data() + std::size_t(iy) * nz;
            std::uint8_t any = 0, all = 1;
            for (std::size_t i = 0; i < nz; ++i) {
                const std::uint8_t f = v[i] > level ? 1 : 0; // NaN compares false: outside
                in[i] = f;
                any |= f;
                all &= f;
            }
            pm.rows[std::size_t(iy)] = all ? kRowInside : (any ? kRowMixed : kRowOutside);
        }
    }

    // Numbers the crossed y and z edges of plane ix in canonical order; creates their vertices if `create`,
    // otherwise records foreign ranks (the next block creates them in the same order).
    void scanPlane(int ix, PlaneMaps& pm, bool create)
    {
        const int ny = m_g.ny, nz = m_g.nz;
        const float* v = m_g.values + m_g.index(ix, 0, 0);
        const float x = m_g.gx(ix);
        std::uint32_t rank = 0;
        auto id = [&](auto makePos) {
            return create ? addVertex(makePos()) : (kForeign | rank++);
        };
        for (int iy = 0; iy < ny; ++iy) {
            const std::uint8_t state = pm.rows[std::size_t(iy)];
            if (state != kRowMixed && (iy + 1 == ny || pm.rows[std::size_t(iy) + 1] == state))
                continue; // no crossed y or z edge starts in this row
            const std::size_t row = std::size_t(iy) * std::size_t(nz);
            for (int iz = 0; iz < nz; ++iz) {
                const std::size_t i = row + std::size_t(iz);
                const std::uint8_t f = pm.inside[i];
                if (iy + 1 < ny && f != pm.inside[i + std::size_t(nz)]) {
                    pm.y[i] = id([&] {
                        const float t = m_g.crossing(v[i], v[i + std::size_t(nz)]);
                        return Vec3f{x, lerp(m_g.gy(iy), m_g.gy(iy + 1), t), m_g.gz(iz)};
                    });
                }
                if (iz + 1 < nz && f != pm.inside[i + 1]) {
                    pm.z[i] = id([&] {
                        const float t = m_g.crossing(v[i], v[i + 1]);
                        return Vec3f{x, m_g.gy(iy), lerp(m_g.gz(iz), m_g.gz(iz + 1), t)};
                    });
                }
            }
        }
    }

    void scanXEdges(int ix, const PlaneMaps& p0, const PlaneMaps& p1)
    {
        const int ny = m_g.ny, nz = m_g.nz;
        const float* v0 = m_g.values + m_g.index(ix, 0, 0);
        const float* v1 = m_g.values + m_g.index(ix + 1, 0, 0);
        const float x0 = m_g.gx(ix), x1 = m_g.gx(ix + 1);
        for (int iy = 0; iy < ny; ++iy) {
            const std::uint8_t state = p0.rows[std::size_t(iy)];
            if (state != kRowMixed && p1.rows[std::size_t(iy)] == state)
                continue;
            const std::size_t row = std::size_t(iy) * std::size_t(nz);
            for (int iz = 0; iz < nz; ++iz) {
                const std::size_t i = row + std::size_t(iz);
                if (p0.inside[i] != p1.inside[i]) {
                    const float t = m_g.crossing(v0[i], v1[i]);
                    m_x[i] = addVertex(Vec3f{lerp(x0, x1, t), m_g.gy(iy), m_g.gz(iz)});
                }
            }
        }
    }

    // Asymptotic decider for a face whose corner values (relative to the level) are f0..f3 in cyclic order,
    // with an inside pair on one diagonal: true when the inside corners are connected (the bilinear saddle is
    // inside). Depends on the face's values only (the products are exact in double), so both cells agree.
    static bool insideConnected(const double f[4], bool firstInside) noexcept
    {
        const double a = f[0] * f[2];
        const double b = f[1] * f[3];
        return firstInside ? (a > b) : (b > a); // NaN (outside corner) compares false: not connected
    }

    void polygonizeSlab(int ix, const PlaneMaps& p0, const PlaneMaps& p1)
    {
        const int ny = m_g.ny, nz = m_g.nz;
        const std::size_t snz = std::size_t(nz);
        const PlaneMaps* planes[2] = {&p0, &p1};
        auto& indices = m_out->indices;
        for (int iy = 0; iy + 1 < ny; ++iy) {
            const std::uint8_t state = p0.rows[std::size_t(iy)];
            if (state != kRowMixed && p0.rows[std::size_t(iy) + 1] == state && p1.rows[std::size_t(iy)] == state &&
                p1.rows[std::size_t(iy) + 1] == state)
                continue; // every cell of the row is entirely inside or outside
            const std::size_t row = std::size_t(iy) * snz;
            const std::uint8_t* r00 = p0.inside.data() + row;
            const std::uint8_t* r01 = r00 + snz;
            const std::uint8_t* r10 = p1.inside.data() + row;
            const std::uint8_t* r11 = r10 + snz;
            unsigned q = unsigned(r00[0]) | unsigned(r10[0]) << 1 | unsigned(r01[0]) << 2 | unsigned(r11[0]) << 3;
            for (int iz = 0; iz + 1 < nz; ++iz) {
                const unsigned qn = unsigned(r00[iz + 1]) | unsigned(r10[iz + 1]) << 1 |
                                    unsigned(r01[iz + 1]) << 2 | unsigned(r11[iz + 1]) << 3;
                const unsigned cube = q | qn << 4;
                q = qn;
                if (cube == 0 || cube == 255)
                    continue;
                unsigned faceBits = 0;
                if (const unsigned amb = m_table.ambiguousFaces[cube]) {
                    double f[8];
                    for (int c = 0; c < 8; ++c) {
                        const float v = m_g.values[m_g.index(ix + (c & 1), iy + ((c >> 1) & 1), iz + ((c >> 2) & 1))];
                        f[c] = double(v) - double(m_g.level);
                    }
                    for (int face = 0; face < 6; ++face) {
                        if (!((amb >> face) & 1))
                            continue;
                        const auto& fc = McTable::kFaceCorners[face];
                        const double fv[4] = {f[fc[0]], f[fc[1]], f[fc[2]], f[fc[3]]};
                        if (insideConnected(fv, (cube >> fc[0]) & 1))
                            faceBits |= 1u << face;
                    }
                }
                const auto& entry = m_table.triangles[std::size_t(cube) * 64 + faceBits];
                for (int k = 0; entry[std::size_t(k)] >= 0; ++k) {
                    const int e = entry[std::size_t(k)];
                    const int a = e & 1, b = (e >> 1) & 1;
                    std::uint32_t id;
                    if (e < 4)
                        id = m_x[std::size_t(iy + a) * snz + std::size_t(iz + b)];
                    else if (e < 8)
                        id = planes[a]->y[row + std::size_t(iz + b)];
                    else
                        id = planes[a]->z[std::size_t(iy + b) * snz + std::size_t(iz)];
                    indices.push_back(id);
                }
            }
        }
    }

    const Grid& m_g;
    const McTable& m_table;
    PlaneMaps m_a, m_b;
    std::vector<std::uint32_t> m_x;
    BlockOutput* m_out = nullptr;
};

void validate(const Volume& volume, float level)
{
    if (volume.nx < 2 || volume.ny < 2 || volume.nz < 2)
        throw MeshingError("marching cubes: the volume needs at least 2 points along each axis");
    if (!volume.isValid())
        throw MeshingError("marching cubes: the volume's value count does not match its dimensions");
    auto finite = [](const Vec3f& v) { return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z); };
    if (!finite(volume.origin) || !finite(volume.spacing))
        throw MeshingError("marching cubes: the volume's origin and spacing must be finite");
    if (!(volume.spacing.x > 0 && volume.spacing.y > 0 && volume.spacing.z > 0))
        throw MeshingError("marching cubes: the volume's spacing must be positive");
    if (!std::isfinite(level))
        throw MeshingError("marching cubes: the level must be finite");
}

} // namespace

Mesh marchingCubes(const Volume& volume, float level, RunContext* ctx, int threads)
{
    validate(volume, level);
    std::vector<float> downloaded;
    const float* values = volume.values.data();
    if (volume.values.empty()) {
        downloaded = volume.device->download();
        if (downloaded.size() != volume.pointCount())
            throw MeshingError("marching cubes: the device volume returned a wrong number of values");
        values = downloaded.data();
    }
    const McTable& table = marchingCubesTable();
    const Grid grid{volume.nx, volume.ny, volume.nz, values, level, volume.origin, volume.spacing};

    const int slabs = volume.nx - 1;
    if (threads <= 0)
        threads = int(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::min(threads, slabs);
    // A few blocks per thread balance the load; the extra plane scan per block boundary is cheap.
    const int blocks = threads == 1 ? 1 : std::min(slabs, threads * 4);
    std::vector<BlockOutput> outputs(static_cast<std::size_t>(blocks));

    std::atomic<int> nextBlock{0};
    std::atomic<int> slabsDone{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;
    const std::thread::id caller = std::this_thread::get_id();
    int lastReportedPercent = -1;

    auto onSlab = [&]() {
        const int done = slabsDone.fetch_add(1, std::memory_order_relaxed) + 1;
        if (ctx && ctx->isCancelled())
            stop.store(true, std::memory_order_relaxed);
        if (ctx && std::this_thread::get_id() == caller) {
            // Callbacks run on the caller's thread only.
            const int percent = int(100.0 * done / slabs);
            if (percent != lastReportedPercent) {
                lastReportedPercent = percent;
                ctx->progress(Stage::SurfaceExtraction, 0.95 * done / slabs, "marching cubes");
            }
        }
        return !stop.load(std::memory_order_relaxed);
    };
    auto work = [&]() {
        try {
            BlockWorker worker(grid, table);
            for (;;) {
                if (stop.load(std::memory_order_relaxed))
                    return;
                const int k = nextBlock.fetch_add(1, std::memory_order_relaxed);
                if (k >= blocks)
                    return;
                const int first = int(std::int64_t(slabs) * k / blocks);
                const int last = int(std::int64_t(slabs) * (k + 1) / blocks);
                worker.run(first, last, k + 1 == blocks, outputs[std::size_t(k)], onSlab);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
            stop.store(true, std::memory_order_relaxed);
        }
    };

    if (ctx)
        ctx->progress(Stage::SurfaceExtraction, 0.0, "marching cubes");
    {
        std::vector<std::thread> pool;
        pool.reserve(std::size_t(threads - 1));
        try {
            for (int t = 1; t < threads; ++t)
                pool.emplace_back(work);
        } catch (...) {
            stop.store(true);
            for (auto& th : pool)
                th.join();
            throw;
        }
        work();
        for (auto& th : pool)
            th.join();
    }
    if (failure)
        std::rethrow_exception(failure);
    if (ctx && ctx->isCancelled())
        throw CancelledError(Stage::SurfaceExtraction);

    // Assemble: block k's vertices start at offsets[k]; its foreign indices live in block k + 1.
    std::vector<std::size_t> vOffsets(std::size_t(blocks) + 1, 0), iOffsets(std::size_t(blocks) + 1, 0);
    for (int k = 0; k < blocks; ++k) {
        vOffsets[std::size_t(k) + 1] = vOffsets[std::size_t(k)] + outputs[std::size_t(k)].positions.size();
        iOffsets[std::size_t(k) + 1] = iOffsets[std::size_t(k)] + outputs[std::size_t(k)].indices.size();
    }
    if (vOffsets.back() >= kNoVertex)
        throw MeshingError("marching cubes: too many vertices for 32-bit indices");
    Mesh mesh;
    mesh.positions.resize(vOffsets.back());
    mesh.indices.resize(iOffsets.back());
    for (int k = 0; k < blocks; ++k) {
        BlockOutput& out = outputs[std::size_t(k)];
        std::copy(out.positions.begin(), out.positions.end(), mesh.positions.begin() + std::ptrdiff_t(vOffsets[std::size_t(k)]));
        const auto local = std::uint32_t(vOffsets[std::size_t(k)]);
        const auto foreign = std::uint32_t(vOffsets[std::size_t(k) + 1]);
        std::uint32_t* dst = mesh.indices.data() + iOffsets[std::size_t(k)];
        for (const std::uint32_t id : out.indices)
            *dst++ = (id & kForeign) ? foreign + (id & ~kForeign) : local + id;
        out = BlockOutput{};
    }
    if (ctx) {
        ctx->progress(Stage::SurfaceExtraction, 1.0, "marching cubes");
        ctx->log(LogLevel::Debug, "marching cubes: " + std::to_string(mesh.vertexCount()) + " vertices, " +
                                      std::to_string(mesh.faceCount()) + " faces");
    }
    return mesh;
}

} // namespace orfeas
