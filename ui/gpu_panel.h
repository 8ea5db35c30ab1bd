#pragma once
// Live GPU telemetry: utilisation and memory over the last minute (Qt Charts), temperature, power and the device
// name; or a clear "No NVIDIA GPU detected" page with the reason. Fed by a GpuSampler (never blocks).

#include "gpu_sampler.h"

#include "orfeas/report.h"

#include <QList>
#include <QStringList>
#include <QWidget>

#include <deque>

class QComboBox;
class QLabel;
class QStackedWidget;

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace orfeas::ui {

class GpuSampler;

class GpuPanel : public QWidget {
    Q_OBJECT
public:
    explicit GpuPanel(QWidget* parent = nullptr);

    // Connects to a sampler (which should be started by the caller).
    void setSampler(GpuSampler* sampler);
    // Seconds of history on the chart.
    static constexpr double kWindowSeconds = 60.0;

    bool isAvailable() const { return m_available; }
    int pointCount() const; // points on the utilisation series (for tests)

public Q_SLOTS:
    void setAvailability(bool available, const QString& reason, const QStringList& deviceNames,
                         const QList<double>& memoryTotalMB);
    void addSamples(const QList<orfeas::GpuSample>& samples);

private:
    struct Point {
        double t, util, memPercent;
    };
    void redraw();
    void showDevice(int index);

    QStackedWidget* m_pages = nullptr;
    QLabel* m_noGpuTitle = nullptr;
    QLabel* m_noGpuReason = nullptr;
    QComboBox* m_device = nullptr;
    QLabel* m_name = nullptr;
    QLabel* m_util = nullptr;
    QLabel* m_memory = nullptr;
    QLabel* m_temperature = nullptr;
    QLabel* m_power = nullptr;
    QChartView* m_view = nullptr;
    QLineSeries* m_utilSeries = nullptr;
    QLineSeries* m_memSeries = nullptr;
    QStringList m_names;
    int m_shown = 0;
    bool m_available = false;
    std::deque<Point> m_history; // of the shown device
};

} // namespace orfeas::ui
