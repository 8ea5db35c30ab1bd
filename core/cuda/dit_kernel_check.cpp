// orfeas-dit-kernel-check: the fused denoiser kernels' vectorised variants (dit_kernels.h) against their general
// kernels, on random data at the full-size denoiser's shapes (rows of 1024 values, 16 heads of 64) and a few others,
// in half precision and bfloat16; and the geometry decoder's kernels (decoder_kernels.h) and FP8 products
// (fp8_gemm.h: quantisation, the E4M3 LayerNorm output, products with bias, with GELU into E4M3 and accumulating)
// against the same arithmetic on the host (FP8 values within half a step of their three significant bits), the
// factored decoder queries (factoredQueries) and the decoder's one-pass front (decoderFront) against the host in
// double, and the timed-algorithm products
// (tuned_gemm.h) bit for bit against the heuristic's choice and, for their first rows, against the host.
// Qt-free so that it runs on the GPU machine; registered as the gpu-labelled test tst_dit_kernels where tests are
// built. Exit 0: all agree; 1: a mismatch or CUDA error; 77: no CUDA device.
//
// What "agree" means: where no reduction is involved (gatedResidual, the residual update of adaLayerNorm, v in
// qkRmsNormSplit) the results must be identical; where a LayerNorm or RMS reduction is, the variants sum in another
// order, so a value may move by a unit in the last place of the storage type: at most 1 % of the values may
// differ, each by at most 2^-6 relative to the value or, for values below it, to the output's root mean square (a
// few units of bfloat16's last place).

#if ORFEAS_CUDA_DECODER_ATTENTION
#include "decoder_attention.h"
#endif
#include "decoder_kernels.h"
#include "dit_kernels.h"
#include "fp8_gemm.h"
#include "tuned_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace orfeas::cuda;

namespace {

int g_failures = 0;

void fail(const std::string& what)
{
    std::printf("FAIL %s\n", what.c_str());
    ++g_failures;
}

bool ok(cudaError_t e, const char* what)
{
    if (e != cudaSuccess) {
        fail(std::string(what) + ": " + cudaGetErrorString(e));
        return false;
    }
    return true;
}

bool ok(const char* err, const char* what)
{
    if (err) {
        fail(std::string(what) + ": " + err);
        return false;
    }
    return true;
}

// 2-byte storage values on the host (T: __half or __nv_bfloat16, Raw: its raw bits type).
template <typename T, typename Raw> struct Storage {
    static std::uint16_t from(float v)
    {
        const Raw r = T(v); // round to nearest even
        return r.x;
    }
    static float to(std::uint16_t u)
    {
        Raw r;
        r.x = u;
        return float(T(r));
    }
};
using Half = Storage<__half, __half_raw>;
using BFloat = Storage<__nv_bfloat16, __nv_bfloat16_raw>;

// A device buffer of 2-byte values with a host copy; 16-byte aligned plus `offset` elements.
struct Buffer {
    std::uint16_t* base = nullptr;
    std::size_t offset = 0, count = 0;
    Buffer(std::size_t n, std::size_t off = 0)
        : offset(off)
        , count(n)
    {
        if (cudaMalloc(&base, (n + off + 8) * 2) != cudaSuccess)
            base = nullptr;
    }
    ~Buffer()
    {
        if (base)
            cudaFree(base);
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    std::uint16_t* ptr() const { return base + offset; }
    void upload(const std::vector<std::uint16_t>& v) { cudaMemcpy(ptr(), v.data(), v.size() * 2, cudaMemcpyHostToDevice); }
    std::vector<std::uint16_t> download() const
    {
        std::vector<std::uint16_t> v(count);
        cudaMemcpy(v.data(), ptr(), count * 2, cudaMemcpyDeviceToHost);
        return v;
    }
};

template <typename S>
std::vector<std::uint16_t> randomValues(std::size_t n, std::mt19937& rng, float scale, float shift = 0.0f)
{
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<std::uint16_t> v(n);
    for (auto& x : v)
        x = S::from(shift + scale * d(rng));
    return v;
}

// exact: bit-identical; otherwise the tolerance in the file comment.
template <typename S>
void compare(const std::string& what, const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b,
    bool exact)
{
    // Differences relative to the value, or to the values' root mean square where the value is smaller: an output
    // near zero (shift cancelling (1 + scale) * norm) moves by the last place of its terms, not of itself.
    double squares = 0;
    for (const auto u : b)
        squares += double(S::to(u)) * S::to(u);
    const double rms = std::sqrt(squares / double(std::max<std::size_t>(b.size(), 1)));
    std::size_t differ = 0;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i])
            continue;
        ++differ;
        const double x = S::to(a[i]), y = S::to(b[i]);
        const double rel = std::fabs(x - y) / std::max({ std::fabs(y), rms, 1e-6 });
        worst = std::max(worst, std::isfinite(rel) ? rel : 1e30);
    }
    const bool good = exact ? differ == 0 : (differ <= a.size() / 100 && worst <= 1.0 / 64);
    std::printf("%s %-60s %zu of %zu values differ, worst relative %.3g\n", good ? "ok  " : "FAIL", what.c_str(),
        differ, a.size(), worst);
    if (!good)
        ++g_failures;
}

template <typename S>
void checkAdaNorm(DitDType type, int batch, std::int64_t tokens, int width, bool residual, std::mt19937& rng)
{
    const std::int64_t n = batch * tokens * width;
    const std::int64_t modStride = 6 * width;
    const auto x0 = randomValues<S>(std::size_t(n), rng, 1.5f, 0.3f);
    const auto y = randomValues<S>(std::size_t(n), rng, 1.0f);
    const auto mod = randomValues<S>(std::size_t(batch * modStride), rng, 0.5f);
    Buffer bx { std::size_t(n) }, by { std::size_t(n) }, bmod { std::size_t(batch * modStride) }, bout { std::size_t(n) };
    by.upload(y);
    bmod.upload(mod);
    std::vector<std::uint16_t> results[2][2]; // [generic?][x, out]
    for (int generic = 0; generic < 2; ++generic) {
        useGenericKernelsOnly(generic == 1);
        bx.upload(x0);
        cudaMemset(bout.ptr(), 0, std::size_t(n) * 2);
        const std::uint16_t* m = bmod.ptr();
        if (!ok(adaLayerNorm(type, bx.ptr(), residual ? by.ptr() : nullptr, residual ? m + 2 * width : nullptr,
                    m + 3 * width, m + 4 * width, modStride, bout.ptr(), batch, tokens, width, 1e-6f, nullptr),
                "adaLayerNorm")
            || !ok(cudaDeviceSynchronize(), "adaLayerNorm run"))
            return;
        results[generic][0] = bx.download();
        results[generic][1] = bout.download();
    }
    useGenericKernelsOnly(false);
    const std::string name = "adaLayerNorm " + std::to_string(batch) + "x" + std::to_string(tokens) + "x"
        + std::to_string(width) + (residual ? " +residual" : "") + (type == DitDType::Float16 ? " half" : " bf16");
    if (residual)
        compare<S>(name + ": x", results[0][0], results[1][0], true);
    compare<S>(name + ": out", results[0][1], results[1][1], false);
}

template <typename S>
void checkGatedResidual(DitDType type, int batch, std::int64_t tokens, int width, std::mt19937& rng)
{
    const std::int64_t n = batch * tokens * width;
    const std::int64_t modStride = 3 * width;
    const auto x0 = randomValues<S>(std::size_t(n), rng, 2.0f);
    const auto y = randomValues<S>(std::size_t(n), rng, 1.0f);
    const auto mod = randomValues<S>(std::size_t(batch * modStride), rng, 0.5f);
    Buffer bx { std::size_t(n) }, by { std::size_t(n) }, bmod { std::size_t(batch * modStride) };
    by.upload(y);
    bmod.upload(mod);
    std::vector<std::uint16_t> results[2];
    for (int generic = 0; generic < 2; ++generic) {
        useGenericKernelsOnly(generic == 1);
        bx.upload(x0);
        if (!ok(gatedResidual(type, bx.ptr(), by.ptr(), bmod.ptr() + 2 * width, modStride, batch, tokens, width, nullptr),
                "gatedResidual")
            || !ok(cudaDeviceSynchronize(), "gatedResidual run"))
            return;
        results[generic] = bx.download();
    }
    useGenericKernelsOnly(false);
    // The host's arithmetic, as the kernels do it: the product in float32 rounded to the storage type, then the sum
    // in float32 rounded again.
    std::vector<std::uint16_t> expect(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t b = i / (tokens * width);
        const std::size_t g = std::size_t(b * modStride + 2 * width + i % width);
        const float product = S::to(S::from(S::to(mod[g]) * S::to(y[std::size_t(i)])));
        expect[std::size_t(i)] = S::from(S::to(x0[std::size_t(i)]) + product);
    }
    const std::string name = "gatedResidual " + std::to_string(batch) + "x" + std::to_string(tokens) + "x"
        + std::to_string(width) + (type == DitDType::Float16 ? " half" : " bf16");
    compare<S>(name, results[0], results[1], true);
    compare<S>(name + " against the host", results[0], expect, true);
}

