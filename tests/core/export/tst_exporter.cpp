// Export through Assimp: GLB (embedded PNG), OBJ + MTL + PNG, binary STL, PLY with vertex colours; atomic,
// deterministic, never overwriting unless asked.

#include "orfeas/errors.h"
#include "orfeas/exporter.h"
#include "orfeas/image_io.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <cmath>
#include <numbers>
#include <sys/stat.h>
#include <unistd.h>

using namespace orfeas;

namespace {

// A closed UV sphere (poles shared) with normals, planar uvs, vertex colours and a checker texture.
Mesh texturedSphere(int rings = 24, int segments = 48, int textureSide = 64)
{
    Mesh m;
    const float r = 0.5f;
    auto addVertex = [&](double theta, double phi) {
        const Vec3f n { float(std::sin(theta) * std::sin(phi)), float(std::cos(theta)),
            float(std::sin(theta) * std::cos(phi)) };
        m.positions.push_back({ n.x * r + 0.1f, n.y * r - 0.2f, n.z * r });
        m.normals.push_back(n);
        m.uvs.push_back({ 0.5f + n.x * 0.5f, 0.5f + n.y * 0.5f });
        m.colors.push_back({ std::uint8_t(128 + 127 * n.x), std::uint8_t(128 + 127 * n.y), 200, 255 });
    };
    addVertex(0, 0); // north pole: 0
    for (int i = 1; i < rings; ++i)
        for (int j = 0; j < segments; ++j)
            addVertex(std::numbers::pi * i / rings, 2 * std::numbers::pi * j / segments);
    addVertex(std::numbers::pi, 0); // south pole
    const std::uint32_t south = std::uint32_t(m.positions.size() - 1);
    auto at = [&](int i, int j) { return std::uint32_t(1 + (i - 1) * segments + (j % segments)); };
    for (int j = 0; j < segments; ++j)
        m.indices.insert(m.indices.end(), { 0, at(1, j), at(1, j + 1) });
    for (int i = 1; i + 1 < rings; ++i)
        for (int j = 0; j < segments; ++j) {
            m.indices.insert(m.indices.end(), { at(i, j), at(i + 1, j), at(i + 1, j + 1) });
            m.indices.insert(m.indices.end(), { at(i, j), at(i + 1, j + 1), at(i, j + 1) });
        }
    for (int j = 0; j < segments; ++j)
        m.indices.insert(m.indices.end(), { at(rings - 1, j), south, at(rings - 1, j + 1) });
    m.texture.width = m.texture.height = textureSide;
    m.texture.pixels.resize(std::size_t(textureSide) * textureSide * 4);
    for (int y = 0; y < textureSide; ++y)
        for (int x = 0; x < textureSide; ++x) {
            std::uint8_t* p = m.texture.pixel(x, y);
            const bool odd = ((x / 8) + (y / 8)) % 2;
            p[0] = odd ? 230 : 30;
            p[1] = std::uint8_t(y * 255 / textureSide);
            p[2] = odd ? 40 : 220;
            p[3] = 255;
        }
    return m;
}

ExportRequest request(const QString& dir, std::vector<ExportFormat> formats, const std::string& stem = "model")
{
    ExportRequest r;
    r.directory = dir.toStdString();
    r.stem = stem;
    r.formats = std::move(formats);
    return r;
}

const std::vector<ExportFormat> kAllFormats
    = { ExportFormat::Glb, ExportFormat::Obj, ExportFormat::Stl, ExportFormat::Ply };

QStringList entries(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot | QDir::Dirs, QDir::Name);
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestExporter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyFormatWritten();
    void reimport_data();
    void reimport();
    void objReferencesMtlAndTexture();
    void glbEmbedsTexture();
    void glbPassesValidator_data();
    void glbPassesValidator();
    void deterministic();
    void existingFileNotOverwritten();
    void overwriteReplaces();
    void unwritableFolder_data();
    void unwritableFolder();
    void cancelled();
    void invalidRequests();
    void meshWithoutTexture();
    void timing();
};

