// The command-line contract: options, outputs, JSON lines, skipping finished work, shards and exit codes.
// Commands run in-process through runCli with captured streams.

#include "cli_commands.h"

#include "orfeas/image_io.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace orfeas;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Run {
    int code = -1;
    std::string out, err;
    std::vector<json> events() const
    {
        std::vector<json> v;
        std::istringstream is(out);
        std::string line;
        while (std::getline(is, line))
            if (!line.empty())
                v.push_back(json::parse(line)); // every stdout line of --json must be one JSON object
        return v;
    }
};

Run runOrfeas(std::vector<std::string> args)
{
    args.insert(args.begin(), "orfeas");
    std::vector<const char*> argv;
    for (auto& a : args)
        argv.push_back(a.c_str());
    std::ostringstream out, err;
    Run r;
    r.code = orfeas::cli::runCli(int(argv.size()), argv.data(), out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

ImageRGBA8 blob(int size, int seed)
{
    ImageRGBA8 img;
    img.width = img.height = size;
    img.pixels.resize(std::size_t(size) * size * 4);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            std::uint8_t* p = img.pixel(x, y);
            const double dx = x - size * 0.5, dy = (y - size * 0.5) * (1.0 + 0.1 * seed);
            p[0] = std::uint8_t(40 * seed);
            p[1] = std::uint8_t(x);
            p[2] = std::uint8_t(y);
            p[3] = dx * dx + dy * dy < size * size * 0.1 ? 255 : 0;
        }
    return img;
}

const std::vector<std::string> kFast = {"--resolution", "32", "--faces", "500", "--texture-size", "32",
                                        "--image-size", "64", "--backend", "inflate"};

std::vector<std::string> withFast(std::vector<std::string> a)
{
    a.insert(a.end(), kFast.begin(), kFast.end());
    return a;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    std::string m_inputs;

private Q_SLOTS:
    void initTestCase()
    {
        m_inputs = m_tmp.filePath("in").toStdString();
        fs::create_directories(m_inputs + "/sub");
        for (int i = 0; i < 5; ++i)
            writePng(blob(64, i), m_inputs + "/img" + std::to_string(i) + ".png");
        writePng(blob(64, 7), m_inputs + "/sub/img0.png"); // same stem as a top-level input
        std::ofstream(m_inputs + "/notes.txt") << "not an image";
    }

    void helpAndVersion()
    {
        Run v = runOrfeas({"--version"});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.find(std::string("orfeas ") + "0.") != std::string::npos);
        Run h = runOrfeas({"generate", "--help"});
        QCOMPARE(h.code, 0);
        for (const char* opt : {"--backend", "--format", "--jobs", "--seed", "--resolution", "--faces", "--texture-size",
                                "--thickness", "--json", "--shard", "--overwrite", "--model", "--steps", "--guidance",
                                "--octree", "--chunk", "--decoder", "--precision"})
            QVERIFY2(h.out.find(opt) != std::string::npos, opt);
    }

    void usageErrorsExitWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no command") << QStringList{};
        QTest::newRow("unknown option") << QStringList{"generate", "x.png", "-o", "o", "--frobnicate"};
        QTest::newRow("bad format") << QStringList{"generate", "x.png", "-o", "o", "--format", "fbx"};
        QTest::newRow("bad backend") << QStringList{"generate", "x.png", "-o", "o", "--backend", "magic"};
        QTest::newRow("bad shard") << QStringList{"generate", "IN", "-o", "o", "--shard", "4/4"};
        QTest::newRow("missing input") << QStringList{"generate", "/nonexistent/x.png", "-o", "o"};
        QTest::newRow("no output") << QStringList{"generate", "IN"};
        QTest::newRow("bad resolution") << QStringList{"generate", "IN", "-o", "o", "--resolution", "3"};
    }
    void usageErrorsExitWithTwo()
    {
        QFETCH(QStringList, args);
        std::vector<std::string> a;
        for (const auto& s : args)
            a.push_back(s == "IN" ? m_inputs : s == "o" ? m_tmp.filePath("usage-out").toStdString() : s.toStdString());
        Run r = runOrfeas(a);
        QCOMPARE(r.code, 2);
        QVERIFY(!r.err.empty() || !r.out.empty());
    }

    void generatesAFolderWithJsonLinesThenSkipsFinishedWork()
    {
        const std::string out = m_tmp.filePath("out").toStdString();
        Run r = runOrfeas(withFast({"generate", m_inputs, "-r", "-o", out, "--json", "--jobs", "2", "--format", "glb,stl"}));
        QCOMPARE(r.code, 0);
        auto ev = r.events();
        QCOMPARE(ev.front()["event"].get<std::string>(), std::string("batch_started"));
        QCOMPARE(ev.back()["event"].get<std::string>(), std::string("batch_finished"));
        QCOMPARE(ev.back()["done"].get<int>(), 6);
        int progress = 0, done = 0;
        for (const auto& e : ev) {
            progress += e["event"] == "progress";
            done += e["event"] == "done";
        }
        QVERIFY(progress >= 6 * 7); // at least the stage boundaries of every job
        QCOMPARE(done, 6);
        // same stem in two folders: distinct outputs
        QVERIFY(fs::exists(out + "/img0.glb"));
        QVERIFY(fs::exists(out + "/img0_sub.glb"));
        for (const char* f : {"performance_report.json", "gpu_report.json", "img3.report.json", "img3.stl"})
            QVERIFY2(fs::exists(out + "/" + f), f);
        const auto mtime = fs::last_write_time(out + "/img3.glb");

        Run again = runOrfeas(withFast({"generate", m_inputs, "-r", "-o", out, "--json", "--format", "glb,stl"}));
        QCOMPARE(again.code, 0);
        int skipped = 0;
        for (const auto& e : again.events())
            skipped += e["event"] == "skipped";
        QCOMPARE(skipped, 6);
        QCOMPARE(fs::last_write_time(out + "/img3.glb"), mtime);
    }

    void shardsSplitTheBatch()
    {
        const std::string out = m_tmp.filePath("shards").toStdString();
        int total = 0;
        for (int s = 0; s < 3; ++s) {
            Run r = runOrfeas(withFast({"generate", m_inputs, "-o", out, "--json", "--shard", std::to_string(s) + "/3"}));
            QCOMPARE(r.code, 0);
            total += r.events().back()["done"].get<int>();
            QVERIFY(fs::exists(out + "/performance_report.shard-" + std::to_string(s) + "-of-3.json"));
        }
        QCOMPARE(total, 5);
        Run m = runOrfeas({"report", "merge", out, "-o", out + "/merged", "--json"});
        QCOMPARE(m.code, 0);
        QCOMPARE(json::parse(m.out)["runs"].get<int>(), 5);
    }

    void failedInputsExitWithOneAndOthersStillFinish()
    {
        const std::string out = m_tmp.filePath("mixed").toStdString();
        const std::string bad = m_tmp.filePath("broken.png").toStdString();
        std::ofstream(bad) << "this is text";
        Run r = runOrfeas(withFast({"generate", m_inputs + "/img1.png", bad, "-o", out, "--json"}));
        QCOMPARE(r.code, 1);
        bool sawFailure = false;
        for (const auto& e : r.events())
            if (e["event"] == "failed") {
                sawFailure = true;
                QCOMPARE(e["error_kind"].get<std::string>(), std::string("bad_input"));
                QCOMPARE(e["stage"].get<std::string>(), std::string("image_loading"));
            }
        QVERIFY(sawFailure);
        QVERIFY(fs::exists(out + "/img1.glb"));
        QVERIFY(!fs::exists(out + "/broken.glb"));
        const json perf = json::parse(std::ifstream(out + "/performance_report.json"));
        QCOMPARE(perf["batch"]["failed"].get<int>(), 1);
        QCOMPARE(perf["failures"][0]["error_kind"].get<std::string>(), std::string("bad_input"));
    }

    void infoAndModelListWorkWithoutModels()
    {
        qputenv("HY3DGEN_MODELS", m_tmp.filePath("no-models").toUtf8());
        qputenv("HF_HUB_CACHE", m_tmp.filePath("no-hub").toUtf8());
        Run i = runOrfeas({"info", "--json"});
        QCOMPARE(i.code, 0);
        const json j = json::parse(i.out);
        QVERIFY(j.contains("gpu"));
        QVERIFY(j["gpu"].contains("available"));
        QCOMPARE(j["backends"][0]["name"].get<std::string>(), std::string("inflate"));
        Run l = runOrfeas({"model", "list", "--json"});
        QCOMPARE(l.code, 0);
        QCOMPARE(json::parse(l.out).size(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