template <typename S>
void checkSplit(DitDType type, int batch, std::int64_t tokens, int heads, int headDim, std::int64_t outTokens,
    std::int64_t outOffset, bool withV, std::mt19937& rng)
{
    const std::int64_t width = std::int64_t(heads) * headDim;
    const std::int64_t rowStride = 3 * width;
    const std::int64_t inN = batch * tokens * rowStride;
    const std::int64_t outN = batch * outTokens * width;
    const auto qkv = randomValues<S>(std::size_t(inN), rng, 1.0f, 0.1f);
    const auto scales = randomValues<S>(std::size_t(2 * headDim), rng, 0.3f, 1.0f);
    Buffer bqkv { std::size_t(inN) }, bs { std::size_t(2 * headDim) }, bq { std::size_t(outN) }, bk { std::size_t(outN) },
        bv { std::size_t(outN) };
    bqkv.upload(qkv);
    bs.upload(scales);
    std::vector<std::uint16_t> results[2][3];
    for (int generic = 0; generic < 2; ++generic) {
        useGenericKernelsOnly(generic == 1);
        for (Buffer* b : { &bq, &bk, &bv })
            cudaMemset(b->ptr(), 0, std::size_t(outN) * 2);
        if (!ok(qkRmsNormSplit(type, bqkv.ptr(), rowStride, bs.ptr(), bs.ptr() + headDim, bq.ptr(), bk.ptr(),
                    withV ? bv.ptr() : nullptr, batch, tokens, heads, headDim, headDim, outTokens, outOffset, 1e-6f,
                    nullptr),
                "qkRmsNormSplit")
            || !ok(cudaDeviceSynchronize(), "qkRmsNormSplit run"))
            return;
        results[generic][0] = bq.download();
        results[generic][1] = bk.download();
        results[generic][2] = bv.download();
    }
    useGenericKernelsOnly(false);
    const std::string name = "qkRmsNormSplit " + std::to_string(batch) + "x" + std::to_string(tokens) + " "
        + std::to_string(heads) + "x" + std::to_string(headDim) + " at " + std::to_string(outOffset) + "/"
        + std::to_string(outTokens) + (withV ? "" : " no v") + (type == DitDType::Float16 ? " half" : " bf16");
    compare<S>(name + ": q", results[0][0], results[1][0], false);
    compare<S>(name + ": k", results[0][1], results[1][1], false);
    compare<S>(name + ": v", results[0][2], results[1][2], true);
    // A check that cannot pass by doing nothing: the kernels wrote q.
    std::size_t zeros = 0;
    for (const auto u : results[0][0])
        zeros += u == 0;
    if (zeros == results[0][0].size())
        fail(name + ": q was not written");
}

template <typename S>
void checkRowNorm(DitDType type, std::int64_t rows, int width, bool affine, std::mt19937& rng)
{
    const std::size_t n = std::size_t(rows * width);
    const auto x = randomValues<S>(n, rng, 1.5f, 0.3f);
    const auto params = randomValues<S>(std::size_t(2 * width), rng, 0.3f, 1.0f);
    Buffer bx { n }, bp { std::size_t(2 * width) }, bout { n };
    bx.upload(x);
    bp.upload(params);
    std::vector<std::uint16_t> results[2];
    for (int generic = 0; generic < 2; ++generic) {
        useGenericKernelsOnly(generic == 1);
        cudaMemset(bout.ptr(), 0, n * 2);
        if (!ok(rowLayerNorm(type, bx.ptr(), affine ? bp.ptr() : nullptr, affine ? bp.ptr() + width : nullptr,
                    bout.ptr(), rows, width, 1e-6f, nullptr),
                "rowLayerNorm")
            || !ok(cudaDeviceSynchronize(), "rowLayerNorm run"))
            return;
        results[generic] = bout.download();
    }
    useGenericKernelsOnly(false);
    const std::string name = "rowLayerNorm " + std::to_string(rows) + "x" + std::to_string(width)
        + (affine ? "" : " no affine") + (type == DitDType::Float16 ? " half" : " bf16");
    compare<S>(name, results[0], results[1], false);
    std::size_t zeros = 0;
    for (const auto u : results[0])
        zeros += u == 0;
    if (zeros == n)
        fail(name + ": nothing was written");
}

// The geometry decoder's kernels (decoder_kernels.h) against the same arithmetic on the host (double sums, the
// storage type's rounding where the kernels round).
// A row's values plus the shift (zero when shift is empty), in double, as the kernels sum them (float32 of the
// storage values; both are exact in double).
template <typename S>
std::vector<double> shiftedRow(const std::uint16_t* row, const std::vector<std::uint16_t>& shift, int width)
{
    std::vector<double> y(static_cast<std::size_t>(width));
    for (int c = 0; c < width; ++c)
        y[std::size_t(c)] = double(float(S::to(row[c]) + (shift.empty() ? 0.0f : S::to(shift[std::size_t(c)]))));
    return y;
}

// A row's mean and 1 / sqrt(biased variance + eps), in double.
void hostStatistics(const std::vector<double>& y, double eps, double& mean, double& rstd)
{
    double sum = 0, sq = 0;
    for (const double v : y)
        sum += v;
    mean = sum / double(y.size());
    for (const double v : y)
        sq += (v - mean) * (v - mean);
    rstd = 1.0 / std::sqrt(sq / double(y.size()) + eps);
}

template <typename S>
void checkShiftedLayerNorm(DitDType type, std::int64_t rows, int width, bool withShift, std::mt19937& rng)
{
    const std::size_t n = std::size_t(rows * width);
    const auto x0 = randomValues<S>(n, rng, 1.5f, 0.3f);
    const auto weight = randomValues<S>(std::size_t(width), rng, 0.3f, 1.0f);
    const auto bias = randomValues<S>(std::size_t(width), rng, 0.2f);
    const auto shift = withShift ? randomValues<S>(std::size_t(width), rng, 0.5f) : std::vector<std::uint16_t> {};
    Buffer bx { n }, bw { std::size_t(width) }, bb { std::size_t(width) }, bs { std::size_t(width) }, bout { n };
    bx.upload(x0);
    bw.upload(weight);
    bb.upload(bias);
    if (withShift)
        bs.upload(shift);
    if (!ok(shiftedLayerNorm(type, bx.ptr(), withShift ? bs.ptr() : nullptr, bw.ptr(), bb.ptr(), bout.ptr(), rows,
                width, 1e-6f, nullptr),
            "shiftedLayerNorm")
        || !ok(cudaDeviceSynchronize(), "shiftedLayerNorm run"))
        return;
    std::vector<std::uint16_t> expectOut(n);
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::vector<double> y = shiftedRow<S>(x0.data() + r * width, shift, width);
        double mean = 0, rstd = 0;
        hostStatistics(y, 1e-6, mean, rstd);
        for (int c = 0; c < width; ++c) {
            const double v
                = (y[std::size_t(c)] - mean) * rstd * S::to(weight[std::size_t(c)]) + S::to(bias[std::size_t(c)]);
            expectOut[std::size_t(r * width + c)] = S::from(float(v));
        }
    }
    const std::string name = "shiftedLayerNorm " + std::to_string(rows) + "x" + std::to_string(width)
        + (withShift ? "" : " no shift") + (type == DitDType::Float16 ? " half" : " bf16");
    compare<S>(name + ": out", bout.download(), expectOut, false);
    compare<S>(name + ": x untouched", bx.download(), x0, true);
}

template <typename S>
void checkLayerNormDot(DitDType type, std::int64_t rows, int width, bool normalise, bool withShift, std::mt19937& rng)
{
    const std::size_t n = std::size_t(rows * width);
    const auto x = randomValues<S>(n, rng, 1.5f, 0.3f);
    const auto shift = withShift ? randomValues<S>(std::size_t(width), rng, 0.5f) : std::vector<std::uint16_t> {};
    const auto weight = randomValues<S>(std::size_t(width), rng, 0.3f, 1.0f);
    const auto bias = randomValues<S>(std::size_t(width), rng, 0.2f);
    const auto w = randomValues<S>(std::size_t(width), rng, 0.05f);
    const auto outBias = randomValues<S>(1, rng, 0.5f);
    Buffer bx { n }, bw { std::size_t(width) }, bb { std::size_t(width) }, bp { std::size_t(width) }, bo { 1 },
        bs { std::size_t(width) };
    bx.upload(x);
    if (withShift)
        bs.upload(shift);
    bw.upload(weight);
    bb.upload(bias);
    bp.upload(w);
    bo.upload(outBias);
    float* logits = nullptr;
    if (!ok(cudaMalloc(&logits, std::size_t(rows) * sizeof(float)), "cudaMalloc"))
        return;
    std::vector<float> got(std::size_t(rows), 0.0f);
    const bool ran = ok(layerNormDot(type, bx.ptr(), withShift ? bs.ptr() : nullptr, normalise, bw.ptr(), bb.ptr(),
                            1e-5f, bp.ptr(), bo.ptr(), logits, rows, width, nullptr),
                         "layerNormDot")
        && ok(cudaDeviceSynchronize(), "layerNormDot run")
        && ok(cudaMemcpy(got.data(), logits, got.size() * sizeof(float), cudaMemcpyDeviceToHost), "download");
    cudaFree(logits);
    if (!ran)
        return;
    std::vector<std::uint16_t> expect(static_cast<std::size_t>(rows)), actual(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::vector<double> y = shiftedRow<S>(x.data() + r * width, shift, width);
        double mean = 0, rstd = 1;
        if (normalise)
            hostStatistics(y, 1e-5, mean, rstd);
        double acc = S::to(outBias[0]);
        for (int c = 0; c < width; ++c) {
            const std::size_t j = std::size_t(c);
            const double v
                = normalise ? S::to(S::from(float((y[j] - mean) * rstd * S::to(weight[j]) + S::to(bias[j])))) : y[j];
            acc += v * S::to(w[j]);
        }
        expect[std::size_t(r)] = S::from(float(acc));
        actual[std::size_t(r)] = S::from(got[std::size_t(r)]);
        if (S::to(actual[std::size_t(r)]) != got[std::size_t(r)])
            fail("layerNormDot: a logit is not a value of the storage type");
    }
    compare<S>("layerNormDot " + std::to_string(rows) + "x" + std::to_string(width) + (normalise ? "" : " no norm")
            + (withShift ? "" : " no shift") + (type == DitDType::Float16 ? " half" : " bf16"),
        actual, expect, false);
}

