// Fitting the image frame to a generated volume's silhouette (torch-free part of the neural backend).

#include "projection_fit.h"

#include <QtTest>

#include <cmath>

using namespace orfeas;
using namespace orfeas::neural;

namespace {

// An ellipsoid with semi-axes (a, b, c) around `centre` on a grid over [-1.01, 1.01]^3; logits = 1 - r.
Volume ellipsoid(int n, float a, float b, float c, Vec3f centre = {})
{
    Volume v;
    v.nx = v.ny = v.nz = n;
    v.origin = { -1.01f, -1.01f, -1.01f };
    const float s = 2.02f / float(n - 1);
    v.spacing = { s, s, s };
    v.values.resize(v.pointCount());
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k) {
                const float x = (v.origin.x + i * s - centre.x) / a, y = (v.origin.y + j * s - centre.y) / b,
                            z = (v.origin.z + k * s - centre.z) / c;
                v.values[v.index(i, j, k)] = 1.0f - std::sqrt(x * x + y * y + z * z);
            }
    return v;
}

// A filled axis-aligned rectangle mask [u0, u1) x [v0, v1) on a side x side canvas.
Mask8 rectangle(int side, int u0, int u1, int v0, int v1)
{
    Mask8 m;
    m.width = m.height = side;
    m.values.assign(std::size_t(side) * side, 0);
    for (int v = v0; v < v1; ++v)
        for (int u = u0; u < u1; ++u)
            m.values[std::size_t(v) * side + u] = 255;
    return m;
}

} // namespace

class TestProjectionFit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nominalFrame()
    {
        const ProjectionFrame f = nominalProjectionFrame(0.15f);
        QCOMPARE(f.xMin, -1.0f / 0.85f);
        QCOMPARE(f.yMax, 1.0f / 0.85f);
    }

    // An ellipsoid spanning y in [-0.7, 0.9] (taller than wide) against a mask over rows [20, 80) and columns
    // [40, 60) of 100: the scale comes from the taller axis, rows map to y downwards, the centres line up.
    void fitsSilhouetteToMask()
    {
        const Volume v = ellipsoid(203, 0.5f, 0.8f, 0.3f, { 0.0f, 0.1f, 0.0f });
        const Mask8 m = rectangle(100, 40, 60, 20, 80);
        const ProjectionFrame f = fitProjectionFrame(v, 0.0f, m, 0.15f);
        const auto xAt = [&](double s) { return f.xMin + s * (f.xMax - f.xMin); };
        const auto yAt = [&](double t) { return f.yMax - t * (f.yMax - f.yMin); };
        const double tol = 0.02; // a cell
        QVERIFY(std::abs((f.xMax - f.xMin) - (f.yMax - f.yMin)) < 1e-5); // square canvas, one scale
        QVERIFY2(std::abs(yAt(0.2) - 0.9) < tol, qPrintable(QString::number(yAt(0.2)))); // top of the mask
        QVERIFY2(std::abs(yAt(0.8) + 0.7) < tol, qPrintable(QString::number(yAt(0.8)))); // bottom
        QVERIFY2(std::abs(xAt(0.5) - 0.0) < tol, qPrintable(QString::number(xAt(0.5)))); // centres aligned
    }

    void fallsBackToNominal()
    {
        const ProjectionFrame nominal = nominalProjectionFrame(0.15f);
        const Mask8 m = rectangle(64, 10, 50, 10, 50);
        // Nothing inside.
        Volume empty = ellipsoid(33, 0.5f, 0.5f, 0.5f);
        for (float& x : empty.values)
            x = -1.0f;
        QCOMPARE(fitProjectionFrame(empty, 0.0f, m, 0.15f).xMin, nominal.xMin);
        // Inside everywhere (random weights do this): no silhouette edge.
        Volume full = empty;
        for (float& x : full.values)
            x = 1.0f;
        QCOMPARE(fitProjectionFrame(full, 0.0f, m, 0.15f).xMin, nominal.xMin);
        // Empty mask.
        QCOMPARE(fitProjectionFrame(ellipsoid(33, 0.5f, 0.5f, 0.5f), 0.0f, rectangle(64, 0, 0, 0, 0), 0.15f).yMax,
            nominal.yMax);
        // A tiny silhouette against a large mask: an implausible scale.
        QCOMPARE(fitProjectionFrame(ellipsoid(101, 0.02f, 0.02f, 0.02f), 0.0f, m, 0.15f).xMax, nominal.xMax);
    }
};

QTEST_GUILESS_MAIN(TestProjectionFit)
#include "tst_projection_fit.moc"
