// Marching cubes on the device, producing exactly the mesh of the CPU implementation (marching_cubes.cpp).
//
// Pipeline (all on the caller's stream; no atomic decides any order):
//  1. classify points: a flag byte per point (inside, crossed x/y/z edges starting there), counting active slots;
//  2. classify cells: the cube index per cell, counting active cells; [sync: read both counts]
//  3. select the active vertex slots and the active cells (cub::DeviceSelect::If over the index range, which keeps
//     the order), per item the number of vertices / triangles (the cell's decider runs here), exclusive scans
//     (cub::DeviceScan) give each item's first vertex / triangle; [sync: read the totals]
//  4. emit vertices per active slot and triangles per active cell (edge -> vertex by binary search in the sorted
//     slot list); [sync: copy the mesh back]
// Memory besides the input: two bytes per grid point (flags and cube indices; the latter freed after step 3) and
// a few words per active slot or cell.

#include "orfeas/marching_cubes.h"

#include "mc_cuda.h"
#include "mc_kernels.h"
#include "mc_table_image.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_scan.cuh>
#include <cub/device/device_select.cuh>
#include <cuda_runtime.h>
#include <map>
#include <mutex>
#include <thrust/iterator/counting_iterator.h>
#include <vector>

namespace orfeas {

namespace {

using namespace mccuda;

constexpr int kBlock = 256;
static_assert(sizeof(Vec3f) == 3 * sizeof(float), "Vec3f must be three packed floats");

// ---------------------------------------------------------------------------------------------------------------
// Kernels: grid-stride loops around the functions of mc_kernels.h.

__global__ void classifyPointsKernel(const float* __restrict__ values, Grid g, std::uint8_t* __restrict__ flags,
    unsigned long long* __restrict__ activeSlots)
{
    unsigned count = 0;
    const std::uint32_t stride = gridDim.x * blockDim.x;
    for (std::uint32_t p = blockIdx.x * blockDim.x + threadIdx.x; p < g.points; p += stride) {
        const std::uint8_t f = classifyPoint(values, g, p);
        flags[p] = f;
        count += activeSlotsOfPoint(f);
    }
    using Reduce = cub::BlockReduce<unsigned, kBlock>;
    __shared__ typename Reduce::TempStorage temp;
    const unsigned total = Reduce(temp).Sum(count);
    if (threadIdx.x == 0 && total != 0)
        atomicAdd(activeSlots, static_cast<unsigned long long>(total)); // a sum: order does not matter
}

__global__ void classifyCellsKernel(const std::uint8_t* __restrict__ flags, Grid g, std::uint8_t* __restrict__ cubes,
    unsigned long long* __restrict__ activeCells)
{
    unsigned count = 0;
    const std::uint32_t stride = gridDim.x * blockDim.x;
    for (std::uint32_t p = blockIdx.x * blockDim.x + threadIdx.x; p < g.points; p += stride) {
        const std::uint8_t cube = classifyCell(flags, g, p);
        cubes[p] = cube;
        count += cellActive(cube) ? 1u : 0u;
    }
    using Reduce = cub::BlockReduce<unsigned, kBlock>;
    __shared__ typename Reduce::TempStorage temp;
    const unsigned total = Reduce(temp).Sum(count);
    if (threadIdx.x == 0 && total != 0)
        atomicAdd(activeCells, static_cast<unsigned long long>(total));
}

struct SlotIsActive {
    const std::uint8_t* flags;
    Grid g;
    __host__ __device__ bool operator()(std::uint32_t s) const { return slotVertexCount(flags, g, s) != 0; }
};

struct CellIsActive {
    const std::uint8_t* cubes;
    __host__ __device__ bool operator()(std::uint32_t p) const { return cellActive(cubes[p]); }
};

// counts[i] = vertices of slots[i]; counts[n] = 0 (so that the exclusive scan's last element is the total).
__global__ void slotCountsKernel(const std::uint8_t* __restrict__ flags, Grid g,
    const std::uint32_t* __restrict__ slots, std::uint32_t n, std::uint64_t* __restrict__ counts)
{
    const std::uint32_t stride = gridDim.x * blockDim.x;
    for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i <= n; i += stride)
        counts[i] = i < n ? slotVertexCount(flags, g, slots[i]) : 0u;
}

// entries[i] = table entry of cells[i]; counts[i] = its triangles; counts[n] = 0.
__global__ void cellCountsKernel(const float* __restrict__ values, Grid g, TableView t,
    const std::uint8_t* __restrict__ cubes, const std::uint32_t* __restrict__ cells, std::uint32_t n,
    std::uint16_t* __restrict__ entries, std::uint64_t* __restrict__ counts)
{
    const std::uint32_t stride = gridDim.x * blockDim.x;
    for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i <= n; i += stride) {
        if (i == n) {
            counts[i] = 0;
            continue;
        }
        const std::uint32_t p = cells[i];
        const std::uint16_t entry = cellEntry(values, g, t, p, cubes[p]);
        entries[i] = entry;
        counts[i] = t.triangleCount[entry];
    }
}

