#pragma once
// Samples the GPUs through the engine's GpuMonitor on a thread of its own: NVML calls (and the dlopen at start)
// never run on the GUI thread. Results arrive as queued signals.

#include "orfeas/report.h"

#include <QList>
#include <QObject>
#include <QStringList>
#include <QThread>

#include <memory>

// Samples travel through queued signals between the sampler thread and the GUI thread.
Q_DECLARE_METATYPE(orfeas::GpuSample)

class QTimer;

namespace orfeas {
class GpuMonitor;
}

namespace orfeas::ui {

// The worker half: lives on the sampler's thread.
class GpuSamplerWorker : public QObject {
    Q_OBJECT
public:
    explicit GpuSamplerWorker(int intervalMs);
    ~GpuSamplerWorker() override;

public Q_SLOTS:
    void begin();
    void sample();
    void finish();

Q_SIGNALS:
    void ready(bool available, const QString& reason, const QStringList& deviceNames, const QList<double>& memoryTotalMB);
    void sampled(const QList<orfeas::GpuSample>& samples);

private:
    std::unique_ptr<orfeas::GpuMonitor> m_monitor;
    QTimer* m_timer = nullptr;
    int m_intervalMs;
};

// The GUI half: owns the thread. Signals are delivered on the GUI thread.
class GpuSampler : public QObject {
    Q_OBJECT
public:
    explicit GpuSampler(int intervalMs = 1000, QObject* parent = nullptr);
    ~GpuSampler() override; // stops the timer and joins the thread

    void start();
    int intervalMs() const { return m_intervalMs; }

Q_SIGNALS:
    void ready(bool available, const QString& reason, const QStringList& deviceNames, const QList<double>& memoryTotalMB);
    void sampled(const QList<orfeas::GpuSample>& samples);

private:
    QThread m_thread;
    GpuSamplerWorker* m_worker = nullptr;
    int m_intervalMs;
};

} // namespace orfeas::ui
