// The studio window as a user drives it: drops, the stage panel during a real run, the mesh in the viewport,
// cancel, inline messages instead of dialogs, settings across restarts, and no GUI access off the GUI thread.

#include "about_dialog.h"
#include "drop_zone.h"
#include "export_bar.h"
#include "gui_thread.h"
#include "image_preview_panel.h"
#include "job_controller.h"
#include "job_list_panel.h"
#include "job_model.h"
#include "log_panel.h"
#include "main_window.h"
#include "model_manager_dialog.h"
#include "settings_dialog.h"
#include "stage_panel.h"
#include "test_support.h"

#include "orfeas/version.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <atomic>
#include <memory>

using namespace orfeas::ui;

namespace {

// Qt warns (without failing) when objects are used across threads; these messages must never appear.
std::atomic<int> g_threadWarnings{0};
QtMessageHandler g_previousHandler = nullptr;

void threadWatchingHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    static const char* patterns[] = {"different thread", "another thread", "outside the GUI thread",
                                     "Cannot create children", "QObject::startTimer", "QObject::killTimer",
                                     "GUI-thread code called from a worker thread"};
    for (const char* p : patterns)
        if (message.contains(QLatin1String(p)))
            ++g_threadWarnings;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

void dropPaths(QWidget* target, const QStringList& paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& p : paths)
        urls << QUrl::fromLocalFile(p);
    mime.setUrls(urls);
    const QPointF pos(target->width() / 2.0, target->height() / 2.0);
    QDragEnterEvent enter(pos.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
}

bool anyDialogOpen()
{
    if (QApplication::activeModalWidget())
        return true;
    for (QWidget* w : QApplication::topLevelWidgets())
        if (w->isVisible() && (qobject_cast<QMessageBox*>(w) || qobject_cast<QDialog*>(w)))
            return true;
    return false;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<SettingsStore> m_store;

    QString outDir() const { return m_dir.filePath("out"); }

    std::unique_ptr<MainWindow> makeWindow()
    {
        MainWindowOptions options;
        options.logFile = m_dir.filePath("logs/studio.log");
        auto w = std::make_unique<MainWindow>(m_store.get(), options);
        StudioPreferences prefs = w->preferences();
        prefs.outputDir = outDir();
        w->applySettings(test::fastSettings(), prefs);
        w->show();
        return w;
    }

    QString writeImage(const QString& name, const QImage& image)
    {
        const QString path = m_dir.filePath(name);
        if (!image.save(path))
            return {};
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        g_previousHandler = qInstallMessageHandler(threadWatchingHandler);
    }

    void init()
    {
        QFile::remove(m_dir.filePath("settings.ini"));
        m_settings = std::make_unique<QSettings>(m_dir.filePath("settings.ini"), QSettings::IniFormat);
        m_store = std::make_unique<SettingsStore>(m_settings.get());
        QDir(outDir()).removeRecursively();
    }

    void cleanup()
    {
        m_store.reset();
        m_settings.reset();
    }

    void dropQueuesJobsAndRefusesBadFilesInline()
    {
        // GIVEN two images, an image inside a folder, a text file and a truncated PNG
        const QString a = writeImage("a.png", test::discImage());
        const QString b = writeImage("b.jpg", test::discImage(120, Qt::darkGreen));
        QVERIFY(QDir(m_dir.path()).mkpath("folder"));
        writeImage("folder/c.png", test::discImage(100, Qt::blue));
        QFile text(m_dir.filePath("notes.txt"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("not an image");
        text.close();
        QFile png(a);
        QVERIFY(png.open(QIODevice::ReadOnly));
        const QByteArray head = png.read(40);
        QFile broken(m_dir.filePath("broken.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(head.left(20)); // a PNG signature and half a header
        broken.close();

        auto w = makeWindow();
        QSignalSpy submitted(w->controller(), &JobController::jobsSubmitted);
        QSignalSpy rejected(w->controller(), &JobController::inputsRejected);
        // WHEN they are dropped together
        dropPaths(w->dropZone(), {a, b, m_dir.filePath("folder"), m_dir.filePath("notes.txt"),
                                  m_dir.filePath("broken.png")});
        // THEN the three images are queued, and one inline message names both refused files
        QVERIFY(submitted.wait(20000));
        QCOMPARE(submitted.first().first().value<QList<JobId>>().size(), 3);
        QCOMPARE(w->jobModel()->rowCount(), 3);
        QCOMPARE(rejected.count(), 1);
        const QString message = w->dropZone()->message();
        QVERIFY2(message.contains("notes.txt") && message.contains("broken.png"), qPrintable(message));
        QVERIFY(!message.contains("a.png"));
        QVERIFY(!anyDialogOpen());
        QTRY_COMPARE_WITH_TIMEOUT(w->jobModel()->activeCount(), 0, 60000);
        // The warning about the refused files stays after the jobs are done.
        QCOMPARE(w->dropZone()->message(), message);
        // Recent files remember what was dropped, newest first.
        QVERIFY(m_store->recentFiles().contains(QFileInfo(a).absoluteFilePath()));
    }

    void jobRunsThroughStagePanelIntoViewport()
    {
        const QString path = writeImage("ball.png", test::discImage());
        auto w = makeWindow();
        QSignalSpy stages(w->stagePanel(), &StagePanel::stageChanged);
        QSignalSpy breakdown(w->stagePanel(), &StagePanel::breakdownShown);
        QSignalSpy finished(w->jobModel(), &JobModel::jobFinished);
        QSignalSpy feedback(w->controller(), &JobController::feedback);
        dropPaths(w->dropZone(), {path});
        QVERIFY(finished.wait(60000));
        QCOMPARE(orfeas::JobState(finished.first().at(1).toInt()), orfeas::JobState::Done);
        // "1 job added." was shown, and goes once nothing is queued or running.
        QVERIFY(feedback.count() >= 1);
        QVERIFY2(feedback.first().first().toString().contains("added"), qPrintable(feedback.first().first().toString()));
        QTRY_VERIFY_WITH_TIMEOUT(w->dropZone()->message().isEmpty(), 1000); // not the 6 s fade
        // The panel followed the job: every stage reached 1.0 live, then the breakdown replaced the live rows.
        QSet<int> complete;
        for (const auto& args : stages)
            if (args.at(1).toDouble() >= 1.0)
                complete.insert(args.at(0).toInt());
        QCOMPARE(complete.size(), kStageCount);
        QVERIFY(breakdown.count() >= 1);
        QVERIFY(breakdown.last().first().toDouble() > 0);
        QVERIFY(w->stagePanel()->showsBreakdown());
        double shares = 0;
        for (int s = 0; s < kStageCount; ++s)
            shares += w->stagePanel()->stageFraction(s);
        QVERIFY2(shares > 0.5 && shares <= 1.0001, qPrintable(QString::number(shares)));
        // The texture row also names the time of its image, made in parallel with shape generation.
        const QString textureDetail = w->stagePanel()->stageDetail(int(orfeas::Stage::TextureSynthesis));
        QVERIFY2(textureDetail.contains("in parallel"), qPrintable(textureDetail));
        // The mesh is in the viewport's model, with the statistics of the engine's report.
        const JobRecord* r = w->jobModel()->jobAt(0);
        QVERIFY(w->viewport()->mesh());
        QCOMPARE(w->viewport()->mesh()->faceCount, int(r->outcome->report.faces));
        QVERIFY(w->viewport()->mesh()->faceCount > 100);
        QVERIFY(w->findChild<QLabel*>("meshCaption")->text().contains("ball.png"));
        QVERIFY(QFile::exists(QDir(outDir()).filePath("ball.glb")));
        QVERIFY(w->logPanel()->lineCount() >= 0);
    }

    void cancelFromTheJobList()
    {
        const QString path = writeImage("big.png", test::discImage(900));
        auto w = makeWindow();
        StudioPreferences prefs = w->preferences();
        w->applySettings(test::slowSettings(), prefs);
        QSignalSpy finished(w->jobModel(), &JobModel::jobFinished);
        dropPaths(w->dropZone(), {path});
        QTRY_VERIFY_WITH_TIMEOUT(w->jobModel()->rowCount() == 1 &&
                                     w->jobModel()->jobAt(0)->state == orfeas::JobState::Running,
                                 20000);
        w->jobList()->selectJob(w->jobModel()->jobAt(0)->id);
        QVERIFY(w->jobList()->cancelAction()->isEnabled());
        w->jobList()->cancelAction()->trigger();
        QVERIFY(finished.wait(30000));
        QCOMPARE(w->jobModel()->jobAt(0)->state, orfeas::JobState::Cancelled);
        QVERIFY(w->jobList()->retryAction()->isEnabled());
        QVERIFY(!QFile::exists(QDir(outDir()).filePath("big.glb")));
    }

    void existingOutputsAskOnceAndSkip()
    {
        const QString path = writeImage("twice.png", test::discImage());
        auto w = makeWindow();
        int asked = 0;
        QStringList existing;
        w->controller()->setConfirmOverwrite([&](const QStringList& files) {
            ++asked;
            existing = files;
            return OverwriteChoice::Skip;
        });
        QSignalSpy finished(w->jobModel(), &JobModel::jobFinished);
        dropPaths(w->dropZone(), {path});
        QVERIFY(finished.wait(60000));
        QCOMPARE(asked, 0);
        QSignalSpy rejected(w->controller(), &JobController::inputsRejected);
        dropPaths(w->dropZone(), {path});
        QVERIFY(rejected.wait(20000));
        QCOMPARE(asked, 1);
        QVERIFY(existing.contains(QDir(outDir()).filePath("twice.glb")));
        QCOMPARE(w->jobModel()->rowCount(), 1); // skipped: no second job
        QVERIFY(w->dropZone()->message().contains("twice.png"));
    }

    void pastedImageBecomesAJob()
    {
        auto w = makeWindow();
        QApplication::clipboard()->setImage(test::discImage(140, QColor(230, 160, 20)));
        QSignalSpy finished(w->jobModel(), &JobModel::jobFinished);
        w->pasteImage();
        QCOMPARE(w->jobModel()->rowCount(), 1);
        QVERIFY(finished.wait(60000));
        const JobRecord* r = w->jobModel()->jobAt(0);
        QCOMPARE(r->state, orfeas::JobState::Done);
        QVERIFY(r->request.image.has_value());
        QVERIFY(!r->thumbnail.isNull());
        QVERIFY(r->outcome->outputs.first().contains("pasted-"));
    }

    void settingsSurviveRestart()
    {
        orfeas::JobSettings s = test::fastSettings();
        s.steps = 33;
        s.guidance = 7.5f;
        s.seed = 1234567890123ull;
        s.decoder = orfeas::DecoderMode::Dense;
        s.precision = orfeas::Precision::Bf16;
        s.formats = {orfeas::ExportFormat::Obj, orfeas::ExportFormat::Ply};
        s.device = "cuda:1";
        s.chunkSize = 65536;
        {
            auto w = makeWindow();
            StudioPreferences p = w->preferences();
            p.language = "el";
            p.concurrentJobs = 3;
            p.followNewJobs = false;
            w->applySettings(s, p);
            w->resize(1111, 777);
            QVERIFY(w->close());
        }
        // A new store on the same file stands for the next start of the program.
        m_store = std::make_unique<SettingsStore>(m_settings.get());
        MainWindowOptions options;
        options.logFile.clear();
        MainWindow again(m_store.get(), options);
        const orfeas::JobSettings& t = again.jobSettings();
        QCOMPARE(t.steps, 33);
        QCOMPARE(t.guidance, 7.5f);
        QCOMPARE(t.seed, 1234567890123ull);
        QCOMPARE(t.decoder, orfeas::DecoderMode::Dense);
        QCOMPARE(t.precision, orfeas::Precision::Bf16);
        QCOMPARE(t.device, std::string("cuda:1"));
        QCOMPARE(t.chunkSize, 65536);
        QCOMPARE(t.resolution, test::fastSettings().resolution);
        QVERIFY(t.formats == s.formats);
        QCOMPARE(again.preferences().language, QStringLiteral("el"));
        QCOMPARE(again.preferences().concurrentJobs, 3);
        QCOMPARE(again.preferences().followNewJobs, false);
        QCOMPARE(again.preferences().outputDir, outDir());
        QCOMPARE(again.jobModel()->maxConcurrent(), 3);
        QVERIFY(again.exportBar()->formats() == s.formats);
        QCOMPARE(again.size(), QSize(1111, 777));
    }

    void corruptStoredSettingsFallBackToDefaults()
    {
        m_settings->setValue("engine/precision", "fp8");
        m_settings->setValue("engine/steps", 12);
        const orfeas::JobSettings s = m_store->loadJobSettings();
        QCOMPARE(s.steps, orfeas::JobSettings{}.steps);
        QVERIFY2(m_store->loadProblem().contains("fp8"), qPrintable(m_store->loadProblem()));
    }

    void settingsDialogValidatesInline()
    {
        orfeas::JobSettings s = test::fastSettings();
        SettingsDialog dialog(s, StudioPreferences{});
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(dialog.validationMessage().isEmpty());
        QVERIFY(ok->isEnabled());
        // A chunk size below the engine's minimum: the engine's own message, OK disabled.
        QSpinBox* chunk = nullptr;
        for (QSpinBox* spin : dialog.findChildren<QSpinBox*>())
            if (spin->specialValueText() == QLatin1String("automatic"))
                chunk = spin;
        QVERIFY(chunk);
        chunk->setValue(500);
        QVERIFY2(dialog.validationMessage().contains("chunk size must be between 1024"),
                 qPrintable(dialog.validationMessage()));
        QVERIFY(!ok->isEnabled());
        chunk->setValue(0);
        QVERIFY(ok->isEnabled());
        // An unknown device.
        auto* device = dialog.findChildren<QComboBox*>().at(0);
        for (QComboBox* c : dialog.findChildren<QComboBox*>())
            if (c->isEditable())
                device = c;
        device->setCurrentText("gpu7");
        QVERIFY2(dialog.validationMessage().contains("device"), qPrintable(dialog.validationMessage()));
        device->setCurrentText("cuda:0");
        QVERIFY(dialog.validationMessage().isEmpty());
        // No export format at all.
        for (QCheckBox* c : dialog.findChildren<QCheckBox*>())
            if (c->text() == QLatin1String("GLB"))
                c->setChecked(false);
        QVERIFY2(dialog.validationMessage().contains("no output format"), qPrintable(dialog.validationMessage()));
        QVERIFY(!ok->isEnabled());
    }

    void presetsSetTheirFields()
    {
        orfeas::JobSettings s;
        applyPreset(s, Preset::Fast);
        QCOMPARE(matchingPreset(s), std::optional<Preset>(Preset::Fast));
        QVERIFY(s.steps < orfeas::JobSettings{}.steps);
        applyPreset(s, Preset::Quality);
        QCOMPARE(matchingPreset(s), std::optional<Preset>(Preset::Quality));
        QVERIFY(s.octreeResolution > orfeas::JobSettings{}.octreeResolution);
        s.validate();
        applyPreset(s, Preset::Balanced);
        QCOMPARE(matchingPreset(orfeas::JobSettings{}), std::optional<Preset>(Preset::Balanced));
        s.steps = 17;
        QCOMPARE(matchingPreset(s), std::nullopt);
    }

    void aboutAndModelDialogs()
    {
        AboutDialog about(QStringLiteral("none (test)"));
        QStringList texts;
        for (QLabel* l : about.findChildren<QLabel*>())
            texts << l->text();
        QVERIFY(texts.join(' ').contains(QString::fromLatin1(orfeas::versionString())));
        QVERIFY(texts.join(' ').contains("inflate")); // the classic backend is listed

        QVERIFY(QDir(m_dir.path()).mkpath("models"));
        ModelManagerDialog models({m_dir.filePath("models")}, QString());
        QSignalSpy scanned(&models, &ModelManagerDialog::scanFinished);
        QVERIFY(scanned.wait(20000));
        QCOMPARE(models.folderCount(), scanned.first().first().toInt());
        QVERIFY(models.modelRoots().contains(m_dir.filePath("models")));
        QVERIFY(models.chosenFolder().isEmpty());
    }

    void noGuiAccessOffTheGuiThread()
    {
        // Two jobs at once, with log lines, progress and results arriving from two worker threads.
        const int violations = guiThreadViolations();
        g_threadWarnings = 0;
        const QString a = writeImage("t1.png", test::discImage(300));
        const QString b = writeImage("t2.png", test::discImage(300, Qt::darkCyan));
        auto w = makeWindow();
        StudioPreferences prefs = w->preferences();
        prefs.concurrentJobs = 2;
        orfeas::JobSettings s = test::fastSettings();
        s.resolution = 96;
        w->applySettings(s, prefs);
        dropPaths(w->dropZone(), {a, b});
        QTRY_COMPARE_WITH_TIMEOUT(w->jobModel()->rowCount(), 2, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(w->jobModel()->activeCount(), 0, 60000);
        QCOMPARE(w->jobModel()->jobAt(0)->state, orfeas::JobState::Done);
        QCOMPARE(w->jobModel()->jobAt(1)->state, orfeas::JobState::Done);
        QCOMPARE(guiThreadViolations(), violations);
        QCOMPARE(g_threadWarnings.load(), 0);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