template <typename S>
void checkFourier(DitDType type, std::int64_t rows, int numFrequencies, int outWidth, std::mt19937& rng)
{
    std::uniform_real_distribution<float> d(-1.01f, 1.01f);
    std::vector<float> points(std::size_t(rows * 3)), freqs;
    for (auto& p : points)
        p = d(rng);
    for (int i = 0; i < numFrequencies; ++i)
        freqs.push_back(std::ldexp(3.14159265358979f, i));
    float* dp = nullptr;
    float* df = nullptr;
    Buffer out { std::size_t(rows * outWidth) };
    cudaMemset(out.ptr(), 0xff, std::size_t(rows * outWidth) * 2); // the padding must be written, not left
    bool ran = ok(cudaMalloc(&dp, points.size() * sizeof(float)), "cudaMalloc")
        && ok(cudaMalloc(&df, std::max<std::size_t>(freqs.size(), 1) * sizeof(float)), "cudaMalloc");
    if (ran) {
        cudaMemcpy(dp, points.data(), points.size() * sizeof(float), cudaMemcpyHostToDevice);
        cudaMemcpy(df, freqs.data(), freqs.size() * sizeof(float), cudaMemcpyHostToDevice);
        ran = ok(fourierFeatures(type, dp, df, numFrequencies, out.ptr(), rows, outWidth, nullptr), "fourierFeatures")
            && ok(cudaDeviceSynchronize(), "fourierFeatures run");
    }
    cudaFree(dp);
    cudaFree(df);
    if (!ran)
        return;
    const int f = numFrequencies;
    std::vector<std::uint16_t> expect(std::size_t(rows * outWidth));
    for (std::int64_t r = 0; r < rows; ++r)
        for (int c = 0; c < outWidth; ++c) {
            const float* p = points.data() + r * 3;
            float v = 0.0f;
            if (c < 3)
                v = p[c];
            else if (c < 3 + 3 * f)
                v = std::sin(p[(c - 3) / f] * freqs[std::size_t((c - 3) % f)]);
            else if (c < 3 + 6 * f)
                v = std::cos(p[(c - 3 - 3 * f) / f] * freqs[std::size_t((c - 3 - 3 * f) % f)]);
            expect[std::size_t(r * outWidth + c)] = S::from(v);
        }
    compare<S>("fourierFeatures " + std::to_string(rows) + " points, " + std::to_string(f) + " frequencies, width "
            + std::to_string(outWidth) + (type == DitDType::Float16 ? " half" : " bf16"),
        out.download(), expect, false);
}

template <typename S>
void checkDecoder(DitDType type, std::mt19937& rng)
{
    checkRowNorm<S>(type, 65536, 64, true, rng); // the full-size decoder's per-head query norm (16 heads of 64)
    checkRowNorm<S>(type, 1001, 16, true, rng); // the tiny fixture's (a partial last warp)
    checkRowNorm<S>(type, 333, 256, false, rng);
    checkRowNorm<S>(type, 77, 8, true, rng);
    checkRowNorm<S>(type, 50, 96, true, rng); // general kernel both times
    checkShiftedLayerNorm<S>(type, 4096, 1024, true, rng); // the full-size decoder's width
    checkShiftedLayerNorm<S>(type, 333, 64, true, rng); // the tiny fixture's
    checkShiftedLayerNorm<S>(type, 129, 200, false, rng); // a partial last step
    checkShiftedLayerNorm<S>(type, 64, 2048, true, rng);
    checkLayerNormDot<S>(type, 4096, 1024, true, true, rng);
    checkLayerNormDot<S>(type, 333, 64, true, false, rng);
    checkLayerNormDot<S>(type, 100, 1000, false, true, rng);
    checkFourier<S>(type, 4096, 8, 56, rng);
    checkFourier<S>(type, 77, 8, 51, rng);
    checkFourier<S>(type, 50, 0, 8, rng);
    Buffer b { 800 };
    if (!shiftedLayerNorm(type, b.ptr(), nullptr, nullptr, nullptr, b.ptr(), 8, 100, 1e-6f, nullptr))
        fail("shiftedLayerNorm accepted rows of 100 values");
    if (!fourierFeatures(type, nullptr, nullptr, 8, b.ptr(), 8, 50, nullptr))
        fail("fourierFeatures accepted rows narrower than the features");
}

// --- FP8 (E4M3) -------------------------------------------------------------------------------------------------
// The value of an E4M3 byte (no infinities; 0x7f and 0xff are NaN and never produced by saturating conversions).
double e4m3(std::uint8_t b)
{
    const int e = (b >> 3) & 15, m = b & 7;
    if (e == 15 && m == 7)
        return std::nan("");
    const double v = e == 0 ? std::ldexp(double(m), -9) : std::ldexp(double(8 + m), e - 10);
    return (b & 0x80) ? -v : v;
}

// Whether an E4M3 byte holds `exact` (already scaled) as a round-to-nearest, saturating conversion may: within
// half a step of three significant bits (2^-4 relative) for normal values, 2^-10 below 2^-6, at most 448.
bool e4m3Close(std::uint8_t b, double exact, double slack)
{
    const double v = e4m3(b);
    const double target = std::max(-448.0, std::min(448.0, exact));
    return std::isfinite(v)
        && std::fabs(v - target) <= std::fabs(target) * (1.0 / 16 + slack) + std::ldexp(1.0, -10) + slack;
}

struct Bytes {
    std::uint8_t* p = nullptr;
    explicit Bytes(std::size_t n) { cudaMalloc(reinterpret_cast<void**>(&p), std::max<std::size_t>(n, 16)); }
    ~Bytes() { cudaFree(p); }
    Bytes(const Bytes&) = delete;
    Bytes& operator=(const Bytes&) = delete;
};

void reportFp8(const std::string& what, std::size_t bad, std::size_t total)
{
    std::printf(
        "%s %-60s %zu of %zu values outside the tolerance\n", bad == 0 ? "ok  " : "FAIL", what.c_str(), bad, total);
    if (bad)
        ++g_failures;
}

template <typename S> void checkQuantize(DitDType type, std::size_t count, float scale, std::mt19937& rng)
{
    const std::vector<std::uint16_t> in = randomValues<S>(count, rng, 30.0f);
    Buffer din { count };
    din.upload(in);
    Bytes out { count };
    if (!ok(quantizeE4M3(type, din.ptr(), out.p, std::int64_t(count), scale, nullptr), "quantizeE4M3")
        || !ok(cudaDeviceSynchronize(), "quantizeE4M3 run"))
        return;
    std::vector<std::uint8_t> got(count);
    cudaMemcpy(got.data(), out.p, count, cudaMemcpyDeviceToHost);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < count; ++i)
        bad += !e4m3Close(got[i], double(S::to(in[i])) * scale, 1e-6);
    reportFp8("quantizeE4M3 scale " + std::to_string(scale), bad, count);
}

