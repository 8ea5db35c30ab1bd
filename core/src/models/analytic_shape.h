#pragma once
// The analytic shapes that `orfeas model fit-field` teaches a geometry decoder (a realistic occupancy field for
// decoding benchmarks and the hierarchical-decoding tests). Internal; the neural backend evaluates the same
// primitives with LibTorch (field_fit.cpp), the public analyticShapeValue (orfeas/neural.h) on single points.
//
// A shape is a smooth union (polynomial smooth minimum, radius kBlend) of capsules (a sphere is a capsule of zero
// length) or one torus. The signed distance is negative inside; the occupancy value is its negation.

#include "orfeas/neural.h"

#include <array>
#include <span>

namespace orfeas::detail {

struct Capsule {
    float ax, ay, az; // segment start
    float bx, by, bz; // segment end (= start for a sphere)
    float radius;
};

constexpr float kBlend = 0.07f;

// A standing figure in the [-1, 1]^3 box (y up, z towards the viewer): head, torso, arms, legs, feet and a base.
inline constexpr std::array<Capsule, 11> kFigurine { {
    { 0.0000f, 0.6725f, 0.0000f, 0.0000f, 0.6725f, 0.0000f, 0.2300f }, // head
    { 0.0000f, -0.0175f, 0.0000f, 0.0000f, 0.3620f, 0.0000f, 0.2415f }, // torso
    { -0.1955f, 0.3505f, 0.0000f, -0.5290f, 0.0400f, 0.1150f, 0.0805f }, // right arm
    { 0.1955f, 0.3505f, 0.0000f, 0.4830f, 0.5230f, 0.1380f, 0.0805f }, // left arm, raised
    { -0.1150f, -0.1325f, 0.0000f, -0.1495f, -0.7190f, 0.0230f, 0.1035f }, // right leg
    { 0.1150f, -0.1325f, 0.0000f, 0.1725f, -0.7190f, 0.0000f, 0.1035f }, // left leg
    { -0.1495f, -0.7650f, 0.0460f, -0.1495f, -0.7650f, 0.1610f, 0.0690f }, // right foot
    { 0.1725f, -0.7650f, 0.0460f, 0.1725f, -0.7650f, 0.1610f, 0.0690f }, // left foot
    { -0.3450f, -0.8800f, 0.0000f, 0.3450f, -0.8800f, 0.0000f, 0.0805f }, // base bar
    { -0.5290f, 0.0400f, 0.1150f, -0.5290f, 0.0400f, 0.1150f, 0.0920f }, // right hand
    { 0.0000f, 0.7530f, 0.2070f, 0.0000f, 0.6840f, 0.2300f, 0.0460f }, // nose
} };

inline constexpr std::array<Capsule, 1> kSphere { { { 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.6f } } };

constexpr float kTorusMajor = 0.55f; // torus in the x-z plane around the y axis
constexpr float kTorusMinor = 0.22f;

// The shape's primitives (empty for the torus).
std::span<const Capsule> shapeCapsules(FitShape shape);

// Signed distance (negative inside) at p.
float shapeSignedDistance(FitShape shape, float x, float y, float z);

} // namespace orfeas::detail
