#include "qt_convert.h"

#include "orfeas/types.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace orfeas::ui {

QImage toQImage(const orfeas::ImageRGBA8& image)
{
    if (!image.isValid())
        return {};
    QImage out(image.width, image.height, QImage::Format_RGBA8888);
    const std::size_t rowBytes = std::size_t(image.width) * 4;
    for (int y = 0; y < image.height; ++y)
        std::memcpy(out.scanLine(y), image.pixels.data() + rowBytes * std::size_t(y), rowBytes);
    return out;
}

QImage toQImage(const orfeas::Mask8& mask)
{
    if (!mask.isValid())
        return {};
    QImage out(mask.width, mask.height, QImage::Format_Grayscale8);
    for (int y = 0; y < mask.height; ++y)
        std::memcpy(out.scanLine(y), mask.values.data() + std::size_t(mask.width) * std::size_t(y),
                    std::size_t(mask.width));
    return out;
}

orfeas::ImageRGBA8 fromQImage(const QImage& image)
{
    orfeas::ImageRGBA8 out;
    if (image.isNull())
        return out;
    // RGBA8888 (not premultiplied) matches the engine's interleaved straight-alpha layout byte for byte.
    const QImage rgba = image.convertToFormat(QImage::Format_RGBA8888);
    out.width = rgba.width();
    out.height = rgba.height();
    out.pixels.resize(std::size_t(out.width) * std::size_t(out.height) * 4);
    const std::size_t rowBytes = std::size_t(out.width) * 4;
    for (int y = 0; y < out.height; ++y)
        std::memcpy(out.pixels.data() + rowBytes * std::size_t(y), rgba.constScanLine(y), rowBytes);
    return out;
}

namespace {

QVector3D toVec(const orfeas::Vec3f& v)
{
    return {v.x, v.y, v.z};
}

// Area-weighted vertex normals, for meshes that arrive without them.
std::vector<QVector3D> computeNormals(const orfeas::Mesh& mesh)
{
    std::vector<QVector3D> normals(mesh.vertexCount());
    for (std::size_t f = 0; f + 2 < mesh.indices.size(); f += 3) {
        const auto a = mesh.indices[f], b = mesh.indices[f + 1], c = mesh.indices[f + 2];
        const QVector3D pa = toVec(mesh.positions[a]);
        const QVector3D n = QVector3D::crossProduct(toVec(mesh.positions[b]) - pa, toVec(mesh.positions[c]) - pa);
        normals[a] += n;
        normals[b] += n;
        normals[c] += n;
    }
    for (auto& n : normals)
        n.normalize();
    return normals;
}

void appendLineVertex(std::vector<float>& out, const QVector3D& p, const QVector3D& n)
{
    out.insert(out.end(), {p.x(), p.y(), p.z(), n.x(), n.y(), n.z()});
}

QByteArray toBytes(const std::vector<float>& v)
{
    return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(float)));
}

} // namespace

std::shared_ptr<const ViewMesh> toViewMesh(const orfeas::Mesh& mesh, int maxNormalLines)
{
    auto view = std::make_shared<ViewMesh>();
    if (!mesh.isValid() || mesh.empty())
        return view;

    const std::size_t n = mesh.vertexCount();
    const bool ownNormals = mesh.normals.size() == n;
    const std::vector<QVector3D> computed = ownNormals ? std::vector<QVector3D>{} : computeNormals(mesh);
    auto normalAt = [&](std::size_t i) { return ownNormals ? toVec(mesh.normals[i]) : computed[i]; };
    const bool hasUvs = mesh.uvs.size() == n && mesh.texture.isValid();
    view->hasColors = mesh.colors.size() == n;

    QVector3D lo(std::numeric_limits<float>::max(), std::numeric_limits<float>::max(),
                 std::numeric_limits<float>::max());
    QVector3D hi = -lo;
    std::vector<float> vertices;
    vertices.reserve(n * ViewMesh::kFloatsPerVertex);
    for (std::size_t i = 0; i < n; ++i) {
        const QVector3D p = toVec(mesh.positions[i]);
        const QVector3D nn = normalAt(i);
        lo = QVector3D(std::min(lo.x(), p.x()), std::min(lo.y(), p.y()), std::min(lo.z(), p.z()));
        hi = QVector3D(std::max(hi.x(), p.x()), std::max(hi.y(), p.y()), std::max(hi.z(), p.z()));
        // The engine's v grows upwards from the texture's bottom row; the texture is uploaded top row first.
        const float u = hasUvs ? mesh.uvs[i].x : 0.0f;
        const float t = hasUvs ? 1.0f - mesh.uvs[i].y : 0.0f;
        float r = 1, g = 1, b = 1, a = 1;
        if (view->hasColors) {
            const auto& c = mesh.colors[i];
            r = c.r / 255.0f, g = c.g / 255.0f, b = c.b / 255.0f, a = c.a / 255.0f;
        }
        vertices.insert(vertices.end(), {p.x(), p.y(), p.z(), nn.x(), nn.y(), nn.z(), u, t, r, g, b, a});
    }
    view->vertices = toBytes(vertices);
    view->vertexCount = int(n);
    view->faceCount = int(mesh.faceCount());
    view->indices = QByteArray(reinterpret_cast<const char*>(mesh.indices.data()),
                               qsizetype(mesh.indices.size() * sizeof(std::uint32_t)));
    view->boundsMin = lo;
    view->boundsMax = hi;
    if (hasUvs)
        view->texture = toQImage(mesh.texture);

    // Unique edges, lifted a little along the normal so the lines win the depth test against their own faces.
    const float diagonal = (hi - lo).length();
    const float lift = 0.0015f * diagonal;
    std::vector<std::uint64_t> edges;
    edges.reserve(mesh.indices.size());
    for (std::size_t f = 0; f + 2 < mesh.indices.size(); f += 3) {
        for (int k = 0; k < 3; ++k) {
            std::uint64_t a = mesh.indices[f + k], b = mesh.indices[f + (k + 1) % 3];
            if (a > b)
                std::swap(a, b);
            edges.push_back((a << 32) | b);
        }
    }
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    std::vector<float> wire;
    wire.reserve(edges.size() * 2 * ViewMesh::kLineFloatsPerVertex);
    for (std::uint64_t e : edges) {
        for (std::size_t i : {std::size_t(e >> 32), std::size_t(e & 0xffffffffu)}) {
            const QVector3D nn = normalAt(i);
            appendLineVertex(wire, toVec(mesh.positions[i]) + nn * lift, nn);
        }
    }
    view->wireVertices = toBytes(wire);
    view->wireVertexCount = int(edges.size() * 2);

    const std::size_t stride = std::max<std::size_t>(1, (n + std::size_t(std::max(1, maxNormalLines)) - 1) /
                                                            std::size_t(std::max(1, maxNormalLines)));
    const float length = 0.03f * diagonal;
    std::vector<float> lines;
    for (std::size_t i = 0; i < n; i += stride) {
        const QVector3D p = toVec(mesh.positions[i]);
        const QVector3D nn = normalAt(i);
        appendLineVertex(lines, p, nn);
        appendLineVertex(lines, p + nn * length, nn);
    }
    view->normalLines = toBytes(lines);
    view->normalLineVertexCount = int(lines.size() / ViewMesh::kLineFloatsPerVertex);
    return view;
}

} // namespace orfeas::ui
