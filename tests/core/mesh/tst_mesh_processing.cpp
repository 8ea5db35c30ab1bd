// Mesh post-processing and analysis: floaters, degenerate faces, duplicates, face budget (staying closed),
// normals, attributes, invalid input and cancellation; the linear-time helpers against sorting.

#include "mesh_test_util.h"

#include "mesh/mesh_internal.h"

#include "orfeas/errors.h"
#include "orfeas/marching_cubes.h"
#include "orfeas/mesh_processing.h"
#include "orfeas/run_context.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <numeric>
#include <random>

using namespace orfeas;

namespace {

// A closed octahedron with vertices on the axes (|v| = 1), 8 faces oriented outward.
Mesh octahedron()
{
    Mesh m;
    m.positions = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    m.indices = {0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5};
    return m;
}

// A unit cube [0,1]^3, 12 faces oriented outward.
Mesh cube()
{
    Mesh m;
    for (int i = 0; i < 8; ++i)
        m.positions.push_back({float(i & 1), float((i >> 1) & 1), float((i >> 2) & 1)});
    m.indices = {0, 2, 3, 0, 3, 1, 4, 5, 7, 4, 7, 6, 0, 1, 5, 0, 5, 4,
                 2, 6, 7, 2, 7, 3, 0, 4, 6, 0, 6, 2, 1, 3, 7, 1, 7, 5};
    return m;
}

// Smooth random blobs inside [-1, 1]^3 (trilinear noise minus a radial term), closed inside the grid.
Volume smoothNoise(int n, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1, 1);
    const int c = 15;
    std::vector<float> coarse(std::size_t(c * c * c));
    for (auto& x : coarse)
        x = u(rng);
    return meshtest::makeVolume(n, -1, 1, [&](float x, float y, float z) {
        const float fx = (x + 1) / 2 * (c - 1), fy = (y + 1) / 2 * (c - 1), fz = (z + 1) / 2 * (c - 1);
        const int ix = std::min(int(fx), c - 2), iy = std::min(int(fy), c - 2), iz = std::min(int(fz), c - 2);
        const float tx = fx - float(ix), ty = fy - float(iy), tz = fz - float(iz);
        float r = 0;
        for (int k = 0; k < 8; ++k) {
            const int dx = k & 1, dy = (k >> 1) & 1, dz = k >> 2;
            r += coarse[std::size_t(((ix + dx) * c + iy + dy) * c + iz + dz)] * (dx ? tx : 1 - tx) *
                 (dy ? ty : 1 - ty) * (dz ? tz : 1 - tz);
        }
        return r + 0.5f - 2.0f * std::sqrt(x * x + y * y + z * z);
    });
}

MeshTopology topo(const Mesh& m)
{
    return analyzeTopology(m);
}

void verifyClosed(const Mesh& m)
{
    const MeshTopology t = topo(m);
    QVERIFY2(t.isWatertight() && t.isConsistentlyOriented(),
             qPrintable(QStringLiteral("boundary %1, non-manifold %2, inconsistent %3")
                            .arg(t.boundaryEdges)
                            .arg(t.nonManifoldEdges)
                            .arg(t.inconsistentEdges)));
}

// Sorting references for the helpers in mesh/mesh_internal.h (what they replaced).

std::array<std::uint32_t, 3> positionBits(const Vec3f& p)
{
    std::array<std::uint32_t, 3> bits{};
    const float c[3] = {p.x == 0.0f ? 0.0f : p.x, p.y == 0.0f ? 0.0f : p.y, p.z == 0.0f ? 0.0f : p.z};
    std::memcpy(bits.data(), c, sizeof c);
    return bits;
}

std::vector<std::uint32_t> referenceWeld(const std::vector<Vec3f>& positions, std::uint32_t& count)
{
    std::vector<std::uint32_t> order(positions.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return std::make_pair(positionBits(positions[a]), a) < std::make_pair(positionBits(positions[b]), b);
    });
    std::vector<std::uint32_t> first(positions.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        first[order[i]] = i > 0 && positionBits(positions[order[i]]) == positionBits(positions[order[i - 1]])
                              ? first[order[i - 1]]
                              : order[i];
    std::vector<std::uint32_t> ids(positions.size());
    count = 0;
    for (std::size_t i = 0; i < positions.size(); ++i)
        ids[i] = first[i] == i ? count++ : ids[first[i]];
    return ids;
}

