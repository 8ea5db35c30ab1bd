#include "job_model.h"

#include "gui_thread.h"
#include "qt_convert.h"
#include "stage_text.h"

#include "orfeas/types.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <algorithm>
#include <utility>

#if defined(Q_OS_LINUX)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#include <windows.h>
#endif

namespace orfeas::ui {

namespace {

qint64 msSince(std::chrono::steady_clock::time_point epoch)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch).count();
}

// Runs on the worker thread that finished the job: all conversion work happens here, not on the GUI thread.
std::shared_ptr<const JobOutcome> makeOutcome(orfeas::JobResult&& result)
{
    auto outcome = std::make_shared<JobOutcome>();
    outcome->report = std::move(result.report);
    for (const auto& p : result.outputs)
        outcome->outputs << QString::fromStdString(p);
    if (!result.mesh.empty()) {
        auto mesh = std::make_shared<orfeas::Mesh>(std::move(result.mesh));
        outcome->viewMesh = toViewMesh(*mesh);
        outcome->mesh = std::move(mesh);
    }
    outcome->input = toQImage(result.inputImage);
    if (!outcome->input.isNull())
        outcome->thumbnail = outcome->input.scaled(96, 96, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    if (result.preprocessed) {
        outcome->preprocessed = toQImage(result.preprocessed->image);
        outcome->mask = toQImage(result.preprocessed->mask);
        outcome->alphaFromFile = result.preprocessed->alphaFromFile;
    }
    return outcome;
}

// The settings that decide how much work each stage does: earlier jobs predict later ones only when these match.
std::string historyKey(const orfeas::JobSettings& s)
{
    std::string key(orfeas::backendName(s.backend));
    for (int v : {s.resolution, s.steps, s.octreeResolution, s.imageSize, s.faceBudget, s.textureSize})
        key += '/' + std::to_string(v);
    for (auto f : s.formats)
        key += '/' + std::string(orfeas::formatExtension(f));
    return key;
}

// Jobs run below the interface's priority, so that on a machine with few cores the event loop still gets the CPU
// when it needs it (the GUI stays responsive while two jobs use every core). Called on the job's worker thread;
// each worker thread is lowered once.
void lowerWorkerThreadPriority()
{
    thread_local bool lowered = false;
    if (lowered)
        return;
    lowered = true;
#if defined(Q_OS_LINUX)
    const auto tid = id_t(::syscall(SYS_gettid));
    ::setpriority(PRIO_PROCESS, tid, std::min(19, ::getpriority(PRIO_PROCESS, tid) + 5));
#elif defined(Q_OS_WIN)
    ::SetThreadPriority(::GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
#endif
}

} // namespace

JobModel::JobModel(int maxConcurrent, QObject* parent)
    : QAbstractListModel(parent)
    , m_queue(std::make_unique<orfeas::JobQueue>(std::max(1, maxConcurrent)))
{
    m_tick.setInterval(250);
    connect(&m_tick, &QTimer::timeout, this, &JobModel::onTick);
    installCallbacks();
}

JobModel::~JobModel()
{
    // Stop the workers while the mailbox still exists; what they post is dropped with this object.
    m_queue.reset();
}

void JobModel::installCallbacks()
{
    m_queue->setEventCallback([this](const orfeas::JobEvent& e) {
        if (e.type == orfeas::JobEvent::Type::Started)
            lowerWorkerThreadPriority(); // Started is emitted on the worker thread that runs the job
        if (m_mailbox.post(e, msSince(m_epoch)))
            scheduleDrain();
    });
    m_queue->setResultCallback([this](orfeas::JobId id, orfeas::JobResult&& result) {
        if (m_mailbox.postOutcome(JobId(id), makeOutcome(std::move(result))))
            scheduleDrain();
    });
}

void JobModel::scheduleDrain()
{
    // Called from worker threads (and from the GUI thread inside submit/cancel): never touch the model here.
    QMetaObject::invokeMethod(this, &JobModel::drainMailbox, Qt::QueuedConnection);
}

qint64 JobModel::nowMs() const
{
    return msSince(m_epoch);
}

int JobModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> JobModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({{IdRole, "jobId"},       {StateRole, "state"},         {StageRole, "stage"},
                  {FractionRole, "fraction"}, {ElapsedRole, "elapsed"},   {EtaRole, "eta"},
                  {ThumbnailRole, "thumbnail"}, {ErrorRole, "error"},     {StatusTextRole, "statusText"}});
    return names;
}

