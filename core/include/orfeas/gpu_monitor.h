#pragma once
// GPU telemetry through NVML, opened at run time with dlopen (libnvidia-ml.so.1): works, and says so, on machines
// without NVIDIA drivers.

#include "orfeas/report.h"

#include <memory>

namespace orfeas {

class GpuMonitor {
public:
    GpuMonitor();
    ~GpuMonitor(); // stops sampling
    GpuMonitor(const GpuMonitor&) = delete;
    GpuMonitor& operator=(const GpuMonitor&) = delete;

    // Whether NVML was found and reports at least one device; the reason otherwise.
    bool available() const;
    std::string unavailableReason() const;
    std::vector<GpuDeviceInfo> devices() const;
    // One immediate sample per device (empty if unavailable). Thread-safe; may take a few milliseconds.
    std::vector<GpuSample> sampleNow() const;

    // Starts a background thread that samples every `intervalSeconds`; stop() joins it. Thread-safe.
    void start(double intervalSeconds = 0.2);
    void stop();
    // Everything sampled so far (and device info). Thread-safe.
    GpuTelemetry telemetry() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace orfeas
