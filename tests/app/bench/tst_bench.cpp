// orfeas-bench: the analytic FLOP counts (against the parameter manifest and the published figure), the statistics,
// and the program end to end on the classic backend (every JSON field present, with sane values), its cases, usage
// errors and failed runs.

#include "bench_flops.h"
#include "bench_stats.h"
#include "bench_test_util.h"

#include "orfeas/image_io.h"
#include "orfeas/model_config.h"

#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace orfeas;
using namespace benchtest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

ImageRGBA8 blob(int size, int seed)
{
    ImageRGBA8 img;
    img.width = img.height = size;
    img.pixels.resize(std::size_t(size) * size * 4);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            std::uint8_t* p = img.pixel(x, y);
            const double dx = x - size * 0.5, dy = (y - size * 0.5) * (1.0 + 0.2 * seed);
            p[0] = std::uint8_t(60 * seed);
            p[1] = std::uint8_t(x * 2);
            p[2] = std::uint8_t(y * 2);
            p[3] = dx * dx + dy * dy < size * size * 0.1 ? 255 : 0;
        }
    return img;
}

HunyuanModelConfig config(const char* folder)
{
    return loadHunyuanModelConfig((fs::path(ORFEAS_TEST_DATA_DIR) / folder / "config.yaml").string());
}

// The denoiser's linear-layer FLOPs of one sample, derived independently from the parameter manifest: every 2-D
// weight of the denoiser is a linear layer [out, in] applied to the tokens of its stream.
double manifestLinearFlops(const HunyuanModelConfig& cfg, QString& unknown)
{
    const double lx = cfg.vae.numLatents, lc = cfg.conditioner.tokens();
    double flops = 0;
    for (const ParameterSpec& p : hunyuanParameterManifest(cfg)) {
        const std::string& n = p.name;
        if (n.rfind("model.", 0) != 0 || p.shape.size() != 2)
            continue;
        double tokens = -1;
        const auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
        if (has("_mod.lin") || has("modulation") || has("time_in") || has("guidance_in"))
            tokens = 1;
        else if (has(".img_") || n == "model.latent_in.weight" || n == "model.final_layer.linear.weight")
            tokens = lx;
        else if (has(".txt_") || n == "model.cond_in.weight")
            tokens = lc;
        else if (has("single_blocks") && (has(".linear1.") || has(".linear2.")))
            tokens = lx + lc;
        if (tokens < 0) {
            unknown = QString::fromStdString(n);
            return 0;
        }
        flops += 2.0 * tokens * double(p.shape[0]) * double(p.shape[1]);
    }
    return flops;
}

} // namespace

