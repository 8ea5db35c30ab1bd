// Takes the documentation screenshots of the studio (docs/screenshots/). Not a test: run it under Xvfb, e.g.
//   xvfb-run -a -s "-screen 0 1600x1000x24" build/tests/ui/orfeas-studio-screenshots docs/screenshots main
// with `main` (a finished model), `running` (a job mid-run: stage and GPU panels live) or `greek` (--language el).
// It uses a temporary settings file and output folder, draws its own input images and runs real jobs.

#include "icons.h"
#include "job_controller.h"
#include "job_list_panel.h"
#include "job_model.h"
#include "language.h"
#include "main_window.h"
#include "stage_panel.h"

#include <QApplication>
#include <QDir>
#include <QPainter>
#include <QPainterPath>
#include <QScreen>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cstdio>

using namespace orfeas::ui;

namespace {

QImage mushroom()
{
    QImage image(640, 640, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    QPainterPath stem;
    stem.moveTo(262, 300);
    stem.cubicTo(250, 420, 236, 520, 250, 560);
    stem.quadTo(320, 590, 390, 560);
    stem.cubicTo(404, 520, 390, 420, 378, 300);
    stem.closeSubpath();
    QLinearGradient stemFill(250, 0, 390, 0);
    stemFill.setColorAt(0, QColor(222, 203, 168));
    stemFill.setColorAt(0.5, QColor(247, 238, 220));
    stemFill.setColorAt(1, QColor(214, 193, 156));
    p.setBrush(stemFill);
    p.drawPath(stem);
    QPainterPath cap;
    cap.moveTo(90, 330);
    cap.cubicTo(90, 110, 550, 110, 550, 330);
    cap.quadTo(320, 370, 90, 330);
    QRadialGradient capFill(280, 170, 300);
    capFill.setColorAt(0, QColor(236, 84, 60));
    capFill.setColorAt(1, QColor(158, 28, 24));
    p.setBrush(capFill);
    p.drawPath(cap);
    p.setBrush(QColor(252, 246, 236));
    for (const QRectF& r : {QRectF(196, 204, 56, 42), QRectF(296, 182, 66, 46), QRectF(414, 226, 50, 38),
                            QRectF(142, 272, 42, 30), QRectF(250, 262, 52, 36), QRectF(372, 276, 46, 32)})
        p.drawEllipse(r);
    return image;
}

QImage duck()
{
    QImage image(640, 640, QImage::Format_RGB32);
    image.fill(QColor(245, 248, 252));
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    QRadialGradient body(300, 380, 260);
    body.setColorAt(0, QColor(255, 226, 80));
    body.setColorAt(1, QColor(232, 170, 20));
    p.setBrush(body);
    p.drawEllipse(QRectF(110, 300, 400, 250));
    p.drawEllipse(QRectF(300, 130, 200, 200));
    p.setBrush(QColor(245, 130, 30));
    QPainterPath beak;
    beak.moveTo(480, 215);
    beak.quadTo(580, 220, 560, 250);
    beak.quadTo(520, 270, 470, 255);
    p.drawPath(beak);
    p.setBrush(QColor(30, 30, 40));
    p.drawEllipse(QRectF(425, 185, 24, 28));
    p.setBrush(QColor(250, 206, 60));
    p.drawEllipse(QRectF(190, 360, 190, 110));
    return image;
}

QImage grab(QWidget& window)
{
    return QGuiApplication::primaryScreen()->grabWindow(0, window.x(), window.y(), window.width(), window.height())
        .toImage();
}

bool waitFor(const std::function<bool()>& done, int ms)
{
    return QTest::qWaitFor(done, ms);
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <output folder> main|running|greek\n", argv[0]);
        return 2;
    }
    const QString outDir = QString::fromLocal8Bit(argv[1]);
    const QString which = QString::fromLocal8Bit(argv[2]);
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setApplicationName(QStringLiteral("ORFEAS Studio"));
    initResources();
    QApplication::setWindowIcon(appIcon());
    installTranslations(&app, which == QLatin1String("greek") ? QStringLiteral("el") : QStringLiteral("en"));

    QTemporaryDir dir;
    QSettings settings(dir.filePath("settings.ini"), QSettings::IniFormat);
    SettingsStore store(&settings);
    MainWindowOptions options;
    options.logFile = dir.filePath("studio.log");
    MainWindow window(&store, options);
    orfeas::JobSettings s;
    s.backend = orfeas::BackendChoice::Inflate;
    s.formats = {orfeas::ExportFormat::Glb, orfeas::ExportFormat::Obj};
    StudioPreferences prefs = window.preferences();
    prefs.outputDir = QDir::homePath() + QStringLiteral("/ORFEAS Models");
    prefs.concurrentJobs = 2;
    window.applySettings(s, prefs);
    window.controller()->setOutputDir(dir.filePath("out")); // shown folder stays tidy; files go to the temporary one
    window.resize(1500, 920);
    window.move(0, 0);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    QTest::qWait(1500);

    const QString mushroomPath = dir.filePath("mushroom.png");
    const QString duckPath = dir.filePath("duck.png");
    mushroom().save(mushroomPath);
    duck().save(duckPath);
    JobModel* model = window.jobModel();

    if (which == QLatin1String("running")) {
        // A finished job in the list, then a heavy one captured in its shape stage.
        window.controller()->addPaths({duckPath});
        waitFor([&] { return model->rowCount() == 1 && model->activeCount() == 0; }, 60000);
        orfeas::JobSettings heavy = s;
        heavy.resolution = 400;
        heavy.faceBudget = 0;
        heavy.textureSize = 4096;
        window.applySettings(heavy, prefs);
        window.controller()->setOutputDir(dir.filePath("out"));
        window.controller()->addPaths({mushroomPath});
        waitFor([&] {
            const JobRecord* r = model->rowCount() == 2 ? model->jobAt(1) : nullptr;
            if (!r || r->currentStage < int(orfeas::Stage::ShapeGeneration))
                return false;
            const StageState& st = r->stages[std::size_t(r->currentStage)];
            // Far enough into a stage for its time-left estimate to show.
            return !st.finished && st.fraction > 0.3 && st.elapsedSeconds(model->nowMs()) > 0.15;
        }, 120000);
        QSignalSpy tick(model, &JobModel::clockTick);
        tick.wait(400); // the stage panel refreshes its times and estimates on the model's clock
        QTest::qWait(60); // and repaints
        grab(window).save(outDir + QStringLiteral("/studio-running.png"));
        model->cancelAll();
        waitFor([&] { return model->activeCount() == 0; }, 60000);
        return 0;
    }

    window.controller()->addPaths({duckPath, mushroomPath});
    waitFor([&] { return model->rowCount() == 2 && model->activeCount() == 0; }, 120000);
    window.jobList()->selectJob(model->jobAt(1)->id);
    QTest::qWait(2500); // the 3D view draws the model and loads its texture
    const QString name = which == QLatin1String("greek") ? QStringLiteral("studio-greek.png")
                                                        : QStringLiteral("studio-main.png");
    grab(window).save(outDir + QLatin1Char('/') + name);
    return 0;
}
