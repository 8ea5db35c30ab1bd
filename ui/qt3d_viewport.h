#pragma once
// The Qt3D implementation of Viewport: a Qt3DWindow embedded with QWidget::createWindowContainer, rendering on
// demand (not continuously, so an idle view costs no CPU while jobs run).

#include "qt3d_scene.h"
#include "viewport.h"

#include <QObject>
#include <QPointer>

namespace Qt3DCore {
class QEntity;
}
namespace Qt3DExtras {
class Qt3DWindow;
}
namespace Qt3DRender {
class QRenderCapture;
}

namespace orfeas::ui {

class CameraController;

class Qt3DViewport : public QObject, public Viewport {
    Q_OBJECT
public:
    explicit Qt3DViewport(QWidget* parent);
    ~Qt3DViewport() override;

    QWidget* widget() override { return m_widget; }
    void showMesh(std::shared_ptr<const ViewMesh> mesh) override;
    std::shared_ptr<const ViewMesh> mesh() const override { return m_mesh; }
    void frameAll() override;
    void captureImage(std::function<void(const QImage&)> done) override;
    void setShading(Shading shading) override;
    void setWireframe(bool on) override;
    void setNormalsVisible(bool on) override;
    void setGridVisible(bool on) override;
    bool isInteractive() const override { return true; }

    // The background colour (tests look for pixels that differ from it).
    static QColor clearColor();

private:
    void rebuildGrid();

    QPointer<QWidget> m_widget;
    Qt3DExtras::Qt3DWindow* m_window = nullptr;
    Qt3DCore::QEntity* m_root = nullptr;
    Qt3DCore::QEntity* m_grid = nullptr;
    Qt3DRender::QRenderCapture* m_capture = nullptr;
    CameraController* m_controller = nullptr;
    MeshEntities m_entities;
    std::shared_ptr<const ViewMesh> m_mesh;
    Shading m_shading = Shading::Textured;
    bool m_wireframe = false;
    bool m_normals = false;
    bool m_gridVisible = true;
};

} // namespace orfeas::ui
