// Resamplers that reproduce OpenCV's cv::resize (version 5.0, x86 build) for 8-bit images: the reference
// preprocesses with OpenCV, and the neural conditioner sees these pixels. What OpenCV does, and so what we do:
//  - INTER_NEAREST: source index floor(d * src/dst), clamped. Bit-exact.
//  - INTER_AREA, shrinking: exact pixel-area weights accumulated in float (integer factors: box averages);
//    enlarging: bilinear with OpenCV's "area" sample positions and its fixed-point arithmetic. Bit-exact.
//  - INTER_CUBIC, 1, 3 or 4 channels: x86 builds hand this to Intel IPP, whose float arithmetic we model
//    (see cubicIpp: about 5 values per million differ by 1). 2 channels (and builds without IPP): OpenCV's
//    own kernel, Keys a = -0.75 with 11-bit fixed-point weights, an integer horizontal pass and a float
//    vertical pass rounded half to even (8 lanes per step, as on the SSE baseline; the row's remainder
//    uses the scalar fixed-point rounding). Bit-exact.
// Verified against OpenCV 5.0.0 on 360 random cases (1-4 channels, shrinking, enlarging, mixed, integer
// factors) and through the reference's ImageProcessorV2 on the fixtures.
// Floating point here must not be contracted into FMAs (see sources.cmake).

#include "orfeas/errors.h"
#include "orfeas/preprocess.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace orfeas {

