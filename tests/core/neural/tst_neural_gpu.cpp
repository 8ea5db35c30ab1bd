// The neural backend on a CUDA device (label gpu; skipped without one): every stage of both tiny fixtures against
// the reference in float32 and float16 (the fused GPU paths, the guided pass with a batch of two included), and two
// concurrent runs sharing one sampling loop on the GPU (cross-job batching, switched on for the test).

#include "orfeas/errors.h"
#include "orfeas/neural.h"

#include "neural_test_util.h"

#include <QtTest>

using namespace orfeas;

namespace {

const std::string kData = ORFEAS_TEST_DATA_DIR;

bool cudaPresent()
{
    const auto info = neuralRuntimeInfo();
    return info.available && info.cudaDeviceCount > 0;
}

} // namespace

class TestNeuralGpu : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!cudaPresent())
            QSKIP("no CUDA device (or built without LibTorch)");
    }

    void stagesMatchReferenceOnCuda_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<int>("precision");
        QTest::addColumn<double>("stageTolerance");
        QTest::addColumn<double>("loopTolerance");
        // The bounds `orfeas model check` uses by default (app/cli/cli_model.cpp).
        for (const char* f : { "hy3d-tiny", "hy3d-tiny-turbo" }) {
            QTest::newRow((std::string(f) + " fp32").c_str()) << f << int(Precision::Fp32) << 2e-5 << 1e-4;
            QTest::newRow((std::string(f) + " fp16").c_str()) << f << int(Precision::Fp16) << 5e-3 << 2e-2;
        }
    }
    void stagesMatchReferenceOnCuda()
    {
        QFETCH(QString, folder);
        QFETCH(int, precision);
        QFETCH(double, stageTolerance);
        QFETCH(double, loopTolerance);
        ReferenceCheckOptions o;
        o.modelPath = kData + "/" + folder.toStdString();
        o.referencePath = o.modelPath + "/io.safetensors";
        o.device = "cuda";
        o.precision = Precision(precision);
        o.stageTolerance = stageTolerance;
        o.loopTolerance = loopTolerance;
        RunContext ctx;
        const ReferenceCheckReport report = checkAgainstReference(o, ctx);
        bool sawBatch = false;
        for (const StageCheck& s : report.stages) {
            qInfo("%-14s rel %.3g (tolerance %.3g) %s", s.stage.c_str(), s.relError, s.tolerance, s.detail.c_str());
            QVERIFY2(s.passed, (s.stage + " differs from the reference").c_str());
            sawBatch = sawBatch || s.stage == "sampling_batch";
        }
        QVERIFY(sawBatch);
        QVERIFY(report.passed());
    }

    void concurrentRunsShareOneSamplingLoopOnCuda()
    {
        qputenv("ORFEAS_BATCH_SAMPLING", "1");
        qputenv("ORFEAS_GPU_CONCURRENT_RUNS", "2"); // two slots whatever the GPU's memory
        const auto restore = qScopeGuard([] {
            qunsetenv("ORFEAS_BATCH_SAMPLING");
            qunsetenv("ORFEAS_GPU_CONCURRENT_RUNS");
        });
        HunyuanLoadOptions o;
        o.modelPath = kData + "/hy3d-tiny";
        o.device = "cuda";
        o.precision = Precision::Fp32;
        RunContext load;
        const auto backend = loadHunyuan3DBackend(o, load);
        JobSettings s;
        s.backend = BackendChoice::Hunyuan3D;
        s.steps = 6;
        s.guidance = 5.0f;
        s.octreeResolution = 16;
        s.decoder = DecoderMode::Dense;
        s.precision = Precision::Fp32;
        const PreprocessedImage image = neuraltest::fixtureImage(o.modelPath, /*alphaFromFile=*/true);
        std::vector<std::vector<float>> alone;
        for (std::uint64_t seed : { 21u, 22u }) {
            s.seed = seed;
            RunContext ctx;
            alone.push_back(backend->generate(image, s, ctx).volume.values);
        }
        const neuraltest::TwoRuns r = neuraltest::runTwoTogether(*backend, image, s, 21, 22);
        QVERIFY2(r.errors.empty(), r.errors.empty() ? "" : r.errors.front().c_str());
        const std::string both = r.logs[0] + r.logs[1];
        QVERIFY2(both.find("one loop for this job and 1 other job(s)") != std::string::npos, both.c_str());
        QVERIFY2(both.find("were sampled in one loop with 1 other job(s)") != std::string::npos, both.c_str());
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(r.lastStep[i], s.steps);
            const float worst = neuraltest::maxDifference(r.volumes[i], alone[i]);
            qInfo("run %zu: largest difference from its run alone %.3g", i, double(worst));
            QVERIFY2(worst < 1e-3f, QByteArray::number(worst));
        }
    }
};

QTEST_GUILESS_MAIN(TestNeuralGpu)
#include "tst_neural_gpu.moc"