void TestExporter::everyFormatWritten()
{
    QTemporaryDir dir;
    const Mesh mesh = texturedSphere();
    const ExportRequest req = request(dir.path(), kAllFormats);
    const std::vector<std::string> written = exportMesh(mesh, req);
    const std::vector<std::string> planned = plannedExportPaths(req);
    QCOMPARE(written, planned);
    const QStringList expected
        = { "model.glb", "model.mtl", "model.obj", "model.ply", "model.stl", "model_texture.png" };
    QCOMPARE(entries(dir.path()), expected); // and no temporary left behind
    for (const std::string& p : written)
        QVERIFY(QFileInfo(QString::fromStdString(p)).size() > 0);
    // Primary files first, in the requested order.
    QCOMPARE(QFileInfo(QString::fromStdString(written[0])).fileName(), QString("model.glb"));
    QCOMPARE(QFileInfo(QString::fromStdString(written[3])).fileName(), QString("model.ply"));
    // Binary STL: 80-byte header, count, 50 bytes per face.
    const QByteArray stl = readAll(dir.filePath("model.stl"));
    QCOMPARE(stl.size(), qsizetype(84 + 50 * mesh.faceCount()));
    QVERIFY(!stl.startsWith("solid"));
    // PLY with vertex colours.
    const QByteArray ply = readAll(dir.filePath("model.ply"));
    QVERIFY(ply.startsWith("ply\nformat ascii 1.0"));
    QVERIFY(ply.contains("property uchar red"));
    // The first vertex (north pole): position, normal, then its exact 8-bit colour.
    const Color8 c = mesh.colors[0];
    const QString firstVertex = QString::fromLatin1(ply.mid(ply.indexOf("end_header\n") + 11).split('\n').first());
    QVERIFY2(
        firstVertex.endsWith(QString(" %1 %2 %3 %4").arg(c.r).arg(c.g).arg(c.b).arg(c.a)), qPrintable(firstVertex));
}

void TestExporter::reimport_data()
{
    QTest::addColumn<QString>("extension");
    QTest::newRow("glb") << "glb";
    QTest::newRow("obj") << "obj";
    QTest::newRow("stl") << "stl";
    QTest::newRow("ply") << "ply";
}

void TestExporter::reimport()
{
    QFETCH(QString, extension);
    QTemporaryDir dir;
    const Mesh mesh = texturedSphere();
    exportMesh(mesh, request(dir.path(), { parseFormat(extension.toStdString()) }));
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFile(dir.filePath("model." + extension).toStdString(), 0);
    QVERIFY2(scene, importer.GetErrorString());
    std::size_t faces = 0;
    aiVector3D lo(1e30f, 1e30f, 1e30f), hi(-1e30f, -1e30f, -1e30f);
    for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
        const aiMesh* am = scene->mMeshes[m];
        faces += am->mNumFaces;
        for (unsigned v = 0; v < am->mNumVertices; ++v) {
            const aiVector3D& p = am->mVertices[v];
            lo = aiVector3D(std::min(lo.x, p.x), std::min(lo.y, p.y), std::min(lo.z, p.z));
            hi = aiVector3D(std::max(hi.x, p.x), std::max(hi.y, p.y), std::max(hi.z, p.z));
        }
        if (extension == "ply") {
            QVERIFY(am->HasVertexColors(0));
            QVERIFY(std::abs(am->mColors[0][0].r * 255 - mesh.colors[0].r) < 0.01f);
            QVERIFY(std::abs(am->mColors[0][0].g * 255 - mesh.colors[0].g) < 0.01f);
        }
        if (extension == "glb" || extension == "obj") {
            QVERIFY(am->HasTextureCoords(0));
            QVERIFY(am->HasNormals());
        }
    }
    QCOMPARE(faces, mesh.faceCount());
    const Bounds3 b = computeBounds(mesh);
    const float tol = 1e-5f;
    qInfo("bounds read back (%g %g %g) - (%g %g %g), written (%g %g %g) - (%g %g %g)", lo.x, lo.y, lo.z, hi.x, hi.y,
        hi.z, b.min.x, b.min.y, b.min.z, b.max.x, b.max.y, b.max.z);
    QVERIFY(std::abs(lo.x - b.min.x) < tol && std::abs(lo.y - b.min.y) < tol && std::abs(lo.z - b.min.z) < tol);
    QVERIFY(std::abs(hi.x - b.max.x) < tol && std::abs(hi.y - b.max.y) < tol && std::abs(hi.z - b.max.z) < tol);
}

