// The inflate backend's internals: the sub-cell signed distance and the Poisson solver, against analytic solutions.

#include "inflate/poisson_solver.h"
#include "inflate/signed_distance.h"

#include <QtTest>

#include <cmath>
#include <stdexcept>

using namespace orfeas;
using namespace orfeas::inflate;

namespace {

// A grid of n points per side over [-1, 1] with the exact signed distance of a shape.
template <typename Distance> PoissonProblem gridProblem(int n, Distance distance)
{
    PoissonProblem p;
    p.nx = p.ny = n;
    p.spacing = 2.0 / (n - 1);
    p.signedDistance.resize(std::size_t(n) * n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            p.signedDistance[std::size_t(j) * n + i] = float(distance(-1 + i * p.spacing, -1 + j * p.spacing));
    return p;
}

} // namespace

class TestPoissonSolver : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void diskMatchesParaboloid_data();
    void diskMatchesParaboloid();
    void ellipseMatchesQuadric();
    void secondOrderConvergence();
    void emptyDomain();
    void inconsistentGrid();
    void pollCanAbort();
    void signedDistanceOfHalfPlane();
    void signedDistanceOfDisk();
};

void TestPoissonSolver::diskMatchesParaboloid_data()
{
    QTest::addColumn<int>("points");
    QTest::newRow("33") << 33;
    QTest::newRow("131") << 131;
    QTest::newRow("260 (even)") << 260;
}

void TestPoissonSolver::diskMatchesParaboloid()
{
    // -Laplacian(R^2 - r^2) = 4 with zero on r = R: the discrete solution must match at every point.
    QFETCH(int, points);
    const double R = 0.63; // not aligned with the grid
    const PoissonProblem p = gridProblem(points, [&](double x, double y) { return R - std::hypot(x, y); });
    const PoissonSolution s = solvePoisson(p);
    QVERIFY(s.unknowns > 0);
    QVERIFY2(s.relativeResidual <= p.tolerance, qPrintable(QString::number(s.relativeResidual)));
    QVERIFY2(s.iterations <= 30, qPrintable(QString("%1 iterations").arg(s.iterations)));
    double worst = 0;
    for (int j = 0; j < points; ++j)
        for (int i = 0; i < points; ++i) {
            const double x = -1 + i * p.spacing, y = -1 + j * p.spacing;
            const double exact = std::max(0.0, R * R - x * x - y * y);
            worst = std::max(worst, std::abs(s.values[std::size_t(j) * points + i] - exact));
        }
    qInfo("%d iterations, max error %.3g (h^2 = %.3g)", s.iterations, worst, p.spacing * p.spacing);
    // The quadratic is reproduced up to the linear extrapolation across the boundary: O(h^2).
    QVERIFY2(worst < 2 * p.spacing * p.spacing, qPrintable(QString("max error %1, h %2").arg(worst).arg(p.spacing)));
}

void TestPoissonSolver::ellipseMatchesQuadric()
{
    const double a = 0.8, b = 0.3, C = 2.0 / (1 / (a * a) + 1 / (b * b));
    // Distance-like function of the ellipse (exact zero set, good enough near the boundary for the test).
    const PoissonProblem p = gridProblem(129, [&](double x, double y) {
        const double g = 1 - x * x / (a * a) - y * y / (b * b);
        const double grad = 2 * std::hypot(x / (a * a), y / (b * b));
        return g / std::max(grad, 1e-9);
    });
    const PoissonSolution s = solvePoisson(p);
    double worst = 0;
    for (int j = 0; j < p.ny; ++j)
        for (int i = 0; i < p.nx; ++i) {
            const double x = -1 + i * p.spacing, y = -1 + j * p.spacing;
            const double exact = std::max(0.0, C * (1 - x * x / (a * a) - y * y / (b * b)));
            worst = std::max(worst, std::abs(s.values[std::size_t(j) * p.nx + i] - exact));
        }
    qInfo("%d iterations, max error %.3g of %.3g", s.iterations, worst, C);
    QVERIFY2(worst < 0.01 * C, qPrintable(QString("max error %1 of %2").arg(worst).arg(C)));
}

