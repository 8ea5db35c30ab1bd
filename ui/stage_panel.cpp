#include "stage_panel.h"

#include "gui_thread.h"
#include "job_model.h"
#include "stage_text.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QProgressBar>
#include <QVBoxLayout>

#include <cmath>

namespace orfeas::ui {

namespace {

// A label that shortens its text with "…" to the width it gets (the full text stays in the tooltip).
class ElidingLabel : public QLabel {
public:
    using QLabel::QLabel;

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setPen(palette().color(isEnabled() ? QPalette::WindowText : QPalette::PlaceholderText));
        const QRect r = contentsRect();
        p.drawText(r, int(alignment()), fontMetrics().elidedText(text(), Qt::ElideRight, r.width()));
    }
};

} // namespace

StagePanel::StagePanel(QWidget* parent)
    : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    outer->addWidget(m_title);

    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(4);
    auto header = [&](const QString& text, int col) {
        auto* l = new QLabel(text, this);
        l->setEnabled(false); // the palette's disabled colour: a quiet header
        grid->addWidget(l, 0, col);
        return l;
    };
    header(tr("Stage"), 0);
    m_barHeader = header(tr("Progress"), 1);
    header(tr("Time"), 2);
    header(tr("Left"), 3);
    header(tr("Detail"), 4);
    for (int s = 0; s < kStageCount; ++s) {
        Row& row = m_rows[std::size_t(s)];
        row.name = new QLabel(stageDisplayName(s), this);
        row.bar = new QProgressBar(this);
        row.bar->setRange(0, 1000);
        row.bar->setTextVisible(true);
        row.bar->setMinimumWidth(110);
        row.elapsed = new QLabel(this);
        row.left = new QLabel(this);
        row.detail = new ElidingLabel(this);
        row.detail->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        row.detail->setMinimumWidth(120);
        row.detail->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        for (QLabel* l : {row.elapsed, row.left})
            l->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        grid->addWidget(row.name, s + 1, 0);
        grid->addWidget(row.bar, s + 1, 1);
        grid->addWidget(row.elapsed, s + 1, 2);
        grid->addWidget(row.left, s + 1, 3);
        grid->addWidget(row.detail, s + 1, 4);
    }
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(4, 3);
    outer->addLayout(grid);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    outer->addWidget(m_summary);
    outer->addStretch(1);
    showJob(0);
}

void StagePanel::setModel(JobModel* model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (model) {
        connect(model, &JobModel::stageProgress, this, &StagePanel::onStageProgress);
        connect(model, &JobModel::jobFinished, this, &StagePanel::onJobFinished);
        connect(model, &JobModel::clockTick, this, &StagePanel::refreshTimes);
        connect(model, &JobModel::jobStarted, this, [this](JobId id) {
            if (id == m_job)
                refreshAll();
        });
        connect(model, &JobModel::jobAdded, this, [this](JobId id) {
            if (id == m_job) // a retry reuses the row under a new id; shown again from the start
                refreshAll();
        });
        connect(model, &JobModel::jobRemoved, this, [this](JobId id) {
            if (id == m_job)
                showJob(0);
        });
    }
    refreshAll();
}

void StagePanel::showJob(JobId id)
{
    ORFEAS_GUI_THREAD_ONLY();
    m_job = id;
    refreshAll();
}

double StagePanel::stageFraction(int stage) const
{
    return stage >= 0 && stage < kStageCount ? m_rows[std::size_t(stage)].fraction : -1;
}

QString StagePanel::stageDetail(int stage) const
{
    return stage >= 0 && stage < kStageCount ? m_rows[std::size_t(stage)].detailText : QString();
}

void StagePanel::clearRows()
{
    for (int s = 0; s < kStageCount; ++s) {
        Row& row = m_rows[std::size_t(s)];
        row.bar->setValue(0);
        row.bar->setFormat(QStringLiteral("%p%"));
        row.elapsed->clear();
        row.left->clear();
        row.detail->clear();
        row.fraction = -1;
        row.detailText.clear();
    }
    m_summary->clear();
}

void StagePanel::refreshAll()
{
    ORFEAS_GUI_THREAD_ONLY();
    clearRows();
    m_breakdown = false;
    m_barHeader->setText(tr("Progress"));
    const JobRecord* r = m_model && m_job ? m_model->job(m_job) : nullptr;
    if (!r) {
        m_title->setText(tr("No job selected"));
        return;
    }
    m_title->setText(r->name);
    if (r->isActive() || !r->outcome)
        showLive(*r);
    else
        showBreakdown(*r);
}

void StagePanel::setRow(int stage, double fraction, const QString& detail, bool force)
{
    Row& row = m_rows[std::size_t(stage)];
    if (!force && row.fraction == fraction && row.detailText == detail)
        return;
    row.fraction = fraction;
    row.detailText = detail;
    row.bar->setValue(int(std::lround(fraction * 1000)));
    row.detail->setText(detail);
    row.detail->setToolTip(detail);
    Q_EMIT stageChanged(stage, fraction, detail);
}

void StagePanel::showLive(const JobRecord& r)
{
    for (int s = 0; s < kStageCount; ++s) {
        const StageState& st = r.stages[std::size_t(s)];
        if (st.started)
            setRow(s, st.finished ? 1.0 : st.fraction, subStepText(st), true);
    }
    refreshTimes();
}