QString JobModel::statusText(const JobRecord& r)
{
    switch (r.state) {
    case orfeas::JobState::Running:
        if (r.currentStage >= 0)
            return tr("Running: %1").arg(stageDisplayName(r.currentStage));
        return jobStateDisplayName(r.state);
    case orfeas::JobState::Failed:
        return tr("Failed: %1").arg(r.error);
    default:
        return jobStateDisplayName(r.state);
    }
}

QVariant JobModel::data(const QModelIndex& index, int role) const
{
    const JobRecord* r = index.isValid() ? jobAt(index.row()) : nullptr;
    if (!r)
        return {};
    switch (role) {
    case Qt::DisplayRole: return r->name;
    case Qt::ToolTipRole:
        return r->request.inputPath.empty() ? r->name : QString::fromStdString(r->request.inputPath);
    case IdRole: return QVariant::fromValue(r->id);
    case StateRole: return int(r->state);
    case StageRole: return r->currentStage;
    case FractionRole: {
        if (r->state == orfeas::JobState::Done)
            return 1.0;
        double done = 0;
        for (const auto& s : r->stages)
            done += s.finished ? 1.0 : s.fraction;
        return done / kStageCount;
    }
    case ElapsedRole: return r->elapsedSeconds(nowMs());
    case EtaRole: return etaSeconds(r->id);
    case ThumbnailRole: return r->thumbnail;
    case ErrorRole: return r->error;
    case StatusTextRole: return statusText(*r);
    default: return {};
    }
}

JobId JobModel::submit(orfeas::JobRequest request, const QString& displayName, const QImage& thumbnail)
{
    ORFEAS_GUI_THREAD_ONLY();
    request.keepIntermediates = true;
    JobRecord record;
    record.name = displayName;
    record.request = request; // kept for retry; the queue gets its own copy
    record.thumbnail = thumbnail;
    record.queuedMs = nowMs();
    // The queue reports Queued synchronously; the row is appended before the event loop drains that event.
    record.id = JobId(m_queue->submit(std::move(request)));
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.push_back(std::move(record));
    endInsertRows();
    Q_EMIT jobAdded(m_rows.back().id);
    return m_rows.back().id;
}

void JobModel::cancel(JobId id)
{
    ORFEAS_GUI_THREAD_ONLY();
    if (const JobRecord* r = job(id); r && r->isActive())
        m_queue->cancel(orfeas::JobId(id));
}

void JobModel::cancelAll()
{
    ORFEAS_GUI_THREAD_ONLY();
    m_queue->cancelAll();
}

JobId JobModel::retry(JobId id)
{
    ORFEAS_GUI_THREAD_ONLY();
    JobRecord* r = find(id);
    if (!r || r->isActive())
        return 0;
    orfeas::JobRequest request = r->request;
    const JobId newId = JobId(m_queue->submit(std::move(request)));
    r->id = newId;
    r->state = orfeas::JobState::Queued;
    r->currentStage = -1;
    r->stages = {};
    r->queuedMs = nowMs();
    r->startMs = r->endMs = -1;
    r->error.clear();
    r->errorKind.clear();
    r->outcome.reset();
    rowChanged(rowOf(newId));
    Q_EMIT jobAdded(newId);
    return newId;
}

void JobModel::remove(JobId id)
{
    ORFEAS_GUI_THREAD_ONLY();
    const int row = rowOf(id);
    if (row < 0)
        return;
    if (m_rows[std::size_t(row)].isActive()) {
        m_rows[std::size_t(row)].removeWhenFinished = true;
        m_queue->cancel(orfeas::JobId(id));
        return;
    }
    beginRemoveRows({}, row, row);
    m_rows.erase(m_rows.begin() + row);
    endRemoveRows();
    Q_EMIT jobRemoved(id);
}

