#include "volume_decoding.h"

#include "orfeas/errors.h"

#include "gpu_runtime.h"

#include <ATen/record_function.h>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace orfeas::neural {

namespace {

std::int64_t simulatedOomLimit()
{
    const char* text = std::getenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE");
    if (!text || !*text)
        return 0;
    std::int64_t n = 0;
    const auto r = std::from_chars(text, text + std::strlen(text), n);
    return r.ec == std::errc() && n > 0 ? n : 0;
}

} // namespace

PointField geometryField(const GeometryDecoder& decoder, const GeometryKeys& keys)
{
    // The first batch entry's keys; the packed keys hold one entry after another.
    const GeometryKeys first { keys.k.narrow(0, 0, 1), keys.v.narrow(0, 0, 1), keys.fp8, keys.factored,
        keys.packed.defined() ? keys.packed.narrow(0, 0, keys.packed.numel() / keys.k.size(0)) : at::Tensor() };
    return [&decoder, first](const at::Tensor& points) { return decoder.query(first, points.unsqueeze(0)).view({ -1 }); };
}

ChunkedEvaluator::ChunkedEvaluator(PointField field, at::Device device, std::int64_t chunk, RunContext& ctx)
    : m_field(std::move(field))
    , m_device(device)
    , m_chunk(std::max(chunk, kMinChunk))
    , m_simulatedLimit(simulatedOomLimit())
    , m_ctx(ctx)
{
}

void ChunkedEvaluator::shrink()
{
    const std::int64_t before = m_chunk;
    m_chunk = std::max(kMinChunk, m_chunk / 2);
    // Give the cached blocks back, so that the smaller chunk is not refused for fragmentation.
    gpu::releaseCachedMemory(m_device);
    const std::string message = "volume decoding ran out of memory with chunks of " + std::to_string(before)
        + " points; retrying with " + std::to_string(m_chunk);
    m_ctx.log(LogLevel::Warning, message);
    if (m_warnings.empty())
        m_warnings.push_back("volume decoding ran out of device memory and was retried with smaller chunks (down to "
            + std::to_string(m_chunk) + " points)");
    else
        m_warnings.front() = "volume decoding ran out of device memory and was retried with smaller chunks (down to "
            + std::to_string(m_chunk) + " points)";
}

void ChunkedEvaluator::run(std::int64_t total, const std::function<at::Tensor(std::int64_t, std::int64_t)>& pointsOf,
    const at::Tensor& out, const std::function<void(int, int)>& onChunk)
{
    const auto evaluate = [&](std::int64_t start, std::int64_t count) {
        if (m_simulatedLimit > 0 && count > m_simulatedLimit)
            TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory (simulated for a chunk of ", count,
                " points by ORFEAS_SIMULATE_DECODE_OOM_ABOVE)");
        const at::Tensor logits = m_field(pointsOf(start, count));
        out.narrow(0, start, count).copy_(logits.reshape({ count }));
    };
    std::int64_t start = 0;
    int done = 0;
    while (start < total) {
        if (m_ctx.isCancelled())
            throw CancelledError(Stage::ShapeGeneration);
        const std::int64_t count = std::min(m_chunk, total - start);
        bool outOfMemory = false;
        try {
            evaluate(start, count);
        } catch (...) {
            if (m_chunk <= kMinChunk || !isOutOfMemory(std::current_exception()))
                throw;
            outOfMemory = true;
        }
        if (outOfMemory) {
            shrink(); // outside the handler: the failed chunk's tensors are released by now
            continue;
        }
        start += count;
        m_points += count;
        ++done;
        if (onChunk)
            onChunk(done, done + int((total - start + m_chunk - 1) / m_chunk));
    }
}

