#include "orfeas/errors.h"
#include "orfeas/gpu_monitor.h"
#include "orfeas/report.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace orfeas;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
RunReport makeRun(const std::string& input, double total, double shape, const std::string& start = {})
{
    RunReport r;
    r.input = input;
    r.status = "done";
    r.backend = "inflate";
    r.totalSeconds = total;
    r.startedAt = start.empty() ? isoTimestampUtc() : start;
    r.timings = {{"image_loading", 0.05, -1, 1},
                 {"shape_generation", shape, -1, 1},
                 {"shape_generation/diffusion_sampling", shape * 0.5, -1, 1},
                 {"mesh_export", total - shape - 0.05, -1, 1}};
    r.faces = 1000;
    r.outputs = {"/out/" + input + ".glb"};
    return r;
}

void writeFile(const fs::path& p, const std::string& text)
{
    std::ofstream(p) << text;
}
} // namespace

class TestReports : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runReportRoundTrips()
    {
        RunReport r = makeRun("a.png", 2.0, 1.5);
        r.settings.steps = 7;
        r.settings.formats = {ExportFormat::Obj, ExportFormat::Stl};
        r.warnings = {"w"};
        r.peakGpuMemoryMB = 123.5;
        const RunReport back = runReportFromJson(runReportToJson(r));
        QCOMPARE(back.input, r.input);
        QCOMPARE(back.totalSeconds, r.totalSeconds);
        QCOMPARE(back.timings.size(), r.timings.size());
        QCOMPARE(back.timings[1].path, std::string("shape_generation"));
        QCOMPARE(back.settings.steps, 7);
        QCOMPARE(int(back.settings.formats.size()), 2);
        QCOMPARE(back.peakGpuMemoryMB, 123.5);
        QVERIFY_THROWS_EXCEPTION(BadInputError, runReportFromJson("{}"));
        QVERIFY_THROWS_EXCEPTION(BadInputError, runReportFromJson("not json"));
    }

    void performanceReportStatisticsComeFromTheRuns()
    {
        std::vector<RunReport> runs;
        for (int i = 1; i <= 5; ++i)
            runs.push_back(makeRun("r" + std::to_string(i), double(i), 0.8 * i));
        RunReport failed;
        failed.input = "bad.png";
        failed.status = "failed";
        failed.errorKind = "bad_input";
        failed.errorMessage = "not an image";
        runs.push_back(failed);
        const json j = json::parse(performanceReportJson(runs, 10.0));
        QCOMPARE(j["batch"]["runs"].get<int>(), 6);
        QCOMPARE(j["batch"]["succeeded"].get<int>(), 5);
        QCOMPARE(j["batch"]["failed"].get<int>(), 1);
        QCOMPARE(j["batch"]["images_per_minute"].get<double>(), 30.0);
        QCOMPARE(j["duration_seconds"]["average"].get<double>(), 3.0);
        QCOMPARE(j["duration_seconds"]["min"].get<double>(), 1.0);
        QCOMPARE(j["duration_seconds"]["max"].get<double>(), 5.0);
        QCOMPARE(j["duration_seconds"]["p95"].get<double>(), 4.8); // linear interpolation between ranks
        double shapeShare = -1;
        for (const auto& s : j["stages"])
            if (s["name"] == "shape_generation")
                shapeShare = s["share_of_total"].get<double>();
        QVERIFY(std::abs(shapeShare - 0.8) < 1e-9);
        QCOMPARE(j["bottlenecks"][0]["stage"].get<std::string>(), std::string("shape_generation"));
        QCOMPARE(j["bottlenecks"][0]["severity"].get<std::string>(), std::string("high"));
        QCOMPARE(j["failures"][0]["error_kind"].get<std::string>(), std::string("bad_input"));
        QCOMPARE(j["sub_stages"][0]["name"].get<std::string>(), std::string("shape_generation/diffusion_sampling"));
    }

    void recommendationsFollowTheNumbers()
    {
        std::vector<RunReport> runs;
        for (int i = 0; i < 4; ++i) {
            RunReport r = makeRun("n" + std::to_string(i), 10.0, 9.0);
            r.backend = "hunyuan3d";
            r.model = "hunyuan3d-dit-v2-0 (fp32, cpu)";
            runs.push_back(r);
        }
        const json j = json::parse(performanceReportJson(runs, 40.0));
        bool cpuAdvice = false;
        for (const auto& r : j["recommendations"])
            cpuAdvice |= r["text"].get<std::string>().find("CPU") != std::string::npos;
        QVERIFY(cpuAdvice);
        // A fast classic batch without dominant stages gets no advice about the neural backend.
        const json k = json::parse(performanceReportJson({makeRun("a", 1.0, 0.3)}, 1.0));
        for (const auto& r : k["recommendations"])
            QVERIFY(r["text"].get<std::string>().find("CPU") == std::string::npos);
    }

    void gpuReportSaysWhyWhenThereIsNoGpu()
    {
        GpuTelemetry t;
        t.available = false;
        t.unavailableReason = "no NVIDIA GPU detected";
        const json j = json::parse(gpuReportJson(t));
        QCOMPARE(j["available"].get<bool>(), false);
        QCOMPARE(j["reason"].get<std::string>(), std::string("no NVIDIA GPU detected"));
        QCOMPARE(j["samples"].size(), std::size_t(0));
        const GpuTelemetry back = gpuTelemetryFromJson(gpuReportJson(t));
        QCOMPARE(back.available, false);
    }

    void monitorOnThisMachineIsHonest()
    {
        GpuMonitor m;
        m.start(0.01);
        QTest::qWait(50);
        m.stop();
        const GpuTelemetry t = m.telemetry();
        if (!t.available) {
            QVERIFY(!t.unavailableReason.empty());
            QVERIFY(t.samples.empty()); // no invented figures
        } else {
            QVERIFY(!t.devices.empty());
            QVERIFY(!t.samples.empty());
        }
    }

    void mergeCombinesShardFolders()
    {
        QTemporaryDir tmp;
        const fs::path a = fs::path(tmp.path().toStdString()) / "a";
        const fs::path b = fs::path(tmp.path().toStdString()) / "b";
        fs::create_directories(a);
        fs::create_directories(b);
        writeFile(a / "x.report.json", runReportToJson(makeRun("x.png", 2.0, 1.0, "2026-01-01T00:00:00.000Z")));
        writeFile(a / "y.report.json", runReportToJson(makeRun("y.png", 2.0, 1.0, "2026-01-01T00:00:01.000Z")));
        writeFile(b / "z.report.json", runReportToJson(makeRun("z.png", 3.0, 1.0, "2026-01-01T00:00:05.500Z")));
        GpuTelemetry t;
        t.unavailableReason = "no NVIDIA GPU detected";
        writeFile(a / "gpu_report.shard-0-of-2.json", gpuReportJson(t));
        const MergedReports m = mergeReportFolders({a.string(), b.string()});
        QCOMPARE(m.runs, 3);
        QVERIFY(m.duplicates.empty());
        const json j = json::parse(m.performanceJson);
        QCOMPARE(j["batch"]["succeeded"].get<int>(), 3);
        QCOMPARE(j["batch"]["wall_seconds"].get<double>(), 8.5); // 00:00:00 .. 00:00:08.5
        // the same input in two shards is flagged
        writeFile(b / "x.report.json", runReportToJson(makeRun("x.png", 2.0, 1.0)));
        QCOMPARE(mergeReportFolders({a.string(), b.string()}).duplicates, std::vector<std::string>{"x.png"});
        writeFile(b / "broken.report.json", "{ nope");
        QVERIFY_THROWS_EXCEPTION(BadInputError, mergeReportFolders({a.string(), b.string()}));
        QVERIFY_THROWS_EXCEPTION(BadInputError, mergeReportFolders({(a / "missing").string()}));
    }
};

QTEST_GUILESS_MAIN(TestReports)
#include "tst_reports.moc"
