#include "image/mask_ops.h"

#include <algorithm>
#include <utility>

namespace orfeas::image_detail {

std::size_t BinaryMask::count() const noexcept
{
    std::size_t n = 0;
    for (std::uint8_t b : v)
        n += b;
    return n;
}

namespace {

// Horizontal pass of a box filter: out = 1 when any (dilate) or all (erode) of the window's clamped members
// are set.
void rowPass(const std::uint8_t* in, std::uint8_t* out, int len, int r, bool all, std::vector<int>& prefix)
{
    prefix.resize(std::size_t(len) + 1);
    prefix[0] = 0;
    for (int i = 0; i < len; ++i)
        prefix[i + 1] = prefix[i] + in[i];
    for (int i = 0; i < len; ++i) {
        const int a = std::max(0, i - r), b = std::min(len - 1, i + r);
        const int n = prefix[b + 1] - prefix[a];
        out[i] = all ? std::uint8_t(n == b - a + 1) : std::uint8_t(n > 0);
    }
}

BinaryMask morph(const BinaryMask& m, int r, bool erodeOp)
{
    if (r <= 0)
        return m;
    const int w = m.width, h = m.height;
    BinaryMask tmp(w, h), out(w, h);
    std::vector<int> prefix;
    for (int y = 0; y < h; ++y)
        rowPass(m.v.data() + std::size_t(y) * w, tmp.v.data() + std::size_t(y) * w, w, r, erodeOp, prefix);
    // Vertical pass row by row (cache friendly): per-column counts over a sliding window of rows.
    std::vector<int> counts(w, 0);
    auto row = [&](int y) { return tmp.v.data() + std::size_t(y) * w; };
    for (int y = 0; y <= std::min(r, h - 1); ++y)
        for (int x = 0; x < w; ++x)
            counts[x] += row(y)[x];
    for (int y = 0; y < h; ++y) {
        const int a = std::max(0, y - r), b = std::min(h - 1, y + r);
        const int full = b - a + 1;
        std::uint8_t* o = out.v.data() + std::size_t(y) * w;
        for (int x = 0; x < w; ++x)
            o[x] = erodeOp ? std::uint8_t(counts[x] == full) : std::uint8_t(counts[x] > 0);
        if (y + r + 1 < h)
            for (int x = 0; x < w; ++x)
                counts[x] += row(y + r + 1)[x];
        if (y - r >= 0)
            for (int x = 0; x < w; ++x)
                counts[x] -= row(y - r)[x];
    }
    return out;
}

} // namespace

BinaryMask dilate(const BinaryMask& m, int r)
{
    return morph(m, r, false);
}
BinaryMask erode(const BinaryMask& m, int r)
{
    return morph(m, r, true);
}

BinaryMask floodFromBorder(const BinaryMask& passable)
{
    // Scanline fill: each popped seed fills its whole horizontal run, then seeds the runs above and below.
    const int w = passable.width, h = passable.height;
    BinaryMask reached(w, h);
    std::vector<std::pair<int, int>> stack;
    auto open = [&](int x, int y) {
        const std::size_t i = std::size_t(y) * w + x;
        return passable.v[i] && !reached.v[i];
    };
    for (int x = 0; x < w; ++x) {
        stack.push_back({ x, 0 });
        stack.push_back({ x, h - 1 });
    }
    for (int y = 0; y < h; ++y) {
        stack.push_back({ 0, y });
        stack.push_back({ w - 1, y });
    }
    while (!stack.empty()) {
        const auto [sx, y] = stack.back();
        stack.pop_back();
        if (!open(sx, y))
            continue;
        int x0 = sx, x1 = sx;
        while (x0 > 0 && open(x0 - 1, y))
            --x0;
        while (x1 + 1 < w && open(x1 + 1, y))
            ++x1;
        std::uint8_t* row = reached.v.data() + std::size_t(y) * w;
        std::fill(row + x0, row + x1 + 1, std::uint8_t(1));
        for (int ny : { y - 1, y + 1 }) {
            if (ny < 0 || ny >= h)
                continue;
            bool inRun = false;
            for (int x = x0; x <= x1; ++x) {
                const bool o = open(x, ny);
                if (o && !inRun)
                    stack.push_back({ x, ny });
                inRun = o;
            }
        }
    }
    return reached;
}

namespace {

// Labels the 8-connected components of m (label -1 outside); returns their sizes, indexed by label.
std::vector<std::size_t> labelComponents(const BinaryMask& m, std::vector<std::int32_t>& label)
{
    const int w = m.width, h = m.height;
    label.assign(m.v.size(), -1);
    std::vector<std::size_t> sizes;
    std::vector<std::uint32_t> stack;
    for (std::size_t start = 0; start < m.v.size(); ++start) {
        if (!m.v[start] || label[start] >= 0)
            continue;
        const std::int32_t id = std::int32_t(sizes.size());
        std::size_t n = 0;
        label[start] = id;
        stack.push_back(std::uint32_t(start));
        while (!stack.empty()) {
            const std::uint32_t i = stack.back();
            stack.pop_back();
            ++n;
            const int x = int(i % std::uint32_t(w)), y = int(i / std::uint32_t(w));
            for (int dy = -1; dy <= 1; ++dy) {
                const int yy = y + dy;
                if (yy < 0 || yy >= h)
                    continue;
                for (int dx = -1; dx <= 1; ++dx) {
                    const int xx = x + dx;
                    if (xx < 0 || xx >= w)
                        continue;
                    const std::size_t j = std::size_t(yy) * w + xx;
                    if (m.v[j] && label[j] < 0) {
                        label[j] = id;
                        stack.push_back(std::uint32_t(j));
                    }
                }
            }
        }
        sizes.push_back(n);
    }
    return sizes;
}

// Which components (by label) are main ones: the largest, and every other with at least minShareOfLargest of it.
std::vector<bool> mainComponents(const std::vector<std::size_t>& sizes, double minShareOfLargest)
{
    std::vector<bool> main(sizes.size(), false);
    if (sizes.empty())
        return main;
    const std::size_t largest = *std::max_element(sizes.begin(), sizes.end());
    const double keepFrom = double(largest) * minShareOfLargest;
    for (std::size_t c = 0; c < sizes.size(); ++c)
        main[c] = sizes[c] == largest || double(sizes[c]) >= keepFrom;
    return main;
}

} // namespace

std::size_t keepMainComponents(BinaryMask& m, double minShareOfLargest)
{
    std::vector<std::int32_t> label;
    const std::vector<bool> main = mainComponents(labelComponents(m, label), minShareOfLargest);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < m.v.size(); ++i) {
        if (!m.v[i])
            continue;
        const bool keep = main[std::size_t(label[i])];
        m.v[i] = keep ? 1 : 0;
        kept += keep ? 1 : 0;
    }
    return kept;
}

std::size_t countMainComponents(const BinaryMask& m, double minShareOfLargest)
{
    std::vector<std::int32_t> label;
    const std::vector<bool> main = mainComponents(labelComponents(m, label), minShareOfLargest);
    return std::size_t(std::count(main.begin(), main.end(), true));
}

void fillHoles(BinaryMask& m)
{
    BinaryMask background(m.width, m.height);
    for (std::size_t i = 0; i < m.v.size(); ++i)
        background.v[i] = m.v[i] ? 0 : 1;
    const BinaryMask outside = floodFromBorder(background);
    for (std::size_t i = 0; i < m.v.size(); ++i)
        m.v[i] = outside.v[i] ? 0 : 1;
}

} // namespace orfeas::image_detail
