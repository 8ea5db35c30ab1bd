// Marching cubes: generated table, analytic shapes, random volumes (the real test of the table and the decider),
// determinism across thread counts, invalid input and cancellation.

#include "mesh_test_util.h"

#include "orfeas/errors.h"
#include "orfeas/marching_cubes.h"
#include "orfeas/mesh_processing.h"
#include "orfeas/run_context.h"

#include <QtTest/QtTest>

#include <bit>
#include <map>
#include <numbers>
#include <set>

using namespace orfeas;

namespace {

struct Corner {
    int x, y, z;
};
Corner corner(int c)
{
    return {c & 1, (c >> 1) & 1, (c >> 2) & 1};
}

// Faces of the unit cube an edge lies on (bit f as in McTable::kFaceCorners).
unsigned edgeFaces(int e)
{
    unsigned bits = 0;
    for (int f = 0; f < 6; ++f) {
        const auto& fc = McTable::kFaceCorners[f];
        for (int k = 0; k < 4; ++k) {
            const int a = fc[k], b = fc[(k + 1) % 4];
            const int c0 = McTable::kEdgeCorners[e][0], c1 = McTable::kEdgeCorners[e][1];
            if ((a == c0 && b == c1) || (a == c1 && b == c0))
                bits |= 1u << f;
        }
    }
    return bits;
}

// The ownership rule of face diagonals (docs/marching_cubes.md): the diagonal cutting off the face corner at
// in-plane coordinates (u, v) belongs to the cell having the face on side (u + v) % 2; a diagonal between
// opposite edges to the cell having the face on its low side.
bool ownsFaceDiagonal(int f, int a, int b)
{
    const int axis = f / 2, side = f % 2;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            if (McTable::kEdgeCorners[a][i] == McTable::kEdgeCorners[b][j]) {
                const Corner c = corner(McTable::kEdgeCorners[a][i]);
                const int p[3] = {c.x, c.y, c.z};
                return side == (p[(axis + 1) % 3] + p[(axis + 2) % 3]) % 2;
            }
    return side == 0;
}

class FakeDeviceVolume : public DeviceVolume {
public:
    explicit FakeDeviceVolume(std::vector<float> v) : m_values(std::move(v)) {}
    std::vector<float> download() const override { return m_values; }
    bool extractSurface(float, Mesh&) const override { return false; }

private:
    std::vector<float> m_values;
};

void checkClosed(const Mesh& m, const char* what)
{
    const MeshTopology t = analyzeTopology(m);
    if (!t.isWatertight() || !t.isConsistentlyOriented())
        QFAIL(qPrintable(QStringLiteral("%1: boundary %2, non-manifold %3, inconsistent %4")
                             .arg(what)
                             .arg(t.boundaryEdges)
                             .arg(t.nonManifoldEdges)
                             .arg(t.inconsistentEdges)));
}

} // namespace

class TestMarchingCubes : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void numberingIsConsistent();
    void tableIsWellFormed();
    void sphereMatchesAnalyticAreaAndVolume_data();
    void sphereMatchesAnalyticAreaAndVolume();
    void anisotropicGrid();
    void noiseIsWatertight_data();
    void noiseIsWatertight();
    void torusIsWatertight();
    void nearlyTouchingSpheresAreWatertight_data();
    void nearlyTouchingSpheresAreWatertight();
    void openSurfaceAtGridBorder();
    void outputIndependentOfThreadCount_data();
    void outputIndependentOfThreadCount();
    void emptyWhenNothingCrosses();
    void deviceVolumeIsDownloaded();
    void invalidVolumeThrows_data();
    void invalidVolumeThrows();
    void cancelledThrows();
    void reportsProgress();
};

