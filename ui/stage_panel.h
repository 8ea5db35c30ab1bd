#pragma once
// One row per pipeline stage for the selected job: live progress, elapsed time, sub-step and time left while it
// runs; afterwards the breakdown with each stage's share of the total, like the performance report.

#include "job_types.h"

#include <QPointer>
#include <QWidget>

#include <array>

class QLabel;
class QProgressBar;

namespace orfeas::ui {

class JobModel;

class StagePanel : public QWidget {
    Q_OBJECT
public:
    explicit StagePanel(QWidget* parent = nullptr);

    void setModel(JobModel* model);
    // Shows a job (0: none). Follows its live updates until another is shown.
    void showJob(JobId id);
    JobId shownJob() const { return m_job; }

    // What the rows show now (for tests and screenshots): fraction 0..1 and the detail text of a stage.
    double stageFraction(int stage) const;
    QString stageDetail(int stage) const;
    bool showsBreakdown() const { return m_breakdown; }

Q_SIGNALS:
    // A row changed: the stage's fraction (0..1) and its sub-step text.
    void stageChanged(int stage, double fraction, const QString& detail);
    // The run of the shown job ended and its breakdown is on screen.
    void breakdownShown(double totalSeconds);

private:
    struct Row {
        QLabel* name = nullptr;
        QProgressBar* bar = nullptr;
        QLabel* elapsed = nullptr;
        QLabel* left = nullptr;
        QLabel* detail = nullptr;
        double fraction = -1;
        QString detailText;
    };

    void onStageProgress(JobId id, int stage, double fraction, const QString& detail);
    void onJobFinished(JobId id, int state);
    void refreshTimes();
    void refreshAll();
    void showLive(const JobRecord& record);
    void showBreakdown(const JobRecord& record);
    void setRow(int stage, double fraction, const QString& detail, bool force = false);
    void clearRows();

    QPointer<JobModel> m_model;
    JobId m_job = 0;
    bool m_breakdown = false;
    std::array<Row, kStageCount> m_rows;
    QLabel* m_title = nullptr;
    QLabel* m_barHeader = nullptr;
    QLabel* m_summary = nullptr;
};

} // namespace orfeas::ui
