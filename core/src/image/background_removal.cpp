// Classic background removal for opaque images (product shots on plain or graded backgrounds, drawings on
// paper). The background is modelled from the image border in CIELAB, where a Euclidean distance roughly
// follows perceived colour difference (distance 1 = 100 ΔE*ab units, so the default tolerance 0.10 is ΔE 10):
//  1. cluster the border colours and keep the dominant cluster plus those chained to it by small steps
//     (a gradient along the border becomes a chain of clusters);
//  2. fit a smooth (quadratic) colour surface to the border pixels of those clusters, rejecting outliers, so
//     vignettes and gradients that never reach the border are still predicted inside;
//  3. a pixel looks like background when it is within tolerance of the surface or of a background cluster;
//  4. flood fill from the border through background-like pixels (after closing tiny gaps in the foreground,
//     so a sketch's outline with a one-pixel break does not leak);
//  5. open to cut noise and thin spurs, keep the main component(s), fill enclosed holes (the subject is a
//     silhouette: a drawing's white interior belongs to it).
// Large images are segmented at about 4 megapixels and the mask is scaled back up.

#include "orfeas/errors.h"
#include "orfeas/preprocess.h"

#include "image/mask_ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace orfeas {

using image_detail::BinaryMask;

namespace {

constexpr std::int64_t kWorkingPixels = 2048ll * 2048;
constexpr int kClusters = 6;
const char* const kAdvice = "Use a PNG with a transparent background, or a photo of the object on a plain background "
                            "with some margin around it.";

[[noreturn]] void noSubject(const std::string& why)
{
    throw BadInputError("no subject found: " + why + ". " + kAdvice, {}, Stage::ImagePreprocessing);
}

struct Lab {
    float l = 0, a = 0, b = 0;
};

inline float dist(const Lab& p, const Lab& q) noexcept
{
    const float dl = p.l - q.l, da = p.a - q.a, db = p.b - q.b;
    return std::sqrt(dl * dl + da * da + db * db);
}

// sRGB 8-bit to CIELAB (D65) through lookup tables; the scale is divided by 100 so that distances are in
// "tolerance units".
class LabConverter {
public:
    LabConverter()
    {
        for (int i = 0; i < 256; ++i) {
            const double c = i / 255.0;
            m_linear[i] = float(c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
        }
        for (int i = 0; i <= kSteps; ++i) {
            const double t = double(i) / kSteps;
            constexpr double e = 216.0 / 24389.0, k = 24389.0 / 27.0;
            m_f[i] = float(t > e ? std::cbrt(t) : (k * t + 16.0) / 116.0);
        }
    }
    Lab operator()(const std::uint8_t* rgb) const noexcept
    {
        const float r = m_linear[rgb[0]], g = m_linear[rgb[1]], b = m_linear[rgb[2]];
        const float x = (0.4124564f * r + 0.3575761f * g + 0.1804375f * b) / 0.95047f;
        const float y = 0.2126729f * r + 0.7151522f * g + 0.0721750f * b;
        const float z = (0.0193339f * r + 0.1191920f * g + 0.9503041f * b) / 1.08883f;
        const float fx = f(x), fy = f(y), fz = f(z);
        return { (116.f * fy - 16.f) / 100.f, 5.f * (fx - fy), 2.f * (fy - fz) };
    }

private:
    static constexpr int kSteps = 4096;
    float f(float t) const noexcept
    {
        t = std::clamp(t, 0.f, 1.f) * kSteps;
        const int i = std::min(int(t), kSteps - 1);
        const float frac = t - float(i);
        return m_f[i] + (m_f[i + 1] - m_f[i]) * frac;
    }
    std::array<float, 256> m_linear {};
    std::array<float, kSteps + 1> m_f {};
};

struct Sample {
    Lab c;
    float x, y; // normalised to [-1, 1]
};

// Deterministic k-means (farthest-point initialisation) on the border colours. Returns centres and sizes.
void clusterColours(const std::vector<Sample>& s, std::vector<Lab>& centres, std::vector<std::size_t>& sizes,
    std::vector<int>& assignment)
{
    Lab mean;
    for (const Sample& p : s) {
        mean.l += p.c.l;
        mean.a += p.c.a;
        mean.b += p.c.b;
    }
    mean = { mean.l / s.size(), mean.a / s.size(), mean.b / s.size() };
    centres.clear();
    std::vector<float> nearest(s.size(), 1e30f);
    std::size_t pick = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (dist(s[i].c, mean) < dist(s[pick].c, mean))
            pick = i;
    for (int k = 0; k < kClusters; ++k) {
        centres.push_back(s[pick].c);
        std::size_t far = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            nearest[i] = std::min(nearest[i], dist(s[i].c, centres.back()));
            if (nearest[i] > nearest[far])
                far = i;
        }
        if (nearest[far] < 1e-4f)
            break; // fewer distinct colours than clusters
        pick = far;
    }
    assignment.assign(s.size(), 0);
    for (int iter = 0; iter < 12; ++iter) {
        for (std::size_t i = 0; i < s.size(); ++i) {
            int best = 0;
            for (int k = 1; k < int(centres.size()); ++k)
                if (dist(s[i].c, centres[k]) < dist(s[i].c, centres[best]))
                    best = k;
            assignment[i] = best;
        }
        std::vector<std::array<double, 3>> acc(centres.size(), { 0, 0, 0 });
        sizes.assign(centres.size(), 0);
        for (std::size_t i = 0; i < s.size(); ++i) {
            acc[assignment[i]][0] += s[i].c.l;
            acc[assignment[i]][1] += s[i].c.a;
            acc[assignment[i]][2] += s[i].c.b;
            ++sizes[assignment[i]];
        }
        for (std::size_t k = 0; k < centres.size(); ++k)
            if (sizes[k])
                centres[k] = { float(acc[k][0] / sizes[k]), float(acc[k][1] / sizes[k]), float(acc[k][2] / sizes[k]) };
    }
}

// Quadratic colour surface c(x, y) = sum p_j * basis_j(x, y), one per Lab channel, fitted by least squares.
struct Surface {
    std::array<std::array<double, 6>, 3> p {};
    static std::array<double, 6> basis(double x, double y) { return { 1, x, y, x * x, x * y, y * y }; }
    Lab at(float x, float y) const noexcept
    {
        const auto b = basis(x, y);
        double v[3] = { 0, 0, 0 };
        for (int c = 0; c < 3; ++c)
            for (int j = 0; j < 6; ++j)
                v[c] += p[c][j] * b[j];
        return { float(v[0]), float(v[1]), float(v[2]) };
    }
};

bool fitSurface(const std::vector<Sample>& s, const std::vector<char>& use, Surface& out)
{
    double ata[6][6] = {};
    double atb[3][6] = {};
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!use[i])
            continue;
        ++n;
        const auto b = Surface::basis(s[i].x, s[i].y);
        const double v[3] = { s[i].c.l, s[i].c.a, s[i].c.b };
        for (int r = 0; r < 6; ++r) {
            for (int c = 0; c < 6; ++c)
                ata[r][c] += b[r] * b[c];
            for (int ch = 0; ch < 3; ++ch)
                atb[ch][r] += b[r] * v[ch];
        }
    }
    if (n < 24)
        return false;
    for (int r = 0; r < 6; ++r)
        ata[r][r] += 1e-6 * double(n); // keeps a fit on a single border side well defined
    // Gaussian elimination with partial pivoting, three right-hand sides at once.
    for (int col = 0; col < 6; ++col) {
        int piv = col;
        for (int r = col + 1; r < 6; ++r)
            if (std::abs(ata[r][col]) > std::abs(ata[piv][col]))
                piv = r;
        if (std::abs(ata[piv][col]) < 1e-12)
            return false;
        std::swap(ata[piv], ata[col]);
        for (int ch = 0; ch < 3; ++ch)
            std::swap(atb[ch][piv], atb[ch][col]);
        for (int r = 0; r < 6; ++r) {
            if (r == col)
                continue;
            const double f = ata[r][col] / ata[col][col];
            for (int c = col; c < 6; ++c)
                ata[r][c] -= f * ata[col][c];
            for (int ch = 0; ch < 3; ++ch)
                atb[ch][r] -= f * atb[ch][col];
        }
    }
    for (int ch = 0; ch < 3; ++ch)
        for (int j = 0; j < 6; ++j)
            out.p[ch][j] = atb[ch][j] / ata[j][j];
    return true;
}

