// CUDA marching cubes (core/cuda/mc_cuda.h) against the CPU marchingCubes(): the same mesh bit for bit (vertex and
// index order included), the same triangles within 1e-6 up to renumbering, watertight; invalid input, host memory
// and out-of-memory fail cleanly; the 385^3 extraction is timed. Skips without a CUDA device.

#include "orfeas/marching_cubes.h"
#include "orfeas/mesh_processing.h"

#include "gpu_test_volumes.h"
#include "mc_cuda.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <chrono>
#include <cuda_runtime.h>
#include <thread>

Q_DECLARE_METATYPE(orfeas::Volume)

using namespace orfeas;

namespace {

#define CUDA_VERIFY(call)                                                                                              \
    do {                                                                                                               \
        const cudaError_t err_ = (call);                                                                               \
        QVERIFY2(err_ == cudaSuccess, qPrintable(QStringLiteral("%1: %2").arg(#call, cudaGetErrorString(err_))));      \
    } while (false)

// Device memory freed on scope exit.
struct DeviceFloats {
    float* ptr = nullptr;
    DeviceFloats() = default;
    DeviceFloats(const DeviceFloats&) = delete;
    DeviceFloats& operator=(const DeviceFloats&) = delete;
    ~DeviceFloats()
    {
        if (ptr)
            cudaFree(ptr);
    }
};

struct Stream {
    cudaStream_t s = nullptr;
    Stream() = default;
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream()
    {
        if (s)
            cudaStreamDestroy(s);
    }
};

// Uploads a host volume's values (synchronously); false (with a warning) on a CUDA error.
bool upload(const Volume& v, DeviceFloats& d)
{
    const std::size_t bytes = v.values.size() * sizeof(float);
    cudaError_t err = cudaMalloc(reinterpret_cast<void**>(&d.ptr), bytes);
    if (err == cudaSuccess)
        err = cudaMemcpy(d.ptr, v.values.data(), bytes, cudaMemcpyHostToDevice);
    if (err != cudaSuccess)
        qWarning("uploading %zu bytes: %s", bytes, cudaGetErrorString(err));
    return err == cudaSuccess;
}

bool extract(const Volume& v, const float* d, float level, void* stream, Mesh& out, std::string* error,
    CudaMcStats* stats = nullptr)
{
    return extractSurfaceCuda(d, v.nx, v.ny, v.nz, v.origin, v.spacing, level, stream, out, error, stats);
}

// GPU mesh equals the CPU mesh: identical arrays, the same triangles within 1e-6, watertight when closed.
void compareWithCpu(const Mesh& gpu, const Mesh& cpu, bool closed)
{
    QCOMPARE(gpu.faceCount(), cpu.faceCount());
    QCOMPARE(gpu.vertexCount(), cpu.vertexCount());
    QVERIFY(gpu.isValid());
    std::string why;
    QVERIFY2(gputest::sameTriangles(gpu, cpu, 1e-6f, &why), why.c_str());
    QVERIFY2(gputest::identical(gpu, cpu, &why), why.c_str());
    if (closed && !cpu.empty()) {
        const MeshTopology t = analyzeTopology(gpu);
        QCOMPARE(t.boundaryEdges, std::size_t(0));
        QCOMPARE(t.nonManifoldEdges, std::size_t(0));
        QCOMPARE(t.inconsistentEdges, std::size_t(0));
    }
}

Mesh sentinelMesh()
{
    Mesh m;
    m.positions = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } };
    m.indices = { 0, 1, 2 };
    return m;
}

bool isSentinel(const Mesh& m)
{
    std::string why;
    return gputest::identical(m, sentinelMesh(), &why);
}

} // namespace

class TestCudaMc : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void concurrentFirstCalls();
    void matchesCpu_data();
    void matchesCpu();
    void randomSmallVolumesMatchCpu();
    void runsOnTheGivenStream();
    void invalidInputFails_data();
    void invalidInputFails();
    void hostMemoryFails();
    void largeSphereTimed();
    void outOfMemoryFailsCleanly();
};

void TestCudaMc::initTestCase()
{
    if (!cudaDeviceAvailable())
        QSKIP("no CUDA device");
    int device = 0;
    CUDA_VERIFY(cudaGetDevice(&device));
    cudaDeviceProp prop {};
    CUDA_VERIFY(cudaGetDeviceProperties(&prop, device));
    int driver = 0, runtime = 0;
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    qInfo("CUDA device %d: %s, %d SMs, %.1f GiB; driver %d, runtime %d", device, prop.name, prop.multiProcessorCount,
        double(prop.totalGlobalMem) / double(1 << 30), driver, runtime);
}

