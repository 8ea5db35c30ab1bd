#include "gpu_runtime.h"

#include "orfeas/errors.h"

#include <c10/core/DeviceGuard.h>
#include <cstdlib>
#include <exception>

#if ORFEAS_NEURAL_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#if ORFEAS_HAVE_CUDA_ALLOCATOR_STATS || ORFEAS_HAVE_CUDA_EMPTY_CACHE
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>
#if ORFEAS_HAVE_CUDA_GRAPHS
#include <ATen/cuda/CUDAGraph.h>
#endif
#endif

#if ORFEAS_NEURAL_MC_CUDA
#include "mc_cuda.h"
#endif

namespace orfeas::neural::gpu {

namespace {

int indexOf(const at::Device& d)
{
    return d.has_index() ? int(d.index()) : 0;
}

#if ORFEAS_NEURAL_CUDA
// Held while a graph is captured and while cached memory is given back.
std::mutex& captureMutex()
{
    static std::mutex mutex;
    return mutex;
}

cudaStream_t currentStream(const at::Device& d)
{
    return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(indexOf(d))).stream();
}
#endif

} // namespace

Features features() noexcept
{
    Features f;
#if ORFEAS_NEURAL_CUDA
    f.compiled = true;
    f.streams = true;
#if ORFEAS_HAVE_CUDA_ALLOCATOR_STATS
    f.allocatorStats = true;
#endif
#if ORFEAS_HAVE_CUDA_EMPTY_CACHE
    f.emptyCache = true;
#endif
#endif
#if ORFEAS_NEURAL_MC_CUDA
    f.marchingCubes = true;
#endif
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_GRAPHS
    f.graphs = true;
#endif
    return f;
}

std::string describeFeatures()
{
    const Features f = features();
    std::string s;
    const auto add = [&](bool on, const char* name) {
        if (on)
            s += (s.empty() ? "" : ", ") + std::string(name);
    };
    add(f.streams, "a stream per run");
    add(f.compiled, "CUDA event timing");
    add(f.allocatorStats, "allocator statistics");
    add(f.emptyCache, "cache release");
    add(f.marchingCubes, "CUDA marching cubes");
    add(f.graphs, "CUDA graphs");
    return s.empty() ? "none (built without ORFEAS_WITH_CUDA or without a CUDA LibTorch)" : s;
}

// ---------------------------------------------------------------------------------------------------------------

struct RunStream::Impl {
#if ORFEAS_NEURAL_CUDA
    std::optional<c10::cuda::CUDAStreamGuard> guard;
#endif
};

RunStream::RunStream(const at::Device& device, int slot) noexcept
    : m_impl(std::make_unique<Impl>())
{
#if ORFEAS_NEURAL_CUDA
    if (!device.is_cuda())
        return;
    try {
        const auto index = static_cast<c10::DeviceIndex>(indexOf(device));
        // getStreamFromPool hands out the pool's streams in turn: a run of its own each time would leave every
        // earlier run's cached blocks unusable (they belong to other streams), and the reserved memory grew by
        // about 3 GB per image on the H100 (docs/benchmarks.md). Slot numbers map to fixed streams instead.
        static std::mutex mutex;
        static std::map<std::pair<int, int>, c10::cuda::CUDAStream> streams;
        const std::lock_guard<std::mutex> lock(mutex);
        const auto key = std::make_pair(int(index), slot);
        auto it = streams.find(key);
        if (it == streams.end())
            it = streams.emplace(key, c10::cuda::getStreamFromPool(/*isHighPriority=*/false, index)).first;
        m_impl->guard.emplace(it->second);
    } catch (...) {
        m_impl->guard.reset(); // the run uses the current stream instead
    }
#else
    (void)device;
    (void)slot;
#endif
}

