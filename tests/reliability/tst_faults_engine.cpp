// Faults the engine must survive, in-process: cancellation at every stage, an output folder that is read-only or
// full, a folder in the way of an output file, an existing file without overwrite, an output held open by a viewer.
// After each: no partial file under a final name, no temporary left behind, a clear typed error, and the same
// request succeeds once the cause is gone.
#include "mount_sandbox.h"
#include "reliability_support.h"

#include "orfeas/errors.h"
#include "orfeas/job_queue.h"
#include "orfeas/pipeline.h"

#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {

JobRequest requestFor(const fs::path& out, const std::string& stem = "subject")
{
    JobRequest r;
    r.image = reltest::subjectImage(64, 1);
    r.inputName = stem + ".png";
    r.outputDir = out.string();
    r.outputStem = stem;
    r.settings = reltest::quickSettings();
    r.settings.formats = {ExportFormat::Glb, ExportFormat::Obj, ExportFormat::Stl, ExportFormat::Ply};
    return r;
}

// The final names a request writes; none may exist after a failed run, all must be complete after a good one.
std::vector<fs::path> finals(const JobRequest& r)
{
    std::vector<fs::path> out;
    for (const auto& p : plannedOutputs(r))
        out.emplace_back(p);
    return out;
}

std::string noFinalFilesAndNoTemporaries(const JobRequest& r)
{
    for (const auto& p : finals(r))
        if (fs::exists(fs::symlink_status(p)))
            return "left " + p.filename().string();
    const auto tmps = reltest::temporariesIn(r.outputDir);
    if (!tmps.empty())
        return "left temporary " + tmps.front();
    return {};
}

std::string allComplete(const JobRequest& r)
{
    for (const auto& p : finals(r)) {
        std::error_code ec;
        if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) == 0)
            return "missing or empty " + p.filename().string();
    }
    const fs::path glb = fs::path(r.outputDir) / (r.outputStem + ".glb");
    if (!reltest::glbComplete(glb))
        return "incomplete " + glb.string();
    if (!reltest::temporariesIn(r.outputDir).empty())
        return "temporaries left after success";
    return {};
}

} // namespace

class TestFaultsEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Before any thread exists (unshare needs a single-threaded process); failures only skip the mount tests.
        m_mountProblem = reltest::enterPrivateMountNamespace();
        if (!m_mountProblem.empty())
            qWarning("tmpfs fault tests will be skipped: %s", m_mountProblem.c_str());
    }

    // Cancel when a stage starts, and again half-way through it (on its first progress report inside the stage).
    void cancellationAtEveryStage_data()
    {
        QTest::addColumn<int>("stage");
        QTest::addColumn<bool>("midStage");
        for (Stage s : kAllStages) {
            const std::string name(stageName(s));
            QTest::newRow((name + "/start").c_str()) << int(s) << false;
            QTest::newRow((name + "/inside").c_str()) << int(s) << true;
        }
    }

    void cancellationAtEveryStage()
    {
        QFETCH(int, stage);
        QFETCH(bool, midStage);
        const Stage target = Stage(stage);
        QTemporaryDir tmp;
        const JobRequest req = requestFor(tmp.path().toStdString());

        CancelToken token;
        bool fired = false;
        RunContext ctx([&](const ProgressEvent& e) {
            if (fired || e.stage != target)
                return;
            if (!midStage || (e.fraction > 0.0 && e.fraction < 1.0)) {
                fired = true;
                token.cancel();
            }
        }, {}, token);

        try {
            runJob(req, ctx);
            // A stage that reports no progress inside cannot be cancelled "inside": the job may finish.
            QVERIFY2(midStage && !fired, "the job finished although it was cancelled");
            QVERIFY(allComplete(req).empty());
            QSKIP("this stage reports no progress between its start and its end");
        } catch (const CancelledError& e) {
            QVERIFY(fired);
            QVERIFY(e.stage().has_value());
            // The run stops in the stage where it was cancelled, or at the latest at the start of the next one.
            QVERIFY2(int(*e.stage()) == stage || int(*e.stage()) == stage + 1, e.what());
            qInfo("cancelled in %s -> CancelledError(%s)", std::string(stageName(target)).c_str(),
                  std::string(stageName(*e.stage())).c_str());
        }
        const std::string left = noFinalFilesAndNoTemporaries(req);
        QVERIFY2(left.empty(), left.c_str());

        // The next run of the same request works.
        RunContext again;
        const JobResult ok = runJob(req, again);
        QVERIFY(!ok.mesh.empty());
        const std::string bad = allComplete(req);
        QVERIFY2(bad.empty(), bad.c_str());
    }

    // The same through the queue: the job ends Cancelled with its report, nothing on disk.
    void cancellationThroughTheQueue()
    {
        QTemporaryDir tmp;
        JobRequest req = requestFor(tmp.path().toStdString());
        req.settings.resolution = 96; // long enough to be cancelled while running
        std::mutex m;
        std::vector<std::string> statuses;
        JobQueue q(1);
        JobId id = 0;
        std::atomic<bool> sawShape{false};
        q.setEventCallback([&](const JobEvent& e) {
            if (e.type == JobEvent::Type::Progress && e.progress.stage == Stage::ShapeGeneration)
                sawShape = true;
        });
        q.setResultCallback([&](JobId, JobResult&& r) {
            std::lock_guard lock(m);
            statuses.push_back(r.report.status + "|" + r.report.errorStage);
        });
        id = q.submit(req);
        QTRY_VERIFY_WITH_TIMEOUT(sawShape.load(), 20000);
        q.cancel(id);
        q.waitAll();
        QCOMPARE(int(statuses.size()), 1);
        QVERIFY2(statuses[0].rfind("cancelled|", 0) == 0, statuses[0].c_str());
        const std::string left = noFinalFilesAndNoTemporaries(req);
        QVERIFY2(left.empty(), left.c_str());
    }

    void folderInTheWayOfAnOutput()
    {
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        JobRequest req = requestFor(out);
        fs::create_directory(out / "subject.stl");
        fs::path inside = out / "subject.stl" / "keep.txt";
        std::ofstream(inside) << "mine";
        for (bool overwrite : {false, true}) {
            req.overwrite = overwrite;
            RunContext ctx;
            try {
                runJob(req, ctx);
                QFAIL("a folder in the way was not reported");
            } catch (const ExportError& e) {
                QCOMPARE(fs::path(e.path()).filename().string(), std::string("subject.stl"));
                qInfo("overwrite=%d: %s", int(overwrite), e.what());
                if (overwrite)
                    QVERIFY2(e.message().find("folder") != std::string::npos, e.what());
            }
            QVERIFY(fs::is_directory(out / "subject.stl"));
            QCOMPARE(reltest::readText(inside), std::string("mine"));
            for (const char* name : {"subject.glb", "subject.obj", "subject.ply", "subject.mtl", "subject.report.json"})
                QVERIFY2(!fs::exists(out / name), name);
            QVERIFY(reltest::temporariesIn(out).empty());
        }
        fs::remove_all(out / "subject.stl");
        RunContext ctx;
        runJob(req, ctx);
        QVERIFY(allComplete(req).empty());
    }

    // Without overwrite an existing file is never touched and nothing else is written either (all or nothing);
    // with overwrite it is replaced by a complete file.
    void existingFileWithoutOverwrite()
    {
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        JobRequest req = requestFor(out);
        std::ofstream(out / "subject.obj") << "the user's own model";
        RunContext ctx;
        try {
            runJob(req, ctx);
            QFAIL("an existing output was not reported");
        } catch (const ExportError& e) {
            QVERIFY2(e.message().find("already exists") != std::string::npos, e.what());
            QCOMPARE(fs::path(e.path()).filename().string(), std::string("subject.obj"));
        }
        QCOMPARE(reltest::readText(out / "subject.obj"), std::string("the user's own model"));
        QCOMPARE(reltest::listNames(out), std::vector<std::string>{"subject.obj"});
        req.overwrite = true;
        RunContext again;
        runJob(req, again);
        QVERIFY(allComplete(req).empty());
        QVERIFY(reltest::readText(out / "subject.obj") != "the user's own model");
    }

    // Linux has no mandatory locks: the "locked" file of other systems is here a file a viewer holds open. The
    // viewer keeps reading the old, complete model; the path gets the new one (rename), never a mixture.
    void outputHeldOpenByAViewer()
    {
        QTemporaryDir tmp;
        const fs::path out = tmp.path().toStdString();
        JobRequest req = requestFor(out);
        req.settings.formats = {ExportFormat::Glb};
        RunContext first;
        runJob(req, first);
        const std::string before = reltest::readText(out / "subject.glb");
        const int fd = ::open((out / "subject.glb").c_str(), O_RDONLY);
        QVERIFY(fd >= 0);
        req.overwrite = true;
        req.image = reltest::subjectImage(64, 2); // a different model
        RunContext second;
        runJob(req, second);
        std::string held(before.size(), '\0');
        QCOMPARE(::pread(fd, held.data(), held.size(), 0), ssize_t(before.size()));
        ::close(fd);
        QCOMPARE(held, before);
        QVERIFY(reltest::glbComplete(out / "subject.glb"));
        QVERIFY(reltest::readText(out / "subject.glb") != before);
    }

    void readOnlyOutputFolder()
    {
        QTemporaryDir tmp;
        const fs::path out = fs::path(tmp.path().toStdString()) / "ro";
        fs::create_directory(out);
        const std::string problem = reltest::mountTmpfs(out, 4u << 20, /*readOnly=*/true);
        if (!problem.empty())
            QSKIP(("cannot mount a read-only tmpfs: " + problem).c_str());
        JobRequest req = requestFor(out);
        RunContext ctx;
        try {
            runJob(req, ctx);
            reltest::unmount(out);
            QFAIL("writing into a read-only folder did not fail");
        } catch (const ExportError& e) {
            qInfo("%s", e.what());
            QVERIFY2(std::string(e.what()).find("Read-only file system") != std::string::npos, e.what());
            QCOMPARE(e.stage(), std::optional<Stage>(Stage::MeshExport));
        }
        QVERIFY(reltest::listNames(out).empty());
        // Made writable, the same request works.
        reltest::remountReadOnly(out, false);
        RunContext again;
        runJob(req, again);
        const std::string bad = allComplete(req);
        reltest::unmount(out);
        QVERIFY2(bad.empty(), bad.c_str());
    }

    // A full disk at each point of the export: room for nothing, for part of the model files, for the model files
    // but not the report that follows them, and for everything. The sizes come from a run into an ordinary folder.
    void fullOutputFolder_data()
    {
        QTest::addColumn<int>("room");
        QTest::newRow("room for nothing") << 0;
        QTest::newRow("room for half the models") << 1;
        QTest::newRow("room for the models, not the report") << 2;
        QTest::newRow("room for everything") << 3;
    }

    void fullOutputFolder()
    {
        QFETCH(int, room);
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        JobRequest req = requestFor(root / "probe");
        req.settings.textureSize = 256;
        fs::create_directory(root / "probe");
        {
            RunContext probe;
            runJob(req, probe);
        }
        constexpr std::size_t kPage = 4096; // tmpfs allocates whole pages per file
        std::size_t modelPages = 0, reportPages = 0;
        for (const auto& p : finals(req)) {
            const std::size_t pages = (fs::file_size(p) + kPage - 1) / kPage;
            (p.extension() == ".json" ? reportPages : modelPages) += pages;
        }
        const std::size_t markerPages = 1;
        const std::size_t free = room == 0 ? 0
                                 : room == 1 ? kPage * (modelPages / 2)
                                 : room == 2 ? kPage * (modelPages + markerPages)
                                             : kPage * (modelPages + markerPages + reportPages + 4);

        const fs::path out = root / "full";
        fs::create_directory(out);
        const std::string problem = reltest::mountTmpfs(out, 4u << 20);
        if (!problem.empty())
            QSKIP(("cannot mount a small tmpfs: " + problem).c_str());
        req.outputDir = out.string();
        const fs::path filler = reltest::fillUp(out, free);
        RunContext ctx;
        bool failed = false;
        try {
            runJob(req, ctx);
        } catch (const ExportError& e) {
            failed = true;
            qInfo("%zu KiB free (models %zu KiB): %s", free / 1024, modelPages * 4, e.what());
            QVERIFY2(std::string(e.what()).find("No space left on device") != std::string::npos, e.what());
        }
        QCOMPARE(failed, room < 3);
        QVERIFY(reltest::temporariesIn(out).empty());
        // Never a partial file: either no model at all, or (the report failed after them) all models complete.
        std::vector<std::string> present;
        for (const auto& p : finals(req))
            if (fs::exists(p))
                present.push_back(p.filename().string());
        if (room == 2) {
            QCOMPARE(int(present.size()), int(finals(req).size()) - 1); // all but the report
            QVERIFY(reltest::glbComplete(out / "subject.glb"));
            // The marker says these files are ours: the CLI finishes the job on the next run.
            QCOMPARE(outputState(req), OutputState::Interrupted);
        } else if (room < 2) {
            QVERIFY2(present.empty(), present.empty() ? "" : present.front().c_str());
            QCOMPARE(outputState(req), OutputState::Missing);
        }
        // Space freed: the same request works (with overwrite where the interrupted run left its models).
        fs::remove(filler);
        req.overwrite = room == 2;
        RunContext again;
        if (room < 3)
            runJob(req, again);
        const std::string bad = allComplete(req);
        reltest::unmount(out);
        QVERIFY2(bad.empty(), bad.c_str());
    }

private:
    std::string m_mountProblem;
};

QTEST_GUILESS_MAIN(TestFaultsEngine)
#include "tst_faults_engine.moc"
