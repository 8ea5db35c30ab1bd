// The device-independent part of the CUDA marching cubes (core/cuda/mc_kernels.h), run on the host: a sequential
// emulation of the CUDA pipeline (classify, select, scan, emit) built from the very functions the kernels call, whose
// mesh must equal marchingCubes()'s bit for bit. Needs no GPU and no CUDA toolkit.

#include "orfeas/marching_cubes.h"
#include "orfeas/mesh_processing.h"

#include "gpu_test_volumes.h"
#include "mc_kernels.h"
#include "mc_table_image.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>
#include <numeric>

Q_DECLARE_METATYPE(orfeas::Volume)

using namespace orfeas;
using namespace orfeas::mccuda;

namespace {

Grid gridOf(const Volume& v, float level)
{
    Grid g;
    g.nx = v.nx;
    g.ny = v.ny;
    g.nz = v.nz;
    g.plane = std::uint32_t(v.ny) * std::uint32_t(v.nz);
    g.points = std::uint32_t(v.pointCount());
    g.level = level;
    g.ox = v.origin.x;
    g.oy = v.origin.y;
    g.oz = v.origin.z;
    g.sx = v.spacing.x;
    g.sy = v.spacing.y;
    g.sz = v.spacing.z;
    return g;
}

const std::vector<std::uint8_t>& tableImage()
{
    static const std::vector<std::uint8_t> image = buildTableImage();
    return image;
}

// The steps of mc_cuda.cu in the same order, one item at a time; checks the pipeline's own consistency checks too.
Mesh emulate(const Volume& v, float level)
{
    const Grid g = gridOf(v, level);
    const TableView table = tableView(tableImage().data());
    const float* values = v.values.data();
    const std::uint32_t points = g.points;

    std::vector<std::uint8_t> flags(points), cubes(points);
    std::uint64_t slotTotal = 0, cellTotal = 0;
    for (std::uint32_t p = 0; p < points; ++p) {
        flags[p] = classifyPoint(values, g, p);
        slotTotal += activeSlotsOfPoint(flags[p]);
    }
    for (std::uint32_t p = 0; p < points; ++p) {
        cubes[p] = classifyCell(flags.data(), g, p);
        cellTotal += cellActive(cubes[p]) ? 1 : 0;
    }
    std::vector<std::uint32_t> slots, cells;
    for (std::uint64_t s = 0; s < 2ull * points; ++s)
        if (slotVertexCount(flags.data(), g, std::uint32_t(s)) != 0)
            slots.push_back(std::uint32_t(s));
    for (std::uint32_t p = 0; p < points; ++p)
        if (cellActive(cubes[p]))
            cells.push_back(p);
    if (slots.size() != slotTotal || cells.size() != cellTotal)
        QTest::qFail("selection counts disagree with classification counts", __FILE__, __LINE__);
    if (slots.empty() || cells.empty()) {
        if (!slots.empty() || !cells.empty())
            QTest::qFail("crossed edges without active cells", __FILE__, __LINE__);
        return Mesh {};
    }

    std::vector<std::uint64_t> vertexCounts(slots.size() + 1, 0), vertexStart(slots.size() + 1);
    for (std::size_t i = 0; i < slots.size(); ++i)
        vertexCounts[i] = slotVertexCount(flags.data(), g, slots[i]);
    std::vector<std::uint16_t> entries(cells.size());
    std::vector<std::uint64_t> triangleCounts(cells.size() + 1, 0), triangleStart(cells.size() + 1);
    for (std::size_t i = 0; i < cells.size(); ++i) {
        entries[i] = cellEntry(values, g, table, cells[i], cubes[cells[i]]);
        triangleCounts[i] = table.triangleCount[entries[i]];
    }
    std::exclusive_scan(vertexCounts.begin(), vertexCounts.end(), vertexStart.begin(), std::uint64_t(0));
    std::exclusive_scan(triangleCounts.begin(), triangleCounts.end(), triangleStart.begin(), std::uint64_t(0));

    Mesh mesh;
    mesh.positions.resize(vertexStart.back());
    mesh.indices.resize(3 * triangleStart.back());
    for (std::size_t i = 0; i < slots.size(); ++i)
        emitSlotVertices(values, flags.data(), g, slots[i], &mesh.positions[vertexStart[i]].x);
    for (std::size_t i = 0; i < cells.size(); ++i)
        if (!emitCellTriangles(flags.data(), g, table, slots.data(), std::uint32_t(slots.size()), vertexStart.data(),
                cells[i], entries[i], mesh.indices.data() + 3 * triangleStart[i]))
            QTest::qFail("a triangle refers to an edge without a vertex", __FILE__, __LINE__);
    return mesh;
}

} // namespace

class TestCudaMcLogic : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tableImageMatchesTable();
    void arithmeticMatchesCpuFormulas();
    void slotsEnumerateCpuVertexOrder();
    void emulationEqualsCpu_data();
    void emulationEqualsCpu();
    void randomSmallVolumesEqualCpu();
};

