#include "job_controller.h"

#include "gui_thread.h"
#include "job_model.h"
#include "qt_convert.h"

#include "orfeas/errors.h"
#include "orfeas/image_io.h"
#include "orfeas/pipeline.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

#include <set>

namespace orfeas::ui {

namespace {

constexpr int kThumbnailSide = 96;

QString reasonOf(const orfeas::Error& e)
{
    return QString::fromStdString(e.message());
}

} // namespace

CollectedInputs collectInputs(const QStringList& paths)
{
    CollectedInputs out;
    std::vector<std::string> accepted;
    std::set<std::string> probed;
    for (const QString& path : paths) {
        const QFileInfo info(path);
        const QString name = info.fileName().isEmpty() ? path : info.fileName();
        if (!info.exists()) {
            out.rejected << QCoreApplication::translate("JobController", "%1: does not exist").arg(name);
        } else if (info.isDir()) {
            accepted.push_back(QDir::cleanPath(info.absoluteFilePath()).toStdString());
        } else {
            try {
                orfeas::probeImage(info.absoluteFilePath().toStdString());
                accepted.push_back(QDir::cleanPath(info.absoluteFilePath()).toStdString());
                probed.insert(accepted.back());
            } catch (const orfeas::Error& e) {
                out.rejected << QStringLiteral("%1: %2").arg(name, reasonOf(e));
            }
        }
    }
    if (accepted.empty())
        return out;
    std::vector<orfeas::BatchItem> items;
    try {
        items = orfeas::planBatch(accepted);
    } catch (const orfeas::Error& e) {
        out.rejected << reasonOf(e);
        return out;
    }
    // Files found inside folders are checked too, so a broken one is refused here rather than failing as a job.
    for (auto& item : items) {
        if (!probed.count(item.inputPath)) {
            try {
                orfeas::probeImage(item.inputPath);
            } catch (const orfeas::Error& e) {
                out.rejected << QStringLiteral("%1: %2").arg(
                    QFileInfo(QString::fromStdString(item.inputPath)).fileName(), reasonOf(e));
                continue;
            }
        }
        out.items.push_back(std::move(item));
    }
    for (const QString& path : paths) {
        const QFileInfo info(path);
        if (!info.isDir())
            continue;
        const std::string dir = QDir::cleanPath(info.absoluteFilePath()).toStdString() + "/";
        const bool any = std::any_of(items.begin(), items.end(),
                                     [&](const orfeas::BatchItem& i) { return i.inputPath.rfind(dir, 0) == 0; });
        if (!any)
            out.rejected << QCoreApplication::translate("JobController", "%1: no supported images in this folder")
                                .arg(info.fileName());
    }
    return out;
}

JobController::JobController(JobModel* model, SettingsStore* store, QObject* parent)
    : QObject(parent)
    , m_model(model)
    , m_store(store)
{
    connect(model, &JobModel::jobFinished, this, [this](JobId id) { m_reservedStems.remove(id); });
}

JobController::~JobController()
{
    for (auto* w : m_pending)
        w->waitForFinished();
    for (auto* w : m_thumbnails)
        w->waitForFinished();
}

bool JobController::isCollecting() const
{
    return !m_pending.empty();
}

void JobController::addPaths(const QStringList& paths)
{
    ORFEAS_GUI_THREAD_ONLY();
    if (paths.isEmpty())
        return;
    if (m_store) {
        for (const QString& p : paths)
            m_store->addRecentFile(QFileInfo(p).absoluteFilePath());
        Q_EMIT recentFilesChanged();
    }
    auto* watcher = new QFutureWatcher<CollectedInputs>(this);
    m_pending.push_back(watcher);
    connect(watcher, &QFutureWatcher<CollectedInputs>::finished, this, &JobController::onCollected);
    watcher->setFuture(QtConcurrent::run(collectInputs, paths));
}

void JobController::onCollected()
{
    ORFEAS_GUI_THREAD_ONLY();
    auto* watcher = static_cast<QFutureWatcher<CollectedInputs>*>(sender());
    m_pending.erase(std::remove(m_pending.begin(), m_pending.end(), watcher), m_pending.end());
    watcher->deleteLater();
    CollectedInputs collected = watcher->result();
    submitItems(collected.items, collected.rejected);
}

bool JobController::prepareOutputDir(QString& problem)
{
    if (m_outputDir.isEmpty())
        m_outputDir = defaultOutputDir();
    if (!QDir().mkpath(m_outputDir)) {
        problem = tr("Cannot create the output folder %1").arg(m_outputDir);
        return false;
    }
    return true;
}

QString JobController::uniqueStem(const QString& stem, const QSet<QString>& alsoTaken) const
{
    const QString dir = QDir::cleanPath(m_outputDir) + QLatin1Char('/');
    auto taken = [&](const QString& candidate) {
        const QString key = dir + candidate;
        return alsoTaken.contains(key) ||
               std::find(m_reservedStems.cbegin(), m_reservedStems.cend(), key) != m_reservedStems.cend();
    };
    QString candidate = stem;
    for (int n = 2; taken(candidate); ++n)
        candidate = QStringLiteral("%1-%2").arg(stem).arg(n);
    return candidate;
}

void JobController::submitItems(const std::vector<orfeas::BatchItem>& items, QStringList rejected)
{
    QString problem;
    try {
        m_settings.validate();
    } catch (const orfeas::Error& e) {
        problem = tr("The settings are not valid: %1").arg(reasonOf(e));
    }
    if (problem.isEmpty() && !items.empty())
        prepareOutputDir(problem);
    if (!problem.isEmpty()) {
        report({}, rejected, problem);
        return;
    }

    struct Planned {
        orfeas::JobRequest request;
        QString name;
        QString path;
        bool exists = false;
    };
    std::vector<Planned> planned;
    QStringList existing;
    QSet<QString> batchStems;
    for (const auto& item : items) {
        Planned p;
        p.path = QString::fromStdString(item.inputPath);
        p.name = QFileInfo(p.path).fileName();
        p.request.inputPath = item.inputPath;
        p.request.settings = m_settings;
        p.request.outputDir = m_outputDir.toStdString();
        p.request.outputStem = uniqueStem(QString::fromStdString(item.outputStem), batchStems).toStdString();
        for (const auto& out : orfeas::plannedOutputs(p.request)) {
            if (QFileInfo::exists(QString::fromStdString(out))) {
                p.exists = true;
                existing << QString::fromStdString(out);
            }
        }
        batchStems.insert(QDir::cleanPath(m_outputDir) + QLatin1Char('/') +
                          QString::fromStdString(p.request.outputStem));
        planned.push_back(std::move(p));
    }

    OverwriteChoice choice = OverwriteChoice::Overwrite;
    if (!existing.isEmpty())
        choice = m_confirm ? m_confirm(existing) : OverwriteChoice::Skip;
    if (choice == OverwriteChoice::Cancel) {
        report({}, rejected);
        return;
    }

    QList<JobId> ids;
    const QString dirKey = QDir::cleanPath(m_outputDir) + QLatin1Char('/');
    for (auto& p : planned) {
        if (p.exists && choice == OverwriteChoice::Skip) {
            rejected << tr("%1: its output already exists").arg(p.name);
            continue;
        }
        p.request.overwrite = p.exists;
        const QString stem = QString::fromStdString(p.request.outputStem);
        const JobId id = m_model->submit(std::move(p.request), p.name);
        m_reservedStems.insert(id, dirKey + stem);
        loadThumbnailLater(id, p.path);
        ids << id;
    }
    report(ids, rejected);
}

void JobController::report(const QList<JobId>& ids, const QStringList& rejected, const QString& problem)
{
    QStringList parts;
    if (!ids.isEmpty())
        parts << tr("%n job(s) added.", nullptr, int(ids.size())); // stays true once they run
    if (!problem.isEmpty())
        parts << problem;
    if (!rejected.isEmpty())
        parts << tr("%n file(s) skipped: %1", nullptr, int(rejected.size())).arg(rejected.join(QStringLiteral("; ")));
    if (!ids.isEmpty())
        Q_EMIT jobsSubmitted(ids);
    if (!problem.isEmpty() || !rejected.isEmpty())
        Q_EMIT inputsRejected(QStringList(parts.mid(ids.isEmpty() ? 0 : 1)).join(QLatin1Char(' ')));
    if (!parts.isEmpty())
        Q_EMIT feedback(parts.join(QLatin1Char(' ')), !problem.isEmpty() || !rejected.isEmpty());
}

JobId JobController::addImage(const QImage& image, const QString& name)
{
    ORFEAS_GUI_THREAD_ONLY();
    QString problem;
    if (image.isNull())
        problem = tr("The clipboard holds no image");
    else if (qint64(image.width()) * image.height() > orfeas::Limits::kMaxImagePixels ||
             image.width() > orfeas::Limits::kMaxImageSide || image.height() > orfeas::Limits::kMaxImageSide)
        problem = tr("The image is too large (%1 × %2)").arg(image.width()).arg(image.height());
    if (problem.isEmpty()) {
        try {
            m_settings.validate();
        } catch (const orfeas::Error& e) {
            problem = tr("The settings are not valid: %1").arg(reasonOf(e));
        }
    }
    if (problem.isEmpty())
        prepareOutputDir(problem);
    if (!problem.isEmpty()) {
        report({}, {}, problem);
        return 0;
    }
    orfeas::JobRequest request;
    request.image = fromQImage(image);
    request.inputName = name.toStdString();
    request.settings = m_settings;
    request.outputDir = m_outputDir.toStdString();
    // Pasted images have no file name: a time stamp keeps their outputs apart.
    const QString stem = uniqueStem(
        QStringLiteral("pasted-%1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))), {});
    request.outputStem = stem.toStdString();
    const JobId id = m_model->submit(std::move(request), name,
                                     image.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio,
                                                  Qt::SmoothTransformation));
    m_reservedStems.insert(id, QDir::cleanPath(m_outputDir) + QLatin1Char('/') + stem);
    report({id}, {});
    return id;
}

void JobController::loadThumbnailLater(JobId id, const QString& path)
{
    // Decoding a large image takes a while: a worker scales it; the watcher hands it over on the GUI thread.
    auto* watcher = new QFutureWatcher<QImage>(this);
    m_thumbnails.push_back(watcher);
    connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, id] {
        m_thumbnails.erase(std::remove(m_thumbnails.begin(), m_thumbnails.end(), watcher), m_thumbnails.end());
        watcher->deleteLater();
        const QImage thumb = watcher->result();
        // Formats Qt cannot read get their thumbnail from the engine's decode when the job ends.
        if (!thumb.isNull())
            m_model->setThumbnail(id, thumb);
    });
    watcher->setFuture(QtConcurrent::run([path] {
        QImageReader reader(path);
        reader.setAutoTransform(true);
        const QSize size = reader.size();
        if (size.isValid())
            reader.setScaledSize(size.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio));
        return reader.read();
    }));
}

} // namespace orfeas::ui