namespace {

constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;

inline int roundHalfEven(double v) noexcept
{
    return int(std::nearbyint(v));
}
inline int roundHalfEven(float v) noexcept
{
    return int(std::nearbyint(v));
}
inline std::uint8_t clampU8(int v) noexcept
{
    return std::uint8_t(v < 0 ? 0 : (v > 255 ? 255 : v));
}
inline short coefToFixed(float c) noexcept
{
    const int v = roundHalfEven(c * float(kCoefScale));
    return short(std::clamp(v, -32768, 32767));
}
inline int floorToInt(double v) noexcept
{
    return int(std::floor(v));
}
inline int clampIndex(int i, int n) noexcept
{
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

void checkArgs(const std::uint8_t* src, int w, int h, int channels, int outW, int outH)
{
    if (!src || w <= 0 || h <= 0 || outW <= 0 || outH <= 0 || channels < 1 || channels > 4)
        throw InternalError("resize: invalid image or target size");
}

std::vector<std::uint8_t> copyOf(const std::uint8_t* src, int w, int h, int cn)
{
    return std::vector<std::uint8_t>(src, src + std::size_t(w) * h * cn);
}

// Keys' cubic convolution weights for a sample at fractional offset x in [0, 1) from tap 1 of 4.
void cubicWeights(float x, float* c) noexcept
{
    const float a = -0.75f;
    const float x1 = x + 1, y = 1 - x;
    c[0] = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a;
    c[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
    c[2] = ((a + 2) * y - (a + 3)) * y * y + 1;
    c[3] = 1.f - c[0] - c[1] - c[2];
}

// One axis of a separable fixed-point resize: for each output position the first tap's source index (not yet
// clamped) and `taps` weights in 11-bit fixed point.
struct FixedAxis {
    int taps = 0;
    std::vector<int> first;
    std::vector<short> weights;
};

FixedAxis cubicAxis(int srcLen, int dstLen)
{
    const double scale = 1.0 / (double(dstLen) / srcLen);
    FixedAxis a;
    a.taps = 4;
    a.first.resize(dstLen);
    a.weights.resize(std::size_t(dstLen) * 4);
    for (int d = 0; d < dstLen; ++d) {
        float f = float((d + 0.5) * scale - 0.5);
        const int s = int(std::floor(f));
        f -= float(s);
        float c[4];
        cubicWeights(f, c);
        a.first[d] = s - 1;
        for (int k = 0; k < 4; ++k)
            a.weights[std::size_t(d) * 4 + k] = coefToFixed(c[k]);
    }
    return a;
}

// OpenCV's INTER_AREA when enlarging along an axis: bilinear with positions floor(d * scale) and a fraction that
// reaches 1 only over the last 1/scale of each output pixel.
FixedAxis areaLinearAxis(int srcLen, int dstLen, bool clampTail)
{
    const double inv = double(dstLen) / srcLen, scale = 1.0 / inv;
    FixedAxis a;
    a.taps = 2;
    a.first.resize(dstLen);
    a.weights.resize(std::size_t(dstLen) * 2);
    for (int d = 0; d < dstLen; ++d) {
        int s = floorToInt(d * scale);
        float f = float((d + 1) - (s + 1) * inv);
        f = f <= 0 ? 0.f : f - std::floor(f);
        if (clampTail && s >= srcLen - 1) { // horizontal only: OpenCV clamps x here, not y
            f = 0;
            s = srcLen - 1;
        }
        a.first[d] = s;
        a.weights[std::size_t(d) * 2] = coefToFixed(1.f - f);
        a.weights[std::size_t(d) * 2 + 1] = coefToFixed(f);
    }
    return a;
}

// Byte offsets of every tap (clamped to the row) and the weights, laid out per output element.
struct HorizontalPlan {
    int taps = 0;
    std::vector<int> offset; // outW * taps, already multiplied by the channel count
    std::vector<short> weight; // outW * taps
};

HorizontalPlan planHorizontal(const FixedAxis& ax, int w, int cn, int outW)
{
    HorizontalPlan p;
    p.taps = ax.taps;
    p.offset.resize(std::size_t(outW) * ax.taps);
    p.weight = ax.weights;
    for (int d = 0; d < outW; ++d)
        for (int k = 0; k < ax.taps; ++k)
            p.offset[std::size_t(d) * ax.taps + k] = clampIndex(ax.first[d] + k, w) * cn;
    return p;
}

// Horizontal pass of one source row: integer sums per output element. Compiled for the common channel and
// tap counts so the inner loops unroll.
template <int CN, int TAPS> void horizontalPassT(const std::uint8_t* row, const HorizontalPlan& p, int outW, int* out)
{
    for (int d = 0; d < outW; ++d) {
        const int* off = &p.offset[std::size_t(d) * TAPS];
        const short* wt = &p.weight[std::size_t(d) * TAPS];
        for (int c = 0; c < CN; ++c) {
            int sum = 0;
            for (int k = 0; k < TAPS; ++k)
                sum += int(row[off[k] + c]) * wt[k];
            out[std::size_t(d) * CN + c] = sum;
        }
    }
}

template <int TAPS>
void horizontalPassTaps(const std::uint8_t* row, int cn, const HorizontalPlan& p, int outW, int* out)
{
    switch (cn) {
    case 1:
        horizontalPassT<1, TAPS>(row, p, outW, out);
        break;
    case 2:
        horizontalPassT<2, TAPS>(row, p, outW, out);
        break;
    case 3:
        horizontalPassT<3, TAPS>(row, p, outW, out);
        break;
    default:
        horizontalPassT<4, TAPS>(row, p, outW, out);
        break;
    }
}

void horizontalPass(const std::uint8_t* row, int cn, const HorizontalPlan& p, int outW, int* out)
{
    if (p.taps == 2)
        horizontalPassTaps<2>(row, cn, p, outW, out);
    else
        horizontalPassTaps<4>(row, cn, p, outW, out);
}

// Drives a separable resize: `horizontal(sourceRow, out)` fills one resampled row of T, `vertical(rows, dy,
// out, len)` combines the rows that output row dy needs (source rows firstY[dy] .. + taps - 1, clamped).
// Each source row is resampled horizontally once while it is in use.
template <class T, class Horizontal, class Vertical>
std::vector<std::uint8_t> separable(const std::uint8_t* src, int w, int h, int cn, int outW, int outH, int taps,
    const std::vector<int>& firstY, Horizontal horizontal, Vertical vertical)
{
    const std::size_t rowLen = std::size_t(outW) * cn;
    std::vector<std::uint8_t> dst(rowLen * outH);
    std::vector<std::vector<T>> cache(taps, std::vector<T>(rowLen));
    std::vector<int> cachedRow(taps, -1);
    std::vector<const T*> rows(taps);
    for (int dy = 0; dy < outH; ++dy) {
        for (int k = 0; k < taps; ++k) {
            const int sy = clampIndex(firstY[dy] + k, h);
            int slot = -1;
            for (int j = 0; j < taps; ++j)
                if (cachedRow[j] == sy)
                    slot = j;
            if (slot < 0) {
                // Reuse a slot that no tap of this output row needs.
                for (int j = 0; j < taps && slot < 0; ++j) {
                    bool needed = false;
                    for (int t = 0; t < taps; ++t)
                        needed = needed || cachedRow[j] == clampIndex(firstY[dy] + t, h);
                    if (!needed)
                        slot = j;
                }
                horizontal(src + std::size_t(sy) * w * cn, cache[slot].data());
                cachedRow[slot] = sy;
            }
            rows[k] = cache[slot].data();
        }
        vertical(rows.data(), dy, dst.data() + rowLen * dy, rowLen);
    }
    return dst;
}

template <class Vertical>
std::vector<std::uint8_t> separableFixed(const std::uint8_t* src, int w, int h, int cn, int outW, int outH,
    const FixedAxis& ax, const FixedAxis& ay, Vertical vertical)
{
    const HorizontalPlan plan = planHorizontal(ax, w, cn, outW);
    return separable<int>(
        src, w, h, cn, outW, outH, ay.taps, ay.first,
        [&](const std::uint8_t* row, int* out) { horizontalPass(row, cn, plan, outW, out); },
        [&](const int* const* rows, int dy, std::uint8_t* out, std::size_t len) {
            vertical(rows, &ay.weights[std::size_t(dy) * ay.taps], out, len);
        });
}

// The cubic resize of Intel IPP, which OpenCV's x86 builds call for 1, 3 and 4 channels: Keys weights for the
// exact (double) sample position, rounded to float, a float horizontal pass, a float vertical pass, rounding
// to nearest even. IPP is closed source: this model was fitted to OpenCV 5.0 outputs (7.7 million values of
// random images, all but about 5 per million equal; the rest differ by 1).
struct FloatAxis {
    std::vector<int> first; // first tap's source index, not clamped
    std::vector<float> weight; // 4 per output position
};

FloatAxis cubicAxisFloat(int srcLen, int dstLen)
{
    const double scale = double(srcLen) / dstLen;
    FloatAxis a;
    a.first.resize(dstLen);
    a.weight.resize(std::size_t(dstLen) * 4);
    for (int d = 0; d < dstLen; ++d) {
        const double f = (d + 0.5) * scale - 0.5;
        const int s = int(std::floor(f));
        const double t = f - s;
        a.first[d] = s - 1;
        auto keys = [](double x) {
            constexpr double k = -0.75;
            x = std::abs(x);
            if (x < 1)
                return ((k + 2) * x - (k + 3)) * x * x + 1;
            if (x < 2)
                return ((k * x - 5 * k) * x + 8 * k) * x - 4 * k;
            return 0.0;
        };
        const double taps[4] = { t + 1, t, 1 - t, 2 - t };
        for (int k = 0; k < 4; ++k)
            a.weight[std::size_t(d) * 4 + k] = float(keys(taps[k]));
    }
    return a;
}

inline float dot4(const float* w, float v0, float v1, float v2, float v3) noexcept
{
    return (w[0] * v0 + w[1] * v1) + (w[2] * v2 + w[3] * v3);
}

template <int CN> void cubicRowFloat(const std::uint8_t* row, int w, const FloatAxis& ax, int outW, float* out)
{
    for (int d = 0; d < outW; ++d) {
        const float* wt = &ax.weight[std::size_t(d) * 4];
        const int f = ax.first[d];
        const std::uint8_t* p0 = row + std::size_t(clampIndex(f, w)) * CN;
        const std::uint8_t* p1 = row + std::size_t(clampIndex(f + 1, w)) * CN;
        const std::uint8_t* p2 = row + std::size_t(clampIndex(f + 2, w)) * CN;
        const std::uint8_t* p3 = row + std::size_t(clampIndex(f + 3, w)) * CN;
        for (int c = 0; c < CN; ++c)
            out[std::size_t(d) * CN + c] = dot4(wt, float(p0[c]), float(p1[c]), float(p2[c]), float(p3[c]));
    }
}

std::vector<std::uint8_t> cubicIpp(const std::uint8_t* src, int w, int h, int cn, int outW, int outH)
{
    const FloatAxis ax = cubicAxisFloat(w, outW), ay = cubicAxisFloat(h, outH);
    auto horizontal = [&](const std::uint8_t* row, float* out) {
        switch (cn) {
        case 1:
            cubicRowFloat<1>(row, w, ax, outW, out);
            break;
        case 3:
            cubicRowFloat<3>(row, w, ax, outW, out);
            break;
        default:
            cubicRowFloat<4>(row, w, ax, outW, out);
            break;
        }
    };
    auto vertical = [&](const float* const* rows, int dy, std::uint8_t* out, std::size_t len) {
        const float* wt = &ay.weight[std::size_t(dy) * 4];
        for (std::size_t i = 0; i < len; ++i)
            out[i] = clampU8(roundHalfEven(dot4(wt, rows[0][i], rows[1][i], rows[2][i], rows[3][i])));
    };
    return separable<float>(src, w, h, cn, outW, outH, 4, ay.first, horizontal, vertical);
}

// OpenCV's INTER_AREA for shrinking along both axes by a non-integer factor: each source pixel contributes
// the share of its area that falls inside the output pixel.
struct AreaTap {
    int dst, src;
    float weight;
};

std::vector<AreaTap> areaTable(int srcLen, int dstLen, int cn, double scale)
{
    std::vector<AreaTap> tab;
    tab.reserve(std::size_t(srcLen) * 2);
    for (int d = 0; d < dstLen; ++d) {
        const double f1 = d * scale, f2 = f1 + scale;
        const double cell = std::min(scale, srcLen - f1);
        int s1 = int(std::ceil(f1)), s2 = int(std::floor(f2));
        s2 = std::min(s2, srcLen - 1);
        s1 = std::min(s1, s2);
        if (s1 - f1 > 1e-3)
            tab.push_back({ d * cn, (s1 - 1) * cn, float((s1 - f1) / cell) });
        for (int s = s1; s < s2; ++s)
            tab.push_back({ d * cn, s * cn, float(1.0 / cell) });
        if (f2 - s2 > 1e-3)
            tab.push_back({ d * cn, s2 * cn, float(std::min(std::min(f2 - s2, 1.0), cell) / cell) });
    }
    return tab;
}

template <int CN> void accumulateRow(const std::uint8_t* row, const std::vector<AreaTap>& xt, float* buf)
{
    for (const AreaTap& tx : xt)
        for (int c = 0; c < CN; ++c)
            buf[tx.dst + c] += float(row[tx.src + c]) * tx.weight;
}

std::vector<std::uint8_t> areaShrink(
    const std::uint8_t* src, int w, int h, int cn, int outW, int outH, double scaleX, double scaleY)
{
    const std::vector<AreaTap> xt = areaTable(w, outW, cn, scaleX);
    const std::vector<AreaTap> yt = areaTable(h, outH, 1, scaleY);
    const std::size_t rowLen = std::size_t(outW) * cn;
    std::vector<std::uint8_t> dst(rowLen * outH);
    std::vector<float> buf(rowLen), sum(rowLen, 0.f);
    int current = yt.empty() ? 0 : yt.front().dst;
    auto flush = [&](int dy) {
        std::uint8_t* out = dst.data() + rowLen * dy;
        for (std::size_t i = 0; i < rowLen; ++i) {
            out[i] = clampU8(roundHalfEven(sum[i]));
            sum[i] = 0.f;
        }
    };
    int bufRow = -1; // a source row feeds up to two output rows: its horizontal sums are kept
    for (const AreaTap& ty : yt) {
        if (ty.src != bufRow) {
            const std::uint8_t* row = src + std::size_t(ty.src) * w * cn;
            std::fill(buf.begin(), buf.end(), 0.f);
            switch (cn) {
            case 1:
                accumulateRow<1>(row, xt, buf.data());
                break;
            case 2:
                accumulateRow<2>(row, xt, buf.data());
                break;
            case 3:
                accumulateRow<3>(row, xt, buf.data());
                break;
            default:
                accumulateRow<4>(row, xt, buf.data());
                break;
            }
            bufRow = ty.src;
        }
        if (ty.dst != current) {
            flush(current);
            current = ty.dst;
        }
        for (std::size_t i = 0; i < rowLen; ++i)
            sum[i] += ty.weight * buf[i];
    }
    flush(current);
    return dst;
}

std::vector<std::uint8_t> areaShrinkInteger(
    const std::uint8_t* src, int w, int h, int cn, int outW, int outH, int sx, int sy)
{
    const std::size_t rowLen = std::size_t(outW) * cn;
    std::vector<std::uint8_t> dst(rowLen * outH);
    const bool byTwo = sx == 2 && sy == 2 && cn != 2; // OpenCV's dedicated 2x2 kernel rounds half up
    const float inv = 1.f / float(sx * sy);
    for (int dy = 0; dy < outH; ++dy) {
        for (int dx = 0; dx < outW; ++dx) {
            for (int c = 0; c < cn; ++c) {
                int sum = 0;
                for (int j = 0; j < sy; ++j) {
                    const std::uint8_t* row = src + (std::size_t(dy) * sy + j) * w * cn;
                    for (int i = 0; i < sx; ++i)
                        sum += row[(std::size_t(dx) * sx + i) * cn + c];
                }
                dst[rowLen * dy + std::size_t(dx) * cn + c]
                    = byTwo ? std::uint8_t((sum + 2) >> 2) : clampU8(roundHalfEven(float(sum) * inv));
            }
        }
    }
    (void)h;
    return dst;
}

} // namespace

std::vector<std::uint8_t> resizeNearest(const std::uint8_t* src, int w, int h, int channels, int outW, int outH)
{
    checkArgs(src, w, h, channels, outW, outH);
    if (outW == w && outH == h)
        return copyOf(src, w, h, channels);
    const double scaleX = 1.0 / (double(outW) / w), scaleY = 1.0 / (double(outH) / h);
    std::vector<int> xs(outW);
    for (int x = 0; x < outW; ++x)
        xs[x] = std::min(floorToInt(x * scaleX), w - 1);
    std::vector<std::uint8_t> dst(std::size_t(outW) * outH * channels);
    for (int y = 0; y < outH; ++y) {
        const int sy = std::min(floorToInt(y * scaleY), h - 1);
        const std::uint8_t* row = src + std::size_t(sy) * w * channels;
        std::uint8_t* out = dst.data() + std::size_t(y) * outW * channels;
        for (int x = 0; x < outW; ++x)
            std::memcpy(out + std::size_t(x) * channels, row + std::size_t(xs[x]) * channels, channels);
    }
    return dst;
}

std::vector<std::uint8_t> resizeCubic(const std::uint8_t* src, int w, int h, int channels, int outW, int outH)
{
    checkArgs(src, w, h, channels, outW, outH);
    if (outW == w && outH == h)
        return copyOf(src, w, h, channels);
    if (channels != 2) // IPP has no 2-channel kernel: OpenCV then runs its own code, below
        return cubicIpp(src, w, h, channels, outW, outH);
    const FixedAxis ax = cubicAxis(w, outW), ay = cubicAxis(h, outH);
    auto vertical = [](const int* const* rows, const short* beta, std::uint8_t* out, std::size_t len) {
        // OpenCV's vectorised part covers whole groups of 8 elements, in float with unfused multiply-adds.
        const float unit = 1.f / float(kCoefScale * kCoefScale);
        const float b0 = float(beta[0]) * unit, b1 = float(beta[1]) * unit, b2 = float(beta[2]) * unit,
                    b3 = float(beta[3]) * unit;
        const std::size_t vecEnd = len - len % 8;
        for (std::size_t i = 0; i < vecEnd; ++i) {
            float t = float(rows[3][i]) * b3;
            t = float(rows[2][i]) * b2 + t;
            t = float(rows[1][i]) * b1 + t;
            t = float(rows[0][i]) * b0 + t;
            out[i] = clampU8(std::clamp(roundHalfEven(t), -32768, 32767));
        }
        constexpr int shift = 2 * kCoefBits;
        for (std::size_t i = vecEnd; i < len; ++i) {
            const int v = rows[0][i] * beta[0] + rows[1][i] * beta[1] + rows[2][i] * beta[2] + rows[3][i] * beta[3];
            out[i] = clampU8((v + (1 << (shift - 1))) >> shift);
        }
    };
    return separableFixed(src, w, h, channels, outW, outH, ax, ay, vertical);
}

std::vector<std::uint8_t> resizeArea(const std::uint8_t* src, int w, int h, int channels, int outW, int outH)
{
    checkArgs(src, w, h, channels, outW, outH);
    if (outW == w && outH == h)
        return copyOf(src, w, h, channels);
    const double invX = double(outW) / w, invY = double(outH) / h;
    const double scaleX = 1.0 / invX, scaleY = 1.0 / invY;
    if (scaleX >= 1 && scaleY >= 1) {
        const int ix = roundHalfEven(scaleX), iy = roundHalfEven(scaleY);
        if (std::abs(scaleX - ix) < DBL_EPSILON && std::abs(scaleY - iy) < DBL_EPSILON)
            return areaShrinkInteger(src, w, h, channels, outW, outH, ix, iy);
        return areaShrink(src, w, h, channels, outW, outH, scaleX, scaleY);
    }
    // Enlarging along at least one axis: OpenCV emulates the area filter with a bilinear variant.
    const FixedAxis ax = areaLinearAxis(w, outW, true), ay = areaLinearAxis(h, outH, false);
    auto vertical = [](const int* const* rows, const short* beta, std::uint8_t* out, std::size_t len) {
        const int b0 = beta[0], b1 = beta[1];
        for (std::size_t i = 0; i < len; ++i) {
            const int v = ((b0 * (rows[0][i] >> 4)) >> 16) + ((b1 * (rows[1][i] >> 4)) >> 16);
            out[i] = clampU8((v + 2) >> 2);
        }
    };
    return separableFixed(src, w, h, channels, outW, outH, ax, ay, vertical);
}

} // namespace orfeas
