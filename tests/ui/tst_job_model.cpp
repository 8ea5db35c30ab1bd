// JobModel: the GUI's adapter of the engine's JobQueue. Jobs run for real (classic backend on small generated
// images); events reach the model only through queued calls on the GUI thread.

#include "event_mailbox.h"
#include "gui_thread.h"
#include "job_model.h"
#include "qt_convert.h"
#include "test_support.h"

#include "orfeas/errors.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace orfeas::ui;

class TestJobModel : public QObject {
    Q_OBJECT

private:
    orfeas::JobRequest request(const orfeas::JobSettings& settings, const QString& outputDir = {})
    {
        orfeas::JobRequest r;
        r.image = fromQImage(test::discImage());
        r.inputName = "disc";
        r.settings = settings;
        r.outputDir = outputDir.toStdString();
        return r;
    }

private Q_SLOTS:
    void mailboxCoalescesProgressPerStage()
    {
        EventMailbox box(3);
        orfeas::JobEvent started;
        started.type = orfeas::JobEvent::Type::Started;
        started.id = 7;
        QVERIFY(box.post(started, 1)); // first post: the caller must schedule a drain
        for (int i = 0; i <= 100; ++i) {
            orfeas::JobEvent p;
            p.type = orfeas::JobEvent::Type::Progress;
            p.id = 7;
            p.progress.stage = i < 50 ? orfeas::Stage::ImageLoading : orfeas::Stage::ShapeGeneration;
            p.progress.fraction = i / 100.0;
            QVERIFY(!box.post(p, 10 + i));
        }
        for (int i = 0; i < 5; ++i) {
            orfeas::JobEvent log;
            log.type = orfeas::JobEvent::Type::Log;
            log.id = 7;
            log.text = "line";
            box.post(log, 200);
        }
        const auto batch = box.drain();
        // Started, one progress item per stage, three log lines kept (two dropped and counted).
        QCOMPARE(int(batch.items.size()), 1 + 2 + 3);
        QCOMPARE(batch.droppedLogLines, 2);
        QCOMPARE(batch.items[0].event.type, orfeas::JobEvent::Type::Started);
        QCOMPARE(batch.items[1].event.progress.stage, orfeas::Stage::ImageLoading);
        QCOMPARE(batch.items[1].firstMs, qint64(10));
        QCOMPARE(batch.items[1].lastMs, qint64(59));
        QCOMPARE(batch.items[1].event.progress.fraction, 0.49);
        QCOMPARE(batch.items[2].event.progress.stage, orfeas::Stage::ShapeGeneration);
        QCOMPARE(batch.items[2].firstMs, qint64(60));
        QCOMPARE(batch.items[2].event.progress.fraction, 1.0);
        QVERIFY(box.post(started, 300)); // empty again after the drain
    }

    void guardDetectsWorkerThreadCalls()
    {
        // The detector itself must work, or the "no GUI access off the GUI thread" checks below prove nothing.
        const int before = guiThreadViolations();
        QVERIFY(ORFEAS_GUI_THREAD_ONLY());
        bool onWorker = true;
        std::thread t([&] { onWorker = checkGuiThread("test worker"); });
        t.join();
        QVERIFY(!onWorker);
        QCOMPARE(guiThreadViolations(), before + 1);
    }

