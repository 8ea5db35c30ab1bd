#include "orfeas/job_queue.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace orfeas {

const char* jobStateName(JobState s) noexcept
{
    switch (s) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Done: return "done";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
    }
    return "queued";
}

struct JobQueue::Impl {
    struct Pending {
        JobId id;
        JobRequest request;
        CancelToken cancel;
        std::string name() const { return request.inputName.empty() ? request.inputPath : request.inputName; }
    };

    std::mutex mutex;
    std::condition_variable workAvailable;
    std::condition_variable idle;
    std::deque<Pending> queue;
    std::map<JobId, CancelToken> running;
    int delivering = 0; // dropped jobs whose result and Finished event are being handed over by cancel()
    std::vector<std::thread> workers;
    int maxConcurrent = 1;
    bool stopping = false;
    JobId nextId = 1;
    EventFn onEvent;
    ResultFn onResult;

    // Nothing queued, running, or still being handed over (callers hold the mutex).
    bool isIdle() const { return queue.empty() && running.empty() && delivering == 0; }

    void emit(const JobEvent& e)
    {
        if (onEvent)
            onEvent(e);
    }

    void ensureWorkers()
    {
        while (int(workers.size()) < maxConcurrent)
            workers.emplace_back([this] { workerLoop(); });
    }

    void workerLoop()
    {
        std::unique_lock lock(mutex);
        for (;;) {
            workAvailable.wait(lock, [this] {
                return stopping || (!queue.empty() && int(running.size()) < maxConcurrent);
            });
            if (stopping)
                return;
            Pending job = std::move(queue.front());
            queue.pop_front();
            running.emplace(job.id, job.cancel);
            lock.unlock();
            execute(job);
            lock.lock();
            running.erase(job.id);
            if (isIdle())
                idle.notify_all();
            workAvailable.notify_all();
        }
    }

    void execute(Pending& job)
    {
        const JobId id = job.id;
        const std::string name = job.name();
        JobEvent started;
        started.type = JobEvent::Type::Started;
        started.id = id;
        started.input = name;
        started.state = JobState::Running;
        emit(started);

        RunContext ctx(
            [this, id, name](const ProgressEvent& p) {
                JobEvent e;
                e.type = JobEvent::Type::Progress;
                e.id = id;
                e.input = name;
                e.state = JobState::Running;
                e.progress = p;
                emit(e);
            },
            [this, id, name](LogLevel level, const std::string& text) {
                JobEvent e;
                e.type = JobEvent::Type::Log;
                e.id = id;
                e.input = name;
                e.state = JobState::Running;
                e.logLevel = level;
                e.text = text;
                emit(e);
            },
            job.cancel);

        const auto t0 = std::chrono::steady_clock::now();
        JobResult result;
        JobEvent finished;
        finished.type = JobEvent::Type::Finished;
        finished.id = id;
        finished.input = name;
        auto failWith = [&](const char* status, JobState state, std::optional<ErrorKind> kind, const std::string& msg,
                            std::optional<Stage> stage) {
            result = JobResult{};
            RunReport& r = result.report;
            r.input = name;
            r.settings = job.request.settings;
            r.startedAt = isoTimestampUtc();
            r.status = status;
            if (kind)
                r.errorKind = errorKindName(*kind);
            r.errorMessage = msg;
            if (stage)
                r.errorStage = std::string(stageName(*stage));
            r.timings = ctx.profiler().records();
            r.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            finished.state = state;
            finished.errorKind = kind;
            finished.text = msg;
        };
        try {
            result = runJob(job.request, ctx);
            finished.state = JobState::Done;
        } catch (const CancelledError& e) {
            failWith("cancelled", JobState::Cancelled, ErrorKind::Cancelled, e.what(), e.stage());
        } catch (const Error& e) {
            failWith("failed", JobState::Failed, e.kind(), e.what(), e.stage());
        } catch (const std::exception& e) {
            failWith("failed", JobState::Failed, ErrorKind::Internal, std::string("unexpected error: ") + e.what(),
                     std::nullopt);
        }
        if (onResult)
            onResult(id, std::move(result));
        emit(finished);
    }
};