void TestExporter::objReferencesMtlAndTexture()
{
    QTemporaryDir dir;
    const Mesh mesh = texturedSphere();
    exportMesh(mesh, request(dir.path(), { ExportFormat::Obj }, "my_chair"));
    QCOMPARE(entries(dir.path()), QStringList({ "my_chair.mtl", "my_chair.obj", "my_chair_texture.png" }));
    const QString obj = QString::fromUtf8(readAll(dir.filePath("my_chair.obj")));
    QVERIFY2(obj.contains(QRegularExpression("^mtllib my_chair\\.mtl$", QRegularExpression::MultilineOption)),
        "the OBJ must reference its .mtl by relative name");
    const QString mtl = QString::fromUtf8(readAll(dir.filePath("my_chair.mtl")));
    QVERIFY(mtl.contains("newmtl orfeas_material"));
    QVERIFY2(mtl.contains(QRegularExpression("^map_Kd my_chair_texture\\.png$", QRegularExpression::MultilineOption)),
        qPrintable(mtl));
    QVERIFY(obj.contains("usemtl orfeas_material"));
    // The PNG is the mesh's texture, pixel for pixel.
    const ImageRGBA8 png = loadImage(dir.filePath("my_chair_texture.png").toStdString());
    QCOMPARE(png.width, mesh.texture.width);
    QVERIFY(png.pixels == mesh.texture.pixels);
    // Assimp finds the texture through the material when it reads the OBJ back.
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFile(dir.filePath("my_chair.obj").toStdString(), 0);
    QVERIFY(scene && scene->mNumMaterials >= 1);
    bool found = false;
    for (unsigned i = 0; i < scene->mNumMaterials; ++i) {
        aiString path;
        if (scene->mMaterials[i]->GetTexture(aiTextureType_DIFFUSE, 0, &path) == AI_SUCCESS)
            found = found || QString(path.C_Str()) == "my_chair_texture.png";
    }
    QVERIFY(found);
}

void TestExporter::glbEmbedsTexture()
{
    QTemporaryDir dir;
    const Mesh mesh = texturedSphere();
    exportMesh(mesh, request(dir.path(), { ExportFormat::Glb }));
    QCOMPARE(entries(dir.path()), QStringList({ "model.glb" })); // no texture file beside it
    const QByteArray glb = readAll(dir.filePath("model.glb"));
    QVERIFY(glb.startsWith("glTF"));
    QVERIFY(glb.contains("image/png"));
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFile(dir.filePath("model.glb").toStdString(), 0);
    QVERIFY2(scene, importer.GetErrorString());
    QCOMPARE(scene->mNumTextures, 1u);
    const aiTexture* tex = scene->mTextures[0];
    QCOMPARE(tex->mHeight, 0u); // compressed (the PNG file)
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(tex->pcData), tex->mWidth);
    const ImageRGBA8 decoded = loadImageFromMemory(bytes, "embedded");
    QVERIFY(decoded.pixels == mesh.texture.pixels);
    aiString path;
    QVERIFY(scene->mMaterials[scene->mMeshes[0]->mMaterialIndex]->GetTexture(aiTextureType_BASE_COLOR, 0, &path)
            == AI_SUCCESS
        || scene->mMaterials[scene->mMeshes[0]->mMaterialIndex]->GetTexture(aiTextureType_DIFFUSE, 0, &path)
            == AI_SUCCESS);
    // glTF uvs have v down: Assimp flips on write and again on read, so the round trip keeps ours.
    const aiMesh* am = scene->mMeshes[0];
    for (unsigned v = 0; v < am->mNumVertices; ++v) {
        const aiVector3D& p = am->mVertices[v];
        const float expectedV = 0.5f + (p.y + 0.2f) / 0.5f * 0.5f;
        QVERIFY(std::abs(am->mTextureCoords[0][v].y - expectedV) < 1e-4f);
    }
}