template <typename S>
void checkLayerNormE4M3(DitDType type, std::int64_t rows, int width, float scale, std::mt19937& rng)
{
    const std::size_t n = std::size_t(rows * width);
    const std::vector<std::uint16_t> x = randomValues<S>(n, rng, 2.0f, 0.5f);
    const std::vector<std::uint16_t> w = randomValues<S>(std::size_t(width), rng, 0.5f, 1.0f);
    const std::vector<std::uint16_t> b = randomValues<S>(std::size_t(width), rng, 0.3f);
    const std::vector<std::uint16_t> shift = randomValues<S>(std::size_t(width), rng, 0.4f);
    Buffer dx { n }, dw { std::size_t(width) }, db { std::size_t(width) }, ds { std::size_t(width) };
    dx.upload(x);
    dw.upload(w);
    db.upload(b);
    ds.upload(shift);
    Bytes out { n };
    if (!ok(shiftedLayerNormE4M3(
                type, dx.ptr(), ds.ptr(), dw.ptr(), db.ptr(), out.p, scale, rows, width, 1e-5f, nullptr),
            "shiftedLayerNormE4M3")
        || !ok(cudaDeviceSynchronize(), "shiftedLayerNormE4M3 run"))
        return;
    std::vector<std::uint8_t> got(n);
    cudaMemcpy(got.data(), out.p, n, cudaMemcpyDeviceToHost);
    std::size_t bad = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::vector<double> y = shiftedRow<S>(x.data() + r * width, shift, width);
        double mean = 0, rstd = 0;
        hostStatistics(y, 1e-5, mean, rstd);
        for (int j = 0; j < width; ++j) {
            const std::size_t i = std::size_t(r * width + j);
            const double v = (y[std::size_t(j)] - mean) * rstd * S::to(w[std::size_t(j)]) + S::to(b[std::size_t(j)]);
            bad += !e4m3Close(got[i], v * scale, 1e-4);
        }
    }
    reportFp8("shiftedLayerNormE4M3 " + std::to_string(rows) + "x" + std::to_string(width), bad, n);
}

// tanh-approximated GELU, as cuBLASLt's epilogue computes it.
double geluTanh(double v)
{
    return 0.5 * v * (1.0 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
}

// fp8Gemm against the same products of the E4M3 values on the host (in double): with a bias into half or
// bfloat16, with bias and GELU into E4M3, and accumulating into an existing output.
template <typename S>
void checkFp8Gemm(DitDType type, std::int64_t m, std::int64_t n, std::int64_t k, std::mt19937& rng)
{
    std::uniform_int_distribution<int> exponent(3, 9), mantissa(0, 7), sign(0, 1);
    const auto randomBytes = [&](std::size_t count) {
        std::vector<std::uint8_t> v(count);
        for (auto& b : v)
            b = std::uint8_t((sign(rng) << 7) | (exponent(rng) << 3) | mantissa(rng));
        return v;
    };
    const std::vector<std::uint8_t> a = randomBytes(std::size_t(m * k)), b = randomBytes(std::size_t(n * k));
    const std::vector<std::uint16_t> bias = randomValues<S>(std::size_t(n), rng, 0.5f);
    const std::vector<std::uint16_t> start = randomValues<S>(std::size_t(m * n), rng, 1.0f);
    // scaleA, scaleB, scaleD (E4M3 output), each in a 16-byte slot of its own.
    const float scales[12] = { 0.125f, 0, 0, 0, 0.0625f, 0, 0, 0, 2.0f, 0, 0, 0 };
    Bytes da { a.size() }, db { b.size() }, d8 { std::size_t(m * n) };
    Buffer dbias { std::size_t(n) }, dd { std::size_t(m * n) };
    float* dscales = nullptr;
    if (!ok(cudaMalloc(&dscales, sizeof(scales)), "cudaMalloc"))
        return;
    cudaMemcpy(dscales, scales, sizeof(scales), cudaMemcpyHostToDevice);
    cudaMemcpy(da.p, a.data(), a.size(), cudaMemcpyHostToDevice);
    cudaMemcpy(db.p, b.data(), b.size(), cudaMemcpyHostToDevice);
    dbias.upload(bias);
    std::vector<double> product(std::size_t(m * n));
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (std::int64_t l = 0; l < k; ++l)
                acc += e4m3(a[std::size_t(i * k + l)]) * e4m3(b[std::size_t(j * k + l)]);
            product[std::size_t(i * n + j)] = acc * scales[0] * scales[4];
        }
    double squares = 0;
    for (const double v : product)
        squares += v * v;
    const double rms = std::sqrt(squares / double(product.size()));
    const std::string shape = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k)
        + (type == DitDType::Float16 ? " half" : " bf16");
    Fp8Gemm g;
    g.a = da.p;
    g.b = db.p;
    g.scaleA = dscales;
    g.scaleB = dscales + 4;
    g.type = type;
    g.m = m;
    g.n = n;
    g.k = k;
    // 1. bias epilogue, output of the storage type.
    g.bias = dbias.ptr();
    g.epilogue = Fp8Epilogue::Bias;
    g.d = dd.ptr();
    if (ok(fp8Gemm(g, nullptr), "fp8Gemm bias") && ok(cudaDeviceSynchronize(), "fp8Gemm bias run")) {
        const std::vector<std::uint16_t> got = dd.download();
        std::size_t bad = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            const double want = product[i] + S::to(bias[i % std::size_t(n)]);
            bad += !(std::fabs(S::to(got[i]) - want) <= 1e-2 * std::max(std::fabs(want), rms));
        }
        reportFp8("fp8Gemm bias " + shape, bad, got.size());
    }
    // 2. bias and GELU, E4M3 output scaled by scales[2].
    g.epilogue = Fp8Epilogue::GeluBias;
    g.dE4M3 = true;
    g.scaleD = dscales + 8;
    g.d = d8.p;
    const char* err = fp8Gemm(g, nullptr);
    if (err == kFp8NoAlgorithm) {
        std::printf("note %-60s %s (the backend falls back to a quantising pass)\n",
            ("fp8Gemm GELU to E4M3 " + shape).c_str(), err);
    } else if (ok(err, "fp8Gemm GELU E4M3") && ok(cudaDeviceSynchronize(), "fp8Gemm GELU E4M3 run")) {
        std::vector<std::uint8_t> got(std::size_t(m * n));
        cudaMemcpy(got.data(), d8.p, got.size(), cudaMemcpyDeviceToHost);
        std::size_t bad = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            const double want = geluTanh(product[i] + S::to(bias[i % std::size_t(n)])) * scales[8];
            bad += !e4m3Close(got[i], want, 1e-2);
        }
        reportFp8("fp8Gemm GELU to E4M3 " + shape, bad, got.size());
    }
    // 3. accumulate into the output (beta = 1), no epilogue.
    g.epilogue = Fp8Epilogue::None;
    g.bias = nullptr;
    g.dE4M3 = false;
    g.scaleD = nullptr;
    g.accumulate = true;
    g.d = dd.ptr();
    dd.upload(start);
    if (ok(fp8Gemm(g, nullptr), "fp8Gemm accumulate") && ok(cudaDeviceSynchronize(), "fp8Gemm accumulate run")) {
        const std::vector<std::uint16_t> got = dd.download();
        // Besides the 1 %: a few roundings at the product's magnitude in the output type, which the library may do
        // before or while adding the start value; they show where the product and the start value nearly cancel.
        // (Session 9: with other random inputs, 2 of 256000 bfloat16 results fell outside the 1 % alone; that they
        // are such roundings is a reading, not measured, and this bound was not run on a GPU yet.)
        const double unitRoundoff = type == DitDType::Float16 ? 0x1p-11 : 0x1p-8;
        std::size_t bad = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            const double want = product[i] + S::to(start[i]);
            const double tolerance = 1e-2 * std::max(std::fabs(want), rms)
                + 4 * unitRoundoff * (std::fabs(product[i]) + std::fabs(double(S::to(start[i]))));
            bad += !(std::fabs(S::to(got[i]) - want) <= tolerance);
        }
        reportFp8("fp8Gemm accumulate " + shape, bad, got.size());
    }
    cudaFree(dscales);
}