void TestMarchingCubes::numberingIsConsistent()
{
    // Each edge joins two corners that differ along its axis only; each face's corners are CCW seen from outside.
    for (int e = 0; e < 12; ++e) {
        const Corner a = corner(McTable::kEdgeCorners[e][0]), b = corner(McTable::kEdgeCorners[e][1]);
        const int axis = e / 4;
        const int d[3] = {b.x - a.x, b.y - a.y, b.z - a.z};
        for (int k = 0; k < 3; ++k)
            QCOMPARE(d[k], k == axis ? 1 : 0);
    }
    for (int f = 0; f < 6; ++f) {
        const int axis = f / 2, side = f % 2;
        const auto& fc = McTable::kFaceCorners[f];
        double n[3] = {0, 0, 0};
        for (int k = 0; k < 4; ++k) {
            const Corner p = corner(fc[k]), q = corner(fc[(k + 1) % 4]);
            const int pc[3] = {p.x, p.y, p.z};
            QCOMPARE(pc[axis], side);
            n[0] += double(p.y - q.y) * (p.z + q.z); // Newell's method
            n[1] += double(p.z - q.z) * (p.x + q.x);
            n[2] += double(p.x - q.x) * (p.y + q.y);
        }
        for (int k = 0; k < 3; ++k)
            QCOMPARE(n[k], k == axis ? (side ? 2.0 : -2.0) : 0.0); // outward normal, area 1 (Newell gives 2A)
    }
}

void TestMarchingCubes::tableIsWellFormed()
{
    const McTable& table = marchingCubesTable();
    QCOMPARE(int(table.triangles.size()), McTable::kEntries);
    QCOMPARE(&table, &marchingCubesTable()); // one instance
    for (int cube = 0; cube < 256; ++cube) {
        std::set<int> crossed;
        for (int e = 0; e < 12; ++e)
            if (((cube >> McTable::kEdgeCorners[e][0]) & 1) != ((cube >> McTable::kEdgeCorners[e][1]) & 1))
                crossed.insert(e);
        for (int bits = 0; bits < 64; ++bits) {
            const auto& entry = table.triangles[std::size_t(cube * 64 + bits)];
            int n = 0;
            while (n < int(entry.size()) && entry[std::size_t(n)] >= 0)
                ++n;
            QVERIFY(n < int(entry.size()));
            QCOMPARE(n % 3, 0);
            std::set<int> used;
            std::map<std::pair<int, int>, int> directed;
            for (int i = 0; i < n; i += 3) {
                const int t[3] = {entry[std::size_t(i)], entry[std::size_t(i + 1)], entry[std::size_t(i + 2)]};
                QVERIFY(t[0] != t[1] && t[1] != t[2] && t[0] != t[2]);
                for (int k = 0; k < 3; ++k) {
                    used.insert(t[k]);
                    ++directed[{t[k], t[(k + 1) % 3]}];
                }
            }
            QCOMPARE(used, crossed);
            // Within a cell, an edge between two points is interior (used once each way) or on the cell's
            // boundary (used once): then both points lie on a common face. An interior edge between points of a
            // common face lies in that face, and only the face's owner cell may use it (else the neighbour could
            // use it too).
            for (const auto& [edge, count] : directed) {
                QCOMPARE(count, 1);
                const bool reverse = directed.count({edge.second, edge.first}) > 0;
                const unsigned common = edgeFaces(edge.first) & edgeFaces(edge.second);
                const QString where = QStringLiteral("cube %1 bits %2").arg(cube).arg(bits);
                if (!reverse)
                    QVERIFY2(common != 0, qPrintable(where));
                else if (common != 0)
                    QVERIFY2(ownsFaceDiagonal(std::countr_zero(common), edge.first, edge.second), qPrintable(where));
            }
        }
        // Ambiguous faces: diagonal inside corners.
        for (int f = 0; f < 6; ++f) {
            const auto& fc = McTable::kFaceCorners[f];
            const int s[4] = {(cube >> fc[0]) & 1, (cube >> fc[1]) & 1, (cube >> fc[2]) & 1, (cube >> fc[3]) & 1};
            const bool ambiguous = s[0] == s[2] && s[1] == s[3] && s[0] != s[1];
            QCOMPARE(bool((table.ambiguousFaces[std::size_t(cube)] >> f) & 1), ambiguous);
        }
    }
    // One inside corner: a single triangle whose normal points away from the corner.
    const auto& e = table.triangles[std::size_t(1) * 64];
    QCOMPARE(int(e[3]), -1);
    auto mid = [](int edge) {
        const Corner a = corner(McTable::kEdgeCorners[edge][0]), b = corner(McTable::kEdgeCorners[edge][1]);
        return std::array<double, 3>{(a.x + b.x) / 2.0, (a.y + b.y) / 2.0, (a.z + b.z) / 2.0};
    };
    const auto p = mid(e[0]), q = mid(e[1]), r = mid(e[2]);
    const double u[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]}, v[3] = {r[0] - p[0], r[1] - p[1], r[2] - p[2]};
    const double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    QVERIFY(n[0] > 0 && n[1] > 0 && n[2] > 0);
}

