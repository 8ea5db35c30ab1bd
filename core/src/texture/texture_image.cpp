#include "texture/texture_image.h"

#include <algorithm>
#include <cmath>

namespace orfeas::texture {

namespace {

// Source taps of one output sample along one axis.
struct Taps {
    int first = 0;
    std::vector<float> weights;
};

std::vector<Taps> buildTaps(int sourceSize, int outSize)
{
    std::vector<Taps> taps(static_cast<std::size_t>(outSize));
    const double ratio = double(sourceSize) / outSize;
    for (int o = 0; o < outSize; ++o) {
        Taps& t = taps[std::size_t(o)];
        if (ratio >= 1.0) {
            // Area: the output pixel covers [o * ratio, (o + 1) * ratio) of the source.
            const double begin = o * ratio, end = (o + 1) * ratio;
            t.first = int(std::floor(begin));
            const int last = std::min(sourceSize - 1, int(std::ceil(end)) - 1);
            for (int s = t.first; s <= last; ++s) {
                const double overlap = std::min(end, double(s + 1)) - std::max(begin, double(s));
                t.weights.push_back(float(std::max(0.0, overlap) / ratio));
            }
        } else {
            // Bilinear between the two nearest source pixel centres.
            const double centre = std::clamp((o + 0.5) * ratio - 0.5, 0.0, double(sourceSize - 1));
            t.first = std::min(int(centre), std::max(0, sourceSize - 2));
            const float f = float(centre - t.first);
            t.weights = { 1.0f - f, f };
            if (sourceSize == 1)
                t.weights = { 1.0f };
        }
    }
    return taps;
}

} // namespace

PremultipliedImage resamplePremultiplied(const ImageRGBA8& source, int outWidth, int outHeight,
    const std::function<void(int y, std::uint8_t* row)>& coverage, const std::function<void()>& poll)
{
    constexpr float kInv255 = 1.0f / 255.0f;
    if (source.width == outWidth && source.height == outHeight) {
        // Same size: premultiply only.
        PremultipliedImage result;
        result.width = outWidth;
        result.height = outHeight;
        result.pixels.resize(std::size_t(outWidth) * outHeight * 4);
        std::vector<std::uint8_t> cover(std::size_t(source.width));
        for (int y = 0; y < outHeight; ++y) {
            if (poll && (y & 63) == 0)
                poll();
            coverage(y, cover.data());
            const std::uint8_t* src = source.pixel(0, y);
            float* out = result.pixel(0, y);
            for (int x = 0; x < outWidth; ++x, src += 4, out += 4) {
                const float a = float(cover[std::size_t(x)]) * kInv255;
                const float s = a * kInv255;
                out[0] = float(src[0]) * s;
                out[1] = float(src[1]) * s;
                out[2] = float(src[2]) * s;
                out[3] = a;
            }
        }
        return result;
    }
    const std::vector<Taps> xTaps = buildTaps(source.width, outWidth);
    const std::vector<Taps> yTaps = buildTaps(source.height, outHeight);

    // Horizontal pass per source row into an intermediate of source.height x outWidth.
    std::vector<float> rows(std::size_t(source.height) * outWidth * 4);
    std::vector<float> line(std::size_t(source.width) * 4);
    std::vector<std::uint8_t> cover(std::size_t(source.width));
    for (int y = 0; y < source.height; ++y) {
        if (poll && (y & 63) == 0)
            poll();
        const std::uint8_t* src = source.pixel(0, y);
        coverage(y, cover.data());
        for (int x = 0; x < source.width; ++x) {
            const float a = float(cover[std::size_t(x)]) * kInv255;
            float* l = line.data() + std::size_t(x) * 4;
            l[0] = float(src[x * 4 + 0]) * kInv255 * a;
            l[1] = float(src[x * 4 + 1]) * kInv255 * a;
            l[2] = float(src[x * 4 + 2]) * kInv255 * a;
            l[3] = a;
        }
        float* out = rows.data() + std::size_t(y) * outWidth * 4;
        for (int o = 0; o < outWidth; ++o) {
            const Taps& t = xTaps[std::size_t(o)];
            float acc[4] = { 0, 0, 0, 0 };
            for (std::size_t i = 0; i < t.weights.size(); ++i) {
                const float* l = line.data() + std::size_t(t.first + int(i)) * 4;
                for (int c = 0; c < 4; ++c)
                    acc[c] += t.weights[i] * l[c];
            }
            std::copy(acc, acc + 4, out + std::size_t(o) * 4);
        }
    }

    PremultipliedImage result;
    result.width = outWidth;
    result.height = outHeight;
    result.pixels.assign(std::size_t(outWidth) * outHeight * 4, 0.0f);
    for (int o = 0; o < outHeight; ++o) {
        if (poll && (o & 63) == 0)
            poll();
        const Taps& t = yTaps[std::size_t(o)];
        float* out = result.pixel(0, o);
        for (std::size_t i = 0; i < t.weights.size(); ++i) {
            const float w = t.weights[i];
            const float* in = rows.data() + std::size_t(t.first + int(i)) * outWidth * 4;
            for (int k = 0; k < outWidth * 4; ++k)
                out[k] += w * in[k];
        }
        for (int k = 0; k < outWidth * 4; ++k)
            out[k] = std::clamp(out[k], 0.0f, 1.0f);
    }
    return result;
}

ImageRGBA8 pushPullFill(const PremultipliedImage& image, const std::function<void()>& poll)
{
    // Push: halve until one pixel is left. A coarse pixel averages the colour of its covered children and keeps
    // their summed coverage, capped at 1, so sparse coverage still reaches the top of the pyramid.
    std::vector<PremultipliedImage> coarser; // level k + 1 at coarser[k]; level 0 is `image`
    auto level = [&](std::size_t k) -> const PremultipliedImage& { return k == 0 ? image : coarser[k - 1]; };
    for (std::size_t k = 0; level(k).width > 1 || level(k).height > 1; ++k) {
        if (poll)
            poll();
        const PremultipliedImage& fine = level(k);
        PremultipliedImage coarse;
        coarse.width = (fine.width + 1) / 2;
        coarse.height = (fine.height + 1) / 2;
        coarse.pixels.assign(std::size_t(coarse.width) * coarse.height * 4, 0.0f);
        for (int fy = 0; fy < fine.height; ++fy) {
            const float* in = fine.pixel(0, fy);
            float* out = coarse.pixel(0, fy / 2);
            for (int fx = 0; fx < fine.width; ++fx) {
                float* o = out + (fx / 2) * 4;
                o[0] += in[0];
                o[1] += in[1];
                o[2] += in[2];
                o[3] += in[3];
                in += 4;
            }
        }
        for (std::size_t i = 0; i < coarse.pixels.size(); i += 4) {
            float* o = coarse.pixels.data() + i;
            if (o[3] > 1.0f) {
                const float inv = 1.0f / o[3];
                o[0] *= inv;
                o[1] *= inv;
                o[2] *= inv;
                o[3] = 1.0f;
            }
        }
        coarser.push_back(std::move(coarse));
    }

    // Pull: from the top down, every pixel tops its coverage up to 1 with the bilinearly enlarged filled level
    // above it (pixel centres: fine x sits at coarse (x + 0.5) / 2 - 0.5).
    std::vector<float> filled; // fully covered colour of the level above, 3 channels
    {
        const PremultipliedImage& top = level(coarser.size());
        const float a = top.pixels[3];
        filled = a > 0 ? std::vector<float> { top.pixels[0] / a, top.pixels[1] / a, top.pixels[2] / a }
                       : std::vector<float> { 0.5f, 0.5f, 0.5f };
    }
    struct Tap {
        int i0, i1;
        float f;
    };
    auto taps = [](int fineSize, int coarseSize) {
        std::vector<Tap> t(static_cast<std::size_t>(fineSize));
        for (int x = 0; x < fineSize; ++x) {
            const float c = std::clamp((x + 0.5f) * 0.5f - 0.5f, 0.0f, float(coarseSize - 1));
            const int i0 = std::min(int(c), std::max(0, coarseSize - 2));
            t[std::size_t(x)] = Tap { i0, std::min(i0 + 1, coarseSize - 1), c - float(i0) };
        }
        return t;
    };
    for (std::size_t k = coarser.size(); k-- > 0;) {
        if (poll)
            poll();
        const PremultipliedImage& here = level(k);
        const PremultipliedImage& above = level(k + 1);
        const std::vector<Tap> xs = taps(here.width, above.width);
        const std::vector<Tap> ys = taps(here.height, above.height);
        std::vector<float> next(std::size_t(here.width) * here.height * 3);
        for (int y = 0; y < here.height; ++y) {
            const Tap& ty = ys[std::size_t(y)];
            const float* row0 = filled.data() + std::size_t(ty.i0) * above.width * 3;
            const float* row1 = filled.data() + std::size_t(ty.i1) * above.width * 3;
            const float* p = here.pixel(0, y);
            float* out = next.data() + std::size_t(y) * here.width * 3;
            for (int x = 0; x < here.width; ++x, p += 4, out += 3) {
                if (p[3] >= 1.0f) { // fully covered: its own colour, nothing to pull
                    out[0] = p[0];
                    out[1] = p[1];
                    out[2] = p[2];
                    continue;
                }
                const Tap& tx = xs[std::size_t(x)];
                const float missing = 1.0f - p[3];
                const float w00 = (1 - tx.f) * (1 - ty.f), w10 = tx.f * (1 - ty.f);
                const float w01 = (1 - tx.f) * ty.f, w11 = tx.f * ty.f;
                for (int c = 0; c < 3; ++c) {
                    const float pulled = w00 * row0[tx.i0 * 3 + c] + w10 * row0[tx.i1 * 3 + c]
                        + w01 * row1[tx.i0 * 3 + c] + w11 * row1[tx.i1 * 3 + c];
                    out[c] = p[c] + missing * pulled;
                }
            }
        }
        filled.swap(next);
    }

    ImageRGBA8 result;
    result.width = image.width;
    result.height = image.height;
    result.pixels.resize(std::size_t(image.width) * image.height * 4);
    for (std::size_t i = 0, n = std::size_t(image.width) * image.height; i < n; ++i) {
        for (int c = 0; c < 3; ++c)
            result.pixels[i * 4 + c] = std::uint8_t(std::clamp(filled[i * 3 + c], 0.0f, 1.0f) * 255.0f + 0.5f);
        result.pixels[i * 4 + 3] = 255;
    }
    return result;
}

} // namespace orfeas::texture