__global__ void emitVerticesKernel(const float* __restrict__ values, const std::uint8_t* __restrict__ flags, Grid g,
    const std::uint32_t* __restrict__ slots, std::uint32_t n, const std::uint64_t* __restrict__ vertexStart,
    float* __restrict__ positions)
{
    const std::uint32_t stride = gridDim.x * blockDim.x;
    for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        emitSlotVertices(values, flags, g, slots[i], positions + 3 * vertexStart[i]);
}

__global__ void emitTrianglesKernel(const std::uint8_t* __restrict__ flags, Grid g, TableView t,
    const std::uint32_t* __restrict__ slots, std::uint32_t slotCount, const std::uint64_t* __restrict__ vertexStart,
    const std::uint32_t* __restrict__ cells, std::uint32_t n, const std::uint16_t* __restrict__ entries,
    const std::uint64_t* __restrict__ triangleStart, std::uint32_t* __restrict__ indices, unsigned* __restrict__ failed)
{
    const std::uint32_t stride = gridDim.x * blockDim.x;
    for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        if (!emitCellTriangles(
                flags, g, t, slots, slotCount, vertexStart, cells[i], entries[i], indices + 3 * triangleStart[i]))
            atomicOr(failed, 1u); // an error flag only
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The table, copied to each device once.

// The device copy of the table on `device` (allocated once per process and device, never freed).
cudaError_t deviceTable(int device, TableView& view)
{
    static std::mutex mutex;
    static std::map<int, const std::uint8_t*> tables;
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = tables.find(device);
    if (it != tables.end()) {
        view = tableView(it->second);
        return cudaSuccess;
    }
    static const std::vector<std::uint8_t> image = buildTableImage();
    void* ptr = nullptr;
    cudaError_t err = cudaMalloc(&ptr, kTableBytes);
    if (err != cudaSuccess)
        return err;
    err = cudaMemcpy(ptr, image.data(), kTableBytes, cudaMemcpyHostToDevice); // synchronous: ready for any stream
    if (err != cudaSuccess) {
        cudaFree(ptr);
        return err;
    }
    tables.emplace(device, static_cast<const std::uint8_t*>(ptr));
    view = tableView(static_cast<const std::uint8_t*>(ptr));
    return cudaSuccess;
}

// ---------------------------------------------------------------------------------------------------------------
// Scratch memory: stream-ordered allocations where the device supports them, freed on every path.

class Scratch {
public:
    Scratch(cudaStream_t stream, bool async)
        : m_stream(stream)
        , m_async(async)
    {
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    ~Scratch()
    {
        for (const Block& b : m_blocks)
            m_async ? cudaFreeAsync(b.ptr, m_stream) : cudaFree(b.ptr);
    }

    template <typename T> cudaError_t allocate(T*& ptr, std::size_t count)
    {
        const std::size_t bytes = std::max<std::size_t>(count, 1) * sizeof(T);
        void* raw = nullptr;
        const cudaError_t err = m_async ? cudaMallocAsync(&raw, bytes, m_stream) : cudaMalloc(&raw, bytes);
        if (err != cudaSuccess)
            return err;
        m_blocks.push_back({ raw, bytes });
        m_current += bytes;
        m_peak = std::max(m_peak, m_current);
        ptr = static_cast<T*>(raw);
        return cudaSuccess;
    }

    cudaError_t release(void* ptr)
    {
        const auto it = std::find_if(m_blocks.begin(), m_blocks.end(), [ptr](const Block& b) { return b.ptr == ptr; });
        if (it == m_blocks.end())
            return cudaErrorInvalidValue;
        const cudaError_t err = m_async ? cudaFreeAsync(it->ptr, m_stream) : cudaFree(it->ptr);
        m_current -= it->bytes;
        m_blocks.erase(it);
        return err;
    }

    std::size_t peak() const noexcept { return m_peak; }

private:
    struct Block {
        void* ptr;
        std::size_t bytes;
    };
    cudaStream_t m_stream;
    bool m_async;
    std::vector<Block> m_blocks;
    std::size_t m_current = 0, m_peak = 0;
};

// ---------------------------------------------------------------------------------------------------------------

class Extraction {
public:
    Extraction(const float* values, const Grid& g, cudaStream_t stream, bool async, int multiprocessors)
        : m_values(values)
        , m_g(g)
        , m_stream(stream)
        , m_scratch(stream, async)
        , m_sms(multiprocessors)
    {
    }

    const std::string& error() const noexcept { return m_error; }
    std::size_t peakScratch() const noexcept { return m_scratch.peak(); }
    std::size_t activeCells() const noexcept { return m_cellCount; }

    bool run(const TableView& table, Mesh& mesh)
    {
        const std::uint32_t points = m_g.points;

        // 1-2. Classify points and cells.
        std::uint8_t* flags = nullptr;
        std::uint8_t* cubes = nullptr;
        unsigned long long* counters = nullptr; // [0] active slots, [1] active cells (DeviceSelect: [2], [3])
        if (!check(m_scratch.allocate(flags, points), "allocating point flags")
            || !check(m_scratch.allocate(cubes, points), "allocating cube indices")
            || !check(m_scratch.allocate(counters, 4), "allocating counters")
            || !check(cudaMemsetAsync(counters, 0, 4 * sizeof(unsigned long long), m_stream), "clearing counters"))
            return false;
        classifyPointsKernel<<<blocks(points), kBlock, 0, m_stream>>>(m_values, m_g, flags, counters);
        if (!check(cudaGetLastError(), "launching classifyPoints"))
            return false;
        classifyCellsKernel<<<blocks(points), kBlock, 0, m_stream>>>(flags, m_g, cubes, counters + 1);
        if (!check(cudaGetLastError(), "launching classifyCells"))
            return false;
        unsigned long long counts[4] = { 0, 0, 0, 0 };
        if (!check(cudaMemcpyAsync(counts, counters, 2 * sizeof(unsigned long long), cudaMemcpyDeviceToHost, m_stream),
                "reading counts")
            || !check(cudaStreamSynchronize(m_stream), "classifying the grid"))
            return false;
        const std::uint32_t slotCount = std::uint32_t(counts[0]);
        m_cellCount = std::uint32_t(counts[1]);
        if (slotCount == 0 || m_cellCount == 0) {
            if (slotCount != 0 || m_cellCount != 0)
                return fail("internal error: crossed edges without active cells");
            mesh = Mesh {};
            return true;
        }

        // 3. Select active slots and cells; count and scan their vertices and triangles.
        std::uint32_t* slots = nullptr;
        std::uint32_t* cells = nullptr;
        if (!check(m_scratch.allocate(slots, slotCount), "allocating the slot list")
            || !check(m_scratch.allocate(cells, m_cellCount), "allocating the cell list"))
            return false;
        const thrust::counting_iterator<std::uint32_t> first(0);
        if (!select(
                first, slots, counters + 2, std::int64_t(2) * points, SlotIsActive { flags, m_g }, "selecting slots")
            || !select(first, cells, counters + 3, std::int64_t(points), CellIsActive { cubes }, "selecting cells"))
            return false;

        std::uint64_t* vertexCounts = nullptr;
        std::uint64_t* vertexStart = nullptr;
        std::uint64_t* triangleCounts = nullptr;
        std::uint64_t* triangleStart = nullptr;
        std::uint16_t* entries = nullptr;
        if (!check(m_scratch.allocate(vertexCounts, std::size_t(slotCount) + 1), "allocating vertex counts")
            || !check(m_scratch.allocate(vertexStart, std::size_t(slotCount) + 1), "allocating vertex offsets")
            || !check(m_scratch.allocate(triangleCounts, std::size_t(m_cellCount) + 1), "allocating triangle counts")
            || !check(m_scratch.allocate(triangleStart, std::size_t(m_cellCount) + 1), "allocating triangle offsets")
            || !check(m_scratch.allocate(entries, m_cellCount), "allocating cell entries"))
            return false;
        slotCountsKernel<<<blocks(slotCount + 1), kBlock, 0, m_stream>>>(flags, m_g, slots, slotCount, vertexCounts);
        if (!check(cudaGetLastError(), "launching slotCounts"))
            return false;
        cellCountsKernel<<<blocks(m_cellCount + 1), kBlock, 0, m_stream>>>(
            m_values, m_g, table, cubes, cells, m_cellCount, entries, triangleCounts);
        if (!check(cudaGetLastError(), "launching cellCounts")
            || !check(m_scratch.release(cubes), "freeing cube indices"))
            return false;
        if (!exclusiveSum(vertexCounts, vertexStart, std::int64_t(slotCount) + 1, "scanning vertex counts")
            || !exclusiveSum(triangleCounts, triangleStart, std::int64_t(m_cellCount) + 1, "scanning triangle counts"))
            return false;
        std::uint64_t totals[2] = { 0, 0 };
        if (!check(cudaMemcpyAsync(
                       counts + 2, counters + 2, 2 * sizeof(unsigned long long), cudaMemcpyDeviceToHost, m_stream),
                "reading selection counts")
            || !check(cudaMemcpyAsync(
                          &totals[0], vertexStart + slotCount, sizeof(std::uint64_t), cudaMemcpyDeviceToHost, m_stream),
                "reading the vertex count")
            || !check(cudaMemcpyAsync(&totals[1], triangleStart + m_cellCount, sizeof(std::uint64_t),
                          cudaMemcpyDeviceToHost, m_stream),
                "reading the triangle count")
            || !check(cudaStreamSynchronize(m_stream), "counting vertices and triangles"))
            return false;
        if (counts[2] != slotCount || counts[3] != m_cellCount)
            return fail("internal error: selection counts disagree with classification counts");
        const std::uint64_t vertexCount = totals[0], triangleCount = totals[1];
        if (vertexCount >= kNoIndex)
            return fail("too many vertices for 32-bit indices");
        if (vertexCount < slotCount || triangleCount == 0)
            return fail("internal error: inconsistent vertex or triangle counts");

        // 4. Emit.
        float* positions = nullptr;
        std::uint32_t* indices = nullptr;
        unsigned* failed = nullptr;
        if (!check(m_scratch.allocate(positions, 3 * vertexCount), "allocating vertices")
            || !check(m_scratch.allocate(indices, 3 * triangleCount), "allocating triangles")
            || !check(m_scratch.allocate(failed, 1), "allocating the error flag")
            || !check(cudaMemsetAsync(failed, 0, sizeof(unsigned), m_stream), "clearing the error flag"))
            return false;
        emitVerticesKernel<<<blocks(slotCount), kBlock, 0, m_stream>>>(
            m_values, flags, m_g, slots, slotCount, vertexStart, positions);
        if (!check(cudaGetLastError(), "launching emitVertices"))
            return false;
        emitTrianglesKernel<<<blocks(m_cellCount), kBlock, 0, m_stream>>>(flags, m_g, table, slots, slotCount,
            vertexStart, cells, m_cellCount, entries, triangleStart, indices, failed);
        if (!check(cudaGetLastError(), "launching emitTriangles"))
            return false;

        Mesh result;
        result.positions.resize(vertexCount);
        result.indices.resize(3 * triangleCount);
        unsigned failedHost = 0;
        if (!check(cudaMemcpyAsync(result.positions.data(), positions, 3 * vertexCount * sizeof(float),
                       cudaMemcpyDeviceToHost, m_stream),
                "copying vertices")
            || !check(cudaMemcpyAsync(result.indices.data(), indices, 3 * triangleCount * sizeof(std::uint32_t),
                          cudaMemcpyDeviceToHost, m_stream),
                "copying triangles")
            || !check(cudaMemcpyAsync(&failedHost, failed, sizeof(unsigned), cudaMemcpyDeviceToHost, m_stream),
                "copying the error flag")
            || !check(cudaStreamSynchronize(m_stream), "emitting the mesh"))
            return false;
        if (failedHost != 0)
            return fail("internal error: a triangle refers to an edge without a vertex");
        mesh = std::move(result);
        return true;
    }

private:
    bool check(cudaError_t err, const char* what)
    {
        if (err == cudaSuccess)
            return true;
        m_error = std::string(what) + ": " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
        return false;
    }
    bool fail(const char* what)
    {
        m_error = what;
        return false;
    }

    unsigned blocks(std::uint64_t n) const
    {
        const std::uint64_t needed = (n + kBlock - 1) / kBlock;
        const std::uint64_t cap = std::uint64_t(std::max(m_sms, 1)) * 16;
        return unsigned(std::max<std::uint64_t>(1, std::min(needed, cap)));
    }

    template <typename Pred>
    bool select(thrust::counting_iterator<std::uint32_t> first, std::uint32_t* out, unsigned long long* numSelected,
        std::int64_t n, Pred pred, const char* what)
    {
        std::size_t tempBytes = 0;
        if (!check(cub::DeviceSelect::If(nullptr, tempBytes, first, out, numSelected, n, pred, m_stream), what))
            return false;
        std::uint8_t* temp = nullptr;
        if (!check(m_scratch.allocate(temp, tempBytes), what)
            || !check(cub::DeviceSelect::If(temp, tempBytes, first, out, numSelected, n, pred, m_stream), what)
            || !check(m_scratch.release(temp), what))
            return false;
        return true;
    }

    bool exclusiveSum(const std::uint64_t* in, std::uint64_t* out, std::int64_t n, const char* what)
    {
        std::size_t tempBytes = 0;
        if (!check(cub::DeviceScan::ExclusiveSum(nullptr, tempBytes, in, out, n, m_stream), what))
            return false;
        std::uint8_t* temp = nullptr;
        if (!check(m_scratch.allocate(temp, tempBytes), what)
            || !check(cub::DeviceScan::ExclusiveSum(temp, tempBytes, in, out, n, m_stream), what)
            || !check(m_scratch.release(temp), what))
            return false;
        return true;
    }

    const float* m_values;
    Grid m_g;
    cudaStream_t m_stream;
    Scratch m_scratch;
    int m_sms;
    std::uint32_t m_cellCount = 0;
    std::string m_error;
};

bool finite3(const Vec3f& v)
{
    return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

std::string cudaMessage(const char* what, cudaError_t err)
{
    return std::string(what) + ": " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
}

// Everything but the argument checks; returns an empty string on success.
std::string extract(const float* values, const Grid& g, cudaStream_t stream, Mesh& out, CudaMcStats* stats)
{
    int device = 0;
    cudaError_t err = cudaGetDevice(&device);
    if (err != cudaSuccess)
        return cudaMessage("no current CUDA device", err);
    cudaPointerAttributes attributes {};
    err = cudaPointerGetAttributes(&attributes, values);
    if (err != cudaSuccess)
        return cudaMessage("inspecting the value pointer", err);
    if (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged)
        return "the values are not in device memory";
    if (attributes.device != device)
        return "the values live on device " + std::to_string(attributes.device) + ", the current device is "
            + std::to_string(device);
    int sms = 0, pools = 0;
    err = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
    if (err == cudaSuccess)
        err = cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, device);
    if (err != cudaSuccess)
        return cudaMessage("querying the device", err);
    TableView table;
    err = deviceTable(device, table);
    if (err != cudaSuccess)
        return cudaMessage("copying the marching-cubes table to the device", err);

    Extraction extraction(values, g, stream, pools != 0, sms);
    const bool ok = extraction.run(table, out);
    if (ok && stats) {
        stats->peakScratchBytes = extraction.peakScratch();
        stats->activeCells = extraction.activeCells();
    }
    return ok ? std::string() : extraction.error();
}

} // namespace

bool cudaDeviceAvailable() noexcept
{
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        cudaGetLastError(); // no driver or no device: not an error of the caller's
        return false;
    }
    return count > 0;
}