void TestMarchingCubes::sphereMatchesAnalyticAreaAndVolume_data()
{
    QTest::addColumn<int>("cells");
    QTest::addColumn<int>("threads");
    QTest::newRow("96 cells, 1 thread") << 96 << 1;
    QTest::newRow("128 cells, 2 threads") << 128 << 2;
}

void TestMarchingCubes::sphereMatchesAnalyticAreaAndVolume()
{
    QFETCH(int, cells);
    QFETCH(int, threads);
    const double r = 0.6;
    const Volume v = meshtest::sphereVolume(cells, float(r));
    const Mesh m = marchingCubes(v, 0.0f, nullptr, threads);
    QVERIFY(m.isValid());
    QVERIFY(m.faceCount() > 1000);

    const double pi = std::numbers::pi;
    const double area = surfaceArea(m), volume = signedVolume(m);
    const double expectedArea = 4 * pi * r * r, expectedVolume = 4.0 / 3.0 * pi * r * r * r;
    QVERIFY2(std::abs(area / expectedArea - 1) < 0.01, qPrintable(QString::number(area / expectedArea)));
    QVERIFY2(std::abs(volume / expectedVolume - 1) < 0.01, qPrintable(QString::number(volume / expectedVolume)));

    const MeshTopology t = analyzeTopology(m);
    QCOMPARE(t.boundaryEdges, std::size_t(0));
    QCOMPARE(t.nonManifoldEdges, std::size_t(0));
    QCOMPARE(t.inconsistentEdges, std::size_t(0));
    QCOMPARE(t.components, std::size_t(1));
    // A sphere: Euler characteristic V - E + F = 2 with E = 3F / 2.
    QCOMPARE(std::int64_t(m.vertexCount()) - std::int64_t(m.faceCount()) / 2, std::int64_t(2));

    std::size_t bad = 0;
    QVERIFY2(meshtest::verticesOnGridEdges(m, v, &bad), qPrintable(QStringLiteral("vertex %1").arg(bad)));
    // One vertex per crossed grid edge, none duplicated.
    QCOMPARE(m.vertexCount(), meshtest::crossedEdges(v, 0.0f));
    QCOMPARE(meshtest::distinctPositions(m), m.vertexCount());
    QCOMPARE(meshtest::degenerateFaces(m), std::size_t(0));
}

void TestMarchingCubes::anisotropicGrid()
{
    // Different point counts and spacings per axis: catches mixed-up axes in indexing.
    Volume v;
    v.nx = 41;
    v.ny = 57;
    v.nz = 73;
    v.origin = {-1.0f, -0.9f, -0.8f};
    v.spacing = {2.0f / 40, 1.8f / 56, 1.6f / 72};
    v.values.resize(v.pointCount());
    const double a = 0.7, b = 0.5, c = 0.4; // ellipsoid semi-axes along x, y, z
    for (int ix = 0; ix < v.nx; ++ix)
        for (int iy = 0; iy < v.ny; ++iy)
            for (int iz = 0; iz < v.nz; ++iz) {
                const double x = v.origin.x + float(ix) * v.spacing.x, y = v.origin.y + float(iy) * v.spacing.y,
                             z = v.origin.z + float(iz) * v.spacing.z;
                v.values[v.index(ix, iy, iz)] = float(1.0 - std::sqrt(x * x / (a * a) + y * y / (b * b) + z * z / (c * c)));
            }
    const Mesh m = marchingCubes(v, 0.0f, nullptr, 3);
    checkClosed(m, "ellipsoid");
    const double expected = 4.0 / 3.0 * std::numbers::pi * a * b * c;
    QVERIFY2(std::abs(signedVolume(m) / expected - 1) < 0.02, qPrintable(QString::number(signedVolume(m) / expected)));
    const Bounds3 bb = computeBounds(m);
    QVERIFY(std::abs(bb.max.x - a) < 0.05 && std::abs(bb.max.y - b) < 0.04 && std::abs(bb.max.z - c) < 0.03);
    QVERIFY(meshtest::verticesOnGridEdges(m, v));
}

