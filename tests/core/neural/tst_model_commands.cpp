// `orfeas model check | init-random | fit-field`, in-process through the CLI library on the tiny fixtures (CPU).

#include "cli_commands.h"

#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace {

const std::string kData = ORFEAS_TEST_DATA_DIR;

struct Run {
    int code = -1;
    std::string out, err;
};

Run runOrfeas(std::vector<std::string> args)
{
    args.insert(args.begin(), "orfeas");
    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    std::ostringstream out, err;
    Run r;
    r.code = orfeas::cli::runCli(int(argv.size()), argv.data(), out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

bool has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestModelCommands : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        if (!orfeas::neuralRuntimeInfo().available)
            QSKIP("built without LibTorch");
        QVERIFY(m_dir.isValid());
    }

    // Against the reference: a table of every stage, PASSED, exit 0 (both fixtures, float32 on the CPU).
    void checkAgainstReference_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::newRow("hy3d-tiny") << "hy3d-tiny";
        QTest::newRow("hy3d-tiny-turbo") << "hy3d-tiny-turbo";
    }
    void checkAgainstReference()
    {
        QFETCH(QString, folder);
        const std::string f = kData + "/" + folder.toStdString();
        const Run r = runOrfeas({ "model", "check", f, "--reference", f + "/io.safetensors" });
        QVERIFY2(r.code == 0, (r.out + r.err).c_str());
        for (const char* stage : { "schedule", "conditioner", "denoiser", "sampling", "sampling_batch", "vae",
                 "geometry", "grid", "pipeline" })
            QVERIFY2(has(r.out, std::string("  ") + stage + " "), stage);
        QVERIFY(has(r.out, "PASSED"));
        QVERIFY(!has(r.out, "FAILED"));

        const Run j = runOrfeas({ "model", "check", f, "--reference", f + "/io.safetensors", "--json", "--chunk", "500" });
        QCOMPARE(j.code, 0);
        const auto doc = nlohmann::json::parse(j.out);
        QVERIFY(doc["passed"].get<bool>());
        QCOMPARE(int(doc["stages"].size()), 9);
        for (const auto& s : doc["stages"]) {
            QVERIFY(s["rel_error"].get<double>() <= s["tolerance"].get<double>());
            const double expected = s["stage"] == "schedule"                                             ? 1e-7
                : s["stage"] == "sampling" || s["stage"] == "sampling_batch" || s["stage"] == "pipeline" ? 1e-4
                                                                                                         : 2e-5;
            QCOMPARE(s["tolerance"].get<double>(), expected);
        }
    }

    // Above tolerance: FAILED and exit 1 (the other model's outputs, or a tolerance no arithmetic meets).
    void checkFailsAboveTolerance()
    {
        const Run wrong = runOrfeas({ "model", "check", kData + "/hy3d-tiny", "--reference",
            kData + "/hy3d-tiny-turbo/io.safetensors" });
        QCOMPARE(wrong.code, 1);
        QVERIFY(has(wrong.out, "FAILED"));
        const Run strict = runOrfeas({ "model", "check", kData + "/hy3d-tiny", "--reference",
            kData + "/hy3d-tiny/io.safetensors", "--weights", "fp16" });
        QCOMPARE(strict.code, 1); // the fp16 file is 8e-4 away, the fp32 default tolerance 2e-5
        const Run loose = runOrfeas({ "model", "check", kData + "/hy3d-tiny", "--reference",
            kData + "/hy3d-tiny/io.safetensors", "--weights", "fp16", "--tolerance", "2e-3", "--loop-tolerance", "2e-3" });
        QVERIFY2(loose.code == 0, loose.out.c_str());
    }

    // Without a reference: what the folder holds and whether it fits its configuration (no LibTorch needed).
    void checkFolderOnly()
    {
        const Run r = runOrfeas({ "model", "check", kData + "/hy3d-tiny" });
        QVERIFY2(r.code == 0, (r.out + r.err).c_str());
        QVERIFY(has(r.out, "variant     hy3d-tiny"));
        QVERIFY(has(r.out, "OK: every tensor"));
        const Run j = runOrfeas({ "model", "check", kData + "/hy3d-tiny-turbo", "--json" });
        QCOMPARE(j.code, 0);
        const auto doc = nlohmann::json::parse(j.out);
        QVERIFY(doc["passed"].get<bool>());
        QVERIFY(doc["guidance_embed"].get<bool>());
        QVERIFY(doc["missing"].empty());

        const Run missing = runOrfeas({ "model", "check", kData + "/no-such-model" });
        QCOMPARE(missing.code, 1);
        QVERIFY(has(missing.err, "no-such-model"));
    }

    void initRandomWritesALoadableFolder()
    {
        const std::string out = m_dir.path().toStdString() + "/random";
        const Run r = runOrfeas({ "model", "init-random", "--config", kData + "/hy3d-tiny-turbo/config.yaml", "--out", out,
            "--seed", "3", "--json" });
        QVERIFY2(r.code == 0, (r.out + r.err).c_str());
        const auto doc = nlohmann::json::parse(r.out);
        QCOMPARE(doc["weights"].get<std::string>(), out + "/model.fp16.safetensors");
        QVERIFY(doc["parameters"].get<std::int64_t>() > 100000);
        const Run check = runOrfeas({ "model", "check", out });
        QVERIFY2(check.code == 0, check.out.c_str());
        const Run again = runOrfeas({ "model", "init-random", "--config", kData + "/hy3d-tiny-turbo/config.yaml", "--out", out });
        QCOMPARE(again.code, 1);
        QVERIFY(has(again.err, "already exists"));
        const Run badDtype = runOrfeas({ "model", "init-random", "--config", "x.yaml", "--out", out, "--dtype", "int8" });
        QCOMPARE(badDtype.code, 2);
        const Run noConfig = runOrfeas({ "model", "init-random", "--out", out });
        QCOMPARE(noConfig.code, 2);
    }

    void fitFieldWritesAFittedFolder()
    {
        const std::string out = m_dir.path().toStdString() + "/fitted";
        const Run r = runOrfeas({ "model", "fit-field", "--model", kData + "/hy3d-tiny", "--out", out, "--steps", "20",
            "--points", "512", "--lr", "3e-3", "--shape", "sphere", "--device", "cpu", "--json" });
        QVERIFY2(r.code == 0, (r.out + r.err).c_str());
        const auto doc = nlohmann::json::parse(r.out);
        QCOMPARE(doc["steps"].get<int>(), 20);
        QCOMPARE(doc["device"].get<std::string>(), std::string("cpu"));
        QVERIFY(doc["final_loss"].get<double>() < doc["initial_loss"].get<double>());
        QVERIFY(has(r.err, "fitting step 20/20"));
        QVERIFY(fs::exists(out + "/model.fp16.safetensors")); // the source folder's preferred file
        QCOMPARE(runOrfeas({ "model", "check", out }).code, 0);
        const Run badShape = runOrfeas({ "model", "fit-field", "--model", kData + "/hy3d-tiny", "--out", out, "--shape", "cube" });
        QCOMPARE(badShape.code, 2);
        const Run exists = runOrfeas({ "model", "fit-field", "--model", kData + "/hy3d-tiny", "--out", out, "--steps", "1",
            "--points", "64", "--device", "cpu" });
        QCOMPARE(exists.code, 1);
    }
};

QTEST_GUILESS_MAIN(TestModelCommands)
#include "tst_model_commands.moc"
