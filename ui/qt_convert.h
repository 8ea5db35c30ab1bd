#pragma once
// The one place where engine value types become Qt types (and back, for pasted images). Everything else in the
// UI works with QImage / ViewMesh. All functions are reentrant: they may run on worker threads.

#include "view_mesh.h"

#include <QImage>
#include <QString>

#include <memory>
#include <string>

namespace orfeas {
struct ImageRGBA8;
struct Mask8;
class Mesh;
} // namespace orfeas

namespace orfeas::ui {

// Deep copy as QImage::Format_RGBA8888 (straight alpha); a null QImage for an invalid image.
QImage toQImage(const orfeas::ImageRGBA8& image);
// Deep copy as QImage::Format_Grayscale8; a null QImage for an invalid mask.
QImage toQImage(const orfeas::Mask8& mask);
// Any QImage to the engine's RGBA8 (straight alpha); an invalid (empty) image for a null QImage.
orfeas::ImageRGBA8 fromQImage(const QImage& image);

// Display buffers for a mesh: normals computed when missing, wireframe edges, a subsample of normals for the
// normals overlay (at most `maxNormalLines`), texture rows arranged for OpenGL's bottom-up texture origin.
std::shared_ptr<const ViewMesh> toViewMesh(const orfeas::Mesh& mesh, int maxNormalLines = 20000);

inline QString toQString(const std::string& s) { return QString::fromStdString(s); }

} // namespace orfeas::ui