// First calls of the process from two threads on two streams at once (the per-device table is created under a lock).
void TestCudaMc::concurrentFirstCalls()
{
    const Volume a = gputest::torus(90, 80, 40);
    const Volume b = gputest::sphere(70, 60, 80, 0.7f);
    DeviceFloats da, db;
    QVERIFY(upload(a, da));
    QVERIFY(upload(b, db));
    Stream sa, sb;
    CUDA_VERIFY(cudaStreamCreateWithFlags(&sa.s, cudaStreamNonBlocking));
    CUDA_VERIFY(cudaStreamCreateWithFlags(&sb.s, cudaStreamNonBlocking));
    Mesh ma, mb;
    std::string ea, eb;
    bool oka = false, okb = false;
    std::thread ta([&] { oka = extract(a, da.ptr, 0.0f, sa.s, ma, &ea); });
    std::thread tb([&] { okb = extract(b, db.ptr, 0.0f, sb.s, mb, &eb); });
    ta.join();
    tb.join();
    QVERIFY2(oka, ea.c_str());
    QVERIFY2(okb, eb.c_str());
    compareWithCpu(ma, marchingCubes(a, 0.0f), true);
    compareWithCpu(mb, marchingCubes(b, 0.0f), true);
}

void TestCudaMc::matchesCpu_data()
{
    QTest::addColumn<Volume>("volume");
    QTest::addColumn<float>("level");
    QTest::addColumn<bool>("closed");
    QTest::newRow("sphere 65^3") << gputest::sphere(65, 65, 65, 0.6f) << 0.0f << true;
    QTest::newRow("sphere 129x97x113") << gputest::sphere(129, 97, 113, 0.7f) << 0.0f << true;
    QTest::newRow("sphere 257^3 level 0.1") << gputest::sphere(257, 257, 257, 0.8f) << 0.1f << true;
    QTest::newRow("torus 160x150x60") << gputest::torus(160, 150, 60) << 0.0f << true;
    QTest::newRow("sphere cut by the grid") << gputest::sphere(61, 77, 53, 1.1f) << 0.0f << false;
    QTest::newRow("integer noise with NaN 64x48x40")
        << gputest::noise(64, 48, 40, 11, 0.1, 0.0, true, true) << 0.0f << true;
    QTest::newRow("integer noise level 1") << gputest::noise(33, 35, 37, 12, 0.05, 0.0, true, true) << 1.0f << true;
    QTest::newRow("continuous noise 70x50x60") << gputest::noise(70, 50, 60, 13, 0.0, 0.0, false, true) << 0.0f << true;
    QTest::newRow("noise, NaN and inf, open")
        << gputest::noise(50, 70, 30, 14, 0.08, 0.05, false, false) << 0.0f << false;
    QTest::newRow("2x2x2") << gputest::noise(2, 2, 2, 15, 0.0, 0.0, false, false) << 0.0f << false;
    QTest::newRow("all outside") << gputest::sphere(40, 30, 20, -0.5f) << 0.0f << true;
    QTest::newRow("all inside") << gputest::sphere(40, 30, 20, 5.0f) << 0.0f << true;
}

void TestCudaMc::matchesCpu()
{
    QFETCH(Volume, volume);
    QFETCH(float, level);
    QFETCH(bool, closed);
    DeviceFloats d;
    QVERIFY(upload(volume, d));
    Mesh gpu = sentinelMesh();
    std::string error;
    QVERIFY2(extract(volume, d.ptr, level, nullptr, gpu, &error), error.c_str());
    compareWithCpu(gpu, marchingCubes(volume, level), closed);
    QCOMPARE(cudaGetLastError(), cudaSuccess);
}

// Random small volumes (every cube configuration, decider ties, values at the level, NaN, infinities).
void TestCudaMc::randomSmallVolumesMatchCpu()
{
    std::mt19937 rng(99);
    std::uniform_int_distribution<int> size(2, 12);
    for (std::uint32_t seed = 500; seed < 800; ++seed) {
        const Volume v = gputest::noise(size(rng), size(rng), size(rng), seed, seed % 3 == 0 ? 0.1 : 0.0,
            seed % 5 == 0 ? 0.05 : 0.0, seed % 2 == 0, seed % 4 < 2);
        const float level = seed % 7 == 0 ? 1.0f : 0.0f;
        DeviceFloats d;
        QVERIFY(upload(v, d));
        Mesh gpu;
        std::string error;
        QVERIFY2(extract(v, d.ptr, level, nullptr, gpu, &error), error.c_str());
        std::string why;
        QVERIFY2(gputest::identical(gpu, marchingCubes(v, level, nullptr, 1), &why),
            qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(why.c_str())));
    }
}