class TestBench : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    std::string m_a, m_b, m_broken;

    std::string path(const std::string& name) const { return m_tmp.filePath(QString::fromStdString(name)).toStdString(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_a = path("a.png");
        m_b = path("b.png");
        writePng(blob(48, 0), m_a);
        writePng(blob(48, 1), m_b);
        m_broken = path("broken.png");
        std::ofstream(m_broken) << "\x89PNG\r\n\x1a\n this is not a PNG";
    }

    // The denoiser's FLOPs equal the manifest-derived count (linear layers) plus 4 L^2 h per block (attention).
    void denoiserFlopsMatchManifest_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::newRow("full size") << "hy3d-v2-0-config";
        QTest::newRow("tiny") << "hy3d-tiny";
        QTest::newRow("tiny turbo (guidance embedding)") << "hy3d-tiny-turbo";
    }
    void denoiserFlopsMatchManifest()
    {
        QFETCH(QString, folder);
        const HunyuanModelConfig cfg = config(folder.toStdString().c_str());
        QString unknown;
        const double linear = manifestLinearFlops(cfg, unknown);
        QVERIFY2(unknown.isEmpty(), qPrintable("unclassified denoiser weight " + unknown));
        const bench::DenoiserFlops f = bench::denoiserFlops(cfg, 7, 5.0);
        QVERIFY2(std::abs(f.linearPerSample - linear) <= 1e-12 * linear,
                 qPrintable(QString("formula %1, manifest %2").arg(f.linearPerSample).arg(linear)));
        const double l = cfg.vae.numLatents + cfg.conditioner.tokens();
        const double attention = (cfg.dit.depth + cfg.dit.depthSingleBlocks) * 4.0 * l * l * cfg.dit.hiddenSize;
        QCOMPARE(f.attentionPerSample, attention);
        QCOMPARE(f.perSample, f.linearPerSample + f.attentionPerSample);
        QCOMPARE(f.batch, cfg.dit.guidanceEmbed ? 1 : 2);
        QCOMPARE(f.perStep, f.perSample * f.batch);
        QCOMPARE(f.perImage, f.perStep * 7);
    }

    // ../shared/docs/hunyuan3d.md: about 18.6 TFLOP per CFG step and about 35 MFLOP per decoded point at full size.
    void fullSizeMatchesPublishedFigures()
    {
        const HunyuanModelConfig cfg = config("hy3d-v2-0-config");
        const bench::DenoiserFlops f = bench::denoiserFlops(cfg, 50, 5.0);
        QCOMPARE(f.conditionTokens, std::int64_t(1370));
        QCOMPARE(f.latentTokens, std::int64_t(3072));
        QVERIFY2(std::abs(f.perStep / 18.6e12 - 1) < 0.02, qPrintable(QString::number(f.perStep / 1e12)));
        QVERIFY(std::abs(f.perImage / 930e12 - 1) < 0.02); // issue 5: 50 CFG steps are about 930 TFLOP
        const bench::DecoderFlops d = bench::geometryDecoderFlops(cfg.vae);
        // query_proj 51->1024, c_q and c_proj 1024^2, attention 4*3072*1024, MLP 2*4*1024^2, output 1024: 33.66 M.
        const double expected = 2.0 * (51 * 1024 + 2 * 1024 * 1024 + 2 * 3072 * 1024 + 8 * 1024 * 1024 + 1024);
        QCOMPARE(d.perPoint, expected);
        QVERIFY(d.perPoint > 30e6 && d.perPoint < 36e6);
        QCOMPARE(d.perShape, 2.0 * 3072 * 1024 * 2048);
    }

    void guidanceRules()
    {
        const HunyuanModelConfig cfg = config("hy3d-tiny");
        QCOMPARE(bench::denoiserFlops(cfg, 5, 5.0).batch, 2);
        QCOMPARE(bench::denoiserFlops(cfg, 5, 0.0).batch, 2);
        QCOMPARE(bench::denoiserFlops(cfg, 5, -1.0).batch, 1); // guidance < 0: no CFG batch (the backend's rule)
        const HunyuanModelConfig turbo = config("hy3d-tiny-turbo");
        QVERIFY(turbo.dit.guidanceEmbed);
        QCOMPARE(bench::denoiserFlops(turbo, 5, 5.0).batch, 1);
    }

    void statistics()
    {
        QCOMPARE(bench::percentile({}, 50), 0.0);
        QCOMPARE(bench::percentile({3}, 95), 3.0);
        QCOMPARE(bench::percentile({4, 1, 3, 2}, 50), 2.5);
        QCOMPARE(bench::percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 95), 10.5);
        QCOMPARE(bench::percentile({5, 1}, 0), 1.0);
        QCOMPARE(bench::percentile({5, 1}, 100), 5.0);
        const bench::Summary s = bench::summarize({2, 8, 4, 6});
        QCOMPARE(s.count, std::size_t(4));
        QCOMPARE(s.min, 2.0);
        QCOMPARE(s.max, 8.0);
        QCOMPARE(s.mean, 5.0);
        QCOMPARE(s.median, 5.0);
        QVERIFY(std::abs(s.p95 - 7.7) < 1e-12);
    }

    // The classic backend end to end: every field present, with values consistent with each other and with what
    // the test saw from outside.
    void inflateEndToEnd()
    {
        const std::string jsonPath = path("inflate.json");
        const std::string out = path("models");
        const Run r = runBench({QString::fromStdString(m_a), QString::fromStdString(m_b), "--backend", "inflate",
                                "--resolution", "32", "--faces", "800", "--texture-size", "64", "--image-size", "64",
                                "--images", "3", "--warmup", "1", "--json", QString::fromStdString(jsonPath), "--out",
                                QString::fromStdString(out)});
        QVERIFY2(r.code == 0, (r.out + r.err).c_str());
        const json j = readJson(jsonPath);
        QCOMPARE(j["schema"], "orfeas.bench/1");
        QCOMPARE(j["complete"], true);
        QVERIFY(j["command"].get<std::string>().find("--images 3") != std::string::npos);
        QVERIFY(!j["started_at"].get<std::string>().empty() && !j["finished_at"].get<std::string>().empty());
        QCOMPARE(j["load_average_start"].size(), std::size_t(3));

        const json& m = j["machine"];
        QVERIFY(!m["host"].get<std::string>().empty());
        QVERIFY(!m["cpu"]["model"].get<std::string>().empty());
        QVERIFY(m["cpu"]["logical_cores"].get<int>() >= 1);
        QVERIFY(m["memory_total_mb"].get<double>() > 100);
        QVERIFY(m["gpu"]["available"].is_boolean());
        if (!m["gpu"]["available"].get<bool>())
            QVERIFY(!m["gpu"]["reason"].get<std::string>().empty());
        QVERIFY(m["torch"]["available"].is_boolean());
        QVERIFY(!m["orfeas"]["version"].get<std::string>().empty());

        QCOMPARE(j["cases"].size(), std::size_t(1));
        const json& c = j["cases"][0];
        QCOMPARE(c["name"], "default");
        QCOMPARE(c["backend"], "inflate");
        QCOMPARE(c["settings"]["resolution"], 32);
        QCOMPARE(c["settings"]["export"], true);
        QCOMPARE(c["images"]["requested"], 3);
        QCOMPARE(c["images"]["succeeded"], 3);
        QCOMPARE(c["images"]["failed"], 0);
        QCOMPARE(c["images"]["inputs"].size(), std::size_t(2));

        // Batch: images per minute from the batch's wall time, per-image statistics over the three runs.
        const json& b = c["batch"];
        const double wall = b["wall_seconds"];
        QVERIFY(wall > 0 && wall < r.seconds);
        QVERIFY(std::abs(b["images_per_minute"].get<double>() - 180.0 / wall) < 1e-9 * 180.0 / wall);
        QVERIFY(saneSummary(b["per_image_seconds"], 3));
        QVERIFY(b["per_image_seconds"]["max"].get<double>() <= wall);
        QVERIFY(std::abs(b["p95_over_median"].get<double>()
                         - b["per_image_seconds"]["p95"].get<double>() / b["per_image_seconds"]["median"].get<double>())
                < 1e-12);
        QVERIFY(b["p95_over_median"].get<double>() >= 1.0);

        // Every stage of the pipeline, timed in each run; no GPU times on the classic backend.
        std::vector<std::string> names;
        for (const auto& s : c["stages"]) {
            names.push_back(s["name"]);
            QCOMPARE(s["count"], 3);
            QVERIFY2(saneSummary(s["wall_seconds"], 3), s.dump().c_str());
            QVERIFY(s["gpu_seconds"].is_null());
            QVERIFY(s["share_of_image"].get<double>() >= 0 && s["share_of_image"].get<double>() <= 1.0 + 1e-9);
        }
        for (const char* stage : {"image_loading", "image_preprocessing", "shape_generation", "surface_extraction",
                                  "mesh_postprocess", "texture_synthesis", "mesh_export"})
            QVERIFY2(std::find(names.begin(), names.end(), stage) != names.end(), stage);
        QVERIFY(c["denoiser"].is_null());
        QVERIFY(c["decoding"].is_null());
        QVERIFY(c["peak_gpu_memory_mb"].is_null());
        const json& g = c["gpu_utilization"];
        QCOMPARE(g["available"], m["gpu"]["available"]);
        if (!g["available"].get<bool>())
            QVERIFY(!g["reason"].get<std::string>().empty());
        QVERIFY(saneSummary(c["mesh"]["faces"], 3));
        QVERIFY(c["mesh"]["faces"]["max"].get<double>() <= 800 && c["mesh"]["faces"]["min"].get<double>() > 50);
        QCOMPARE(c["failures"].size(), std::size_t(0));
        QCOMPARE(c["warmup_runs"].size(), std::size_t(1));
        QCOMPARE(c["warmup_runs"][0]["status"], "done");
        QVERIFY(c["warmup_runs"][0]["model_loading_seconds"].is_null()); // no model for the classic backend

        // Per run: the top-level stages add up to no more than the run's total.
        QCOMPARE(c["runs"].size(), std::size_t(3));
        for (const auto& run : c["runs"]) {
            QCOMPARE(run["status"], "done");
            double sum = 0;
            for (const auto& [name, s] : run["stages"].items())
                if (name.find('/') == std::string::npos)
                    sum += s["seconds"].get<double>();
            QVERIFY2(sum <= run["total_seconds"].get<double>() + 1e-3, run.dump().c_str());
            QVERIFY(run["faces"].get<int>() > 0);
        }

        // Cold start: the first output (a warm-up's GLB) exists; process start <= main <= first output <= exit.
        const json& cs = j["cold_start"];
        QVERIFY(cs.is_object());
        const double total = cs["process_start_to_first_output_seconds"];
        const double fromMain = cs["main_to_first_output_seconds"];
        QVERIFY(fromMain > 0 && total >= fromMain && total < r.seconds + 0.05);
        QVERIFY(cs["process_start_to_main_seconds"].get<double>() >= 0);
        QVERIFY(cs["first_job_seconds"].get<double>() > 0 && cs["first_job_seconds"].get<double>() <= fromMain);
        const std::string first = cs["first_output"];
        QVERIFY2(first.size() > 4 && first.substr(first.size() - 4) == ".glb", first.c_str());
        QVERIFY(fs::exists(first));
        QCOMPARE(fs::path(first).parent_path(), fs::path(out) / "default");
        for (int i = 0; i < 3; ++i)
            QVERIFY(fs::exists(fs::path(out) / "default" / ("i00" + std::to_string(i) + (i % 2 ? "-b.glb" : "-a.glb"))));

        // The human table ends with the summary.
        QVERIFY(r.out.find("== summary") != std::string::npos);
        QVERIFY(r.out.find("cold start") != std::string::npos);
    }

    // Several cases in one process: each has the base settings plus its own; without export nothing is written.
    void casesAndNoExport()
    {
        const std::string jsonPath = path("cases.json");
        const Run r = runBench({QString::fromStdString(m_a), "--backend", "inflate", "--resolution", "24", "--faces",
                                "0", "--texture-size", "32", "--image-size", "64", "--warmup", "0", "--no-export",
                                "--json", QString::fromStdString(jsonPath), "--case", "coarse: --images 2",
                                "--case", "fine: --resolution 48 --images 1 --warmup 1 --texture-size 64"});
        QVERIFY2(r.code == 0, (r.out + r.err).c_str());
        const json j = readJson(jsonPath);
        QCOMPARE(j["cases"].size(), std::size_t(2));
        const json& a = j["cases"][0];
        const json& b = j["cases"][1];
        QCOMPARE(a["name"], "coarse");
        QCOMPARE(b["name"], "fine");
        QCOMPARE(a["settings"]["resolution"], 24);
        QCOMPARE(b["settings"]["resolution"], 48);
        QCOMPARE(a["settings"]["texture_size"], 32);
        QCOMPARE(b["settings"]["texture_size"], 64);
        QCOMPARE(a["settings"]["export"], false);
        QCOMPARE(a["images"]["succeeded"], 2);
        QCOMPARE(a["warmup_runs"].size(), std::size_t(0));
        QCOMPARE(b["images"]["succeeded"], 1);
        QCOMPARE(b["warmup_runs"].size(), std::size_t(1));
        // A finer grid gives a finer mesh (no face budget).
        QVERIFY(b["mesh"]["faces"]["min"].get<double>() > a["mesh"]["faces"]["max"].get<double>());
        for (const auto& s : a["stages"])
            QVERIFY(s["name"] != "mesh_export");
        QCOMPARE(j["cold_start"]["first_output"], "");
        QCOMPARE(j["cold_start"]["case"], "coarse");
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("case without colon") << QStringList{"--backend", "inflate", "--case", "nocolon"};
        QTest::newRow("case with a bad option") << QStringList{"--case", "x: --frobnicate 3"};
        QTest::newRow("case with a bad value") << QStringList{"--case", "x: --decoder sparse"};
        QTest::newRow("case name") << QStringList{"--case", "a/b: --steps 5"};
        QTest::newRow("same case twice") << QStringList{"--case", "x: --steps 5", "--case", "x: --steps 6"};
        QTest::newRow("steps") << QStringList{"--steps", "0"};
        QTest::newRow("decoder") << QStringList{"--decoder", "sparse"};
        QTest::newRow("precision") << QStringList{"--precision", "fp8"};
        QTest::newRow("format") << QStringList{"--format", "fbx"};
        QTest::newRow("jobs") << QStringList{"--jobs", "0"};
        QTest::newRow("gpus") << QStringList{"--gpus", "0,x"};
        QTest::newRow("export and out") << QStringList{"--no-export", "--out", "somewhere"};
        QTest::newRow("missing input") << QStringList{"/nonexistent/x.png"};
        QTest::newRow("unknown option") << QStringList{"--frobnicate"};
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        const Run r = runBench(args);
        QVERIFY2(r.code == 2, (std::to_string(r.code) + ": " + r.out + r.err).c_str());
        QVERIFY(!r.err.empty());
    }

    void help()
    {
        const Run r = runBench({"--help"});
        QCOMPARE(r.code, 0);
        for (const char* opt : {"--backend", "--model", "--steps", "--guidance", "--octree", "--chunk", "--decoder",
                                "--precision", "--device", "--jobs", "--faces", "--texture-size", "--format",
                                "--images", "--warmup", "--json", "--no-export", "--case", "--gpus"})
            QVERIFY2(r.out.find(opt) != std::string::npos, opt);
    }

    // A run that fails is reported (exit status 1, a failure entry) and does not count in the statistics.
    void failedRunIsReported()
    {
        const std::string jsonPath = path("failed.json");
        const Run r = runBench({QString::fromStdString(m_a), QString::fromStdString(m_broken), "--backend", "inflate",
                                "--resolution", "24", "--texture-size", "32", "--image-size", "64", "--warmup", "0",
                                "--no-export", "--json", QString::fromStdString(jsonPath)});
        QVERIFY2(r.code == 1, (r.out + r.err).c_str());
        const json j = readJson(jsonPath);
        const json& c = j["cases"][0];
        QCOMPARE(c["images"]["requested"], 2);
        QCOMPARE(c["images"]["succeeded"], 1);
        QCOMPARE(c["images"]["failed"], 1);
        QCOMPARE(c["failures"].size(), std::size_t(1));
        QVERIFY(c["failures"][0]["input"].get<std::string>().find("broken.png") != std::string::npos);
        QCOMPARE(c["failures"][0]["error_kind"], "bad_input");
        QCOMPARE(c["batch"]["per_image_seconds"]["count"], 1);
        QVERIFY(r.out.find("FAILED") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestBench)
#include "tst_bench.moc"
