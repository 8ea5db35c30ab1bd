// Texture synthesis: front projection of the canvas, uvs, bled texture, vertex colours.

#include "orfeas/errors.h"
#include "orfeas/texture.h"

#include <QElapsedTimer>
#include <QtTest>

#include <cmath>
#include <functional>
#include <numbers>

using namespace orfeas;

namespace {

constexpr Color8 kRed { 220, 30, 30, 255 };
constexpr Color8 kBlue { 30, 40, 210, 255 };
constexpr Color8 kGreen { 0, 255, 0, 255 }; // the background colour that must never show on the model

// A UV sphere of radius r centred at (cx, cy, 0), outward counter-clockwise triangles.
Mesh sphere(float r, float cx = 0, float cy = 0, int rings = 48, int segments = 96)
{
    Mesh m;
    for (int i = 0; i <= rings; ++i) {
        const double theta = std::numbers::pi * i / rings; // from +y down to -y
        for (int j = 0; j < segments; ++j) {
            const double phi = 2 * std::numbers::pi * j / segments;
            m.positions.push_back({ float(cx + r * std::sin(theta) * std::sin(phi)), float(cy + r * std::cos(theta)),
                float(r * std::sin(theta) * std::cos(phi)) });
        }
    }
    auto at = [&](int i, int j) { return std::uint32_t(i * segments + (j % segments)); };
    for (int i = 0; i < rings; ++i)
        for (int j = 0; j < segments; ++j) {
            m.indices.insert(m.indices.end(), { at(i, j), at(i + 1, j), at(i + 1, j + 1) });
            m.indices.insert(m.indices.end(), { at(i, j), at(i + 1, j + 1), at(i, j + 1) });
        }
    return m;
}

// A canvas of side n over the frame [-1, 1]^2 (pixel centre (u, v) at x = -1 + 2 (u + 0.5) / n, y = 1 - ...),
// with straight alpha: `subject(x, y)` gives a colour, or alpha 0 with the background's RGB.
PreprocessedImage drawImage(int n, const std::function<std::optional<Color8>(double, double)>& subject,
    Color8 background = kGreen, bool softEdge = false)
{
    PreprocessedImage img;
    img.canvas.width = img.canvas.height = n;
    img.canvas.pixels.resize(std::size_t(n) * n * 4);
    img.mask.width = img.mask.height = 256;
    img.mask.values.assign(256 * 256, 0);
    for (int v = 0; v < n; ++v)
        for (int u = 0; u < n; ++u) {
            const double x = -1 + 2 * (u + 0.5) / n, y = 1 - 2 * (v + 0.5) / n;
            std::optional<Color8> c = subject(x, y);
            std::uint8_t* p = img.canvas.pixel(u, v);
            const Color8 col = c ? *c : background;
            p[0] = col.r;
            p[1] = col.g;
            p[2] = col.b;
            p[3] = c ? 255 : 0;
            if (softEdge && c) {
                // Anti-aliased rim: partial alpha over the outermost pixels, colour still the subject's.
                const bool edge = !subject(x + 4.0 / n, y) || !subject(x - 4.0 / n, y) || !subject(x, y + 4.0 / n)
                    || !subject(x, y - 4.0 / n);
                if (edge)
                    p[3] = 128;
            }
        }
    for (int v = 0; v < 256; ++v)
        for (int u = 0; u < 256; ++u) {
            const double x = -1 + 2 * (u + 0.5) / 256, y = 1 - 2 * (v + 0.5) / 256;
            img.mask.values[std::size_t(v) * 256 + u] = subject(x, y) ? 255 : 0;
        }
    return img;
}

std::function<std::optional<Color8>(double, double)> redDisk(double r)
{
    return [r](double x, double y) -> std::optional<Color8> {
        if (x * x + y * y <= r * r)
            return kRed;
        return std::nullopt;
    };
}

int distance(Color8 a, Color8 b)
{
    return std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b);
}

