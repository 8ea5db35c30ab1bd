#pragma once
// The viewport used where OpenGL is unavailable (remote sessions without GL, the offscreen test platform): it
// holds the mesh like the 3D view does, says why nothing is drawn, and shows the mesh statistics.

#include "viewport.h"

class QLabel;

namespace orfeas::ui {

class PlaceholderViewport : public Viewport {
public:
    PlaceholderViewport(QWidget* parent, const QString& reason);

    QWidget* widget() override;
    void showMesh(std::shared_ptr<const ViewMesh> mesh) override;
    std::shared_ptr<const ViewMesh> mesh() const override { return m_mesh; }
    void frameAll() override {}
    void captureImage(std::function<void(const QImage&)> done) override;
    void setShading(Shading) override {}
    void setWireframe(bool) override {}
    void setNormalsVisible(bool) override {}
    void setGridVisible(bool) override {}
    bool isInteractive() const override { return false; }

private:
    QWidget* m_widget;
    std::shared_ptr<const ViewMesh> m_mesh;
};

} // namespace orfeas::ui
