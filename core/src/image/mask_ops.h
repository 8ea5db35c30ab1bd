#pragma once
// Binary mask operations for background removal: morphology with square structuring elements, flood fill,
// connected components, hole filling. Masks are row-major bytes, 0 or 1. Internal to the engine.

#include <cstdint>
#include <vector>

namespace orfeas::image_detail {

struct BinaryMask {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> v; // width * height, 0 or 1

    BinaryMask() = default;
    BinaryMask(int w, int h, std::uint8_t fill = 0)
        : width(w)
        , height(h)
        , v(std::size_t(w) * h, fill)
    {
    }
    std::uint8_t& at(int x, int y) noexcept { return v[std::size_t(y) * width + x]; }
    std::uint8_t at(int x, int y) const noexcept { return v[std::size_t(y) * width + x]; }
    std::size_t count() const noexcept;
};

// Square structuring element of side 2r+1. Pixels outside the image repeat the nearest edge pixel, so a
// subject that touches the border is not eaten from there.
BinaryMask dilate(const BinaryMask& m, int r);
BinaryMask erode(const BinaryMask& m, int r);
inline BinaryMask openMask(const BinaryMask& m, int r)
{
    return dilate(erode(m, r), r);
}
inline BinaryMask closeMask(const BinaryMask& m, int r)
{
    return erode(dilate(m, r), r);
}

// Pixels reachable (4-connected) through `passable` from passable pixels on the image border.
BinaryMask floodFromBorder(const BinaryMask& passable);

// Keeps the largest 8-connected component and every other one with at least `minShareOfLargest` of its area.
// Returns the number of pixels kept.
std::size_t keepMainComponents(BinaryMask& m, double minShareOfLargest);
// How many components keepMainComponents would keep (the mask is left as it is).
std::size_t countMainComponents(const BinaryMask& m, double minShareOfLargest);

// Sets every 0-pixel that is not 4-connected to the image border to 1.
void fillHoles(BinaryMask& m);

} // namespace orfeas::image_detail