std::vector<std::uint64_t> referenceDefectEdges(const std::vector<std::uint32_t>& indices,
                                                const std::vector<std::uint32_t>& ids)
{
    std::vector<std::pair<std::uint64_t, bool>> half; // (min << 32 | max, forward)
    for (std::size_t f = 0; f + 2 < indices.size(); f += 3)
        for (std::size_t k = 0; k < 3; ++k) {
            const std::uint64_t a = ids[indices[f + k]], b = ids[indices[f + (k + 1) % 3]];
            if (a != b)
                half.emplace_back(std::min(a, b) << 32 | std::max(a, b), a < b);
        }
    std::sort(half.begin(), half.end());
    std::vector<std::uint64_t> defects;
    for (std::size_t i = 0, j = 0; i < half.size(); i = j) {
        std::size_t forward = 0;
        for (j = i; j < half.size() && half[j].first == half[i].first; ++j)
            forward += half[j].second ? 1 : 0;
        if (j - i != 2 || forward != 1)
            defects.push_back(half[i].first);
    }
    return defects;
}

void referenceCancelDuplicateFaces(std::vector<std::uint32_t>& indices, const std::vector<std::uint32_t>& ids)
{
    const std::size_t faces = indices.size() / 3;
    auto welded = [&](std::size_t f) {
        return std::array<std::uint32_t, 3>{ids[indices[3 * f]], ids[indices[3 * f + 1]], ids[indices[3 * f + 2]]};
    };
    std::vector<std::pair<std::array<std::uint32_t, 3>, std::size_t>> keys; // (sorted welded ids, face)
    for (std::size_t f = 0; f < faces; ++f) {
        auto v = welded(f);
        std::sort(v.begin(), v.end());
        keys.emplace_back(v, f);
    }
    std::sort(keys.begin(), keys.end());
    std::vector<char> drop(faces, 0);
    for (std::size_t i = 0, j = 0; i < faces; i = j) {
        for (j = i; j < faces && keys[j].first == keys[i].first; ++j) {
        }
        if (j - i != 2)
            continue;
        const auto a = welded(keys[i].second), b = welded(keys[i + 1].second);
        const bool same = a == b || a == std::array<std::uint32_t, 3>{b[1], b[2], b[0]} ||
                          a == std::array<std::uint32_t, 3>{b[2], b[0], b[1]};
        drop[keys[i + 1].second] = 1;
        drop[keys[i].second] = same ? 0 : 1;
    }
    std::vector<std::uint32_t> kept;
    for (std::size_t f = 0; f < faces; ++f)
        if (!drop[f])
            kept.insert(kept.end(), indices.begin() + std::ptrdiff_t(3 * f),
                        indices.begin() + std::ptrdiff_t(3 * f + 3));
    indices = kept;
}

// Positions drawn from a few coordinates (+0 and -0 among them), so that many coincide.
std::vector<Vec3f> randomPositions(std::mt19937& rng, std::size_t n, int values)
{
    std::uniform_int_distribution<int> pick(0, values - 1);
    auto coordinate = [&] {
        const int v = pick(rng);
        return v == 0 ? -0.0f : float(v - values / 2) * 0.25f;
    };
    std::vector<Vec3f> positions(n);
    for (auto& p : positions)
        p = {coordinate(), coordinate(), coordinate()};
    return positions;
}

// Random faces over `vertices` vertices, with what reductions leave: collapsed faces, the same face again (rotated
// or not), the opposite face, three or four faces on one edge.
std::vector<std::uint32_t> randomFaces(std::mt19937& rng, std::uint32_t vertices, std::size_t faces)
{
    std::uniform_int_distribution<std::uint32_t> vertex(0, vertices - 1);
    std::uniform_int_distribution<int> kind(0, 9);
    std::vector<std::uint32_t> indices;
    while (indices.size() < 3 * faces) {
        const std::size_t n = indices.size() / 3;
        const int k = n > 0 ? kind(rng) : 0;
        if (k <= 5) {
            indices.insert(indices.end(), {vertex(rng), vertex(rng), vertex(rng)});
            continue;
        }
        const std::size_t g = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
        const std::uint32_t a = indices[3 * g], b = indices[3 * g + 1], c = indices[3 * g + 2];
        switch (k) {
        case 6: indices.insert(indices.end(), {b, c, a}); break;
        case 7: indices.insert(indices.end(), {a, c, b}); break;
        case 8: indices.insert(indices.end(), {b, a, vertex(rng)}); break;
        default: indices.insert(indices.end(), {a, a, vertex(rng)}); break;
        }
    }
    std::vector<std::size_t> order(faces);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::uint32_t> shuffled;
    for (const auto f : order)
        shuffled.insert(shuffled.end(), indices.begin() + std::ptrdiff_t(3 * f),
                        indices.begin() + std::ptrdiff_t(3 * f + 3));
    return shuffled;
}