// factoredQueries against the host's double arithmetic of decoder_kernels.h's formula: a positive semi-definite
// Gram matrix (C^T C / rows of a random C), features with a 1 appended, per-head LayerNorm (or none).
template <typename S>
void checkFactoredQueries(DitDType type, std::int64_t rows, int width, int headDim, int featureCount, int stride,
    bool normalise, std::mt19937& rng)
{
    const int n = featureCount + 1;
    std::normal_distribution<double> d(0.0, 1.0);
    std::vector<double> c(std::size_t(40 * n));
    for (auto& v : c)
        v = d(rng);
    std::vector<float> gram(std::size_t(n * n));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            double acc = 0;
            for (int r = 0; r < 40; ++r)
                acc += c[std::size_t(r * n + i)] * c[std::size_t(r * n + j)];
            gram[std::size_t(i * n + j)] = float(acc / 40);
        }
    std::vector<float> m1(static_cast<std::size_t>(width)), m2(static_cast<std::size_t>(width));
    for (int j = 0; j < width; ++j) {
        m1[std::size_t(j)] = float(d(rng));
        m2[std::size_t(j)] = float(0.3 * d(rng));
    }
    const float scale = 2.0f, eps = 1e-6f, qEps = 1e-6f;
    const std::vector<std::uint16_t> feats = randomValues<S>(std::size_t(rows * stride), rng, 1.0f);
    const std::vector<std::uint16_t> y = randomValues<S>(std::size_t(rows * width), rng, 3.0f);
    const std::vector<std::uint16_t> qw = randomValues<S>(std::size_t(headDim), rng, 0.5f, 1.0f);
    const std::vector<std::uint16_t> qb = randomValues<S>(std::size_t(headDim), rng, 0.2f);
    Buffer df { feats.size() }, dy { y.size() }, dqw { qw.size() }, dqb { qb.size() };
    float *dgram = nullptr, *dm1 = nullptr, *dm2 = nullptr, *dscale = nullptr;
    if (!ok(cudaMalloc(&dgram, gram.size() * 4), "cudaMalloc") || !ok(cudaMalloc(&dm1, m1.size() * 4), "cudaMalloc")
        || !ok(cudaMalloc(&dm2, m2.size() * 4), "cudaMalloc") || !ok(cudaMalloc(&dscale, 16), "cudaMalloc"))
        return;
    cudaMemcpy(dgram, gram.data(), gram.size() * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(dm1, m1.data(), m1.size() * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(dm2, m2.data(), m2.size() * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(dscale, &scale, 4, cudaMemcpyHostToDevice);
    df.upload(feats);
    dy.upload(y);
    dqw.upload(qw);
    dqb.upload(qb);
    const std::string what = "factoredQueries " + std::to_string(rows) + "x" + std::to_string(width) + " heads of "
        + std::to_string(headDim) + (normalise ? "" : " no norm") + (type == DitDType::Float16 ? " half" : " bf16");
    if (ok(factoredQueries(type, dy.ptr(), df.ptr(), stride, featureCount, dgram, eps, dscale, dm1, dm2, normalise,
               dqw.ptr(), dqb.ptr(), qEps, rows, width, headDim, nullptr),
            what.c_str())
        && ok(cudaDeviceSynchronize(), what.c_str())) {
        std::vector<std::uint16_t> want(y.size());
        std::vector<double> pre(static_cast<std::size_t>(width));
        for (std::int64_t r = 0; r < rows; ++r) {
            std::vector<double> f(std::size_t(n), 1.0);
            for (int i = 0; i < featureCount; ++i)
                f[std::size_t(i)] = S::to(feats[std::size_t(r * stride + i)]);
            double q = 0;
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j)
                    q += f[std::size_t(i)] * double(gram[std::size_t(i * n + j)]) * f[std::size_t(j)];
            const double inv = 1.0 / std::sqrt(std::max(q, 0.0) + eps);
            for (int j = 0; j < width; ++j)
                pre[std::size_t(j)]
                    = (S::to(y[std::size_t(r * width + j)]) * scale + m1[std::size_t(j)]) * inv + m2[std::size_t(j)];
            for (int h = 0; h < width / headDim; ++h) {
                double mean = 0, var = 0;
                for (int j = 0; j < headDim; ++j)
                    mean += pre[std::size_t(h * headDim + j)];
                mean /= headDim;
                for (int j = 0; j < headDim; ++j)
                    var += (pre[std::size_t(h * headDim + j)] - mean) * (pre[std::size_t(h * headDim + j)] - mean);
                const double rstd = 1.0 / std::sqrt(var / headDim + qEps);
                for (int j = 0; j < headDim; ++j) {
                    const double v = pre[std::size_t(h * headDim + j)];
                    const double out
                        = normalise ? (v - mean) * rstd * S::to(qw[std::size_t(j)]) + S::to(qb[std::size_t(j)]) : v;
                    want[std::size_t(r * width + h * headDim + j)] = S::from(float(out));
                }
            }
        }
        compare<S>(what, dy.download(), want, false);
    }
    cudaFree(dgram);
    cudaFree(dm1);
    cudaFree(dm2);
    cudaFree(dscale);
}

// Random inputs of the decoder's front (decoderFront, decoderFrontFeatures): points (some outside the box), eight
// octaves of frequencies, weights [2 width, 64] with zero columns from the feature count on, x0's bias, m1, m2 and
// the q norm's parameters, and the host's double arithmetic of the front's first half.
template <typename S> struct FrontCase {
    int width = 0, numFrequencies = 0, featureCount = 0;
    std::vector<float> points, frequencies, m1, m2;
    std::vector<std::uint16_t> weights, bias, qw, qb;

    FrontCase(std::int64_t rows, int w, int headDim, int frequencyCount, std::mt19937& rng)
        : width(w)
        , numFrequencies(frequencyCount)
        , featureCount(3 + 6 * frequencyCount)
        , points(static_cast<std::size_t>(rows * 3))
        , frequencies(static_cast<std::size_t>(frequencyCount))
        , m1(static_cast<std::size_t>(w))
        , m2(static_cast<std::size_t>(w))
    {
        std::uniform_real_distribution<float> box(-1.3f, 1.3f);
        std::normal_distribution<double> d(0.0, 1.0);
        for (auto& v : points)
            v = box(rng);
        for (int i = 0; i < numFrequencies; ++i)
            frequencies[std::size_t(i)] = float(std::ldexp(3.14159265358979, i));
        weights = randomValues<S>(std::size_t(2 * width * 64), rng, 0.4f);
        for (int j = 0; j < 2 * width; ++j)
            for (int c = featureCount; c < 64; ++c)
                weights[std::size_t(j * 64 + c)] = S::from(0.0f);
        bias = randomValues<S>(std::size_t(width), rng, 0.5f, 0.2f);
        for (int j = 0; j < width; ++j) {
            m1[std::size_t(j)] = float(d(rng));
            m2[std::size_t(j)] = float(0.3 * d(rng));
        }
        qw = randomValues<S>(std::size_t(headDim), rng, 0.5f, 1.0f);
        qb = randomValues<S>(std::size_t(headDim), rng, 0.2f);
    }

    // Feature c of point r, before rounding.
    float feature(std::int64_t r, int c) const
    {
        const float* p = &points[std::size_t(r * 3)];
        if (c < 3)
            return p[c];
        if (c < 3 + 3 * numFrequencies) {
            const int k = c - 3;
            return std::sin(p[k / numFrequencies] * frequencies[std::size_t(k % numFrequencies)]);
        }
        if (c < featureCount) {
            const int k = c - 3 - 3 * numFrequencies;
            return std::cos(p[k / numFrequencies] * frequencies[std::size_t(k % numFrequencies)]);
        }
        return 0.0f;
    }

    // Point r's rounded features f (64), the product of weight row `row` with them, and x0 rounded to T (width
    // values); returns LN_1's sigma^-1 of that row.
    void features(std::int64_t r, std::vector<double>& f) const
    {
        f.assign(64, 0.0);
        for (int c = 0; c < 64; ++c)
            f[std::size_t(c)] = S::to(S::from(feature(r, c)));
    }
    double dot(int row, const std::vector<double>& f) const
    {
        double acc = 0;
        for (int c = 0; c < 64; ++c)
            acc += double(S::to(weights[std::size_t(row * 64 + c)])) * f[std::size_t(c)];
        return acc;
    }
    double x0(const std::vector<double>& f, std::vector<std::uint16_t>& x, float eps) const
    {
        x.resize(std::size_t(width));
        double mean = 0, var = 0;
        for (int j = 0; j < width; ++j) {
            x[std::size_t(j)] = S::from(float(dot(j, f) + S::to(bias[std::size_t(j)])));
            mean += S::to(x[std::size_t(j)]);
        }
        mean /= width;
        for (int j = 0; j < width; ++j)
            var += (S::to(x[std::size_t(j)]) - mean) * (S::to(x[std::size_t(j)]) - mean);
        return 1.0 / std::sqrt(var / width + eps);
    }
    // LN_1's Gram matrix on f~ (the features with a 1 in column featureCount), 64 x 64 row-major: C^T C / width with
    // C = [W_p, b_p] less its mean over the rows.
    std::vector<double> gram() const
    {
        const int n = featureCount + 1;
        std::vector<double> c(std::size_t(width) * std::size_t(n)), mean(std::size_t(n), 0.0), g(64 * 64, 0.0);
        for (int j = 0; j < width; ++j)
            for (int k = 0; k < n; ++k) {
                const double v = k < featureCount ? double(S::to(weights[std::size_t(j * 64 + k)]))
                                                  : double(S::to(bias[std::size_t(j)]));
                c[std::size_t(j * n + k)] = v;
                mean[std::size_t(k)] += v / width;
            }
        for (int j = 0; j < width; ++j)
            for (int a = 0; a < n; ++a)
                for (int b = 0; b < n; ++b)
                    g[std::size_t(a * 64 + b)] += (c[std::size_t(j * n + a)] - mean[std::size_t(a)])
                        * (c[std::size_t(j * n + b)] - mean[std::size_t(b)]) / width;
        return g;
    }
};

// Float32 device memory freed on scope exit (ptr() null when the allocation failed).
struct FloatBuffer {
    float* base = nullptr;
    explicit FloatBuffer(const std::vector<float>& values)
    {
        if (cudaMalloc(&base, std::max<std::size_t>(values.size(), 1) * 4) != cudaSuccess)
            base = nullptr;
        else if (!values.empty())
            cudaMemcpy(base, values.data(), values.size() * 4, cudaMemcpyHostToDevice);
    }
    ~FloatBuffer()
    {
        if (base)
            cudaFree(base);
    }
    FloatBuffer(const FloatBuffer&) = delete;
    FloatBuffer& operator=(const FloatBuffer&) = delete;
    float* ptr() const { return base; }
};

// A FrontCase on the device, with the factored queries' scale.
template <typename S> struct FrontDevice {
    FloatBuffer points, frequencies, m1, m2, scale;
    Buffer weights, bias, qw, qb;
    explicit FrontDevice(const FrontCase<S>& c, float yScale)
        : points(c.points)
        , frequencies(c.frequencies)
        , m1(c.m1)
        , m2(c.m2)
        , scale(std::vector<float> { yScale })
        , weights(c.weights.size())
        , bias(c.bias.size())
        , qw(c.qw.size())
        , qb(c.qb.size())
    {
        weights.upload(c.weights);
        bias.upload(c.bias);
        qw.upload(c.qw);
        qb.upload(c.qb);
    }
    bool ok() const { return points.ptr() && frequencies.ptr() && m1.ptr() && m2.ptr() && scale.ptr(); }
};

// decoderFront against the host's double arithmetic of decoder_kernels.h's formula (FrontCase): Fourier features
// rounded to T, x0 from random weights W_p and bias, LN_1's statistics of the rounded x0 row, then the factored
// queries with per-head LayerNorm (or none).
template <typename S>
void checkDecoderFront(
    DitDType type, std::int64_t rows, int width, int headDim, int numFrequencies, bool normalise, std::mt19937& rng)
{
    const FrontCase<S> fc(rows, width, headDim, numFrequencies, rng);
    const float scale = 4.0f, eps = 1e-6f, qEps = 1e-6f;
    const FrontDevice<S> dev(fc, scale);
    Buffer dx { std::size_t(rows * width) }, dq { std::size_t(rows * width) };
    if (!ok(dev.ok() ? cudaSuccess : cudaErrorMemoryAllocation, "cudaMalloc"))
        return;
    const std::string what = "decoderFront " + std::to_string(rows) + "x" + std::to_string(width) + " heads of "
        + std::to_string(headDim) + (normalise ? "" : " no norm") + (type == DitDType::Float16 ? " half" : " bf16");
    if (ok(decoderFront(type, dev.points.ptr(), dev.frequencies.ptr(), numFrequencies, dev.weights.ptr(),
               dev.bias.ptr(), dev.scale.ptr(), dev.m1.ptr(), dev.m2.ptr(), eps, normalise, dev.qw.ptr(), dev.qb.ptr(),
               qEps, dx.ptr(), dq.ptr(), rows, width, headDim, nullptr),
            what.c_str())
        && ok(cudaDeviceSynchronize(), what.c_str())) {
        std::vector<std::uint16_t> wantX(std::size_t(rows * width)), wantQ(std::size_t(rows * width)), x;
        std::vector<double> f, pre(static_cast<std::size_t>(width));
        for (std::int64_t r = 0; r < rows; ++r) {
            fc.features(r, f);
            const double inv = fc.x0(f, x, eps);
            std::copy(x.begin(), x.end(), wantX.begin() + r * width);
            for (int j = 0; j < width; ++j)
                pre[std::size_t(j)]
                    = (fc.dot(width + j, f) * scale + fc.m1[std::size_t(j)]) * inv + fc.m2[std::size_t(j)];
            for (int h = 0; h < width / headDim; ++h) {
                double hm = 0, hv = 0;
                for (int j = 0; j < headDim; ++j)
                    hm += pre[std::size_t(h * headDim + j)];
                hm /= headDim;
                for (int j = 0; j < headDim; ++j)
                    hv += (pre[std::size_t(h * headDim + j)] - hm) * (pre[std::size_t(h * headDim + j)] - hm);
                const double rstd = 1.0 / std::sqrt(hv / headDim + qEps);
                for (int j = 0; j < headDim; ++j) {
                    const double v = pre[std::size_t(h * headDim + j)];
                    const double out
                        = normalise ? (v - hm) * rstd * S::to(fc.qw[std::size_t(j)]) + S::to(fc.qb[std::size_t(j)]) : v;
                    wantQ[std::size_t(r * width + h * headDim + j)] = S::from(float(out));
                }
            }
        }
        compare<S>(what + " x0", dx.download(), wantX, false);
        compare<S>(what + " q", dq.download(), wantQ, false);
    }
}

#if ORFEAS_CUDA_DECODER_ATTENTION
// decoderAttention (after decoderAttentionPack) against the host's double-precision softmax attention, on random
// queries, keys and values (scores of about unit spread at the scale 1 / 8): rows past a multiple of the kernel's
// row block, key counts that leave a partial block (masked keys), k and v with padded key and head strides. Each
// output within 2 % of the outputs' root mean square (P is rounded to T before P V).
template <typename S>
void checkDecoderAttention(DitDType type, std::int64_t rows, int heads, int keys, std::mt19937& rng)
{
    int device = 0;
    cudaGetDevice(&device);
    if (!decoderAttentionServes(device, 64, keys)) {
        std::printf("skip decoderAttention (not a compute capability 9.0 device)\n");
        return;
    }
    const std::int64_t keyStride = 72, headStride = std::int64_t(keys + 3) * keyStride; // padded layouts
    const std::vector<std::uint16_t> q = randomValues<S>(std::size_t(rows * heads * 64), rng, 1.0f);
    const std::vector<std::uint16_t> k = randomValues<S>(std::size_t(heads * headStride), rng, 1.0f);
    const std::vector<std::uint16_t> v = randomValues<S>(std::size_t(heads * headStride), rng, 1.0f);
    Buffer dq { q.size() }, dk { k.size() }, dv { v.size() }, dout { q.size() };
    dq.upload(q);
    dk.upload(k);
    dv.upload(v);
    void* packed = nullptr;
    const std::string what = "decoderAttention " + std::to_string(rows) + " rows, " + std::to_string(heads) + " heads, "
        + std::to_string(keys) + " keys" + (type == DitDType::Float16 ? " half" : " bf16");
    if (!ok(cudaMalloc(&packed, std::size_t(decoderAttentionPackedBytes(heads, keys))), "cudaMalloc"))
        return;
    if (ok(decoderAttentionPack(
               type, dk.ptr(), keyStride, headStride, dv.ptr(), keyStride, headStride, heads, keys, packed, nullptr),
            what.c_str())
        && ok(decoderAttention(
                  type, dq.ptr(), heads * 64, packed, dout.ptr(), heads * 64, rows, heads, keys, 0.125f, nullptr),
            what.c_str())
        && ok(cudaDeviceSynchronize(), what.c_str())) {
        const std::vector<std::uint16_t> got = dout.download();
        std::vector<double> want(q.size()), scores(static_cast<std::size_t>(keys));
        for (std::int64_t r = 0; r < rows; ++r)
            for (int h = 0; h < heads; ++h) {
                const std::size_t qo = std::size_t((r * heads + h) * 64);
                double top = -1e300;
                for (int j = 0; j < keys; ++j) {
                    double dot = 0;
                    for (int d = 0; d < 64; ++d)
                        dot += double(S::to(q[qo + std::size_t(d)]))
                            * S::to(k[std::size_t(h * headStride + j * keyStride + d)]);
                    scores[std::size_t(j)] = dot * 0.125;
                    top = std::max(top, scores[std::size_t(j)]);
                }
                double sum = 0;
                for (int j = 0; j < keys; ++j) {
                    scores[std::size_t(j)] = std::exp(scores[std::size_t(j)] - top);
                    sum += scores[std::size_t(j)];
                }
                for (int d = 0; d < 64; ++d) {
                    double acc = 0;
                    for (int j = 0; j < keys; ++j)
                        acc += scores[std::size_t(j)] * S::to(v[std::size_t(h * headStride + j * keyStride + d)]);
                    want[qo + std::size_t(d)] = acc / sum;
                }
            }
        double squares = 0, worst = 0;
        for (const double w : want)
            squares += w * w;
        const double rms = std::sqrt(squares / double(std::max<std::size_t>(want.size(), 1)));
        for (std::size_t i = 0; i < want.size(); ++i) {
            const double e = std::fabs(double(S::to(got[i])) - want[i]);
            worst = std::isfinite(e) ? std::max(worst, e) : 1e30;
        }
        // bfloat16 keeps 8 significant bits against half's 11: the output's own rounding (half a unit in the last
        // place of values up to several times the rms) and that of the probabilities reach 2 % of the rms there.
        const bool good = worst <= (type == DitDType::Float16 ? 0.02 : 0.04) * rms;
        std::printf("%s %-60s worst error %.3g, outputs' rms %.3g\n", good ? "ok  " : "FAIL", what.c_str(), worst, rms);
        if (!good)
            ++g_failures;
    }
    cudaFree(packed);
}
#endif

#if ORFEAS_CUDA_DECODER_ATTENTION
// The queries formed inside the attention kernel (decoderFrontFeatures, decoderQueryWeightsPack,
// decoderAttentionFromFeatures) against the two-kernel path (decoderFront's q, then decoderAttention) on the same
// points, weights and keys (FrontCase): the features against the host's rounded Fourier features, sigma^-1 against
// the Gram form in double and against the LN_1 statistics of the rounded x0 row (below), the attention outputs
// against the two-kernel path's within 2 % (half) or 4 % (bfloat16) of their rms (a query may differ by a rounding
// where sigma or the products' float32 sums differ).
template <typename S>
void checkQueriesInAttention(DitDType type, std::int64_t rows, int heads, int keys, bool normalise, std::mt19937& rng)
{
    int device = 0;
    cudaGetDevice(&device);
    if (!decoderAttentionServes(device, 64, keys)) {
        std::printf("skip decoderAttentionFromFeatures (not a compute capability 9.0 device)\n");
        return;
    }
    const int width = heads * 64, numFrequencies = 8;
    const std::int64_t joinedStride = width + 64;
    const FrontCase<S> fc(rows, width, 64, numFrequencies, rng);
    const float scale = 4.0f, eps = 1e-6f, qEps = 1e-6f;
    const FrontDevice<S> dev(fc, scale);
    const std::vector<std::uint16_t> k = randomValues<S>(std::size_t(heads) * std::size_t(keys) * 64, rng, 1.0f);
    const std::vector<std::uint16_t> v = randomValues<S>(k.size(), rng, 1.0f);
    Buffer dk { k.size() }, dv { v.size() }, dx { std::size_t(rows * width) }, dq { std::size_t(rows * width) },
        dout { std::size_t(rows * width) }, djoined { std::size_t(rows * joinedStride) };
    const FloatBuffer sigma(std::vector<float>(static_cast<std::size_t>(rows)));
    // The Gram tiles as gramTiles (shape_vae.h) makes them for the decoder: G over a power of two that brings its
    // largest entry to at most 2^12, rounded to T (hi) and the remainder rounded to T (lo).
    const std::vector<double> g = fc.gram();
    double largest = 1e-30;
    for (const double v : g)
        largest = std::max(largest, std::fabs(v));
    const double gScale = std::exp2(std::ceil(std::log2(largest / 4096.0)));
    std::vector<std::uint16_t> gramTiles(2 * 64 * 64);
    for (std::size_t i = 0; i < g.size(); ++i) {
        gramTiles[i] = S::from(float(g[i] / gScale));
        gramTiles[i + g.size()] = S::from(float(g[i] / gScale - S::to(gramTiles[i])));
    }
    Buffer dgram { gramTiles.size() };
    dgram.upload(gramTiles);
    const FloatBuffer gramScale(std::vector<float> { float(gScale) });
    void *packed = nullptr, *tiles = nullptr;
    const bool allocated
        = ok(dev.ok() && sigma.ptr() && gramScale.ptr() ? cudaSuccess : cudaErrorMemoryAllocation, "cudaMalloc")
        && ok(cudaMalloc(&packed, std::size_t(decoderAttentionPackedBytes(heads, keys))), "cudaMalloc")
        && ok(cudaMalloc(&tiles, std::size_t(decoderQueryWeightsBytes(heads))), "cudaMalloc");
    const std::string what = "decoderAttentionFromFeatures " + std::to_string(rows) + " rows, " + std::to_string(heads)
        + " heads, " + std::to_string(keys) + " keys" + (normalise ? "" : " no norm")
        + (type == DitDType::Float16 ? " half" : " bf16");
    dk.upload(k);
    dv.upload(v);
    DecoderQueryInputs in;
    in.features = djoined.ptr() + width;
    in.featureStride = joinedStride;
    in.sigmaInv = sigma.ptr();
    in.weights = tiles;
    in.yScale = dev.scale.ptr();
    in.m1 = dev.m1.ptr();
    in.m2 = dev.m2.ptr();
    in.qWeight = dev.qw.ptr();
    in.qBias = dev.qb.ptr();
    in.qEps = qEps;
    in.normalise = normalise;
    if (allocated
        && ok(decoderFront(type, dev.points.ptr(), dev.frequencies.ptr(), numFrequencies, dev.weights.ptr(),
                  dev.bias.ptr(), dev.scale.ptr(), dev.m1.ptr(), dev.m2.ptr(), eps, normalise, dev.qw.ptr(),
                  dev.qb.ptr(), qEps, dx.ptr(), dq.ptr(), rows, width, 64, nullptr),
            what.c_str())
        && ok(decoderAttentionPack(type, dk.ptr(), 64, std::int64_t(keys) * 64, dv.ptr(), 64, std::int64_t(keys) * 64,
                  heads, keys, packed, nullptr),
            what.c_str())
        && ok(decoderAttention(type, dq.ptr(), width, packed, dout.ptr(), width, rows, heads, keys, 0.125f, nullptr),
            what.c_str())
        && ok(decoderFrontFeatures(type, dev.points.ptr(), dev.frequencies.ptr(), numFrequencies, dgram.ptr(),
                  gramScale.ptr(), eps, djoined.ptr() + width, joinedStride, sigma.ptr(), rows, nullptr),
            what.c_str())
        && ok(decoderQueryWeightsPack(type, dev.weights.ptr() + std::size_t(width) * 64, 64, heads, tiles, nullptr),
            what.c_str())
        && ok(decoderAttentionFromFeatures(
                  type, in, packed, djoined.ptr(), joinedStride, rows, heads, keys, 0.125f, nullptr),
            what.c_str())
        && ok(cudaDeviceSynchronize(), what.c_str())) {
        const std::vector<std::uint16_t> joined = djoined.download(), two = dout.download();
        std::vector<float> gotSigma(static_cast<std::size_t>(rows));
        cudaMemcpy(gotSigma.data(), sigma.ptr(), gotSigma.size() * 4, cudaMemcpyDeviceToHost);
        std::vector<std::uint16_t> gotF(std::size_t(rows * 64)), wantF(gotF.size()), one(two.size()), x;
        std::vector<double> f;
        double worstSigma = 0, worstRounded = 0;
        for (std::int64_t r = 0; r < rows; ++r) {
            fc.features(r, f);
            for (int c = 0; c < 64; ++c) {
                wantF[std::size_t(r * 64 + c)] = S::from(fc.feature(r, c));
                gotF[std::size_t(r * 64 + c)] = joined[std::size_t(r * joinedStride + width + c)];
            }
            f[std::size_t(fc.featureCount)] = 1.0;
            double var = 0;
            for (int a = 0; a < 64; ++a)
                for (int b = 0; b < 64; ++b)
                    var += f[std::size_t(a)] * g[std::size_t(a * 64 + b)] * f[std::size_t(b)];
            f[std::size_t(fc.featureCount)] = 0.0;
            const double inv = 1.0 / std::sqrt(std::max(var, 0.0) + eps), rounded = fc.x0(f, x, eps);
            const double got = gotSigma[std::size_t(r)];
            worstSigma = std::isfinite(got) ? std::max(worstSigma, std::fabs(got - inv) / inv) : 1e30;
            worstRounded = std::isfinite(got) ? std::max(worstRounded, std::fabs(got - rounded) / rounded) : 1e30;
            for (int j = 0; j < width; ++j)
                one[std::size_t(r * width + j)] = joined[std::size_t(r * joinedStride + j)];
        }
        compare<S>(what + " features", gotF, wantF, false);
        // Against the Gram form in double: the kernel's float32 sums of products of T values, G carried by the two
        // tiles to about twice T's precision (22 bits in half, 16 in bfloat16). Against the rounded x0 row's
        // statistics (decoderFront's): x0's own rounding, a random sum whose share of the variance falls with the
        // square root of the width; worst over the rows about 2.5 u / sqrt(width) (u: T's unit roundoff; measured
        // 1.9-2.6 u / sqrt(width) at widths 128 and 1024 in both types, H200, session 15).
        const bool half = type == DitDType::Float16;
        const double unit = half ? std::ldexp(1.0, -11) : std::ldexp(1.0, -8);
        const bool sigmaGood
            = worstSigma <= (half ? 2e-5 : 1e-4) && worstRounded <= 6.0 * unit / std::sqrt(double(width));
        std::printf("%s %-60s worst relative %.3g (Gram form), %.3g (rounded x0 row)\n", sigmaGood ? "ok  " : "FAIL",
            (what + " sigma^-1").c_str(), worstSigma, worstRounded);
        if (!sigmaGood)
            ++g_failures;
        double squares = 0, worst = 0;
        std::size_t identical = 0;
        for (std::size_t i = 0; i < two.size(); ++i) {
            const double a = S::to(one[i]), b = S::to(two[i]);
            squares += b * b;
            identical += one[i] == two[i] ? 1 : 0;
            const double e = std::fabs(a - b);
            worst = std::isfinite(e) ? std::max(worst, e) : 1e30;
        }
        const double rms = std::sqrt(squares / double(std::max<std::size_t>(two.size(), 1)));
        // In bfloat16 a query that rounds the other way moves an output by a unit in its last place, up to 3 % of
        // the rms here (as decoderAttention's bound).
        const bool good = worst <= (half ? 0.02 : 0.04) * rms;
        std::printf("%s %-60s worst difference %.3g (outputs' rms %.3g), %zu of %zu identical\n",
            good ? "ok  " : "FAIL", (what + " against decoderFront + decoderAttention").c_str(), worst, rms, identical,
            two.size());
        if (!good)
            ++g_failures;
    }
    cudaFree(packed);
    cudaFree(tiles);
}
#endif

// tunedGemm with the algorithm chosen by timing against the heuristic's first choice, each in a thread of its own
// (the plans are per thread): bit for bit the same (tuned_gemm.h), and the first rows against the host.
template <typename S>
void checkTunedGemm(DitDType type, std::int64_t m, std::int64_t n, std::int64_t k, GemmEpilogue epilogue,
    bool accumulate, std::mt19937& rng)
{
    const std::vector<std::uint16_t> a = randomValues<S>(std::size_t(m * k), rng, 1.0f);
    const std::vector<std::uint16_t> b = randomValues<S>(std::size_t(n * k), rng, 0.03f);
    const std::vector<std::uint16_t> bias = randomValues<S>(std::size_t(n), rng, 0.5f);
    const std::vector<std::uint16_t> start = randomValues<S>(std::size_t(m * n), rng, 1.0f);
    Buffer da { a.size() }, db { b.size() }, dbias { bias.size() }, d1 { start.size() }, d2 { start.size() },
        scratch { start.size() };
    void* workspace = nullptr;
    if (!ok(cudaMalloc(&workspace, tunedGemmWorkspaceBytes), "cudaMalloc"))
        return;
    da.upload(a);
    db.upload(b);
    dbias.upload(bias);
    d1.upload(start);
    d2.upload(start);
    const std::string what = "tunedGemm " + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k)
        + (epilogue == GemmEpilogue::GeluBias    ? " gelu"
                : epilogue == GemmEpilogue::Bias ? " bias"
                                                 : "")
        + (accumulate ? " accumulate" : "") + (type == DitDType::Float16 ? " half" : " bf16");
    const auto run = [&](Buffer& out, bool tune) {
        std::string error; // copied inside the worker: a message may live in its thread-local storage
        std::thread worker([&] {
            TunedGemm g;
            g.a = da.ptr();
            g.b = db.ptr();
            g.bias = epilogue == GemmEpilogue::None ? nullptr : dbias.ptr();
            g.d = out.ptr();
            g.epilogue = epilogue;
            g.accumulate = accumulate;
            g.type = type;
            g.m = m;
            g.n = n;
            g.k = k;
            g.workspace = workspace;
            g.scratch = tunedGemmWantsScratch(g) ? scratch.ptr() : nullptr;
            if (const char* err = tunedGemm(g, tune, nullptr))
                error = err;
            else if (cudaDeviceSynchronize() != cudaSuccess)
                error = "the product failed";
        });
        worker.join();
        return ok(error.empty() ? nullptr : error.c_str(), (what + (tune ? " (tuned)" : " (heuristic)")).c_str());
    };
    if (run(d1, false) && run(d2, true)) {
        const std::vector<std::uint16_t> plain = d1.download(), tuned = d2.download();
        compare<S>(what + " tuned = heuristic", tuned, plain, true);
        // The first 16 rows on the host.
        const std::int64_t rows = std::min<std::int64_t>(m, 16);
        std::vector<std::uint16_t> want(std::size_t(rows * n)), got(plain.begin(), plain.begin() + rows * n);
        for (std::int64_t i = 0; i < rows; ++i)
            for (std::int64_t j = 0; j < n; ++j) {
                double acc = 0;
                for (std::int64_t l = 0; l < k; ++l)
                    acc += double(S::to(a[std::size_t(i * k + l)])) * S::to(b[std::size_t(j * k + l)]);
                if (epilogue != GemmEpilogue::None)
                    acc += S::to(bias[std::size_t(j)]);
                if (epilogue == GemmEpilogue::GeluBias)
                    acc = geluTanh(acc);
                if (accumulate)
                    acc += S::to(start[std::size_t(i * n + j)]);
                want[std::size_t(i * n + j)] = S::from(float(acc));
            }
        // Every value within four units of the storage type's last place of the exact product (relative to the
        // value, or to the rows' root mean square below it): float32 accumulation in another order, one rounding.
        double squares = 0;
        for (const auto u : want)
            squares += double(S::to(u)) * S::to(u);
        const double rms = std::sqrt(squares / double(want.size()));
        const double unit = type == DitDType::Float16 ? 0x1p-11 : 0x1p-8;
        std::size_t bad = 0;
        double worst = 0;
        for (std::size_t i = 0; i < want.size(); ++i) {
            const double x = S::to(got[i]), y = S::to(want[i]);
            const double rel = std::fabs(x - y) / std::max(std::fabs(y), rms);
            worst = std::max(worst, std::isfinite(rel) ? rel : 1e30);
            bad += !(rel <= 4 * unit);
        }
        std::printf("%s %-60s %zu of %zu values beyond 4 units, worst relative %.3g\n", bad ? "FAIL" : "ok  ",
            (what + " against the host").c_str(), bad, want.size(), worst);
        g_failures += bad ? 1 : 0;
    }
    cudaFree(workspace);
}

