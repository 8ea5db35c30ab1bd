#include "inflate/signed_distance.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace orfeas::inflate {

namespace {

constexpr float kFar = 1e20f;

// One-dimensional squared distance transform of a sampled function (lower envelope of parabolas rooted at the
// samples, Felzenszwalb & Huttenlocher). `f` holds 0 at feature samples and kFar elsewhere; the result replaces it.
void transform1d(float* f, int n, int stride, std::vector<float>& d, std::vector<int>& v, std::vector<float>& z)
{
    int k = 0;
    v[0] = 0;
    z[0] = -std::numeric_limits<float>::infinity();
    z[1] = std::numeric_limits<float>::infinity();
    for (int q = 1; q < n; ++q) {
        const float fq = f[std::size_t(q) * stride] + float(q) * float(q);
        float s = 0;
        for (;;) {
            // Where the parabola rooted at q overtakes the one rooted at v[k]; z[0] = -inf ends the search.
            const int p = v[k];
            s = (fq - (f[std::size_t(p) * stride] + float(p) * float(p))) / (2.0f * float(q - p));
            if (s > z[k])
                break;
            --k;
        }
        ++k;
        v[k] = q;
        z[k] = s;
        z[k + 1] = std::numeric_limits<float>::infinity();
    }
    k = 0;
    for (int q = 0; q < n; ++q) {
        while (z[k + 1] < float(q))
            ++k;
        const float dq = float(q - v[k]);
        d[q] = dq * dq + f[std::size_t(v[k]) * stride];
    }
    for (int q = 0; q < n; ++q)
        f[std::size_t(q) * stride] = std::min(d[q], kFar);
}

// Squared Euclidean distance from every cell to the nearest cell where `feature` is true.
std::vector<float> squaredDistance(const std::vector<bool>& feature, int w, int h)
{
    std::vector<float> g(feature.size());
    for (std::size_t i = 0; i < feature.size(); ++i)
        g[i] = feature[i] ? 0.0f : kFar;
    const int n = std::max(w, h);
    std::vector<float> d(n);
    std::vector<int> v(n);
    std::vector<float> z(n + 1);
    for (int x = 0; x < w; ++x)
        transform1d(g.data() + x, h, w, d, v, z);
    for (int y = 0; y < h; ++y)
        transform1d(g.data() + std::size_t(y) * w, w, 1, d, v, z);
    return g;
}

} // namespace

SignedDistanceMap::SignedDistanceMap(const Mask8& mask)
    : m_width(mask.width)
    , m_height(mask.height)
    , m_stride(mask.width + 2)
    , m_rows(mask.height + 2)
{
    const std::size_t count = std::size_t(m_stride) * std::size_t(m_rows);
    std::vector<bool> inside(count, false);
    for (int y = 0; y < m_height; ++y)
        for (int x = 0; x < m_width; ++x)
            inside[std::size_t(y + 1) * m_stride + std::size_t(x + 1)] = mask.at(x, y) >= 128;
    std::vector<bool> outside(count);
    for (std::size_t i = 0; i < count; ++i)
        outside[i] = !inside[i];

    const std::vector<float> toOutside = squaredDistance(outside, m_stride, m_rows);
    const std::vector<float> toInside = squaredDistance(inside, m_stride, m_rows);
    m_values.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        // Half a pixel shifts the zero level from the pixel centres onto the pixel edges between them.
        m_values[i] = inside[i] ? std::sqrt(toOutside[i]) - 0.5f
                                : (toInside[i] >= kFar ? -float(m_stride + m_rows) : 0.5f - std::sqrt(toInside[i]));
    }
}

float SignedDistanceMap::sample(float u, float v) const noexcept
{
    // Padded coordinates: pixel (u, v) of the mask sits at (u + 1, v + 1).
    float x = u + 1.0f, y = v + 1.0f;
    const float cx = std::clamp(x, 0.0f, float(m_stride - 1));
    const float cy = std::clamp(y, 0.0f, float(m_rows - 1));
    const float beyond = std::hypot(x - cx, y - cy);
    const int x0 = std::min(int(cx), m_stride - 2);
    const int y0 = std::min(int(cy), m_rows - 2);
    const float fx = cx - float(x0), fy = cy - float(y0);
    const float* row0 = m_values.data() + std::size_t(y0) * m_stride;
    const float* row1 = row0 + m_stride;
    const float top = row0[x0] + (row0[x0 + 1] - row0[x0]) * fx;
    const float bottom = row1[x0] + (row1[x0 + 1] - row1[x0]) * fx;
    return top + (bottom - top) * fy - beyond;
}

} // namespace orfeas::inflate