JobQueue::JobQueue(int maxConcurrent)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->maxConcurrent = std::max(1, maxConcurrent);
}

JobQueue::~JobQueue()
{
    cancelAll();
    {
        std::unique_lock lock(m_impl->mutex);
        m_impl->idle.wait(lock, [this] { return m_impl->running.empty() && m_impl->delivering == 0; });
        m_impl->stopping = true;
    }
    m_impl->workAvailable.notify_all();
    for (auto& t : m_impl->workers)
        t.join();
}

void JobQueue::setEventCallback(EventFn fn)
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->onEvent = std::move(fn);
}

void JobQueue::setResultCallback(ResultFn fn)
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->onResult = std::move(fn);
}

void JobQueue::setMaxConcurrent(int n)
{
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->maxConcurrent = std::max(1, n);
        if (!m_impl->queue.empty())
            m_impl->ensureWorkers();
    }
    m_impl->workAvailable.notify_all();
}

int JobQueue::maxConcurrent() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->maxConcurrent;
}

JobId JobQueue::submit(JobRequest request)
{
    JobId id;
    std::string name;
    {
        std::lock_guard lock(m_impl->mutex);
        id = m_impl->nextId++;
        m_impl->queue.push_back({id, std::move(request), CancelToken{}});
        name = m_impl->queue.back().name();
        m_impl->ensureWorkers();
        // Emitted under the lock so that no worker can report Started before Queued.
        JobEvent e;
        e.type = JobEvent::Type::Queued;
        e.id = id;
        e.input = name;
        e.state = JobState::Queued;
        m_impl->emit(e);
    }
    m_impl->workAvailable.notify_one();
    return id;
}

void JobQueue::cancel(JobId id)
{
    std::optional<Impl::Pending> dropped;
    {
        std::lock_guard lock(m_impl->mutex);
        if (auto it = m_impl->running.find(id); it != m_impl->running.end()) {
            it->second.cancel();
            return;
        }
        for (auto it = m_impl->queue.begin(); it != m_impl->queue.end(); ++it) {
            if (it->id == id) {
                dropped = std::move(*it);
                m_impl->queue.erase(it);
                // Counted until its result is delivered below, so that waitAll() does not return before (a bug
                // found by tst_job_runner_stress: waitAll returned while another thread was still delivering).
                ++m_impl->delivering;
                break;
            }
        }
    }
    if (dropped) {
        JobResult result;
        result.report.input = dropped->name();
        result.report.settings = dropped->request.settings;
        result.report.status = "cancelled";
        result.report.errorKind = errorKindName(ErrorKind::Cancelled);
        result.report.errorMessage = "cancelled before it started";
        result.report.startedAt = isoTimestampUtc();
        if (m_impl->onResult)
            m_impl->onResult(id, std::move(result));
        JobEvent e;
        e.type = JobEvent::Type::Finished;
        e.id = id;
        e.input = dropped->name();
        e.state = JobState::Cancelled;
        e.errorKind = ErrorKind::Cancelled;
        e.text = "cancelled before it started";
        m_impl->emit(e);
        std::lock_guard lock(m_impl->mutex);
        --m_impl->delivering;
        if (m_impl->isIdle())
            m_impl->idle.notify_all();
    }
}

void JobQueue::cancelAll()
{
    std::vector<JobId> ids;
    {
        std::lock_guard lock(m_impl->mutex);
        for (const auto& p : m_impl->queue)
            ids.push_back(p.id);
        for (auto& [id, token] : m_impl->running)
            token.cancel();
    }
    for (JobId id : ids)
        cancel(id);
}

void JobQueue::waitAll()
{
    std::unique_lock lock(m_impl->mutex);
    m_impl->idle.wait(lock, [this] { return m_impl->isIdle(); });
}

int JobQueue::pendingCount() const
{
    std::lock_guard lock(m_impl->mutex);
    return int(m_impl->queue.size() + m_impl->running.size());
}

} // namespace orfeas
