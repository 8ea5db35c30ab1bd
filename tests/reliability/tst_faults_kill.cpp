// The real `orfeas` process killed with SIGKILL while it exports (at a spread of moments inside the export), and
// interrupted with SIGINT in the middle of a batch. After each: every file under a final name is complete (files
// only appear by rename of finished temporaries), at most hidden temporaries remain, and the next run completes
// the work.
#include "reliability_support.h"

#include "orfeas/image_io.h"

#include <QtTest>

#include <csignal>

namespace fs = std::filesystem;
using reltest::runOrfeas;

namespace {

// Complete files of each format (the STL and PLY checks parse their headers and count the records).
bool stlComplete(const fs::path& p)
{
    const std::string s = reltest::readText(p);
    return s.size() >= 84 && s.size() == 84 + 50 * std::size_t(reltest::le32(s, 80));
}

bool plyComplete(const fs::path& p)
{
    std::ifstream in(p);
    std::string line;
    long vertices = -1, faces = -1;
    while (std::getline(in, line) && line != "end_header") {
        if (line.rfind("element vertex ", 0) == 0)
            vertices = std::stol(line.substr(15));
        if (line.rfind("element face ", 0) == 0)
            faces = std::stol(line.substr(13));
    }
    long records = 0;
    while (std::getline(in, line))
        if (!line.empty())
            ++records;
    return vertices > 0 && faces > 0 && records == vertices + faces;
}

bool objComplete(const fs::path& p)
{
    const std::string s = reltest::readText(p);
    return s.size() > 16 && s.back() == '\n' && s.find("\nf ") != std::string::npos;
}

// Which final files exist and whether each is complete.
std::string inspect(const fs::path& out, int& finalsPresent)
{
    finalsPresent = 0;
    for (const auto& name : reltest::listNames(out)) {
        if (name.front() == '.') // hidden: our temporaries and the "run in progress" marker
            continue;
        const fs::path p = out / name;
        ++finalsPresent;
        const std::string ext = p.extension().string();
        const bool ok = ext == ".glb"   ? reltest::glbComplete(p)
                        : ext == ".stl" ? stlComplete(p)
                        : ext == ".ply" ? plyComplete(p)
                        : ext == ".obj" ? objComplete(p)
                                        : fs::file_size(p) > 0;
        if (!ok)
            return "partial file under a final name: " + name;
    }
    return {};
}

} // namespace

