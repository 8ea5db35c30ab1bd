#pragma once
// Turns what the user hands over (dropped or opened paths, a pasted image) into JobRequests on the JobModel:
// expands folders, rejects what is not a readable image with one inline message, gives every job a unique output
// name, asks once per batch before overwriting, and remembers recent files. GUI-thread only; file probing runs
// on a worker thread.

#include "job_types.h"
#include "settings_store.h"

#include "orfeas/batch.h"
#include "orfeas/settings.h"

#include <QFutureWatcher>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <functional>
#include <vector>

namespace orfeas::ui {

class JobModel;

// The outcome of checking dropped paths (computed on a worker thread).
struct CollectedInputs {
    std::vector<orfeas::BatchItem> items; // readable images, sorted, with unique output stems
    QStringList rejected;                 // "name: reason" for everything refused
};
// Expands folders and probes every file's header. Thread-safe.
CollectedInputs collectInputs(const QStringList& paths);

enum class OverwriteChoice { Overwrite, Skip, Cancel };

class JobController : public QObject {
    Q_OBJECT
public:
    using ConfirmOverwrite = std::function<OverwriteChoice(const QStringList& existingFiles)>;

    JobController(JobModel* model, SettingsStore* store, QObject* parent = nullptr);
    ~JobController() override;

    void setJobSettings(const orfeas::JobSettings& settings) { m_settings = settings; }
    const orfeas::JobSettings& jobSettings() const { return m_settings; }
    void setOutputDir(const QString& dir) { m_outputDir = dir; }
    QString outputDir() const { return m_outputDir; }
    // Asked once per batch when planned outputs already exist. Without one, existing files are skipped.
    void setConfirmOverwrite(ConfirmOverwrite fn) { m_confirm = std::move(fn); }

    // Checks the paths on a worker thread, then queues jobs (inputsRejected / jobsSubmitted report the result).
    void addPaths(const QStringList& paths);
    // Queues an in-memory image (clipboard, dropped image data). Returns the job id, 0 if refused.
    JobId addImage(const QImage& image, const QString& name);
    bool isCollecting() const;

Q_SIGNALS:
    // One message for everything refused in a batch (files that are not images, missing output folder, …).
    void inputsRejected(const QString& message);
    void jobsSubmitted(const QList<orfeas::ui::JobId>& ids);
    // One line for the user per batch: what was queued and what was refused (warning when anything was).
    void feedback(const QString& text, bool warning);
    void recentFilesChanged();

private:
    void onCollected();
    bool prepareOutputDir(QString& problem);
    void submitItems(const std::vector<orfeas::BatchItem>& items, QStringList rejected);
    void report(const QList<JobId>& ids, const QStringList& rejected, const QString& problem = {});
    QString uniqueStem(const QString& stem, const QSet<QString>& alsoTaken) const;
    void loadThumbnailLater(JobId id, const QString& path);

    JobModel* m_model;
    SettingsStore* m_store;
    orfeas::JobSettings m_settings;
    QString m_outputDir;
    ConfirmOverwrite m_confirm;
    std::vector<QFutureWatcher<CollectedInputs>*> m_pending;
    std::vector<QFutureWatcher<QImage>*> m_thumbnails;
    QHash<JobId, QString> m_reservedStems; // stems of jobs still running, per output folder
};

} // namespace orfeas::ui
