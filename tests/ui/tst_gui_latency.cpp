// Benchmark: the GUI stays responsive while jobs run. A 10 ms timer on the GUI thread measures how late each of
// its ticks arrives (event-loop latency) while two classic jobs run at once in the studio window, from the drop to
// the last result (results, previews and the viewport update included). Prints max / p95 / p50 and, with
// ORFEAS_BENCH_OUT=<file>, writes them as JSON. Fails when p95 reaches 50 ms (and max too with
// ORFEAS_LATENCY_STRICT=1: on a shared 2-core CI box other processes can steal a single tick).

#include "drop_zone.h"
#include "job_controller.h"
#include "job_model.h"
#include "main_window.h"
#include "test_support.h"

#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <vector>

using namespace orfeas::ui;

namespace {

struct LatencyStats {
    double maxMs = 0, p95Ms = 0, p50Ms = 0;
    int samples = 0;
};

LatencyStats summarize(std::vector<double> v)
{
    LatencyStats s;
    s.samples = int(v.size());
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    s.maxMs = v.back();
    s.p95Ms = v[std::size_t(0.95 * double(v.size() - 1))];
    s.p50Ms = v[v.size() / 2];
    return s;
}

// Collects tick lateness until stopped.
class LatencyProbe : public QObject {
public:
    explicit LatencyProbe(int intervalMs) : m_interval(intervalMs)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(intervalMs);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const double now = double(m_clock.nsecsElapsed()) / 1e6;
            m_lateness.push_back(std::max(0.0, now - m_last - m_interval));
            m_last = now;
        });
    }
    void start()
    {
        m_lateness.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    std::vector<double> stop()
    {
        m_timer.stop();
        return m_lateness;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    double m_last = 0;
    int m_interval;
    std::vector<double> m_lateness;
};

} // namespace

class TestGuiLatency : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eventLoopLatencyWhileTwoJobsRun()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir dir;
        QSettings settings(dir.filePath("settings.ini"), QSettings::IniFormat);
        SettingsStore store(&settings);
        MainWindowOptions options;
        options.logFile = dir.filePath("studio.log");
        MainWindow window(&store, options);
        // Realistic classic jobs: the default face budget and texture, a finer grid than the default.
        orfeas::JobSettings s;
        s.backend = orfeas::BackendChoice::Inflate;
        s.resolution = 192;
        StudioPreferences prefs = window.preferences();
        prefs.outputDir = dir.filePath("out");
        prefs.concurrentJobs = 2;
        window.applySettings(s, prefs);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString a = dir.filePath("a.png"), b = dir.filePath("b.png");
        QVERIFY(test::discImage(1024).save(a));
        QVERIFY(test::discImage(1024, Qt::darkGreen).save(b));

        QTest::qWait(1500); // let the window (and the 3D view) settle
        QTest::qWait(1500); // let the window (and the 3D view) settle
        LatencyProbe probe(10);
        probe.start();
        QTest::qWait(1000);
        const LatencyStats idle = summarize(probe.stop());

        QElapsedTimer wall;
        wall.start();
        probe.start();
        window.controller()->addPaths({a, b});
        QTRY_COMPARE_WITH_TIMEOUT(window.jobModel()->rowCount(), 2, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(window.jobModel()->activeCount(), 0, 300000);
        QTest::qWait(200); // the last result reaches the viewport and previews
        const LatencyStats busy = summarize(probe.stop());
        const double seconds = double(wall.elapsed()) / 1000.0;
        for (int row = 0; row < 2; ++row)
            QCOMPARE(window.jobModel()->jobAt(row)->state, orfeas::JobState::Done);

        const QString platform = QGuiApplication::platformName();
        qInfo("platform %s, %d cores: idle max %.1f ms p95 %.1f ms; two jobs (%.1f s): max %.1f ms, p95 %.1f ms, "
              "p50 %.1f ms over %d ticks",
              qPrintable(platform), QThread::idealThreadCount(), idle.maxMs, idle.p95Ms, seconds, busy.maxMs,
              busy.p95Ms, busy.p50Ms, busy.samples);
        if (const QString out = qEnvironmentVariable("ORFEAS_BENCH_OUT"); !out.isEmpty()) {
            QJsonObject o{{"platform", platform},
                          {"cores", QThread::idealThreadCount()},
                          {"cpu", QSysInfo::currentCpuArchitecture()},
                          {"jobs_seconds", seconds},
                          {"busy_max_ms", busy.maxMs},
                          {"busy_p95_ms", busy.p95Ms},
                          {"busy_p50_ms", busy.p50Ms},
                          {"busy_ticks", busy.samples},
                          {"idle_max_ms", idle.maxMs},
                          {"idle_p95_ms", idle.p95Ms}};
            QFile f(out);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(o).toJson());
        }
        QVERIFY(busy.samples > 50);
        QVERIFY2(busy.p95Ms < 50.0, qPrintable(QString::number(busy.p95Ms)));
        if (qEnvironmentVariableIntValue("ORFEAS_LATENCY_STRICT"))
            QVERIFY2(busy.maxMs < 50.0, qPrintable(QString::number(busy.maxMs)));
    }
};

QTEST_MAIN(TestGuiLatency)
#include "tst_gui_latency.moc"
