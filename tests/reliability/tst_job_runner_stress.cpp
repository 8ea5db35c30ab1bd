// The job runner under load: several jobs at once, cancellations of queued and running jobs from other threads,
// cancelAll, changing the concurrency while jobs run, and destroying a busy queue. Built and run under
// ThreadSanitizer by packaging/scripts/run-sanitizers.sh (tsan preset); in ordinary builds it checks the same
// bookkeeping without the race detector.
//
// What must hold whatever the interleaving: every submitted job gets exactly one result and exactly one Finished
// event, after its Queued (and Started, if it ran) event; waitAll() returns only after all of them were delivered;
// a Done job's files are complete, a cancelled or failed job leaves no file under a final name and no temporary.
#include "reliability_support.h"

#include "orfeas/job_queue.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {

struct JobLog {
    std::vector<JobEvent::Type> events;
    int results = 0;
    std::string status;
    JobState finalState = JobState::Queued;
    std::string stem;
    bool exports = false;
};

class Recorder {
public:
    void attach(JobQueue& q)
    {
        q.setEventCallback([this](const JobEvent& e) {
            std::lock_guard lock(m_mutex);
            JobLog& log = m_jobs[e.id];
            log.events.push_back(e.type);
            if (e.type == JobEvent::Type::Finished)
                log.finalState = e.state;
        });
        q.setResultCallback([this](JobId id, JobResult&& r) {
            std::lock_guard lock(m_mutex);
            JobLog& log = m_jobs[id];
            ++log.results;
            log.status = r.report.status;
        });
    }
    void expect(JobId id, const std::string& stem, bool exports)
    {
        std::lock_guard lock(m_mutex);
        m_jobs[id].stem = stem;
        m_jobs[id].exports = exports;
    }
    std::map<JobId, JobLog> snapshot()
    {
        std::lock_guard lock(m_mutex);
        return m_jobs;
    }

private:
    std::mutex m_mutex;
    std::map<JobId, JobLog> m_jobs;
};

// Checks the per-job contract; returns a description of the first violation, empty if none.
std::string checkLogs(const std::map<JobId, JobLog>& jobs, const fs::path& outDir, std::map<std::string, int>& tally)
{
    for (const auto& [id, log] : jobs) {
        const std::string tag = "job " + std::to_string(id) + " (" + log.stem + "): ";
        if (log.results != 1)
            return tag + std::to_string(log.results) + " results";
        const auto finishedCount = std::count(log.events.begin(), log.events.end(), JobEvent::Type::Finished);
        if (finishedCount != 1)
            return tag + std::to_string(finishedCount) + " Finished events";
        if (log.events.front() != JobEvent::Type::Queued)
            return tag + "first event is not Queued";
        if (log.events.back() != JobEvent::Type::Finished)
            return tag + "Finished is not the last event";
        const bool started =
            std::find(log.events.begin(), log.events.end(), JobEvent::Type::Started) != log.events.end();
        if (log.events.size() > 2 && !started)
            return tag + "progress without Started";
        const std::string expected = log.finalState == JobState::Done        ? "done"
                                     : log.finalState == JobState::Cancelled ? "cancelled"
                                                                             : "failed";
        if (log.status != expected)
            return tag + "result status '" + log.status + "' but Finished state '" + expected + "'";
        ++tally[log.status];
        if (!log.exports)
            continue;
        const fs::path glb = outDir / (log.stem + ".glb");
        const fs::path report = outDir / (log.stem + ".report.json");
        if (log.status == "done") {
            if (!reltest::glbComplete(glb) || !fs::is_regular_file(report))
                return tag + "done but its files are incomplete";
        } else if (fs::exists(glb) || fs::exists(report)) {
            return tag + log.status + " but left a file under a final name";
        }
    }
    if (!reltest::temporariesIn(outDir).empty())
        return "temporaries left: " + reltest::temporariesIn(outDir).front();
    return {};
}

JobRequest makeRequest(int i, const fs::path& outDir, bool exportIt)
{
    JobRequest r;
    r.image = reltest::subjectImage(48, unsigned(i));
    r.inputName = "job" + std::to_string(i) + ".png";
    r.settings = reltest::quickSettings();
    r.settings.resolution = 16 + 4 * (i % 4); // different lengths, so cancellations land in different stages
    if (exportIt) {
        r.outputDir = outDir.string();
        r.outputStem = "job" + std::to_string(i);
    }
    return r;
}

} // namespace

