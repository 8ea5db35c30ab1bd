#pragma once
// Wall-time profiling of one run: stages and nested sub-stages ("shape_generation/diffusion_sampling").

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace orfeas {

struct TimingRecord {
    std::string path;       // "shape_generation" or "shape_generation/diffusion_sampling"
    double seconds = 0;     // wall time
    double gpuSeconds = -1; // GPU time from device events, or -1 if not measured
    int count = 0;          // how many intervals were added to this record
};

// Collects timings for one run. Thread-safe (a stage may time work on helper threads).
class Profiler {
public:
    // Adds an interval to the record at `path`, creating it at the end of the list if new.
    void add(const std::string& path, double seconds, double gpuSeconds = -1);
    // The records in order of first appearance.
    std::vector<TimingRecord> records() const;
    // Seconds recorded for `path`, 0 if none.
    double seconds(const std::string& path) const;
    void clear();

private:
    mutable std::mutex m_mutex;
    std::vector<TimingRecord> m_records;
};

// Times a scope and adds it to a profiler when destroyed (also during unwinding: the time until the error counts).
class ScopedTimer {
public:
    ScopedTimer(Profiler& profiler, std::string path);
    ~ScopedTimer();
    ScopedTimer(const ScopedTimer&) = delete;
    ScopedTimer& operator=(const ScopedTimer&) = delete;
    // Seconds since construction.
    double elapsed() const;

private:
    Profiler& m_profiler;
    std::string m_path;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace orfeas