std::size_t nearestVertex(const Mesh& m, Vec3f p)
{
    std::size_t best = 0;
    float bestD = 1e30f;
    for (std::size_t i = 0; i < m.positions.size(); ++i) {
        const Vec3f& q = m.positions[i];
        const float d = (q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y) + (q.z - p.z) * (q.z - p.z);
        if (d < bestD) {
            bestD = d;
            best = i;
        }
    }
    return best;
}

} // namespace

class TestTexture : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void uvsAndSizes();
    void preparedImageGivesTheSameResult();
    void frontCentreSamplesSubject();
    void rimHasNoBackground_data();
    void rimHasNoBackground();
    void orientation();
    void opaqueCanvasUsesMask();
    void removedBackgroundEdgeDropped();
    void darkenedHalfTransparentEdge();
    void fallsBackToNetworkImage();
    void invalidInput();
    void cancelled();
    void timing();
};

void TestTexture::uvsAndSizes()
{
    Mesh mesh = sphere(0.6f);
    const PreprocessedImage img = drawImage(300, redDisk(0.6));
    synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 256 });
    QVERIFY(mesh.isValid());
    QCOMPARE(mesh.uvs.size(), mesh.positions.size());
    QCOMPARE(mesh.colors.size(), mesh.positions.size());
    QCOMPARE(mesh.texture.width, 256);
    QCOMPARE(mesh.texture.height, 256);
    for (const Vec2f& uv : mesh.uvs) {
        QVERIFY(uv.x >= 0 && uv.x <= 1);
        QVERIFY(uv.y >= 0 && uv.y <= 1);
    }
    // The projection is the frame's: x = -0.6 maps to u = 0.2, y = +0.6 to v = 0.8 (v up).
    const std::size_t top = nearestVertex(mesh, { 0, 0.6f, 0 });
    QVERIFY(std::abs(mesh.uvs[top].x - 0.5f) < 1e-4f && std::abs(mesh.uvs[top].y - 0.8f) < 1e-4f);
    const std::size_t left = nearestVertex(mesh, { -0.6f, 0, 0 });
    QVERIFY(std::abs(mesh.uvs[left].x - 0.2f) < 1e-4f);
    // The texture is opaque everywhere.
    for (std::size_t i = 3; i < mesh.texture.pixels.size(); i += 4)
        QCOMPARE(int(mesh.texture.pixels[i]), 255);
    // A vertex beyond the frame clamps into [0, 1].
    Mesh far;
    far.positions = { { -3, 0, 0 }, { 3, 2, 0 }, { 0, -5, 1 } };
    far.indices = { 0, 1, 2 };
    synthesizeTexture(far, img, ProjectionFrame {}, TextureOptions { 64 });
    QCOMPARE(far.uvs[0].x, 0.0f);
    QCOMPARE(far.uvs[1].x, 1.0f);
    QCOMPARE(far.uvs[1].y, 1.0f);
    QCOMPARE(far.uvs[2].y, 0.0f);
}

void TestTexture::preparedImageGivesTheSameResult()
{
    // The pipeline makes the texture image beside shape generation and hands it over: the result must be the same
    // as synthesizeTexture's own.
    const PreprocessedImage img = drawImage(300, redDisk(0.6), kGreen, true);
    Mesh direct = sphere(0.6f);
    synthesizeTexture(direct, img, ProjectionFrame {}, TextureOptions { 200 });
    ImageRGBA8 prepared = prepareTextureImage(img, TextureOptions { 200 });
    QCOMPARE(prepared.width, 200);
    Mesh handed = sphere(0.6f);
    synthesizeTexture(handed, img, ProjectionFrame {}, TextureOptions { 200 }, nullptr, &prepared);
    QVERIFY(handed.texture.pixels == direct.texture.pixels);
    QCOMPARE(handed.uvs.size(), direct.uvs.size());
    for (std::size_t i = 0; i < direct.uvs.size(); ++i) {
        QCOMPARE(handed.uvs[i].x, direct.uvs[i].x);
        QCOMPARE(handed.uvs[i].y, direct.uvs[i].y);
        QCOMPARE(distance(handed.colors[i], direct.colors[i]), 0);
    }
    // A prepared image of another size is refused, and the mesh is left alone.
    ImageRGBA8 wrong = prepareTextureImage(img, TextureOptions { 64 });
    Mesh untouched = sphere(0.6f);
    QVERIFY_THROWS_EXCEPTION(
        InternalError, synthesizeTexture(untouched, img, ProjectionFrame {}, TextureOptions { 200 }, nullptr, &wrong));
    QVERIFY(untouched.uvs.empty());
    QVERIFY_THROWS_EXCEPTION(ConfigError, prepareTextureImage(img, TextureOptions { 0 }));
}