PostprocessOptions options(int budget, float ratio = 0.0f, bool keepClosed = true)
{
    PostprocessOptions o;
    o.faceBudget = budget;
    o.minComponentRatio = ratio;
    o.keepClosed = keepClosed;
    return o;
}

} // namespace

class TestMeshProcessing : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void analysisOfSimpleMeshes();
    void topologyDefectsAreCounted();
    void normalsAreUnitAndOutward();
    void smallComponentsRemoved_data();
    void smallComponentsRemoved();
    void degenerateFacesRemovedKeepingClosed();
    void duplicateVerticesMergedButSeamsKept();
    void budgetRespectedAndClosed_data();
    void budgetRespectedAndClosed();
    void thinPartsStayClosed_data();
    void thinPartsStayClosed();
    void pathologicalMeshPrefersClosedOrBudget();
    void largeMeshesReducedInPieces_data();
    void largeMeshesReducedInPieces();
    void attributesFollowVertices();
    void deterministic();
    void invalidInputThrows_data();
    void invalidInputThrows();
    void cancelledThrows();
    void weldMatchesSorting();
    void sortByVertexMatchesStableSort();
    void defectsAndDuplicateFacesMatchSorting();

private:
    Mesh m_sphere100k;
};

void TestMeshProcessing::analysisOfSimpleMeshes()
{
    const Mesh c = cube();
    QCOMPARE(surfaceArea(c), 6.0);
    QCOMPARE(signedVolume(c), 1.0);
    const MeshTopology t = topo(c);
    QCOMPARE(t.boundaryEdges, std::size_t(0));
    QCOMPARE(t.nonManifoldEdges, std::size_t(0));
    QCOMPARE(t.inconsistentEdges, std::size_t(0));
    QCOMPARE(t.components, std::size_t(1));

    Mesh flipped = c;
    for (std::size_t f = 0; f < flipped.indices.size(); f += 3)
        std::swap(flipped.indices[f + 1], flipped.indices[f + 2]);
    QCOMPARE(signedVolume(flipped), -1.0);

    const Mesh o = octahedron();
    QVERIFY(std::abs(signedVolume(o) - 4.0 / 3.0) < 1e-12);
    QVERIFY(std::abs(surfaceArea(o) - 4 * std::sqrt(3.0)) < 1e-12);

    QCOMPARE(topo(Mesh{}).components, std::size_t(0));
    QCOMPARE(signedVolume(Mesh{}), 0.0);
}

void TestMeshProcessing::topologyDefectsAreCounted()
{
    Mesh m;
    m.positions = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {5, 5, 5}, {6, 5, 5}, {5, 6, 5}};
    m.indices = {0, 1, 2};
    MeshTopology t = topo(m);
    QCOMPARE(t.boundaryEdges, std::size_t(3));
    QCOMPARE(t.components, std::size_t(1));

    m.indices = {0, 1, 2, 0, 1, 3}; // edge 0 -> 1 twice the same way
    t = topo(m);
    QCOMPARE(t.inconsistentEdges, std::size_t(1));
    QCOMPARE(t.boundaryEdges, std::size_t(4));

    m.indices = {0, 1, 2, 1, 0, 3, 1, 0, 4}; // edge 0-1 used by three faces
    t = topo(m);
    QCOMPARE(t.nonManifoldEdges, std::size_t(1));

    m.indices = {0, 1, 2, 4, 5, 6};
    QCOMPARE(topo(m).components, std::size_t(2));

    // A vertex duplicated at the same position (a uv seam) does not open the mesh.
    Mesh o = octahedron();
    o.positions.push_back(o.positions[0]);
    o.indices[0] = 6; // face 0 2 4 now uses the copy
    o.indices[9 + 1] = 6; // face 3 0 4 too
    QVERIFY(topo(o).isWatertight());
}

void TestMeshProcessing::normalsAreUnitAndOutward()
{
    Mesh m = marchingCubes(meshtest::sphereVolume(64, 0.6f), 0.0f);
    computeVertexNormals(m);
    QCOMPARE(m.normals.size(), m.positions.size());
    double worst = 1;
    for (std::size_t i = 0; i < m.positions.size(); ++i) {
        const Vec3f n = m.normals[i], p = m.positions[i];
        QVERIFY(std::abs(std::sqrt(double(n.x) * n.x + double(n.y) * n.y + double(n.z) * n.z) - 1) < 1e-5);
        const double len = std::sqrt(double(p.x) * p.x + double(p.y) * p.y + double(p.z) * p.z);
        worst = std::min(worst, (double(n.x) * p.x + double(n.y) * p.y + double(n.z) * p.z) / len);
    }
    QVERIFY2(worst > 0.98, qPrintable(QString::number(worst))); // the radial direction, within ~11 degrees
}

