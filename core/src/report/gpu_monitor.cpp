// NVML through dlopen: the program starts and reports "no NVIDIA GPU" on machines without the driver, and links
// against nothing from NVIDIA. Only the handful of NVML entry points we need are declared here.

#include "orfeas/gpu_monitor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

#include <dlfcn.h>

namespace orfeas {

namespace {

using NvmlReturn = int; // NVML_SUCCESS == 0
using NvmlDevice = struct NvmlDeviceOpaque*;
struct NvmlUtilization {
    unsigned int gpu;
    unsigned int memory;
};
struct NvmlMemory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};

// The NVML library, loaded and initialised once per process; never unloaded (NVML dislikes re-initialisation
// from several threads, and the handle costs nothing).
class Nvml {
public:
    static Nvml& instance()
    {
        static Nvml nvml;
        return nvml;
    }

    bool ok() const { return m_ok; }
    const std::string& reason() const { return m_reason; }
    const std::vector<GpuDeviceInfo>& devices() const { return m_devices; }
    const std::string& driverVersion() const { return m_driver; }

    GpuSample sample(std::size_t i) const
    {
        std::lock_guard lock(m_mutex);
        GpuSample s;
        s.device = m_devices[i].index;
        NvmlDevice d = m_handles[i];
        NvmlUtilization u{};
        if (m_getUtilization(d, &u) == 0) {
            s.utilizationPercent = u.gpu;
            s.memoryUtilizationPercent = u.memory;
        }
        NvmlMemory m{};
        if (m_getMemory(d, &m) == 0) {
            s.memoryUsedMB = double(m.used) / (1024.0 * 1024.0);
            s.memoryTotalMB = double(m.total) / (1024.0 * 1024.0);
        }
        unsigned int temp = 0;
        if (m_getTemperature && m_getTemperature(d, 0 /* NVML_TEMPERATURE_GPU */, &temp) == 0)
            s.temperatureC = temp;
        unsigned int milliwatts = 0;
        if (m_getPower && m_getPower(d, &milliwatts) == 0)
            s.powerW = milliwatts / 1000.0;
        return s;
    }

private:
    Nvml() { load(); }

    template <typename F>
    bool sym(F& fn, const char* name)
    {
        fn = reinterpret_cast<F>(::dlsym(m_lib, name));
        return fn != nullptr;
    }

    // CUDA_VISIBLE_DEVICES restricts what this process uses; report only those devices (indices or UUIDs).
    static bool visible(unsigned index, const std::string& uuid)
    {
        const char* env = std::getenv("CUDA_VISIBLE_DEVICES");
        if (!env)
            return true;
        std::stringstream ss(env);
        std::string item;
        while (std::getline(ss, item, ',')) {
            if (item.empty())
                continue;
            if (std::all_of(item.begin(), item.end(), [](unsigned char c) { return std::isdigit(c); })) {
                if (unsigned(std::stoul(item)) == index)
                    return true;
            } else if (!uuid.empty() && uuid.rfind(item, 0) == 0) {
                return true;
            }
        }
        return false;
    }

    void load()
    {
        for (const char* name : {"libnvidia-ml.so.1", "libnvidia-ml.so"}) {
            m_lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
            if (m_lib)
                break;
        }
        if (!m_lib) {
            m_reason = "no NVIDIA GPU detected (libnvidia-ml.so.1, the NVIDIA driver's management library, is not "
                       "installed on this machine)";
            return;
        }
        NvmlReturn (*init)() = nullptr;
        NvmlReturn (*count)(unsigned*) = nullptr;
        NvmlReturn (*handle)(unsigned, NvmlDevice*) = nullptr;
        NvmlReturn (*name)(NvmlDevice, char*, unsigned) = nullptr;
        NvmlReturn (*uuid)(NvmlDevice, char*, unsigned) = nullptr;
        NvmlReturn (*driver)(char*, unsigned) = nullptr;
        if (!sym(init, "nvmlInit_v2") || !sym(count, "nvmlDeviceGetCount_v2") ||
            !sym(handle, "nvmlDeviceGetHandleByIndex_v2") || !sym(name, "nvmlDeviceGetName") ||
            !sym(m_getUtilization, "nvmlDeviceGetUtilizationRates") || !sym(m_getMemory, "nvmlDeviceGetMemoryInfo")) {
            m_reason = "the NVIDIA management library is too old or incomplete";
            return;
        }
        sym(uuid, "nvmlDeviceGetUUID");
        sym(driver, "nvmlSystemGetDriverVersion");
        sym(m_getTemperature, "nvmlDeviceGetTemperature");
        sym(m_getPower, "nvmlDeviceGetPowerUsage");
        if (const NvmlReturn r = init(); r != 0) {
            m_reason = "the NVIDIA driver did not initialise (NVML error " + std::to_string(r) + ")";
            return;
        }
        char buf[96] = {0};
        if (driver && driver(buf, sizeof buf) == 0)
            m_driver = buf;
        unsigned n = 0;
        if (count(&n) != 0 || n == 0) {
            m_reason = "the NVIDIA driver reports no GPU";
            return;
        }
        for (unsigned i = 0; i < n; ++i) {
            NvmlDevice d = nullptr;
            if (handle(i, &d) != 0)
                continue;
            char id[96] = {0};
            if (uuid)
                uuid(d, id, sizeof id);
            if (!visible(i, id))
                continue;
            char nm[96] = {0};
            name(d, nm, sizeof nm);
            NvmlMemory m{};
            m_getMemory(d, &m);
            m_devices.push_back({int(i), nm, double(m.total) / (1024.0 * 1024.0)});
            m_handles.push_back(d);
        }
        if (m_devices.empty()) {
            m_reason = "no NVIDIA GPU is visible to this process (CUDA_VISIBLE_DEVICES)";
            return;
        }
        m_ok = true;
    }