void TestTexture::frontCentreSamplesSubject()
{
    Mesh mesh = sphere(0.5f);
    synthesizeTexture(mesh, drawImage(512, redDisk(0.5)), ProjectionFrame {}, TextureOptions { 1024 });
    const std::size_t front = nearestVertex(mesh, { 0, 0, 0.5f });
    QVERIFY2(distance(mesh.colors[front], kRed) <= 3,
        qPrintable(QString("%1 %2 %3").arg(mesh.colors[front].r).arg(mesh.colors[front].g).arg(mesh.colors[front].b)));
    // The back sees the same image (mirrored): the back pole is red as well.
    QVERIFY(distance(mesh.colors[nearestVertex(mesh, { 0, 0, -0.5f })], kRed) <= 3);
}

void TestTexture::rimHasNoBackground_data()
{
    QTest::addColumn<int>("canvasSide");
    QTest::addColumn<int>("textureSize");
    QTest::addColumn<bool>("softEdge");
    QTest::newRow("canvas 512, texture 1024") << 512 << 1024 << false;
    QTest::newRow("canvas 2048, texture 256 (shrink)") << 2048 << 256 << false;
    QTest::newRow("canvas 300, texture 1000 (enlarge)") << 300 << 1000 << false;
    QTest::newRow("anti-aliased edge") << 512 << 512 << true;
}

void TestTexture::rimHasNoBackground()
{
    QFETCH(int, canvasSide);
    QFETCH(int, textureSize);
    QFETCH(bool, softEdge);
    // GIVEN a red subject on a green background whose alpha is 0, and a sphere whose rim is the silhouette
    Mesh mesh = sphere(0.55f);
    synthesizeTexture(mesh, drawImage(canvasSide, redDisk(0.55), kGreen, softEdge), ProjectionFrame {},
        TextureOptions { textureSize });
    // THEN every vertex, the rim (|z| small) included, is red, with no trace of green
    int rim = 0, worst = 0;
    for (std::size_t i = 0; i < mesh.positions.size(); ++i) {
        worst = std::max(worst, distance(mesh.colors[i], kRed));
        rim += std::abs(mesh.positions[i].z) < 0.02f;
    }
    QVERIFY(rim >= 96);
    QVERIFY2(worst <= 12, qPrintable(QString("largest colour distance from the subject: %1").arg(worst)));
    // AND the texture outside the silhouette is filled with the subject's colour (bled), not the background.
    const std::uint8_t* corner = mesh.texture.pixel(0, 0);
    QVERIFY(corner[1] < 60 && corner[0] > 150);
}