void TestMeshProcessing::smallComponentsRemoved_data()
{
    QTest::addColumn<float>("ratio");
    QTest::addColumn<int>("expectedComponents");
    QTest::newRow("default ratio drops the floater") << 0.02f << 1;
    QTest::newRow("ratio 0 keeps it") << 0.0f << 2;
}

void TestMeshProcessing::smallComponentsRemoved()
{
    QFETCH(float, ratio);
    QFETCH(int, expectedComponents);
    // A big sphere and a small floating one.
    const Volume v = meshtest::makeVolume(64, -1, 1, [](float x, float y, float z) {
        const float big = 0.5f - std::sqrt(x * x + y * y + z * z);
        const float dx = x - 0.8f, dy = y - 0.8f, dz = z - 0.8f;
        const float small = 0.06f - std::sqrt(dx * dx + dy * dy + dz * dz);
        return std::max(big, small);
    });
    Mesh m = marchingCubes(v, 0.0f);
    QCOMPARE(topo(m).components, std::size_t(2));
    const PostprocessStats s = postprocessMesh(m, options(0, ratio));
    QCOMPARE(int(topo(m).components), expectedComponents);
    QCOMPARE(int(s.componentsRemoved), 2 - expectedComponents);
    verifyClosed(m);
    QVERIFY(m.isValid());
    if (expectedComponents == 1) {
        const Bounds3 b = computeBounds(m);
        QVERIFY(b.max.x < 0.55f); // the floater's vertices were dropped too
    }
}

void TestMeshProcessing::degenerateFacesRemovedKeepingClosed()
{
    // GIVEN a closed octahedron where edge 0-2 is split at its midpoint w on one side only, closed by the
    // zero-area face (0, 2, w), plus a face with a repeated index.
    Mesh m = octahedron();
    m.positions.push_back({0.5f, 0.5f, 0.0f}); // w = 6, exactly on the segment 0-2
    // Face (0, 2, 4) becomes (0, w, 4) + (w, 2, 4); face (2, 0, 5) keeps the long edge.
    m.indices[1] = 6;
    m.indices.insert(m.indices.end(), {6, 2, 4});
    m.indices.insert(m.indices.end(), {0, 2, 6}); // zero area
    QVERIFY(topo(m).isWatertight());
    m.indices.insert(m.indices.end(), {1, 1, 3}); // repeated index
    const double area = surfaceArea(m), volume = signedVolume(m);
    // WHEN post-processed without reduction
    const PostprocessStats s = postprocessMesh(m, options(0));
    // THEN both degenerate faces are gone and the mesh is still closed with the same shape.
    QCOMPARE(s.degenerateRemoved, std::size_t(2));
    QCOMPARE(meshtest::degenerateFaces(m), std::size_t(0));
    verifyClosed(m);
    QVERIFY(std::abs(surfaceArea(m) - area) < 1e-6);
    QVERIFY(std::abs(signedVolume(m) - volume) < 1e-6);
    QCOMPARE(m.faceCount(), std::size_t(10)); // 11 - 2 degenerate + 1 from splitting the neighbour
}

void TestMeshProcessing::duplicateVerticesMergedButSeamsKept()
{
    // A copy of vertex 0 used by two faces: merged when identical, kept when its uv differs (a seam).
    for (const bool seam : {false, true}) {
        Mesh m = octahedron();
        m.uvs.resize(m.positions.size(), Vec2f{0.25f, 0.5f});
        m.positions.push_back(m.positions[0]);
        m.uvs.push_back(seam ? Vec2f{0.75f, 0.5f} : Vec2f{0.25f, 0.5f});
        m.indices[0] = 6;
        m.indices[9 + 1] = 6;
        const PostprocessStats s = postprocessMesh(m, options(0));
        QCOMPARE(s.duplicatesMerged, std::size_t(seam ? 0 : 1));
        QCOMPARE(m.vertexCount(), std::size_t(seam ? 7 : 6));
        QCOMPARE(m.uvs.size(), m.vertexCount());
        verifyClosed(m);
        if (seam) // both copies get the same smooth normal
            QCOMPARE(m.normals[0].x, m.normals[6].x);
    }
}