class TestFaultsKill : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(fs::exists(reltest::orfeasBinary().toStdString()), "the orfeas binary is not built");
        m_input = fs::path(m_tmp.path().toStdString()) / "subject.png";
        orfeas::writePng(reltest::subjectImage(512, 4), m_input.string());
        // How long the export takes here: the kills below are spread over that time.
        const fs::path out = fs::path(m_tmp.path().toStdString()) / "probe";
        QProcess p;
        p.start(reltest::orfeasBinary(), argsFor(out));
        QVERIFY(p.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        QByteArray seen;
        qint64 exportStarted = -1;
        while (p.state() == QProcess::Running || p.bytesAvailable() > 0) {
            p.waitForReadyRead(5);
            seen += p.readAllStandardOutput();
            if (exportStarted < 0 && seen.contains("\"stage\":\"mesh_export\""))
                exportStarted = clock.elapsed();
            if (seen.contains("\"event\":\"done\""))
                break;
        }
        m_exportMs = clock.elapsed() - exportStarted;
        p.waitForFinished(60000);
        QVERIFY(exportStarted >= 0 && p.exitCode() == 0);
        qInfo("the export takes about %lld ms here", m_exportMs);
    }

    // Killed at 0%, 10%, ... 110% of the export's duration after it starts, and once right after it reports that
    // it moves its files into place.
    void killDuringExport_data()
    {
        QTest::addColumn<int>("percent");
        for (int pc = 0; pc <= 110; pc += 10)
            QTest::newRow((std::to_string(pc) + "% into the export").c_str()) << pc;
        QTest::newRow("while moving files into place") << -1;
    }

    void killDuringExport()
    {
        QFETCH(int, percent);
        const fs::path out = fs::path(m_tmp.path().toStdString()) / ("kill-" + std::to_string(percent + 1));
        const QStringList args = argsFor(out);
        QProcess p;
        p.start(reltest::orfeasBinary(), args);
        QVERIFY(p.waitForStarted());
        const QByteArray anchor = percent < 0 ? "moving files into place" : "\"stage\":\"mesh_export\"";
        QByteArray seen;
        bool reached = false;
        QElapsedTimer clock;
        clock.start();
        while (!reached && clock.elapsed() < 120000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(2);
            seen += p.readAllStandardOutput();
            reached = seen.contains(anchor);
        }
        QVERIFY2(reached, seen.constData());
        const qint64 delay = percent < 0 ? 0 : m_exportMs * percent / 100;
        QThread::msleep(ulong(delay));
        const bool stillRunning = p.state() == QProcess::Running;
        ::kill(pid_t(p.processId()), SIGKILL);
        p.waitForFinished(10000);
        int present = 0;
        const std::string problem = inspect(out, present);
        const auto tmps = reltest::temporariesIn(out);
        const bool marker = fs::exists(out / ".subject.orfeas-writing");
        qInfo("killed %lld ms after '%s'%s: %d final file(s), %d hidden temporar%s, marker %s", delay,
              anchor.constData(), stillRunning ? "" : " (it had already exited)", present, int(tmps.size()),
              tmps.size() == 1 ? "y" : "ies", marker ? "left" : "absent");
        QVERIFY2(problem.empty(), problem.c_str());

        // The next run, without --overwrite, completes the job: files the killed run had already moved into place
        // are recognised as its own (hidden marker) and replaced.
        QStringList again = args;
        again.removeAll("--json");
        const auto r = runOrfeas(again, 300000);
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        QVERIFY(inspect(out, present).empty());
        for (const char* name : {"subject.glb", "subject.obj", "subject.mtl", "subject_texture.png", "subject.stl",
                                 "subject.ply", "subject.report.json"})
            QVERIFY2(fs::is_regular_file(out / name), name);
        QVERIFY(!fs::exists(out / ".subject.orfeas-writing"));
        // Stale temporaries of the killed process stay hidden; the new run neither used nor listed them.
        QCOMPARE(reltest::temporariesIn(out).size(), tmps.size());
    }

    // SIGINT in the middle of a batch on two workers: exit 130, finished models intact, unfinished ones absent;
    // the next run does only what is left.
    void interruptBatch()
    {
        const fs::path in = fs::path(m_tmp.path().toStdString()) / "batch-in";
        const fs::path out = fs::path(m_tmp.path().toStdString()) / "batch-out";
        fs::create_directories(in);
        for (int i = 0; i < 8; ++i)
            orfeas::writePng(reltest::subjectImage(256, unsigned(i)), (in / ("img" + std::to_string(i) + ".png")).string());
        const QStringList args = {"generate", QString::fromStdString(in.string()), "-o",
                                  QString::fromStdString(out.string()), "--backend", "inflate", "--resolution", "96",
                                  "--texture-size", "512", "--jobs", "2", "--json"};
        QProcess p;
        p.start(reltest::orfeasBinary(), args);
        QVERIFY(p.waitForStarted());
        QByteArray seen;
        QElapsedTimer clock;
        clock.start();
        while (!seen.contains("\"event\":\"done\"") && clock.elapsed() < 120000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(50);
            seen += p.readAllStandardOutput();
        }
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        seen += p.readAllStandardOutput();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(seen.contains("interrupted"), seen.constData());
        int present = 0;
        const std::string problem = inspect(out, present);
        QVERIFY2(problem.empty(), problem.c_str());
        QVERIFY(reltest::temporariesIn(out).empty()); // cancelled jobs clean up after themselves
        const int doneBefore = int(seen.count("\"event\":\"done\""));
        qInfo("interrupted after %d of 8 done", doneBefore);
        QVERIFY(doneBefore >= 1 && doneBefore < 8);

        QStringList again = args;
        const auto r = runOrfeas(again, 300000);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QByteArray("\"skipped\":") + QByteArray::number(doneBefore)), r.out.constData());
        for (int i = 0; i < 8; ++i)
            QVERIFY(reltest::glbComplete(out / ("img" + std::to_string(i) + ".glb")));
    }

private:
    QStringList argsFor(const fs::path& out) const
    {
        return {"generate", QString::fromStdString(m_input.string()), "-o", QString::fromStdString(out.string()),
                "--backend", "inflate", "--resolution", "160", "--faces", "0", "--texture-size", "2048",
                "--format", "glb,obj,stl,ply", "--json"};
    }

    QTemporaryDir m_tmp;
    fs::path m_input;
    qint64 m_exportMs = 0;
};

QTEST_GUILESS_MAIN(TestFaultsKill)
#include "tst_faults_kill.moc"
