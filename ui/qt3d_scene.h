#pragma once
// Builds the Qt3D entities that show a ViewMesh: the surface (textured, clay or vertex colours), the wireframe
// overlay, the normals overlay and the ground grid. Internal to the Qt3D viewport.

#include "view_mesh.h"
#include "viewport.h"

#include <QColor>

#include <memory>

namespace Qt3DCore {
class QEntity;
}
namespace Qt3DRender {
class QMaterial;
}

namespace orfeas::ui {

struct MeshEntities {
    Qt3DCore::QEntity* root = nullptr;      // parent of everything below; delete it to remove the mesh
    Qt3DCore::QEntity* surface = nullptr;
    Qt3DCore::QEntity* wire = nullptr;
    Qt3DCore::QEntity* normals = nullptr;
    Qt3DRender::QMaterial* textured = nullptr;   // null when the mesh has no texture
    Qt3DRender::QMaterial* clay = nullptr;
    Qt3DRender::QMaterial* vertexColors = nullptr;
    Qt3DRender::QMaterial* current = nullptr;
};

MeshEntities createMeshEntities(const ViewMesh& mesh, Qt3DCore::QEntity* parent);
// Switches the surface material; falls back to clay when the mesh has no texture.
void applyShading(MeshEntities& entities, Shading shading);

// A square grid of lines on the plane y = `height`, centred on (x, z), `halfSize` wide each way.
Qt3DCore::QEntity* createGridEntity(float x, float z, float height, float halfSize, Qt3DCore::QEntity* parent);

// Invisible (sub-pixel) copies of every surface material, drawn for a few frames so that their shaders compile
// while the window is idle rather than when the first model arrives (with a software OpenGL driver that first
// compile blocks the GUI thread for half a second). Returns their common parent.
Qt3DCore::QEntity* createShaderWarmUp(Qt3DCore::QEntity* parent);

// Three neutral directional lights (key, fill, rim) under `parent`.
void createLights(Qt3DCore::QEntity* parent);

} // namespace orfeas::ui