void forkJoin(const at::Device& device, const std::function<void()>& side, const std::function<void()>& main)
{
#if ORFEAS_NEURAL_CUDA
    static const bool enabled = [] {
        const char* v = std::getenv("ORFEAS_SIDE_STREAM");
        return !(v && std::string(v) == "0");
    }();
    if (enabled && device.is_cuda()) {
        struct Side {
            int device = -1;
            std::optional<c10::cuda::CUDAStream> stream;
            cudaEvent_t forked = nullptr, joined = nullptr;
        };
        thread_local std::vector<Side> sides;
        const auto index = static_cast<c10::DeviceIndex>(indexOf(device));
        const c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(index);
        Side* s = nullptr;
        for (Side& candidate : sides)
            if (candidate.device == index)
                s = &candidate;
        if (!s) {
            // Created outside any capture (the first call on a thread runs eagerly: the first diffusion step).
            const c10::cuda::CUDAGuard guard(index);
            Side fresh;
            fresh.device = index;
            // Normal priority: a high one would put this run's side work ahead of the other runs' work on the
            // device, which is not what it is for. (A batch's volume decoding took 0.72 s per image with the
            // high-priority stream on an H100, and 0.66 s with this one on an H200: priority was probably not
            // the whole cause, docs/benchmarks.md.) The pool hands its streams out in turn: skip the current one.
            for (int attempt = 0; attempt < 4 && (!fresh.stream || fresh.stream->stream() == current.stream()); ++attempt)
                fresh.stream = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, index);
            if (fresh.stream->stream() == current.stream()
                || cudaEventCreateWithFlags(&fresh.forked, cudaEventDisableTiming) != cudaSuccess
                || cudaEventCreateWithFlags(&fresh.joined, cudaEventDisableTiming) != cudaSuccess) {
                cudaGetLastError();
                fresh.stream.reset();
            }
            sides.push_back(fresh);
            s = &sides.back();
        }
        if (s->stream && s->stream->stream() != current.stream()) {
            if (cudaEventRecord(s->forked, current.stream()) != cudaSuccess
                || cudaStreamWaitEvent(s->stream->stream(), s->forked, 0) != cudaSuccess)
                throw DeviceError("could not start work on a second CUDA stream: "
                    + std::string(cudaGetErrorString(cudaGetLastError())));
            // The join is queued whatever happens, so that work after a failure (a retry with smaller chunks after
            // running out of memory) is still ordered after the side stream's.
            std::exception_ptr failure;
            try {
                const c10::cuda::CUDAStreamGuard guard(*s->stream);
                side();
            } catch (...) {
                failure = std::current_exception();
            }
            if (!failure) {
                try {
                    main();
                } catch (...) {
                    failure = std::current_exception();
                }
            }
            const bool joined = cudaEventRecord(s->joined, s->stream->stream()) == cudaSuccess
                && cudaStreamWaitEvent(current.stream(), s->joined, 0) == cudaSuccess;
            if (failure)
                std::rethrow_exception(failure);
            if (!joined)
                throw DeviceError("could not join the work of a second CUDA stream: "
                    + std::string(cudaGetErrorString(cudaGetLastError())));
            return;
        }
    }
#else
    (void)device;
#endif
    side();
    main();
}

RunStream::~RunStream() = default;

bool RunStream::active() const noexcept
{
#if ORFEAS_NEURAL_CUDA
    return m_impl->guard.has_value();
#else
    return false;
#endif
}

// ---------------------------------------------------------------------------------------------------------------

struct EventTimer::Impl {
#if ORFEAS_NEURAL_CUDA
    at::Device device = at::kCPU;
    cudaEvent_t start = nullptr;
    cudaEvent_t end = nullptr;
    bool ok = false;
    bool stopped = false;
#endif
};

EventTimer::EventTimer(const at::Device& device) noexcept
    : m_impl(std::make_unique<Impl>())
{
#if ORFEAS_NEURAL_CUDA
    if (!device.is_cuda())
        return;
    try {
        const c10::DeviceGuard guard(device);
        m_impl->device = device;
        if (cudaEventCreate(&m_impl->start) != cudaSuccess || cudaEventCreate(&m_impl->end) != cudaSuccess
            || cudaEventRecord(m_impl->start, currentStream(device)) != cudaSuccess) {
            cudaGetLastError(); // not sticky: clear it so that LibTorch does not report it later
            return;
        }
        m_impl->ok = true;
    } catch (...) {
        m_impl->ok = false;
    }
#else
    (void)device;
#endif
}

EventTimer::~EventTimer()
{
#if ORFEAS_NEURAL_CUDA
    if (m_impl->start)
        cudaEventDestroy(m_impl->start);
    if (m_impl->end)
        cudaEventDestroy(m_impl->end);
#endif
}

void EventTimer::stop() noexcept
{
#if ORFEAS_NEURAL_CUDA
    if (!m_impl->ok || m_impl->stopped)
        return;
    try {
        const c10::DeviceGuard guard(m_impl->device);
        if (cudaEventRecord(m_impl->end, currentStream(m_impl->device)) != cudaSuccess) {
            cudaGetLastError();
            m_impl->ok = false;
            return;
        }
        m_impl->stopped = true;
    } catch (...) {
        m_impl->ok = false;
    }
#endif
}

