#include "image/image_format.h"

#include "orfeas/errors.h"
#include "orfeas/settings.h"

#include <cstring>
#include <string_view>

#ifdef ORFEAS_HAVE_WEBP
#include <webp/decode.h>
#endif

namespace orfeas::image_detail {

namespace {

constexpr const char* kSupportedList = "supported: PNG, JPEG, BMP, TGA"
#ifdef ORFEAS_HAVE_WEBP
                                       ", WebP"
#endif
    ;

bool startsWith(std::span<const std::uint8_t> b, std::string_view magic, std::size_t offset = 0) noexcept
{
    if (b.size() < offset + magic.size())
        return false;
    return std::memcmp(b.data() + offset, magic.data(), magic.size()) == 0;
}

std::uint32_t be32(const std::uint8_t* p) noexcept
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint16_t be16(const std::uint8_t* p) noexcept
{
    return std::uint16_t((p[0] << 8) | p[1]);
}
std::uint16_t le16(const std::uint8_t* p) noexcept
{
    return std::uint16_t(p[0] | (p[1] << 8));
}
std::uint32_t le32(const std::uint8_t* p) noexcept
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}

bool looksLikeTga(std::span<const std::uint8_t> b) noexcept
{
    if (b.size() < 18)
        return false;
    const int cmapType = b[1], imgType = b[2], bpp = b[16], descriptor = b[17];
    if ((descriptor & 0xC0) != 0) // interleaved storage: obsolete, never written in practice
        return false;
    if (cmapType == 1) {
        const int entryBits = b[7];
        return (imgType == 1 || imgType == 9) && (bpp == 8 || bpp == 16)
            && (entryBits == 15 || entryBits == 16 || entryBits == 24 || entryBits == 32);
    }
    if (cmapType != 0)
        return false;
    if (imgType == 3 || imgType == 11)
        return bpp == 8 || bpp == 16;
    if (imgType == 2 || imgType == 10)
        return bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
    return false;
}

bool looksLikeText(std::span<const std::uint8_t> b) noexcept
{
    if (startsWith(b, "\xEF\xBB\xBF") || startsWith(b, "\xFF\xFE") || startsWith(b, "\xFE\xFF"))
        return true; // byte-order marks of UTF-8 / UTF-16 text
    const std::size_t n = std::min<std::size_t>(b.size(), 4096);
    std::size_t control = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t c = b[i];
        if (c == 0)
            return false;
        const bool whitespace = c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if ((c < 0x20 && !whitespace && c != 0x1B) || c == 0x7F)
            ++control;
    }
    return n > 0 && control * 100 <= n;
}

std::string dims(std::int64_t w, std::int64_t h)
{
    return std::to_string(w) + "x" + std::to_string(h);
}

} // namespace

void throwLoading(const std::string& message, const std::string& name)
{
    throw BadInputError(message, name, Stage::ImageLoading);
}

const char* formatName(ImageFormat format) noexcept
{
    switch (format) {
    case ImageFormat::Png:
        return "png";
    case ImageFormat::Jpeg:
        return "jpeg";
    case ImageFormat::Bmp:
        return "bmp";
    case ImageFormat::Tga:
        return "tga";
    case ImageFormat::WebP:
        return "webp";
    case ImageFormat::Unknown:
        break;
    }
    return "unknown";
}

ImageFormat detectFormat(std::span<const std::uint8_t> b) noexcept
{
    if (startsWith(b, "\x89PNG\r\n\x1A\n"))
        return ImageFormat::Png;
    if (startsWith(b, "\xFF\xD8\xFF"))
        return ImageFormat::Jpeg;
    if (startsWith(b, "BM") && b.size() >= 18)
        return ImageFormat::Bmp;
#ifdef ORFEAS_HAVE_WEBP
    if (startsWith(b, "RIFF") && startsWith(b, "WEBP", 8))
        return ImageFormat::WebP;
#endif
    if (!looksLikeText(b) && looksLikeTga(b))
        return ImageFormat::Tga;
    return ImageFormat::Unknown;
}