std::vector<float> gridAxis(int resolution, double bounds)
{
    const int n = resolution + 1;
    const double start = -bounds, stop = bounds;
    const double step = (stop - start) / resolution;
    std::vector<float> axis(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        axis[std::size_t(i)] = static_cast<float>(double(i) * step + start);
    axis.back() = static_cast<float>(stop);
    return axis;
}

namespace {

at::Tensor axisTensor(const GridSpec& grid, at::Device device)
{
    return at::tensor(gridAxis(grid.resolution, grid.bounds), at::kFloat).to(device);
}

at::Tensor longTensor(const std::vector<std::int64_t>& values, at::Device device)
{
    return at::tensor(values, at::kLong).to(device);
}

// Points [M, 3] at grid indices gx, gy, gz ([M] each).
at::Tensor gridPoints(const at::Tensor& axis, const at::Tensor& gx, const at::Tensor& gy, const at::Tensor& gz)
{
    return at::stack({ axis.index_select(0, gx), axis.index_select(0, gy), axis.index_select(0, gz) }, -1);
}

} // namespace

at::Tensor decodeDenseVolume(
    ChunkedEvaluator& evaluator, const GridSpec& grid, RunContext& ctx, const std::function<void(int, int)>& onChunk)
{
    if (grid.resolution < 1)
        throw ConfigError("the octree resolution must be at least 1");
    const at::Device device = evaluator.device();
    const std::int64_t n = grid.resolution + 1;
    const std::int64_t total = grid.points();
    const at::Tensor axis = axisTensor(grid, device);
    const auto indexOptions = at::TensorOptions().dtype(at::kLong).device(device);
    const at::Tensor out = at::empty({ total }, at::TensorOptions().dtype(at::kFloat).device(device));
    evaluator.run(
        total,
        [&](std::int64_t start, std::int64_t count) {
            const at::Tensor index = at::arange(start, start + count, indexOptions);
            const at::Tensor ix = at::div(index, n * n, "floor");
            const at::Tensor iy = at::remainder(at::div(index, n, "floor"), n);
            const at::Tensor iz = at::remainder(index, n);
            return gridPoints(axis, ix, iy, iz);
        },
        out, onChunk);
    (void)ctx;
    return out.view({ n, n, n });
}

int hierarchicalLevels(int resolution, const HierarchicalOptions& options)
{
    int levels = 0;
    while (levels < options.maxLevels && (resolution >> (levels + 1)) >= options.minCoarseResolution)
        ++levels;
    return levels;
}

namespace {

// The lattice of stride s over n grid points: every s-th index, and the last index.
std::vector<std::int64_t> lattice(std::int64_t n, std::int64_t s)
{
    std::vector<std::int64_t> a;
    for (std::int64_t i = 0; i < n; i += s)
        a.push_back(i);
    if (a.back() != n - 1)
        a.push_back(n - 1);
    return a;
}

// How the points of a fine lattice relate to the cells of the coarse one (per axis; the grid is a cube).
struct LevelMap {
    at::Tensor cellLow; // [m] the coarse cell whose span [A[c], A[c+1]] holds the point (c <= n - 2)
    at::Tensor cellHigh; // [m] cellLow + 1: the cell's upper corner
    at::Tensor cellOther; // [m] the other cell sharing the point when it lies on a coarse plane, else cellLow
    at::Tensor weight; // [m] float32: (pos - A[c]) / (A[c+1] - A[c])
    at::Tensor isCoarse; // [m] bool: the point is a point of the coarse lattice
    at::Tensor coarseIndex; // [m] its index there (0 when it is not)
};

LevelMap levelMap(const std::vector<std::int64_t>& coarse, const std::vector<std::int64_t>& fine, at::Device device)
{
    std::vector<std::int64_t> low, high, other, coarseIndex;
    std::vector<float> weight;
    std::vector<std::uint8_t> isCoarse;
    std::size_t c = 0;
    for (const std::int64_t pos : fine) {
        while (c + 2 < coarse.size() && coarse[c + 1] <= pos)
            ++c;
        low.push_back(std::int64_t(c));
        high.push_back(std::int64_t(c) + 1);
        weight.push_back(float(double(pos - coarse[c]) / double(coarse[c + 1] - coarse[c])));
        const bool onLow = pos == coarse[c];
        const bool onHigh = pos == coarse[c + 1];
        isCoarse.push_back(onLow || onHigh ? 1 : 0);
        coarseIndex.push_back(onLow ? std::int64_t(c) : onHigh ? std::int64_t(c) + 1 : 0);
        other.push_back(onLow && c > 0 ? std::int64_t(c) - 1 : std::int64_t(c));
    }
    LevelMap m;
    m.cellLow = longTensor(low, device);
    m.cellHigh = longTensor(high, device);
    m.cellOther = longTensor(other, device);
    m.weight = at::tensor(weight, at::kFloat).to(device);
    m.isCoarse = at::tensor(std::vector<std::int64_t>(isCoarse.begin(), isCoarse.end()), at::kLong).to(device).ne(0);
    m.coarseIndex = longTensor(coarseIndex, device);
    return m;
}

// Trilinear interpolation of v [n, n, n] onto the fine lattice, one axis at a time. Exact at coarse points
// (weight 0 or 1).
at::Tensor interpolate(const at::Tensor& v, const LevelMap& m)
{
    at::Tensor x = v;
    for (int dim = 0; dim < 3; ++dim) {
        std::vector<std::int64_t> shape { 1, 1, 1 };
        shape[std::size_t(dim)] = -1;
        const at::Tensor w = m.weight.view(shape);
        // low * (1 - w) + high * w, in place on the two selections (the same arithmetic with fewer full-size
        // temporaries: at the last level each is a 385^3 float volume).
        at::Tensor low = x.index_select(dim, m.cellLow);
        at::Tensor high = x.index_select(dim, m.cellHigh);
        x = at::Tensor();
        low.mul_(1.0f - w);
        high.mul_(w);
        x = low.add_(high);
    }
    return x;
}

// The 8 corners of every cell of v [n, n, n], as views [n-1, n-1, n-1].
at::Tensor corner(const at::Tensor& v, int dx, int dy, int dz)
{
    const std::int64_t c = v.size(0) - 1;
    return v.narrow(0, dx, c).narrow(1, dy, c).narrow(2, dz, c);
}

// factor * median |v(a) - v(b)| over the grid edges whose ends lie on both sides of the level; < 0 when none does.
double refinementThreshold(const at::Tensor& v, float level, double factor)
{
    std::vector<at::Tensor> diffs;
    const std::int64_t c = v.size(0) - 1;
    for (int dim = 0; dim < 3; ++dim) {
        const at::Tensor a = v.narrow(dim, 0, c);
        const at::Tensor b = v.narrow(dim, 1, c);
        const at::Tensor crossing = a.gt(level).ne(b.gt(level));
        diffs.push_back((a - b).abs().masked_select(crossing));
    }
    const at::Tensor all = at::cat(diffs);
    if (all.numel() == 0)
        return -1.0;
    return factor * all.median().item<double>();
}

// The q-quantile of |v - level| (a strided sample of at most 2^22 values).
double quantileOfDistance(const at::Tensor& v, float level, double q)
{
    at::Tensor d = (v.reshape({ -1 }) - level).abs();
    const std::int64_t stride = std::max<std::int64_t>(1, d.numel() >> 22);
    if (stride > 1)
        d = d.slice(0, 0, d.numel(), stride);
    const std::int64_t k = std::clamp<std::int64_t>(std::int64_t(std::ceil(q * double(d.numel()))), 1, d.numel());
    return std::get<0>(at::kthvalue(d, k)).item<double>();
}

// Cells [n-1]^3 that need refinement: a sign change among their corners or a corner within `threshold` of the
// level, dilated by `band` cells.
at::Tensor activeCells(const at::Tensor& v, float level, double threshold, int band)
{
    at::Tensor anyInside, allInside, minDistance;
    for (int c = 0; c < 8; ++c) {
        const at::Tensor k = corner(v, c & 1, (c >> 1) & 1, (c >> 2) & 1);
        const at::Tensor inside = k.gt(level);
        const at::Tensor distance = (k - level).abs();
        if (c == 0) {
            anyInside = inside;
            allInside = inside;
            minDistance = distance;
        } else {
            anyInside = anyInside.logical_or(inside);
            allInside = allInside.logical_and(inside);
            minDistance = at::minimum(minDistance, distance);
        }
    }
    at::Tensor active = anyInside.logical_and(allInside.logical_not()).logical_or(minDistance.lt(threshold));
    if (band > 0) {
        const std::int64_t k = 2 * std::int64_t(band) + 1;
        const at::Tensor pooled = at::max_pool3d(active.to(at::kFloat).unsqueeze(0).unsqueeze(0), { k, k, k },
            { 1, 1, 1 }, { band, band, band });
        active = pooled.squeeze(0).squeeze(0).gt(0.5);
    }
    return active;
}

// Fine-lattice points that belong to an active cell (a point on a coarse plane belongs to the cells on both sides).
at::Tensor pointsOfActiveCells(const at::Tensor& active, const LevelMap& m)
{
    at::Tensor needed;
    for (int c = 0; c < 8; ++c) {
        const at::Tensor& ix = (c & 1) ? m.cellOther : m.cellLow;
        const at::Tensor& iy = (c & 2) ? m.cellOther : m.cellLow;
        const at::Tensor& iz = (c & 4) ? m.cellOther : m.cellLow;
        const at::Tensor part = active.index_select(0, ix).index_select(1, iy).index_select(2, iz);
        needed = c == 0 ? part : needed.logical_or(part);
    }
    return needed;
}

} // namespace

at::Tensor decodeHierarchicalVolume(ChunkedEvaluator& evaluator, const GridSpec& grid,
    const HierarchicalOptions& options, RunContext& ctx, const std::function<void(int, int, int, int)>& onProgress,
    HierarchicalStats* stats)
{
    if (grid.resolution < 1)
        throw ConfigError("the octree resolution must be at least 1");
    HierarchicalStats local;
    HierarchicalStats& st = stats ? *stats : local;
    st = {};
    const int levels = hierarchicalLevels(grid.resolution, options);
    st.levels = levels;
    const auto denseProgress = [&](int done, int total) {
        if (onProgress)
            onProgress(levels, levels, done, total);
    };
    if (levels == 0) {
        at::Tensor v = decodeDenseVolume(evaluator, grid, ctx, denseProgress);
        st.pointsPerLevel.push_back(grid.points());
        return v;
    }

    const at::Device device = evaluator.device();
    const std::int64_t n = grid.resolution + 1;
    const at::Tensor axis = axisTensor(grid, device);
    std::int64_t stride = std::int64_t(1) << levels;

    using Clock = std::chrono::steady_clock;
    auto levelStart = Clock::now();
    const auto endLevel = [&] {
        gpu::synchronize(device);
        const auto now = Clock::now();
        st.secondsPerLevel.push_back(std::chrono::duration<double>(now - levelStart).count());
        levelStart = now;
    };

    // The coarse lattice, evaluated entirely.
    std::vector<std::int64_t> coarse = lattice(n, stride);
    at::Tensor values;
    at::Tensor evaluated;
    {
        RECORD_USER_SCOPE("volume_decoding/coarse_level");
        const auto m = std::int64_t(coarse.size());
        const at::Tensor a = longTensor(coarse, device);
        values = at::empty({ m * m * m }, at::TensorOptions().dtype(at::kFloat).device(device));
        evaluator.run(
            m * m * m,
            [&](std::int64_t start, std::int64_t count) {
                const at::Tensor index = at::arange(start, start + count, a.options());
                const at::Tensor jx = at::div(index, m * m, "floor");
                const at::Tensor jy = at::remainder(at::div(index, m, "floor"), m);
                const at::Tensor jz = at::remainder(index, m);
                return gridPoints(axis, a.index_select(0, jx), a.index_select(0, jy), a.index_select(0, jz));
            },
            values, [&](int done, int total) {
                if (onProgress)
                    onProgress(0, levels, done, total);
            });
        values = values.view({ m, m, m });
        evaluated = at::ones({ m, m, m }, at::TensorOptions().dtype(at::kBool).device(device));
        st.pointsPerLevel.push_back(m * m * m);
    }
    endLevel();
    const double saturationBound = options.saturationFraction * quantileOfDistance(values, options.level, 0.75);

    for (int level = 1; level <= levels; ++level) {
        ctx.throwIfCancelled(Stage::ShapeGeneration);
        RECORD_USER_SCOPE("volume_decoding/refine_level");
        const double edgeThreshold = refinementThreshold(values, options.level, options.thresholdFactor);
        if (edgeThreshold < 0) {
            // No surface at the coarse level: whatever is there is smaller than a coarse cell. Decode it all.
            ctx.log(LogLevel::Info, "hierarchical volume decoding: no surface on the coarse grid; decoding densely");
            st.denseFallback = true;
            at::Tensor v = decodeDenseVolume(evaluator, grid, ctx, denseProgress);
            st.pointsPerLevel.push_back(grid.points());
            return v;
        }
        const double threshold = std::min(edgeThreshold, saturationBound);
        st.thresholds.push_back(threshold);
        const at::Tensor active = activeCells(values, options.level, threshold, options.band);

        stride /= 2;
        const std::vector<std::int64_t> fine = lattice(n, stride);
        const LevelMap map = levelMap(coarse, fine, device);
        at::Tensor needed = pointsOfActiveCells(active, map);
        at::Tensor fineEvaluated = evaluated.index_select(0, map.coarseIndex)
                                       .index_select(1, map.coarseIndex)
                                       .index_select(2, map.coarseIndex)
                                       .logical_and(map.isCoarse.view({ -1, 1, 1 }))
                                       .logical_and(map.isCoarse.view({ 1, -1, 1 }))
                                       .logical_and(map.isCoarse.view({ 1, 1, -1 }));
        at::Tensor fineValues = interpolate(values, map);
        values = at::Tensor();
        evaluated = at::Tensor();

        const at::Tensor todo = needed.logical_and(fineEvaluated.logical_not());
        needed = at::Tensor();
        const at::Tensor idx = at::nonzero(todo); // [M, 3] lattice coordinates
        const std::int64_t count = idx.size(0);
        if (count > 0) {
            const at::Tensor f = longTensor(fine, device);
            const at::Tensor jx = idx.select(1, 0), jy = idx.select(1, 1), jz = idx.select(1, 2);
            const at::Tensor logits = at::empty({ count }, at::TensorOptions().dtype(at::kFloat).device(device));
            evaluator.run(
                count,
                [&](std::int64_t start, std::int64_t c) {
                    return gridPoints(axis, f.index_select(0, jx.narrow(0, start, c)),
                        f.index_select(0, jy.narrow(0, start, c)), f.index_select(0, jz.narrow(0, start, c)));
                },
                logits, [&](int done, int total) {
                    if (onProgress)
                        onProgress(level, levels, done, total);
                });
            fineValues.index_put_({ jx, jy, jz }, logits);
            fineEvaluated.index_put_({ jx, jy, jz }, at::ones({ 1 }, fineEvaluated.options()).expand({ count }));
        } else if (onProgress) {
            onProgress(level, levels, 0, 0);
        }
        st.pointsPerLevel.push_back(count);
        endLevel();
        values = fineValues;
        evaluated = fineEvaluated;
        coarse = fine;
    }
    return values;
}

} // namespace orfeas::neural