void TestMarchingCubes::noiseIsWatertight_data()
{
    QTest::addColumn<int>("nx");
    QTest::addColumn<int>("ny");
    QTest::addColumn<int>("nz");
    QTest::addColumn<double>("nanRate");
    QTest::addColumn<bool>("integers");
    QTest::addColumn<int>("seeds");
    QTest::newRow("tiny integers") << 4 << 4 << 4 << 0.0 << true << 400;
    QTest::newRow("small integers") << 7 << 6 << 8 << 0.0 << true << 200;
    QTest::newRow("small continuous") << 8 << 7 << 6 << 0.0 << false << 200;
    QTest::newRow("integers with NaN") << 9 << 8 << 7 << 0.15 << true << 150;
    QTest::newRow("continuous with NaN") << 8 << 9 << 10 << 0.1 << false << 150;
    QTest::newRow("larger integers") << 24 << 20 << 17 << 0.02 << true << 12;
    QTest::newRow("larger continuous") << 20 << 26 << 19 << 0.0 << false << 12;
}

void TestMarchingCubes::noiseIsWatertight()
{
    QFETCH(int, nx);
    QFETCH(int, ny);
    QFETCH(int, nz);
    QFETCH(double, nanRate);
    QFETCH(bool, integers);
    QFETCH(int, seeds);
    std::size_t totalFaces = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        const Volume v = meshtest::noiseVolume(nx, ny, nz, std::uint32_t(seed * 7919 + nx), nanRate, integers);
        const Mesh m = marchingCubes(v, 0.0f, nullptr, 1 + seed % 3);
        QVERIFY(m.isValid());
        totalFaces += m.faceCount();
        const MeshTopology t = analyzeTopology(m);
        if (!t.isWatertight() || !t.isConsistentlyOriented())
            QFAIL(qPrintable(QStringLiteral("seed %1: boundary %2, non-manifold %3, inconsistent %4")
                                 .arg(seed)
                                 .arg(t.boundaryEdges)
                                 .arg(t.nonManifoldEdges)
                                 .arg(t.inconsistentEdges)));
        if (!m.empty())
            QVERIFY2(signedVolume(m) > 0, qPrintable(QStringLiteral("seed %1").arg(seed)));
        QCOMPARE(m.vertexCount(), meshtest::crossedEdges(v, 0.0f));
        QCOMPARE(meshtest::distinctPositions(m), m.vertexCount());
        QCOMPARE(meshtest::degenerateFaces(m), std::size_t(0));
        QVERIFY(meshtest::verticesOnGridEdges(m, v));
    }
    QVERIFY(totalFaces > std::size_t(seeds) * 10); // the volumes did produce surfaces
}

void TestMarchingCubes::torusIsWatertight()
{
    const float R = 0.55f, r = 0.18f;
    const Volume v = meshtest::makeVolume(64, -1, 1, [R, r](float x, float y, float z) {
        const float q = std::sqrt(x * x + z * z) - R;
        return r - std::sqrt(q * q + y * y);
    });
    const Mesh m = marchingCubes(v, 0.0f, nullptr, 2);
    checkClosed(m, "torus");
    QCOMPARE(analyzeTopology(m).components, std::size_t(1));
    // Genus 1: V - E + F = 0.
    QCOMPARE(std::int64_t(m.vertexCount()) - std::int64_t(m.faceCount()) / 2, std::int64_t(0));
    const double expected = 2 * std::numbers::pi * std::numbers::pi * R * r * r;
    QVERIFY2(std::abs(signedVolume(m) / expected - 1) < 0.02, qPrintable(QString::number(signedVolume(m) / expected)));
}

