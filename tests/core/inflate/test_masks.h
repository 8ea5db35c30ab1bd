#pragma once
// Synthetic silhouettes for the inflate tests, drawn in world coordinates: the mask's longer side spans [-1, 1],
// image up = +y. Every pixel is decided at its centre.

#include "orfeas/types.h"

#include <cmath>
#include <functional>
#include <numbers>
#include <string>

namespace orfeas::testing {

using Shape = std::function<bool(double x, double y)>;

inline Mask8 drawMask(int width, int height, const Shape& inside)
{
    Mask8 m;
    m.width = width;
    m.height = height;
    m.values.assign(std::size_t(width) * height, 0);
    const double pixel = 2.0 / std::max(width, height);
    const double xMin = -width * pixel / 2, yMax = height * pixel / 2;
    for (int v = 0; v < height; ++v)
        for (int u = 0; u < width; ++u) {
            const double x = xMin + (u + 0.5) * pixel;
            const double y = yMax - (v + 0.5) * pixel;
            m.values[std::size_t(v) * width + u] = inside(x, y) ? 255 : 0;
        }
    return m;
}

inline Shape disk(double cx, double cy, double r)
{
    return [=](double x, double y) { return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r; };
}

inline Shape ellipse(double a, double b)
{
    return [=](double x, double y) { return (x * x) / (a * a) + (y * y) / (b * b) <= 1.0; };
}

inline Shape box(double x0, double y0, double x1, double y1)
{
    return [=](double x, double y) { return x >= x0 && x <= x1 && y >= y0 && y <= y1; };
}

inline Shape unite(Shape a, Shape b)
{
    return [=](double x, double y) { return a(x, y) || b(x, y); };
}

inline Shape subtract(Shape a, Shape b)
{
    return [=](double x, double y) { return a(x, y) && !b(x, y); };
}

// A five-pointed star: the radius swings linearly between inner and outer with the angle.
inline Shape star(double inner, double outer, int points = 5)
{
    return [=](double x, double y) {
        const double r = std::hypot(x, y);
        double a = std::atan2(y, x) + std::numbers::pi / 2;
        const double sector = 2 * std::numbers::pi / points;
        a = std::fmod(std::fmod(a, sector) + sector, sector) / sector; // 0..1 within one point
        const double t = std::abs(a - 0.5) * 2; // 1 at a tip, 0 between tips
        return r <= inner + (outer - inner) * t;
    };
}

// Pixel count of a mask times the pixel area: the silhouette's area in world units.
inline double maskArea(const Mask8& m)
{
    const double pixel = 2.0 / std::max(m.width, m.height);
    std::size_t n = 0;
    for (auto v : m.values)
        n += v >= 128;
    return double(n) * pixel * pixel;
}

} // namespace orfeas::testing