void JobModel::removeFinished()
{
    std::vector<JobId> ids;
    for (const auto& r : m_rows)
        if (!r.isActive())
            ids.push_back(r.id);
    for (JobId id : ids)
        remove(id);
}

void JobModel::setThumbnail(JobId id, const QImage& thumbnail)
{
    ORFEAS_GUI_THREAD_ONLY();
    if (JobRecord* r = find(id)) {
        r->thumbnail = thumbnail;
        rowChanged(rowOf(id));
    }
}

const JobRecord* JobModel::job(JobId id) const
{
    auto it = std::find_if(m_rows.begin(), m_rows.end(), [id](const JobRecord& r) { return r.id == id; });
    return it == m_rows.end() ? nullptr : &*it;
}

JobRecord* JobModel::find(JobId id)
{
    return const_cast<JobRecord*>(std::as_const(*this).job(id));
}

const JobRecord* JobModel::jobAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[std::size_t(row)] : nullptr;
}

int JobModel::rowOf(JobId id) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id)
            return int(i);
    return -1;
}

int JobModel::activeCount() const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [](const JobRecord& r) { return r.isActive(); }));
}

void JobModel::setMaxConcurrent(int n)
{
    m_queue->setMaxConcurrent(std::max(1, n));
}

int JobModel::maxConcurrent() const
{
    return m_queue->maxConcurrent();
}

void JobModel::rowChanged(int row)
{
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row));
}

void JobModel::drainMailbox()
{
    ORFEAS_GUI_THREAD_ONLY();
    EventMailbox::Batch batch = m_mailbox.drain();
    for (auto& [id, outcome] : batch.outcomes)
        m_pendingOutcomes[id] = std::move(outcome);
    using Type = orfeas::JobEvent::Type;
    for (const auto& item : batch.items) {
        const orfeas::JobEvent& e = item.event;
        const JobId id = JobId(e.id);
        JobRecord* r = find(id);
        if (e.type == Type::Log) {
            Q_EMIT logMessage(id, r ? r->name : QString::fromStdString(e.input), int(e.logLevel),
                              QString::fromStdString(e.text));
            continue;
        }
        if (!r)
            continue;
        switch (e.type) {
        case Type::Queued: break;
        case Type::Started:
            r->state = orfeas::JobState::Running;
            r->startMs = item.firstMs;
            if (!m_tick.isActive())
                m_tick.start();
            rowChanged(rowOf(id));
            Q_EMIT jobStarted(id);
            break;
        case Type::Progress: {
            applyProgress(*r, e.progress, item.firstMs, item.lastMs);
            const int stage = int(e.progress.stage);
            rowChanged(rowOf(id));
            Q_EMIT stageProgress(id, stage, r->stages[std::size_t(stage)].fraction,
                                 subStepText(r->stages[std::size_t(stage)]));
            break;
        }
        case Type::Finished: {
            applyFinished(*r, e, item.lastMs);
            const bool drop = r->removeWhenFinished;
            const int state = int(r->state);
            rowChanged(rowOf(id));
            Q_EMIT jobFinished(id, state);
            if (drop)
                remove(id);
            break;
        }
        case Type::Log: break;
        }
    }
    if (batch.droppedLogLines > 0)
        Q_EMIT logMessage(0, QString(), int(orfeas::LogLevel::Warning),
                          tr("%n log line(s) dropped: the engine logged faster than the window could show",
                             nullptr, batch.droppedLogLines));
}

void JobModel::applyProgress(JobRecord& r, const orfeas::ProgressEvent& p, qint64 firstMs, qint64 lastMs)
{
    const int s = int(p.stage);
    if (s < 0 || s >= kStageCount)
        return;
    // Stages run in order: when one begins, every earlier one is over.
    for (int i = 0; i < s; ++i) {
        StageState& earlier = r.stages[std::size_t(i)];
        if (earlier.started && !earlier.finished) {
            earlier.finished = true;
            earlier.fraction = 1.0;
            earlier.endMs = firstMs;
        }
    }
    StageState& st = r.stages[std::size_t(s)];
    if (!st.started) {
        st.started = true;
        st.startMs = firstMs;
    }
    st.fraction = std::clamp(p.fraction, 0.0, 1.0);
    st.subStage = QString::fromStdString(p.subStage);
    st.message = QString::fromStdString(p.message);
    st.step = p.step;
    st.totalSteps = p.totalSteps;
    st.finished = st.fraction >= 1.0;
    if (st.finished)
        st.endMs = lastMs;
    r.currentStage = std::max(r.currentStage, s);
}

