#include "models/analytic_shape.h"

#include "orfeas/errors.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace orfeas {

namespace detail {

std::span<const Capsule> shapeCapsules(FitShape shape)
{
    switch (shape) {
    case FitShape::Figurine:
        return kFigurine;
    case FitShape::Sphere:
        return kSphere;
    case FitShape::Torus:
        break;
    }
    return {};
}

namespace {

float capsuleDistance(const Capsule& c, float x, float y, float z)
{
    const float abx = c.bx - c.ax, aby = c.by - c.ay, abz = c.bz - c.az;
    const float apx = x - c.ax, apy = y - c.ay, apz = z - c.az;
    const float len2 = abx * abx + aby * aby + abz * abz;
    const float t = len2 > 0 ? std::clamp((apx * abx + apy * aby + apz * abz) / len2, 0.0f, 1.0f) : 0.0f;
    const float dx = apx - t * abx, dy = apy - t * aby, dz = apz - t * abz;
    return std::sqrt(dx * dx + dy * dy + dz * dz) - c.radius;
}

// Polynomial smooth minimum of radius k.
float smoothMin(float a, float b, float k)
{
    const float h = std::clamp(0.5f + 0.5f * (b - a) / k, 0.0f, 1.0f);
    return b + (a - b) * h - k * h * (1.0f - h);
}

} // namespace

float shapeSignedDistance(FitShape shape, float x, float y, float z)
{
    if (shape == FitShape::Torus) {
        const float q = std::sqrt(x * x + z * z) - kTorusMajor;
        return std::sqrt(q * q + y * y) - kTorusMinor;
    }
    const auto capsules = shapeCapsules(shape);
    float d = capsuleDistance(capsules[0], x, y, z);
    for (std::size_t i = 1; i < capsules.size(); ++i)
        d = smoothMin(d, capsuleDistance(capsules[i], x, y, z), kBlend);
    return d;
}

} // namespace detail

float analyticShapeValue(FitShape shape, Vec3f p)
{
    return -detail::shapeSignedDistance(shape, p.x, p.y, p.z);
}

std::string_view fitShapeName(FitShape shape) noexcept
{
    switch (shape) {
    case FitShape::Figurine:
        return "figurine";
    case FitShape::Sphere:
        return "sphere";
    case FitShape::Torus:
        return "torus";
    }
    return "figurine";
}

FitShape parseFitShape(std::string_view s)
{
    for (const FitShape f : { FitShape::Figurine, FitShape::Sphere, FitShape::Torus }) {
        if (s == fitShapeName(f))
            return f;
    }
    throw ConfigError("unknown shape '" + std::string(s) + "' (accepted: figurine, sphere, torus)");
}

} // namespace orfeas