void TestExporter::glbPassesValidator_data()
{
    QTest::addColumn<bool>("textured");
    QTest::addColumn<bool>("withNormals");
    QTest::newRow("textured") << true << true;
    QTest::newRow("vertex colours only") << false << true;
    QTest::newRow("no normals") << true << false;
}

void TestExporter::glbPassesValidator()
{
    QFETCH(bool, textured);
    QFETCH(bool, withNormals);
    const QString node = QStandardPaths::findExecutable("node");
    const QString tools = QStringLiteral(ORFEAS_SOURCE_DIR) + "/tests/tools";
    if (node.isEmpty())
        QSKIP("node is not installed: cannot run the Khronos glTF validator (CI installs it)");
    if (!QFileInfo::exists(tools + "/node_modules/gltf-validator/package.json"))
        QSKIP("gltf-validator is missing: run `npm install --prefix tests/tools` (CI does)");
    QTemporaryDir dir;
    Mesh mesh = texturedSphere();
    if (!textured)
        mesh.texture = {};
    if (!withNormals)
        mesh.normals.clear();
    exportMesh(mesh, request(dir.path(), { ExportFormat::Glb }));
    if (!withNormals) {
        // Normals are derived from the faces: unit length, pointing away from the sphere's centre.
        Assimp::Importer importer;
        const aiScene* scene = importer.ReadFile(dir.filePath("model.glb").toStdString(), 0);
        QVERIFY(scene && scene->mMeshes[0]->HasNormals());
        const aiMesh* am = scene->mMeshes[0];
        for (unsigned v = 0; v < am->mNumVertices; ++v) {
            aiVector3D radial = am->mVertices[v] - aiVector3D(0.1f, -0.2f, 0);
            QVERIFY(std::abs(am->mNormals[v].Length() - 1) < 1e-4f);
            QVERIFY(am->mNormals[v] * radial.NormalizeSafe() > 0.95f);
        }
    }
    QProcess p;
    p.start(node, { tools + "/validate_gltf.mjs", dir.filePath("model.glb") });
    QVERIFY(p.waitForFinished(120000));
    const QByteArray out = p.readAllStandardOutput();
    const QJsonDocument report = QJsonDocument::fromJson(out);
    QVERIFY2(report.isObject(), qPrintable(QString::fromUtf8(p.readAllStandardError() + out)));
    const QJsonObject issues = report.object().value("issues").toObject();
    qInfo("validator: %d errors, %d warnings, %d infos, %d hints", issues.value("numErrors").toInt(),
        issues.value("numWarnings").toInt(), issues.value("numInfos").toInt(), issues.value("numHints").toInt());
    QVERIFY2(issues.value("numErrors").toInt() == 0, out.constData());
    QCOMPARE(p.exitCode(), 0);
    const QJsonObject info = report.object().value("info").toObject();
    if (textured)
        QVERIFY(info.value("resources").toArray().size() >= 2); // buffer, image
    // No material extension sneaks in (Assimp 5.2 adds KHR_materials_volume unless told otherwise).
    for (const QJsonValue& e : info.value("extensionsUsed").toArray())
        QVERIFY2(!e.toString().startsWith("KHR_materials"), qPrintable(e.toString()));
}

void TestExporter::deterministic()
{
    QTemporaryDir a, b;
    const Mesh mesh = texturedSphere();
    exportMesh(mesh, request(a.path(), kAllFormats));
    exportMesh(mesh, request(b.path(), kAllFormats));
    const QStringList files = entries(a.path());
    QCOMPARE(entries(b.path()), files);
    for (const QString& f : files)
        QVERIFY2(readAll(a.filePath(f)) == readAll(b.filePath(f)), qPrintable(f + " differs between two exports"));
}

