// The classic inflate backend: silhouette -> occupancy volume -> (marching cubes) closed rounded body.

#include "orfeas/errors.h"
#include "orfeas/marching_cubes.h"
#include "orfeas/mesh_processing.h"
#include "orfeas/shape_backend.h"

#include "test_masks.h"

#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numbers>

using namespace orfeas;
using namespace orfeas::testing;

namespace {

constexpr int kMaskSide = 512;

ShapeResult inflate(const Mask8& mask, int resolution = 128, float thickness = 1.0f, RunContext* ctx = nullptr)
{
    PreprocessedImage image;
    image.mask = mask;
    JobSettings settings;
    settings.resolution = resolution;
    settings.thickness = thickness;
    RunContext local;
    return createInflateBackend()->generate(image, settings, ctx ? *ctx : local);
}

Mesh surfaceOf(const ShapeResult& shape)
{
    return marchingCubes(shape.volume, shape.level);
}

// Rasterises the mesh's triangles orthographically along z onto the mask's pixel grid (a pixel is covered when
// its centre falls in a triangle), through the result's projection frame.
Mask8 frontSilhouette(const Mesh& mesh, const ProjectionFrame& frame, int width, int height)
{
    Mask8 out;
    out.width = width;
    out.height = height;
    out.values.assign(std::size_t(width) * height, 0);
    const double sx = width / double(frame.xMax - frame.xMin);
    const double sy = height / double(frame.yMax - frame.yMin);
    for (std::size_t f = 0; f < mesh.faceCount(); ++f) {
        double px[3], py[3];
        for (int c = 0; c < 3; ++c) {
            const Vec3f& p = mesh.positions[mesh.indices[f * 3 + c]];
            px[c] = (p.x - frame.xMin) * sx; // continuous pixel coordinates, centres at k + 0.5
            py[c] = (frame.yMax - p.y) * sy;
        }
        const double area = (px[1] - px[0]) * (py[2] - py[0]) - (px[2] - px[0]) * (py[1] - py[0]);
        if (area == 0)
            continue;
        const int u0 = std::max(0, int(std::floor(std::min({ px[0], px[1], px[2] }) - 0.5)));
        const int u1 = std::min(width - 1, int(std::ceil(std::max({ px[0], px[1], px[2] }) - 0.5)));
        const int v0 = std::max(0, int(std::floor(std::min({ py[0], py[1], py[2] }) - 0.5)));
        const int v1 = std::min(height - 1, int(std::ceil(std::max({ py[0], py[1], py[2] }) - 0.5)));
        for (int v = v0; v <= v1; ++v)
            for (int u = u0; u <= u1; ++u) {
                const double x = u + 0.5, y = v + 0.5;
                double e[3];
                for (int k = 0; k < 3; ++k) {
                    const int a = k, b = (k + 1) % 3;
                    e[k] = ((px[b] - px[a]) * (y - py[a]) - (py[b] - py[a]) * (x - px[a])) * (area > 0 ? 1 : -1);
                }
                if (e[0] >= 0 && e[1] >= 0 && e[2] >= 0)
                    out.values[std::size_t(v) * width + u] = 255;
            }
    }
    return out;
}

double intersectionOverUnion(const Mask8& a, const Mask8& b)
{
    std::size_t inter = 0, uni = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i) {
        const bool x = a.values[i] >= 128, y = b.values[i] >= 128;
        inter += x && y;
        uni += x || y;
    }
    return uni ? double(inter) / double(uni) : 1.0;
}

float maxAbsZ(const Mesh& mesh)
{
    float z = 0;
    for (const auto& p : mesh.positions)
        z = std::max(z, std::abs(p.z));
    return z;
}

} // namespace

class TestInflate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void diskBecomesSphere();
    void ellipseBecomesEllipsoid();
    void thicknessScalesDepth();
    void silhouetteMatchesMask_data();
    void silhouetteMatchesMask();
    void volumeIsClosedAndFramed();
    void nonSquareMaskKeepsAspect();
    void progressAndProfiling();
    void invalidInput_data();
    void invalidInput();
    void cancelled();
    void timing();
};

