// Model folders without LibTorch: config.yaml parsing, the parameter manifest, the sampling schedules, the weights
// check and the weights file choice.

#include "orfeas/errors.h"
#include "orfeas/model_config.h"
#include "orfeas/safetensors.h"

#include <QtTest>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace orfeas;

namespace {

const std::string kData = ORFEAS_TEST_DATA_DIR;

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string replaceOnce(std::string text, const std::string& from, const std::string& to)
{
    const auto pos = text.find(from);
    if (pos == std::string::npos)
        qFatal("test setup: '%s' not in the config", from.c_str());
    return text.replace(pos, from.size(), to);
}

std::string shapeKey(const std::vector<std::int64_t>& shape)
{
    std::string s;
    for (auto d : shape)
        s += (s.empty() ? "" : "x") + std::to_string(d);
    return s;
}

// The fixture's float32 tensors as values.
std::vector<float> fixtureTensor(const std::string& folder, const std::string& name)
{
    return SafetensorsFile(kData + "/" + folder + "/io.safetensors").toFloat32(name);
}

template <typename F> std::string modelErrorOf(F&& f)
{
    try {
        f();
    } catch (const ModelError& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestModelConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesTinyFixtures()
    {
        const auto c = loadHunyuanModelConfig(kData + "/hy3d-tiny/config.yaml");
        QCOMPARE(c.dit.inChannels, 16);
        QCOMPARE(c.dit.contextInDim, 48);
        QCOMPARE(c.dit.hiddenSize, 64);
        QCOMPARE(c.dit.numHeads, 4);
        QCOMPARE(c.dit.depth, 2);
        QCOMPARE(c.dit.depthSingleBlocks, 2);
        QCOMPARE(c.dit.axesDim, std::vector<int> { 16 });
        QCOMPARE(c.dit.guidanceEmbed, false);
        QCOMPARE(c.vae.numLatents, 32);
        QCOMPARE(c.vae.width, 64);
        QCOMPARE(c.vae.numEncoderLayers, 1);
        QCOMPARE(c.vae.qkNorm, true);
        QCOMPARE(c.vae.numFreqs, 8); // default
        QCOMPARE(c.vae.includePi, true);
        QCOMPARE(c.vae.geoDecoderLnPost, true);
        QCOMPARE(c.vae.scaleFactor, 0.9990943042622529);
        QCOMPARE(c.conditioner.dino.hiddenSize, 48);
        QCOMPARE(c.conditioner.dino.imageSize, 70);
        QCOMPARE(c.conditioner.dino.useSwigluFfn, true);
        QCOMPARE(c.conditioner.dino.ffnHiddenDim(), 128);
        QCOMPARE(c.conditioner.imageSize, 70);
        QCOMPARE(c.conditioner.tokens(), 26);
        QCOMPARE(c.scheduler.kind, SchedulerKind::FlowMatchEuler);
        QCOMPARE(c.scheduler.numTrainTimesteps, 1000);
        QCOMPARE(c.imageProcessor.size, 64);
        QCOMPARE(c.imageProcessor.borderRatio, 0.15);

        const auto t = loadHunyuanModelConfig(kData + "/hy3d-tiny-turbo/config.yaml");
        QCOMPARE(t.dit.guidanceEmbed, true);
        QCOMPARE(t.conditioner.dino.useSwigluFfn, false);
        QCOMPARE(t.conditioner.dino.ffnHiddenDim(), 192);
        QCOMPARE(t.scheduler.kind, SchedulerKind::ConsistencyFlowMatchEuler);
        QCOMPARE(t.scheduler.pcmTimesteps, 100);
    }

    // The full-size configuration yields exactly the published model's 1817 tensor names and shapes.
    void manifestMatchesFullSizeKeys()
    {
        const auto c = loadHunyuanModelConfig(kData + "/hy3d-v2-0-config/config.yaml");
        QCOMPARE(c.conditioner.dino.ffnHiddenDim(), 4096);
        const auto manifest = hunyuanParameterManifest(c);
        std::map<std::string, std::string> ours;
        for (const auto& p : manifest) {
            QVERIFY2(ours.emplace(p.name, shapeKey(p.shape)).second, p.name.c_str());
            const bool expectOptional = p.name.rfind("vae.encoder.", 0) == 0 || p.name.rfind("vae.pre_kl.", 0) == 0
                || p.name == "conditioner.main_image_encoder.model.embeddings.mask_token";
            QVERIFY2(p.optional == expectOptional, p.name.c_str());
        }
        std::ifstream tsv(kData + "/hy3d-v2-0-keys.tsv");
        QVERIFY(tsv.good());
        std::map<std::string, std::string> keys;
        std::vector<std::string> order;
        std::string line;
        while (std::getline(tsv, line)) {
            if (line.empty())
                continue;
            const auto tab = line.find('\t');
            QVERIFY(tab != std::string::npos);
            std::string shape = line.substr(tab + 1);
            if (const auto t2 = shape.find('\t'); t2 != std::string::npos)
                shape.resize(t2);
            keys[line.substr(0, tab)] = shape;
            order.push_back(line.substr(0, tab));
        }
        QCOMPARE(keys.size(), std::size_t(1817));
        for (const auto& [name, shape] : keys) {
            const auto it = ours.find(name);
            QVERIFY2(it != ours.end(), ("missing from the manifest: " + name).c_str());
            QVERIFY2(it->second == shape, (name + ": manifest " + it->second + ", keys " + shape).c_str());
        }
        for (const auto& [name, shape] : ours)
            QVERIFY2(keys.count(name), ("not in the published keys: " + name).c_str());
        // Same registration order as the reference modules.
        QCOMPARE(manifest.size(), order.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            QVERIFY2(manifest[i].name == order[i], (manifest[i].name + " vs " + order[i]).c_str());
    }

    void manifestMatchesTinyWeights_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("file");
        for (const char* folder : { "hy3d-tiny", "hy3d-tiny-turbo" }) {
            for (const char* file : { "model.safetensors", "model.fp16.safetensors" })
                QTest::newRow((std::string(folder) + "/" + file).c_str()) << folder << file;
        }
    }
    void manifestMatchesTinyWeights()
    {
        QFETCH(QString, folder);
        QFETCH(QString, file);
        const std::string dir = kData + "/" + folder.toStdString();
        const auto manifest = hunyuanParameterManifest(loadHunyuanModelConfig(dir + "/config.yaml"));
        const SafetensorsFile weights(dir + "/" + file.toStdString());
        const auto check = checkWeights(weights, manifest);
        QVERIFY2(check.ok(), check.errorSummary().c_str());
        QVERIFY(check.ignored.empty());
        QVERIFY(check.absentOptional.empty()); // the fixtures carry the encoder
        QCOMPARE(weights.tensors().size(), manifest.size());
    }

    void weightsCheckFindsProblems()
    {
        const std::string dir = kData + "/hy3d-tiny";
        const auto config = loadHunyuanModelConfig(dir + "/config.yaml");
        auto manifest = hunyuanParameterManifest(config);
        const SafetensorsFile weights(dir + "/model.safetensors");
        // A manifest wanting one more tensor and another shape; one tensor in the file it does not know.
        manifest.push_back({ "model.extra.weight", { 2, 2 }, false });
        manifest.push_back({ "vae.encoder.extra", { 2 }, true });
        for (auto& p : manifest) {
            if (p.name == "model.latent_in.weight")
                p.shape = { 64, 17 };
        }
        manifest.erase(std::remove_if(manifest.begin(), manifest.end(),
                           [](const ParameterSpec& p) { return p.name == "model.cond_in.bias"; }),
            manifest.end());
        const auto check = checkWeights(weights, manifest);
        QVERIFY(!check.ok());
        QCOMPARE(check.missing, std::vector<std::string> { "model.extra.weight" });
        QCOMPARE(check.absentOptional, std::vector<std::string> { "vae.encoder.extra" });
        QCOMPARE(check.wrongShape.size(), std::size_t(1));
        QVERIFY(check.wrongShape[0].find("model.latent_in.weight: has [64, 16]") == 0);
        QCOMPARE(check.unexpected, std::vector<std::string> { "model.cond_in.bias" });
        const std::string summary = check.errorSummary();
        QVERIFY(summary.find("model.extra.weight") != std::string::npos);
        QVERIFY(summary.find("model.cond_in.bias") != std::string::npos);
    }

    // The reference's sigma and timestep tables, bit for bit, from both fixtures.
    void schedulesMatchFixtures_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::newRow("flow-match") << "hy3d-tiny";
        QTest::newRow("consistency") << "hy3d-tiny-turbo";
    }
    void schedulesMatchFixtures()
    {
        QFETCH(QString, folder);
        const std::string f = folder.toStdString();
        const auto c = loadHunyuanModelConfig(kData + "/" + f + "/config.yaml");
        const auto timesteps = fixtureTensor(f, "sample.timesteps");
        const auto sigmas = fixtureTensor(f, "sample.sigmas");
        const auto s = computeSamplingSchedule(c.scheduler, int(timesteps.size()));
        QCOMPARE(s.timesteps, timesteps);
        QCOMPARE(s.sigmas, sigmas);
    }

    void scheduleEdgeCases()
    {
        SchedulerConfig flow;
        auto one = computeSamplingSchedule(flow, 1);
        QCOMPARE(one.timesteps, std::vector<float> { 0.0f });
        QCOMPARE(one.sigmas, (std::vector<float> { 0.0f, 1.0f }));
        // 50 steps: the reference's float64 i * (1/49) cast to float32.
        auto fifty = computeSamplingSchedule(flow, 50);
        QCOMPARE(fifty.sigmas.size(), std::size_t(51));
        QCOMPARE(fifty.sigmas[7], static_cast<float>(7 * (1.0 / 49)));
        QCOMPARE(fifty.timesteps[7], static_cast<float>(7 * (1.0 / 49)) * 1000.0f);
        QCOMPARE(fifty.sigmas[49], 1.0f);
        // shift: s' = shift * s / (1 + (shift - 1) * s) in float64.
        flow.shift = 3.0;
        auto shifted = computeSamplingSchedule(flow, 5);
        QCOMPARE(shifted.sigmas[1], static_cast<float>(3.0 * 0.25 / (1.0 + 2.0 * 0.25)));

        SchedulerConfig pcm;
        pcm.kind = SchedulerKind::ConsistencyFlowMatchEuler;
        pcm.pcmTimesteps = 50;
        // r = 1000 // 50 = 20: table index j -> linspace(0, 1, 1000)[20 j - 1]; 5 steps take j = 0, 10, 20, 30, 40.
        auto five = computeSamplingSchedule(pcm, 5);
        QCOMPARE(five.sigmas[0], 0.0f);
        QCOMPARE(five.sigmas[1], static_cast<float>(199 * (1.0 / 999)));
        QCOMPARE(five.sigmas[4], static_cast<float>(799 * (1.0 / 999)));
        QCOMPARE(five.sigmas[5], 1.0f);
        // More steps than pcm_timesteps: the reference would run past its table.
        QVERIFY_THROWS_EXCEPTION(ConfigError, computeSamplingSchedule(pcm, 51));
        QVERIFY_THROWS_EXCEPTION(ConfigError, computeSamplingSchedule(flow, 0));
        QCOMPARE(computeSamplingSchedule(pcm, 50).timesteps.size(), std::size_t(50));
    }

    void configErrors_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing vae width") << "    width: 64\n"
                                           << ""
                                           << "field 'vae.params.width' is missing";
        QTest::newRow("text where an integer goes") << "    hidden_size: 64\n"
                                                    << "    hidden_size: abc\n"
                                                    << "field 'model.params.hidden_size' must be an integer";
        QTest::newRow("float where an integer goes") << "    hidden_size: 64\n"
                                                     << "    hidden_size: 64.5\n"
                                                     << "field 'model.params.hidden_size' must be an integer";
        QTest::newRow("quoted number") << "    num_latents: 32\n"
                                       << "    num_latents: \"32\"\n"
                                       << "field 'vae.params.num_latents' must be an integer";
        QTest::newRow("bad boolean") << "    qk_norm: true\n"
                                     << "    qk_norm: maybe\n"
                                     << "field 'vae.params.qk_norm' must be true or false";
        QTest::newRow("list expected") << "    axes_dim:\n    - 16\n"
                                       << "    axes_dim: 16\n"
                                       << "field 'model.params.axes_dim' must be a list of integers";
        QTest::newRow("axes do not sum") << "    - 16\n"
                                         << "    - 12\n"
                                         << "must sum to hidden_size / num_heads = 16";
        QTest::newRow("heads do not divide") << "    num_heads: 4\n"
                                             << "    num_heads: 3\n"
                                             << "must be divisible by num_heads";
        QTest::newRow("2.1 denoiser")
            << "hy3dgen.shapegen.models.Hunyuan3DDiT"
            << "hy3dshape.models.denoisers.hunyuandit.HunYuanDiTPlain"
            << "unsupported model architecture 'hy3dshape.models.denoisers.hunyuandit.HunYuanDiTPlain'";
        QTest::newRow("multi-view encoder") << "type: DinoImageEncoder"
                                            << "type: DinoImageEncoderMV"
                                            << "unsupported model architecture 'DinoImageEncoderMV'";
        QTest::newRow("multi-view processor") << "preprocessors.ImageProcessorV2"
                                              << "preprocessors.MVImageProcessorV2"
                                              << "unsupported model architecture";
        QTest::newRow("unknown scheduler") << "ConsistencyFlowMatchEulerDiscreteScheduler"
                                           << "DDIMScheduler"
                                           << "unsupported model architecture";
        QTest::newRow("missing section") << "scheduler:\n"
                                         << "ignored_scheduler:\n"
                                         << "field 'scheduler' is missing";
        QTest::newRow("latent width mismatch") << "    in_channels: 16\n"
                                               << "    in_channels: 8\n"
                                               << "in_channels (8) must equal vae.params.embed_dim (16)";
        QTest::newRow("scheduler parameter") << "pcm_timesteps: 100"
                                             << "pcm_timesteps: 0"
                                             << "field 'scheduler.params.pcm_timesteps' must be positive";
        QTest::newRow("invalid yaml") << "model:\n"
                                      << "model: [\n"
                                      << "not valid YAML";
        QTest::newRow("unknown activation") << "hidden_act: gelu"
                                            << "hidden_act: tanh_x"
                                            << "field 'conditioner.params.main_image_encoder.kwargs.config.hidden_act'";
    }
    void configErrors()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = dir.filePath("config.yaml").toStdString();
        // The turbo fixture: its conditioner has the plain MLP, where hidden_act matters.
        writeText(
            path, replaceOnce(readText(kData + "/hy3d-tiny-turbo/config.yaml"), from.toStdString(), to.toStdString()));
        try {
            loadHunyuanModelConfig(path);
            QFAIL("a broken configuration was accepted");
        } catch (const ModelError& e) {
            QVERIFY2(std::string(e.what()).find(expected.toStdString()) != std::string::npos, e.what());
            QCOMPARE(e.path(), path);
        }
    }

    void missingConfigFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("config.yaml").toStdString();
        const std::string msg = modelErrorOf([&] { loadHunyuanModelConfig(path); });
        QVERIFY2(msg.find("cannot read the model configuration") != std::string::npos, msg.c_str());
    }

    void locatesWeights()
    {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        // Nothing at all.
        QVERIFY(modelErrorOf([&] { locateWeightsFile(d); }).find("no weights file") != std::string::npos);
        // Only a pickle: refused, with the way out.
        writeText(d + "/model.fp16.ckpt", "not read");
        const std::string pickle = modelErrorOf([&] { locateWeightsFile(d); });
        QVERIFY2(pickle.find("pickle") != std::string::npos, pickle.c_str());
        QVERIFY2(pickle.find("model.fp16.ckpt") != std::string::npos, pickle.c_str());
        QVERIFY2(pickle.find("safetensors") != std::string::npos, pickle.c_str());
        // Preferences with one or both files.
        writeText(d + "/model.safetensors", "x");
        std::string note;
        QCOMPARE(locateWeightsFile(d, WeightsPreference::Auto, &note), d + "/model.safetensors");
        QVERIFY(note.empty());
        QCOMPARE(locateWeightsFile(d, WeightsPreference::Fp16, &note), d + "/model.safetensors");
        QVERIFY(note.find("model.fp16.safetensors is not in the model folder") != std::string::npos);
        writeText(d + "/model.fp16.safetensors", "x");
        QCOMPARE(locateWeightsFile(d, WeightsPreference::Auto), d + "/model.fp16.safetensors");
        QCOMPARE(locateWeightsFile(d, WeightsPreference::Fp32), d + "/model.safetensors");
        QVERIFY(modelErrorOf([&] { locateWeightsFile(d + "/absent"); }).find("does not exist") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestModelConfig)
#include "tst_model_config.moc"