class TestJobRunnerStress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Many jobs on four workers; one thread cancels ids at random (queued or running), another changes the
    // concurrency, the submitter cancels some right after submitting them; a cancelAll in the middle.
    void concurrentJobsWithCancellations_data()
    {
        QTest::addColumn<unsigned>("seed");
        for (unsigned seed : {7u, 11u, 23u, 42u})
            QTest::newRow(("seed " + std::to_string(seed)).c_str()) << seed;
    }

    void concurrentJobsWithCancellations()
    {
        QFETCH(unsigned, seed);
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        Recorder rec;
        std::map<std::string, int> tally;
        constexpr int kJobs = 48;
        {
            JobQueue q(4);
            rec.attach(q);
            std::vector<JobId> ids;
            std::mutex idsMutex;
            std::atomic<bool> submitting{true};

            std::thread canceller([&] {
                std::mt19937 rng(seed);
                while (submitting.load()) {
                    std::this_thread::sleep_for(std::chrono::microseconds(300 + rng() % 3000));
                    JobId victim = 0;
                    {
                        std::lock_guard lock(idsMutex);
                        if (!ids.empty())
                            victim = ids[rng() % ids.size()];
                    }
                    if (victim != 0 && rng() % 3 == 0)
                        q.cancel(victim);
                    (void)q.pendingCount();
                }
            });
            std::thread resizer([&] {
                int n = 1;
                while (submitting.load()) {
                    q.setMaxConcurrent(1 + (n++ % 4));
                    (void)q.maxConcurrent();
                    std::this_thread::sleep_for(std::chrono::milliseconds(3));
                }
            });
            for (int i = 0; i < kJobs; ++i) {
                const bool exportIt = i % 2 == 0;
                const JobId id = q.submit(makeRequest(i, out, exportIt));
                rec.expect(id, "job" + std::to_string(i), exportIt);
                {
                    std::lock_guard lock(idsMutex);
                    ids.push_back(id);
                }
                if (i % 7 == int(seed % 7))
                    q.cancel(id);
                if (i == kJobs / 2)
                    q.cancelAll();
                std::this_thread::sleep_for(std::chrono::milliseconds(i % 3));
            }
            q.waitAll();
            // waitAll() promises that nothing is queued or running: every job must be accounted for now.
            const auto snapshot = rec.snapshot();
            QCOMPARE(int(snapshot.size()), kJobs);
            int finished = 0;
            for (const auto& [id, log] : snapshot)
                finished += log.results;
            QCOMPARE(finished, kJobs);
            submitting = false;
            canceller.join();
            resizer.join();
        }
        const std::string problem = checkLogs(rec.snapshot(), out, tally);
        QVERIFY2(problem.empty(), problem.c_str());
        qInfo("done %d, cancelled %d, failed %d", tally["done"], tally["cancelled"], tally["failed"]);
        QVERIFY(tally["done"] > 0);
        QVERIFY(tally["cancelled"] > 0);
        QCOMPARE(tally["failed"], 0);
    }

    // The destructor of a busy queue cancels what is queued and running and waits: every job still gets its
    // result, and nothing partial stays on disk. Repeated with different timings.
    void destroyingABusyQueue()
    {
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        std::map<std::string, int> tally;
        for (int round = 0; round < 8; ++round) {
            Recorder rec;
            {
                JobQueue q(3);
                rec.attach(q);
                for (int i = 0; i < 9; ++i) {
                    const int n = round * 100 + i;
                    const JobId id = q.submit(makeRequest(n, out, true));
                    rec.expect(id, "job" + std::to_string(n), true);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(round * round * 5));
            }
            const auto snapshot = rec.snapshot();
            QCOMPARE(int(snapshot.size()), 9);
            const std::string problem = checkLogs(snapshot, out, tally);
            QVERIFY2(problem.empty(), problem.c_str());
        }
        qInfo("done %d, cancelled %d", tally["done"], tally["cancelled"]);
        QVERIFY(tally["cancelled"] > 0);
    }

    // cancelAll() from another thread drops the queued jobs and hands their results over on that thread; waitAll()
    // must not return before they were delivered (the CLI counts its report after waitAll).
    void waitAllWaitsForTheResultsOfDroppedJobs()
    {
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        std::mutex m;
        std::map<JobId, std::string> results;
        std::atomic<bool> running{false};
        JobQueue q(1);
        q.setEventCallback([&](const JobEvent& e) {
            if (e.type == JobEvent::Type::Progress && e.progress.stage == Stage::ShapeGeneration)
                running = true;
        });
        q.setResultCallback([&](JobId id, JobResult&& r) {
            if (r.report.errorMessage == "cancelled before it started")
                std::this_thread::sleep_for(std::chrono::milliseconds(300)); // a slow consumer (a GUI, a report)
            std::lock_guard lock(m);
            results[id] = r.report.status;
        });
        JobRequest longJob = makeRequest(1, out, false);
        longJob.settings.resolution = 160;
        q.submit(longJob);
        q.submit(makeRequest(2, out, false));
        QTRY_VERIFY_WITH_TIMEOUT(running.load(), 20000);
        std::thread canceller([&] { q.cancelAll(); });
        q.waitAll();
        std::size_t seen = 0;
        {
            std::lock_guard lock(m);
            seen = results.size();
        }
        canceller.join();
        QCOMPARE(int(seen), 2);
    }

    // Two queues (the GUI and a batch in one process) share the process-wide backend provider.
    void twoQueuesAtOnce()
    {
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        Recorder a, b;
        std::map<std::string, int> tally;
        {
            JobQueue qa(2), qb(2);
            a.attach(qa);
            b.attach(qb);
            std::thread ta([&] {
                for (int i = 0; i < 8; ++i)
                    a.expect(qa.submit(makeRequest(1000 + i, out, true)), "job" + std::to_string(1000 + i), true);
                qa.waitAll();
            });
            std::thread tb([&] {
                for (int i = 0; i < 8; ++i) {
                    const JobId id = qb.submit(makeRequest(2000 + i, out, i % 2 == 0));
                    b.expect(id, "job" + std::to_string(2000 + i), i % 2 == 0);
                    if (i == 5)
                        qb.cancelAll();
                }
                qb.waitAll();
            });
            ta.join();
            tb.join();
        }
        for (Recorder* r : {&a, &b}) {
            const std::string problem = checkLogs(r->snapshot(), out, tally);
            QVERIFY2(problem.empty(), problem.c_str());
        }
        QCOMPARE(tally["failed"], 0);
    }
};

QTEST_GUILESS_MAIN(TestJobRunnerStress)
#include "tst_job_runner_stress.moc"
