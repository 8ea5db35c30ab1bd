// Parity of the neural backend with the reference implementation: every stage of the tiny fixtures, fed with the
// reference's own input for that stage, through the engine's reference check (what `orfeas model check` runs).

#include "orfeas/errors.h"
#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include <QtTest>

#include <fstream>
#include <sstream>

using namespace orfeas;

namespace {

const std::string kData = ORFEAS_TEST_DATA_DIR;

} // namespace

class TestHunyuanParity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!neuralRuntimeInfo().available)
            QSKIP("built without LibTorch");
    }

    void stagesMatchReference_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<int>("weights");
        QTest::addColumn<int>("chunk");
        QTest::addColumn<double>("stageTolerance");
        QTest::addColumn<double>("loopTolerance");
        QTest::addColumn<bool>("plainGuidance");
        // float32 weights: the fixtures' exact-float32 bounds, 1e-5 per stage and 1e-4 for the loop (measured here:
        // at most 2e-6 per stage for hy3d-tiny). The guidance-distilled turbo denoiser embeds the guidance scale
        // like a timestep, at t = 5000: its sines then amplify last-bit differences between float32 exp/sin/cos
        // implementations (an exact-arithmetic embedding lands 2.5e-5 from the reference, ours 1.2e-5), so its
        // rows allow 2e-5 per stage.
        // float16 weights: the reference outputs were made with the float32 weights; rounding the weights to
        // float16 (relative error up to 2^-11 = 4.9e-4 per weight) moves every stage by up to 8e-4 of its scale
        // (measured), so those rows allow 2e-3: they bound the effect of the weights file, not of our arithmetic.
        const int fp32 = int(WeightsPreference::Fp32), fp16 = int(WeightsPreference::Fp16);
        for (const char* folder : { "hy3d-tiny", "hy3d-tiny-turbo" }) {
            const std::string f = folder;
            const double stage = f == "hy3d-tiny" ? 1e-5 : 2e-5;
            QTest::newRow((f + " fp32").c_str()) << folder << fp32 << 0 << stage << 1e-4 << false;
            QTest::newRow((f + " fp32 small chunks").c_str()) << folder << fp32 << 1000 << stage << 1e-4 << false;
            QTest::newRow((f + " fp16 weights").c_str()) << folder << fp16 << 0 << 2e-3 << 2e-3 << false;
        }
        // The sampling loop with guidance normally runs the denoiser's guided pass (the all-zero unconditional
        // condition computed once, HunyuanDit::forwardGuided); the plain batch of two must match as well.
        QTest::newRow("hy3d-tiny fp32 plain guidance batch") << "hy3d-tiny" << fp32 << 0 << 1e-5 << 1e-4 << true;
    }
    void stagesMatchReference()
    {
        QFETCH(QString, folder);
        QFETCH(int, weights);
        QFETCH(int, chunk);
        QFETCH(double, stageTolerance);
        QFETCH(double, loopTolerance);
        QFETCH(bool, plainGuidance);
        if (plainGuidance)
            qputenv("ORFEAS_CFG_COMPRESS", "0");
        const auto restore = qScopeGuard([] { qunsetenv("ORFEAS_CFG_COMPRESS"); });
        ReferenceCheckOptions o;
        o.modelPath = kData + "/" + folder.toStdString();
        o.referencePath = o.modelPath + "/io.safetensors";
        o.weights = WeightsPreference(weights);
        o.device = "cpu";
        o.precision = Precision::Fp32;
        o.chunkSize = chunk;
        o.stageTolerance = stageTolerance;
        o.loopTolerance = loopTolerance;
        RunContext ctx;
        const ReferenceCheckReport report = checkAgainstReference(o, ctx);
        const bool fp16 = o.weights == WeightsPreference::Fp16;
        QVERIFY(report.weightsFile.find(fp16 ? "model.fp16.safetensors" : "/model.safetensors") != std::string::npos);
        const std::vector<std::string> expected = { "schedule", "conditioner", "denoiser", "sampling", "sampling_batch",
            "vae", "geometry", "grid", "pipeline" };
        QCOMPARE(report.stages.size(), expected.size());
        for (const StageCheck& s : report.stages)
            qInfo("%-12s rel %.3g abs %.3g (tolerance %.3g) %.4f s [%s]", s.stage.c_str(), s.relError, s.maxAbsError,
                s.tolerance, s.seconds, s.detail.c_str());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const StageCheck& s = report.stages[i];
            QCOMPARE(s.stage, expected[i]);
            QVERIFY2(s.passed, (s.stage + " differs from the reference").c_str());
        }
        QVERIFY(report.passed());
        QVERIFY(report.skipped.empty());
        if (fp16) {
            // The float16 file really is different: an exact match would mean the wrong file was read.
            double worst = 0;
            for (const auto& s : report.stages)
                worst = std::max(worst, s.relError);
            QVERIFY(worst > 1e-5);
        }
    }

    // DINOv2 when the encoder's grid (84 px: 6x6 patches) differs from the stored position embeddings' (70 px:
    // 5x5): bicubic interpolation of the embeddings, plus the encoder's antialiased downscaling and centre crop of
    // a square and of a wide input. Reference: Hugging Face transformers 5.17 / torchvision 0.26
    // (tests/data/dinov2-interp/make_fixture.py); the conditioner's weights are put into the tiny model.
    void dinov2InterpolatesPositions_data()
    {
        QTest::addColumn<QString>("io");
        QTest::newRow("square 100x100") << "io-square.safetensors";
        QTest::newRow("wide 131x90") << "io-wide.safetensors";
    }
    void dinov2InterpolatesPositions()
    {
        QFETCH(QString, io);
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        std::ifstream in(kData + "/hy3d-tiny/config.yaml");
        std::stringstream config;
        config << in.rdbuf();
        std::string text = config.str();
        const std::string encoderSize = "        image_size: 70\n        use_cls_token";
        QVERIFY(text.find(encoderSize) != std::string::npos);
        text.replace(text.find(encoderSize), 22, "        image_size: 84");
        std::ofstream(folder + "/config.yaml") << text;

        const SafetensorsFile tiny(kData + "/hy3d-tiny/model.safetensors");
        const SafetensorsFile dino(kData + "/dinov2-interp/weights.safetensors");
        std::vector<TensorToWrite> tensors;
        for (const SafetensorsFile* f : { &tiny, &dino }) {
            for (const auto& t : f->tensors()) {
                const bool conditioner = t.name.rfind("conditioner.", 0) == 0;
                if (conditioner == (f == &dino))
                    tensors.push_back({ t.name, t.dtype, t.shape, f->data(t) });
            }
        }
        writeSafetensors(folder + "/model.safetensors", tensors);

        ReferenceCheckOptions o;
        o.modelPath = folder;
        o.referencePath = kData + "/dinov2-interp/" + io.toStdString();
        RunContext ctx;
        const ReferenceCheckReport report = checkAgainstReference(o, ctx);
        QCOMPARE(report.stages.size(), std::size_t(1));
        const StageCheck& s = report.stages[0];
        qInfo("%s rel %.3g abs %.3g", s.stage.c_str(), s.relError, s.maxAbsError);
        QCOMPARE(s.stage, std::string("conditioner"));
        QCOMPARE(s.detail, std::string("1x37x48"));
        QVERIFY2(s.passed, "the conditioner differs from Hugging Face's Dinov2Model");
        QCOMPARE(report.skipped.size(), std::size_t(7));
    }

    // The check itself must fail when a stage is wrong: a reference whose stored output was altered.
    void detectsDifferences()
    {
        ReferenceCheckOptions o;
        o.modelPath = kData + "/hy3d-tiny";
        o.referencePath = kData + "/hy3d-tiny-turbo/io.safetensors"; // the other model's outputs
        RunContext ctx;
        const ReferenceCheckReport report = checkAgainstReference(o, ctx);
        QVERIFY(!report.passed());
        int failed = 0;
        for (const auto& s : report.stages)
            failed += s.passed ? 0 : 1;
        QVERIFY(failed >= 5);
    }
};

QTEST_GUILESS_MAIN(TestHunyuanParity)
#include "tst_hunyuan_parity.moc"
