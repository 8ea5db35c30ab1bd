#include "qt3d_viewport.h"

#include "camera_controller.h"
#include "gui_thread.h"

#include <Qt3DCore/QEntity>
#include <Qt3DExtras/QForwardRenderer>
#include <Qt3DExtras/Qt3DWindow>
#include <Qt3DRender/QCamera>
#include <Qt3DRender/QRenderCapture>
#include <Qt3DRender/QRenderSettings>

#include <QTimer>
#include <QVBoxLayout>
#include <QWidget>

namespace orfeas::ui {

QColor Qt3DViewport::clearColor()
{
    return QColor(54, 58, 64);
}

Qt3DViewport::Qt3DViewport(QWidget* parent)
{
    m_widget = new QWidget(parent);
    auto* layout = new QVBoxLayout(m_widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_window = new Qt3DExtras::Qt3DWindow;
    m_window->defaultFrameGraph()->setClearColor(clearColor());
    // Render only when something changed: an idle viewport must not compete with running jobs for the CPU.
    m_window->renderSettings()->setRenderPolicy(Qt3DRender::QRenderSettings::OnDemand);
    m_capture = new Qt3DRender::QRenderCapture;
    m_window->activeFrameGraph()->setParent(m_capture);
    m_window->setActiveFrameGraph(m_capture);

    Qt3DRender::QCamera* camera = m_window->camera();
    camera->lens()->setPerspectiveProjection(35.0f, 16.0f / 9.0f, 0.01f, 100.0f);
    m_controller = new CameraController(camera, this);
    m_window->installEventFilter(m_controller);
    connect(m_controller, &CameraController::frameRequested, this, [this] { frameAll(); });

    m_root = new Qt3DCore::QEntity;
    createLights(m_root);
    m_window->setRootEntity(m_root);
    m_controller->frame(QVector3D(0, 0, 0), 1.0f);
    rebuildGrid();
    // Compile the surface shaders early, while nothing else happens. The helpers stay: removing them would cost
    // another frame, drawing three sub-pixel triangles costs nothing.
    QTimer::singleShot(300, this, [this] { createShaderWarmUp(m_root); });

    QWidget* container = QWidget::createWindowContainer(m_window, m_widget);
    container->setMinimumSize(200, 150);
    container->setFocusPolicy(Qt::StrongFocus);
    layout->addWidget(container, 1);
}

Qt3DViewport::~Qt3DViewport() = default; // the container (child of m_widget) owns the window

void Qt3DViewport::showMesh(std::shared_ptr<const ViewMesh> mesh)
{
    ORFEAS_GUI_THREAD_ONLY();
    if (m_entities.root) {
        delete m_entities.root;
        m_entities = {};
    }
    m_mesh = std::move(mesh);
    if (m_mesh && !m_mesh->isEmpty()) {
        m_entities = createMeshEntities(*m_mesh, m_root);
        applyShading(m_entities, m_shading);
        m_entities.wire->setEnabled(m_wireframe);
        m_entities.normals->setEnabled(m_normals);
    }
    rebuildGrid();
    frameAll();
}

void Qt3DViewport::rebuildGrid()
{
    delete m_grid;
    m_grid = nullptr;
    QVector3D center(0, 0, 0);
    float radius = 1.0f, floor = -1.0f;
    if (m_mesh && !m_mesh->isEmpty()) {
        center = m_mesh->center();
        radius = std::max(m_mesh->radius(), 1e-3f);
        floor = m_mesh->boundsMin.y();
    }
    m_grid = createGridEntity(center.x(), center.z(), floor, radius * 2.0f, m_root);
    m_grid->setEnabled(m_gridVisible);
}

void Qt3DViewport::frameAll()
{
    if (m_mesh && !m_mesh->isEmpty())
        m_controller->frame(m_mesh->center(), std::max(m_mesh->radius(), 1e-3f));
    else
        m_controller->frame(QVector3D(0, 0, 0), 1.0f);
}

void Qt3DViewport::captureImage(std::function<void(const QImage&)> done)
{
    ORFEAS_GUI_THREAD_ONLY();
    Qt3DRender::QRenderCaptureReply* reply = m_capture->requestCapture();
    if (!reply) {
        done({});
        return;
    }
    connect(reply, &Qt3DRender::QRenderCaptureReply::completed, this, [reply, done = std::move(done)] {
        // Qt 6.4's RHI renderer reads OpenGL frames back bottom row first (the classic OpenGL renderer does not):
        // verified against a screen grab by tst_viewport_render.
        const bool rhiOnOpenGl = qEnvironmentVariable("QT3D_RENDERER", QStringLiteral("rhi")) != QLatin1String("opengl") &&
                                 qEnvironmentVariable("QSG_RHI_BACKEND", QStringLiteral("opengl")) == QLatin1String("opengl");
        const QImage image = reply->image();
        done(rhiOnOpenGl ? image.mirrored(false, true) : image);
        reply->deleteLater();
    });
}

void Qt3DViewport::setShading(Shading shading)
{
    m_shading = shading;
    if (m_entities.root)
        applyShading(m_entities, shading);
}

void Qt3DViewport::setWireframe(bool on)
{
    m_wireframe = on;
    if (m_entities.wire)
        m_entities.wire->setEnabled(on);
}

void Qt3DViewport::setNormalsVisible(bool on)
{
    m_normals = on;
    if (m_entities.normals)
        m_entities.normals->setEnabled(on);
}

void Qt3DViewport::setGridVisible(bool on)
{
    m_gridVisible = on;
    if (m_grid)
        m_grid->setEnabled(on);
}

} // namespace orfeas::ui