void TestMeshProcessing::budgetRespectedAndClosed_data()
{
    QTest::addColumn<int>("budget");
    QTest::newRow("40k") << 40000;
    QTest::newRow("5k") << 5000;
    QTest::newRow("1k") << 1000;
}

void TestMeshProcessing::budgetRespectedAndClosed()
{
    QFETCH(int, budget);
    // GIVEN a sphere of about 100k faces
    if (m_sphere100k.empty())
        m_sphere100k = marchingCubes(meshtest::sphereVolume(170, 0.6f), 0.0f);
    Mesh m = m_sphere100k;
    QVERIFY(m.faceCount() > 90000 && m.faceCount() < 110000);
    const double volumeIn = signedVolume(m);
    std::vector<std::string> warnings;
    RunContext ctx({}, [&](LogLevel level, const std::string& msg) {
        if (level == LogLevel::Warning)
            warnings.push_back(msg);
    });
    // WHEN reduced to the budget
    const PostprocessStats s = postprocessMesh(m, options(budget, 0.02f), &ctx);
    // THEN it is within budget, closed, oriented, the same shape, with outward unit normals
    QVERIFY(m.faceCount() <= std::size_t(budget));
    QVERIFY(m.faceCount() >= std::size_t(budget) * 95 / 100);
    QCOMPARE(s.facesOut, m.faceCount());
    QVERIFY(!s.budgetExceeded);
    QVERIFY(warnings.empty());
    verifyClosed(m);
    QCOMPARE(topo(m).components, std::size_t(1));
    QVERIFY2(std::abs(signedVolume(m) / volumeIn - 1) < 0.03, qPrintable(QString::number(signedVolume(m) / volumeIn)));
    QVERIFY(m.isValid());
    QCOMPARE(m.normals.size(), m.vertexCount());
    std::vector<char> used(m.vertexCount(), 0);
    for (const auto i : m.indices)
        used[i] = 1;
    QVERIFY(std::all_of(used.begin(), used.end(), [](char u) { return u != 0; })); // compacted
    // Normals: unit length and within 25 degrees of the radial direction.
    for (std::size_t i = 0; i < m.vertexCount(); ++i) {
        const Vec3f n = m.normals[i], p = m.positions[i];
        QVERIFY(std::abs(std::sqrt(n.x * n.x + n.y * n.y + n.z * n.z) - 1.0f) < 1e-5f);
        const float radial = (n.x * p.x + n.y * p.y + n.z * p.z) / std::sqrt(p.x * p.x + p.y * p.y + p.z * p.z);
        QVERIFY2(radial > 0.9f, qPrintable(QStringLiteral("vertex %1: %2").arg(i).arg(radial)));
    }
    // Faces folded across the surface (meshoptimizer 0.18 leaves needles; the fold repair flips them away).
    std::size_t folded = 0;
    for (std::size_t f = 0; f < m.faceCount(); ++f) {
        const Vec3f a = m.positions[m.indices[3 * f]], b = m.positions[m.indices[3 * f + 1]],
                    c = m.positions[m.indices[3 * f + 2]];
        const double u[3] = {double(b.x) - a.x, double(b.y) - a.y, double(b.z) - a.z};
        const double v[3] = {double(c.x) - a.x, double(c.y) - a.y, double(c.z) - a.z};
        const double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
        const double cosine = (n[0] * a.x + n[1] * a.y + n[2] * a.z) /
                              std::sqrt((n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) * (a.x * a.x + a.y * a.y + a.z * a.z));
        folded += cosine < 0.3;
    }
    QVERIFY2(folded <= m.faceCount() / 1000, qPrintable(QString::number(folded)));
}

void TestMeshProcessing::thinPartsStayClosed_data()
{
    QTest::addColumn<int>("seed");
    QTest::addColumn<int>("budget");
    for (const int seed : {1, 3, 4})
        for (const int budget : {5000, 2000})
            QTest::addRow("seed %d, budget %d", seed, budget) << seed << budget;
}

void TestMeshProcessing::thinPartsStayClosed()
{
    // Smooth random blobs with thin bridges: edge collapses there can pinch the surface.
    QFETCH(int, seed);
    QFETCH(int, budget);
    Mesh m = marchingCubes(smoothNoise(112, std::uint32_t(seed)), 0.0f);
    verifyClosed(m);
    const PostprocessStats s = postprocessMesh(m, options(budget));
    verifyClosed(m);
    QVERIFY(m.faceCount() <= std::size_t(budget));
    QCOMPARE(s.budgetExceeded, false);
    QVERIFY(signedVolume(m) > 0);
}

