#include "torch_trace.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <atomic>
#include <cstdlib>
#include <set>
#include <string>
#include <unistd.h>

namespace orfeas::neural {

namespace {
std::atomic<bool> g_tracing { false };
std::atomic<int> g_traceCount { 0 };
} // namespace

struct TraceSession::Impl {
    RunContext& ctx;
    std::string path;
};

TraceSession::TraceSession(RunContext& ctx)
{
    const char* folder = std::getenv("ORFEAS_TORCH_TRACE");
    if (!folder || !*folder)
        return;
    bool expected = false;
    if (!g_tracing.compare_exchange_strong(expected, true))
        return; // another run is being traced
    namespace prof = torch::profiler::impl;
    const std::string path = std::string(folder) + "/orfeas-trace-" + std::to_string(::getpid()) + "-"
        + std::to_string(g_traceCount.fetch_add(1)) + ".json";
    try {
        const prof::ProfilerConfig config(prof::ProfilerState::KINETO, false, false);
        const std::set<prof::ActivityType> activities { prof::ActivityType::CPU, prof::ActivityType::CUDA };
        torch::autograd::profiler::prepareProfiler(config, activities);
        torch::autograd::profiler::enableProfiler(config, activities);
        m_impl = std::make_unique<Impl>(Impl { ctx, path });
    } catch (const c10::Error& e) {
        g_tracing = false;
        ctx.log(LogLevel::Warning,
            std::string("ORFEAS_TORCH_TRACE: the profiler did not start: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        g_tracing = false;
        ctx.log(LogLevel::Warning, std::string("ORFEAS_TORCH_TRACE: the profiler did not start: ") + e.what());
    }
}

TraceSession::~TraceSession()
{
    if (!m_impl)
        return;
    try {
        const auto result = torch::autograd::profiler::disableProfiler();
        if (result) {
            result->save(m_impl->path);
            m_impl->ctx.log(LogLevel::Info, "ORFEAS_TORCH_TRACE: trace written to " + m_impl->path);
        }
    } catch (const c10::Error& e) {
        m_impl->ctx.log(LogLevel::Warning,
            std::string("ORFEAS_TORCH_TRACE: the trace was not saved: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        m_impl->ctx.log(LogLevel::Warning, std::string("ORFEAS_TORCH_TRACE: the trace was not saved: ") + e.what());
    }
    g_tracing = false;
}

} // namespace orfeas::neural