void TestInflate::diskBecomesSphere()
{
    // GIVEN a disk of radius 0.6
    const Mask8 mask = drawMask(kMaskSide, kMaskSide, disk(0, 0, 0.6));
    const double r = std::sqrt(maskArea(mask) / std::numbers::pi); // the radius the pixels actually draw
    // WHEN it is inflated and meshed
    const ShapeResult shape = inflate(mask);
    QCOMPARE(shape.backendName, std::string("inflate"));
    QVERIFY(shape.volume.isValid());
    const Mesh mesh = surfaceOf(shape);
    QVERIFY(!mesh.empty());
    // THEN the body is a closed, outward-oriented sphere of that radius (volume within 5 %, depth within 3 %)
    const MeshTopology topo = analyzeTopology(mesh);
    QVERIFY2(topo.isWatertight(),
        qPrintable(QString("boundary %1, non-manifold %2").arg(topo.boundaryEdges).arg(topo.nonManifoldEdges)));
    QVERIFY(topo.isConsistentlyOriented());
    QCOMPARE(topo.components, std::size_t(1));
    const double volume = signedVolume(mesh);
    const double sphere = 4.0 / 3.0 * std::numbers::pi * r * r * r;
    qInfo("sphere: volume %.5f vs %.5f (%+.2f %%), depth %.4f vs radius %.4f", volume, sphere,
        100 * (volume / sphere - 1), maxAbsZ(mesh), r);
    QVERIFY2(volume > 0, "the surface must be oriented outward");
    QVERIFY2(
        std::abs(volume / sphere - 1) < 0.05, qPrintable(QString("volume %1 vs sphere %2").arg(volume).arg(sphere)));
    QVERIFY2(std::abs(maxAbsZ(mesh) / r - 1) < 0.03, qPrintable(QString("depth %1 vs %2").arg(maxAbsZ(mesh)).arg(r)));
    // Round in every direction: the point at 45 degrees between +x and +z lies on the sphere too.
    double worst = 0;
    for (const auto& p : mesh.positions)
        worst = std::max(worst, std::abs(std::sqrt(double(p.x) * p.x + double(p.y) * p.y + double(p.z) * p.z) - r));
    qInfo("sphere: largest radial deviation %.4f (%.2f %% of r)", worst, 100 * worst / r);
    QVERIFY2(worst < 0.01 * r, qPrintable(QString("largest radial deviation %1").arg(worst)));
}

void TestInflate::ellipseBecomesEllipsoid()
{
    // GIVEN an ellipse with semi-axes a = 0.75, b = 0.3: h = C (1 - x^2/a^2 - y^2/b^2) with
    // C = 2 / (1/a^2 + 1/b^2) solves -Laplacian(h) = 4, so the body is the ellipsoid with depth sqrt(C).
    const double a = 0.75, b = 0.3;
    const Mask8 mask = drawMask(kMaskSide, kMaskSide, ellipse(a, b));
    const double c = std::sqrt(2.0 / (1 / (a * a) + 1 / (b * b)));
    const Mesh mesh = surfaceOf(inflate(mask));
    QVERIFY(analyzeTopology(mesh).isWatertight());
    const Bounds3 bounds = computeBounds(mesh);
    QVERIFY(std::abs(bounds.max.x - a) < 0.02 && std::abs(bounds.min.x + a) < 0.02);
    QVERIFY(std::abs(bounds.max.y - b) < 0.02 && std::abs(bounds.min.y + b) < 0.02);
    QVERIFY2(std::abs(bounds.max.z / c - 1) < 0.03, qPrintable(QString("depth %1 vs %2").arg(bounds.max.z).arg(c)));
    QVERIFY(std::abs(bounds.min.z / c + 1) < 0.03);
    const double volume = signedVolume(mesh);
    const double ellipsoid = 4.0 / 3.0 * std::numbers::pi * a * b * c;
    qInfo("ellipsoid: volume %.5f vs %.5f (%+.2f %%), depth %.4f vs %.4f", volume, ellipsoid,
        100 * (volume / ellipsoid - 1), bounds.max.z, c);
    QVERIFY2(std::abs(volume / ellipsoid - 1) < 0.05,
        qPrintable(QString("volume %1 vs ellipsoid %2").arg(volume).arg(ellipsoid)));
    // Every vertex on the ellipsoid (implicit function within a small band).
    double worst = 0;
    for (const auto& p : mesh.positions)
        worst
            = std::max(worst, std::abs(std::sqrt(p.x * p.x / (a * a) + p.y * p.y / (b * b) + p.z * p.z / (c * c)) - 1));
    qInfo("ellipsoid: largest deviation of the implicit function %.4f", worst);
    QVERIFY2(worst < 0.02, qPrintable(QString("largest deviation %1").arg(worst)));
}

