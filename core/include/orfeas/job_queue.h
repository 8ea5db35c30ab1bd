#pragma once
// Runs jobs on worker threads, up to N at once. The CLI and the GUI's job model both submit here; the GUI turns
// the callbacks into queued Qt signals. Events for one job arrive in order; callbacks run on worker threads.

#include "orfeas/errors.h"
#include "orfeas/pipeline.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace orfeas {

using JobId = std::uint64_t;

enum class JobState { Queued, Running, Done, Failed, Cancelled };
const char* jobStateName(JobState s) noexcept;

struct JobEvent {
    enum class Type { Queued, Started, Progress, Log, Finished } type = Type::Queued;
    JobId id = 0;
    std::string input;                  // the job's display name (input path or name)
    JobState state = JobState::Queued;  // for Finished: Done, Failed or Cancelled
    ProgressEvent progress;             // for Progress
    LogLevel logLevel = LogLevel::Info; // for Log
    std::string text;                   // log message, or the error message when Failed
    std::optional<ErrorKind> errorKind; // when Failed
};

class JobQueue {
public:
    using EventFn = std::function<void(const JobEvent&)>;
    // Results are handed over once, when a job finishes (Done, Failed or Cancelled; report always set).
    using ResultFn = std::function<void(JobId, JobResult&&)>;

    explicit JobQueue(int maxConcurrent = 1);
    ~JobQueue(); // cancels what is queued or running and waits for the workers
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    // Set before submitting. The callbacks must be thread-safe and must not call back into the queue (the Queued
    // event is emitted while the queue's lock is held).
    void setEventCallback(EventFn fn);
    void setResultCallback(ResultFn fn);

    void setMaxConcurrent(int n); // takes effect for jobs started later
    int maxConcurrent() const;

    JobId submit(JobRequest request);
    void cancel(JobId id);        // queued: dropped (Finished/Cancelled); running: cancel flag set
    void cancelAll();
    void waitAll();               // blocks until nothing is queued or running
    int pendingCount() const;     // queued + running

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace orfeas
