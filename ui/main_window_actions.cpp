// MainWindow: actions, menus, toolbar and the commands behind them.

#include "main_window.h"

#include "about_dialog.h"
#include "icons.h"
#include "job_controller.h"
#include "job_list_panel.h"
#include "job_model.h"
#include "model_manager_dialog.h"
#include "settings_dialog.h"

#include "orfeas/image_io.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMimeData>
#include <QToolBar>
#include <QUrl>

namespace orfeas::ui {

namespace {

QString imageFilter()
{
    QStringList patterns;
    for (const auto& ext : orfeas::supportedImageExtensions())
        patterns << QStringLiteral("*.") + QString::fromStdString(ext);
    return QCoreApplication::translate("MainWindow", "Images (%1)").arg(patterns.join(QLatin1Char(' '))) +
           QStringLiteral(";;") + QCoreApplication::translate("MainWindow", "All files (*)");
}

} // namespace

void MainWindow::createActions()
{
    auto make = [this](const QString& iconName, const QString& text, const QKeySequence& key = {}) {
        auto* a = new QAction(iconName.isEmpty() ? QIcon() : icon(iconName), text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        return a;
    };
    m_openAction = make(QStringLiteral("open"), tr("&Open Images…"), QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openFiles);
    m_openFolderAction = make(QString(), tr("Open &Folder…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    connect(m_openFolderAction, &QAction::triggered, this, &MainWindow::openFolder);
    m_pasteAction = make(QStringLiteral("paste"), tr("&Paste Image"), QKeySequence::Paste);
    connect(m_pasteAction, &QAction::triggered, this, &MainWindow::pasteImage);
    m_outputFolderAction = make(QStringLiteral("folder"), tr("Open Output F&older"));
    connect(m_outputFolderAction, &QAction::triggered, this, &MainWindow::openOutputFolder);
    m_quitAction = make(QString(), tr("&Quit"), QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_settingsAction = make(QStringLiteral("settings"), tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::openSettings);
    m_modelsAction = make(QStringLiteral("models"), tr("&Models…"), QKeySequence(Qt::CTRL | Qt::Key_M));
    connect(m_modelsAction, &QAction::triggered, this, &MainWindow::openModelManager);
    m_cancelAllAction = make(QString(), tr("Cancel &All Jobs"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Period));
    connect(m_cancelAllAction, &QAction::triggered, m_model, &JobModel::cancelAll);

    m_frameAction = make(QStringLiteral("frame"), tr("&Frame Model"), QKeySequence(Qt::Key_F));
    connect(m_frameAction, &QAction::triggered, this, [this] { m_viewport->frameAll(); });
    m_wireAction = make(QStringLiteral("wireframe"), tr("&Wireframe"), QKeySequence(Qt::Key_W));
    m_wireAction->setCheckable(true);
    connect(m_wireAction, &QAction::toggled, this, [this](bool on) { m_viewport->setWireframe(on); });
    m_normalsAction = make(QStringLiteral("normals"), tr("&Normals"), QKeySequence(Qt::Key_N));
    m_normalsAction->setCheckable(true);
    connect(m_normalsAction, &QAction::toggled, this, [this](bool on) { m_viewport->setNormalsVisible(on); });
    m_gridAction = make(QStringLiteral("grid"), tr("&Ground Grid"), QKeySequence(Qt::Key_G));
    m_gridAction->setCheckable(true);
    m_gridAction->setChecked(true);
    connect(m_gridAction, &QAction::toggled, this, [this](bool on) { m_viewport->setGridVisible(on); });

    m_shadingGroup = new QActionGroup(this);
    const std::pair<Shading, QString> shadings[] = {{Shading::Textured, tr("&Textured")},
                                                   {Shading::Clay, tr("&Clay")},
                                                   {Shading::VertexColors, tr("&Vertex Colours")}};
    int key = Qt::Key_1;
    for (const auto& [shading, text] : shadings) {
        QAction* a = make(QString(), text, QKeySequence(key++));
        a->setCheckable(true);
        a->setData(int(shading));
        a->setChecked(shading == Shading::Textured);
        m_shadingGroup->addAction(a);
    }
    connect(m_shadingGroup, &QActionGroup::triggered, this,
            [this](QAction* a) { setShading(Shading(a->data().toInt())); });
    const bool interactive = m_viewport->isInteractive();
    for (QAction* a : {m_frameAction, m_wireAction, m_normalsAction, m_gridAction})
        a->setEnabled(interactive);
    m_shadingGroup->setEnabled(interactive);

    m_aboutAction = make(QStringLiteral("orfeas"), tr("&About ORFEAS Studio"));
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    file->addAction(m_openFolderAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(m_pasteAction);
    file->addSeparator();
    file->addAction(m_outputFolderAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_pasteAction);
    edit->addSeparator();
    edit->addAction(m_settingsAction);

    QMenu* jobs = menuBar()->addMenu(tr("&Jobs"));
    jobs->addAction(m_jobList->cancelAction());
    jobs->addAction(m_jobList->retryAction());
    jobs->addAction(m_jobList->removeAction());
    jobs->addAction(m_jobList->revealAction());
    jobs->addSeparator();
    jobs->addAction(m_cancelAllAction);
    jobs->addAction(m_jobList->clearFinishedAction());

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_frameAction);
    QMenu* shading = view->addMenu(tr("&Shading"));
    shading->addActions(m_shadingGroup->actions());
    view->addAction(m_wireAction);
    view->addAction(m_normalsAction);
    view->addAction(m_gridAction);
    view->addSeparator();
    QMenu* panels = view->addMenu(tr("&Panels"));
    for (QDockWidget* d : m_docks)
        panels->addAction(d->toggleViewAction());

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(m_modelsAction);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);
    QAction* aboutQt = help->addAction(tr("About &Qt"));
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(20, 20));
    bar->addAction(m_openAction);
    bar->addAction(m_pasteAction);
    bar->addSeparator();
    bar->addAction(m_settingsAction);
    bar->addAction(m_modelsAction);
    bar->addSeparator();
    bar->addAction(m_frameAction);
    bar->addAction(m_wireAction);
    bar->addAction(m_normalsAction);
    bar->addAction(m_gridAction);
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_store->recentFiles();
    for (const QString& path : recent) {
        QAction* a = m_recentMenu->addAction(QFileInfo(path).fileName());
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] { m_controller->addPaths({path}); });
    }
    if (recent.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    connect(m_recentMenu->addAction(tr("&Clear List")), &QAction::triggered, this, [this] {
        m_store->clearRecentFiles();
        rebuildRecentMenu();
    });
}

void MainWindow::setShading(Shading shading)
{
    m_viewport->setShading(shading);
}

void MainWindow::openFiles()
{
    const QStringList recent = m_store->recentFiles();
    const QString start = recent.isEmpty() ? QDir::homePath() : QFileInfo(recent.first()).absolutePath();
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open Images"), start, imageFilter());
    if (!files.isEmpty())
        m_controller->addPaths(files);
}

void MainWindow::openFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a Folder of Images"), QDir::homePath());
    if (!dir.isEmpty())
        m_controller->addPaths({dir});
}

void MainWindow::pasteImage()
{
    const QMimeData* mime = QApplication::clipboard()->mimeData();
    if (!mime) {
        m_controller->addImage({}, {});
        return;
    }
    if (mime->hasImage()) {
        m_controller->addImage(qvariant_cast<QImage>(mime->imageData()), tr("Pasted image"));
        return;
    }
    QStringList paths;
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty() && mime->hasText() && QFileInfo::exists(mime->text().trimmed()))
        paths << mime->text().trimmed();
    if (!paths.isEmpty())
        m_controller->addPaths(paths);
    else
        m_controller->addImage({}, {}); // says that there is no image to paste
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_settings, m_prefs, this);
    if (dialog.exec() == QDialog::Accepted)
        applySettings(dialog.jobSettings(), dialog.preferences());
}

void MainWindow::openModelManager()
{
    ModelManagerDialog dialog(m_prefs.modelRoots, QString::fromStdString(m_settings.modelPath), this);
    const bool chosen = dialog.exec() == QDialog::Accepted && !dialog.chosenFolder().isEmpty();
    orfeas::JobSettings s = m_settings;
    StudioPreferences p = m_prefs;
    p.modelRoots = dialog.modelRoots();
    if (chosen) {
        s.modelPath = dialog.chosenFolder().toStdString();
        if (s.backend == orfeas::BackendChoice::Inflate)
            s.backend = orfeas::BackendChoice::Auto;
    }
    applySettings(s, p);
}

void MainWindow::openOutputFolder()
{
    const QString dir = m_prefs.outputDir;
    QDir().mkpath(dir);
    QDesktopServices::openUrl(QUrl::fromLocalFile(dir));
}

void MainWindow::showAbout()
{
    AboutDialog dialog(m_gpuLine.isEmpty() ? tr("not checked yet") : m_gpuLine, this);
    dialog.exec();
}

} // namespace orfeas::ui