    void* m_lib = nullptr;
    bool m_ok = false;
    std::string m_reason;
    std::string m_driver;
    std::vector<GpuDeviceInfo> m_devices;
    std::vector<NvmlDevice> m_handles;
    NvmlReturn (*m_getUtilization)(NvmlDevice, NvmlUtilization*) = nullptr;
    NvmlReturn (*m_getMemory)(NvmlDevice, NvmlMemory*) = nullptr;
    NvmlReturn (*m_getTemperature)(NvmlDevice, int, unsigned*) = nullptr;
    NvmlReturn (*m_getPower)(NvmlDevice, unsigned*) = nullptr;
    mutable std::mutex m_mutex;
};

} // namespace

struct GpuMonitor::Impl {
    mutable std::mutex mutex;
    std::condition_variable wake;
    std::thread thread;
    bool running = false;
    double interval = 0.2;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::vector<GpuSample> samples;
};

GpuMonitor::GpuMonitor()
    : m_impl(std::make_unique<Impl>())
{
}

GpuMonitor::~GpuMonitor()
{
    stop();
}

bool GpuMonitor::available() const
{
    return Nvml::instance().ok();
}

std::string GpuMonitor::unavailableReason() const
{
    return Nvml::instance().reason();
}

std::vector<GpuDeviceInfo> GpuMonitor::devices() const
{
    return Nvml::instance().devices();
}

std::vector<GpuSample> GpuMonitor::sampleNow() const
{
    std::vector<GpuSample> out;
    auto& nvml = Nvml::instance();
    if (!nvml.ok())
        return out;
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_impl->start).count();
    for (std::size_t i = 0; i < nvml.devices().size(); ++i) {
        GpuSample s = nvml.sample(i);
        s.t = t;
        out.push_back(s);
    }
    return out;
}

void GpuMonitor::start(double intervalSeconds)
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->running || !Nvml::instance().ok())
        return;
    m_impl->running = true;
    m_impl->interval = std::max(0.01, intervalSeconds);
    m_impl->start = std::chrono::steady_clock::now();
    m_impl->samples.clear();
    m_impl->thread = std::thread([this] {
        std::unique_lock lk(m_impl->mutex);
        while (m_impl->running) {
            lk.unlock();
            auto batch = sampleNow();
            lk.lock();
            m_impl->samples.insert(m_impl->samples.end(), batch.begin(), batch.end());
            m_impl->wake.wait_for(lk, std::chrono::duration<double>(m_impl->interval),
                                  [this] { return !m_impl->running; });
        }
    });
}

void GpuMonitor::stop()
{
    {
        std::lock_guard lock(m_impl->mutex);
        if (!m_impl->running)
            return;
        m_impl->running = false;
    }
    m_impl->wake.notify_all();
    if (m_impl->thread.joinable())
        m_impl->thread.join();
}

GpuTelemetry GpuMonitor::telemetry() const
{
    auto& nvml = Nvml::instance();
    GpuTelemetry t;
    t.available = nvml.ok();
    t.unavailableReason = nvml.reason();
    t.driverVersion = nvml.driverVersion();
    t.devices = nvml.devices();
    std::lock_guard lock(m_impl->mutex);
    t.samples = m_impl->samples;
    t.sampleIntervalSeconds = m_impl->interval;
    return t;
}

} // namespace orfeas
