// Volume decoding on analytic fields (internal API of orfeas_neural, CPU): hierarchical decoding gives the dense
// surface exactly, on several shapes and resolutions (also ones the level structure does not divide); out of
// memory shrinks the chunks; the field-fit shapes agree between their tensor and scalar forms.

#include "orfeas/errors.h"
#include "orfeas/marching_cubes.h"
#include "orfeas/neural.h"

#include "field_fit.h"
#include "hunyuan_model.h"
#include "shape_vae.h"
#include "volume_decoding.h"

#include <QtTest>

#include <cmath>
#include <cstdlib>

using namespace orfeas;
using namespace orfeas::neural;

namespace {

// Analytic fields: a scaled negated signed distance (inside > 0), the form a fitted decoder approximates.
PointField shapeField(FitShape shape, float scale = 20.0f)
{
    return [shape, scale](const at::Tensor& p) { return shapeSignedDistance(shape, p) * -scale; };
}

// Two blobs joined by a thin rod (radius 0.012: a fifth of a coarse cell at octree 128): the rod is found from
// the blobs' surface and by the threshold, not by sign changes on the coarse grid.
PointField dumbbellField()
{
    return [](const at::Tensor& p) {
        const at::Tensor x = p.select(1, 0), y = p.select(1, 1), z = p.select(1, 2);
        const at::Tensor a = at::sqrt((x + 0.5) * (x + 0.5) + y * y + z * z) - 0.25;
        const at::Tensor b = at::sqrt((x - 0.5) * (x - 0.5) + y * y + z * z) - 0.25;
        const at::Tensor rod = at::maximum(at::sqrt(y * y + z * z) - 0.012, x.abs() - 0.5);
        return at::minimum(at::minimum(a, b), rod) * -20.0;
    };
}

// A sphere far smaller than a coarse cell: the coarse grid sees no surface at all.
PointField speckField()
{
    return [](const at::Tensor& p) {
        const at::Tensor x = p.select(1, 0) - 0.31, y = p.select(1, 1) + 0.17, z = p.select(1, 2) - 0.05;
        return (0.03 - at::sqrt(x * x + y * y + z * z)) * 20.0;
    };
}

Volume toVolume(const at::Tensor& values, int resolution)
{
    Volume v;
    v.nx = v.ny = v.nz = resolution + 1;
    v.origin = { -1.01f, -1.01f, -1.01f };
    const float s = float(2.02 / resolution);
    v.spacing = { s, s, s };
    const at::Tensor flat = values.contiguous().view({ -1 });
    v.values.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    return v;
}

struct Comparison {
    std::int64_t signDifferences = 0;
    std::int64_t points = 0;
    std::int64_t evaluated = 0;
    bool meshesEqual = false;
    std::size_t faces = 0;
};

Comparison compare(const PointField& field, int resolution, int chunk = 4096)
{
    RunContext ctx;
    const GridSpec grid { resolution, 1.01 };
    ChunkedEvaluator denseEval(field, at::kCPU, chunk, ctx);
    const at::Tensor dense = decodeDenseVolume(denseEval, grid, ctx);
    ChunkedEvaluator hierEval(field, at::kCPU, chunk, ctx);
    HierarchicalStats stats;
    const at::Tensor hier = decodeHierarchicalVolume(hierEval, grid, HierarchicalOptions {}, ctx, {}, &stats);
    Comparison c;
    c.points = grid.points();
    c.evaluated = hierEval.pointsEvaluated();
    c.signDifferences = dense.gt(0).ne(hier.gt(0)).sum().item<std::int64_t>();
    const Mesh a = marchingCubes(toVolume(dense, resolution), 0.0f);
    const Mesh b = marchingCubes(toVolume(hier, resolution), 0.0f);
    c.faces = a.faceCount();
    c.meshesEqual = a.indices == b.indices && a.positions.size() == b.positions.size();
    for (std::size_t i = 0; c.meshesEqual && i < a.positions.size(); ++i)
        c.meshesEqual = a.positions[i].x == b.positions[i].x && a.positions[i].y == b.positions[i].y
            && a.positions[i].z == b.positions[i].z;
    return c;
}

} // namespace