void TestMarchingCubes::nearlyTouchingSpheresAreWatertight_data()
{
    QTest::addColumn<float>("gapInCells");
    QTest::addColumn<float>("offset");
    QTest::newRow("gap 0.3 cells") << 0.3f << 0.0f;
    QTest::newRow("gap 0.05 cells, off-grid") << 0.05f << 0.37f;
    QTest::newRow("overlap 0.2 cells") << -0.2f << 0.11f;
}

void TestMarchingCubes::nearlyTouchingSpheresAreWatertight()
{
    // Two spheres nearly touching along a diagonal: their thin gap crosses cell faces with diagonal inside
    // corners, where only the decider keeps both cells in agreement.
    QFETCH(float, gapInCells);
    QFETCH(float, offset);
    const int n = 48;
    const float h = 2.0f / n, r = 0.4f;
    const float d = (2 * r + gapInCells * h) / std::sqrt(3.0f) / 2; // centres at +-(d, d, d)
    const float o = offset * h;
    const Volume v = meshtest::makeVolume(n, -1, 1, [=](float x, float y, float z) {
        auto s = [&](float cx) {
            const float dx = x - cx - o, dy = y - cx, dz = z - cx;
            return r - std::sqrt(dx * dx + dy * dy + dz * dz);
        };
        return std::max(s(d), s(-d));
    });
    // The gap does produce cells with ambiguous faces.
    int ambiguousCells = 0;
    for (int ix = 0; ix < n; ++ix)
        for (int iy = 0; iy < n; ++iy)
            for (int iz = 0; iz < n; ++iz) {
                unsigned cube = 0;
                for (int c = 0; c < 8; ++c)
                    if (v.values[v.index(ix + (c & 1), iy + ((c >> 1) & 1), iz + ((c >> 2) & 1))] > 0)
                        cube |= 1u << c;
                ambiguousCells += marchingCubesTable().ambiguousFaces[cube] != 0;
            }
    QVERIFY(ambiguousCells > 0);
    const Mesh m = marchingCubes(v, 0.0f, nullptr, 2);
    checkClosed(m, "two spheres");
    QVERIFY(signedVolume(m) > 0);
    const std::size_t components = analyzeTopology(m).components;
    QVERIFY(components == 1 || components == 2);
}

void TestMarchingCubes::openSurfaceAtGridBorder()
{
    // A sphere cut by the grid: open where it leaves, but still manifold and consistently oriented.
    const Volume v = meshtest::makeVolume(40, -1, 1, [](float x, float y, float z) {
        return 0.6f - std::sqrt((x - 0.7f) * (x - 0.7f) + y * y + z * z);
    });
    const Mesh m = marchingCubes(v, 0.0f);
    const MeshTopology t = analyzeTopology(m);
    QVERIFY(t.boundaryEdges > 0);
    QCOMPARE(t.nonManifoldEdges, std::size_t(0));
    QCOMPARE(t.inconsistentEdges, std::size_t(0));
    const Bounds3 b = computeBounds(m);
    QCOMPARE(b.max.x, 1.0f); // boundary vertices lie on the grid's last plane
}

void TestMarchingCubes::outputIndependentOfThreadCount_data()
{
    QTest::addColumn<QString>("shape");
    QTest::newRow("sphere") << QStringLiteral("sphere");
    QTest::newRow("noise") << QStringLiteral("noise");
}

