// orfeas-decoder-kernel-bench: times the geometry decoder's own kernels (decoder_kernels.h) at the full-size decoder's
// shapes, on random data, without LibTorch: decoderFront on a chunk of 131072 points (width 1024, heads of 64, eight
// frequencies), shiftedLayerNorm (ln_3) on a slice of 32768 rows and layerNormDot (ln_post and the output projection)
// on a chunk. For each: the median of `reps` timed launches (CUDA events), the bytes it must move at least and the
// rate that makes, and its time scaled to one dense decoding of 385^3 points (the calls such a decoding makes); then
// the MLP's two products on a slice (tunedGemm), the first with each of its epilogues.
// A developer's tool for comparing kernel variants on the GPU machine (docs/benchmarks.md); not a test.
// Usage: orfeas-decoder-kernel-bench [reps] [bf16]

#include "decoder_kernels.h"
#include "tuned_gemm.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cuda_runtime.h>
#include <functional>
#include <random>
#include <vector>

using namespace orfeas::cuda;

namespace {

bool check(cudaError_t e, const char* what)
{
    if (e != cudaSuccess)
        std::printf("CUDA error in %s: %s\n", what, cudaGetErrorString(e));
    return e == cudaSuccess;
}

template <typename V> V* upload(const std::vector<V>& host)
{
    V* p = nullptr;
    if (!check(cudaMalloc(&p, std::max<std::size_t>(host.size(), 1) * sizeof(V)), "cudaMalloc"))
        std::exit(1);
    cudaMemcpy(p, host.data(), host.size() * sizeof(V), cudaMemcpyHostToDevice);
    return p;
}

void* deviceBytes(std::size_t n)
{
    void* p = nullptr;
    if (!check(cudaMalloc(&p, n), "cudaMalloc"))
        std::exit(1);
    cudaMemset(p, 0, n);
    return p;
}

// Random 2-byte values of the storage type, as raw bits (half: exponent-limited normals; bfloat16 alike).
std::vector<std::uint16_t> randomStorage(std::size_t n, bool bf16, std::mt19937& rng)
{
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<std::uint16_t> v(n);
    for (auto& x : v) {
        float f = 0.5f * d(rng);
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        if (bf16) {
            x = std::uint16_t(bits >> 16);
        } else {
            // float -> half by truncation of a value well inside half's range (enough for timing)
            const std::uint32_t sign = (bits >> 16) & 0x8000u;
            const int exponent = int((bits >> 23) & 0xff) - 127 + 15;
            const std::uint32_t mantissa = (bits >> 13) & 0x3ffu;
            x = exponent <= 0 ? std::uint16_t(sign) : std::uint16_t(sign | (std::uint32_t(exponent) << 10) | mantissa);
        }
    }
    return v;
}

struct Timing {
    double medianMs = 0, bestMs = 0;
};

Timing timeIt(int reps, const std::function<const char*()>& launch, const char* what)
{
    for (int i = 0; i < 3; ++i)
        if (const char* e = launch()) {
            std::printf("%s: %s\n", what, e);
            std::exit(1);
        }
    cudaEvent_t a, b;
    cudaEventCreate(&a);
    cudaEventCreate(&b);
    std::vector<double> ms;
    for (int i = 0; i < reps; ++i) {
        cudaEventRecord(a);
        launch();
        cudaEventRecord(b);
        cudaEventSynchronize(b);
        float t = 0;
        cudaEventElapsedTime(&t, a, b);
        ms.push_back(t);
    }
    if (!check(cudaDeviceSynchronize(), what))
        std::exit(1);
    std::sort(ms.begin(), ms.end());
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    return { ms[ms.size() / 2], ms.front() };
}

void report(const char* name, const Timing& t, double bytes, double callsPerDense)
{
    std::printf("%-44s median %8.4f ms  best %8.4f ms  %7.1f GB/s  per dense decode %7.1f ms\n", name, t.medianMs,
        t.bestMs, bytes / (t.medianMs * 1e-3) / 1e9, t.medianMs * callsPerDense);
}

} // namespace

