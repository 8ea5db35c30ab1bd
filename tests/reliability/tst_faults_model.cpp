// A model folder that breaks: weights truncated, deleted or overwritten in place while they load (tensor by tensor,
// in a child process so a crash is seen as one), truncated or missing before a run of the CLI, cancellation during
// loading. After each: a clear ModelError (or CancelledError), no crash, and the next load of a good folder works.
#include "reliability_support.h"

#include "orfeas/image_io.h"

#include <QtTest>

namespace fs = std::filesystem;

namespace {
fs::path tinyModel()
{
    return fs::path(ORFEAS_TEST_DATA_DIR) / "hy3d-tiny";
}

void copyModel(const fs::path& to)
{
    fs::create_directories(to);
    for (const char* f : {"config.yaml", "model.safetensors"})
        fs::copy_file(tinyModel() / f, to / f, fs::copy_options::overwrite_existing);
}

QString helper()
{
    return QString::fromUtf8(ORFEAS_FAULT_HELPER);
}
} // namespace

class TestFaultsModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void faultWhileLoading_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("afterTensor");
        QTest::addColumn<int>("expectedExit");
        for (int k : {1, 20, 60}) {
            QTest::newRow(("truncate after tensor " + std::to_string(k)).c_str()) << "truncate" << k << 10;
            QTest::newRow(("overwrite in place after tensor " + std::to_string(k)).c_str()) << "replace" << k << 10;
            // A deleted file stays readable through the open mapping (POSIX): loading completes with the old bytes.
            QTest::newRow(("delete after tensor " + std::to_string(k)).c_str()) << "delete" << k << 0;
            QTest::newRow(("cancel after tensor " + std::to_string(k)).c_str()) << "cancel" << k << 11;
        }
        QTest::newRow("no fault") << "none" << 0 << 0;
    }

    void faultWhileLoading()
    {
        QFETCH(QString, mode);
        QFETCH(int, afterTensor);
        QFETCH(int, expectedExit);
        QTemporaryDir tmp;
        const fs::path model = fs::path(tmp.path().toStdString()) / "model";
        copyModel(model);
        const auto r = reltest::runOrfeas({mode, QString::fromStdString(model.string()), QString::number(afterTensor)},
                                          120000, helper());
        const QString said = QString::fromUtf8(r.out + r.err).trimmed();
        qInfo("%s after tensor %d: %s exit %d: %s", qPrintable(mode), afterTensor, r.crashed ? "CRASHED" : "",
              r.exitCode, qPrintable(said.left(300)));
        QVERIFY2(!r.crashed, "the process crashed (signal) instead of reporting an error");
        QCOMPARE(r.exitCode, expectedExit);
        if (expectedExit == 10)
            QVERIFY2(said.contains("model.safetensors") && (said.contains("changed") || said.contains("truncated") ||
                                                            said.contains("shorter")),
                     qPrintable(said));
        // A good copy loads afterwards (the process-wide cache does not keep the broken one).
        copyModel(model);
        const auto again = reltest::runOrfeas({"none", QString::fromStdString(model.string()), "0"}, 120000, helper());
        QCOMPARE(again.exitCode, 0);
    }

    // Through the CLI: a truncated weights file, then no weights at all, then the good file again.
    void brokenModelFolderThroughTheCli()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        const fs::path model = root / "model";
        copyModel(model);
        const fs::path input = root / "in.png";
        orfeas::writePng(reltest::subjectImage(64, 5), input.string());
        const QStringList args = {"generate", QString::fromStdString(input.string()), "-o",
                                  QString::fromStdString((root / "out").string()), "--backend", "hunyuan3d",
                                  "--device", "cpu", "--precision", "fp32", "--model",
                                  QString::fromStdString(model.string()), "--steps", "2", "--octree", "32",
                                  "--texture-size", "64"};
        fs::resize_file(model / "model.safetensors", fs::file_size(model / "model.safetensors") / 2);
        auto r = reltest::runOrfeas(args);
        QString said = QString::fromUtf8(r.out + r.err);
        qInfo("truncated: exit %d: %s", r.exitCode, qPrintable(said.trimmed()));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(said.contains("truncated") && said.contains("safetensors"), qPrintable(said));

        fs::remove(model / "model.safetensors");
        r = reltest::runOrfeas(args);
        said = QString::fromUtf8(r.out + r.err);
        qInfo("no weights: exit %d: %s", r.exitCode, qPrintable(said.trimmed()));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(said.contains("safetensors"), qPrintable(said));
        QVERIFY(!fs::exists(root / "out" / "in.glb"));

        copyModel(model);
        r = reltest::runOrfeas(args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(reltest::glbComplete(root / "out" / "in.glb"));
    }
};

QTEST_GUILESS_MAIN(TestFaultsModel)
#include "tst_faults_model.moc"
