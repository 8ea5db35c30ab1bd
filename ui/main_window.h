#pragma once
// The studio's window: jobs on the left (drop zone, export options, job list), the 3D view in the centre, the
// stage and GPU panels on the right, input/preprocessed/mask images and the log below. Panels are dock widgets,
// so the layout is the user's and is restored at start.

#include "job_types.h"
#include "settings_store.h"
#include "viewport.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;

namespace orfeas::ui {

class DropZone;
class ExportBar;
class GpuPanel;
class GpuSampler;
class ImagePreviewPanel;
class JobController;
class JobListPanel;
class JobModel;
class LogPanel;
class StagePanel;

struct MainWindowOptions {
    int gpuSampleIntervalMs = 1000;
    bool startGpuSampler = true;
    QString logFile = defaultLogFile(); // empty: no log file
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `store` must outlive the window.
    explicit MainWindow(SettingsStore* store, const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    JobModel* jobModel() const { return m_model; }
    JobController* controller() const { return m_controller; }
    DropZone* dropZone() const { return m_dropZone; }
    JobListPanel* jobList() const { return m_jobList; }
    StagePanel* stagePanel() const { return m_stagePanel; }
    GpuPanel* gpuPanel() const { return m_gpuPanel; }
    ImagePreviewPanel* imagePreview() const { return m_images; }
    LogPanel* logPanel() const { return m_log; }
    Viewport* viewport() const { return m_viewport.get(); }
    ExportBar* exportBar() const { return m_exportBar; }

    // Applies settings as if accepted in the settings dialog (saved, used for the next jobs).
    void applySettings(const orfeas::JobSettings& settings, const StudioPreferences& prefs);
    const orfeas::JobSettings& jobSettings() const { return m_settings; }
    const StudioPreferences& preferences() const { return m_prefs; }

public Q_SLOTS:
    void openFiles();
    void openFolder();
    void pasteImage();
    void openSettings();
    void openModelManager();
    void openOutputFolder();
    void showAbout();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createDocks();
    void createActions();
    void createMenus();
    void rebuildRecentMenu();
    void showJob(JobId id);
    void onJobStarted(JobId id);
    void onJobFinished(JobId id, int state);
    void onExportBarChanged();
    void updateStatus();
    void setShading(Shading shading);

    SettingsStore* m_store;
    MainWindowOptions m_options;
    orfeas::JobSettings m_settings;
    StudioPreferences m_prefs;
    QString m_gpuLine;

    JobModel* m_model = nullptr;
    JobController* m_controller = nullptr;
    GpuSampler* m_sampler = nullptr;
    std::unique_ptr<Viewport> m_viewport;
    QLabel* m_meshCaption = nullptr;
    DropZone* m_dropZone = nullptr;
    ExportBar* m_exportBar = nullptr;
    JobListPanel* m_jobList = nullptr;
    StagePanel* m_stagePanel = nullptr;
    GpuPanel* m_gpuPanel = nullptr;
    ImagePreviewPanel* m_images = nullptr;
    LogPanel* m_log = nullptr;
    QList<QDockWidget*> m_docks;
    QLabel* m_statusJobs = nullptr;
    JobId m_meshJob = 0; // the job whose mesh the viewport shows

    QMenu* m_recentMenu = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_openFolderAction = nullptr;
    QAction* m_pasteAction = nullptr;
    QAction* m_outputFolderAction = nullptr;
    QAction* m_settingsAction = nullptr;
    QAction* m_modelsAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_cancelAllAction = nullptr;
    QAction* m_frameAction = nullptr;
    QAction* m_wireAction = nullptr;
    QAction* m_normalsAction = nullptr;
    QAction* m_gridAction = nullptr;
    QActionGroup* m_shadingGroup = nullptr;
    QAction* m_aboutAction = nullptr;
};

} // namespace orfeas::ui