// The upload is still in flight on a non-blocking stream when the extraction is queued on it: only work ordered
// on that stream sees the values.
void TestCudaMc::runsOnTheGivenStream()
{
    const Volume v = gputest::sphere(201, 181, 191, 0.75f);
    const std::size_t bytes = v.values.size() * sizeof(float);
    float* pinned = nullptr;
    CUDA_VERIFY(cudaMallocHost(reinterpret_cast<void**>(&pinned), bytes));
    std::copy(v.values.begin(), v.values.end(), pinned);
    DeviceFloats d;
    CUDA_VERIFY(cudaMalloc(reinterpret_cast<void**>(&d.ptr), bytes));
    CUDA_VERIFY(cudaMemset(d.ptr, 0, bytes)); // all at the level: outside
    Stream s;
    CUDA_VERIFY(cudaStreamCreateWithFlags(&s.s, cudaStreamNonBlocking));
    Mesh gpu;
    std::string error;
    const cudaError_t copied = cudaMemcpyAsync(d.ptr, pinned, bytes, cudaMemcpyHostToDevice, s.s);
    const bool ok = copied == cudaSuccess && extract(v, d.ptr, 0.0f, s.s, gpu, &error);
    cudaFreeHost(pinned);
    QCOMPARE(copied, cudaSuccess);
    QVERIFY2(ok, error.c_str());
    compareWithCpu(gpu, marchingCubes(v, 0.0f), true);
}

void TestCudaMc::invalidInputFails_data()
{
    QTest::addColumn<int>("nx");
    QTest::addColumn<int>("ny");
    QTest::addColumn<int>("nz");
    QTest::addColumn<float>("spacing");
    QTest::addColumn<float>("originX");
    QTest::addColumn<float>("level");
    QTest::addColumn<bool>("nullValues");
    QTest::addColumn<QString>("message");
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    QTest::newRow("nx 1") << 1 << 4 << 4 << 0.1f << 0.0f << 0.0f << false << "at least 2 points";
    QTest::newRow("nz 0") << 4 << 4 << 0 << 0.1f << 0.0f << 0.0f << false << "at least 2 points";
    QTest::newRow("too many points") << 1300 << 1300 << 1300 << 0.1f << 0.0f << 0.0f << false << "2^31 - 1 points";
    QTest::newRow("null values") << 4 << 4 << 4 << 0.1f << 0.0f << 0.0f << true << "no values";
    QTest::newRow("zero spacing") << 4 << 4 << 4 << 0.0f << 0.0f << 0.0f << false << "spacing must be positive";
    QTest::newRow("NaN spacing") << 4 << 4 << 4 << nan << 0.0f << 0.0f << false << "must be finite";
    QTest::newRow("infinite origin") << 4 << 4 << 4 << 0.1f << inf << 0.0f << false << "must be finite";
    QTest::newRow("NaN level") << 4 << 4 << 4 << 0.1f << 0.0f << nan << false << "level must be finite";
}

void TestCudaMc::invalidInputFails()
{
    QFETCH(int, nx);
    QFETCH(int, ny);
    QFETCH(int, nz);
    QFETCH(float, spacing);
    QFETCH(float, originX);
    QFETCH(float, level);
    QFETCH(bool, nullValues);
    QFETCH(QString, message);
    DeviceFloats d;
    CUDA_VERIFY(cudaMalloc(reinterpret_cast<void**>(&d.ptr), 64 * sizeof(float)));
    CUDA_VERIFY(cudaMemset(d.ptr, 0, 64 * sizeof(float)));
    Mesh out = sentinelMesh();
    std::string error;
    QVERIFY(!extractSurfaceCuda(nullValues ? nullptr : d.ptr, nx, ny, nz, { originX, 0, 0 },
        { spacing, spacing, spacing }, level, nullptr, out, &error));
    QVERIFY2(QString::fromStdString(error).startsWith("CUDA marching cubes: "), error.c_str());
    QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
    QVERIFY(isSentinel(out));
    QCOMPARE(cudaGetLastError(), cudaSuccess);
}

void TestCudaMc::hostMemoryFails()
{
    const Volume v = gputest::sphere(9, 9, 9, 0.5f);
    Mesh out = sentinelMesh();
    std::string error;
    QVERIFY(!extractSurfaceCuda(v.values.data(), v.nx, v.ny, v.nz, v.origin, v.spacing, 0.0f, nullptr, out, &error));
    QVERIFY2(QString::fromStdString(error).contains("not in device memory"), error.c_str());
    QVERIFY(isSentinel(out));
    QCOMPARE(cudaGetLastError(), cudaSuccess);
}

