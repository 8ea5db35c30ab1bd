#pragma once
// Plain value types that cross the engine's public boundary. No Qt, no LibTorch: vectors of numbers with a
// validity check. The UI converts them to Qt types in exactly one place (ui/mesh_convert).

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace orfeas {

struct Vec2f {
    float x = 0, y = 0;
};
struct Vec3f {
    float x = 0, y = 0, z = 0;
};
struct Color8 {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

// An 8-bit RGBA image, rows top to bottom, pixels interleaved R,G,B,A.
struct ImageRGBA8 {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels; // width * height * 4

    bool isValid() const noexcept {
        return width > 0 && height > 0 && pixels.size() == std::size_t(width) * std::size_t(height) * 4;
    }
    std::uint8_t* pixel(int x, int y) noexcept { return pixels.data() + (std::size_t(y) * width + x) * 4; }
    const std::uint8_t* pixel(int x, int y) const noexcept { return pixels.data() + (std::size_t(y) * width + x) * 4; }
};

// A single-channel 8-bit mask (0 = background, 255 = subject), rows top to bottom.
struct Mask8 {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> values; // width * height

    bool isValid() const noexcept {
        return width > 0 && height > 0 && values.size() == std::size_t(width) * std::size_t(height);
    }
    std::uint8_t at(int x, int y) const noexcept { return values[std::size_t(y) * width + x]; }
};

class Mesh;

// A volume that lives on an accelerator (implemented by the neural backend). The engine only knows this interface.
class DeviceVolume {
public:
    virtual ~DeviceVolume() = default;
    // Copies the values to host memory, x-major ('ij' indexing): index = (ix * ny + iy) * nz + iz.
    virtual std::vector<float> download() const = 0;
    // Extracts the iso-surface at `level` on the device. Returns false if the device cannot (then the caller
    // downloads and extracts on the CPU).
    virtual bool extractSurface(float level, Mesh& out) const = 0;
};

// Scalar samples on a regular grid of points: the occupancy logits every shape backend writes (inside > level).
// Point (ix, iy, iz) sits at origin + (ix, iy, iz) * spacing; values are x-major ('ij' indexing, as the reference):
// index = (ix * ny + iy) * nz + iz. Either `values` holds the samples, or `device` does (values then empty).
struct Volume {
    int nx = 0, ny = 0, nz = 0;
    Vec3f origin;
    Vec3f spacing;
    std::vector<float> values;
    std::shared_ptr<const DeviceVolume> device;
    // Points actually evaluated by the backend (dense: nx*ny*nz; hierarchical: fewer). For reports.
    std::int64_t pointsEvaluated = 0;

    std::size_t pointCount() const noexcept { return std::size_t(nx) * std::size_t(ny) * std::size_t(nz); }
    std::size_t index(int ix, int iy, int iz) const noexcept {
        return (std::size_t(ix) * std::size_t(ny) + std::size_t(iy)) * std::size_t(nz) + std::size_t(iz);
    }
    bool isValid() const noexcept {
        return nx >= 2 && ny >= 2 && nz >= 2 && (values.size() == pointCount() || (values.empty() && device));
    }
};

// An indexed triangle mesh. Optional attributes are either empty or one entry per vertex.
// Coordinates: +Y up, +Z towards the viewer of the input image, +X to the image's right (glTF convention).
class Mesh {
public:
    std::vector<Vec3f> positions;
    std::vector<Vec3f> normals;   // optional, unit length
    std::vector<Vec2f> uvs;       // optional; Assimp convention: (0,0) is the bottom-left of `texture`, v up
    std::vector<Color8> colors;   // optional
    std::vector<std::uint32_t> indices; // 3 per triangle, counter-clockwise seen from outside
    ImageRGBA8 texture;           // optional: the base colour texture for `uvs`

    std::size_t vertexCount() const noexcept { return positions.size(); }
    std::size_t faceCount() const noexcept { return indices.size() / 3; }
    bool empty() const noexcept { return indices.empty(); }
    // Attributes are consistent and every index is in range.
    bool isValid() const noexcept;
};

struct Bounds3 {
    Vec3f min{0, 0, 0};
    Vec3f max{0, 0, 0};
};

// Axis-aligned bounds of a mesh's vertices; zero bounds for an empty mesh. Thread-safe.
Bounds3 computeBounds(const Mesh& mesh) noexcept;

} // namespace orfeas
