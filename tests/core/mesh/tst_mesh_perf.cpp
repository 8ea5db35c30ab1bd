// Timings of surface extraction and post-processing (label "slow"): marching cubes on 129^3 and 385^3 sphere
// fields with 1 and 2 threads, post-processing 100k -> 40k faces. Prints the numbers (qInfo) and checks that the
// results are correct and identical across thread counts; it does not assert on time (shared machines vary).

#include "mesh_test_util.h"

#include "orfeas/marching_cubes.h"
#include "orfeas/mesh_processing.h"

#include <QtTest/QtTest>

#include <chrono>

using namespace orfeas;

namespace {

template <typename Fn>
double bestSeconds(int repeats, Fn&& fn)
{
    double best = 1e30;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

} // namespace

class TestMeshPerf : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void marchingCubes_data();
    void marchingCubes();
    void postprocess100kTo40k();
};

void TestMeshPerf::marchingCubes_data()
{
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("repeats");
    QTest::newRow("129^3") << 129 << 5;
    QTest::newRow("385^3") << 385 << 2;
}

void TestMeshPerf::marchingCubes()
{
    QFETCH(int, points);
    QFETCH(int, repeats);
    const Volume v = meshtest::sphereVolume(points - 1, 0.6f);
    Mesh reference;
    for (const int threads : {1, 2}) {
        Mesh m;
        const double s = bestSeconds(repeats, [&] { m = orfeas::marchingCubes(v, 0.0f, nullptr, threads); });
        qInfo("marching cubes %d^3, %d thread(s): %.3f s (%zu vertices, %zu faces)", points, threads, s,
              m.vertexCount(), m.faceCount());
        if (threads == 1) {
            const MeshTopology t = analyzeTopology(m);
            QVERIFY(t.isWatertight() && t.isConsistentlyOriented());
            reference = std::move(m);
        } else {
            QVERIFY(meshtest::sameMesh(reference, m));
        }
    }
}

void TestMeshPerf::postprocess100kTo40k()
{
    const Mesh input = orfeas::marchingCubes(meshtest::sphereVolume(170, 0.6f), 0.0f);
    QVERIFY(input.faceCount() > 90000);
    PostprocessOptions options;
    options.faceBudget = 40000;
    Mesh m;
    const double s = bestSeconds(3, [&] {
        m = input;
        postprocessMesh(m, options);
    });
    qInfo("postprocess %zu -> %zu faces: %.3f s", input.faceCount(), m.faceCount(), s);
    QVERIFY(m.faceCount() <= 40000);
    QVERIFY(analyzeTopology(m).isWatertight());
}

QTEST_GUILESS_MAIN(TestMeshPerf)
#include "tst_mesh_perf.moc"
