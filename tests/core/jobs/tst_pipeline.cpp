// The one job path end to end (classic backend): outputs, typed errors that leave nothing behind, cancellation at
// every stage, byte-identical outputs, and what is on disk before a run (OutputState).

#include "../image/test_images.h"

#include "orfeas/errors.h"
#include "orfeas/image_io.h"
#include "orfeas/job_queue.h"
#include "orfeas/mesh_processing.h"
#include "orfeas/pipeline.h"

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <set>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {

// A soft-edged disc with alpha: the classic backend makes a near-sphere of it.
ImageRGBA8 discImage(int size = 96)
{
    return testimg::makeImage(size, size, [size](int x, int y, std::uint8_t* p) {
        const double dx = x + 0.5 - size / 2.0, dy = y + 0.5 - size / 2.0;
        const double r = std::sqrt(dx * dx + dy * dy);
        p[0] = std::uint8_t(200 - x);
        p[1] = std::uint8_t(60 + y);
        p[2] = 90;
        p[3] = r < size * 0.35 ? 255 : 0;
    });
}

JobRequest smallRequest(const std::string& input, const std::string& outDir)
{
    JobRequest r;
    r.inputPath = input;
    r.outputDir = outDir;
    r.settings.backend = BackendChoice::Inflate;
    r.settings.resolution = 40;
    r.settings.imageSize = 96;
    r.settings.textureSize = 64;
    r.settings.faceBudget = 2000;
    r.settings.formats = {ExportFormat::Glb, ExportFormat::Obj, ExportFormat::Stl, ExportFormat::Ply};
    return r;
}

std::set<std::string> listing(const std::string& dir)
{
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.insert(e.path().filename().string());
    return names;
}

std::vector<std::uint8_t> readBytes(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsEveryStageAndWritesEveryFormat()
    {
        QTemporaryDir tmp;
        const std::string in = tmp.filePath("disc.png").toStdString();
        writePng(discImage(), in);
        const std::string out = tmp.filePath("out").toStdString();
        fs::create_directories(out);
        std::vector<ProgressEvent> events;
        RunContext ctx([&](const ProgressEvent& e) { events.push_back(e); }, {});
        JobResult r = runJob(smallRequest(in, out), ctx);
        QCOMPARE(r.report.status, std::string("done"));
        QCOMPARE(r.report.backend, std::string("inflate"));
        // every stage reported start and end, in pipeline order
        std::vector<Stage> order;
        for (const auto& e : events)
            if (order.empty() || order.back() != e.stage)
                order.push_back(e.stage);
        QCOMPARE(order, std::vector<Stage>(kAllStages.begin(), kAllStages.end()));
        for (Stage s : kAllStages)
            QVERIFY2(r.report.timings.end() != std::find_if(r.report.timings.begin(), r.report.timings.end(),
                                                            [&](const TimingRecord& t) { return t.path == stageName(s); }),
                     stageName(s).data());
        const std::set<std::string> expected = {"disc.glb", "disc.obj", "disc.mtl", "disc_texture.png",
                                                "disc.stl", "disc.ply", "disc.report.json"};
        QCOMPARE(listing(out), expected);
        QVERIFY(analyzeTopology(r.mesh).isWatertight());
        QVERIFY(r.report.faces > 100 && r.report.faces <= 2000);
        QCOMPARE(outputState(smallRequest(in, out)), OutputState::Complete);
    }

    void sameInputGivesByteIdenticalFiles()
    {
        QTemporaryDir tmp;
        const std::string in = tmp.filePath("disc.png").toStdString();
        writePng(discImage(), in);
        std::vector<std::string> dirs = {tmp.filePath("a").toStdString(), tmp.filePath("b").toStdString()};
        for (const auto& d : dirs) {
            fs::create_directories(d);
            RunContext ctx;
            runJob(smallRequest(in, d), ctx);
        }
        for (const char* name : {"disc.glb", "disc.obj", "disc.mtl", "disc_texture.png", "disc.stl", "disc.ply"})
            QVERIFY2(readBytes(dirs[0] + "/" + name) == readBytes(dirs[1] + "/" + name), name);
    }

    void badInputsGiveTypedErrorsAndLeaveNothing_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("errorKind");
        QTest::addColumn<int>("stage");
        QTest::newRow("empty file") << "empty" << int(ErrorKind::BadInput) << int(Stage::ImageLoading);
        QTest::newRow("truncated png") << "truncated" << int(ErrorKind::BadInput) << int(Stage::ImageLoading);
        QTest::newRow("text named png") << "text" << int(ErrorKind::BadInput) << int(Stage::ImageLoading);
        QTest::newRow("40000x40000 header") << "huge" << int(ErrorKind::BadInput) << int(Stage::ImageLoading);
        QTest::newRow("fully transparent") << "transparent" << int(ErrorKind::BadInput)
                                           << int(Stage::ImagePreprocessing);
        QTest::newRow("unwritable output folder") << "unwritable" << int(ErrorKind::Export) << int(Stage::MeshExport);
        QTest::newRow("missing output folder") << "nofolder" << int(ErrorKind::Export) << -1;
        QTest::newRow("missing input") << "missing" << int(ErrorKind::BadInput) << int(Stage::ImageLoading);
    }
    void badInputsGiveTypedErrorsAndLeaveNothing()
    {
        QFETCH(QString, kind);
        QFETCH(int, errorKind);
        QFETCH(int, stage);
        QTemporaryDir tmp;
        const std::string in = tmp.filePath("input.png").toStdString();
        std::string out = tmp.filePath("out").toStdString();
        fs::create_directories(out);
        const auto good = encodePng(discImage());
        if (kind == "empty")
            testimg::writeFile(in, {});
        else if (kind == "truncated")
            testimg::writeFile(in, testimg::Bytes(good.begin(), good.begin() + long(good.size() / 2)));
        else if (kind == "text")
            testimg::writeFile(in, testimg::Bytes{'h', 'e', 'l', 'l', 'o', '\n'});
        else if (kind == "huge")
            testimg::writeFile(in, testimg::craftedPngHeader(40000, 40000));
        else if (kind == "transparent")
            writePng(testimg::makeImage(32, 32, [](int, int, std::uint8_t* p) { p[0] = p[1] = p[2] = 9, p[3] = 0; }), in);
        else
            testimg::writeFile(in, good);
        if (kind == "unwritable") {
            // A folder under /proc cannot hold files, even for root (permission bits would not stop root).
            out = "/proc/self";
        } else if (kind == "nofolder") {
            out = tmp.filePath("does/not/exist").toStdString();
        }
        JobRequest req = smallRequest(kind == "missing" ? tmp.filePath("nope.png").toStdString() : in, out);
        RunContext ctx;
        try {
            runJob(req, ctx);
            QFAIL("bad input accepted");
        } catch (const Error& e) {
            QCOMPARE(int(e.kind()), errorKind);
            if (stage >= 0) {
                QVERIFY(e.stage().has_value());
                QCOMPARE(int(*e.stage()), stage);
            }
            QVERIFY(std::string(e.what()).size() > 10);
        }
        if (kind != "unwritable" && kind != "nofolder")
            QVERIFY(listing(out).empty());
    }

    void cancellingAtEachStageLeavesNothing_data()
    {
        QTest::addColumn<int>("stage");
        for (Stage s : kAllStages)
            QTest::newRow(stageName(s).data()) << int(s);
    }
    void cancellingAtEachStageLeavesNothing()
    {
        QFETCH(int, stage);
        QTemporaryDir tmp;
        const std::string in = tmp.filePath("disc.png").toStdString();
        writePng(discImage(), in);
        const std::string out = tmp.filePath("out").toStdString();
        fs::create_directories(out);
        CancelToken token;
        RunContext ctx(
            [&](const ProgressEvent& e) {
                if (int(e.stage) == stage)
                    token.cancel();
            },
            {}, token);
        try {
            runJob(smallRequest(in, out), ctx);
            QFAIL("the run was not cancelled");
        } catch (const CancelledError& e) {
            QVERIFY(e.stage().has_value());
            QVERIFY(int(*e.stage()) >= stage);
        }
        QVERIFY2(listing(out).empty(), "files left behind after cancelling");
    }

    void existingFilesAreNeverReplacedWithoutAsking()
    {
        QTemporaryDir tmp;
        const std::string in = tmp.filePath("disc.png").toStdString();
        writePng(discImage(), in);
        const std::string out = tmp.filePath("out").toStdString();
        fs::create_directories(out);
        testimg::writeFile(out + "/disc.glb", {'m', 'i', 'n', 'e'});
        JobRequest req = smallRequest(in, out);
        QCOMPARE(outputState(req), OutputState::Foreign);
        RunContext ctx;
        QVERIFY_THROWS_EXCEPTION(ExportError, runJob(req, ctx));
        QCOMPARE(readBytes(out + "/disc.glb"), (std::vector<std::uint8_t>{'m', 'i', 'n', 'e'}));
        QCOMPARE(int(listing(out).size()), 1);
        // Asked to: replaced.
        req.overwrite = true;
        RunContext ctx2;
        runJob(req, ctx2);
        QVERIFY(readBytes(out + "/disc.glb").size() > 100);
    }

    void interruptedRunsAreRecognised()
    {
        QTemporaryDir tmp;
        const std::string in = tmp.filePath("disc.png").toStdString();
        writePng(discImage(), in);
        const std::string out = tmp.filePath("out").toStdString();
        fs::create_directories(out);
        JobRequest req = smallRequest(in, out);
        QCOMPARE(outputState(req), OutputState::Missing);
        RunContext ctx;
        runJob(req, ctx);
        QVERIFY(!fs::exists(out + "/.disc.orfeas-writing")); // the marker goes once the report is in place
        fs::remove(out + "/disc.report.json");
        QCOMPARE(outputState(req), OutputState::Foreign); // models without report or marker: not provably ours
        testimg::writeFile(out + "/.disc.orfeas-writing", {'x'});
        QCOMPARE(outputState(req), OutputState::Interrupted);
        QVERIFY(!removeStaleWritingMarker(req)); // incomplete: the marker is what makes the files ours
        QVERIFY(fs::exists(out + "/.disc.orfeas-writing"));
        req.writeRunReport = false;
        QCOMPARE(outputState(req), OutputState::Complete);
        // Complete outputs with a marker (killed after the report's rename, before the marker's removal): stale.
        QVERIFY(removeStaleWritingMarker(req));
        QVERIFY(!fs::exists(out + "/.disc.orfeas-writing"));
        QCOMPARE(outputState(req), OutputState::Complete);
        QVERIFY(!removeStaleWritingMarker(req));
    }

    void jobQueueRunsConcurrentJobsAndCancels()
    {
        QTemporaryDir tmp;
        const std::string in = tmp.filePath("disc.png").toStdString();
        writePng(discImage(), in);
        std::mutex m;
        std::map<JobId, std::vector<JobEvent::Type>> seen;
        std::map<JobId, std::string> status;
        {
            JobQueue queue(2);
            queue.setEventCallback([&](const JobEvent& e) {
                std::lock_guard lock(m);
                seen[e.id].push_back(e.type);
            });
            queue.setResultCallback([&](JobId id, JobResult&& r) {
                std::lock_guard lock(m);
                status[id] = r.report.status;
            });
            std::vector<JobId> ids;
            for (int i = 0; i < 6; ++i) {
                const std::string d = tmp.filePath(QString("o%1").arg(i)).toStdString();
                fs::create_directories(d);
                ids.push_back(queue.submit(smallRequest(in, d)));
            }
            queue.cancel(ids.back()); // still queued: dropped
            queue.waitAll();
            QCOMPARE(queue.pendingCount(), 0);
        }
        QCOMPARE(int(status.size()), 6);
        int done = 0, cancelled = 0;
        for (auto& [id, s] : status) {
            done += s == "done";
            cancelled += s == "cancelled";
            auto& ev = seen[id];
            QCOMPARE(ev.front(), JobEvent::Type::Queued);
            QCOMPARE(ev.back(), JobEvent::Type::Finished);
        }
        QCOMPARE(done, 5);
        QCOMPARE(cancelled, 1);
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