class TestVolumeDecoding : public QObject {
    Q_OBJECT
    // The tiny fixture model in float32 on the CPU.
    static std::shared_ptr<const HunyuanModel> loadTinyOnCpu()
    {
        HunyuanLoadOptions load;
        load.modelPath = std::string(ORFEAS_TEST_DATA_DIR) + "/hy3d-tiny";
        load.device = "cpu";
        load.precision = Precision::Fp32;
        RunContext ctx;
        return HunyuanModel::load(load, ctx);
    }

private Q_SLOTS:
    void levels()
    {
        const HierarchicalOptions o;
        QCOMPARE(hierarchicalLevels(384, o), 3); // 48^3 coarse cells
        QCOMPARE(hierarchicalLevels(256, o), 3);
        QCOMPARE(hierarchicalLevels(128, o), 3);
        QCOMPARE(hierarchicalLevels(64, o), 2);
        QCOMPARE(hierarchicalLevels(33, o), 1);
        QCOMPARE(hierarchicalLevels(31, o), 0);
        QCOMPARE(hierarchicalLevels(16, o), 0);
    }

    // Hierarchical decoding reproduces the dense grid's surface bit for bit (the evaluated points are the same
    // computations, the others have the dense sign): identical signs everywhere and identical meshes.
    void sameSurfaceAsDense_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("resolution");
        QTest::addColumn<double>("maxEvaluatedShare");
        QTest::newRow("sphere 128") << 0 << 128 << 0.25;
        QTest::newRow("figurine 128") << 1 << 128 << 0.35;
        QTest::newRow("figurine 200") << 1 << 200 << 0.20;
        QTest::newRow("torus 90 (irregular last cell)") << 2 << 90 << 0.5;
        QTest::newRow("figurine 99 (odd)") << 1 << 99 << 0.6;
        QTest::newRow("dumbbell with thin rod 128") << 3 << 128 << 0.25;
        QTest::newRow("speck below the coarse grid 64") << 4 << 64 << 1.1;
        QTest::newRow("dense fallback size 24") << 0 << 24 << 1.0;
    }
    void sameSurfaceAsDense()
    {
        QFETCH(int, kind);
        QFETCH(int, resolution);
        QFETCH(double, maxEvaluatedShare);
        const PointField field = kind == 0 ? shapeField(FitShape::Sphere)
            : kind == 1                    ? shapeField(FitShape::Figurine)
            : kind == 2                    ? shapeField(FitShape::Torus)
            : kind == 3                    ? dumbbellField()
                                           : speckField();
        const Comparison c = compare(field, resolution);
        QVERIFY(c.faces > 0);
        QCOMPARE(c.signDifferences, std::int64_t(0));
        QVERIFY(c.meshesEqual);
        const double share = double(c.evaluated) / double(c.points);
        qInfo("%d^3 cells: %lld of %lld points evaluated (%.2f %%), %zu faces", resolution,
            static_cast<long long>(c.evaluated), static_cast<long long>(c.points), 100.0 * share, c.faces);
        QVERIFY2(share <= maxEvaluatedShare, QByteArray::number(share));
    }

    // The design target: at octree 384 a figurine-sized surface needs only a few percent of the points.
    void fewPointsAtFullResolution()
    {
        RunContext ctx;
        ChunkedEvaluator evaluator(shapeField(FitShape::Figurine), at::kCPU, 1 << 16, ctx);
        HierarchicalStats stats;
        const GridSpec grid { 384, 1.01 };
        const at::Tensor v = decodeHierarchicalVolume(evaluator, grid, HierarchicalOptions {}, ctx, {}, &stats);
        QCOMPARE(v.size(0), std::int64_t(385));
        QCOMPARE(stats.levels, 3);
        QVERIFY(!stats.denseFallback);
        const double share = double(evaluator.pointsEvaluated()) / double(grid.points());
        qInfo("octree 384, figurine: %.2f %% of the points evaluated (levels: %lld %lld %lld %lld)", 100.0 * share,
            static_cast<long long>(stats.pointsPerLevel[0]), static_cast<long long>(stats.pointsPerLevel[1]),
            static_cast<long long>(stats.pointsPerLevel[2]), static_cast<long long>(stats.pointsPerLevel[3]));
        QVERIFY2(share < 0.06, QByteArray::number(share));
        // Spot check against the field itself: every point within two cells of the surface is the field's value.
        const at::Tensor field = shapeField(FitShape::Figurine)(
            at::stack({ at::full({ 1 }, 0.0), at::full({ 1 }, 0.67), at::full({ 1 }, 0.0) }, -1));
        QVERIFY(field.item<float>() > 0); // inside the head
    }

    // Out of memory: the chunk halves and the chunk is retried; the result is the same.
    void retriesWithSmallerChunks()
    {
        std::vector<std::string> logs;
        RunContext ctx({}, [&](LogLevel, const std::string& m) { logs.push_back(m); });
        const PointField base = shapeField(FitShape::Sphere);
        int failures = 0;
        const PointField failing = [&](const at::Tensor& p) {
            if (p.size(0) > 1000) {
                ++failures;
                TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory. Tried to allocate 2.00 GiB");
            }
            return base(p);
        };
        const GridSpec grid { 32, 1.01 };
        ChunkedEvaluator reference(base, at::kCPU, 4096, ctx);
        const at::Tensor expected = decodeDenseVolume(reference, grid, ctx);
        ChunkedEvaluator evaluator(failing, at::kCPU, 4096, ctx);
        const at::Tensor got = decodeDenseVolume(evaluator, grid, ctx);
        QVERIFY(at::equal(got, expected));
        QCOMPARE(failures, 3); // 4096, 2048, 1024 refused; 512 ... fine afterwards
        QCOMPARE(evaluator.chunk(), std::int64_t(512));
        QCOMPARE(evaluator.pointsEvaluated(), grid.points());
        QCOMPARE(int(evaluator.warnings().size()), 1);
        QVERIFY(evaluator.warnings()[0].find("512") != std::string::npos);
        QCOMPARE(int(logs.size()), 3);

        // A host allocation failure counts too; other errors do not retry.
        int calls = 0;
        ChunkedEvaluator badAlloc(
            [&](const at::Tensor& p) {
                if (++calls == 1)
                    throw std::bad_alloc();
                return base(p);
            },
            at::kCPU, 4096, ctx);
        QVERIFY(at::equal(decodeDenseVolume(badAlloc, grid, ctx), expected));
        ChunkedEvaluator broken([](const at::Tensor&) -> at::Tensor { TORCH_CHECK(false, "shape mismatch"); },
            at::kCPU, 4096, ctx);
        QVERIFY_THROWS_EXCEPTION(c10::Error, decodeDenseVolume(broken, grid, ctx));
    }

    // Below the smallest chunk the error propagates (the backend reports DeviceError(isOutOfMemory)).
    void givesUpAtTheSmallestChunk()
    {
        RunContext ctx;
        ChunkedEvaluator evaluator(
            [](const at::Tensor&) -> at::Tensor {
                TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory");
            },
            at::kCPU, 2048, ctx);
        QVERIFY_THROWS_EXCEPTION(c10::OutOfMemoryError, decodeDenseVolume(evaluator, GridSpec { 16, 1.01 }, ctx));
        QCOMPARE(evaluator.chunk(), ChunkedEvaluator::kMinChunk);
    }

    // The testing hook: ORFEAS_SIMULATE_DECODE_OOM_ABOVE fails every larger chunk before it runs.
    void simulatedOutOfMemory()
    {
        qputenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE", "700");
        RunContext ctx;
        ChunkedEvaluator evaluator(shapeField(FitShape::Torus), at::kCPU, 3000, ctx);
        qunsetenv("ORFEAS_SIMULATE_DECODE_OOM_ABOVE");
        const at::Tensor got = decodeDenseVolume(evaluator, GridSpec { 24, 1.01 }, ctx);
        ChunkedEvaluator plain(shapeField(FitShape::Torus), at::kCPU, 3000, ctx);
        QVERIFY(at::equal(got, decodeDenseVolume(plain, GridSpec { 24, 1.01 }, ctx)));
        QCOMPARE(evaluator.chunk(), std::int64_t(512)); // 3000 -> 1500 -> 750 -> 512 (the floor)
    }

    void cancels()
    {
        CancelToken token;
        RunContext ctx({}, {}, token);
        int chunks = 0;
        ChunkedEvaluator evaluator(
            [&](const at::Tensor& p) {
                if (++chunks == 3)
                    token.cancel();
                return shapeSignedDistance(FitShape::Sphere, p);
            },
            at::kCPU, 1000, ctx);
        QVERIFY_THROWS_EXCEPTION(
            CancelledError, decodeHierarchicalVolume(evaluator, GridSpec { 128, 1.01 }, HierarchicalOptions {}, ctx));
        QCOMPARE(chunks, 3);
    }

    // Inference runs the geometry decoder's MLP over slices of the points and updates in place; fitting (autograd
    // on) keeps every input. Both must give the same logits, also across a slice boundary (70000 points: three
    // slices of at most 32768).
    void decoderInferenceMatchesAutogradPath()
    {
        const auto model = loadTinyOnCpu();
        at::manual_seed(11);
        const GeometryDecoder& g = model->geometry();
        const at::Tensor decoded = at::randn({ 1, 32, 64 });
        const at::Tensor points = at::rand({ 1, 70000, 3 }) * 2.02 - 1.01;
        at::Tensor inference, autograd;
        {
            const c10::InferenceMode mode;
            inference = g.query(g.prepare(decoded), points);
        }
        {
            const c10::AutoGradMode grad(true);
            autograd = g.query(g.prepare(decoded), points).detach();
        }
        QCOMPARE(inference.sizes().vec(), (std::vector<std::int64_t> { 1, 70000 }));
        const double diff = (inference - autograd).abs().max().item<double>();
        const double scale = autograd.abs().max().item<double>();
        qInfo("max |inference - autograd| %.3g of %.3g", diff, scale);
        QVERIFY(scale > 0);
        QVERIFY2(diff <= 1e-5 * scale, QByteArray::number(diff));
    }

    // On CUDA the decoder pads a call's points to a multiple of 16384 (or 1024) for cuDNN's attention: the padded
    // call must give every real point the value it gets alone (each point is decoded on its own).
    void paddedQueryMatchesPlainQuery()
    {
        const auto model = loadTinyOnCpu();
        at::manual_seed(12);
        const GeometryDecoder& g = model->geometry();
        const c10::InferenceMode mode;
        const GeometryKeys keys = g.prepare(at::randn({ 1, 32, 64 }));
        const at::Tensor points = at::rand({ 1, 5000, 3 }) * 2.02 - 1.01;
        const at::Tensor plain = g.query(keys, points);
        const at::Tensor padded = g.queryPadded(keys, points, 6144);
        QCOMPARE(padded.sizes().vec(), (std::vector<std::int64_t> { 1, 5000 }));
        const double diff = (plain - padded).abs().max().item<double>();
        const double scale = plain.abs().max().item<double>();
        QVERIFY(scale > 0);
        QVERIFY2(diff <= 1e-5 * scale, QByteArray::number(diff));
        // Fewer or as many points as given: the plain query.
        QVERIFY(at::equal(g.queryPadded(keys, points, 4000), plain));
    }

    // The fused path computes the attention queries in factored form (shape_vae.h: FactoredQuery): LN_1's variance
    // as a quadratic form of the Fourier features, the query projection folded into a product with them. In float32
    // it must give the operator path's queries, also for points outside the usual box and for a single point.
    void factoredQueriesMatchOperators()
    {
        const auto model = loadTinyOnCpu();
        at::manual_seed(13);
        const GeometryDecoder& g = model->geometry();
        const at::Tensor inside = at::rand({ 20000, 3 }) * 2.02 - 1.01;
        const at::Tensor outside = at::rand({ 500, 3 }) * 8.0 - 4.0;
        for (const at::Tensor& points : { inside, outside, inside.narrow(0, 0, 1) }) {
            const at::Tensor ops = g.attentionQueries(points, GeometryDecoder::QueryForm::Operators);
            const at::Tensor factored = g.attentionQueries(points, GeometryDecoder::QueryForm::FactoredReference);
            QCOMPARE(factored.sizes().vec(), ops.sizes().vec());
            QCOMPARE(ops.size(1), std::int64_t(64));
            const double diff = (factored - ops).abs().max().item<double>();
            const double scale = ops.abs().max().item<double>();
            qInfo("%lld points: max |factored - operators| %.3g of %.3g", static_cast<long long>(points.size(0)), diff,
                scale);
            QVERIFY(scale > 0.5); // the per-head norm keeps queries of order one
            QVERIFY2(diff <= 2e-5 * scale, QByteArray::number(diff));
        }
        // The parts of the factored form: the Gram matrix is symmetric and positive semi-definite, the scale 1 for
        // these weights (a power of two in general).
        const auto f = g.factoredQuery();
        const at::Tensor gram = f->gram.view({ f->features + 1, -1 });
        QVERIFY(at::allclose(gram, gram.t()));
        QVERIFY(at::linalg_eigvalsh(gram.to(at::kDouble)).min().item<double>() > -1e-9);
        QCOMPARE(f->scale.item<float>(), 1.0f);
        QCOMPARE(f->matrix.size(1) % 8, std::int64_t(0));
        QVERIFY(at::equal(f->matrix.narrow(1, f->features, f->matrix.size(1) - f->features),
            at::zeros({ f->matrix.size(0), f->matrix.size(1) - f->features })));
    }

    // LN_1's Gram matrix as the CUDA features kernel takes it (gramTiles): a power-of-two scale that brings the largest
    // entry to at most 2^12, two tiles of the compute type whose sum gives G back to about twice that type's precision,
    // zeros outside G's rows and columns; and the variance it gives for a point is the variance over the channels of
    // that point's query embedding, computed directly.
    void gramTilesCarryTheVariance()
    {
        const auto model = loadTinyOnCpu();
        const GeometryDecoder& g = model->geometry();
        const auto f = g.factoredQuery();
        const std::int64_t n = f->features + 1;
        const at::Tensor gram = f->gram.view({ n, n }).to(at::kDouble);
        // The float32 Gram matrix times 2^20 and 2^-20: the scale follows the entries' size.
        for (const double factor : { 1.0, 1048576.0, 1.0 / 1048576.0 }) {
            for (const at::ScalarType type : { at::kHalf, at::kBFloat16 }) {
                const GramTiles t = gramTiles(gram * factor, type);
                QCOMPARE(t.tiles.sizes().vec(), (std::vector<std::int64_t> { 128, 64 }));
                QCOMPARE(t.tiles.scalar_type(), type);
                const double scale = t.scale.item<float>();
                QCOMPARE(std::exp2(std::round(std::log2(scale))), scale);
                const at::Tensor hi = t.tiles.narrow(0, 0, 64).to(at::kDouble);
                const at::Tensor lo = t.tiles.narrow(0, 64, 64).to(at::kDouble);
                const double largest = hi.abs().max().item<double>();
                QVERIFY2(largest <= 4096.0 && largest > 2048.0, QByteArray::number(largest));
                const at::Tensor back = (hi + lo) * scale;
                const at::Tensor want = at::constant_pad_nd(gram * factor, { 0, 64 - n, 0, 64 - n });
                // Half: 11 + 11 bits; bfloat16: 8 + 8 bits (relative to the largest entry, with room for rounding).
                const double bound
                    = (type == at::kHalf ? std::ldexp(1.0, -20) : std::ldexp(1.0, -14)) * largest * scale;
                const double error = (back - want).abs().max().item<double>();
                QVERIFY2(error <= bound, QByteArray::number(error));
                QVERIFY(at::equal(hi.narrow(0, n, 64 - n), at::zeros({ 64 - n, 64 }, hi.options())));
                QVERIFY(at::equal(hi.narrow(1, n, 64 - n), at::zeros({ 64, 64 - n }, hi.options())));
            }
        }
        // The variance the tiles give for random features f (f~ = [f, 1]) against f~^T G f~ with G itself: the
        // split keeps it where the quadratic form's terms cancel.
        at::manual_seed(21);
        const GramTiles t = gramTiles(gram, at::kHalf);
        const at::Tensor tiles = t.tiles.to(at::kDouble);
        const at::Tensor carried = (tiles.narrow(0, 0, 64) + tiles.narrow(0, 64, 64)) * t.scale.item<float>();
        const at::Tensor feats = at::randn({ 1000, n - 1 }, at::kDouble);
        const at::Tensor ft = at::cat({ feats, at::ones({ 1000, 1 }, feats.options()) }, 1);
        const at::Tensor padded = at::constant_pad_nd(ft, { 0, 64 - n });
        const at::Tensor fromTiles = (padded.matmul(carried) * padded).sum(1);
        const at::Tensor exact = (ft.matmul(gram) * ft).sum(1);
        QVERIFY(exact.min().item<double>() > 0);
        const double worst = ((fromTiles - exact).abs() / exact).max().item<double>();
        qInfo("variance from the half-precision tiles against the Gram matrix: worst relative %.3g", worst);
        QVERIFY2(worst <= 1e-5, QByteArray::number(worst));
    }

    // The tensor form of the fit shapes (training labels) is the scalar form (tests, docs).
    void shapesAgree()
    {
        at::manual_seed(3);
        const at::Tensor p = at::rand({ 5000, 3 }) * 2.02 - 1.01;
        for (const FitShape shape : { FitShape::Figurine, FitShape::Sphere, FitShape::Torus }) {
            const at::Tensor d = shapeSignedDistance(shape, p);
            double worst = 0;
            int inside = 0;
            for (int i = 0; i < 5000; ++i) {
                const Vec3f q { p[i][0].item<float>(), p[i][1].item<float>(), p[i][2].item<float>() };
                const float s = analyticShapeValue(shape, q);
                worst = std::max(worst, double(std::abs(s + d[i].item<float>())));
                inside += s > 0;
            }
            QVERIFY2(worst < 1e-5, QByteArray::number(worst));
            qInfo("%s: %.1f %% of the box inside", std::string(fitShapeName(shape)).c_str(), inside / 50.0);
            QVERIFY(inside > 50 && inside < 2500);
        }
        QCOMPARE(parseFitShape("torus"), FitShape::Torus);
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseFitShape("cube"));
    }

    // The FP8 path's scales rest on two bounds (shape_vae.h): no row can exceed them, and the LayerNorm bound is
    // reached by a row with one outlier.
    void fp8ScaleBoundsHold()
    {
        at::manual_seed(7);
        const std::int64_t width = 64, out = 96;
        const auto options = at::TensorOptions().dtype(at::kFloat);
        LayerNorm norm { at::randn({ width }) * 0.7 + 1.0, at::randn({ width }) * 0.3, 1e-6 };
        const Linear layer { at::randn({ out, width }) * 0.2, at::randn({ out }) * 0.5 };
        const float normBound = layerNormOutputBound(norm, width, options);
        const float linearBound = normThenLinearBound(layer, norm, width, options);
        QVERIFY(normBound > 0 && linearBound > 0);

        // Random rows, rows with one outlier at every position and of both signs, constant-plus-noise rows.
        std::vector<at::Tensor> rows { at::randn({ 4096, width }) * 3.0 + 1.0 };
        at::Tensor spikes = at::zeros({ 2 * width, width });
        for (std::int64_t j = 0; j < width; ++j) {
            spikes[j][j] = 1000.0;
            spikes[width + j][j] = -1000.0;
        }
        rows.push_back(spikes);
        rows.push_back(at::ones({ 64, width }) * 5.0 + at::randn({ 64, width }) * 1e-2);
        for (const at::Tensor& x : rows) {
            const at::Tensor n = norm(x);
            QVERIFY2(n.abs().max().item<float>() <= normBound * (1 + 1e-5f), "LayerNorm output above its bound");
            const at::Tensor y = layer(n);
            QVERIFY2(y.abs().max().item<float>() <= linearBound * (1 + 1e-5f), "product above its bound");
        }
        // The outlier rows reach the LayerNorm bound (it is attained, not merely safe).
        const float reached = norm(spikes).abs().max().item<float>();
        QVERIFY2(reached >= normBound * 0.999f, qPrintable(QString("reached %1 of %2").arg(reached).arg(normBound)));

        // Without affine parameters: sqrt(width - 1) exactly.
        const LayerNorm plain { {}, {}, 1e-6 };
        QCOMPARE(layerNormOutputBound(plain, width, options), float(std::sqrt(double(width - 1))));
    }
};

QTEST_GUILESS_MAIN(TestVolumeDecoding)
#include "tst_volume_decoding.moc"