void TestTexture::orientation()
{
    // Upper half red, lower half blue, left... : image up is +y, image right is +x.
    auto quadrants = [](double x, double y) -> std::optional<Color8> {
        if (x * x + y * y > 0.7 * 0.7)
            return std::nullopt;
        if (y > 0)
            return x < 0 ? kRed : Color8 { 230, 200, 20, 255 };
        return kBlue;
    };
    Mesh mesh = sphere(0.7f);
    synthesizeTexture(mesh, drawImage(400, quadrants), ProjectionFrame {}, TextureOptions { 512 });
    const Color8 yellow { 230, 200, 20, 255 };
    QVERIFY(distance(mesh.colors[nearestVertex(mesh, { -0.3f, 0.3f, 0.55f })], kRed) <= 6);
    QVERIFY(distance(mesh.colors[nearestVertex(mesh, { 0.3f, 0.3f, 0.55f })], yellow) <= 6);
    QVERIFY(distance(mesh.colors[nearestVertex(mesh, { 0.0f, -0.4f, 0.55f })], kBlue) <= 6);
    // The back is the mirrored view: the point behind the red quadrant is red too.
    QVERIFY(distance(mesh.colors[nearestVertex(mesh, { -0.3f, 0.3f, -0.55f })], kRed) <= 6);
    // Texture rows run top to bottom: the top row of the texture is the top of the image.
    const std::uint8_t* topLeft = mesh.texture.pixel(100, 100);
    QVERIFY(std::abs(topLeft[0] - kRed.r) <= 3 && std::abs(topLeft[2] - kRed.b) <= 3);
}

void TestTexture::opaqueCanvasUsesMask()
{
    // The canvas has no transparency (alpha lost upstream) but the mask knows the subject.
    PreprocessedImage img = drawImage(512, redDisk(0.5));
    for (std::size_t i = 3; i < img.canvas.pixels.size(); i += 4)
        img.canvas.pixels[i] = 255;
    Mesh mesh = sphere(0.5f);
    synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 512 });
    int worst = 0;
    for (std::size_t i = 0; i < mesh.positions.size(); ++i)
        if (std::abs(mesh.positions[i].z) < 0.05f)
            worst = std::max(worst, distance(mesh.colors[i], kRed));
    // The mask is coarser (256) than the canvas: its staircase may let a little background into the rim mix.
    QVERIFY2(worst <= 60, qPrintable(QString::number(worst)));
}

void TestTexture::removedBackgroundEdgeDropped()
{
    // GIVEN a subject cut out by background removal: its outermost ring of opaque pixels is still mixed with the
    // grey background it was photographed on
    const Color8 grey { 200, 200, 200, 255 };
    const double r = 0.5;
    const int n = 512;
    const double ring = 1.6 * 2.0 / n; // 1.6 pixels
    auto contaminated = [&](double x, double y) -> std::optional<Color8> {
        const double d = std::hypot(x, y);
        if (d > r)
            return std::nullopt;
        return d > r - ring ? grey : kRed;
    };
    auto rimWorst = [&](bool alphaFromFile) {
        PreprocessedImage img = drawImage(n, contaminated, grey);
        img.alphaFromFile = alphaFromFile;
        Mesh mesh = sphere(float(r));
        synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 512 });
        int worst = 0;
        for (std::size_t i = 0; i < mesh.positions.size(); ++i)
            worst = std::max(worst, distance(mesh.colors[i], kRed));
        return worst;
    };
    // THEN the ring is dropped and the rim is the subject's colour
    const int removed = rimWorst(false);
    QVERIFY2(removed <= 12, qPrintable(QString::number(removed)));
    // (while opaque pixels of an alpha that came with the file are trusted: there the ring is the subject's own)
    QVERIFY(rimWorst(true) > 100);
}

void TestTexture::darkenedHalfTransparentEdge()
{
    // GIVEN a file alpha whose soft edge pixels carry a darkened colour (as many renderers write straight alpha)
    const int n = 512;
    const double r = 0.5, soft = 2.5 * 2.0 / n;
    PreprocessedImage img;
    img.alphaFromFile = true;
    img.canvas.width = img.canvas.height = n;
    img.canvas.pixels.resize(std::size_t(n) * n * 4);
    for (int v = 0; v < n; ++v)
        for (int u = 0; u < n; ++u) {
            const double x = -1 + 2 * (u + 0.5) / n, y = 1 - 2 * (v + 0.5) / n;
            const double a = std::clamp((r - std::hypot(x, y)) / soft + 0.5, 0.0, 1.0); // 0..1 over 2.5 pixels
            std::uint8_t* p = img.canvas.pixel(u, v);
            const double shade = a < 0.97 ? 0.35 : 1.0;
            p[0] = std::uint8_t(kRed.r * shade);
            p[1] = std::uint8_t(kRed.g * shade);
            p[2] = std::uint8_t(kRed.b * shade);
            p[3] = std::uint8_t(std::lround(a * 255));
        }
    Mesh mesh = sphere(float(r));
    synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 1024 });
    // THEN the rim (where alpha crosses one half) keeps the subject's colour
    int worst = 0;
    for (std::size_t i = 0; i < mesh.positions.size(); ++i) {
        worst = std::max(worst, distance(mesh.colors[i], kRed));
    }
    QVERIFY2(worst <= 20, qPrintable(QString::number(worst)));
}

