#pragma once
// Everything that travels with one run: progress and log callbacks, the cancel flag, the profiler.
// The engine never prints and never uses globals for this: each run gets its own context.

#include "orfeas/profiler.h"
#include "orfeas/stage.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace orfeas {

enum class LogLevel { Debug, Info, Warning, Error };
const char* logLevelName(LogLevel level) noexcept;

struct ProgressEvent {
    Stage stage = Stage::ImageLoading;
    std::string subStage;   // e.g. "diffusion_sampling", empty for the stage itself
    double fraction = 0;    // 0..1 within the stage
    int step = 0;           // current step of the sub-stage (e.g. 23), 0 if not counted
    int totalSteps = 0;     // e.g. 50, 0 if not counted
    std::string message;    // human-readable, e.g. "diffusion step 23/50"
};

// A shared cancel flag: the owner of a run (job queue, CLI signal handler) sets it; the engine polls it.
class CancelToken {
public:
    CancelToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    void cancel() noexcept { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const noexcept { return m_flag->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

// The per-run context. Callbacks are invoked on the thread that runs the job; they must be thread-safe with
// respect to the owner and must not throw. Not copyable (the profiler belongs to one run).
class RunContext {
public:
    using ProgressFn = std::function<void(const ProgressEvent&)>;
    using LogFn = std::function<void(LogLevel, const std::string&)>;

    RunContext() = default;
    RunContext(ProgressFn progress, LogFn log, CancelToken cancel = {})
        : m_progress(std::move(progress)), m_log(std::move(log)), m_cancel(std::move(cancel)) {}
    RunContext(const RunContext&) = delete;
    RunContext& operator=(const RunContext&) = delete;

    void setProgressCallback(ProgressFn fn) { m_progress = std::move(fn); }
    void setLogCallback(LogFn fn) { m_log = std::move(fn); }
    void setCancelToken(CancelToken token) { m_cancel = std::move(token); }

    // Reports progress of a stage (fraction 0..1).
    void progress(Stage stage, double fraction, const std::string& message = {}) const;
    // Reports progress of a counted sub-step, e.g. (ShapeGeneration, "diffusion_sampling", 23, 50, ...).
    void progressStep(Stage stage, const std::string& subStage, int step, int total, double stageFraction,
                      const std::string& message = {}) const;
    void log(LogLevel level, const std::string& message) const;

    bool isCancelled() const noexcept { return m_cancel.isCancelled(); }
    // Throws CancelledError(stage) if the run was cancelled.
    void throwIfCancelled(Stage stage) const;
    const CancelToken& cancelToken() const noexcept { return m_cancel; }

    Profiler& profiler() noexcept { return m_profiler; }
    const Profiler& profiler() const noexcept { return m_profiler; }

private:
    ProgressFn m_progress;
    LogFn m_log;
    CancelToken m_cancel;
    Profiler m_profiler;
};

} // namespace orfeas
