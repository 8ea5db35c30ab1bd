#pragma once
// A mesh prepared for display: GPU-ready buffers in Qt types, built once (on a worker thread) by qt_convert.
// Viewports only read it; it never changes after construction, so it is shared between threads freely.

#include <QByteArray>
#include <QImage>
#include <QVector3D>

namespace orfeas::ui {

struct ViewMesh {
    // Interleaved vertices: position (3 floats), normal (3), texture coordinate (2), colour (4, 0..1).
    static constexpr int kFloatsPerVertex = 12;
    static constexpr int kStride = kFloatsPerVertex * int(sizeof(float));
    // Line vertices (wireframe, normals, grid): position (3 floats), normal (3).
    static constexpr int kLineFloatsPerVertex = 6;
    static constexpr int kLineStride = kLineFloatsPerVertex * int(sizeof(float));

    QByteArray vertices;      // vertexCount * kStride bytes
    QByteArray indices;       // 3 * faceCount unsigned 32-bit indices
    QByteArray wireVertices;  // two line vertices per unique edge, lifted slightly along the normal
    QByteArray normalLines;   // two line vertices per shown normal
    int vertexCount = 0;
    int faceCount = 0;
    int wireVertexCount = 0;
    int normalLineVertexCount = 0;
    QVector3D boundsMin;
    QVector3D boundsMax;
    QImage texture;           // RGBA8888, rows as the texture coordinates expect; null when untextured
    bool hasColors = false;   // per-vertex colours from the engine (otherwise white)

    bool isEmpty() const { return faceCount == 0; }
    QVector3D size() const { return boundsMax - boundsMin; }
    QVector3D center() const { return (boundsMin + boundsMax) * 0.5f; }
    float radius() const { return size().length() * 0.5f; }
};

} // namespace orfeas::ui