void throwNotAnImage(std::span<const std::uint8_t> b, const std::string& name)
{
    const std::string supported = std::string(" (") + kSupportedList + ")";
    if (b.empty())
        throwLoading("empty file", name);
    if (startsWith(b, "GIF87a") || startsWith(b, "GIF89a"))
        throwLoading("GIF images are not supported" + supported, name);
    if (startsWith(b, "II*\0") || startsWith(b, std::string_view("MM\0*", 4)))
        throwLoading("TIFF images are not supported" + supported, name);
    if (startsWith(b, "ftyp", 4))
        throwLoading("HEIC/AVIF images are not supported" + supported, name);
    if (startsWith(b, "8BPS"))
        throwLoading("Photoshop files are not supported" + supported, name);
    if (startsWith(b, "%PDF"))
        throwLoading("a PDF document, not an image" + supported, name);
    if (startsWith(b, "RIFF") && startsWith(b, "WEBP", 8))
        throwLoading("WebP support is not built into this version" + supported, name);
    if (startsWith(b, "\x89PNG") || startsWith(b, "\xFF\xD8"))
        throwLoading("truncated image header", name);
    if (looksLikeText(b)) {
        const std::size_t n = std::min<std::size_t>(b.size(), 256);
        const std::string head(reinterpret_cast<const char*>(b.data()), n);
        if (head.find("<svg") != std::string::npos || head.find("<?xml") != std::string::npos)
            throwLoading("not an image (SVG or XML text file?); save it as PNG" + supported, name);
        throwLoading("not an image (text file?)", name);
    }
    throwLoading("not an image we can read (unknown format" + std::string(", ") + kSupportedList + ")", name);
}

void validateDimensions(std::int64_t width, std::int64_t height, const char* format, const std::string& name)
{
    (void)format;
    if (width <= 0 || height <= 0)
        throwLoading("image is " + dims(width, height) + ": it has no pixels (corrupt header?)", name);
    if (width > Limits::kMaxImageSide || height > Limits::kMaxImageSide)
        throwLoading("image is " + dims(width, height) + ", larger than the " + std::to_string(Limits::kMaxImageSide)
                + "-pixel limit",
            name);
    if (width * height > Limits::kMaxImagePixels) {
        const std::int64_t mp = (width * height + 500000) / 1000000;
        throwLoading("image is " + dims(width, height) + " (" + std::to_string(mp) + " megapixels), more than the "
                + std::to_string(Limits::kMaxImagePixels / (1024 * 1024)) + "-megapixel limit",
            name);
    }
}

namespace {

ImageHeader parsePng(std::span<const std::uint8_t> b, const std::string& name)
{
    if (b.size() < 33)
        throwLoading("truncated PNG data (the header is incomplete)", name);
    if (be32(b.data() + 8) != 13 || !startsWith(b, "IHDR", 12))
        throwLoading("corrupt PNG data: the header chunk (IHDR) is missing", name);
    ImageHeader h;
    h.format = "png";
    const std::int64_t w = be32(b.data() + 16), hh = be32(b.data() + 20);
    const int colorType = b[25];
    switch (colorType) {
    case 0:
        h.channels = 1;
        break;
    case 2:
        h.channels = 3;
        break;
    case 3:
        h.channels = 3;
        break;
    case 4:
        h.channels = 2;
        break;
    case 6:
        h.channels = 4;
        break;
    default:
        throwLoading("corrupt PNG data: unknown colour type " + std::to_string(colorType), name);
    }
    validateDimensions(w, hh, "png", name);
    h.width = int(w);
    h.height = int(hh);
    return h;
}

ImageHeader parseJpeg(std::span<const std::uint8_t> b, const std::string& name)
{
    std::size_t pos = 2;
    for (;;) {
        while (pos < b.size() && b[pos] == 0xFF && pos + 1 < b.size() && b[pos + 1] == 0xFF)
            ++pos; // fill bytes
        if (pos + 1 >= b.size())
            throwLoading("truncated JPEG data (no frame header found)", name);
        if (b[pos] != 0xFF)
            throwLoading("corrupt JPEG data: expected a marker", name);
        const int marker = b[pos + 1];
        pos += 2;
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; // markers without a length
        if (marker == 0xD9 || marker == 0xDA)
            throwLoading("corrupt JPEG data: no frame header before the image data", name);
        if (pos + 2 > b.size())
            throwLoading("truncated JPEG data (no frame header found)", name);
        const std::size_t len = be16(b.data() + pos);
        if (len < 2)
            throwLoading("corrupt JPEG data: bad marker length", name);
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (pos + 8 > b.size() || len < 8)
                throwLoading("truncated JPEG data (the frame header is incomplete)", name);
            ImageHeader h;
            h.format = "jpeg";
            const std::int64_t height = be16(b.data() + pos + 3);
            const std::int64_t width = be16(b.data() + pos + 5);
            const int comps = b[pos + 7];
            if (comps != 1 && comps != 3 && comps != 4)
                throwLoading("corrupt JPEG data: " + std::to_string(comps) + " colour components", name);
            validateDimensions(width, height, "jpeg", name);
            h.width = int(width);
            h.height = int(height);
            h.channels = comps == 1 ? 1 : 3;
            return h;
        }
        pos += len;
    }
}

