// The `hunyuan3d` backend end to end on the tiny fixture (CPU), and model folders that must fail cleanly.

#include "orfeas/errors.h"
#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include "neural_test_util.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {

const std::string kData = ORFEAS_TEST_DATA_DIR;
const std::string kTiny = kData + "/hy3d-tiny";

PreprocessedImage fixtureImage(const std::string& folder = kTiny)
{
    return neuraltest::fixtureImage(folder, /*alphaFromFile=*/true);
}

JobSettings tinySettings()
{
    JobSettings s;
    s.backend = BackendChoice::Hunyuan3D;
    s.steps = 6;
    s.guidance = 5.0f;
    s.seed = 1234;
    s.octreeResolution = 16;
    s.decoder = DecoderMode::Dense;
    s.precision = Precision::Fp32;
    return s;
}

std::shared_ptr<ShapeBackend> loadTiny(
    const std::string& folder = kTiny, WeightsPreference weights = WeightsPreference::Fp32)
{
    return neuraltest::loadOnCpu(folder, weights);
}

// A copy of the tiny model folder whose weights file is rewritten by `edit` (tensors by name, raw bytes).
struct EditableTensor {
    std::string name;
    TensorDType dtype;
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes;
};

std::string makeModelFolder(const QTemporaryDir& dir, const std::function<void(std::vector<EditableTensor>&)>& edit,
    const std::string& config = {})
{
    const std::string folder = dir.path().toStdString();
    fs::copy_file(kTiny + "/config.yaml", folder + "/config.yaml", fs::copy_options::overwrite_existing);
    if (!config.empty())
        std::ofstream(folder + "/config.yaml", std::ios::binary | std::ios::trunc) << config;
    const SafetensorsFile source(kTiny + "/model.safetensors");
    std::vector<EditableTensor> tensors;
    for (const auto& t : source.tensors()) {
        const auto bytes = source.data(t);
        tensors.push_back({ t.name, t.dtype, t.shape, { bytes.begin(), bytes.end() } });
    }
    edit(tensors);
    std::vector<TensorToWrite> out;
    for (const auto& t : tensors)
        out.push_back({ t.name, t.dtype, t.shape, { t.bytes.data(), t.bytes.size() } });
    writeSafetensors(folder + "/model.safetensors", out);
    return folder;
}

EditableTensor& find(std::vector<EditableTensor>& tensors, const std::string& name)
{
    for (auto& t : tensors) {
        if (t.name == name)
            return t;
    }
    qFatal("no tensor %s", name.c_str());
}

std::string loadError(const std::string& folder)
{
    try {
        HunyuanLoadOptions o;
        o.modelPath = folder;
        o.device = "cpu";
        RunContext ctx;
        loadHunyuan3DBackend(o, ctx);
    } catch (const ModelError& e) {
        return e.what();
    }
    return "(loaded without error)";
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

} // namespace

