// 300 consecutive jobs in one process through the job queue, as an overnight batch runs them (classic backend,
// small images and grids so that it takes about a minute; every job exports a GLB and its report). Resident memory
// is sampled after a warm-up and at the end: it must not grow by 5% or more. The samples are printed for
// docs/reliability.md.
#include "reliability_support.h"

#include "orfeas/job_queue.h"

#include <QtTest>

#include <chrono>
#include <fstream>
#include <mutex>

#include <unistd.h>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {
double residentMiB()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return double(resident) * double(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}
} // namespace

class TestLongRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void threeHundredJobsWithoutGrowth()
    {
        constexpr int kJobs = 300;
        constexpr int kWarmUp = 50;
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        std::mutex m;
        int done = 0, failed = 0;
        std::vector<double> rss(kJobs + 1, 0.0);
        const double atStart = residentMiB();
        const auto t0 = std::chrono::steady_clock::now();
        {
            JobQueue q(1);
            q.setResultCallback([&](JobId id, JobResult&& r) {
                std::lock_guard lock(m);
                (r.report.status == "done" ? done : failed)++;
                rss[std::size_t(id)] = residentMiB(); // after the job, its result still alive here
            });
            for (int i = 1; i <= kJobs; ++i) {
                JobRequest r;
                r.image = reltest::subjectImage(128, unsigned(i));
                r.inputName = "img" + std::to_string(i) + ".png";
                r.settings = reltest::quickSettings();
                r.settings.resolution = 64;
                r.settings.imageSize = 128;
                r.settings.textureSize = 256;
                r.settings.faceBudget = 5000;
                r.outputDir = out.string();
                r.outputStem = "img" + std::to_string(i % 10); // ten names, replaced over and over
                r.overwrite = true;
                q.submit(std::move(r));
            }
            q.waitAll();
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        QCOMPARE(done, kJobs);
        QCOMPARE(failed, 0);
        const double warm = rss[kWarmUp];
        const double end = rss[kJobs];
        double peak = 0;
        for (int i = kWarmUp; i <= kJobs; ++i)
            peak = std::max(peak, rss[std::size_t(i)]);
        QString trend;
        for (int i = 25; i <= kJobs; i += 25)
            trend += QString(" %1:%2").arg(i).arg(rss[std::size_t(i)], 0, 'f', 1);
        qInfo("%d jobs in %.1f s (%.0f ms/job); RSS MiB: start %.1f, after %d jobs %.1f, end %.1f (%+.2f%%), "
              "peak after warm-up %.1f; trend:%s",
              kJobs, seconds, 1000 * seconds / kJobs, atStart, kWarmUp, warm, end, 100 * (end - warm) / warm, peak,
              qPrintable(trend));
        QVERIFY2(end < warm * 1.05, "resident memory grew by 5% or more over the run");
        QVERIFY(reltest::temporariesIn(out).empty());
        QCOMPARE(int(reltest::listNames(out).size()), 20); // ten models and ten reports
    }
};

QTEST_GUILESS_MAIN(TestLongRun)
#include "tst_long_run.moc"