void TestMeshProcessing::largeMeshesReducedInPieces_data()
{
    QTest::addColumn<int>("shape");
    QTest::addColumn<int>("budget");
    QTest::newRow("sphere 400k faces -> 40k") << 0 << 40000;
    QTest::newRow("thin blobs -> 20k") << 1 << 20000;
    QTest::newRow("thin blobs -> 5k") << 1 << 5000;
}

void TestMeshProcessing::largeMeshesReducedInPieces()
{
    // Meshes above 150k faces are first reduced in parallel slabs with locked cuts (mesh_reduce.cpp).
    QFETCH(int, shape);
    QFETCH(int, budget);
    const Mesh input = shape == 0 ? marchingCubes(meshtest::sphereVolume(340, 0.6f), 0.0f)
                                  : marchingCubes(smoothNoise(240, 3), 0.0f);
    QVERIFY2(input.faceCount() > 150000, qPrintable(QString::number(input.faceCount())));
    verifyClosed(input);
    const double volumeIn = signedVolume(input);
    Mesh a = input, b = input;
    std::string steps;
    RunContext ctx({}, [&](LogLevel, const std::string& message) {
        if (message.rfind("mesh reduction: ", 0) == 0)
            steps = message;
    });
    const PostprocessStats s = postprocessMesh(a, options(budget), &ctx);
    // The slabs really reduce (a slab whose join would add a defect edge is put back as it was; joins that fail
    // everywhere would leave the work to the sequential reduction).
    unsigned long before = 0, after = 0;
    QVERIFY2(std::sscanf(steps.c_str(), "mesh reduction: pre-reduction in 16 slabs %lu -> %lu", &before, &after) == 2,
        steps.c_str());
    QCOMPARE(before, (unsigned long)(input.faceCount()));
    QVERIFY2(after < before / 2, steps.c_str());
    // THEN within budget, closed, oriented, the same volume, and the same result every time
    QVERIFY(!s.budgetExceeded);
    QVERIFY(a.faceCount() <= std::size_t(budget));
    QVERIFY(a.faceCount() >= std::size_t(budget) * 9 / 10);
    verifyClosed(a);
    QVERIFY2(std::abs(signedVolume(a) / volumeIn - 1) < 0.03, qPrintable(QString::number(signedVolume(a) / volumeIn)));
    postprocessMesh(b, options(budget));
    QVERIFY(meshtest::sameMesh(a, b));
}

void TestMeshProcessing::pathologicalMeshPrefersClosedOrBudget()
{
    // White noise: thin tunnels everywhere, so most collapses pinch something.
    const Mesh input = marchingCubes(meshtest::noiseVolume(24, 24, 24, 11, 0.0, false), 0.0f);
    verifyClosed(input);
    const int budget = 2000;
    QVERIFY(input.faceCount() > std::size_t(budget) * 5);

    Mesh closed = input;
    int warnings = 0;
    RunContext ctx({}, [&](LogLevel level, const std::string&) { warnings += level == LogLevel::Warning; });
    const PostprocessStats a = postprocessMesh(closed, options(budget), &ctx);
    verifyClosed(closed); // closed wins over the budget...
    QCOMPARE(a.budgetExceeded, closed.faceCount() > std::size_t(budget));
    QCOMPARE(warnings, a.budgetExceeded ? 1 : 0);
    QVERIFY(closed.faceCount() <= input.faceCount());

    Mesh reduced = input;
    const PostprocessStats b = postprocessMesh(reduced, options(budget, 0.0f, false));
    QVERIFY(reduced.faceCount() <= std::size_t(budget)); // ...unless the budget is asked to win
    QVERIFY(!b.budgetExceeded);
}

