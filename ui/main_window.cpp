#include "main_window.h"

#include "drop_zone.h"
#include "export_bar.h"
#include "gpu_panel.h"
#include "gpu_sampler.h"
#include "gui_thread.h"
#include "icons.h"
#include "image_preview_panel.h"
#include "job_controller.h"
#include "job_list_panel.h"
#include "job_model.h"
#include "log_panel.h"
#include "stage_panel.h"
#include "stage_text.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QVBoxLayout>

namespace orfeas::ui {

MainWindow::MainWindow(SettingsStore* store, const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent)
    , m_store(store)
    , m_options(options)
{
    initResources();
    setWindowTitle(tr("ORFEAS Studio"));
    setWindowIcon(appIcon());
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(false); // the drop zone takes drops; the rest of the window is for viewing
    m_settings = m_store->loadJobSettings();
    m_prefs = m_store->loadPreferences();
    if (m_prefs.outputDir.isEmpty())
        m_prefs.outputDir = defaultOutputDir();

    m_model = new JobModel(m_prefs.concurrentJobs, this);
    m_controller = new JobController(m_model, m_store, this);
    m_controller->setJobSettings(m_settings);
    m_controller->setOutputDir(m_prefs.outputDir);
    m_controller->setConfirmOverwrite([this](const QStringList& existing) {
        QMessageBox box(QMessageBox::Question, tr("Replace existing files?"),
                        tr("%n output file(s) already exist, for example:\n%1", nullptr, int(existing.size()))
                            .arg(existing.mid(0, 5).join(QLatin1Char('\n'))),
                        QMessageBox::NoButton, this);
        auto* replace = box.addButton(tr("Replace"), QMessageBox::DestructiveRole);
        auto* skip = box.addButton(tr("Skip These Images"), QMessageBox::AcceptRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(skip);
        box.exec();
        if (box.clickedButton() == replace)
            return OverwriteChoice::Overwrite;
        if (box.clickedButton() == skip)
            return OverwriteChoice::Skip;
        return OverwriteChoice::Cancel;
    });

    // Centre: the 3D view with a caption naming what it shows.
    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    m_viewport = createViewport(centre);
    centreLayout->addWidget(m_viewport->widget(), 1);
    m_meshCaption = new QLabel(meshStatsText(nullptr), centre);
    m_meshCaption->setObjectName(QStringLiteral("meshCaption"));
    m_meshCaption->setContentsMargins(8, 4, 8, 4);
    m_meshCaption->setTextFormat(Qt::PlainText);
    centreLayout->addWidget(m_meshCaption);
    setCentralWidget(centre);

    createDocks();
    createActions();
    createMenus();

    m_statusJobs = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusJobs);

    connect(m_dropZone, &DropZone::pathsDropped, m_controller, &JobController::addPaths);
    connect(m_dropZone, &DropZone::imageDropped, m_controller, &JobController::addImage);
    connect(m_dropZone, &DropZone::openRequested, this, &MainWindow::openFiles);
    connect(m_controller, &JobController::feedback, m_dropZone, &DropZone::showMessage);
    connect(m_controller, &JobController::jobsSubmitted, this, [this](const QList<JobId>& ids) {
        if (m_jobList->currentJob() == 0 && !ids.isEmpty())
            m_jobList->selectJob(ids.first());
        updateStatus();
    });
    connect(m_controller, &JobController::recentFilesChanged, this, &MainWindow::rebuildRecentMenu);
    connect(m_jobList, &JobListPanel::currentJobChanged, this, &MainWindow::showJob);
    connect(m_model, &JobModel::jobStarted, this, &MainWindow::onJobStarted);
    connect(m_model, &JobModel::jobFinished, this, &MainWindow::onJobFinished);
    connect(m_model, &JobModel::logMessage, m_log, &LogPanel::append);
    connect(m_model, &JobModel::rowsRemoved, this, &MainWindow::updateStatus);
    connect(m_exportBar, &ExportBar::changed, this, &MainWindow::onExportBarChanged);
    connect(m_exportBar, &ExportBar::openFolderRequested, this, &MainWindow::openOutputFolder);

    m_sampler = new GpuSampler(m_options.gpuSampleIntervalMs, this);
    m_gpuPanel->setSampler(m_sampler);
    connect(m_sampler, &GpuSampler::ready, this,
            [this](bool available, const QString& reason, const QStringList& names, const QList<double>&) {
                m_gpuLine = available ? names.join(QStringLiteral(", ")) : tr("none (%1)").arg(reason);
            });
    if (m_options.startGpuSampler)
        m_sampler->start();

    resize(1440, 900);
    restoreGeometry(m_store->windowGeometry());
    restoreState(m_store->windowState());
    if (!m_store->loadProblem().isEmpty())
        m_dropZone->showMessage(tr("Stored settings were not usable and were reset: %1").arg(m_store->loadProblem()),
                                true);
    updateStatus();
}

MainWindow::~MainWindow()
{
    // Widgets going away emit signals (a line edit losing focus finishes editing): nothing may reach this
    // half-destroyed window any more.
    disconnect(m_exportBar, nullptr, this, nullptr);
    disconnect(m_jobList, nullptr, this, nullptr);
    // Jobs post into the model until they stop; stop them before the widgets they update go away.
    m_model->cancelAll();
    delete m_controller;
    delete m_model;
    m_model = nullptr;
}

void MainWindow::createDocks()
{
    auto dock = [this](const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name); // saveState() keys
        d->setWidget(content);
        d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
        addDockWidget(area, d);
        m_docks << d;
        return d;
    };

