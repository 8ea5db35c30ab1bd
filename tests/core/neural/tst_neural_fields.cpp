// Realistic fields and the decoding paths that need them, through the public API on the CPU: the field fit of the
// tiny fixture's geometry decoder, hierarchical vs dense decoding of the fitted field through generate(), the
// low-VRAM conditioner path, out of memory during volume decoding, random-weight model folders.

#include "orfeas/errors.h"
#include "orfeas/marching_cubes.h"
#include "orfeas/model_config.h"
#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include "neural_test_util.h"

#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {

const std::string kData = ORFEAS_TEST_DATA_DIR;
const std::string kTiny = kData + "/hy3d-tiny";

PreprocessedImage fixtureImage()
{
    return neuraltest::fixtureImage(kTiny, /*alphaFromFile=*/false);
}

JobSettings settings(int octree, DecoderMode decoder)
{
    JobSettings s;
    s.backend = BackendChoice::Hunyuan3D;
    s.steps = 2;
    s.seed = 7;
    s.octreeResolution = octree;
    s.decoder = decoder;
    s.precision = Precision::Fp32;
    s.device = "cpu";
    return s;
}

std::shared_ptr<ShapeBackend> load(const std::string& folder)
{
    return neuraltest::loadOnCpu(folder);
}

std::vector<std::uint8_t> readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

// The same triangles, vertices within `tolerance` of each other (the decoder's values at one point may differ in
// the last bits between two batch compositions, see seedsAreReproducible in tst_hunyuan_backend).
bool sameMesh(const Mesh& a, const Mesh& b, float tolerance)
{
    if (a.indices != b.indices || a.positions.size() != b.positions.size())
        return false;
    for (std::size_t i = 0; i < a.positions.size(); ++i) {
        if (std::abs(a.positions[i].x - b.positions[i].x) > tolerance
            || std::abs(a.positions[i].y - b.positions[i].y) > tolerance
            || std::abs(a.positions[i].z - b.positions[i].z) > tolerance)
            return false;
    }
    return true;
}

} // namespace

class TestNeuralFields : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string m_fitted;
    FieldFitReport m_fit;

