#include "qt3d_scene.h"

#include <Qt3DCore/QAttribute>
#include <Qt3DCore/QBuffer>
#include <Qt3DCore/QEntity>
#include <Qt3DCore/QGeometry>
#include <Qt3DExtras/QDiffuseMapMaterial>
#include <Qt3DExtras/QPerVertexColorMaterial>
#include <Qt3DExtras/QPhongMaterial>
#include <Qt3DExtras/QTextureMaterial>
#include <Qt3DRender/QAbstractTextureImage>
#include <Qt3DRender/QDirectionalLight>
#include <Qt3DRender/QGeometryRenderer>
#include <Qt3DRender/QTexture>
#include <Qt3DRender/QTextureImageData>
#include <Qt3DRender/QTextureImageDataGenerator>

#include <atomic>
#include <cstdint>
#include <vector>

namespace orfeas::ui {

namespace {

using Qt3DCore::QAttribute;

// Hands a QImage to Qt3D's texture loader. The key identifies the image, so Qt3D shares identical uploads.
class ImageDataGenerator : public Qt3DRender::QTextureImageDataGenerator {
public:
    ImageDataGenerator(QImage image, quint64 key) : m_image(std::move(image)), m_key(key) {}
    Qt3DRender::QTextureImageDataPtr operator()() override
    {
        auto data = Qt3DRender::QTextureImageDataPtr::create();
        data->setImage(m_image); // uploaded top row first: the ViewMesh's texture coordinates expect that
        return data;
    }
    bool operator==(const Qt3DRender::QTextureImageDataGenerator& other) const override
    {
        const auto* o = Qt3DCore::functor_cast<ImageDataGenerator>(&other);
        return o && o->m_key == m_key;
    }
    QT3D_FUNCTOR(ImageDataGenerator)

private:
    QImage m_image;
    quint64 m_key;
};

class ImageTextureImage : public Qt3DRender::QAbstractTextureImage {
public:
    ImageTextureImage(QImage image, Qt3DCore::QNode* parent)
        : Qt3DRender::QAbstractTextureImage(parent), m_image(std::move(image))
    {
        static std::atomic<quint64> next{1};
        m_key = next++;
    }

protected:
    Qt3DRender::QTextureImageDataGeneratorPtr dataGenerator() const override
    {
        return Qt3DRender::QTextureImageDataGeneratorPtr(new ImageDataGenerator(m_image, m_key));
    }

private:
    QImage m_image;
    quint64 m_key = 0;
};

QAttribute* attribute(Qt3DCore::QGeometry* geometry, Qt3DCore::QBuffer* buffer, const QString& name, int size,
                      int offsetFloats, int stride, int count)
{
    auto* a = new QAttribute(geometry);
    a->setName(name);
    a->setAttributeType(QAttribute::VertexAttribute);
    a->setVertexBaseType(QAttribute::Float);
    a->setVertexSize(uint(size));
    a->setBuffer(buffer);
    a->setByteOffset(uint(offsetFloats * int(sizeof(float))));
    a->setByteStride(uint(stride));
    a->setCount(uint(count));
    geometry->addAttribute(a);
    return a;
}

// An entity drawing line vertices (position + normal) in a flat colour.
Qt3DCore::QEntity* createLines(const QByteArray& data, int vertexCount, const QColor& color, Qt3DCore::QEntity* parent)
{
    auto* entity = new Qt3DCore::QEntity(parent);
    auto* geometry = new Qt3DCore::QGeometry(entity);
    auto* buffer = new Qt3DCore::QBuffer(geometry);
    buffer->setData(data);
    auto* pos = attribute(geometry, buffer, QAttribute::defaultPositionAttributeName(), 3, 0, ViewMesh::kLineStride,
                          vertexCount);
    attribute(geometry, buffer, QAttribute::defaultNormalAttributeName(), 3, 3, ViewMesh::kLineStride, vertexCount);
    // The texture is a single texel, so any coordinate samples the line colour; the normal's first two floats do.
    attribute(geometry, buffer, QAttribute::defaultTextureCoordinateAttributeName(), 2, 3, ViewMesh::kLineStride,
              vertexCount);
    geometry->setBoundingVolumePositionAttribute(pos);
    auto* renderer = new Qt3DRender::QGeometryRenderer(entity);
    renderer->setGeometry(geometry);
    renderer->setPrimitiveType(Qt3DRender::QGeometryRenderer::Lines);
    renderer->setVertexCount(vertexCount);
    // Unlit: lines keep their colour whatever the lights do (Qt 3D's Phong material has no flat-colour mode).
    auto* material = new Qt3DExtras::QTextureMaterial(entity);
    QImage texel(1, 1, QImage::Format_RGBA8888);
    texel.fill(color);
    auto* texture = new Qt3DRender::QTexture2D(material);
    texture->addTextureImage(new ImageTextureImage(texel, texture));
    material->setTexture(texture);
    entity->addComponent(renderer);
    entity->addComponent(material);
    return entity;
}

} // namespace

MeshEntities createMeshEntities(const ViewMesh& mesh, Qt3DCore::QEntity* parent)
{
    MeshEntities out;
    out.root = new Qt3DCore::QEntity(parent);
    out.surface = new Qt3DCore::QEntity(out.root);

    auto* geometry = new Qt3DCore::QGeometry(out.surface);
    auto* vertices = new Qt3DCore::QBuffer(geometry);
    vertices->setData(mesh.vertices);
    const int n = mesh.vertexCount;
    const int stride = ViewMesh::kStride;
    auto* pos = attribute(geometry, vertices, QAttribute::defaultPositionAttributeName(), 3, 0, stride, n);
    attribute(geometry, vertices, QAttribute::defaultNormalAttributeName(), 3, 3, stride, n);
    attribute(geometry, vertices, QAttribute::defaultTextureCoordinateAttributeName(), 2, 6, stride, n);
    attribute(geometry, vertices, QAttribute::defaultColorAttributeName(), 4, 8, stride, n);
    geometry->setBoundingVolumePositionAttribute(pos);
    auto* indexBuffer = new Qt3DCore::QBuffer(geometry);
    indexBuffer->setData(mesh.indices);
    auto* indices = new QAttribute(geometry);
    indices->setAttributeType(QAttribute::IndexAttribute);
    indices->setVertexBaseType(QAttribute::UnsignedInt);
    indices->setBuffer(indexBuffer);
    indices->setCount(uint(mesh.faceCount * 3));
    geometry->addAttribute(indices);

    auto* renderer = new Qt3DRender::QGeometryRenderer(out.surface);
    renderer->setGeometry(geometry);
    renderer->setPrimitiveType(Qt3DRender::QGeometryRenderer::Triangles);
    out.surface->addComponent(renderer);

    const QColor ambient(48, 48, 48);
    if (!mesh.texture.isNull()) {
        auto* material = new Qt3DExtras::QDiffuseMapMaterial(out.root);
        auto* texture = new Qt3DRender::QTexture2D(material);
        texture->addTextureImage(new ImageTextureImage(mesh.texture, texture));
        texture->setGenerateMipMaps(true);
        texture->setMinificationFilter(Qt3DRender::QAbstractTexture::LinearMipMapLinear);
        texture->setMagnificationFilter(Qt3DRender::QAbstractTexture::Linear);
        Qt3DRender::QTextureWrapMode wrap(Qt3DRender::QTextureWrapMode::ClampToEdge);
        texture->setWrapMode(wrap);
        material->setDiffuse(texture);
        material->setAmbient(ambient);
        material->setSpecular(QColor(24, 24, 24));
        material->setShininess(30);
        out.textured = material;
    }
    auto* clay = new Qt3DExtras::QPhongMaterial(out.root);
    clay->setAmbient(ambient);
    clay->setDiffuse(QColor(196, 190, 180));
    clay->setSpecular(QColor(40, 40, 40));
    clay->setShininess(25);
    out.clay = clay;
    out.vertexColors = new Qt3DExtras::QPerVertexColorMaterial(out.root);

    out.wire = createLines(mesh.wireVertices, mesh.wireVertexCount, QColor(20, 22, 26), out.root);
    out.normals = createLines(mesh.normalLines, mesh.normalLineVertexCount, QColor(80, 200, 255), out.root);
    out.wire->setEnabled(false);
    out.normals->setEnabled(false);
    applyShading(out, out.textured ? Shading::Textured : Shading::Clay);
    return out;
}

void applyShading(MeshEntities& e, Shading shading)
{
    Qt3DRender::QMaterial* wanted = e.clay;
    if (shading == Shading::Textured && e.textured)
        wanted = e.textured;
    else if (shading == Shading::VertexColors)
        wanted = e.vertexColors;
    if (wanted == e.current)
        return;
    if (e.current)
        e.surface->removeComponent(e.current);
    e.surface->addComponent(wanted);
    e.current = wanted;
}

Qt3DCore::QEntity* createGridEntity(float x, float z, float height, float halfSize, Qt3DCore::QEntity* parent)
{
    constexpr int kLinesPerSide = 10;
    std::vector<float> v;
    const float step = halfSize / kLinesPerSide;
    auto add = [&](float ax, float az, float bx, float bz) {
        v.insert(v.end(), {ax, height, az, 0, 1, 0, bx, height, bz, 0, 1, 0});
    };
    for (int i = -kLinesPerSide; i <= kLinesPerSide; ++i) {
        const float o = float(i) * step;
        add(x + o, z - halfSize, x + o, z + halfSize);
        add(x - halfSize, z + o, x + halfSize, z + o);
    }
    const QByteArray data(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(float)));
    return createLines(data, int(v.size() / ViewMesh::kLineFloatsPerVertex), QColor(72, 76, 83), parent);
}