int main(int argc, char** argv)
{
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        std::printf("SKIP: no CUDA device\n");
        return 77;
    }
    const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
    const bool bf16 = argc > 2 && std::strcmp(argv[2], "bf16") == 0;
    const DitDType type = bf16 ? DitDType::BFloat16 : DitDType::Float16;
    constexpr std::int64_t kChunk = 131072, kSlice = 32768;
    constexpr int kWidth = 1024, kHead = 64, kFrequencies = 8;
    const double chunksPerDense = 385.0 * 385.0 * 385.0 / double(kChunk);
    std::mt19937 rng(7);

    // decoderFront: points in the decoding box, the factored form's weights and parameters random.
    std::uniform_real_distribution<float> box(-1.01f, 1.01f);
    std::vector<float> points(std::size_t(kChunk * 3));
    for (auto& p : points)
        p = box(rng);
    std::vector<float> frequencies(kFrequencies);
    for (int i = 0; i < kFrequencies; ++i)
        frequencies[std::size_t(i)] = float(3.14159265358979 * double(1 << i));
    std::vector<std::uint16_t> weights = randomStorage(std::size_t(2 * kWidth * 64), bf16, rng);
    for (int j = 0; j < 2 * kWidth; ++j)
        for (int c = 3 + 6 * kFrequencies; c < 64; ++c)
            weights[std::size_t(j * 64 + c)] = 0;
    std::vector<float> m1(kWidth), m2(kWidth), scale { 2.0f };
    std::normal_distribution<float> d(0.0f, 1.0f);
    for (int j = 0; j < kWidth; ++j) {
        m1[std::size_t(j)] = d(rng);
        m2[std::size_t(j)] = 0.3f * d(rng);
    }
    float* dPoints = upload(points);
    float* dFrequencies = upload(frequencies);
    std::uint16_t* dWeights = upload(weights);
    std::uint16_t* dBias = upload(randomStorage(kWidth, bf16, rng));
    std::uint16_t* dQw = upload(randomStorage(kHead, bf16, rng));
    std::uint16_t* dQb = upload(randomStorage(kHead, bf16, rng));
    float* dScale = upload(scale);
    float* dM1 = upload(m1);
    float* dM2 = upload(m2);
    void* dX0 = deviceBytes(std::size_t(kChunk * kWidth * 2));
    void* dQ = deviceBytes(std::size_t(kChunk * kWidth * 2));
    const Timing front = timeIt(reps,
        [&] {
            return decoderFront(type, dPoints, dFrequencies, kFrequencies, dWeights, dBias, dScale, dM1, dM2, 1e-6f, true,
                dQw, dQb, 1e-6f, dX0, dQ, kChunk, kWidth, kHead, nullptr);
        },
        "decoderFront");
    report("decoderFront 131072 x 1024, heads of 64", front, double(kChunk) * (12 + 2.0 * kWidth * 2), chunksPerDense);

    // ln_3 over a slice of the residual stream (random rows), with the owed bias and the affine step.
    std::uint16_t* dRows = upload(randomStorage(std::size_t(kChunk * kWidth), bf16, rng));
    std::uint16_t* dShift = upload(randomStorage(kWidth, bf16, rng));
    std::uint16_t* dNormWeight = upload(randomStorage(kWidth, bf16, rng));
    std::uint16_t* dNormBias = upload(randomStorage(kWidth, bf16, rng));
    std::uint16_t* dProjection = upload(randomStorage(kWidth, bf16, rng));
    std::uint16_t* dProjectionBias = upload(randomStorage(1, bf16, rng));
    const Timing ln3 = timeIt(reps,
        [&] {
            return shiftedLayerNorm(type, dRows, dShift, dNormWeight, dNormBias, dX0, kSlice, kWidth, 1e-5f, nullptr);
        },
        "shiftedLayerNorm");
    report("shiftedLayerNorm 32768 x 1024 (ln_3)", ln3, double(kSlice) * kWidth * 4, chunksPerDense * kChunk / kSlice);

    auto* dLogits = static_cast<float*>(deviceBytes(std::size_t(kChunk * 4)));
    const Timing dot = timeIt(reps,
        [&] {
            return layerNormDot(type, dRows, dShift, true, dNormWeight, dNormBias, 1e-5f, dProjection, dProjectionBias,
                dLogits, kChunk, kWidth, nullptr);
        },
        "layerNormDot");
    report("layerNormDot 131072 x 1024 (ln_post, output)", dot, double(kChunk) * (kWidth * 2 + 4), chunksPerDense);
    std::printf("sum of the three per dense decode: %.1f ms\n",
        (front.medianMs + dot.medianMs) * chunksPerDense + ln3.medianMs * chunksPerDense * kChunk / kSlice);

    // The MLP's two products on a slice (tunedGemm, the algorithm chosen by timing as in the decoder), the first
    // with each of the epilogues, to see what its bias and GELU cost.
    constexpr int kHidden = 4 * kWidth;
    std::uint16_t* dFc = upload(randomStorage(std::size_t(kHidden) * kWidth, bf16, rng));
    std::uint16_t* dFcBias = upload(randomStorage(kHidden, bf16, rng));
    std::uint16_t* dFcOut = upload(randomStorage(std::size_t(kWidth) * kHidden, bf16, rng));
    void* dHidden = deviceBytes(std::size_t(kSlice) * kHidden * 2);
    void* dScratch = deviceBytes(std::size_t(kSlice) * kWidth * 2);
    void* dWorkspace = deviceBytes(tunedGemmWorkspaceBytes);
    const double productFlop = 2.0 * double(kSlice) * kWidth * kHidden;
    const double slicesPerDense = chunksPerDense * kChunk / kSlice;
    const auto product = [&](const char* name, TunedGemm g) {
        g.type = type;
        g.workspace = dWorkspace;
        g.scratch = dScratch;
        const Timing t = timeIt(
            reps, [&] { return tunedGemm(g, true, nullptr); }, name);
        std::printf("%-44s median %8.4f ms  best %8.4f ms  %7.1f TFLOP/s  per dense decode %7.1f ms\n", name,
            t.medianMs, t.bestMs, productFlop / (t.medianMs * 1e-3) / 1e12, t.medianMs * slicesPerDense);
    };
    TunedGemm fc;
    fc.a = dX0;
    fc.b = dFc;
    fc.bias = dFcBias;
    fc.d = dHidden;
    fc.m = kSlice;
    fc.n = kHidden;
    fc.k = kWidth;
    fc.epilogue = GemmEpilogue::GeluBias;
    product("fc1 32768 x 4096 x 1024, bias + GELU", fc);
    fc.epilogue = GemmEpilogue::Bias;
    product("fc1 32768 x 4096 x 1024, bias", fc);
    fc.epilogue = GemmEpilogue::None;
    fc.bias = nullptr;
    product("fc1 32768 x 4096 x 1024, no epilogue", fc);
    TunedGemm out;
    out.a = dHidden;
    out.b = dFcOut;
    out.d = dRows;
    out.accumulate = true;
    out.m = kSlice;
    out.n = kWidth;
    out.k = kHidden;
    product("fc2 32768 x 1024 x 4096, accumulating", out);
    return 0;
}
