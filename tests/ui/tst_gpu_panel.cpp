// GPU panel and sampler: telemetry arrives from the sampler's own thread as queued signals; the chart keeps the
// last minute; without NVML the panel says why.

#include "gpu_panel.h"
#include "gpu_sampler.h"
#include "gui_thread.h"

#include "orfeas/gpu_monitor.h"

#include <QLabel>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTest>
#include <QThread>

using namespace orfeas::ui;

class TestGpuPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void samplerReportsFromItsOwnThread()
    {
        const int violations = guiThreadViolations();
        GpuSampler sampler(100);
        GpuPanel panel;
        panel.setSampler(&sampler);
        QSignalSpy ready(&sampler, &GpuSampler::ready);
        QThread* deliveredOn = nullptr;
        connect(&sampler, &GpuSampler::ready, this, [&] { deliveredOn = QThread::currentThread(); });
        sampler.start();
        QVERIFY(ready.wait(10000));
        QCOMPARE(deliveredOn, QThread::currentThread()); // queued back to the GUI thread
        const bool available = ready.first().at(0).toBool();
        const QString reason = ready.first().at(1).toString();
        orfeas::GpuMonitor direct;
        QCOMPARE(available, direct.available());
        QCOMPARE(panel.isAvailable(), available);
        if (!available) {
            QVERIFY(!reason.isEmpty());
            bool shown = false;
            for (QLabel* l : panel.findChildren<QLabel*>())
                shown = shown || (l->isVisibleTo(&panel) && l->text() == reason);
            QVERIFY2(shown, qPrintable(reason));
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(panel.pointCount() > 0, 5000);
        }
        QCOMPARE(guiThreadViolations(), violations);
    }

    void chartKeepsTheLastMinute()
    {
        GpuPanel panel;
        panel.setAvailability(true, {}, {"Test GPU"}, {81920.0});
        QVERIFY(panel.isAvailable());
        for (int i = 0; i <= 90; ++i) {
            orfeas::GpuSample s;
            s.t = i;
            s.device = 0;
            s.utilizationPercent = i % 100;
            s.memoryUsedMB = 1024.0 * (i % 10);
            s.memoryTotalMB = 81920.0;
            s.temperatureC = 55;
            s.powerW = 210;
            panel.addSamples({s});
        }
        // One sample a second: 61 points span the 60 s window.
        QCOMPARE(panel.pointCount(), 61);
        QStringList texts;
        for (QLabel* l : panel.findChildren<QLabel*>())
            texts << l->text();
        QVERIFY2(texts.contains("90 %"), qPrintable(texts.join('|')));
        QVERIFY2(texts.contains("55 °C") && texts.contains("210 W"), qPrintable(texts.join('|')));
        QVERIFY(texts.contains("Test GPU"));
        // Samples of another device do not mix into the shown one.
        orfeas::GpuSample other;
        other.t = 91;
        other.device = 1;
        other.utilizationPercent = 3;
        panel.addSamples({other});
        QCOMPARE(panel.pointCount(), 61);
    }

    void noGpuPage()
    {
        GpuPanel panel;
        panel.setAvailability(false, "libnvidia-ml.so.1 not found", {}, {});
        QVERIFY(!panel.isAvailable());
        QCOMPARE(panel.findChild<QStackedWidget*>()->currentIndex(), 0);
        QStringList texts;
        for (QLabel* l : panel.findChildren<QLabel*>())
            texts << l->text();
        QVERIFY(texts.contains("No NVIDIA GPU detected"));
        QVERIFY(texts.contains("libnvidia-ml.so.1 not found"));
    }
};

QTEST_MAIN(TestGpuPanel)
#include "tst_gpu_panel.moc"