void TestCudaMcLogic::tableImageMatchesTable()
{
    const McTable& table = marchingCubesTable();
    const TableView t = tableView(tableImage().data());
    QCOMPARE(tableImage().size(), kTableBytes);
    for (int e = 0; e < kEntries; ++e) {
        const auto& entry = table.triangles[std::size_t(e)];
        int n = 0;
        while (entry[std::size_t(n)] >= 0) {
            QCOMPARE(t.triangles[std::size_t(e) * kEntryStride + std::size_t(n)], entry[std::size_t(n)]);
            ++n;
        }
        QCOMPARE(int(t.triangleCount[e]) * 3, n);
    }
    for (int c = 0; c < 256; ++c)
        QCOMPARE(t.ambiguousFaces[c], table.ambiguousFaces[std::size_t(c)]);
    for (int f = 0; f < 6; ++f)
        for (int k = 0; k < 4; ++k)
            QCOMPARE(t.faceCorners[4 * f + k], McTable::kFaceCorners[f][k]);
}

// The formulas of marching_cubes.cpp (Grid::crossing, lerp, gx), written out independently.
void TestCudaMcLogic::arithmeticMatchesCpuFormulas()
{
    auto reference = [](float v0, float v1, float level) {
        if (std::isnan(v0) || std::isnan(v1))
            return 0.5f;
        const double t = (double(level) - double(v0)) / (double(v1) - double(v0));
        if (std::isnan(t))
            return 0.5f;
        return float(std::clamp(t, 1e-3, 1.0 - 1e-3));
    };
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float special[] = { 0.0f, -0.0f, 1.0f, -1.0f, 0.25f, 1e-30f, -1e-30f, 3e38f, -3e38f, inf, -inf, nan, 0.5f };
    for (float a : special)
        for (float b : special)
            for (float level : { 0.0f, 0.5f, -0.25f }) {
                const float got = edgeCrossing(a, b, level), want = reference(a, b, level);
                QVERIFY2(std::memcmp(&got, &want, sizeof(float)) == 0,
                    qPrintable(QStringLiteral("%1 %2 %3: %4 vs %5").arg(a).arg(b).arg(level).arg(got).arg(want)));
            }
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-3.0f, 3.0f);
    for (int k = 0; k < 100000; ++k) {
        const float a = u(rng), b = u(rng), level = u(rng) * 0.5f;
        const float got = edgeCrossing(a, b, level), want = reference(a, b, level);
        QVERIFY(std::memcmp(&got, &want, sizeof(float)) == 0);
        const float lo = u(rng), hi = lo + std::abs(u(rng));
        const float l = lerpRn(lo, hi, got);
        const float lw = lo + got * (hi - lo);
        QVERIFY(std::memcmp(&l, &lw, sizeof(float)) == 0);
        if (got > 0.0f && got < 1.0f && hi > lo)
            QVERIFY(l >= lo && l <= hi);
    }
    QCOMPARE(gridCoord(-1.0f, 7, 0.1f), -1.0f + 7.0f * 0.1f);
}

// Slot order is the CPU's documented vertex order: plane by plane, (y/z edges of plane ix in (iy, iz) order, then
// its x edges in (iy, iz) order). Checked on a volume where every edge is crossed.
void TestCudaMcLogic::slotsEnumerateCpuVertexOrder()
{
    Volume v = gputest::sampled(4, 3, 5, { 0, 0, 0 }, { 1, 1, 1 }, [](float x, float y, float z) {
        return (int(x + y + z) % 2) ? 1.0f : -1.0f; // checkerboard: every grid edge crossed
    });
    const Grid g = gridOf(v, 0.0f);
    std::vector<std::uint8_t> flags(g.points);
    for (std::uint32_t p = 0; p < g.points; ++p)
        flags[p] = classifyPoint(v.values.data(), g, p);
    std::vector<Vec3f> expected;
    for (int ix = 0; ix < v.nx; ++ix) {
        for (int iy = 0; iy < v.ny; ++iy)
            for (int iz = 0; iz < v.nz; ++iz) {
                if (iy + 1 < v.ny)
                    expected.push_back({ float(ix), float(iy) + 0.5f, float(iz) });
                if (iz + 1 < v.nz)
                    expected.push_back({ float(ix), float(iy), float(iz) + 0.5f });
            }
        if (ix + 1 < v.nx)
            for (int iy = 0; iy < v.ny; ++iy)
                for (int iz = 0; iz < v.nz; ++iz)
                    expected.push_back({ float(ix) + 0.5f, float(iy), float(iz) });
    }
    std::vector<Vec3f> got;
    for (std::uint32_t s = 0; s < 2 * g.points; ++s) {
        const unsigned n = slotVertexCount(flags.data(), g, s);
        float buf[6];
        emitSlotVertices(v.values.data(), flags.data(), g, s, buf);
        for (unsigned k = 0; k < n; ++k)
            got.push_back({ buf[3 * k], buf[3 * k + 1], buf[3 * k + 2] });
    }
    QCOMPARE(got.size(), expected.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
        QCOMPARE(got[k].x, expected[k].x);
        QCOMPARE(got[k].y, expected[k].y);
        QCOMPARE(got[k].z, expected[k].z);
    }
}