// Issue 5: a 385^3 volume in at most 50 ms (the whole call: device work, synchronisations, copies to the host).
void TestCudaMc::largeSphereTimed()
{
    const Volume v = gputest::sphere(385, 385, 385, 0.6f, 0.0f, 0.0f, 0.0f);
    auto t0 = std::chrono::steady_clock::now();
    const Mesh cpu = marchingCubes(v, 0.0f);
    const double cpuMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    DeviceFloats d;
    QVERIFY(upload(v, d));
    Stream s;
    CUDA_VERIFY(cudaStreamCreateWithFlags(&s.s, cudaStreamNonBlocking));
    Mesh gpu;
    std::string error;
    CudaMcStats stats;
    QVERIFY2(extract(v, d.ptr, 0.0f, s.s, gpu, &error, &stats), error.c_str()); // warm-up (table upload, pools)
    compareWithCpu(gpu, cpu, true);

    cudaEvent_t start = nullptr, stop = nullptr;
    CUDA_VERIFY(cudaEventCreate(&start));
    CUDA_VERIFY(cudaEventCreate(&stop));
    std::vector<double> eventMs, wallMs;
    bool ok = true;
    for (int run = 0; run < 7 && ok; ++run) {
        Mesh m;
        ok = cudaEventRecord(start, s.s) == cudaSuccess;
        t0 = std::chrono::steady_clock::now();
        ok = ok && extract(v, d.ptr, 0.0f, s.s, m, &error);
        const auto t1 = std::chrono::steady_clock::now();
        ok = ok && cudaEventRecord(stop, s.s) == cudaSuccess && cudaEventSynchronize(stop) == cudaSuccess;
        float ms = 0;
        ok = ok && cudaEventElapsedTime(&ms, start, stop) == cudaSuccess;
        ok = ok && m.faceCount() == cpu.faceCount();
        eventMs.push_back(ms);
        wallMs.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    QVERIFY2(ok, error.c_str());
    std::sort(eventMs.begin(), eventMs.end());
    std::sort(wallMs.begin(), wallMs.end());
    qInfo("385^3 sphere: %zu vertices, %zu faces, %zu active cells, scratch %.1f MB; CUDA: median %.2f ms "
          "(min %.2f, max %.2f; CUDA events: median %.2f ms), CPU marchingCubes (%u threads): %.1f ms",
        gpu.vertexCount(), gpu.faceCount(), stats.activeCells, double(stats.peakScratchBytes) / 1e6, wallMs[3],
        wallMs.front(), wallMs.back(), eventMs[3], std::max(1u, std::thread::hardware_concurrency()), cpuMs);
    QVERIFY2(wallMs[3] <= 50.0, qPrintable(QStringLiteral("median %1 ms").arg(wallMs[3])));
    QVERIFY(stats.peakScratchBytes < 3 * v.pointCount()); // flags + cube indices + small lists
}

// Out of device memory: false with a message, `out` unchanged, no CUDA error left behind, and the next call works.
void TestCudaMc::outOfMemoryFailsCleanly()
{
    const Volume v = gputest::sphere(321, 321, 321, 0.6f);
    DeviceFloats d;
    QVERIFY(upload(v, d));
    CUDA_VERIFY(cudaDeviceSynchronize()); // lets the stream-ordered pools return what they hold
    std::size_t freeBytes = 0, totalBytes = 0;
    CUDA_VERIFY(cudaMemGetInfo(&freeBytes, &totalBytes));
    void* filler = nullptr;
    const std::size_t margin = 16u << 20; // less than the 33 MB of point flags the extraction needs first
    for (int attempt = 0; attempt < 64 && !filler; ++attempt) {
        const std::size_t want = freeBytes - margin - std::size_t(attempt) * (2u << 20);
        if (cudaMalloc(&filler, want) != cudaSuccess) {
            filler = nullptr;
            cudaGetLastError();
        }
    }
    QVERIFY(filler);
    Mesh out = sentinelMesh();
    std::string error;
    const bool ok = extract(v, d.ptr, 0.0f, nullptr, out, &error);
    const cudaError_t after = cudaGetLastError();
    cudaFree(filler);
    QVERIFY(!ok);
    QVERIFY2(QString::fromStdString(error).contains("cudaErrorMemoryAllocation"), error.c_str());
    QVERIFY(isSentinel(out));
    QCOMPARE(after, cudaSuccess);

    Mesh again;
    QVERIFY2(extract(v, d.ptr, 0.0f, nullptr, again, &error), error.c_str());
    compareWithCpu(again, marchingCubes(v, 0.0f), true);
}

QTEST_GUILESS_MAIN(TestCudaMc)
#include "tst_cuda_mc.moc"