void TestExporter::existingFileNotOverwritten()
{
    QTemporaryDir dir;
    {
        QFile old(dir.filePath("model.obj"));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old contents");
    }
    try {
        exportMesh(texturedSphere(), request(dir.path(), { ExportFormat::Glb, ExportFormat::Obj }));
        QFAIL("no error thrown");
    } catch (const ExportError& e) {
        QCOMPARE(QString::fromStdString(e.path()), dir.filePath("model.obj"));
        QCOMPARE(e.stage(), std::optional<Stage>(Stage::MeshExport));
    }
    QCOMPARE(readAll(dir.filePath("model.obj")), QByteArray("old contents"));
    QCOMPARE(entries(dir.path()), QStringList({ "model.obj" })); // nothing else written, no temporaries
    // A companion in the way counts too.
    QVERIFY(QFile::remove(dir.filePath("model.obj")));
    QFile(dir.filePath("model_texture.png")).open(QIODevice::WriteOnly);
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(texturedSphere(), request(dir.path(), { ExportFormat::Obj })));
    QCOMPARE(entries(dir.path()), QStringList({ "model_texture.png" }));
}

void TestExporter::overwriteReplaces()
{
    QTemporaryDir dir;
    {
        QFile old(dir.filePath("model.stl"));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old contents");
    }
    ExportRequest req = request(dir.path(), { ExportFormat::Stl });
    req.overwrite = true;
    exportMesh(texturedSphere(), req);
    QVERIFY(readAll(dir.filePath("model.stl")).size() > 1000);
    QCOMPARE(entries(dir.path()), QStringList({ "model.stl" }));
}

void TestExporter::unwritableFolder_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("read-only folder") << 0;
    QTest::newRow("parent is a regular file") << 1;
    QTest::newRow("missing folder") << 2;
    QTest::newRow("folder is a regular file") << 3;
    // Writing fails only when the first file is created: /proc refuses new files even to root.
    QTest::newRow("files cannot be created (/proc)") << 4;
}

void TestExporter::unwritableFolder()
{
    QFETCH(int, kind);
    QTemporaryDir base;
    QString target;
    switch (kind) {
    case 0:
        // Permission bits do not stop root: the other rows cover that case.
        if (::geteuid() == 0)
            QSKIP("running as root: permission bits do not make a folder unwritable");
        target = base.filePath("locked");
        QVERIFY(QDir().mkdir(target));
        QVERIFY(::chmod(target.toLocal8Bit().constData(), 0555) == 0);
        break;
    case 1:
        QFile(base.filePath("plain")).open(QIODevice::WriteOnly);
        target = base.filePath("plain/sub");
        break;
    case 2:
        target = base.filePath("does/not/exist");
        break;
    case 3:
        QFile(base.filePath("plain")).open(QIODevice::WriteOnly);
        target = base.filePath("plain");
        break;
    case 4:
        if (!QFileInfo(QStringLiteral("/proc/self")).isDir())
            QSKIP("no /proc on this system");
        target = QStringLiteral("/proc");
        break;
    }
    try {
        exportMesh(texturedSphere(), request(target, kAllFormats));
        QFAIL("no error thrown");
    } catch (const ExportError& e) {
        qInfo("%s", e.what());
        QVERIFY2(QString::fromStdString(e.path()).startsWith(target), e.what());
        QVERIFY(!e.message().empty());
    }
    if (kind == 4)
        QVERIFY(!QFileInfo::exists("/proc/model.glb"));
    if (kind == 0) {
        QCOMPARE(entries(target), QStringList());
        ::chmod(target.toLocal8Bit().constData(), 0755);
    }
    // Nothing anywhere under the base folder but what the test made.
    QStringList all;
    for (const QString& e : entries(base.path()))
        all << e;
    QVERIFY(all.size() <= 1);
}