class TestHunyuanBackend : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!neuralRuntimeInfo().available)
            QSKIP("built without LibTorch");
    }

    void runtimeInfo()
    {
        const auto info = neuralRuntimeInfo();
        QVERIFY(info.available);
        QVERIFY(!info.torchVersion.empty());
        QCOMPARE(int(info.cudaDeviceNames.size()), info.cudaDeviceCount);
    }

    void generatesVolume()
    {
        const auto backend = loadTiny();
        QCOMPARE(backend->name(), std::string("hunyuan3d"));
        std::mutex mutex;
        std::vector<ProgressEvent> events;
        RunContext ctx(
            [&](const ProgressEvent& e) {
                const std::lock_guard<std::mutex> lock(mutex);
                events.push_back(e);
            },
            {});
        JobSettings s = tinySettings();
        s.chunkSize = 1000; // 17^3 = 4913 points: 5 chunks
        const ShapeResult r = backend->generate(fixtureImage(), s, ctx);
        const Volume& v = r.volume;
        QCOMPARE(v.nx, 17);
        QCOMPARE(v.ny, 17);
        QCOMPARE(v.nz, 17);
        QVERIFY(v.isValid());
        QCOMPARE(v.pointsEvaluated, std::int64_t(17 * 17 * 17));
        QCOMPARE(v.origin.x, -1.01f);
        QVERIFY(std::abs(v.spacing.y - 2.02f / 16) < 1e-7f);
        for (float x : v.values)
            QVERIFY(std::isfinite(x));
        QCOMPARE(r.level, 0.0f);
        QCOMPARE(r.backendName, std::string("hunyuan3d"));
        QVERIFY2(r.modelDescription.find("hy3d-tiny (fp32 weights, fp32 on cpu)") == 0, r.modelDescription.c_str());
        QVERIFY(r.frame.xMax > r.frame.xMin && r.frame.yMax > r.frame.yMin);

        // Progress: each diffusion step and each decoding chunk, in order, with fractions that never go back.
        std::vector<int> steps, chunks;
        double lastFraction = 0;
        for (const auto& e : events) {
            QCOMPARE(e.stage, Stage::ShapeGeneration);
            QVERIFY(e.fraction >= lastFraction - 1e-12);
            lastFraction = e.fraction;
            if (e.subStage == "diffusion_sampling" && e.step > 0) {
                QCOMPARE(e.totalSteps, 6);
                steps.push_back(e.step);
            }
            if (e.subStage == "volume_decoding") {
                QCOMPARE(e.totalSteps, 5);
                chunks.push_back(e.step);
            }
        }
        QCOMPARE(steps, (std::vector<int> { 1, 2, 3, 4, 5, 6 }));
        QCOMPARE(chunks, (std::vector<int> { 1, 2, 3, 4, 5 }));
        QCOMPARE(lastFraction, 1.0);
        for (const char* path : { "shape_generation/conditioning", "shape_generation/diffusion_sampling",
                 "shape_generation/vae_decoding", "shape_generation/volume_decoding" }) {
            bool found = false;
            for (const auto& rec : ctx.profiler().records())
                found = found || (rec.path == path && rec.count == 1 && rec.seconds > 0);
            QVERIFY2(found, path);
        }
    }

    // Same seed and settings, the same volume bit for bit; another chunking, the same volume up to rounding (a BLAS
    // such as OpenBLAS picks its kernels by matrix size, so the summation order may change); another seed, another
    // volume.
    void seedsAreReproducible()
    {
        const auto backend = loadTiny();
        RunContext ctx;
        JobSettings s = tinySettings();
        const auto a = backend->generate(fixtureImage(), s, ctx).volume.values;
        QCOMPARE(backend->generate(fixtureImage(), s, ctx).volume.values, a);
        s.chunkSize = 700;
        const auto b = backend->generate(fixtureImage(), s, ctx).volume.values;
        QCOMPARE(b.size(), a.size());
        float worst = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            worst = std::max(worst, std::abs(a[i] - b[i]));
        QVERIFY2(worst < 1e-5f, QByteArray::number(worst));
        s.seed = 99;
        const auto c = backend->generate(fixtureImage(), s, ctx).volume.values;
        QVERIFY(a != c);
    }

    // Several jobs on one backend at once give what they give alone.
    void concurrentRunsAgree()
    {
        const auto backend = loadTiny(kData + "/hy3d-tiny-turbo");
        JobSettings s = tinySettings();
        s.steps = 3;
        RunContext alone;
        std::vector<std::vector<float>> expected;
        for (std::uint64_t seed : { 1u, 2u, 3u }) {
            s.seed = seed;
            expected.push_back(backend->generate(fixtureImage(), s, alone).volume.values);
        }
        std::vector<std::vector<float>> got(3);
        std::atomic<int> failures { 0 };
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i) {
            threads.emplace_back([&, i] {
                try {
                    JobSettings mine = s;
                    mine.seed = std::uint64_t(i + 1);
                    RunContext ctx;
                    got[std::size_t(i)] = backend->generate(fixtureImage(), mine, ctx).volume.values;
                } catch (...) {
                    ++failures;
                }
            });
        }
        for (auto& t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(got, expected);
    }

    // With cross-job batching on (opt-in: ORFEAS_BATCH_SAMPLING=1), two jobs with the same
    // sampling settings that arrive together sample in one loop: one leads, the other follows and hears of every
    // step. Each gets what it gets alone, up to rounding (the batch's products are of another size).
    void concurrentRunsShareOneSamplingLoop()
    {
        qputenv("ORFEAS_BATCH_SAMPLING", "1");
        const auto restore = qScopeGuard([] { qunsetenv("ORFEAS_BATCH_SAMPLING"); });
        const auto backend = loadTiny();
        JobSettings s = tinySettings();
        RunContext alone;
        std::vector<std::vector<float>> expected;
        for (std::uint64_t seed : { 11u, 12u }) {
            s.seed = seed;
            expected.push_back(backend->generate(fixtureImage(), s, alone).volume.values);
        }
        QVERIFY(expected[0] != expected[1]);

        const neuraltest::TwoRuns r = neuraltest::runTwoTogether(*backend, fixtureImage(), s, 11, 12);
        QVERIFY2(r.errors.empty(), r.errors.empty() ? "" : r.errors.front().c_str());
        const std::string both = r.logs[0] + r.logs[1];
        QVERIFY2(both.find("one loop for this job and 1 other job(s)") != std::string::npos, both.c_str());
        QVERIFY2(both.find("were sampled in one loop with 1 other job(s)") != std::string::npos, both.c_str());
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(r.lastStep[i], s.steps);
            const float worst = neuraltest::maxDifference(r.volumes[i], expected[i]);
            QVERIFY2(worst < 1e-3f, QByteArray::number(worst));
        }
    }

    void cancelsBetweenSteps()
    {
        const auto backend = loadTiny();
        CancelToken token;
        int stepsSeen = 0;
        RunContext ctx(
            [&](const ProgressEvent& e) {
                if (e.subStage == "diffusion_sampling" && e.step == 2) {
                    stepsSeen = e.step;
                    token.cancel();
                }
            },
            {}, token);
        try {
            backend->generate(fixtureImage(), tinySettings(), ctx);
            QFAIL("a cancelled run finished");
        } catch (const CancelledError& e) {
            QCOMPARE(e.stage(), std::optional<Stage>(Stage::ShapeGeneration));
        }
        QCOMPARE(stepsSeen, 2);
    }

    void rejectsBadSettings()
    {
        const auto backend = loadTiny(kData + "/hy3d-tiny-turbo");
        RunContext ctx;
        JobSettings s = tinySettings();
        s.steps = 101; // the turbo scheduler's pcm_timesteps is 100
        QVERIFY_THROWS_EXCEPTION(ConfigError, backend->generate(fixtureImage(), s, ctx));
        s = tinySettings();
        s.octreeResolution = 1;
        QVERIFY_THROWS_EXCEPTION(ConfigError, backend->generate(fixtureImage(), s, ctx));
        QVERIFY_THROWS_EXCEPTION(BadInputError, backend->generate(PreprocessedImage {}, tinySettings(), ctx));
    }

    void cpuComputesInFloat32()
    {
        HunyuanLoadOptions o;
        o.modelPath = kTiny;
        o.device = "cpu";
        o.precision = Precision::Fp16;
        std::vector<std::string> logs;
        RunContext ctx({}, [&](LogLevel, const std::string& m) { logs.push_back(m); });
        const auto backend = loadHunyuan3DBackend(o, ctx);
        RunContext run;
        const auto r = backend->generate(fixtureImage(), tinySettings(), run);
        QVERIFY2(
            r.modelDescription.find("(fp16 weights, fp32 on cpu)") != std::string::npos, r.modelDescription.c_str());
        bool explained = false;
        for (const auto& m : logs)
            explained = explained || m.find("the CPU computes in fp32") != std::string::npos;
        QVERIFY(explained);
    }

    void rejectsBadDevices()
    {
        HunyuanLoadOptions o;
        o.modelPath = kTiny;
        RunContext ctx;
        o.device = "gpu";
        QVERIFY_THROWS_EXCEPTION(ConfigError, loadHunyuan3DBackend(o, ctx));
        o.device = "cuda:99";
        QVERIFY_THROWS_EXCEPTION(DeviceError, loadHunyuan3DBackend(o, ctx));
    }

    // Broken model folders: each a ModelError that names the problem, never a crash.
    void badModelFolders_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated weights") << 0 << "invalid safetensors file";
        QTest::newRow("offsets outside the file") << 1 << "outside the data area";
        QTest::newRow("integer dtype") << 2 << "model.latent_in.weight: I32 (a floating-point type is needed)";
        QTest::newRow("wrong shape") << 3 << "model.cond_in.weight: has [64, 40], the configuration needs [64, 48]";
        QTest::newRow("missing tensor") << 4 << "missing tensor(s): vae.geo_decoder.output_proj.bias";
        QTest::newRow("config without a field") << 5 << "field 'vae.params.width' is missing";
        QTest::newRow("pickle only") << 6 << "pickle";
        QTest::newRow("no config") << 7 << "has no config.yaml";
        QTest::newRow("unexpected denoiser tensor")
            << 8 << "unexpected tensor(s) (config.yaml and weights disagree): model.guidance_in.in_layer.weight";
        QTest::newRow("header not JSON") << 9 << "header is not valid JSON";
    }
    void badModelFolders()
    {
        QFETCH(int, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        const auto keep = [](std::vector<EditableTensor>&) {};
        switch (kind) {
        case 0: { // truncated in the middle of the data
            makeModelFolder(dir, keep);
            const std::string path = folder + "/model.safetensors";
            fs::resize_file(path, fs::file_size(path) / 2);
            break;
        }
        case 1: { // a header whose last tensor claims bytes past the end
            makeModelFolder(dir, keep);
            const std::string path = folder + "/model.safetensors";
            std::string bytes = readText(path);
            std::uint64_t headerLen = 0;
            std::memcpy(&headerLen, bytes.data(), 8);
            std::string header = bytes.substr(8, headerLen);
            const std::string dataSize = std::to_string(bytes.size() - 8 - headerLen);
            const auto pos = header.rfind(dataSize);
            QVERIFY(pos != std::string::npos);
            header.replace(pos, dataSize.size(), std::string(dataSize.size(), '9')); // same length, past the end
            bytes.replace(8, headerLen, header);
            std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
            break;
        }
        case 2:
            makeModelFolder(dir,
                [](std::vector<EditableTensor>& t) { find(t, "model.latent_in.weight").dtype = TensorDType::I32; });
            break;
        case 3:
            makeModelFolder(dir, [](std::vector<EditableTensor>& t) {
                auto& w = find(t, "model.cond_in.weight");
                w.shape = { 64, 40 };
                w.bytes.resize(64 * 40 * 4);
            });
            break;
        case 4:
            makeModelFolder(dir, [](std::vector<EditableTensor>& t) {
                t.erase(std::remove_if(t.begin(), t.end(),
                            [](const EditableTensor& x) { return x.name == "vae.geo_decoder.output_proj.bias"; }),
                    t.end());
            });
            break;
        case 5: {
            std::string config = readText(kTiny + "/config.yaml");
            config.erase(config.find("    width: 64\n"), 13);
            makeModelFolder(dir, keep, config);
            break;
        }
        case 6:
            std::ofstream(folder + "/config.yaml") << readText(kTiny + "/config.yaml");
            std::ofstream(folder + "/model.fp16.ckpt") << "PK\x03\x04 never unpickled";
            break;
        case 7:
            makeModelFolder(dir, keep);
            fs::remove(folder + "/config.yaml");
            break;
        case 8: // weights of a guidance-distilled model under a configuration without guidance_embed
            makeModelFolder(dir, [](std::vector<EditableTensor>& t) {
                t.push_back({ "model.guidance_in.in_layer.weight", TensorDType::F32, { 64, 256 },
                    std::vector<std::uint8_t>(64 * 256 * 4) });
            });
            break;
        case 9: {
            makeModelFolder(dir, keep);
            const std::string path = folder + "/model.safetensors";
            std::string bytes = readText(path);
            bytes[9] = '#';
            std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
            break;
        }
        }
        const std::string message = loadError(folder);
        qInfo("%s", message.c_str());
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    }

    // A NaN among the weights loads (the file is valid) but the run stops with a clear error.
    void nanWeightsAreReported()
    {
        QTemporaryDir dir;
        const std::string folder = makeModelFolder(dir, [](std::vector<EditableTensor>& t) {
            auto& w = find(t, "model.final_layer.linear.weight");
            const float nan = std::nanf("");
            std::memcpy(w.bytes.data() + 4 * 5, &nan, 4);
        });
        HunyuanLoadOptions o;
        o.modelPath = folder;
        o.device = "cpu";
        RunContext ctx;
        const auto backend = loadHunyuan3DBackend(o, ctx);
        try {
            backend->generate(fixtureImage(), tinySettings(), ctx);
            QFAIL("NaN output was not reported");
        } catch (const ModelError& e) {
            QVERIFY2(std::string(e.what()).find("the model produced NaN values during diffusion sampling")
                    != std::string::npos,
                e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestHunyuanBackend)
#include "tst_hunyuan_backend.moc"