void TestInflate::thicknessScalesDepth()
{
    const Mask8 mask = drawMask(kMaskSide, kMaskSide, disk(0, 0, 0.5));
    const float full = maxAbsZ(surfaceOf(inflate(mask, 96, 1.0f)));
    const Mesh thin = surfaceOf(inflate(mask, 96, 0.4f));
    QVERIFY(analyzeTopology(thin).isWatertight());
    QVERIFY2(std::abs(maxAbsZ(thin) / full - 0.4f) < 0.02f, qPrintable(QString::number(maxAbsZ(thin) / full)));
    // A thick body leaves the [-1, 1] box: the grid grows in z and the surface stays closed.
    const ShapeResult deep = inflate(mask, 64, 3.0f);
    const Mesh deepMesh = surfaceOf(deep);
    QVERIFY(deep.volume.origin.z < -1.5f);
    QVERIFY(analyzeTopology(deepMesh).isWatertight());
    QVERIFY2(std::abs(maxAbsZ(deepMesh) / (3 * full) - 1) < 0.03, qPrintable(QString::number(maxAbsZ(deepMesh))));
}

void TestInflate::silhouetteMatchesMask_data()
{
    QTest::addColumn<int>("shapeId");
    QTest::newRow("disk") << 0;
    QTest::newRow("ellipse") << 1;
    QTest::newRow("L-shape") << 2;
    QTest::newRow("star") << 3;
    QTest::newRow("thin limb") << 4;
    QTest::newRow("ring") << 5;
    QTest::newRow("touching border") << 6;
}

void TestInflate::silhouetteMatchesMask()
{
    QFETCH(int, shapeId);
    Shape shape;
    switch (shapeId) {
    case 0:
        shape = disk(0.1, -0.05, 0.55);
        break;
    case 1:
        shape = ellipse(0.8, 0.35);
        break;
    case 2:
        shape = unite(box(-0.6, -0.7, -0.2, 0.7), box(-0.6, -0.7, 0.6, -0.3));
        break;
    case 3:
        shape = star(0.3, 0.8);
        break;
    // A body with a limb 0.05 wide (3 cells at resolution 128).
    case 4:
        shape = unite(disk(-0.3, 0, 0.4), box(0.0, -0.025, 0.85, 0.025));
        break;
    case 5:
        shape = subtract(disk(0, 0, 0.75), disk(0, 0, 0.35));
        break;
    case 6:
        shape = box(-1.0, -0.4, 0.5, 1.0);
        break;
    }
    const Mask8 mask = drawMask(kMaskSide, kMaskSide, shape);
    const ShapeResult result = inflate(mask);
    const Mesh mesh = surfaceOf(result);
    const MeshTopology topo = analyzeTopology(mesh);
    QVERIFY(topo.isWatertight());
    QVERIFY(topo.isConsistentlyOriented());
    QVERIFY(signedVolume(mesh) > 0);
    const double iou = intersectionOverUnion(frontSilhouette(mesh, result.frame, mask.width, mask.height), mask);
    qInfo("IoU %.4f, %zu faces, %zu components", iou, mesh.faceCount(), topo.components);
    QVERIFY2(iou >= 0.97, qPrintable(QString("IoU %1").arg(iou)));
    if (shapeId == 5) {
        // The ring stays a ring: one component with a hole (genus 1: V - E + F = 0).
        QCOMPARE(topo.components, std::size_t(1));
        const std::int64_t euler = std::int64_t(mesh.vertexCount()) - std::int64_t(mesh.faceCount() * 3 / 2)
            + std::int64_t(mesh.faceCount());
        QCOMPARE(euler, std::int64_t(0));
    }
}