template <typename S> void checkFp8(DitDType type, std::mt19937& rng)
{
    if (!fp8GemmAvailable(0)) {
        std::printf("note no FP8 tensor cores on device 0: FP8 checks skipped\n");
        return;
    }
    checkQuantize<S>(type, 100003, 4.0f, rng);
    checkQuantize<S>(type, 4096, 1.0f / 64, rng);
    checkLayerNormE4M3<S>(type, 1000, 1024, 448.0f / 40.0f, rng);
    checkLayerNormE4M3<S>(type, 77, 64, 3.0f, rng);
    checkFp8Gemm<S>(type, 1000, 256, 512, rng);
    checkFp8Gemm<S>(type, 64, 1024, 4096, rng);
}

template <typename S>
void checkAll(DitDType type, std::mt19937& rng)
{
    checkFp8<S>(type, rng);
    checkDecoder<S>(type, rng);
    checkFactoredQueries<S>(type, 20000, 1024, 64, 51, 56, true, rng); // rows strided over the grid
    checkFactoredQueries<S>(type, 777, 64, 16, 51, 56, true, rng);
    checkFactoredQueries<S>(type, 100, 96, 32, 9, 16, false, rng);
    checkDecoderFront<S>(type, 3001, 1024, 64, 8, true, rng);
    checkDecoderFront<S>(type, 70001, 64, 16, 8, true, rng); // row blocks strided over the grid
    checkDecoderFront<S>(type, 500, 128, 32, 5, false, rng);
#if ORFEAS_CUDA_DECODER_ATTENTION
    checkDecoderAttention<S>(type, 200, 16, 3072, rng); // the full-size decoder's heads and keys
    checkDecoderAttention<S>(type, 500, 2, 1001, rng); // a partial key block, rows past the row blocks
    checkDecoderAttention<S>(type, 70, 3, 5, rng);
    checkQueriesInAttention<S>(type, 1000, 16, 3072, true, rng); // the full-size decoder; rows past the row blocks
    checkQueriesInAttention<S>(type, 300, 2, 1001, false, rng);
#endif
    checkTunedGemm<S>(type, 8192, 4096, 1024, GemmEpilogue::GeluBias, false, rng);
    checkTunedGemm<S>(type, 16384, 1024, 1024, GemmEpilogue::Bias, false, rng);
    checkTunedGemm<S>(type, 8192, 1024, 4096, GemmEpilogue::None, true, rng);
    checkTunedGemm<S>(type, 100, 64, 56, GemmEpilogue::Bias, false, rng); // below the tuning size
    checkAdaNorm<S>(type, 1, 7515, 1024, false, rng);
    checkAdaNorm<S>(type, 1, 6144, 1024, true, rng);
    checkAdaNorm<S>(type, 2, 333, 512, true, rng);
    checkAdaNorm<S>(type, 1, 100, 96, false, rng); // general kernel both times
    checkGatedResidual<S>(type, 1, 7515, 1024, rng); // 8 values per thread
    checkGatedResidual<S>(type, 2, 333, 512, rng);
    checkGatedResidual<S>(type, 2, 41, 98, rng); // pairs
    checkGatedResidual<S>(type, 3, 17, 77, rng); // one value per thread
    checkSplit<S>(type, 1, 3072, 16, 64, 4442, 1370, true, rng);
    checkSplit<S>(type, 1, 4442, 16, 64, 4442, 0, false, rng);
    checkSplit<S>(type, 2, 300, 8, 32, 310, 5, true, rng);
    checkSplit<S>(type, 1, 257, 4, 128, 257, 0, true, rng);
}

} // namespace

int main()
{
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        std::printf("SKIP: no CUDA device\n");
        return 77;
    }
    std::mt19937 rng(1234);
    checkAll<Half>(DitDType::Float16, rng);
    checkAll<BFloat>(DitDType::BFloat16, rng);
    std::printf("%s: %d failure(s)\n", g_failures ? "FAILED" : "PASSED", g_failures);
    return g_failures ? 1 : 0;
}