void TestExporter::cancelled()
{
    QTemporaryDir dir;
    CancelToken token;
    token.cancel();
    RunContext ctx({}, {}, token);
    try {
        exportMesh(texturedSphere(), request(dir.path(), kAllFormats), &ctx);
        QFAIL("no error thrown");
    } catch (const CancelledError& e) {
        QCOMPARE(e.stage(), std::optional<Stage>(Stage::MeshExport));
    }
    QCOMPARE(entries(dir.path()), QStringList());
    // Cancelled after the first format was rendered: its temporary is removed again.
    CancelToken later;
    int events = 0;
    RunContext midway(
        [&](const ProgressEvent&) {
            if (++events == 2)
                later.cancel();
        },
        {}, later);
    QVERIFY_THROWS_EXCEPTION(CancelledError, exportMesh(texturedSphere(), request(dir.path(), kAllFormats), &midway));
    QCOMPARE(entries(dir.path()), QStringList());
}

void TestExporter::invalidRequests()
{
    QTemporaryDir dir;
    const Mesh mesh = texturedSphere();
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(Mesh {}, request(dir.path(), kAllFormats)));
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(mesh, request(dir.path(), {})));
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(mesh, request(dir.path(), kAllFormats, "")));
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(mesh, request(dir.path(), kAllFormats, "a/b")));
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(mesh, request(dir.path(), kAllFormats, "..")));
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(mesh, request("", kAllFormats)));
    Mesh broken = mesh;
    broken.indices.back() = 1u << 30;
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(broken, request(dir.path(), kAllFormats)));
    QCOMPARE(entries(dir.path()), QStringList());
    // A folder in the way of an output file.
    QVERIFY(QDir(dir.path()).mkdir("model.ply"));
    ExportRequest req = request(dir.path(), { ExportFormat::Ply });
    req.overwrite = true;
    QVERIFY_THROWS_EXCEPTION(ExportError, exportMesh(mesh, req));
}

void TestExporter::meshWithoutTexture()
{
    // Untextured (e.g. a shape-only run): no PNG, the OBJ material has no map_Kd, the GLB keeps vertex colours.
    QTemporaryDir dir;
    Mesh mesh = texturedSphere();
    mesh.texture = {};
    const auto written = exportMesh(mesh, request(dir.path(), kAllFormats));
    QCOMPARE(written.size(), std::size_t(5));
    QCOMPARE(entries(dir.path()), QStringList({ "model.glb", "model.mtl", "model.obj", "model.ply", "model.stl" }));
    QVERIFY(!readAll(dir.filePath("model.mtl")).contains("map_Kd"));
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFile(dir.filePath("model.glb").toStdString(), 0);
    QVERIFY(scene && scene->mMeshes[0]->HasVertexColors(0));
}

void TestExporter::timing()
{
    // Default settings: 40k faces, 1024 texture, every format.
    Mesh mesh = texturedSphere(101, 200, 1024);
    for (int y = 0; y < 1024; ++y) // smooth shading with soft detail, like a bled photo texture
        for (int x = 0; x < 1024; ++x) {
            std::uint8_t* p = mesh.texture.pixel(x, y);
            p[0] = std::uint8_t(120 + 80 * std::sin(x * 0.013) * std::cos(y * 0.011));
            p[1] = std::uint8_t(128 + 100 * std::sin(x * 0.05) * std::cos(y * 0.03));
            p[2] = std::uint8_t((x + y) / 8);
        }
    QTemporaryDir dir;
    RunContext ctx;
    for (const ExportFormat f : kAllFormats) {
        QElapsedTimer t;
        t.start();
        exportMesh(mesh, request(dir.path(), { f }, "timing_" + std::string(formatExtension(f))), &ctx);
        qInfo("%s: %lld ms (%zu faces)", formatExtension(f).data(), t.elapsed(), mesh.faceCount());
    }
    for (const TimingRecord& r : ctx.profiler().records())
        qInfo("  %s: %.0f ms", r.path.c_str(), r.seconds * 1000);
}

QTEST_GUILESS_MAIN(TestExporter)
#include "tst_exporter.moc"