void TestInflate::volumeIsClosedAndFramed()
{
    const Mask8 mask = drawMask(256, 256, disk(0, 0, 0.5));
    const ShapeResult r = inflate(mask, 64);
    const Volume& v = r.volume;
    QCOMPARE(r.level, 0.0f);
    QCOMPARE(r.frame.xMin, -1.0f);
    QCOMPARE(r.frame.xMax, 1.0f);
    QCOMPARE(r.frame.yMin, -1.0f);
    QCOMPARE(r.frame.yMax, 1.0f);
    QCOMPARE(v.spacing.x, 2.0f / 64);
    QCOMPARE(v.spacing.z, v.spacing.x);
    QCOMPARE(v.pointsEvaluated, std::int64_t(v.pointCount()));
    // The grid covers [-1, 1] in x and y (and z at least), with points at both ends.
    QVERIFY(v.origin.x <= -1.0f && v.origin.x + (v.nx - 1) * v.spacing.x >= 1.0f);
    QVERIFY(v.origin.y <= -1.0f && v.origin.y + (v.ny - 1) * v.spacing.y >= 1.0f);
    QVERIFY(v.origin.z <= -1.0f + 1e-6f && v.origin.z + (v.nz - 1) * v.spacing.z >= 1.0f - 1e-6f);
    // Every boundary point of the grid is outside, so the surface is closed.
    for (int i = 0; i < v.nx; ++i)
        for (int j = 0; j < v.ny; ++j)
            for (int k = 0; k < v.nz; ++k)
                if (i == 0 || j == 0 || k == 0 || i == v.nx - 1 || j == v.ny - 1 || k == v.nz - 1)
                    QVERIFY(v.values[v.index(i, j, k)] < r.level);
    // Inside at the centre, with the sphere's height: value = R^2 - z^2 at z = 0 -> 0.25.
    const int ci = int(std::lround((0 - v.origin.x) / v.spacing.x));
    const int ck = int(std::lround((0 - v.origin.z) / v.spacing.z));
    const double r2 = maskArea(mask) / std::numbers::pi;
    QVERIFY2(std::abs(v.values[v.index(ci, ci, ck)] - r2) < 0.01 * r2,
        qPrintable(QString::number(v.values[v.index(ci, ci, ck)])));
    // Image up is +y: a subject in the upper half of the image lands at y > 0.
    const Mesh upper = surfaceOf(inflate(drawMask(256, 256, disk(0, 0.5, 0.3)), 64));
    QVERIFY(computeBounds(upper).min.y > 0.1f);
}

void TestInflate::nonSquareMaskKeepsAspect()
{
    // A 512 x 256 mask: x spans [-1, 1], y [-0.5, 0.5]; a disk stays round.
    const Mask8 mask = drawMask(512, 256, disk(0.2, 0.1, 0.3));
    const ShapeResult r = inflate(mask);
    QCOMPARE(r.frame.xMax, 1.0f);
    QCOMPARE(r.frame.yMax, 0.5f);
    const Mesh mesh = surfaceOf(r);
    const Bounds3 b = computeBounds(mesh);
    QVERIFY(std::abs((b.max.x + b.min.x) / 2 - 0.2f) < 0.01f);
    QVERIFY(std::abs((b.max.y + b.min.y) / 2 - 0.1f) < 0.01f);
    QVERIFY(std::abs((b.max.x - b.min.x) - (b.max.y - b.min.y)) < 0.02f);
    const double iou = intersectionOverUnion(frontSilhouette(mesh, r.frame, mask.width, mask.height), mask);
    QVERIFY2(iou >= 0.97, qPrintable(QString::number(iou)));
}

void TestInflate::progressAndProfiling()
{
    std::vector<ProgressEvent> events;
    RunContext ctx([&](const ProgressEvent& e) { events.push_back(e); }, [](LogLevel, const std::string&) {});
    inflate(drawMask(128, 128, disk(0, 0, 0.5)), 32, 1.0f, &ctx);
    QVERIFY(!events.empty());
    double last = -1;
    for (const auto& e : events) {
        QCOMPARE(e.stage, Stage::ShapeGeneration);
        QVERIFY(e.fraction >= last); // monotonic
        last = e.fraction;
    }
    QCOMPARE(events.back().fraction, 1.0);
    QVERIFY(ctx.profiler().seconds("shape_generation/poisson_solve") > 0);
}

