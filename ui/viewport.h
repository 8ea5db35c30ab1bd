#pragma once
// The 3D view behind a small interface, so the Qt3D implementation (deprecated upstream since Qt 6.8) can be
// replaced by a QRhi or OpenGL widget without touching the rest of the UI. GUI-thread only.

#include "view_mesh.h"

#include <QImage>
#include <QString>

#include <functional>
#include <memory>

class QWidget;

namespace orfeas::ui {

enum class Shading { Textured, Clay, VertexColors };

class Viewport {
public:
    virtual ~Viewport() = default;

    // The widget to put into a layout (owned by the viewport's parent).
    virtual QWidget* widget() = 0;
    // Shows a mesh (replacing the previous one) and frames it; null clears the view.
    virtual void showMesh(std::shared_ptr<const ViewMesh> mesh) = 0;
    virtual std::shared_ptr<const ViewMesh> mesh() const = 0;
    // Puts the camera back to the default three-quarter view of the whole mesh.
    virtual void frameAll() = 0;
    // Renders the current view into an image; `done` is called on the GUI thread (with a null image on failure).
    virtual void captureImage(std::function<void(const QImage&)> done) = 0;

    virtual void setShading(Shading shading) = 0;
    virtual void setWireframe(bool on) = 0;
    virtual void setNormalsVisible(bool on) = 0;
    virtual void setGridVisible(bool on) = 0;
    // Whether this view draws in 3D (false: a placeholder without OpenGL).
    virtual bool isInteractive() const = 0;
};

// Qt3D when an OpenGL context can be created (and ORFEAS_VIEWPORT is not "placeholder"), else a placeholder
// that still holds the mesh and shows its statistics.
std::unique_ptr<Viewport> createViewport(QWidget* parent);

// "12,345 vertices · 24,686 faces · 1.20 × 0.85 × 0.40" for a mesh (empty for none).
QString meshStatsText(const ViewMesh* mesh);

} // namespace orfeas::ui
