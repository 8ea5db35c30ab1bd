#pragma once
// Volume decoding: an occupancy field (the geometry decoder) evaluated on the grid of query points, densely or
// hierarchically (a coarse grid, then only the neighbourhood of the surface at each finer level), in chunks that
// shrink when the device runs out of memory. docs/neural.md, "Volume decoding", explains the design.

#include "orfeas/run_context.h"

#include "neural_common.h"
#include "shape_vae.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace orfeas::neural {

// Occupancy logits (inside > level) of points [M, 3] float32 on the device -> [M] (any float dtype, the device).
using PointField = std::function<at::Tensor(const at::Tensor& points)>;

// The geometry decoder as a field, for batch element 0 of `keys` (float32 logits).
PointField geometryField(const GeometryDecoder& decoder, const GeometryKeys& keys);

// Evaluates a field chunk by chunk. When a chunk runs out of memory (a real out-of-memory error of the device or
// the host, or a simulated one, see below) the chunk size is halved, down to kMinChunk points, and the chunk is
// retried; each retry is logged through the run context and the first one adds a warning. At kMinChunk an
// out-of-memory error propagates (the caller turns it into DeviceError(isOutOfMemory)).
//
// Testing hook: the environment variable ORFEAS_SIMULATE_DECODE_OOM_ABOVE=<n> makes every chunk of more than n
// points fail with LibTorch's out-of-memory error before it runs, so the retry path can be tested on any device.
// Not thread-safe (one evaluator per run); cancellation (CancelledError) is checked before every chunk.
//
// Chunks run one after another on the caller's stream. (Pairs of chunks on two streams were measured and dropped:
// dense decoding 4.05 s paired against 4.06 s unpaired on an H200, the GPU already busy 4055 ms of 4063.)
class ChunkedEvaluator {
public:
    static constexpr std::int64_t kMinChunk = 512;

    ChunkedEvaluator(PointField field, at::Device device, std::int64_t chunk, RunContext& ctx);

    // Evaluates the points pointsOf(start, count) ([count, 3] float32 on the device) for consecutive ranges
    // covering [0, total) and writes the logits into out[start, start + count) (a float32 tensor of `total`
    // values). onChunk(done, expectedTotal) after each chunk.
    void run(std::int64_t total, const std::function<at::Tensor(std::int64_t, std::int64_t)>& pointsOf,
        const at::Tensor& out, const std::function<void(int, int)>& onChunk = {});

    at::Device device() const { return m_device; }
    std::int64_t chunk() const { return m_chunk; }
    // Points evaluated so far (retried chunks count once).
    std::int64_t pointsEvaluated() const { return m_points; }
    // At most one entry: "volume decoding ran out of memory; retried with chunks of N points".
    const std::vector<std::string>& warnings() const { return m_warnings; }

private:
    void shrink();

    PointField m_field;
    at::Device m_device;
    std::int64_t m_chunk;
    std::int64_t m_simulatedLimit = 0;
    std::int64_t m_points = 0;
    RunContext& m_ctx;
    std::vector<std::string> m_warnings;
};

// The grid: (resolution + 1)^3 points over [-bounds, bounds]^3, 'ij' order (index = (ix * n + iy) * n + iz).
struct GridSpec {
    int resolution = 384;
    double bounds = 1.01;
    std::int64_t points() const
    {
        const std::int64_t n = resolution + 1;
        return n * n * n;
    }
};

// The coordinates of one grid axis, as numpy.linspace(-bounds, bounds, resolution + 1) in float64 cast to float32.
std::vector<float> gridAxis(int resolution, double bounds);

// Every point of the grid: [n, n, n] float32 on the evaluator's device. onChunk as ChunkedEvaluator::run.
at::Tensor decodeDenseVolume(ChunkedEvaluator& evaluator, const GridSpec& grid, RunContext& ctx,
    const std::function<void(int, int)>& onChunk = {});

struct HierarchicalOptions {
    float level = 0.0f; // the iso-level (inside > level)
    int minCoarseResolution = 16; // the coarsest level has at least this many cells per axis
    int maxLevels = 3; // refinement steps at most (each halves the spacing)
    int band = 1; // active cells are dilated by this many cells at every level
    // A cell is refined when its corners change sign or one of them is within threshold of the level, the
    // threshold being this factor times the median |difference| across the level's sign-changing grid edges
    // (an estimate of how much the field changes over one cell near the surface).
    double thresholdFactor = 2.0;
    // ... but never more than this fraction of the field's typical magnitude (the 75th percentile of
    // |value - level| on the coarse grid). A field that saturates away from the surface, as a classifier's logits
    // do, jumps by about twice its saturation value across the surface; without this bound every cell would be
    // within the threshold.
    double saturationFraction = 0.5;
};

// Refinement steps used for a resolution: 0 means the dense grid.
int hierarchicalLevels(int resolution, const HierarchicalOptions& options);

struct HierarchicalStats {
    int levels = 0; // refinement steps (0: decoded densely)
    std::vector<std::int64_t> pointsPerLevel; // the coarse grid first
    std::vector<double> thresholds; // the threshold of each refinement step
    std::vector<double> secondsPerLevel; // wall time of each level, the coarse grid first (the device synchronised)
    bool denseFallback = false; // the coarse grid had no surface: decoded densely
};

// The grid decoded hierarchically: the lattice of every 2^L-th point (plus the last one) first; then, level by
// level, every point of the next finer lattice inside a cell that changes sign, has a corner within the threshold
// of the level (see HierarchicalOptions), or lies within `band` cells of such a cell, is evaluated; the other points of that lattice are the
// trilinear interpolation of the coarser one (inside cells whose corners all lie on one side of the level, so the
// interpolated value is on that side too). Returns [n, n, n] float32 on the device. Points whose cell is refined
// at the finest level are the decoder's own values, so the surface is the dense one wherever the coarser levels
// saw it. onProgress(level, levels, chunkDone, chunkTotal) with level 0 = the coarse grid.
at::Tensor decodeHierarchicalVolume(ChunkedEvaluator& evaluator, const GridSpec& grid,
    const HierarchicalOptions& options, RunContext& ctx,
    const std::function<void(int, int, int, int)>& onProgress = {}, HierarchicalStats* stats = nullptr);

} // namespace orfeas::neural
