#include "gpu_panel.h"

#include "gpu_sampler.h"
#include "gui_thread.h"
#include "stage_text.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QLineSeries>
#include <QStackedWidget>
#include <QValueAxis>
#include <QVBoxLayout>

namespace orfeas::ui {

GpuPanel::GpuPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    m_pages = new QStackedWidget(this);
    outer->addWidget(m_pages);

    // Page 0: waiting for the sampler, or no GPU.
    auto* none = new QWidget(m_pages);
    auto* noneLayout = new QVBoxLayout(none);
    m_noGpuTitle = new QLabel(tr("Looking for GPUs…"), none);
    QFont big = m_noGpuTitle->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.2);
    m_noGpuTitle->setFont(big);
    m_noGpuReason = new QLabel(none);
    m_noGpuReason->setWordWrap(true);
    m_noGpuReason->setTextFormat(Qt::PlainText);
    noneLayout->addWidget(m_noGpuTitle);
    noneLayout->addWidget(m_noGpuReason);
    noneLayout->addStretch(1);
    m_pages->addWidget(none);

    // Page 1: live telemetry.
    auto* live = new QWidget(m_pages);
    auto* liveLayout = new QVBoxLayout(live);
    liveLayout->setContentsMargins(0, 0, 0, 0);
    m_device = new QComboBox(live);
    m_device->setVisible(false);
    connect(m_device, &QComboBox::currentIndexChanged, this, &GpuPanel::showDevice);
    liveLayout->addWidget(m_device);
    m_name = new QLabel(live);
    QFont bold = m_name->font();
    bold.setBold(true);
    m_name->setFont(bold);
    liveLayout->addWidget(m_name);
    auto* form = new QFormLayout;
    m_util = new QLabel(live);
    m_memory = new QLabel(live);
    m_temperature = new QLabel(live);
    m_power = new QLabel(live);
    form->addRow(tr("Utilisation"), m_util);
    form->addRow(tr("Memory"), m_memory);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Power"), m_power);
    liveLayout->addLayout(form);

    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    m_utilSeries = new QLineSeries(chart);
    m_utilSeries->setName(tr("Utilisation %"));
    m_memSeries = new QLineSeries(chart);
    m_memSeries->setName(tr("Memory %"));
    chart->addSeries(m_utilSeries);
    chart->addSeries(m_memSeries);
    auto* x = new QValueAxis(chart);
    x->setRange(-kWindowSeconds, 0);
    x->setTickCount(7);
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTitleText(tr("seconds"));
    auto* y = new QValueAxis(chart);
    y->setRange(0, 100);
    y->setTickCount(5);
    y->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries* s : {m_utilSeries, m_memSeries}) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    m_view = new QChartView(chart, live);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(160);
    liveLayout->addWidget(m_view, 1);
    m_pages->addWidget(live);
    m_pages->setCurrentIndex(0);
}

void GpuPanel::setSampler(GpuSampler* sampler)
{
    connect(sampler, &GpuSampler::ready, this, &GpuPanel::setAvailability);
    connect(sampler, &GpuSampler::sampled, this, &GpuPanel::addSamples);
}

int GpuPanel::pointCount() const
{
    return int(m_utilSeries->count());
}

void GpuPanel::setAvailability(bool available, const QString& reason, const QStringList& deviceNames,
                               const QList<double>& memoryTotalMB)
{
    ORFEAS_GUI_THREAD_ONLY();
    m_available = available && !deviceNames.isEmpty();
    m_names = deviceNames;
    if (!m_available) {
        m_noGpuTitle->setText(tr("No NVIDIA GPU detected"));
        m_noGpuReason->setText(reason.isEmpty() ? tr("NVML reports no devices.") : reason);
        m_pages->setCurrentIndex(0);
        return;
    }
    m_device->blockSignals(true);
    m_device->clear();
    for (int i = 0; i < deviceNames.size(); ++i) {
        const double total = i < memoryTotalMB.size() ? memoryTotalMB[i] : 0;
        m_device->addItem(tr("GPU %1: %2 (%3)").arg(i).arg(deviceNames[i], formatBytes(total * 1e6)));
    }
    m_device->blockSignals(false);
    m_device->setVisible(deviceNames.size() > 1);
    showDevice(0);
    m_pages->setCurrentIndex(1);
}

void GpuPanel::showDevice(int index)
{
    m_shown = std::max(0, index);
    m_history.clear();
    m_name->setText(m_shown < m_names.size() ? m_names[m_shown] : QString());
    redraw();
}

void GpuPanel::addSamples(const QList<orfeas::GpuSample>& samples)
{
    ORFEAS_GUI_THREAD_ONLY();
    for (const auto& s : samples) {
        if (s.device != m_shown)
            continue;
        const double memPercent = s.memoryTotalMB > 0 ? 100.0 * s.memoryUsedMB / s.memoryTotalMB : 0;
        m_history.push_back({s.t, s.utilizationPercent, memPercent});
        const QLocale loc;
        m_util->setText(tr("%1 %").arg(loc.toString(s.utilizationPercent, 'f', 0)));
        m_memory->setText(tr("%1 of %2 (%3 %)")
                              .arg(formatBytes(s.memoryUsedMB * 1e6), formatBytes(s.memoryTotalMB * 1e6),
                                   loc.toString(memPercent, 'f', 0)));
        m_temperature->setText(s.temperatureC >= 0 ? tr("%1 °C").arg(loc.toString(s.temperatureC, 'f', 0))
                                                   : tr("not reported"));
        m_power->setText(s.powerW >= 0 ? tr("%1 W").arg(loc.toString(s.powerW, 'f', 0)) : tr("not reported"));
    }
    while (!m_history.empty() && m_history.back().t - m_history.front().t > kWindowSeconds)
        m_history.pop_front();
    redraw();
}

void GpuPanel::redraw()
{
    QList<QPointF> util, mem;
    if (!m_history.empty()) {
        const double now = m_history.back().t;
        for (const auto& p : m_history) {
            util << QPointF(p.t - now, p.util);
            mem << QPointF(p.t - now, p.memPercent);
        }
    }
    m_utilSeries->replace(util);
    m_memSeries->replace(mem);
}

} // namespace orfeas::ui