void TestPoissonSolver::secondOrderConvergence()
{
    // A unit square [-0.5, 0.5]^2: the centre value on three grids, each with half the spacing of the last.
    auto centre = [](int n) {
        const PoissonProblem p
            = gridProblem(n, [](double x, double y) { return 0.5 - std::max(std::abs(x), std::abs(y)); });
        const PoissonSolution s = solvePoisson(p);
        return s.values[std::size_t(n / 2) * n + n / 2];
    };
    const double c1 = centre(33), c2 = centre(65), c3 = centre(129);
    const double ratio = (c1 - c2) / (c2 - c3);
    qInfo("centre values %.8f %.8f %.8f, error ratio %.2f", c1, c2, c3, ratio);
    // Second order: the error shrinks four times per halving of h.
    QVERIFY2(ratio > 3.0 && ratio < 5.5, qPrintable(QString("ratio %1 (%2 %3 %4)").arg(ratio).arg(c1).arg(c2).arg(c3)));
    // Known value for the unit-side square: -Laplacian(u) = 1 gives u(0,0) = 0.0736713; ours has source 4.
    QVERIFY2(std::abs(c3 - 4 * 0.0736713) < 2e-4, qPrintable(QString::number(c3, 'g', 8)));
}

void TestPoissonSolver::emptyDomain()
{
    const PoissonProblem p = gridProblem(17, [](double, double) { return -1.0; });
    const PoissonSolution s = solvePoisson(p);
    QCOMPARE(s.unknowns, std::size_t(0));
    QCOMPARE(s.values.size(), std::size_t(17 * 17));
    QVERIFY(std::all_of(s.values.begin(), s.values.end(), [](double v) { return v == 0; }));
}

void TestPoissonSolver::inconsistentGrid()
{
    PoissonProblem p = gridProblem(17, [](double, double) { return 1.0; });
    p.signedDistance.pop_back();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, solvePoisson(p));
}

void TestPoissonSolver::pollCanAbort()
{
    const PoissonProblem p = gridProblem(65, [](double x, double y) { return 0.8 - std::hypot(x, y); });
    int calls = 0;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, solvePoisson(p, [&](int it) {
        ++calls;
        if (it == 2)
            throw std::runtime_error("stop");
    }));
    QCOMPARE(calls, 2);
}

void TestPoissonSolver::signedDistanceOfHalfPlane()
{
    // Columns 0..9 inside, 10..19 outside: the zero level lies at u = 9.5 (between the pixel centres).
    Mask8 m;
    m.width = 20;
    m.height = 10;
    m.values.assign(200, 0);
    for (int v = 0; v < 10; ++v)
        for (int u = 0; u < 10; ++u)
            m.values[std::size_t(v) * 20 + u] = 255;
    const SignedDistanceMap d(m);
    QCOMPARE(d.at(9, 5), 0.5f);
    QCOMPARE(d.at(10, 5), -0.5f);
    QCOMPARE(d.at(12, 5), -2.5f);
    QCOMPARE(d.at(5, 5), 4.5f); // the border of the mask counts as background too: 5 pixels up/down/left
    QVERIFY(std::abs(d.sample(9.5f, 5.0f)) < 1e-6f);
    QVERIFY(std::abs(d.sample(9.25f, 5.0f) - 0.25f) < 1e-6f);
    QVERIFY(d.sample(-30.0f, 5.0f) < -25.0f); // far beyond the map: well outside
}

void TestPoissonSolver::signedDistanceOfDisk()
{
    const int n = 200;
    const double R = 60.3, c = 99.5;
    Mask8 m;
    m.width = m.height = n;
    m.values.assign(std::size_t(n) * n, 0);
    for (int v = 0; v < n; ++v)
        for (int u = 0; u < n; ++u)
            m.values[std::size_t(v) * n + u] = std::hypot(u - c, v - c) <= R ? 255 : 0;
    const SignedDistanceMap d(m);
    // The zero level stays within a pixel of the true circle everywhere.
    for (int k = 0; k < 360; k += 7) {
        const double a = k * 3.14159265358979 / 180;
        const float onCircle = d.sample(float(c + R * std::cos(a)), float(c + R * std::sin(a)));
        QVERIFY2(std::abs(onCircle) < 0.75f, qPrintable(QString("%1 at %2 degrees").arg(onCircle).arg(k)));
        const float inside = d.sample(float(c + (R - 20) * std::cos(a)), float(c + (R - 20) * std::sin(a)));
        QVERIFY(std::abs(inside - 20) < 0.75f);
    }
}

QTEST_GUILESS_MAIN(TestPoissonSolver)
#include "tst_poisson_solver.moc"
