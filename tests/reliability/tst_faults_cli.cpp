// Faults as a user of the `orfeas` binary meets them: the process is run for real (ORFEAS_BINARY_DIR/app/cli/orfeas)
// and its exit status, its message and the output folder are checked. Exit statuses: 0 all done (or skipped as
// complete), 1 some inputs failed, 2 usage or configuration error, 130 interrupted.
#include "mount_sandbox.h"
#include "reliability_support.h"

#include "orfeas/image_io.h"

#include <QtTest>

namespace fs = std::filesystem;
using reltest::runOrfeas;

namespace {
QStringList generateArgs(const fs::path& input, const fs::path& out, QStringList extra = {})
{
    QStringList a = {"generate", QString::fromStdString(input.string()), "-o", QString::fromStdString(out.string()),
                     "--backend", "inflate", "--resolution", "24", "--image-size", "64", "--texture-size", "64"};
    return a + extra;
}

QString text(const reltest::CliResult& r)
{
    return QString::fromUtf8(r.out + r.err);
}
} // namespace

class TestFaultsCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_mountProblem = reltest::enterPrivateMountNamespace();
        QVERIFY2(fs::exists(reltest::orfeasBinary().toStdString()), "the orfeas binary is not built");
        QVERIFY(m_tmp.isValid());
        m_input = fs::path(m_tmp.path().toStdString()) / "subject.png";
        orfeas::writePng(reltest::subjectImage(64, 3), m_input.string());
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("expected");
        QTest::newRow("resolution above the limit") << QStringList{"--resolution", "5000"} << "resolution";
        QTest::newRow("octree above the limit") << QStringList{"--octree", "4096"} << "octree";
        QTest::newRow("face budget above the limit") << QStringList{"--faces", "60000000"} << "face budget";
        QTest::newRow("texture above the limit") << QStringList{"--texture-size", "10000"} << "texture";
        QTest::newRow("bad shard") << QStringList{"--shard", "3/2"} << "shard";
        QTest::newRow("unknown format") << QStringList{"--format", "fbx"} << "fbx";
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, expected);
        const fs::path out = fs::path(m_tmp.path().toStdString()) / "usage";
        const auto r = runOrfeas(generateArgs(m_input, out, extra));
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(text(r).contains(expected, Qt::CaseInsensitive), qPrintable(text(r)));
        QVERIFY(!fs::exists(out / "subject.glb"));
    }

    void missingInputExitsTwo()
    {
        const fs::path out = fs::path(m_tmp.path().toStdString()) / "missing";
        const auto r = runOrfeas(generateArgs(fs::path(m_tmp.path().toStdString()) / "nope.png", out));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(text(r).contains("does not exist"), qPrintable(text(r)));
    }

    // A file the user already has (no run of ours accounts for it) is never replaced without --overwrite, and
    // nothing else of the job is written; the exit status says the input failed, the message how to proceed.
    void existingFileIsKept_data()
    {
        QTest::addColumn<QStringList>("formats");
        QTest::newRow("glb") << QStringList{"--format", "glb"};
        QTest::newRow("glb,obj") << QStringList{"--format", "glb,obj"};
    }

    void existingFileIsKept()
    {
        QFETCH(QStringList, formats);
        const fs::path out = fs::path(m_tmp.path().toStdString()) / ("existing-" + std::to_string(formats.size()) +
                                                                     formats.last().toStdString());
        fs::create_directories(out);
        std::ofstream(out / "subject.glb") << "my own model";
        auto r = runOrfeas(generateArgs(m_input, out, formats));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(text(r).contains("already exists") && text(r).contains("overwrite") &&
                     text(r).contains("subject.glb"),
                 qPrintable(text(r)));
        QCOMPARE(reltest::readText(out / "subject.glb"), std::string("my own model"));
        QVERIFY(!fs::exists(out / "subject.obj"));
        QVERIFY(!fs::exists(out / "subject.report.json"));
        QVERIFY(reltest::temporariesIn(out).empty());
        r = runOrfeas(generateArgs(m_input, out, formats << "--overwrite"));
        QCOMPARE(r.exitCode, 0);
        QVERIFY(reltest::glbComplete(out / "subject.glb"));
    }

    void folderInTheWay()
    {
        const fs::path out = fs::path(m_tmp.path().toStdString()) / "dir-in-the-way";
        fs::create_directories(out / "subject.glb");
        for (const QStringList& extra : {QStringList{}, QStringList{"--overwrite"}}) {
            const auto r = runOrfeas(generateArgs(m_input, out, extra));
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(text(r).contains("subject.glb"), qPrintable(text(r)));
            qInfo("%s", qPrintable(text(r).trimmed()));
            QVERIFY(fs::is_directory(out / "subject.glb"));
            QVERIFY(!fs::exists(out / "subject.report.json"));
            QVERIFY(reltest::temporariesIn(out).empty());
        }
        fs::remove(out / "subject.glb");
        QCOMPARE(runOrfeas(generateArgs(m_input, out)).exitCode, 0);
        QVERIFY(reltest::glbComplete(out / "subject.glb"));
    }

    void readOnlyFolder()
    {
        const fs::path out = fs::path(m_tmp.path().toStdString()) / "ro";
        fs::create_directories(out);
        const std::string problem = reltest::mountTmpfs(out, 4u << 20, true);
        if (!problem.empty())
            QSKIP(("cannot mount a read-only tmpfs: " + problem).c_str());
        const auto r = runOrfeas(generateArgs(m_input, out));
        qInfo("%s", qPrintable(text(r).trimmed()));
        const bool ok = r.exitCode == 1 && text(r).contains("Read-only file system") && reltest::listNames(out).empty();
        reltest::remountReadOnly(out, false);
        const auto again = runOrfeas(generateArgs(m_input, out));
        const bool complete = reltest::glbComplete(out / "subject.glb");
        reltest::unmount(out);
        QVERIFY2(ok, qPrintable(text(r)));
        QCOMPARE(again.exitCode, 0);
        QVERIFY(complete);
    }

    void fullFolder()
    {
        const fs::path out = fs::path(m_tmp.path().toStdString()) / "full";
        fs::create_directories(out);
        const std::string problem = reltest::mountTmpfs(out, 1u << 20);
        if (!problem.empty())
            QSKIP(("cannot mount a small tmpfs: " + problem).c_str());
        const fs::path filler = reltest::fillUp(out, 4096);
        const auto r = runOrfeas(generateArgs(m_input, out, {"--format", "glb,ply"}));
        qInfo("%s", qPrintable(text(r).trimmed()));
        const bool ok = r.exitCode == 1 && text(r).contains("No space left on device") &&
                        !fs::exists(out / "subject.glb") && reltest::temporariesIn(out).empty();
        fs::remove(filler);
        const auto again = runOrfeas(generateArgs(m_input, out, {"--format", "glb,ply"}));
        const bool complete = reltest::glbComplete(out / "subject.glb") && fs::file_size(out / "subject.ply") > 0;
        reltest::unmount(out);
        QVERIFY2(ok, qPrintable(text(r)));
        QCOMPARE(again.exitCode, 0);
        QVERIFY(complete);
    }

private:
    QTemporaryDir m_tmp;
    fs::path m_input;
    std::string m_mountProblem;
};

QTEST_GUILESS_MAIN(TestFaultsCli)
#include "tst_faults_cli.moc"
