// orfeas-bench on the neural backend: the tiny fixture model on the CPU (octree 16, 2 steps). Checks the fields
// that only neural runs have: the denoiser's FLOPs and rate, the decoded points, model loading and the cold start.

#include "bench_flops.h"
#include "bench_test_util.h"

#include "orfeas/model_config.h"

#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace orfeas;
using namespace benchtest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kModel = (fs::path(ORFEAS_TEST_DATA_DIR) / "hy3d-tiny").string();
const std::string kTurbo = (fs::path(ORFEAS_TEST_DATA_DIR) / "hy3d-tiny-turbo").string();
const std::string kImage = (fs::path(ORFEAS_TEST_DATA_DIR) / "hy3d-tiny" / "input.png").string();

bool near(double a, double b, double rel = 1e-9)
{
    return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

} // namespace

class TestBenchNeural : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;

    std::string path(const std::string& name) const { return m_tmp.filePath(QString::fromStdString(name)).toStdString(); }

private Q_SLOTS:
    void denseAndHierarchical()
    {
        const std::string jsonPath = path("neural.json");
        const Run r = runBench({QString::fromStdString(kImage), "--backend", "hunyuan3d", "--model",
                                QString::fromStdString(kModel), "--device", "cpu", "--octree", "16", "--steps", "2",
                                "--texture-size", "64", "--warmup", "1", "--images", "2", "--json",
                                QString::fromStdString(jsonPath), "--out", QString::fromStdString(path("models")),
                                "--case", "dense: --decoder dense", "--case", "hier: --decoder hierarchical",
                                "--case", "turbo: --decoder dense --images 1 --warmup 0 --model " + QString::fromStdString(kTurbo)});
        QVERIFY2(r.code == 0, (r.out + r.err).c_str());
        const json j = readJson(jsonPath);
        QCOMPARE(j["cases"].size(), std::size_t(3));

        const double dense = 17.0 * 17.0 * 17.0;

        for (const json& c : j["cases"]) {
            const bool turbo = c["name"] == "turbo";
            const std::string folder = turbo ? kTurbo : kModel;
            const HunyuanModelConfig cfg = loadHunyuanModelConfig(folder + "/config.yaml");
            const bench::DenoiserFlops flops = bench::denoiserFlops(cfg, 2, 5.0);
            const bench::DecoderFlops dec = bench::geometryDecoderFlops(cfg.vae);
            QCOMPARE(c["backend"], "hunyuan3d");
            QVERIFY(c["model"].get<std::string>().find(turbo ? "hy3d-tiny-turbo" : "hy3d-tiny") != std::string::npos);
            QCOMPARE(fs::path(c["model_folder"].get<std::string>()), fs::path(folder));
            const std::size_t n = turbo ? 1 : 2;
            QCOMPARE(c["images"]["succeeded"].get<std::size_t>(), n);

            // Denoiser: analytic FLOPs from config.yaml; on the CPU the rate is per wall second of the sampling loop.
            const json& d = c["denoiser"];
            QVERIFY2(d.is_object(), c.dump().c_str());
            QCOMPARE(d["steps"], 2);
            QCOMPARE(d["cfg_batch"], turbo ? 1 : 2); // the turbo model is guidance-distilled: no CFG batch
            QCOMPARE(d["config"]["guidance_embed"], turbo);
            QVERIFY(near(d["tflop_per_forward_sample"].get<double>(), flops.perSample / 1e12));
            QVERIFY(near(d["tflop_per_step"].get<double>(), flops.perSample * d["cfg_batch"].get<int>() / 1e12));
            QVERIFY(near(d["tflop_per_image"].get<double>(), d["tflop_per_step"].get<double>() * 2));
            QCOMPARE(d["config"]["hidden_size"], cfg.dit.hiddenSize);
            QCOMPARE(d["config"]["latent_tokens"], cfg.vae.numLatents);
            QCOMPARE(d["config"]["condition_tokens"], cfg.conditioner.tokens());
            if (!turbo)
                QCOMPARE(d["config"]["condition_tokens"], 26); // hy3d-tiny: 5x5 patches + CLS
            QCOMPARE(d["basis"], "wall");              // no CUDA events on the CPU
            QVERIFY(d["seconds_gpu"].is_null() && d["tflops_gpu"].is_null());
            QVERIFY(saneSummary(d["seconds_wall"], n));
            QVERIFY(saneSummary(d["tflops_wall"], n));
            // rate = FLOPs / seconds, image by image: the median rate lies between FLOPs/max and FLOPs/min seconds.
            const double rate = d["achieved_tflops"];
            const double perImage = d["tflop_per_image"];
            QVERIFY(std::isfinite(rate) && rate > 0);
            QVERIFY(rate <= perImage / d["seconds_wall"]["min"].get<double>() * (1 + 1e-9));
            QVERIFY(rate >= perImage / d["seconds_wall"]["max"].get<double>() * (1 - 1e-9));
            QVERIFY(near(d["seconds_per_step"].get<double>(), d["seconds_wall"]["median"].get<double>() / 2));

            // Decoding: points evaluated, the dense grid's size, FLOPs per point from the configuration.
            const json& v = c["decoding"];
            QVERIFY(v.is_object());
            QCOMPARE(v["dense_points"].get<double>(), dense);
            const double points = v["points_evaluated"]["median"];
            QVERIFY(saneSummary(v["points_evaluated"], n));
            if (c["settings"]["decoder"] == "dense")
                QCOMPARE(points, dense);
            else
                QVERIFY(points > 0 && points <= dense); // hierarchical: a subset (dense until it exists)
            QVERIFY(near(v["fraction_of_dense"].get<double>(), points / dense));
            QVERIFY(near(v["mflop_per_point"].get<double>(), dec.perPoint / 1e6));
            QVERIFY(v["points_per_second"].get<double>() > 0);
            QVERIFY(near(v["achieved_tflops"].get<double>(), v["points_per_second"].get<double>() * dec.perPoint / 1e12));
            QVERIFY(c["peak_gpu_memory_mb"].is_null()); // measured on CUDA only

            bool sawDiffusion = false;
            for (const auto& s : c["stages"])
                sawDiffusion = sawDiffusion || s["name"] == "shape_generation/diffusion_sampling";
            QVERIFY(sawDiffusion);
        }

        // The model is loaded once, by the first warm-up run of the first case; the next case reuses it.
        const json& first = j["cases"][0]["warmup_runs"][0];
        QVERIFY(first["model_loading_seconds"].is_number() && first["model_loading_seconds"].get<double>() > 0);
        QVERIFY(j["cases"][1]["warmup_runs"][0]["model_loading_seconds"].is_null());
        const json& cs = j["cold_start"];
        QCOMPARE(cs["case"], "dense");
        QVERIFY(cs["model_loading_seconds"].get<double>() > 0);
        QVERIFY(cs["model_loading_seconds"].get<double>() <= cs["first_job_seconds"].get<double>());
        QVERIFY(cs["first_job_seconds"].get<double>() <= cs["main_to_first_output_seconds"].get<double>());
        QVERIFY(fs::exists(cs["first_output"].get<std::string>()));
        QCOMPARE(j["machine"]["torch"]["available"], true);
        QVERIFY(r.out.find("denoiser:") != std::string::npos && r.out.find("decoding:") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestBenchNeural)
#include "tst_bench_neural.moc"