void TestInflate::invalidInput_data()
{
    QTest::addColumn<int>("resolution");
    QTest::addColumn<float>("thickness");
    QTest::addColumn<int>("maskKind"); // 0 empty, 1 valid disk, 2 inconsistent, 3 one pixel
    QTest::addColumn<int>("expected"); // ErrorKind
    QTest::newRow("empty mask") << 64 << 1.0f << 0 << int(ErrorKind::BadInput);
    QTest::newRow("inconsistent mask") << 64 << 1.0f << 2 << int(ErrorKind::BadInput);
    QTest::newRow("subject smaller than a cell") << 8 << 1.0f << 3 << int(ErrorKind::BadInput);
    QTest::newRow("resolution too low") << 4 << 1.0f << 1 << int(ErrorKind::Config);
    QTest::newRow("resolution too high") << 5000 << 1.0f << 1 << int(ErrorKind::Config);
    QTest::newRow("thickness zero") << 64 << 0.0f << 1 << int(ErrorKind::Config);
    QTest::newRow("thickness NaN") << 64 << std::nanf("") << 1 << int(ErrorKind::Config);
}

void TestInflate::invalidInput()
{
    QFETCH(int, resolution);
    QFETCH(float, thickness);
    QFETCH(int, maskKind);
    QFETCH(int, expected);
    Mask8 mask = drawMask(128, 128, maskKind == 0 ? Shape([](double, double) { return false; }) : disk(0, 0, 0.5));
    if (maskKind == 2)
        mask.values.pop_back();
    if (maskKind == 3) {
        std::fill(mask.values.begin(), mask.values.end(), 0);
        mask.values[64 * 128 + 40] = 255; // one pixel, far from any of the 9 x 9 grid points
    }
    try {
        inflate(mask, resolution, thickness);
        QFAIL("no error thrown");
    } catch (const Error& e) {
        QCOMPARE(int(e.kind()), expected);
        if (e.kind() == ErrorKind::BadInput)
            QCOMPARE(e.stage(), std::optional<Stage>(Stage::ShapeGeneration));
    }
}

void TestInflate::cancelled()
{
    CancelToken token;
    token.cancel();
    RunContext ctx({}, {}, token);
    try {
        inflate(drawMask(128, 128, disk(0, 0, 0.5)), 64, 1.0f, &ctx);
        QFAIL("no error thrown");
    } catch (const CancelledError& e) {
        QCOMPARE(e.stage(), std::optional<Stage>(Stage::ShapeGeneration));
    }
    // Cancelling from the progress callback (mid-run) stops it as well.
    CancelToken later;
    RunContext midway(
        [&](const ProgressEvent& e) {
            if (e.fraction > 0.3)
                later.cancel();
        },
        {}, later);
    QVERIFY_THROWS_EXCEPTION(CancelledError, inflate(drawMask(128, 128, disk(0, 0, 0.5)), 64, 1.0f, &midway));
}

void TestInflate::timing()
{
    // Default settings on a 512 x 512 silhouette; reported, with a generous bound against regressions.
    const Mask8 mask = drawMask(kMaskSide, kMaskSide, star(0.35, 0.8));
    QElapsedTimer t;
    t.start();
    const ShapeResult r = inflate(mask);
    const qint64 backendMs = t.elapsed();
    t.restart();
    const Mesh mesh = surfaceOf(r);
    const qint64 mcMs = t.elapsed();
    qInfo("inflate backend %lld ms (grid %dx%dx%d), marching cubes %lld ms, %zu faces", backendMs, r.volume.nx,
        r.volume.ny, r.volume.nz, mcMs, mesh.faceCount());
    QVERIFY2(backendMs < 2000, "the inflate backend should take a few hundred milliseconds at resolution 128");
}

QTEST_GUILESS_MAIN(TestInflate)
#include "tst_inflate.moc"