Qt3DCore::QEntity* createShaderWarmUp(Qt3DCore::QEntity* parent)
{
    // One tiny triangle per shading mode, at the origin (inside the view, so not culled), far below a pixel.
    ViewMesh tiny;
    const float e = 1e-5f;
    const float v[3][ViewMesh::kFloatsPerVertex] = {{0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1},
                                                   {e, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1},
                                                   {0, e, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1}};
    tiny.vertices = QByteArray(reinterpret_cast<const char*>(v), qsizetype(sizeof v));
    const std::uint32_t idx[3] = {0, 1, 2};
    tiny.indices = QByteArray(reinterpret_cast<const char*>(idx), qsizetype(sizeof idx));
    tiny.vertexCount = 3;
    tiny.faceCount = 1;
    tiny.texture = QImage(2, 2, QImage::Format_RGBA8888);
    tiny.texture.fill(Qt::gray);
    tiny.boundsMax = QVector3D(e, e, 0);
    auto* root = new Qt3DCore::QEntity(parent);
    for (Shading shading : {Shading::Textured, Shading::Clay, Shading::VertexColors}) {
        MeshEntities entities = createMeshEntities(tiny, root);
        applyShading(entities, shading);
    }
    return root;
}

void createLights(Qt3DCore::QEntity* parent)
{
    struct LightSpec {
        QVector3D direction;
        float intensity;
    };
    // Directions the light travels: a key from the upper front right, a softer fill from the left, a rim from behind.
    const LightSpec specs[] = {
        {{-0.45f, -0.75f, -0.55f}, 0.85f},
        {{0.8f, -0.15f, -0.35f}, 0.35f},
        {{0.1f, -0.35f, 0.9f}, 0.30f},
    };
    for (const auto& s : specs) {
        auto* entity = new Qt3DCore::QEntity(parent);
        auto* light = new Qt3DRender::QDirectionalLight(entity);
        light->setWorldDirection(s.direction.normalized());
        light->setColor(Qt::white);
        light->setIntensity(s.intensity);
        entity->addComponent(light);
    }
}

} // namespace orfeas::ui
