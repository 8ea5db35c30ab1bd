#pragma once
// A profiling aid: ORFEAS_TORCH_TRACE=<folder> records each run of the Hunyuan3D backend with LibTorch's profiler
// (operators on the CPU, CUDA kernels, copies and runtime calls) and saves it as a Chrome trace,
// <folder>/orfeas-trace-<pid>-<n>.json (chrome://tracing, Perfetto, or packaging/scripts/trace-summary.py).
// One run at a time is traced: a run that starts while another is being traced is not. Off by default; a
// profiler that cannot start or save is reported in the run's log and the run goes on.

#include "orfeas/run_context.h"

#include <memory>

namespace orfeas::neural {

class TraceSession {
public:
    explicit TraceSession(RunContext& ctx);
    ~TraceSession();
    TraceSession(const TraceSession&) = delete;
    TraceSession& operator=(const TraceSession&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace orfeas::neural