double EventTimer::seconds() noexcept
{
#if ORFEAS_NEURAL_CUDA
    stop();
    if (!m_impl->ok || !m_impl->stopped)
        return -1;
    float ms = 0;
    if (cudaEventSynchronize(m_impl->end) != cudaSuccess
        || cudaEventElapsedTime(&ms, m_impl->start, m_impl->end) != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    return double(ms) / 1000.0;
#else
    return -1;
#endif
}

// ---------------------------------------------------------------------------------------------------------------

PeakMemory::PeakMemory(const at::Device& device) noexcept
    : m_device(device)
    , m_cuda(device.is_cuda())
{
    if (!m_cuda)
        return;
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_ALLOCATOR_STATS
    try {
        c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(indexOf(device)));
        m_allocator = true;
    } catch (...) {
        m_allocator = false;
    }
#endif
    sample();
}

void PeakMemory::sample() noexcept
{
    if (!m_cuda || m_allocator)
        return;
    std::size_t freeBytes = 0, totalBytes = 0;
    try {
        if (cudaMemoryInfo(indexOf(m_device), freeBytes, totalBytes) && totalBytes >= freeBytes) {
            const double used = double(totalBytes - freeBytes) / (1024.0 * 1024.0);
            m_sampledMB = std::max(m_sampledMB, used);
        }
    } catch (...) {
    }
}

double PeakMemory::peakMB() noexcept
{
    if (!m_cuda)
        return -1;
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_ALLOCATOR_STATS
    if (m_allocator) {
        try {
            const auto stats
                = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(indexOf(m_device)));
            return double(stats.allocated_bytes[0].peak) / (1024.0 * 1024.0); // [0]: the aggregate pool
        } catch (...) {
            return -1;
        }
    }
#endif
    sample();
    return m_sampledMB;
}

double PeakMemory::peakReservedMB() noexcept
{
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_ALLOCATOR_STATS
    if (m_cuda && m_allocator) {
        try {
            const auto stats
                = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(indexOf(m_device)));
            return double(stats.reserved_bytes[0].peak) / (1024.0 * 1024.0);
        } catch (...) {
            return -1;
        }
    }
#endif
    return -1;
}

void releaseCachedMemory(const at::Device& device) noexcept
{
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_EMPTY_CACHE
    if (!device.is_cuda())
        return;
    try {
        const std::lock_guard<std::mutex> lock(captureMutex());
        const c10::DeviceGuard guard(device);
        c10::cuda::CUDACachingAllocator::emptyCache();
    } catch (...) {
    }
#else
    (void)device;
#endif
}

void synchronize(const at::Device& device)
{
#if ORFEAS_NEURAL_CUDA
    if (!device.is_cuda())
        return;
    const c10::DeviceGuard guard(device);
    if (cudaStreamSynchronize(currentStream(device)) != cudaSuccess) {
        const cudaError_t err = cudaGetLastError();
        throw DeviceError(std::string("CUDA stream synchronisation failed: ") + cudaGetErrorString(err));
    }
#else
    (void)device;
#endif
}

// ---------------------------------------------------------------------------------------------------------------

namespace {

class TorchDeviceVolume final : public DeviceVolume {
public:
    TorchDeviceVolume(at::Tensor values, Vec3f origin, Vec3f spacing)
        : m_values(std::move(values))
        , m_origin(origin)
        , m_spacing(spacing)
    {
    }

    std::vector<float> download() const override
    {
        try {
            const at::Tensor host = m_values.to(at::kCPU, at::kFloat).contiguous();
            const float* p = host.data_ptr<float>();
            return std::vector<float>(p, p + host.numel());
        } catch (...) {
            rethrowAsEngineError("downloading the volume");
        }
    }

    bool extractSurface(float level, Mesh& out) const override
    {
#if ORFEAS_NEURAL_MC_CUDA
        try {
            const c10::DeviceGuard guard(m_values.device());
            // The volume was completed before the backend returned: this thread's current stream may read it.
#if ORFEAS_NEURAL_CUDA
            void* stream = currentStream(m_values.device());
#else
            void* stream = nullptr; // the legacy default stream
#endif
            return extractSurfaceCuda(m_values.data_ptr<float>(), int(m_values.size(0)), int(m_values.size(1)),
                int(m_values.size(2)), m_origin, m_spacing, level, stream, out, nullptr, nullptr);
        } catch (...) {
            return false; // the caller downloads and extracts on the CPU
        }
#else
        (void)level;
        (void)out;
        return false;
#endif
    }

private:
    at::Tensor m_values;
    Vec3f m_origin;
    Vec3f m_spacing;
};

} // namespace