void TestCudaMcLogic::emulationEqualsCpu_data()
{
    QTest::addColumn<Volume>("volume");
    QTest::addColumn<float>("level");
    QTest::addColumn<bool>("closed");
    QTest::newRow("sphere 33^3") << gputest::sphere(33, 33, 33, 0.6f) << 0.0f << true;
    QTest::newRow("sphere 41x29x35 level 0.1") << gputest::sphere(41, 29, 35, 0.55f) << 0.1f << true;
    QTest::newRow("sphere 97^3") << gputest::sphere(97, 97, 97, 0.8f) << 0.0f << true;
    QTest::newRow("torus 48x44x20") << gputest::torus(48, 44, 20) << 0.0f << true;
    QTest::newRow("sphere cut by the grid") << gputest::sphere(21, 26, 17, 1.1f) << 0.0f << false;
    QTest::newRow("plane through the grid") << gputest::sampled(9, 7, 12, { 0, 0, 0 }, { 0.5f, 0.5f, 0.5f },
        [](float x, float y, float z) { return 1.3f - 0.2f * x - 0.3f * y - z; })
                                            << 0.0f << false;
    QTest::newRow("integer noise") << gputest::noise(19, 13, 23, 1, 0.0, 0.0, true, true) << 0.0f << true;
    QTest::newRow("integer noise with NaN") << gputest::noise(17, 21, 11, 2, 0.1, 0.0, true, true) << 0.0f << true;
    QTest::newRow("integer noise level 1") << gputest::noise(15, 15, 15, 3, 0.05, 0.0, true, true) << 1.0f << true;
    QTest::newRow("continuous noise") << gputest::noise(24, 18, 20, 4, 0.0, 0.0, false, true) << 0.0f << true;
    QTest::newRow("noise, NaN and inf, open")
        << gputest::noise(16, 22, 14, 5, 0.08, 0.05, false, false) << 0.0f << false;
    QTest::newRow("integer noise, NaN and inf, open")
        << gputest::noise(12, 9, 30, 6, 0.1, 0.1, true, false) << 0.0f << false;
    QTest::newRow("2x2x2") << gputest::noise(2, 2, 2, 7, 0.0, 0.0, false, false) << 0.0f << false;
    QTest::newRow("2x3x2") << gputest::noise(2, 3, 2, 8, 0.0, 0.0, true, false) << 0.0f << false;
    QTest::newRow("all outside") << gputest::sphere(9, 10, 11, -0.5f) << 0.0f << true;
    QTest::newRow("all inside") << gputest::sphere(9, 10, 11, 5.0f) << 0.0f << true;
}

void TestCudaMcLogic::emulationEqualsCpu()
{
    QFETCH(Volume, volume);
    QFETCH(float, level);
    QFETCH(bool, closed);
    const Mesh cpu = marchingCubes(volume, level, nullptr, 2);
    const Mesh emu = emulate(volume, level);
    std::string why;
    QVERIFY2(gputest::identical(emu, cpu, &why), why.c_str());
    QVERIFY2(gputest::sameTriangles(emu, cpu, 0.0f, &why), why.c_str());
    if (closed && !cpu.empty()) {
        const MeshTopology t = analyzeTopology(emu);
        QVERIFY(t.isWatertight());
        QVERIFY(t.isConsistentlyOriented());
    }
}

// Many small random volumes: every cube configuration, ties in the decider, values at the level, NaN, infinities.
void TestCudaMcLogic::randomSmallVolumesEqualCpu()
{
    std::mt19937 rng(2024);
    std::uniform_int_distribution<int> size(2, 6);
    int nonEmpty = 0;
    for (std::uint32_t seed = 100; seed < 1100; ++seed) {
        const bool integers = seed % 2 == 0;
        const double nanRate = seed % 3 == 0 ? 0.1 : 0.0;
        const double infRate = seed % 5 == 0 ? 0.05 : 0.0;
        const Volume v = gputest::noise(size(rng), size(rng), size(rng), seed, nanRate, infRate, integers, false);
        const float level = seed % 7 == 0 ? 1.0f : 0.0f;
        const Mesh cpu = marchingCubes(v, level, nullptr, 1);
        const Mesh emu = emulate(v, level);
        std::string why;
        QVERIFY2(
            gputest::identical(emu, cpu, &why), qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(why.c_str())));
        nonEmpty += cpu.empty() ? 0 : 1;
    }
    QVERIFY(nonEmpty > 900);
}

QTEST_GUILESS_MAIN(TestCudaMcLogic)
#include "tst_cuda_mc_logic.moc"