void TestMeshProcessing::attributesFollowVertices()
{
    // uv and colour derived from each vertex's position must still match after every step.
    Mesh m = marchingCubes(meshtest::sphereVolume(96, 0.6f), 0.0f);
    auto uvOf = [](const Vec3f& p) { return Vec2f{p.x * 0.5f + 0.5f, p.y * 0.5f + 0.5f}; };
    auto colorOf = [](const Vec3f& p) {
        return Color8{std::uint8_t(p.x * 100 + 128), std::uint8_t(p.y * 100 + 128), std::uint8_t(p.z * 100 + 128), 255};
    };
    auto normalOf = [](const Vec3f& p) {
        const float l = std::sqrt(p.x * p.x + p.y * p.y + p.z * p.z);
        return Vec3f{p.x / l, p.y / l, p.z / l};
    };
    for (const auto& p : m.positions) {
        m.uvs.push_back(uvOf(p));
        m.colors.push_back(colorOf(p));
        m.normals.push_back(normalOf(p));
    }
    PostprocessOptions o = options(3000);
    o.computeNormals = false; // the given normals are kept
    postprocessMesh(m, o);
    QVERIFY(m.isValid());
    QCOMPARE(m.uvs.size(), m.vertexCount());
    QCOMPARE(m.colors.size(), m.vertexCount());
    QCOMPARE(m.normals.size(), m.vertexCount());
    for (std::size_t i = 0; i < m.vertexCount(); ++i) {
        const Vec2f uv = uvOf(m.positions[i]);
        const Color8 c = colorOf(m.positions[i]);
        const Vec3f n = normalOf(m.positions[i]);
        QCOMPARE(m.uvs[i].x, uv.x);
        QCOMPARE(m.uvs[i].y, uv.y);
        QVERIFY(m.colors[i].r == c.r && m.colors[i].g == c.g && m.colors[i].b == c.b);
        QVERIFY(m.normals[i].x == n.x && m.normals[i].y == n.y && m.normals[i].z == n.z);
    }
}

void TestMeshProcessing::deterministic()
{
    const Mesh input = marchingCubes(smoothNoise(64, 7), 0.0f);
    Mesh a = input, b = input;
    postprocessMesh(a, options(1500, 0.05f));
    postprocessMesh(b, options(1500, 0.05f));
    QVERIFY(meshtest::sameMesh(a, b));
    QCOMPARE(a.normals.size(), b.normals.size());
    QVERIFY(std::memcmp(a.normals.data(), b.normals.data(), a.normals.size() * sizeof(Vec3f)) == 0);
}

void TestMeshProcessing::invalidInputThrows_data()
{
    QTest::addColumn<int>("defect");
    QTest::addColumn<int>("kind");
    QTest::newRow("index out of range") << 0 << int(ErrorKind::Meshing);
    QTest::newRow("uv count mismatch") << 1 << int(ErrorKind::Meshing);
    QTest::newRow("empty mesh") << 2 << int(ErrorKind::Meshing);
    QTest::newRow("only degenerate faces") << 3 << int(ErrorKind::Meshing);
    QTest::newRow("negative budget") << 4 << int(ErrorKind::Config);
    QTest::newRow("ratio above 1") << 5 << int(ErrorKind::Config);
    QTest::newRow("NaN ratio") << 6 << int(ErrorKind::Config);
}

void TestMeshProcessing::invalidInputThrows()
{
    QFETCH(int, defect);
    QFETCH(int, kind);
    Mesh m = octahedron();
    PostprocessOptions o = options(0);
    switch (defect) {
    case 0: m.indices[4] = 99; break;
    case 1: m.uvs.resize(2); break;
    case 2: m.indices.clear(); break;
    case 3: m.indices = {0, 0, 1, 2, 3, 3}; break;
    case 4: o.faceBudget = -1; break;
    case 5: o.minComponentRatio = 2; break;
    case 6: o.minComponentRatio = std::nanf(""); break;
    }
    try {
        postprocessMesh(m, o);
        QFAIL("no exception");
    } catch (const Error& e) {
        QCOMPARE(int(e.kind()), kind);
        if (kind == int(ErrorKind::Meshing))
            QVERIFY(e.stage() == Stage::MeshPostprocess);
    }
    if (defect == 0) {
        QVERIFY_THROWS_EXCEPTION(MeshingError, analyzeTopology(m));
        QVERIFY_THROWS_EXCEPTION(MeshingError, surfaceArea(m));
        QVERIFY_THROWS_EXCEPTION(MeshingError, signedVolume(m));
        QVERIFY_THROWS_EXCEPTION(MeshingError, computeVertexNormals(m));
    }
}

void TestMeshProcessing::cancelledThrows()
{
    Mesh m = marchingCubes(meshtest::sphereVolume(32, 0.6f), 0.0f);
    CancelToken token;
    token.cancel();
    RunContext ctx({}, {}, token);
    try {
        postprocessMesh(m, options(100), &ctx);
        QFAIL("no exception");
    } catch (const CancelledError& e) {
        QVERIFY(e.stage() == Stage::MeshPostprocess);
    }
}

