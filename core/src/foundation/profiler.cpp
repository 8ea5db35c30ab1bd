#include "orfeas/profiler.h"

namespace orfeas {

void Profiler::add(const std::string& path, double seconds, double gpuSeconds)
{
    std::lock_guard lock(m_mutex);
    for (auto& r : m_records) {
        if (r.path == path) {
            r.seconds += seconds;
            if (gpuSeconds >= 0)
                r.gpuSeconds = (r.gpuSeconds < 0 ? 0 : r.gpuSeconds) + gpuSeconds;
            ++r.count;
            return;
        }
    }
    m_records.push_back(TimingRecord{path, seconds, gpuSeconds, 1});
}

std::vector<TimingRecord> Profiler::records() const
{
    std::lock_guard lock(m_mutex);
    return m_records;
}

double Profiler::seconds(const std::string& path) const
{
    std::lock_guard lock(m_mutex);
    for (const auto& r : m_records) {
        if (r.path == path)
            return r.seconds;
    }
    return 0;
}

void Profiler::clear()
{
    std::lock_guard lock(m_mutex);
    m_records.clear();
}

ScopedTimer::ScopedTimer(Profiler& profiler, std::string path)
    : m_profiler(profiler)
    , m_path(std::move(path))
    , m_start(std::chrono::steady_clock::now())
{
}

ScopedTimer::~ScopedTimer()
{
    m_profiler.add(m_path, elapsed());
}

double ScopedTimer::elapsed() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

} // namespace orfeas