std::shared_ptr<const DeviceVolume> makeDeviceVolume(at::Tensor values, Vec3f origin, Vec3f spacing)
{
    if (values.dim() != 3 || values.scalar_type() != at::kFloat || !values.is_contiguous())
        throw InternalError("a device volume needs a contiguous float32 [nx, ny, nz] tensor", Stage::ShapeGeneration);
    return std::make_shared<TorchDeviceVolume>(std::move(values), origin, spacing);
}



// ---------------------------------------------------------------------------------------------------------------

struct CapturedGraph::Impl {
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_GRAPHS
    std::unique_ptr<at::cuda::CUDAGraph> graph;
    std::deque<cudaEvent_t> inFlight; // recorded after each launch, oldest first
    std::vector<cudaEvent_t> spare;
#endif
    bool captured = false;
};

CapturedGraph::CapturedGraph() noexcept
    : m_impl(std::make_unique<Impl>())
{
}

CapturedGraph::~CapturedGraph()
{
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_GRAPHS
    for (cudaEvent_t e : m_impl->inFlight)
        cudaEventDestroy(e);
    for (cudaEvent_t e : m_impl->spare)
        cudaEventDestroy(e);
#endif
}

bool CapturedGraph::available(const at::Device& device) noexcept
{
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_GRAPHS
    return device.is_cuda();
#else
    (void)device;
    return false;
#endif
}

bool CapturedGraph::captured() const noexcept
{
    return m_impl->captured;
}

void CapturedGraph::capture(const at::Device& device, const std::function<void()>& enqueue)
{
    if (!available(device))
        throw DeviceError("CUDA graphs are not available for " + device.str());
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_GRAPHS
    const std::lock_guard<std::mutex> lock(captureMutex());
    const c10::DeviceGuard guard(device);
    m_impl->captured = false;
    m_impl->graph.reset();
    auto graph = std::make_unique<at::cuda::CUDAGraph>();
    // Thread-local mode: only this thread is kept from calls that are unsafe during a capture; other threads' runs
    // on their own streams continue.
    graph->capture_begin({ 0, 0 }, cudaStreamCaptureModeThreadLocal);
    try {
        enqueue();
    } catch (...) {
        // End the capture so that the stream and the allocator leave capture mode; the graph is discarded.
        try {
            graph->capture_end();
        } catch (...) {
        }
        cudaGetLastError();
        throw;
    }
    graph->capture_end();
    m_impl->graph = std::move(graph);
    m_impl->captured = true;
#else
    (void)enqueue;
#endif
}

void CapturedGraph::replay(int maxInFlight)
{
#if ORFEAS_NEURAL_CUDA && ORFEAS_HAVE_CUDA_GRAPHS
    if (!m_impl->captured)
        throw DeviceError("replay of a CUDA graph that was not captured");
    Impl& d = *m_impl;
    while (maxInFlight > 0 && int(d.inFlight.size()) >= maxInFlight) {
        cudaEvent_t oldest = d.inFlight.front();
        d.inFlight.pop_front();
        const cudaError_t err = cudaEventSynchronize(oldest);
        d.spare.push_back(oldest);
        if (err != cudaSuccess) {
            cudaGetLastError();
            throw DeviceError(std::string("waiting for a diffusion step failed: ") + cudaGetErrorString(err));
        }
    }
    d.graph->replay();
    if (maxInFlight > 0) {
        cudaEvent_t e = nullptr;
        if (!d.spare.empty()) {
            e = d.spare.back();
            d.spare.pop_back();
        } else if (cudaEventCreateWithFlags(&e, cudaEventDisableTiming | cudaEventBlockingSync) != cudaSuccess) {
            cudaGetLastError();
            return; // no event: this launch is not waited for
        }
        if (cudaEventRecord(e, c10::cuda::getCurrentCUDAStream().stream()) != cudaSuccess) {
            cudaGetLastError();
            d.spare.push_back(e);
            return;
        }
        d.inFlight.push_back(e);
    }
#else
    (void)maxInFlight;
    throw DeviceError("CUDA graphs are not available in this build");
#endif
}

} // namespace orfeas::neural::gpu