void TestMeshProcessing::weldMatchesSorting()
{
    std::mt19937 rng(11);
    for (int trial = 0; trial < 40; ++trial) {
        const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 3000)(rng);
        const std::vector<Vec3f> positions = randomPositions(rng, n, 2 + trial % 12);
        std::uint32_t count = 0, expectedCount = 0;
        const std::vector<std::uint32_t> expected = referenceWeld(positions, expectedCount);
        QVERIFY(mesh::weldByPosition(positions, count) == expected);
        QCOMPARE(count, expectedCount);
        // Distinct positions: the identity, with or without looking.
        std::vector<Vec3f> distinct;
        for (std::size_t i = 0; i < n; ++i)
            if (expected[i] == distinct.size())
                distinct.push_back(positions[i]);
        std::vector<std::uint32_t> identity(distinct.size());
        std::iota(identity.begin(), identity.end(), 0u);
        QVERIFY(mesh::weldByPosition(distinct, count) == identity);
        QCOMPARE(std::size_t(count), distinct.size());
        QVERIFY(mesh::weldByPosition(distinct, count, /*distinct=*/true) == identity);
        QCOMPARE(std::size_t(count), distinct.size());
    }
}

void TestMeshProcessing::sortByVertexMatchesStableSort()
{
    struct Item {
        std::uint32_t vertex, key, tag;
    };
    // Ordered by vertex and key only: ties must keep their order, as in std::stable_sort.
    const auto less = [](const Item& a, const Item& b) {
        return a.vertex != b.vertex ? a.vertex < b.vertex : a.key < b.key;
    };
    std::mt19937 rng(12);
    for (int trial = 0; trial < 40; ++trial) {
        const std::uint32_t vertices = std::uniform_int_distribution<std::uint32_t>(1, 500)(rng);
        const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 4000)(rng);
        // Some vertices get many items (past the insertion sort's limit).
        std::uniform_int_distribution<std::uint32_t> vertex(0, vertices - 1), key(0, 1 + std::uint32_t(trial) % 8);
        std::vector<Item> items(n);
        for (std::size_t i = 0; i < n; ++i)
            items[i] = {i % 3 == 0 ? vertex(rng) % 4 : vertex(rng), key(rng), std::uint32_t(i)};
        std::vector<Item> expected = items;
        std::stable_sort(expected.begin(), expected.end(), less);
        mesh::sortByVertex(items, vertices, [](const Item& item) { return item.vertex; }, less);
        QCOMPARE(items.size(), expected.size());
        for (std::size_t i = 0; i < n; ++i)
            QVERIFY(items[i].vertex == expected[i].vertex && items[i].key == expected[i].key &&
                    items[i].tag == expected[i].tag);
    }
}

void TestMeshProcessing::defectsAndDuplicateFacesMatchSorting()
{
    std::mt19937 rng(13);
    for (int trial = 0; trial < 60; ++trial) {
        // Welded like a mesh with seams: a few positions shared by several vertices.
        const std::uint32_t vertices = std::uniform_int_distribution<std::uint32_t>(3, 400)(rng);
        const std::vector<Vec3f> positions = randomPositions(rng, vertices, 3 + trial % 10);
        std::uint32_t count = 0;
        const std::vector<std::uint32_t> ids = mesh::weldByPosition(positions, count);
        const std::size_t faces = std::uniform_int_distribution<std::size_t>(0, 3000)(rng);
        std::vector<std::uint32_t> indices = randomFaces(rng, vertices, faces);
        const std::vector<std::uint64_t> defects = mesh::defectEdges(indices, ids, count);
        QVERIFY(defects == referenceDefectEdges(indices, ids));
        QVERIFY(std::is_sorted(defects.begin(), defects.end()));
        std::vector<std::uint32_t> expected = indices;
        referenceCancelDuplicateFaces(expected, ids);
        mesh::cancelDuplicateFaces(indices, ids, count);
        QVERIFY(indices == expected);
    }
    // A closed mesh has none; without one face, its three edges.
    const Mesh o = octahedron();
    std::vector<std::uint32_t> identity(o.positions.size());
    std::iota(identity.begin(), identity.end(), 0u);
    QVERIFY(mesh::defectEdges(o.indices, identity, std::uint32_t(identity.size())).empty());
    const std::vector<std::uint32_t> open(o.indices.begin() + 3, o.indices.end());
    QCOMPARE(mesh::defectEdges(open, identity, std::uint32_t(identity.size())).size(), std::size_t(3));
}

QTEST_GUILESS_MAIN(TestMeshProcessing)
#include "tst_mesh_processing.moc"
