#pragma once
// The marching-cubes table (marchingCubesTable()) flattened into one byte image, laid out as mccuda::TableView
// expects: the device gets a copy of it (mc_cuda.cu), the host emulation in the tests reads it directly. Host only.

#include "orfeas/marching_cubes.h"

#include "mc_kernels.h"

#include <cstddef>
#include <cstring>
#include <vector>

namespace orfeas::mccuda {

constexpr std::size_t kTrianglesBytes = std::size_t(kEntries) * kEntryStride;
constexpr std::size_t kCountOffset = kTrianglesBytes;
constexpr std::size_t kAmbiguousOffset = kCountOffset + kEntries;
constexpr std::size_t kFaceCornersOffset = kAmbiguousOffset + 256;
constexpr std::size_t kTableBytes = kFaceCornersOffset + 24;

static_assert(3 * McTable::kMaxTriangles + 1 == kEntryStride, "table layout");
static_assert(McTable::kEntries == kEntries, "table layout");

inline std::vector<std::uint8_t> buildTableImage()
{
    const McTable& table = marchingCubesTable();
    std::vector<std::uint8_t> image(kTableBytes, 0);
    for (int e = 0; e < kEntries; ++e) {
        const auto& entry = table.triangles[std::size_t(e)];
        std::memcpy(image.data() + std::size_t(e) * kEntryStride, entry.data(), kEntryStride);
        int n = 0;
        while (n < kEntryStride && entry[std::size_t(n)] >= 0)
            ++n;
        image[kCountOffset + std::size_t(e)] = std::uint8_t(n / 3);
    }
    std::memcpy(image.data() + kAmbiguousOffset, table.ambiguousFaces.data(), 256);
    std::memcpy(image.data() + kFaceCornersOffset, &McTable::kFaceCorners[0][0], 24);
    return image;
}

// A view of an image (host or device copy) starting at base.
inline TableView tableView(const std::uint8_t* base)
{
    TableView t;
    t.triangles = reinterpret_cast<const std::int8_t*>(base);
    t.triangleCount = base + kCountOffset;
    t.ambiguousFaces = base + kAmbiguousOffset;
    t.faceCorners = reinterpret_cast<const std::int8_t*>(base + kFaceCornersOffset);
    return t;
}

} // namespace orfeas::mccuda
