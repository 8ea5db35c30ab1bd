// Replays every committed fuzz seed and every regression input (inputs that once broke a contract, kept after the
// fix) through the same harness functions libFuzzer runs. A harness aborts on a broken contract, so a regression
// shows up as a crashed test naming the input it was replaying.
#include "fuzz/fuzz_targets.h"

#include "orfeas/batch.h"
#include "orfeas/errors.h"
#include "orfeas/image_io.h"
#include "orfeas/model_config.h"
#include "orfeas/safetensors.h"

#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;
using namespace orfeas::fuzz;

namespace {
using Harness = int (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> inputsOf(const std::string& sub)
{
    std::vector<fs::path> files;
    for (const char* kind : {"corpus", "regressions"}) {
        const fs::path dir = fs::path(ORFEAS_FUZZ_DIR) / kind / sub;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.is_regular_file() && e.path().filename() != ".gitkeep" && e.path().extension() != ".md")
                files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::uint8_t> readAll(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
} // namespace

class TestFuzzReplay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replay_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("minimumSeeds");
        QTest::newRow("image") << "image" << 6;
        QTest::newRow("safetensors") << "safetensors" << 4;
        QTest::newRow("model_config") << "model_config" << 3;
        QTest::newRow("batch_paths") << "batch_paths" << 4;
    }

    void replay()
    {
        QFETCH(QString, target);
        QFETCH(int, minimumSeeds);
        const Harness harness = target == "image"         ? &fuzzImage
                                : target == "safetensors" ? &fuzzSafetensors
                                : target == "model_config" ? &fuzzModelConfig
                                                          : &fuzzBatchPaths;
        const auto files = inputsOf(target.toStdString());
        QVERIFY2(int(files.size()) >= minimumSeeds, "the seed corpus is missing or incomplete");
        for (const fs::path& f : files) {
            // Printed first so that an abort inside the harness names its input.
            std::fprintf(stderr, "replaying %s\n", f.string().c_str());
            const auto bytes = readAll(f);
            QCOMPARE(harness(bytes.data(), bytes.size()), 0);
        }
    }

    // What the fuzz targets found (docs/reliability.md), checked by name: the replay above only proves that the
    // inputs no longer break a contract; these say what the engine answers now.
    void findingSanitizedStemEndsCleanly()
    {
        const std::string s = orfeas::sanitizeStem(std::string(179, 'a') + ".b");
        QVERIFY(s.size() <= 180);
        QVERIFY(s.back() != '.' && s.back() != ' ');
        QCOMPARE(orfeas::sanitizeStem(s), s);
    }

    void findingShardEnvironmentOutOfRange_data()
    {
        QTest::addColumn<QByteArray>("id");
        QTest::addColumn<QByteArray>("min");
        QTest::newRow("index wraps to 1 as int") << QByteArray("4294967297") << QByteArray("0");
        QTest::newRow("index minus min overflows") << QByteArray("2147483647") << QByteArray("-2147483648");
        QTest::newRow("beyond long long") << QByteArray("99999999999999999999999") << QByteArray("0");
    }

    void findingShardEnvironmentOutOfRange()
    {
        QFETCH(QByteArray, id);
        QFETCH(QByteArray, min);
        qputenv("SLURM_ARRAY_TASK_ID", id);
        qputenv("SLURM_ARRAY_TASK_COUNT", "5");
        qputenv("SLURM_ARRAY_TASK_MIN", min);
        try {
            const auto s = orfeas::parseShard("auto");
            qunsetenv("SLURM_ARRAY_TASK_ID");
            QFAIL(qPrintable(QString("accepted as shard %1/%2").arg(s.index).arg(s.count)));
        } catch (const orfeas::ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("SLURM_ARRAY_TASK_") != std::string::npos, e.what());
        }
        qunsetenv("SLURM_ARRAY_TASK_ID");
        qunsetenv("SLURM_ARRAY_TASK_COUNT");
        qunsetenv("SLURM_ARRAY_TASK_MIN");
    }

