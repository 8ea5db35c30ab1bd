// BMP and TGA through stb_image (the only translation unit with its implementation, compiled static so it cannot
// clash with another copy elsewhere), WebP through libwebp. stb_image reads zeros past the end of its input
// instead of failing, so uncompressed files are checked for truncation here before decoding.

#include "orfeas/errors.h"
#include "orfeas/settings.h"

#include "image/codecs.h"
#include "image/image_format.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_BMP
#define STBI_ONLY_TGA
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS 16384
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#include <stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#ifdef ORFEAS_HAVE_WEBP
#include <webp/decode.h>
#endif

static_assert(STBI_MAX_DIMENSIONS == orfeas::Limits::kMaxImageSide, "keep stb's limit in step with ours");

namespace orfeas::image_detail {

namespace {

std::uint32_t le32(const std::uint8_t* p) noexcept
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}
std::uint16_t le16(const std::uint8_t* p) noexcept
{
    return std::uint16_t(p[0] | (p[1] << 8));
}

void checkBmpSize(std::span<const std::uint8_t> b, const ImageHeader& h, const std::string& name)
{
    const std::uint32_t hdrSize = le32(b.data() + 14);
    const std::uint64_t dataOffset = le32(b.data() + 10);
    int bpp = 0;
    std::uint32_t compression = 0;
    if (hdrSize == 12) {
        bpp = le16(b.data() + 24);
    } else {
        bpp = le16(b.data() + 28);
        compression = le32(b.data() + 30);
    }
    if (compression != 0 && compression != 3 && compression != 6)
        return; // run-length encoded: the size is not known from the header
    const std::uint64_t rowBytes = ((std::uint64_t(h.width) * bpp + 31) / 32) * 4;
    if (dataOffset > b.size() || rowBytes * std::uint64_t(h.height) > b.size() - dataOffset)
        throwLoading("truncated BMP data (the file ends early)", name);
}

void checkTgaSize(std::span<const std::uint8_t> b, const ImageHeader& h, const std::string& name)
{
    const int imgType = b[2];
    const std::uint64_t idLen = b[0];
    const std::uint64_t cmapBytes = b[1] == 1 ? std::uint64_t(le16(b.data() + 5)) * ((b[7] + 7) / 8) : 0;
    const std::uint64_t bytesPerPixel = (b[16] + 7) / 8;
    const std::uint64_t pixels = std::uint64_t(h.width) * h.height;
    // Uncompressed: every pixel is stored. Run-length encoded: a packet (one header byte and at least one pixel)
    // covers at most 128 pixels, so the data cannot be shorter than that. stb_image decodes on past the end of the
    // data (reading zeros), so without this a 115-byte file claiming 5904 x 6164 pixels made it fill 36 M pixels
    // (found by fuzz_image: over 10 s under ASan).
    const std::uint64_t minData = imgType >= 9 ? (pixels + 127) / 128 * (1 + bytesPerPixel) : pixels * bytesPerPixel;
    if (18 + idLen + cmapBytes + minData > b.size())
        throwLoading("truncated TGA data (the file ends early)", name);
}

} // namespace

ImageRGBA8 decodeBmpOrTga(std::span<const std::uint8_t> bytes, const std::string& name, bool isBmp)
{
    const ImageHeader header = parseHeader(isBmp ? ImageFormat::Bmp : ImageFormat::Tga, bytes, name);
    if (isBmp)
        checkBmpSize(bytes, header, name);
    else
        checkTgaSize(bytes, header, name);
    if (bytes.size() > std::size_t(INT32_MAX))
        throwLoading("file is too large", name);

    int w = 0, h = 0, comp = 0;
    std::unique_ptr<stbi_uc, decltype(&stbi_image_free)> data(
        stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &comp, 4), &stbi_image_free);
    const char* kind = isBmp ? "BMP" : "TGA";
    if (!data) {
        const char* why = stbi_failure_reason();
        throwLoading(std::string("corrupt ") + kind + " data" + (why ? std::string(": ") + why : std::string()), name);
    }
    if (w != header.width || h != header.height)
        throwLoading(std::string("corrupt ") + kind + " data: inconsistent dimensions", name);
    ImageRGBA8 image;
    image.width = w;
    image.height = h;
    image.pixels.assign(data.get(), data.get() + std::size_t(w) * h * 4);
    return image;
}

ImageRGBA8 decodeWebp(std::span<const std::uint8_t> bytes, const std::string& name)
{
#ifdef ORFEAS_HAVE_WEBP
    const ImageHeader header = parseHeader(ImageFormat::WebP, bytes, name);
    ImageRGBA8 image;
    image.width = header.width;
    image.height = header.height;
    image.pixels.assign(std::size_t(header.width) * header.height * 4, 0);
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config))
        throwLoading("WebP decoder unavailable (library version mismatch)", name);
    config.output.colorspace = MODE_RGBA;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = image.pixels.data();
    config.output.u.RGBA.stride = header.width * 4;
    config.output.u.RGBA.size = image.pixels.size();
    const VP8StatusCode status = WebPDecode(bytes.data(), bytes.size(), &config);
    WebPFreeDecBuffer(&config.output);
    if (status == VP8_STATUS_NOT_ENOUGH_DATA)
        throwLoading("truncated WebP data (the file ends early)", name);
    if (status != VP8_STATUS_OK)
        throwLoading("corrupt WebP data (decoder status " + std::to_string(int(status)) + ")", name);
    return image;
#else
    throwNotAnImage(bytes, name);
#endif
}

} // namespace orfeas::image_detail