void TestTexture::fallsBackToNetworkImage()
{
    PreprocessedImage img = drawImage(128, redDisk(0.5));
    img.image = img.canvas;
    img.canvas = {};
    Mesh mesh = sphere(0.5f);
    synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 128 });
    QVERIFY(distance(mesh.colors[nearestVertex(mesh, { 0, 0, 0.5f })], kRed) <= 3);
}

void TestTexture::invalidInput()
{
    Mesh mesh = sphere(0.5f, 0, 0, 4, 8);
    const PreprocessedImage img = drawImage(64, redDisk(0.5));
    QVERIFY_THROWS_EXCEPTION(ConfigError, synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 0 }));
    QVERIFY_THROWS_EXCEPTION(ConfigError, synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 100000 }));
    QVERIFY_THROWS_EXCEPTION(
        BadInputError, synthesizeTexture(mesh, PreprocessedImage {}, ProjectionFrame {}, TextureOptions { 64 }));
    ProjectionFrame flat;
    flat.xMax = flat.xMin;
    QVERIFY_THROWS_EXCEPTION(InternalError, synthesizeTexture(mesh, img, flat, TextureOptions { 64 }));
    Mesh broken = mesh;
    broken.indices.push_back(9999);
    broken.indices.push_back(0);
    broken.indices.push_back(1);
    QVERIFY_THROWS_EXCEPTION(InternalError, synthesizeTexture(broken, img, ProjectionFrame {}, TextureOptions { 64 }));
    // An empty mesh is fine: it just gets the texture.
    Mesh empty;
    synthesizeTexture(empty, img, ProjectionFrame {}, TextureOptions { 32 });
    QCOMPARE(empty.texture.width, 32);
}

void TestTexture::cancelled()
{
    CancelToken token;
    token.cancel();
    RunContext ctx({}, {}, token);
    Mesh mesh = sphere(0.5f, 0, 0, 8, 16);
    try {
        synthesizeTexture(mesh, drawImage(256, redDisk(0.5)), ProjectionFrame {}, TextureOptions { 256 }, &ctx);
        QFAIL("no error thrown");
    } catch (const CancelledError& e) {
        QCOMPARE(e.stage(), std::optional<Stage>(Stage::TextureSynthesis));
    }
    QVERIFY(mesh.uvs.empty()); // untouched
}

void TestTexture::timing()
{
    // Default texture size from a 1024 canvas onto a 40k-face mesh.
    Mesh mesh = sphere(0.6f, 0, 0, 100, 200);
    const PreprocessedImage img = drawImage(1024, redDisk(0.6));
    RunContext ctx;
    QElapsedTimer t;
    t.start();
    synthesizeTexture(mesh, img, ProjectionFrame {}, TextureOptions { 1024 }, &ctx);
    qInfo("texture synthesis %lld ms for %zu faces (resample %.0f ms, bleed %.0f ms, project %.0f ms)", t.elapsed(),
        mesh.faceCount(), ctx.profiler().seconds("texture_synthesis/resample") * 1000,
        ctx.profiler().seconds("texture_synthesis/bleed") * 1000,
        ctx.profiler().seconds("texture_synthesis/project") * 1000);
}

QTEST_GUILESS_MAIN(TestTexture)
#include "tst_texture.moc"