    // fuzz_image (CI, 2026-11-27): a run-length encoded TGA of 115 bytes claiming 5904 x 6164 pixels was decoded
    // to the end (stb_image reads zeros past the data): a timeout under ASan. Now refused before decoding.
    void findingTgaRunLengthClaim()
    {
        const auto bytes = readAll(fs::path(ORFEAS_FUZZ_DIR) / "regressions" / "image" / "tga_rle_huge_claim.tga");
        QCOMPARE(bytes.size(), std::size_t(115));
        try {
            orfeas::loadImageFromMemory(bytes, "tga_rle_huge_claim.tga");
            QFAIL("accepted");
        } catch (const orfeas::BadInputError& e) {
            QVERIFY2(std::string(e.what()).find("truncated TGA") != std::string::npos, e.what());
        }
    }

    void findingSafetensorsShapes_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("element count overflows int64") << "element_count_overflow.safetensors" << "overflows";
        QTest::newRow("overlap hidden by an empty tensor") << "overlap_behind_empty_tensor.safetensors" << "overlap";
    }

    void findingSafetensorsShapes()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const auto bytes = readAll(fs::path(ORFEAS_FUZZ_DIR) / "regressions" / "safetensors" / file.toStdString());
        try {
            orfeas::SafetensorsFile::fromBytes(bytes, "x.safetensors");
            QFAIL("accepted");
        } catch (const orfeas::ModelError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void findingConfigBounds_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("field");
        QTest::newRow("mlp_ratio found by libFuzzer") << "mlp_ratio_int_overflow.yaml" << "model.params.mlp_ratio";
        QTest::newRow("mlp_ratio 1e300") << "mlp_ratio_1e300.yaml" << "model.params.mlp_ratio";
        QTest::newRow("depth 200 million") << "depth_200_million.yaml" << "model.params.depth";
        QTest::newRow("image size grid overflow")
            << "image_size_grid_overflow.yaml" << "conditioner.params.main_image_encoder.kwargs.config.image_size";
        QTest::newRow("axes_dim sum") << "axes_dim_sum_overflow.yaml" << "model.params.axes_dim";
    }

    void findingConfigBounds()
    {
        QFETCH(QString, file);
        QFETCH(QString, field);
        const auto bytes = readAll(fs::path(ORFEAS_FUZZ_DIR) / "regressions" / "model_config" / file.toStdString());
        try {
            orfeas::parseHunyuanModelConfig(std::string(bytes.begin(), bytes.end()), "c.yaml");
            QFAIL("accepted");
        } catch (const orfeas::ModelError& e) {
            QVERIFY2(QString(e.what()).contains("'" + field + "'"), e.what());
        }
    }

    // The seeds are there to lead the fuzzer into the parsers' accepting paths: each committed seed (not the
    // regression inputs) must be a valid file of its kind.
    void seedsAreValid()
    {
        const fs::path corpus = fs::path(ORFEAS_FUZZ_DIR) / "corpus";
        int checked = 0;
        for (const auto& e : fs::directory_iterator(corpus / "image")) {
            const auto bytes = readAll(e.path());
            const orfeas::ImageRGBA8 img = orfeas::loadImageFromMemory(bytes, e.path().string());
            QVERIFY2(img.isValid(), e.path().c_str());
            ++checked;
        }
        for (const auto& e : fs::directory_iterator(corpus / "safetensors")) {
            auto bytes = readAll(e.path());
            if (e.path().extension() == ".json") { // a header-only seed: the harness adds the length and data
                const std::uint64_t len = bytes.size();
                std::vector<std::uint8_t> file(8);
                std::memcpy(file.data(), &len, 8);
                file.insert(file.end(), bytes.begin(), bytes.end());
                file.resize(file.size() + 256, 0);
                bytes = file;
            }
            const auto file = orfeas::SafetensorsFile::fromBytes(bytes, e.path().string());
            QVERIFY2(!file.tensors().empty(), e.path().c_str());
            ++checked;
        }
        for (const auto& e : fs::directory_iterator(corpus / "model_config")) {
            const auto bytes = readAll(e.path());
            const auto cfg = orfeas::parseHunyuanModelConfig(std::string(bytes.begin(), bytes.end()), e.path().string());
            QVERIFY(!orfeas::hunyuanParameterManifest(cfg).empty());
            ++checked;
        }
        QVERIFY(checked >= 20);
    }
};

QTEST_GUILESS_MAIN(TestFuzzReplay)
#include "tst_fuzz_replay.moc"