void StagePanel::refreshTimes()
{
    ORFEAS_GUI_THREAD_ONLY();
    const JobRecord* r = m_model && m_job ? m_model->job(m_job) : nullptr;
    if (!r || m_breakdown)
        return;
    const qint64 now = m_model->nowMs();
    for (int s = 0; s < kStageCount; ++s) {
        const StageState& st = r->stages[std::size_t(s)];
        Row& row = m_rows[std::size_t(s)];
        row.elapsed->setText(st.started ? formatSeconds(st.elapsedSeconds(now)) : QString());
        const bool current = r->state == orfeas::JobState::Running && s == r->currentStage && !st.finished;
        const double left = current ? m_model->stageEtaSeconds(m_job, s) : -1;
        row.left->setText(left >= 0 ? formatSeconds(left) : QString());
    }
    switch (r->state) {
    case orfeas::JobState::Queued: m_summary->setText(tr("Waiting for a free worker…")); break;
    case orfeas::JobState::Running: {
        const double eta = m_model->etaSeconds(m_job);
        QString text = tr("Elapsed %1").arg(formatSeconds(r->elapsedSeconds(now)));
        if (eta >= 0)
            text += QStringLiteral(" · ") + formatEta(eta);
        m_summary->setText(text);
        break;
    }
    default: break;
    }
}

void StagePanel::onStageProgress(JobId id, int stage, double fraction, const QString& detail)
{
    ORFEAS_GUI_THREAD_ONLY();
    if (id != m_job || m_breakdown || stage < 0 || stage >= kStageCount)
        return;
    // Earlier stages that were still open are over now (the model closed them too).
    if (const JobRecord* r = m_model ? m_model->job(id) : nullptr) {
        for (int s = 0; s < stage; ++s) {
            const StageState& st = r->stages[std::size_t(s)];
            if (st.finished && m_rows[std::size_t(s)].fraction < 1.0)
                setRow(s, 1.0, subStepText(st));
        }
    }
    const bool newRow = m_rows[std::size_t(stage)].fraction < 0;
    setRow(stage, fraction, detail);
    if (newRow)
        refreshTimes(); // a stage began: times and estimates move now, not at the next tick
}

void StagePanel::onJobFinished(JobId id, int)
{
    if (id == m_job)
        refreshAll();
}

void StagePanel::showBreakdown(const JobRecord& r)
{
    const orfeas::RunReport& report = r.outcome->report;
    const double total = report.totalSeconds > 0 ? report.totalSeconds : r.elapsedSeconds(m_model->nowMs());
    m_breakdown = true;
    m_barHeader->setText(tr("Share of total"));
    int slowest = -1;
    double slowestSeconds = -1;
    for (int s = 0; s < kStageCount; ++s) {
        Row& row = m_rows[std::size_t(s)];
        const std::string name(orfeas::stageName(orfeas::kAllStages[std::size_t(s)]));
        double seconds = -1;
        for (const auto& t : report.timings)
            if (t.path == name)
                seconds = t.seconds;
        const StageState& st = r.stages[std::size_t(s)];
        if (seconds < 0) {
            if (!st.started)
                continue;
            seconds = st.elapsedSeconds(m_model->nowMs());
        }
        const double share = total > 0 ? seconds / total : 0;
        row.bar->setFormat(QStringLiteral("%1 %").arg(QLocale().toString(share * 100, 'f', 1)));
        row.elapsed->setText(formatSeconds(seconds));
        row.left->clear();
        QString detail;
        if (r.state != orfeas::JobState::Done && report.errorStage == name)
            detail = r.state == orfeas::JobState::Cancelled ? tr("cancelled here") : tr("failed here");
        // The texture image is made on a thread of its own during shape generation (the pipeline's
        // prepareTextureImage), in parallel with it: not part of this row's time, but part of the work.
        if (detail.isEmpty() && orfeas::kAllStages[std::size_t(s)] == orfeas::Stage::TextureSynthesis) {
            for (const auto& t : report.timings)
                if (t.path == name + "/image_overlapped")
                    detail = tr("image %1, in parallel").arg(formatSeconds(t.seconds));
        }
        setRow(s, share, detail, true);
        if (seconds > slowestSeconds) {
            slowestSeconds = seconds;
            slowest = s;
        }
    }
    QString summary;
    switch (r.state) {
    case orfeas::JobState::Done:
        summary = tr("Done in %1 with the %2 backend: %3 vertices, %4 faces.")
                      .arg(formatSeconds(total), QString::fromStdString(report.backend),
                           QLocale().toString(qlonglong(report.vertices)), QLocale().toString(qlonglong(report.faces)));
        break;
    case orfeas::JobState::Cancelled: summary = tr("Cancelled after %1.").arg(formatSeconds(total)); break;
    default: summary = tr("Failed after %1: %2").arg(formatSeconds(total), r.error); break;
    }
    if (slowest >= 0 && total > 0)
        summary += QLatin1Char(' ') + tr("Slowest stage: %1 (%2 % of the total).")
                                          .arg(stageDisplayName(slowest),
                                               QLocale().toString(100.0 * slowestSeconds / total, 'f', 0));
    m_summary->setText(summary);
    Q_EMIT breakdownShown(total);
}

} // namespace orfeas::ui