void JobModel::applyFinished(JobRecord& r, const orfeas::JobEvent& e, qint64 atMs)
{
    r.state = e.state;
    r.endMs = atMs;
    if (r.startMs < 0)
        r.startMs = atMs;
    r.error = QString::fromStdString(e.text);
    if (e.errorKind)
        r.errorKind = QString::fromLatin1(orfeas::errorKindName(*e.errorKind));
    if (auto it = m_pendingOutcomes.find(r.id); it != m_pendingOutcomes.end()) {
        r.outcome = std::move(it->second);
        m_pendingOutcomes.erase(it);
        if (r.thumbnail.isNull())
            r.thumbnail = r.outcome->thumbnail;
    }
    for (auto& st : r.stages)
        if (st.started && !st.finished && r.state == orfeas::JobState::Done) {
            st.finished = true;
            st.fraction = 1.0;
            st.endMs = atMs;
        } else if (st.started && !st.finished) {
            st.endMs = atMs; // frozen where it stopped
        }
    if (r.state == orfeas::JobState::Done && r.outcome) {
        const std::string settingsKey = historyKey(r.request.settings);
        for (const auto& t : r.outcome->report.timings) {
            const auto stage = orfeas::stageFromName(t.path);
            if (!stage)
                continue; // sub-stages ("a/b") are not stage rows
            const auto key = std::make_pair(settingsKey, int(*stage));
            int& n = m_stageHistoryCount[key];
            double& mean = m_stageHistory[key];
            mean = (mean * n + t.seconds) / (n + 1);
            ++n;
        }
    }
    if (activeCount() == 0) {
        m_tick.stop();
        Q_EMIT idle();
    }
}

void JobModel::onTick()
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].state == orfeas::JobState::Running)
            Q_EMIT dataChanged(index(int(i)), index(int(i)), {ElapsedRole, EtaRole, FractionRole});
    Q_EMIT clockTick();
}

double JobModel::typicalStageSeconds(const orfeas::JobSettings& settings, int stage) const
{
    const auto it = m_stageHistory.find({historyKey(settings), stage});
    return it == m_stageHistory.end() ? -1.0 : it->second;
}

double JobModel::stageEtaSeconds(JobId id, int stage) const
{
    const JobRecord* r = job(id);
    if (!r || r->state != orfeas::JobState::Running || stage < 0 || stage >= kStageCount)
        return -1;
    const StageState& st = r->stages[std::size_t(stage)];
    if (st.finished)
        return 0;
    if (!st.started)
        return typicalStageSeconds(r->request.settings, stage);
    const double elapsed = st.elapsedSeconds(nowMs());
    // Extrapolate from the stage's own progress once there is enough of it; before that, use earlier runs, and
    // say nothing rather than "0 s" once the stage has outlasted them.
    if (st.fraction >= 0.03 && elapsed >= 0.1)
        return elapsed * (1.0 - st.fraction) / st.fraction;
    const double typical = typicalStageSeconds(r->request.settings, stage);
    return typical > elapsed ? typical - elapsed : -1.0;
}

double JobModel::etaSeconds(JobId id) const
{
    const JobRecord* r = job(id);
    if (!r || r->state != orfeas::JobState::Running || r->currentStage < 0)
        return -1;
    double total = 0;
    for (int s = r->currentStage; s < kStageCount; ++s) {
        if (s == kStageCount - 1 && r->request.outputDir.empty())
            break; // no export without an output folder
        const double left = stageEtaSeconds(id, s);
        if (left < 0)
            return -1;
        total += left;
    }
    return total;
}

} // namespace orfeas::ui