void TestMarchingCubes::outputIndependentOfThreadCount()
{
    QFETCH(QString, shape);
    const Volume v = shape == QLatin1String("sphere") ? meshtest::sphereVolume(61, 0.7f)
                                                        : meshtest::noiseVolume(37, 23, 29, 42, 0.05, false);
    const Mesh one = marchingCubes(v, 0.0f, nullptr, 1);
    QVERIFY(!one.empty());
    for (const int threads : {2, 3, 8, 0}) {
        const Mesh other = marchingCubes(v, 0.0f, nullptr, threads);
        QVERIFY2(meshtest::sameMesh(one, other), qPrintable(QStringLiteral("threads %1").arg(threads)));
    }
}

void TestMarchingCubes::emptyWhenNothingCrosses()
{
    const Volume v = meshtest::sphereVolume(8, 0.5f);
    QVERIFY(marchingCubes(v, 10.0f).empty());
    QVERIFY(marchingCubes(v, -10.0f).empty()); // everything inside: the surface leaves the grid entirely
}

void TestMarchingCubes::deviceVolumeIsDownloaded()
{
    Volume host = meshtest::sphereVolume(20, 0.5f);
    Volume dev = host;
    dev.device = std::make_shared<FakeDeviceVolume>(host.values);
    dev.values.clear();
    QVERIFY(dev.isValid());
    QVERIFY(meshtest::sameMesh(marchingCubes(host, 0.0f), marchingCubes(dev, 0.0f)));

    dev.device = std::make_shared<FakeDeviceVolume>(std::vector<float>(5, 0.0f));
    QVERIFY_THROWS_EXCEPTION(MeshingError, marchingCubes(dev, 0.0f));
}

void TestMarchingCubes::invalidVolumeThrows_data()
{
    QTest::addColumn<int>("defect");
    QTest::newRow("one point along x") << 0;
    QTest::newRow("value count mismatch") << 1;
    QTest::newRow("zero spacing") << 2;
    QTest::newRow("negative spacing") << 3;
    QTest::newRow("NaN origin") << 4;
    QTest::newRow("NaN level") << 5;
    QTest::newRow("no values, no device") << 6;
}

void TestMarchingCubes::invalidVolumeThrows()
{
    QFETCH(int, defect);
    Volume v = meshtest::sphereVolume(6, 0.5f);
    float level = 0.0f;
    switch (defect) {
    case 0:
        v.nx = 1;
        v.values.resize(v.pointCount());
        break;
    case 1: v.values.pop_back(); break;
    case 2: v.spacing.y = 0; break;
    case 3: v.spacing.z = -0.1f; break;
    case 4: v.origin.x = std::nanf(""); break;
    case 5: level = std::nanf(""); break;
    case 6: v.values.clear(); break;
    }
    try {
        marchingCubes(v, level);
        QFAIL("no exception");
    } catch (const MeshingError& e) {
        QCOMPARE(e.kind(), ErrorKind::Meshing);
        QVERIFY(e.stage() == Stage::SurfaceExtraction);
    }
}

void TestMarchingCubes::cancelledThrows()
{
    const Volume v = meshtest::sphereVolume(32, 0.5f);
    CancelToken token;
    token.cancel();
    RunContext ctx({}, {}, token);
    for (const int threads : {1, 4}) {
        try {
            marchingCubes(v, 0.0f, &ctx, threads);
            QFAIL("no exception");
        } catch (const CancelledError& e) {
            QCOMPARE(e.kind(), ErrorKind::Cancelled);
            QVERIFY(e.stage() == Stage::SurfaceExtraction);
        }
    }
}

void TestMarchingCubes::reportsProgress()
{
    std::vector<double> fractions;
    RunContext ctx([&](const ProgressEvent& e) {
        QVERIFY(e.stage == Stage::SurfaceExtraction);
        fractions.push_back(e.fraction);
    }, {});
    const Volume v = meshtest::sphereVolume(40, 0.5f);
    marchingCubes(v, 0.0f, &ctx, 1);
    QVERIFY(fractions.size() >= 3);
    QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    QCOMPARE(fractions.front(), 0.0);
    QCOMPARE(fractions.back(), 1.0);
}

QTEST_GUILESS_MAIN(TestMarchingCubes)
#include "tst_marching_cubes.moc"