bool extractSurfaceCuda(const float* deviceValues, int nx, int ny, int nz, Vec3f origin, Vec3f spacing, float level,
    void* cudaStream, Mesh& out, std::string* error, CudaMcStats* stats) noexcept
{
    auto failWith = [error](std::string message) {
        if (error) {
            try {
                *error = "CUDA marching cubes: " + std::move(message);
            } catch (...) {
            }
        }
        return false;
    };
    try {
        if (nx < 2 || ny < 2 || nz < 2)
            return failWith("the volume needs at least 2 points along each axis");
        const std::uint64_t points = std::uint64_t(nx) * std::uint64_t(ny) * std::uint64_t(nz);
        if (points > kMaxPoints)
            return failWith("the volume has more than 2^31 - 1 points");
        if (!deviceValues)
            return failWith("no values");
        if (!finite3(origin) || !finite3(spacing))
            return failWith("the volume's origin and spacing must be finite");
        if (!(spacing.x > 0 && spacing.y > 0 && spacing.z > 0))
            return failWith("the volume's spacing must be positive");
        if (!std::isfinite(level))
            return failWith("the level must be finite");

        Grid g;
        g.nx = nx;
        g.ny = ny;
        g.nz = nz;
        g.plane = std::uint32_t(ny) * std::uint32_t(nz);
        g.points = std::uint32_t(points);
        g.level = level;
        g.ox = origin.x;
        g.oy = origin.y;
        g.oz = origin.z;
        g.sx = spacing.x;
        g.sy = spacing.y;
        g.sz = spacing.z;

        std::string message = extract(deviceValues, g, static_cast<cudaStream_t>(cudaStream), out, stats);
        if (message.empty())
            return true;
        // Leave no non-sticky error of ours (out of memory, say) for the caller's next error check to find.
        cudaGetLastError();
        return failWith(std::move(message));
    } catch (const std::bad_alloc&) {
        cudaGetLastError();
        return failWith("out of host memory");
    } catch (const std::exception& e) {
        cudaGetLastError();
        return failWith(e.what());
    } catch (...) {
        cudaGetLastError();
        return failWith("unexpected exception");
    }
}

} // namespace orfeas