private Q_SLOTS:
    void initTestCase()
    {
        if (!neuralRuntimeInfo().available)
            QSKIP("built without LibTorch");
        QVERIFY(m_dir.isValid());
        // The tiny decoder (width 64) fitted to the torus: a smooth field with a real surface.
        FieldFitOptions o;
        o.modelPath = kTiny;
        o.outputPath = m_dir.path().toStdString() + "/fitted";
        o.device = "cpu";
        o.shape = FitShape::Torus;
        o.steps = 150;
        o.pointsPerStep = 2048;
        o.learningRate = 5e-3;
        o.seed = 11;
        o.weights = WeightsPreference::Fp32;
        int progress = 0;
        RunContext ctx([&](const ProgressEvent& e) { progress += e.subStage == "field_fit"; }, {});
        m_fit = fitGeometryField(o, ctx);
        m_fitted = o.outputPath;
        QCOMPARE(progress, 150);
        qInfo("fit: loss %.4f -> %.4f, accuracy %.4f (near the surface %.4f), %.1f s, %lld parameters",
            m_fit.initialLoss, m_fit.finalLoss, m_fit.accuracy, m_fit.nearSurfaceAccuracy, m_fit.seconds,
            static_cast<long long>(m_fit.trainedParameters));
    }

    void fitLearnsTheShape()
    {
        QCOMPARE(m_fit.steps, 150);
        QCOMPARE(m_fit.device, std::string("cpu"));
        QVERIFY(m_fit.trainedParameters > 0);
        QVERIFY2(m_fit.finalLoss < 0.5 * m_fit.initialLoss, QByteArray::number(m_fit.finalLoss));
        QVERIFY2(m_fit.accuracy > 0.93, QByteArray::number(m_fit.accuracy));
        QVERIFY2(m_fit.nearSurfaceAccuracy > 0.85, QByteArray::number(m_fit.nearSurfaceAccuracy));
        QVERIFY(fs::exists(m_fitted + "/config.yaml"));
        QCOMPARE(m_fit.weightsFile, m_fitted + "/model.safetensors");
        // Same tensors, dtypes and shapes as the source file; the decoder's changed, the rest byte-identical.
        const SafetensorsFile source(kTiny + "/model.safetensors");
        const SafetensorsFile fitted(m_fit.weightsFile);
        QCOMPARE(fitted.tensors().size(), source.tensors().size());
        for (const auto& t : source.tensors()) {
            const TensorInfo* f = fitted.find(t.name);
            QVERIFY2(f, t.name.c_str());
            QCOMPARE(f->shape, t.shape);
            QCOMPARE(int(f->dtype), int(t.dtype));
            const auto a = source.data(t);
            const auto b = fitted.data(*f);
            const bool same = std::equal(a.begin(), a.end(), b.begin(), b.end());
            const bool decoderPart = t.name.rfind("vae.geo_decoder.", 0) == 0;
            if (!decoderPart)
                QVERIFY2(same, t.name.c_str());
            if (t.name == "vae.geo_decoder.output_proj.weight")
                QVERIFY(!same);
        }
        for (float x : fitted.toFloat32("vae.geo_decoder.cross_attn_decoder.attn.c_proj.weight"))
            QCOMPARE(x, 0.0f);
        QVERIFY(fitted.metadata().count("orfeas_field_fit") == 1);
    }

    // The fitted decoder, loaded as a model, decodes the torus whatever the image and seed.
    void fittedModelDecodesTheShape()
    {
        const auto backend = load(m_fitted);
        RunContext ctx;
        JobSettings s = settings(32, DecoderMode::Dense);
        const ShapeResult a = backend->generate(fixtureImage(), s, ctx);
        s.seed = 99;
        const ShapeResult b = backend->generate(fixtureImage(), s, ctx);
        QCOMPARE(a.volume.values, b.volume.values); // c_proj = 0: the latents do not matter
        const Volume& v = a.volume;
        int agree = 0;
        for (int i = 0; i < v.nx; ++i)
            for (int j = 0; j < v.ny; ++j)
                for (int k = 0; k < v.nz; ++k) {
                    const Vec3f p { v.origin.x + i * v.spacing.x, v.origin.y + j * v.spacing.y,
                        v.origin.z + k * v.spacing.z };
                    agree += (v.values[v.index(i, j, k)] > 0) == (analyticShapeValue(FitShape::Torus, p) > 0);
                }
        const double share = double(agree) / double(v.pointCount());
        qInfo("octree 32: %.2f %% of the grid points have the torus's sign", 100.0 * share);
        QVERIFY2(share > 0.95, QByteArray::number(share));
    }

    // The acceptance test of hierarchical decoding: on a real shape it gives the dense surface, identical signs
    // at every point and the identical mesh, while evaluating fewer points.
    void hierarchicalEqualsDense_data()
    {
        QTest::addColumn<int>("octree");
        QTest::newRow("octree 64") << 64;
        QTest::newRow("octree 96") << 96;
    }
    void hierarchicalEqualsDense()
    {
        QFETCH(int, octree);
        const auto backend = load(m_fitted);
        RunContext ctx;
        const ShapeResult dense = backend->generate(fixtureImage(), settings(octree, DecoderMode::Dense), ctx);
        std::vector<ProgressEvent> events;
        RunContext hctx([&](const ProgressEvent& e) { events.push_back(e); }, {});
        const ShapeResult hier = backend->generate(fixtureImage(), settings(octree, DecoderMode::Hierarchical), hctx);
        const std::int64_t all = std::int64_t(octree + 1) * (octree + 1) * (octree + 1);
        QCOMPARE(dense.volume.pointsEvaluated, all);
        QVERIFY(hier.volume.pointsEvaluated < all / 2);
        qInfo("octree %d: hierarchical evaluated %lld of %lld points (%.1f %%)", octree,
            static_cast<long long>(hier.volume.pointsEvaluated), static_cast<long long>(all),
            100.0 * double(hier.volume.pointsEvaluated) / double(all));
        QCOMPARE(hier.volume.values.size(), dense.volume.values.size());
        std::size_t signDifferences = 0;
        for (std::size_t i = 0; i < dense.volume.values.size(); ++i)
            signDifferences += (dense.volume.values[i] > 0) != (hier.volume.values[i] > 0);
        QCOMPARE(signDifferences, std::size_t(0));
        const Mesh a = marchingCubes(dense.volume, 0.0f);
        const Mesh b = marchingCubes(hier.volume, 0.0f);
        QVERIFY(a.faceCount() > 100);
        // 1e-4 of a cell: what a few ulps of the logits move an interpolated vertex by (measured: 2e-5 of a cell).
        QVERIFY(sameMesh(a, b, 1e-4f * 2.02f / float(octree)));
        QVERIFY(hier.warnings.empty());
        // Progress: volume decoding by level, never going back.
        double last = 0;
        int levelEvents = 0;
        for (const auto& e : events) {
            QVERIFY(e.fraction >= last - 1e-12);
            last = e.fraction;
            levelEvents += e.subStage == "volume_decoding";
        }
        QVERIFY(levelEvents >= 3);
        QCOMPARE(last, 1.0);
    }

    // Low-VRAM mode streams the conditioner's layers (on the CPU the offloaded copies share the storage): the
    // result is the same, before and after the conditioner moved.
    void lowVramGivesTheSameResult()
    {
        const auto backend = load(kTiny);
        RunContext ctx;
        JobSettings s = settings(16, DecoderMode::Dense);
        const auto normal = backend->generate(fixtureImage(), s, ctx).volume.values;
        s.lowVram = true;
        QCOMPARE(backend->generate(fixtureImage(), s, ctx).volume.values, normal);
        s.lowVram = false;
        QCOMPARE(backend->generate(fixtureImage(), s, ctx).volume.values, normal);
    }

    // Out of memory during volume decoding (simulated): retried with smaller chunks, said in the result, same
    // volume; at the smallest chunk a DeviceError that says out of memory, never a crash.
    void retriesDecodingOutOfMemory()
    {
        const auto backend = load(kTiny);
        RunContext plain;
        JobSettings s = settings(24, DecoderMode::Dense);
        // The retried run's chunks are 2048 points from its first chunk on: the same chunks as this one (CPU BLAS
        // kernels may round differently for other chunk sizes).
        s.chunkSize = 2048;
        const auto expected = backend->generate(fixtureImage(), s, plain).volume.values;
        s.chunkSize = 8192;

        qputenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE", "3000");
        std::vector<std::string> logs;
        RunContext ctx({}, [&](LogLevel, const std::string& m) { logs.push_back(m); });
        const ShapeResult r = backend->generate(fixtureImage(), s, ctx);
        qunsetenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE");
        QCOMPARE(r.volume.values, expected);
        QCOMPARE(int(r.warnings.size()), 1);
        QVERIFY2(r.warnings[0].find("retried with smaller chunks (down to 2048 points)") != std::string::npos,
            r.warnings[0].c_str());
        int retries = 0;
        for (const auto& m : logs)
            retries += m.find("ran out of memory") != std::string::npos;
        QCOMPARE(retries, 2); // 8192 -> 4096 -> 2048

        qputenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE", "100");
        RunContext failing;
        try {
            backend->generate(fixtureImage(), s, failing);
            qunsetenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE");
            QFAIL("decoding did not fail");
        } catch (const DeviceError& e) {
            qunsetenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE");
            QVERIFY(e.isOutOfMemory());
            QVERIFY2(std::string(e.what()).find("out of memory during volume decoding") != std::string::npos, e.what());
        }
    }

    void fitRejectsBadOptions()
    {
        RunContext ctx;
        FieldFitOptions o;
        o.modelPath = kTiny;
        o.outputPath = m_dir.path().toStdString() + "/bad";
        o.device = "cpu";
        o.steps = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError, fitGeometryField(o, ctx));
        o.steps = 1;
        o.pointsPerStep = 10;
        QVERIFY_THROWS_EXCEPTION(ConfigError, fitGeometryField(o, ctx));
        o.pointsPerStep = 256;
        o.outputPath = kTiny;
        QVERIFY_THROWS_EXCEPTION(ConfigError, fitGeometryField(o, ctx));
        o.outputPath = m_fitted; // exists, no overwrite
        QVERIFY_THROWS_EXCEPTION(ExportError, fitGeometryField(o, ctx));
        o.modelPath = kData + "/no-such-model";
        QVERIFY_THROWS_EXCEPTION(ModelError, fitGeometryField(o, ctx));
    }

    // A random-weight model folder in the published layout: the manifest's names and shapes, loadable, sane
    // outputs, deterministic for a seed whatever the threads.
    void randomModel()
    {
        const std::string config = kTiny + "/config.yaml";
        RandomModelOptions o;
        o.configPath = config;
        o.outputPath = m_dir.path().toStdString() + "/random-a";
        o.seed = 5;
        o.threads = 1;
        RunContext ctx;
        const RandomModelReport r = writeRandomModel(o, ctx);
        QCOMPARE(r.weightsFile, o.outputPath + "/model.fp16.safetensors");
        const auto manifest = hunyuanParameterManifest(loadHunyuanModelConfig(config));
        const SafetensorsFile file(r.weightsFile);
        std::size_t required = 0;
        std::int64_t parameters = 0;
        for (const auto& p : manifest) {
            if (p.optional) {
                QVERIFY(!file.contains(p.name));
                continue;
            }
            ++required;
            const TensorInfo* t = file.find(p.name);
            QVERIFY2(t, p.name.c_str());
            QCOMPARE(t->shape, p.shape);
            QCOMPARE(int(t->dtype), int(TensorDType::F16));
            parameters += t->elementCount();
        }
        QCOMPARE(file.tensors().size(), required);
        QCOMPARE(r.parameters, parameters);
        QCOMPARE(r.tensors, std::int64_t(required));
        QCOMPARE(r.bytes, std::uint64_t(fs::file_size(r.weightsFile)));
        QVERIFY(checkWeights(file, manifest).ok());

        // Scales: a linear weight has standard deviation 1/sqrt(fan_in), biases 0, norms 1.
        const auto w = file.toFloat32("model.double_blocks.0.img_mlp.0.weight"); // [256, 64]
        double sum = 0, sq = 0;
        for (float x : w) {
            sum += x;
            sq += double(x) * x;
        }
        const double mean = sum / double(w.size());
        const double stdev = std::sqrt(sq / double(w.size()) - mean * mean);
        QVERIFY2(std::abs(stdev * std::sqrt(64.0) - 1.0) < 0.05, QByteArray::number(stdev));
        QVERIFY(std::abs(mean) < 0.01);
        for (float x : file.toFloat32("model.double_blocks.0.img_mlp.0.bias"))
            QCOMPARE(x, 0.0f);
        for (float x : file.toFloat32("vae.transformer.resblocks.0.ln_1.weight"))
            QCOMPARE(x, 1.0f);

        // Loads and gives finite, non-trivial logits of order one.
        const auto backend = load(o.outputPath);
        RunContext run;
        const ShapeResult g = backend->generate(fixtureImage(), settings(16, DecoderMode::Dense), run);
        double maxAbs = 0;
        for (float x : g.volume.values) {
            QVERIFY(std::isfinite(x));
            maxAbs = std::max(maxAbs, double(std::abs(x)));
        }
        QVERIFY(maxAbs > 1e-3 && maxAbs < 1e3);

        // Deterministic whatever the threads; another seed differs; nothing replaced without overwrite.
        RandomModelOptions b = o;
        b.outputPath = m_dir.path().toStdString() + "/random-b";
        b.threads = 3;
        writeRandomModel(b, ctx);
        QCOMPARE(readBytes(b.outputPath + "/model.fp16.safetensors"), readBytes(r.weightsFile));
        QCOMPARE(readBytes(b.outputPath + "/config.yaml"), readBytes(config));
        RandomModelOptions c = o;
        c.outputPath = m_dir.path().toStdString() + "/random-c";
        c.seed = 6;
        writeRandomModel(c, ctx);
        QVERIFY(readBytes(c.outputPath + "/model.fp16.safetensors") != readBytes(r.weightsFile));
        QVERIFY_THROWS_EXCEPTION(ExportError, writeRandomModel(o, ctx));
        o.overwrite = true;
        writeRandomModel(o, ctx);

        // float32 goes to model.safetensors; optional tensors on request.
        RandomModelOptions d = o;
        d.outputPath = m_dir.path().toStdString() + "/random-d";
        d.dtype = Precision::Fp32;
        d.includeOptional = true;
        const RandomModelReport rd = writeRandomModel(d, ctx);
        QCOMPARE(rd.weightsFile, d.outputPath + "/model.safetensors");
        const SafetensorsFile fd(rd.weightsFile);
        QCOMPARE(fd.tensors().size(), manifest.size());
        QCOMPARE(int(fd.find("model.latent_in.weight")->dtype), int(TensorDType::F32));

        o.configPath = kData + "/no-such/config.yaml";
        QVERIFY_THROWS_EXCEPTION(ModelError, writeRandomModel(o, ctx));
    }
};

QTEST_GUILESS_MAIN(TestNeuralFields)
#include "tst_neural_fields.moc"