Mask8 segment(const ImageRGBA8& image, float tol)
{
    const int w = image.width, h = image.height;
    const LabConverter toLab;
    std::vector<Lab> lab(std::size_t(w) * h);
    for (std::size_t i = 0; i < lab.size(); ++i)
        lab[i] = toLab(image.pixels.data() + i * 4);
    auto nx = [&](int x) { return w > 1 ? float(2.0 * x / (w - 1) - 1.0) : 0.f; };
    auto ny = [&](int y) { return h > 1 ? float(2.0 * y / (h - 1) - 1.0) : 0.f; };

    // Border ring, two pixels deep where the image allows.
    const int band = std::min({ 2, w, h });
    std::vector<Sample> border;
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const bool inBand = x < band || y < band || x >= w - band || y >= h - band;
            if (!inBand) {
                x = std::max(x, w - band - 1);
                continue;
            }
            border.push_back({ lab[std::size_t(y) * w + x], nx(x), ny(y) });
        }
    }

    std::vector<Lab> centres;
    std::vector<std::size_t> sizes;
    std::vector<int> assignment;
    clusterColours(border, centres, sizes, assignment);
    const std::size_t dominant = std::size_t(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
    std::vector<char> isBackground(centres.size(), 0);
    isBackground[dominant] = 1;
    for (bool grew = true; grew;) {
        grew = false;
        for (std::size_t k = 0; k < centres.size(); ++k) {
            if (isBackground[k] || sizes[k] * 33 < border.size())
                continue; // tiny clusters (under 3% of the border) are never background on their own
            for (std::size_t j = 0; j < centres.size(); ++j) {
                if (isBackground[j] && dist(centres[k], centres[j]) <= 2.f * tol) {
                    isBackground[k] = 1;
                    grew = true;
                    break;
                }
            }
        }
    }
    std::vector<Lab> bgCentres;
    for (std::size_t k = 0; k < centres.size(); ++k)
        if (isBackground[k])
            bgCentres.push_back(centres[k]);

    // Robust surface fit: start from the background clusters' members, then keep samples near the surface.
    std::vector<char> use(border.size());
    for (std::size_t i = 0; i < border.size(); ++i)
        use[i] = isBackground[assignment[i]];
    Surface surface;
    bool haveSurface = fitSurface(border, use, surface);
    for (int iter = 0; iter < 3 && haveSurface; ++iter) {
        for (std::size_t i = 0; i < border.size(); ++i)
            use[i] = dist(border[i].c, surface.at(border[i].x, border[i].y)) <= tol;
        haveSurface = fitSurface(border, use, surface);
    }

    auto backgroundLike = [&](const Lab& c, float x, float y) {
        if (haveSurface && dist(c, surface.at(x, y)) <= tol)
            return true;
        for (const Lab& b : bgCentres)
            if (dist(c, b) <= tol)
                return true;
        return false;
    };
    std::size_t borderBackground = 0;
    for (const Sample& s : border)
        borderBackground += backgroundLike(s.c, s.x, s.y) ? 1 : 0;
    if (borderBackground * 100 < border.size() * 35)
        noSubject("the image border has no dominant background colour (the subject fills the frame, or the "
                  "background is busy)");

    // The per-pixel test, with the surface reduced to a quadratic in x for each row and squared distances.
    BinaryMask candidate(w, h);
    std::size_t candidates = 0;
    const float tol2 = tol * tol;
    for (int y = 0; y < h; ++y) {
        const double fy = ny(y);
        std::array<std::array<float, 3>, 3> row {}; // per channel: constant, x and x^2 coefficients
        for (int c = 0; c < 3; ++c) {
            const auto& q = surface.p[c];
            row[c] = { float(q[0] + q[2] * fy + q[5] * fy * fy), float(q[1] + q[4] * fy), float(q[3]) };
        }
        const Lab* px = &lab[std::size_t(y) * w];
        for (int x = 0; x < w; ++x) {
            const Lab& c = px[x];
            bool bg = false;
            if (haveSurface) {
                const float fx = nx(x);
                const float dl = c.l - (row[0][0] + fx * (row[0][1] + fx * row[0][2]));
                const float da = c.a - (row[1][0] + fx * (row[1][1] + fx * row[1][2]));
                const float db = c.b - (row[2][0] + fx * (row[2][1] + fx * row[2][2]));
                bg = dl * dl + da * da + db * db <= tol2;
            }
            for (std::size_t k = 0; !bg && k < bgCentres.size(); ++k) {
                const float dl = c.l - bgCentres[k].l, da = c.a - bgCentres[k].a, db = c.b - bgCentres[k].b;
                bg = dl * dl + da * da + db * db <= tol2;
            }
            candidate.v[std::size_t(y) * w + x] = !bg;
            candidates += !bg;
        }
    }
    lab = {};
    if (candidates == 0)
        noSubject("the image is one uniform colour (or a smooth gradient), nothing stands out from the background");

    const int side = std::min(w, h);
    const int closeR = std::max(1, int(std::lround(side / 256.0)));
    const int openR = std::max(1, int(std::lround(side / 384.0)));
    BinaryMask blocked = image_detail::closeMask(candidate, closeR);
    for (auto& b : blocked.v)
        b = !b;
    const BinaryMask outside = image_detail::floodFromBorder(blocked);
    BinaryMask fg(w, h);
    for (std::size_t i = 0; i < fg.v.size(); ++i)
        fg.v[i] = !outside.v[i];
    fg = image_detail::openMask(fg, openR);
    const std::size_t kept = image_detail::keepMainComponents(fg, 0.10);
    image_detail::fillHoles(fg);

    const std::size_t total = std::size_t(w) * h;
    const std::size_t area = fg.count();
    const std::size_t minArea = std::max<std::size_t>(64, total / 1000);
    if (kept == 0 || area < minArea)
        noSubject("only a tiny spot (" + std::to_string(area)
            + " pixels) stands out from the background; crop the "
              "image closer to the object");
    if (area * 100 > total * 97)
        noSubject("the subject seems to cover the whole image");
    std::size_t borderFg = 0, borderPixels = 0;
    for (int x = 0; x < w; ++x) {
        borderFg += fg.at(x, 0) + fg.at(x, h - 1);
        borderPixels += 2;
    }
    for (int y = 0; y < h; ++y) {
        borderFg += fg.at(0, y) + fg.at(w - 1, y);
        borderPixels += 2;
    }
    if (borderFg * 2 > borderPixels)
        noSubject("the subject touches most of the image border, so the background cannot be told apart");

    Mask8 mask;
    mask.width = w;
    mask.height = h;
    mask.values.resize(total);
    for (std::size_t i = 0; i < total; ++i)
        mask.values[i] = fg.v[i] ? 255 : 0;
    return mask;
}

} // namespace

