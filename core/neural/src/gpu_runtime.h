#pragma once
// What the neural backend does with a CUDA device besides LibTorch's operators: a stream of its own per run,
// GPU time from CUDA events, peak memory, giving cached memory back, device-resident volumes.
//
// The CUDA parts are compiled when ORFEAS_NEURAL_CUDA is set (ORFEAS_WITH_CUDA=ON and a CUDA build of LibTorch;
// core/neural/CMakeLists.txt probes each LibTorch API at configure time, compile-only, and sets ORFEAS_HAVE_* for
// the ones that compile). Without them every function here still works: runs share LibTorch's current stream, GPU
// times are unknown (-1), peak memory is the largest device memory in use seen by cudaMemGetInfo at the
// sub-stage boundaries, and volumes are downloaded to the host. No function throws.

#include "orfeas/types.h"

#include "neural_common.h"

#include <functional>
#include <memory>
#include <string>

namespace orfeas::neural::gpu {

struct Features {
    bool compiled = false; // the CUDA parts were built in (ORFEAS_NEURAL_CUDA)
    bool streams = false; // a stream per run
    bool allocatorStats = false; // peak memory from LibTorch's caching allocator
    bool emptyCache = false; // cached blocks can be given back
    bool marchingCubes = false; // orfeas_cuda's extractSurfaceCuda is linked
    bool graphs = false; // CUDA graphs through LibTorch's CUDAGraph (ORFEAS_HAVE_CUDA_GRAPHS)
};
Features features() noexcept;
// e.g. "streams, allocator statistics, empty cache, CUDA marching cubes" or "none (built without ...)".
std::string describeFeatures();

// Makes stream number `slot` of the device (taken from LibTorch's pool the first time that number is asked for,
// then the same stream every time) the current stream of `device` on this thread for the object's lifetime, so that
// concurrent runs queue their work independently while consecutive runs in one slot reuse the memory that the
// caching allocator keeps for that stream. Inactive on the CPU or without stream support.
class RunStream {
public:
    RunStream(const at::Device& device, int slot) noexcept;
    ~RunStream();
    RunStream(const RunStream&) = delete;
    RunStream& operator=(const RunStream&) = delete;
    bool active() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// GPU time between construction and stop() on the device's current stream (CUDA events). seconds() waits for
// the end event; -1 when not measured (CPU, no CUDA parts, or a CUDA call failed).
class EventTimer {
public:
    explicit EventTimer(const at::Device& device) noexcept;
    ~EventTimer();
    EventTimer(const EventTimer&) = delete;
    EventTimer& operator=(const EventTimer&) = delete;
    void stop() noexcept;
    double seconds() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Peak device memory of one run. With allocator statistics: the caching allocator's peak of allocated bytes since
// construction (device-wide: concurrent runs on the device are included). Without: the largest
// (total - free) that sample() saw, which includes other processes and the allocator's cache.
class PeakMemory {
public:
    explicit PeakMemory(const at::Device& device) noexcept;
    void sample() noexcept;
    // MB, or -1 on the CPU / when unknown.
    double peakMB() noexcept;
    // Reserved (allocated + cached) peak in MB, -1 when unknown.
    double peakReservedMB() noexcept;
    bool fromAllocator() const noexcept { return m_allocator; }

private:
    at::Device m_device;
    bool m_cuda = false;
    bool m_allocator = false;
    double m_sampledMB = -1;
};

// Gives the caching allocator's unused blocks back to the driver (no-op on the CPU or without support). Waits while
// a CapturedGraph is being captured (giving memory back during a capture would break it).
void releaseCachedMemory(const at::Device& device) noexcept;

// A CUDA graph of the work that a function enqueues on the device's current stream (LibTorch's CUDAGraph, with a
// private memory pool that the graph keeps while it exists). Captured in thread-local mode, so that runs on other
// threads go on meanwhile; captures take turns with each other and with releaseCachedMemory (a process-wide mutex).
// Replaying launches the whole recorded work at once on the current stream: the same kernels on the same addresses,
// so the tensors that the function read and wrote must stay alive and be updated in place between replays.
// available() is false on the CPU and in builds without CUDA graph support.
class CapturedGraph {
public:
    CapturedGraph() noexcept;
    ~CapturedGraph();
    CapturedGraph(const CapturedGraph&) = delete;
    CapturedGraph& operator=(const CapturedGraph&) = delete;

    static bool available(const at::Device& device) noexcept;
    // Records what `enqueue` launches; nothing runs. Throws (a c10::Error or DeviceError) when the capture fails;
    // the graph then stays empty and the stream usable.
    void capture(const at::Device& device, const std::function<void()>& enqueue);
    bool captured() const noexcept;
    // Launches the graph on the current stream. With maxInFlight > 0, first waits (the thread sleeps) until no more
    // than maxInFlight - 1 earlier launches of this graph are unfinished: a whole diffusion loop queued at once would
    // hold back the work of the other runs on the GPU, which shares the device's hardware queues with it.
    void replay(int maxInFlight = 0);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Runs `side` on a second stream of the device and `main` on the current one, concurrently: `side` is launched
// first (a stream of LibTorch's pool, one per thread and device, kept), after everything queued on the
// current stream so far, and the current stream waits for it after `main`. Two kernels that each leave the last
// wave of the GPU partly empty then fill each other's gaps (the denoiser's two attention passes: 340 -> 300 us on an
// H100, docs/benchmarks.md). Works under CapturedGraph's capture (the side stream joins the capture). Tensors that
// `side` allocates belong to the side stream's cache: keep them alive, or use them on the current stream, only
// until the next forkJoin on this thread, whose side work is queued after all current-stream work before it.
// When side or main throws, the join is still queued and the exception passes on (main does not run after a failed
// side). Sequential (side, then main) on the CPU, without the CUDA parts, or with ORFEAS_SIDE_STREAM=0.
void forkJoin(const at::Device& device, const std::function<void()>& side, const std::function<void()>& main);

// Waits for the device's current stream (no-op on the CPU).
void synchronize(const at::Device& device);

// A float32 volume [nx, ny, nz] that stays on its CUDA device: extractSurface runs orfeas_cuda's marching cubes
// when it is linked, download() copies to the host. `values` must be a contiguous float32 CUDA tensor whose work
// has completed (the backend synchronises before returning).
std::shared_ptr<const DeviceVolume> makeDeviceVolume(at::Tensor values, Vec3f origin, Vec3f spacing);

} // namespace orfeas::neural::gpu
