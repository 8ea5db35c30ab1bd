#pragma once
// The GUI's view of the engine's JobQueue: one row per job, updated from queued calls only. Engine callbacks run on
// worker threads and never touch this object directly; they post into an EventMailbox and schedule a drain on the
// GUI thread (QMetaObject::invokeMethod, Qt::QueuedConnection). Everything public is GUI-thread only.

#include "event_mailbox.h"
#include "job_types.h"

#include "orfeas/job_queue.h"

#include <QAbstractListModel>
#include <QHash>
#include <QTimer>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace orfeas::ui {

class JobModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        StateRole,       // int(orfeas::JobState)
        StageRole,       // current stage index, -1 before the first
        FractionRole,    // overall progress estimate 0..1
        ElapsedRole,     // seconds (double)
        EtaRole,         // seconds left (double), -1 when unknown
        ThumbnailRole,   // QImage
        ErrorRole,       // QString
        StatusTextRole,  // QString: "Queued", "Running: Shape generation", "Failed: …"
    };

    explicit JobModel(int maxConcurrent = 1, QObject* parent = nullptr);
    ~JobModel() override; // cancels and waits for running jobs

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Queues a job; the row appears at once. `keepIntermediates` is forced on (the previews need them).
    JobId submit(orfeas::JobRequest request, const QString& displayName, const QImage& thumbnail = {});
    void cancel(JobId id);
    void cancelAll();
    // Runs a finished (done, failed or cancelled) job again in the same row. Returns the new id, 0 if not possible.
    JobId retry(JobId id);
    // Removes a job; a running one is cancelled first and disappears when it stops.
    void remove(JobId id);
    void removeFinished();
    void setThumbnail(JobId id, const QImage& thumbnail);

    const JobRecord* job(JobId id) const;
    const JobRecord* jobAt(int row) const;
    int rowOf(JobId id) const;
    int activeCount() const;
    void setMaxConcurrent(int n);
    int maxConcurrent() const;

    // Milliseconds on the clock that stage times use.
    qint64 nowMs() const;
    // Seconds left for the whole job and for its current stage; -1 when there is nothing to go on yet.
    double etaSeconds(JobId id) const;
    double stageEtaSeconds(JobId id, int stage) const;
    // Mean seconds of a stage over finished jobs with the same work-deciding settings, -1 if none finished yet.
    double typicalStageSeconds(const orfeas::JobSettings& settings, int stage) const;

    // Translated status line for a record ("Running: Shape generation", "Failed: …").
    static QString statusText(const JobRecord& record);

Q_SIGNALS:
    void jobAdded(orfeas::ui::JobId id);
    void jobStarted(orfeas::ui::JobId id);
    void stageProgress(orfeas::ui::JobId id, int stage, double fraction, const QString& message);
    void jobFinished(orfeas::ui::JobId id, int state);
    void jobRemoved(orfeas::ui::JobId id);
    void logMessage(orfeas::ui::JobId id, const QString& jobName, int level, const QString& text);
    void clockTick();     // every 250 ms while a job runs: elapsed times and estimates moved
    void idle();          // the last active job finished

private:
    void scheduleDrain();
    void drainMailbox();
    void onTick();
    void applyProgress(JobRecord& record, const orfeas::ProgressEvent& p, qint64 firstMs, qint64 lastMs);
    void applyFinished(JobRecord& record, const orfeas::JobEvent& e, qint64 atMs);
    void rowChanged(int row);
    JobRecord* find(JobId id);
    void installCallbacks();

    using Clock = std::chrono::steady_clock;
    const Clock::time_point m_epoch = Clock::now();
    std::vector<JobRecord> m_rows;
    EventMailbox m_mailbox;
    // Mean seconds per (settings that decide a stage's work, stage) over finished jobs, for time-left estimates.
    std::map<std::pair<std::string, int>, double> m_stageHistory;
    std::map<std::pair<std::string, int>, int> m_stageHistoryCount;
    std::map<JobId, std::shared_ptr<const JobOutcome>> m_pendingOutcomes;
    QTimer m_tick;
    // Last so that it is destroyed first: its destructor waits for the workers, which post into the mailbox.
    std::unique_ptr<orfeas::JobQueue> m_queue;
};

} // namespace orfeas::ui