ImageHeader parseBmp(std::span<const std::uint8_t> b, const std::string& name)
{
    if (b.size() < 26)
        throwLoading("truncated BMP data (the header is incomplete)", name);
    const std::uint32_t hdrSize = le32(b.data() + 14);
    std::int64_t w = 0, h = 0;
    int bpp = 0;
    if (hdrSize == 12) {
        w = le16(b.data() + 18);
        h = le16(b.data() + 20);
        bpp = le16(b.data() + 24);
    } else if (hdrSize >= 40 && hdrSize <= 256) {
        if (b.size() < 34)
            throwLoading("truncated BMP data (the header is incomplete)", name);
        w = std::int32_t(le32(b.data() + 18));
        h = std::int32_t(le32(b.data() + 22));
        bpp = le16(b.data() + 28);
        if (h < 0)
            h = -h; // negative height: rows stored top-down
    } else {
        throwLoading("corrupt BMP data: unknown header size " + std::to_string(hdrSize), name);
    }
    if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
        throwLoading("corrupt BMP data: " + std::to_string(bpp) + " bits per pixel", name);
    validateDimensions(w, h, "bmp", name);
    ImageHeader out;
    out.format = "bmp";
    out.width = int(w);
    out.height = int(h);
    out.channels = bpp == 32 ? 4 : 3;
    return out;
}

ImageHeader parseTga(std::span<const std::uint8_t> b, const std::string& name)
{
    const std::int64_t w = le16(b.data() + 12), h = le16(b.data() + 14);
    const int imgType = b[2], bpp = b[16];
    validateDimensions(w, h, "tga", name);
    ImageHeader out;
    out.format = "tga";
    out.width = int(w);
    out.height = int(h);
    if (imgType == 3 || imgType == 11)
        out.channels = bpp == 16 ? 2 : 1;
    else if (imgType == 1 || imgType == 9)
        out.channels = b[7] == 32 ? 4 : 3;
    else
        out.channels = bpp == 32 ? 4 : 3;
    return out;
}

#ifdef ORFEAS_HAVE_WEBP
ImageHeader parseWebp(std::span<const std::uint8_t> b, const std::string& name)
{
    WebPBitstreamFeatures f;
    const VP8StatusCode status = WebPGetFeatures(b.data(), b.size(), &f);
    if (status == VP8_STATUS_NOT_ENOUGH_DATA)
        throwLoading("truncated WebP data (the header is incomplete)", name);
    if (status != VP8_STATUS_OK)
        throwLoading("corrupt WebP data (bad header)", name);
    if (f.has_animation)
        throwLoading("animated WebP images are not supported; export one frame as PNG", name);
    validateDimensions(f.width, f.height, "webp", name);
    ImageHeader out;
    out.format = "webp";
    out.width = f.width;
    out.height = f.height;
    out.channels = f.has_alpha ? 4 : 3;
    return out;
}
#endif

} // namespace

ImageHeader parseHeader(ImageFormat format, std::span<const std::uint8_t> bytes, const std::string& name)
{
    switch (format) {
    case ImageFormat::Png:
        return parsePng(bytes, name);
    case ImageFormat::Jpeg:
        return parseJpeg(bytes, name);
    case ImageFormat::Bmp:
        return parseBmp(bytes, name);
    case ImageFormat::Tga:
        return parseTga(bytes, name);
#ifdef ORFEAS_HAVE_WEBP
    case ImageFormat::WebP:
        return parseWebp(bytes, name);
#else
    case ImageFormat::WebP:
        break;
#endif
    case ImageFormat::Unknown:
        break;
    }
    throwNotAnImage(bytes, name);
}

} // namespace orfeas::image_detail
