#include "gpu_sampler.h"

#include "orfeas/gpu_monitor.h"

#include <QMetaObject>
#include <QTimer>

namespace orfeas::ui {

GpuSamplerWorker::GpuSamplerWorker(int intervalMs)
    : m_intervalMs(intervalMs)
{
}

GpuSamplerWorker::~GpuSamplerWorker() = default;

void GpuSamplerWorker::begin()
{
    m_monitor = std::make_unique<orfeas::GpuMonitor>(); // dlopen happens here, on the sampler thread
    QStringList names;
    QList<double> totals;
    for (const auto& d : m_monitor->devices()) {
        names << QString::fromStdString(d.name);
        totals << d.memoryTotalMB;
    }
    const bool available = m_monitor->available();
    Q_EMIT ready(available, QString::fromStdString(m_monitor->unavailableReason()), names, totals);
    if (!available)
        return;
    m_timer = new QTimer(this);
    m_timer->setInterval(m_intervalMs);
    connect(m_timer, &QTimer::timeout, this, &GpuSamplerWorker::sample);
    m_timer->start();
    sample();
}

void GpuSamplerWorker::sample()
{
    if (!m_monitor)
        return;
    const auto samples = m_monitor->sampleNow();
    Q_EMIT sampled(QList<orfeas::GpuSample>(samples.begin(), samples.end()));
}

void GpuSamplerWorker::finish()
{
    if (m_timer)
        m_timer->stop();
    m_monitor.reset();
}

GpuSampler::GpuSampler(int intervalMs, QObject* parent)
    : QObject(parent)
    , m_intervalMs(intervalMs)
{
    qRegisterMetaType<orfeas::GpuSample>();
    qRegisterMetaType<QList<orfeas::GpuSample>>();
    m_thread.setObjectName(QStringLiteral("orfeas-gpu-sampler"));
    m_worker = new GpuSamplerWorker(intervalMs);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &GpuSamplerWorker::ready, this, &GpuSampler::ready);     // queued: crosses threads
    connect(m_worker, &GpuSamplerWorker::sampled, this, &GpuSampler::sampled); // queued: crosses threads
}

GpuSampler::~GpuSampler()
{
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(m_worker, &GpuSamplerWorker::finish, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    } else {
        delete m_worker;
    }
}

void GpuSampler::start()
{
    if (m_thread.isRunning())
        return;
    m_thread.start(QThread::LowPriority);
    QMetaObject::invokeMethod(m_worker, &GpuSamplerWorker::begin, Qt::QueuedConnection);
}

} // namespace orfeas::ui
