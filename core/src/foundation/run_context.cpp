#include "orfeas/run_context.h"

#include "orfeas/errors.h"

#include <algorithm>

namespace orfeas {

const char* logLevelName(LogLevel level) noexcept
{
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "info";
}

void RunContext::progress(Stage stage, double fraction, const std::string& message) const
{
    if (!m_progress)
        return;
    ProgressEvent ev;
    ev.stage = stage;
    ev.fraction = std::clamp(fraction, 0.0, 1.0);
    ev.message = message;
    m_progress(ev);
}

void RunContext::progressStep(Stage stage, const std::string& subStage, int step, int total, double stageFraction,
                              const std::string& message) const
{
    if (!m_progress)
        return;
    ProgressEvent ev;
    ev.stage = stage;
    ev.subStage = subStage;
    ev.step = step;
    ev.totalSteps = total;
    ev.fraction = std::clamp(stageFraction, 0.0, 1.0);
    ev.message = message;
    m_progress(ev);
}

void RunContext::log(LogLevel level, const std::string& message) const
{
    if (m_log)
        m_log(level, message);
}

void RunContext::throwIfCancelled(Stage stage) const
{
    if (m_cancel.isCancelled())
        throw CancelledError(stage);
}

} // namespace orfeas
