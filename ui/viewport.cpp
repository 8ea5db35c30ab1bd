#include "viewport.h"

#include "placeholder_viewport.h"
#include "qt3d_viewport.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QLabel>
#include <QLocale>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QVBoxLayout>

namespace orfeas::ui {

QString meshStatsText(const ViewMesh* mesh)
{
    if (!mesh || mesh->isEmpty())
        return QCoreApplication::translate("Viewport", "No model");
    const QLocale loc;
    const QVector3D s = mesh->size();
    return QCoreApplication::translate("Viewport", "%1 vertices · %2 faces · size %3 × %4 × %5")
        .arg(loc.toString(mesh->vertexCount), loc.toString(mesh->faceCount), loc.toString(s.x(), 'f', 2),
             loc.toString(s.y(), 'f', 2), loc.toString(s.z(), 'f', 2));
}

PlaceholderViewport::PlaceholderViewport(QWidget* parent, const QString& reason)
    : m_widget(new QWidget(parent))
{
    auto* layout = new QVBoxLayout(m_widget);
    auto* message = new QLabel(reason, m_widget);
    message->setWordWrap(true);
    message->setAlignment(Qt::AlignCenter);
    layout->addWidget(message, 1);
}

QWidget* PlaceholderViewport::widget()
{
    return m_widget;
}

void PlaceholderViewport::showMesh(std::shared_ptr<const ViewMesh> mesh)
{
    m_mesh = std::move(mesh);
}

void PlaceholderViewport::captureImage(std::function<void(const QImage&)> done)
{
    done(m_widget->grab().toImage());
}

namespace {

// Qt3D needs a working OpenGL context; probing one first turns a crash or a black view into a clear message.
QString openGlProblem()
{
    const QString platform = QGuiApplication::platformName();
    if (platform == QLatin1String("offscreen") || platform == QLatin1String("minimal"))
        return QCoreApplication::translate("Viewport", "The 3D view is off on the '%1' platform.").arg(platform);
    QOpenGLContext context;
    if (!context.create())
        return QCoreApplication::translate("Viewport", "The 3D view needs OpenGL, which could not be initialised.");
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    if (!context.makeCurrent(&surface))
        return QCoreApplication::translate("Viewport", "The 3D view needs OpenGL, which could not be initialised.");
    context.doneCurrent();
    return {};
}

} // namespace

std::unique_ptr<Viewport> createViewport(QWidget* parent)
{
    if (qEnvironmentVariable("ORFEAS_VIEWPORT") == QLatin1String("placeholder"))
        return std::make_unique<PlaceholderViewport>(
            parent, QCoreApplication::translate("Viewport", "The 3D view is turned off (ORFEAS_VIEWPORT)."));
    const QString problem = openGlProblem();
    if (!problem.isEmpty())
        return std::make_unique<PlaceholderViewport>(parent, problem);
    return std::make_unique<Qt3DViewport>(parent);
}

} // namespace orfeas::ui
