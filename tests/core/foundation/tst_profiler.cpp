#include "orfeas/errors.h"
#include "orfeas/profiler.h"
#include "orfeas/run_context.h"

#include <QtTest>

#include <thread>

using namespace orfeas;

class TestProfiler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void accumulatesInOrderOfFirstAppearance()
    {
        Profiler p;
        p.add("b", 1.0);
        p.add("a", 0.5);
        p.add("b", 2.0, 0.25);
        const auto r = p.records();
        QCOMPARE(int(r.size()), 2);
        QCOMPARE(r[0].path, std::string("b"));
        QCOMPARE(r[0].seconds, 3.0);
        QCOMPARE(r[0].count, 2);
        QCOMPARE(r[0].gpuSeconds, 0.25);
        QCOMPARE(r[1].gpuSeconds, -1.0);
    }

    void scopedTimerCountsTimeDuringUnwinding()
    {
        Profiler p;
        try {
            ScopedTimer t(p, "stage");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            throw std::runtime_error("boom");
        } catch (const std::runtime_error&) {
        }
        QVERIFY(p.seconds("stage") >= 0.019);
    }

    void contextCancellationThrowsTypedError()
    {
        CancelToken token;
        RunContext ctx({}, {}, token);
        ctx.throwIfCancelled(Stage::ImageLoading); // not cancelled: no throw
        token.cancel();
        try {
            ctx.throwIfCancelled(Stage::MeshExport);
            QFAIL("no exception");
        } catch (const CancelledError& e) {
            QCOMPARE(e.kind(), ErrorKind::Cancelled);
            QVERIFY(e.stage().has_value());
            QCOMPARE(*e.stage(), Stage::MeshExport);
        }
    }

    void progressIsClampedAndForwarded()
    {
        std::vector<ProgressEvent> seen;
        RunContext ctx([&](const ProgressEvent& e) { seen.push_back(e); }, {});
        ctx.progress(Stage::ShapeGeneration, 1.5, "x");
        ctx.progressStep(Stage::ShapeGeneration, "diffusion_sampling", 23, 50, 0.46, "diffusion step 23/50");
        QCOMPARE(int(seen.size()), 2);
        QCOMPARE(seen[0].fraction, 1.0);
        QCOMPARE(seen[1].step, 23);
        QCOMPARE(seen[1].totalSteps, 50);
        QCOMPARE(seen[1].subStage, std::string("diffusion_sampling"));
    }
};

QTEST_GUILESS_MAIN(TestProfiler)
#include "tst_profiler.moc"