    auto* jobs = new QWidget(this);
    auto* jobsLayout = new QVBoxLayout(jobs);
    jobsLayout->setContentsMargins(6, 6, 6, 0);
    m_dropZone = new DropZone(jobs);
    jobsLayout->addWidget(m_dropZone);
    m_exportBar = new ExportBar(jobs);
    m_exportBar->setOutputDir(m_prefs.outputDir);
    m_exportBar->setFormats(m_settings.formats);
    jobsLayout->addWidget(m_exportBar);
    m_jobList = new JobListPanel(m_model, jobs);
    jobsLayout->addWidget(m_jobList, 1);
    dock(tr("Jobs"), QStringLiteral("jobsDock"), jobs, Qt::LeftDockWidgetArea);

    m_stagePanel = new StagePanel(this);
    m_stagePanel->setModel(m_model);
    dock(tr("Stages"), QStringLiteral("stagesDock"), m_stagePanel, Qt::RightDockWidgetArea);
    m_gpuPanel = new GpuPanel(this);
    dock(tr("GPU"), QStringLiteral("gpuDock"), m_gpuPanel, Qt::RightDockWidgetArea);

    m_images = new ImagePreviewPanel(this);
    QDockWidget* images = dock(tr("Images"), QStringLiteral("imagesDock"), m_images, Qt::BottomDockWidgetArea);
    m_log = new LogPanel(m_options.logFile, this);
    QDockWidget* log = dock(tr("Log"), QStringLiteral("logDock"), m_log, Qt::BottomDockWidgetArea);
    tabifyDockWidget(images, log);
    images->raise();
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    resizeDocks({m_docks[0]}, {340}, Qt::Horizontal);
    resizeDocks({m_docks[1]}, {470}, Qt::Horizontal);
    resizeDocks({images}, {230}, Qt::Vertical);
}

void MainWindow::showJob(JobId id)
{
    ORFEAS_GUI_THREAD_ONLY();
    m_stagePanel->showJob(id);
    const JobRecord* r = m_model->job(id);
    if (!r) {
        m_images->clear();
        return;
    }
    const JobOutcome* o = r->outcome.get();
    if (o)
        m_images->showImages(o->input, o->preprocessed, o->mask, o->alphaFromFile);
    else
        m_images->clear();
    // The view keeps the last model until the selected job has one of its own; the caption says whose it is.
    if (o && o->viewMesh && !o->viewMesh->isEmpty() && m_meshJob != id) {
        m_viewport->showMesh(o->viewMesh);
        m_meshJob = id;
    }
    const JobRecord* shown = m_model->job(m_meshJob);
    if (!shown || !m_viewport->mesh())
        m_meshCaption->setText(meshStatsText(nullptr));
    else
        m_meshCaption->setText(QStringLiteral("%1 — %2").arg(shown->name, meshStatsText(m_viewport->mesh().get())));
}

void MainWindow::onJobStarted(JobId id)
{
    const JobRecord* current = m_model->job(m_jobList->currentJob());
    if (m_prefs.followNewJobs && (!current || current->state != orfeas::JobState::Running))
        m_jobList->selectJob(id);
    updateStatus();
}

void MainWindow::onJobFinished(JobId id, int state)
{
    const JobRecord* r = m_model->job(id);
    if (r && orfeas::JobState(state) == orfeas::JobState::Failed)
        statusBar()->showMessage(tr("%1 failed: %2").arg(r->name, r->error), 10000);
    if (id == m_jobList->currentJob())
        showJob(id);
    updateStatus();
}

void MainWindow::updateStatus()
{
    int queued = 0, running = 0, done = 0, failed = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        switch (m_model->jobAt(row)->state) {
        case orfeas::JobState::Queued: ++queued; break;
        case orfeas::JobState::Running: ++running; break;
        case orfeas::JobState::Done: ++done; break;
        default: ++failed; break;
        }
    }
    m_statusJobs->setText(tr("%1 running · %2 queued · %3 done · %4 failed or cancelled")
                              .arg(running)
                              .arg(queued)
                              .arg(done)
                              .arg(failed));
    m_cancelAllAction->setEnabled(running + queued > 0);
    // "N jobs added." is out of date once nothing is queued or running.
    if (running + queued == 0)
        m_dropZone->clearNotice();
}

void MainWindow::applySettings(const orfeas::JobSettings& settings, const StudioPreferences& prefs)
{
    m_settings = settings;
    m_prefs = prefs;
    if (m_prefs.outputDir.isEmpty())
        m_prefs.outputDir = defaultOutputDir();
    m_store->saveJobSettings(m_settings);
    m_store->savePreferences(m_prefs);
    m_store->sync();
    m_controller->setJobSettings(m_settings);
    m_controller->setOutputDir(m_prefs.outputDir);
    m_model->setMaxConcurrent(m_prefs.concurrentJobs);
    m_exportBar->setOutputDir(m_prefs.outputDir);
    m_exportBar->setFormats(m_settings.formats);
}

void MainWindow::onExportBarChanged()
{
    orfeas::JobSettings s = m_settings;
    s.formats = m_exportBar->formats();
    StudioPreferences p = m_prefs;
    p.outputDir = m_exportBar->outputDir();
    applySettings(s, p);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    const int active = m_model->activeCount();
    if (active > 0) {
        const auto answer = QMessageBox::question(
            this, tr("Quit ORFEAS Studio?"),
            tr("%n job(s) are still queued or running. Cancel them and quit?", nullptr, active),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    m_store->saveWindow(saveGeometry(), saveState());
    m_store->sync();
    QMainWindow::closeEvent(event);
}

} // namespace orfeas::ui