    void jobRunsThroughAllStages()
    {
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const int violations = guiThreadViolations();
        JobModel model(1);
        QSignalSpy progress(&model, &JobModel::stageProgress);
        QSignalSpy finished(&model, &JobModel::jobFinished);
        QSignalSpy started(&model, &JobModel::jobStarted);
        const JobId id = model.submit(request(test::fastSettings(), out.path()), "disc");
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.job(id)->state, orfeas::JobState::Queued);
        QVERIFY(finished.wait(60000));
        QCOMPARE(started.count(), 1);
        const JobRecord* r = model.job(id);
        QVERIFY(r);
        QCOMPARE(r->state, orfeas::JobState::Done);
        for (int s = 0; s < kStageCount; ++s) {
            QVERIFY2(r->stages[std::size_t(s)].started, qPrintable(QString::number(s)));
            QVERIFY(r->stages[std::size_t(s)].finished);
            QVERIFY(r->stages[std::size_t(s)].endMs >= r->stages[std::size_t(s)].startMs);
        }
        // Every stage was reported through the signal, and reached 1.0.
        QSet<int> complete;
        for (const auto& args : progress)
            if (args.at(2).toDouble() >= 1.0)
                complete.insert(args.at(1).toInt());
        QCOMPARE(complete.size(), kStageCount);
        QVERIFY(r->outcome);
        QVERIFY(r->outcome->viewMesh);
        QVERIFY(r->outcome->viewMesh->faceCount > 100);
        QCOMPARE(r->outcome->viewMesh->faceCount, int(r->outcome->report.faces));
        QVERIFY(!r->outcome->preprocessed.isNull());
        QVERIFY(!r->outcome->mask.isNull());
        QVERIFY(!r->thumbnail.isNull()); // from the engine's decode (the request had no thumbnail)
        QVERIFY(!r->outcome->outputs.isEmpty());
        for (const QString& f : r->outcome->outputs)
            QVERIFY2(QFile::exists(f), qPrintable(f));
        QCOMPARE(model.data(model.index(0), JobModel::FractionRole).toDouble(), 1.0);
        // Time-left estimates learn from finished jobs with the same work-deciding settings only.
        QVERIFY(model.typicalStageSeconds(test::fastSettings(), int(orfeas::Stage::ShapeGeneration)) >= 0);
        QCOMPARE(model.typicalStageSeconds(test::slowSettings(), int(orfeas::Stage::ShapeGeneration)), -1.0);
        QCOMPARE(model.etaSeconds(id), -1.0); // nothing left to estimate for a finished job
        QCOMPARE(guiThreadViolations(), violations);
    }

    void cancelStopsARunningJob()
    {
        QTemporaryDir out;
        JobModel model(1);
        QSignalSpy finished(&model, &JobModel::jobFinished);
        const JobId id = model.submit(request(test::slowSettings(), out.path()), "slow");
        // Cancel once the work is underway (past loading), then the engine must stop at its next check.
        QTRY_VERIFY_WITH_TIMEOUT(model.job(id)->currentStage >= int(orfeas::Stage::ImagePreprocessing), 30000);
        model.cancel(id);
        QVERIFY(finished.wait(30000));
        QCOMPARE(model.job(id)->state, orfeas::JobState::Cancelled);
        QCOMPARE(model.job(id)->errorKind, QStringLiteral("cancelled"));
        QVERIFY(!model.job(id)->stages[std::size_t(orfeas::Stage::MeshExport)].finished);
        QCOMPARE(QDir(out.path()).entryList(QDir::Files).size(), 0); // nothing half-written
    }

    void cancelDropsAQueuedJob()
    {
        JobModel model(1);
        QSignalSpy finished(&model, &JobModel::jobFinished);
        const JobId first = model.submit(request(test::slowSettings()), "first");
        const JobId second = model.submit(request(test::fastSettings()), "second");
        model.cancel(second);
        QTRY_COMPARE_WITH_TIMEOUT(model.job(second)->state, orfeas::JobState::Cancelled, 10000);
        QVERIFY(model.job(first)->isActive());
        model.cancel(first);
        QTRY_COMPARE_WITH_TIMEOUT(model.activeCount(), 0, 30000);
    }

    void failedJobReportsReasonAndRetries()
    {
        QTemporaryDir dir;
        const QString notAnImage = dir.filePath("notes.png");
        QFile f(notAnImage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is text, not a picture");
        f.close();
        JobModel model(1);
        QSignalSpy finished(&model, &JobModel::jobFinished);
        orfeas::JobRequest r;
        r.inputPath = notAnImage.toStdString();
        r.settings = test::fastSettings();
        const JobId id = model.submit(r, "notes.png");
        QVERIFY(finished.wait(20000));
        QCOMPARE(model.job(id)->state, orfeas::JobState::Failed);
        QCOMPARE(model.job(id)->errorKind, QStringLiteral("bad_input"));
        QVERIFY(!model.job(id)->error.isEmpty());
        QVERIFY(JobModel::statusText(*model.job(id)).contains(model.job(id)->error));

        const JobId again = model.retry(id);
        QVERIFY(again != 0 && again != id);
        QCOMPARE(model.rowCount(), 1); // same row
        QCOMPARE(model.job(id), nullptr);
        QVERIFY(finished.wait(20000));
        QCOMPARE(model.job(again)->state, orfeas::JobState::Failed);
        model.remove(again);
        QCOMPARE(model.rowCount(), 0);
    }

    void removingARunningJobCancelsItFirst()
    {
        JobModel model(1);
        QSignalSpy removed(&model, &JobModel::jobRemoved);
        const JobId id = model.submit(request(test::slowSettings()), "slow");
        QTRY_VERIFY_WITH_TIMEOUT(model.job(id)->state == orfeas::JobState::Running, 20000);
        model.remove(id);
        QCOMPARE(model.rowCount(), 1); // still there until it stops
        QVERIFY(removed.wait(30000));
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestJobModel)
#include "tst_job_model.moc"