Mask8 removeBackground(const ImageRGBA8& image, float tolerance)
{
    if (!image.isValid())
        throw BadInputError("background removal: the image is empty", {}, Stage::ImagePreprocessing);
    if (!(tolerance > 0.f && tolerance <= 1.f))
        throw ConfigError("background tolerance must be in (0, 1], got " + std::to_string(tolerance));
    if (image.width < 8 || image.height < 8)
        noSubject("the image is smaller than 8x8 pixels");

    const std::int64_t pixels = std::int64_t(image.width) * image.height;
    if (pixels <= kWorkingPixels)
        return segment(image, tolerance);

    // Segment a reduced copy, then bring the mask back to full size (bilinear, thresholded at one half).
    const double f = std::sqrt(double(kWorkingPixels) / double(pixels));
    const int sw = std::max(8, int(image.width * f)), sh = std::max(8, int(image.height * f));
    ImageRGBA8 small;
    small.width = sw;
    small.height = sh;
    small.pixels = resizeArea(image.pixels.data(), image.width, image.height, 4, sw, sh);
    const Mask8 m = segment(small, tolerance);
    Mask8 out;
    out.width = image.width;
    out.height = image.height;
    out.values.resize(std::size_t(pixels));
    const double sx = double(sw) / image.width, sy = double(sh) / image.height;
    for (int y = 0; y < image.height; ++y) {
        const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, double(sh - 1));
        const int y0 = int(fy), y1 = std::min(y0 + 1, sh - 1);
        const double ty = fy - y0;
        for (int x = 0; x < image.width; ++x) {
            const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, double(sw - 1));
            const int x0 = int(fx), x1 = std::min(x0 + 1, sw - 1);
            const double tx = fx - x0;
            const double v = (1 - ty) * ((1 - tx) * m.at(x0, y0) + tx * m.at(x1, y0))
                + ty * ((1 - tx) * m.at(x0, y1) + tx * m.at(x1, y1));
            out.values[std::size_t(y) * image.width + x] = v >= 127.5 ? 255 : 0;
        }
    }
    return out;
}

} // namespace orfeas
