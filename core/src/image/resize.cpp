// Resamplers that reproduce OpenCV's cv::resize for 8-bit images bit for bit (the reference preprocesses with
// OpenCV, and the neural conditioner sees these pixels). What OpenCV does, and therefore what we do:
//  - INTER_NEAREST: source index floor(d * src/dst), clamped.
//  - INTER_CUBIC: Keys kernel a = -0.75 at half-pixel centres, weights quantised to 11 fractional bits, an
//    integer horizontal pass, then a vertical pass in float (OpenCV's vectorised path, 8 lanes of 16 bits per
//    step on x86's SSE baseline) rounded half to even; the remaining elements of a row use OpenCV's scalar
//    fixed-point rounding.
//  - INTER_AREA, shrinking: exact pixel-area weights accumulated in float (integer factors: box averages);
//    enlarging: bilinear with OpenCV's "area" sample positions and its fixed-point arithmetic.
// Floating point here must not be contracted into FMAs (see sources.cmake).

#include "orfeas/preprocess.h"

#include "orfeas/errors.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace orfeas {

namespace {

constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;

inline int roundHalfEven(double v) noexcept { return int(std::nearbyint(v)); }
inline int roundHalfEven(float v) noexcept { return int(std::nearbyint(v)); }
inline std::uint8_t clampU8(int v) noexcept { return std::uint8_t(v < 0 ? 0 : (v > 255 ? 255 : v)); }
inline short coefToFixed(float c) noexcept
{
    const int v = roundHalfEven(c * float(kCoefScale));
    return short(std::clamp(v, -32768, 32767));
}
inline int floorToInt(double v) noexcept { return int(std::floor(v)); }
inline int clampIndex(int i, int n) noexcept { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

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

// Horizontal pass of one source row: integer sums per output element (taps clamped to the row).
void horizontalPass(const std::uint8_t* row, int w, int cn, const FixedAxis& ax, int outW, int* out)
{
    for (int d = 0; d < outW; ++d) {
        const short* wt = &ax.weights[std::size_t(d) * ax.taps];
        for (int c = 0; c < cn; ++c) {
            int sum = 0;
            for (int k = 0; k < ax.taps; ++k)
                sum += int(row[std::size_t(clampIndex(ax.first[d] + k, w)) * cn + c]) * wt[k];
            out[std::size_t(d) * cn + c] = sum;
        }
    }
}

template <class Vertical>
std::vector<std::uint8_t> separableFixed(const std::uint8_t* src, int w, int h, int cn, int outW, int outH,
                                         const FixedAxis& ax, const FixedAxis& ay, Vertical vertical)
{
    const std::size_t rowLen = std::size_t(outW) * cn;
    std::vector<std::uint8_t> dst(rowLen * outH);
    // Cache of horizontally resampled source rows, keyed by source row index.
    std::vector<std::vector<int>> cache(ay.taps, std::vector<int>(rowLen));
    std::vector<int> cachedRow(ay.taps, -1);
    std::vector<const int*> rows(ay.taps);
    for (int dy = 0; dy < outH; ++dy) {
        for (int k = 0; k < ay.taps; ++k) {
            const int sy = clampIndex(ay.first[dy] + k, h);
            int slot = -1;
            for (int j = 0; j < ay.taps; ++j)
                if (cachedRow[j] == sy)
                    slot = j;
            if (slot < 0) {
                // Reuse a slot that no tap of this output row needs.
                for (int j = 0; j < ay.taps && slot < 0; ++j) {
                    bool needed = false;
                    for (int t = 0; t < ay.taps; ++t)
                        needed = needed || cachedRow[j] == clampIndex(ay.first[dy] + t, h);
                    if (!needed)
                        slot = j;
                }
                horizontalPass(src + std::size_t(sy) * w * cn, w, cn, ax, outW, cache[slot].data());
                cachedRow[slot] = sy;
            }
            rows[k] = cache[slot].data();
        }
        vertical(rows.data(), &ay.weights[std::size_t(dy) * ay.taps], dst.data() + rowLen * dy, rowLen);
    }
    return dst;
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
            tab.push_back({d * cn, (s1 - 1) * cn, float((s1 - f1) / cell)});
        for (int s = s1; s < s2; ++s)
            tab.push_back({d * cn, s * cn, float(1.0 / cell)});
        if (f2 - s2 > 1e-3)
            tab.push_back({d * cn, s2 * cn, float(std::min(std::min(f2 - s2, 1.0), cell) / cell)});
    }
    return tab;
}

std::vector<std::uint8_t> areaShrink(const std::uint8_t* src, int w, int h, int cn, int outW, int outH,
                                     double scaleX, double scaleY)
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
    for (const AreaTap& ty : yt) {
        const std::uint8_t* row = src + std::size_t(ty.src) * w * cn;
        std::fill(buf.begin(), buf.end(), 0.f);
        for (const AreaTap& tx : xt)
            for (int c = 0; c < cn; ++c)
                buf[tx.dst + c] += float(row[tx.src + c]) * tx.weight;
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

std::vector<std::uint8_t> areaShrinkInteger(const std::uint8_t* src, int w, int h, int cn, int outW, int outH,
                                            int sx, int sy)
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
                dst[rowLen * dy + std::size_t(dx) * cn + c] =
                    byTwo ? std::uint8_t((sum + 2) >> 2) : clampU8(roundHalfEven(float(sum) * inv));
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
