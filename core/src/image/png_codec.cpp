// PNG decoding and encoding with libpng's classic interface. libpng reports errors by longjmp: the functions
// below that call setjmp (the "jump scopes") hold only plain C data, and the callbacks that jump hold no C++
// objects either, so no destructor is ever skipped. C++ containers live in the callers, outside the scopes.

#include "orfeas/errors.h"
#include "orfeas/settings.h"

#include "image/codecs.h"
#include "image/image_format.h"

#include <csetjmp>
#include <cstring>
#include <new>
#include <png.h>

namespace orfeas::image_detail {

namespace {

struct PngIo {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    std::size_t pos = 0;
    bool truncated = false;
    std::vector<std::uint8_t>* out = nullptr; // encoding only
    char message[200] = {};
};

void pngRead(png_structp png, png_bytep dst, png_size_t n)
{
    auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
    if (n > io->size - io->pos) {
        io->truncated = true;
        png_error(png, "unexpected end of file");
    }
    std::memcpy(dst, io->data + io->pos, n);
    io->pos += n;
}

void pngWrite(png_structp png, png_bytep src, png_size_t n)
{
    auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
    bool ok = true;
    try {
        io->out->insert(io->out->end(), src, src + n);
    } catch (...) {
        ok = false;
    }
    if (!ok)
        png_error(png, "out of memory");
}

void pngFlush(png_structp)
{
}

void pngError(png_structp png, png_const_charp msg)
{
    auto* io = static_cast<PngIo*>(png_get_error_ptr(png));
    std::strncpy(io->message, msg ? msg : "unknown error", sizeof(io->message) - 1);
    png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp)
{
} // benign (bad ancillary chunks, extra data): ignored

struct PngReadGuard {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~PngReadGuard() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

struct PngWriteGuard {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~PngWriteGuard() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

// Jump scope: reads the chunks before the image data and sets up the RGBA8 transforms.
bool pngReadHeaderScope(
    png_structp png, png_infop info, png_uint_32* width, png_uint_32* height, int* passes, png_size_t* rowBytes)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_read_info(png, info);
    int bitDepth = 0, colorType = 0;
    png_get_IHDR(png, info, width, height, &bitDepth, &colorType, nullptr, nullptr, nullptr);
    if (colorType == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png);
    if (bitDepth == 16)
        png_set_scale_16(png); // rounds to nearest, so v * 257 comes back as v
    if (colorType == PNG_COLOR_TYPE_GRAY || colorType == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    if (!(colorType & PNG_COLOR_MASK_ALPHA) && !png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_filler(png, 0xFF, PNG_FILLER_AFTER);
    *passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    *rowBytes = png_get_rowbytes(png, info);
    return true;
}

// Jump scope: decodes every row (all passes for interlaced files) into `pixels`.
bool pngReadRowsScope(png_structp png, std::uint8_t* pixels, png_uint_32 width, png_uint_32 height, int passes)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    for (int pass = 0; pass < passes; ++pass)
        for (png_uint_32 y = 0; y < height; ++y)
            png_read_row(png, pixels + std::size_t(y) * width * 4, nullptr);
    return true;
}

// Jump scope: writes a complete RGBA8 PNG with fixed settings.
bool pngWriteScope(png_structp png, png_infop info, const std::uint8_t* pixels, png_uint_32 width, png_uint_32 height)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    // Opaque images (every texture after colour bleeding) are stored as RGB: a quarter less data to compress.
    bool opaque = true;
    for (std::size_t i = 3, n = std::size_t(width) * height * 4; i < n && opaque; i += 4)
        opaque = pixels[i] == 255;
    png_set_IHDR(png, info, width, height, 8, opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA,
        PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    // Fixed settings keep the bytes deterministic. One filter (Paeth) instead of libpng's adaptive choice among all
    // five, and zlib level 4, cost about a third of the time for a few percent more bytes on our textures.
    png_set_compression_level(png, 4);
    png_set_compression_strategy(png, 0 /* Z_DEFAULT_STRATEGY */);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_PAETH);
    png_write_info(png, info);
    if (opaque)
        png_set_filler(png, 0, PNG_FILLER_AFTER); // rows are RGBA in memory; libpng drops the alpha byte
    for (png_uint_32 y = 0; y < height; ++y)
        png_write_row(png, pixels + std::size_t(y) * width * 4);
    png_write_end(png, nullptr);
    return true;
}

} // namespace

ImageRGBA8 decodePng(std::span<const std::uint8_t> bytes, const std::string& name)
{
    const ImageHeader header = parseHeader(ImageFormat::Png, bytes, name); // validates before any allocation

    PngIo io;
    io.data = bytes.data();
    io.size = bytes.size();
    PngReadGuard g;
    g.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, pngError, pngWarning);
    if (!g.png)
        throw std::bad_alloc();
    g.info = png_create_info_struct(g.png);
    if (!g.info)
        throw std::bad_alloc();
    png_set_read_fn(g.png, &io, pngRead);
    png_set_user_limits(g.png, png_uint_32(Limits::kMaxImageSide), png_uint_32(Limits::kMaxImageSide));
    png_set_chunk_malloc_max(g.png, 16u * 1024 * 1024);

    png_uint_32 width = 0, height = 0;
    int passes = 1;
    png_size_t rowBytes = 0;
    auto fail = [&]() {
        if (io.truncated)
            throwLoading("truncated PNG data (the file ends early)", name);
        throwLoading(std::string("corrupt PNG data: ") + io.message, name);
    };
    if (!pngReadHeaderScope(g.png, g.info, &width, &height, &passes, &rowBytes))
        fail();
    if (int(width) != header.width || int(height) != header.height || rowBytes != png_size_t(width) * 4)
        throwLoading("corrupt PNG data: unexpected pixel layout", name);

    ImageRGBA8 image;
    image.width = int(width);
    image.height = int(height);
    image.pixels.assign(std::size_t(width) * height * 4, 0);
    if (!pngReadRowsScope(g.png, image.pixels.data(), width, height, passes))
        fail();
    return image;
}

std::vector<std::uint8_t> encodePngBytes(const ImageRGBA8& image)
{
    if (!image.isValid())
        throw ExportError("cannot encode PNG: the image is empty or inconsistent");
    std::vector<std::uint8_t> out;
    out.reserve(std::size_t(image.width) * image.height + 1024);
    PngIo io;
    io.out = &out;
    PngWriteGuard g;
    g.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &io, pngError, pngWarning);
    if (!g.png)
        throw ExportError("cannot encode PNG: out of memory");
    g.info = png_create_info_struct(g.png);
    if (!g.info)
        throw ExportError("cannot encode PNG: out of memory");
    png_set_write_fn(g.png, &io, pngWrite, pngFlush);
    if (!pngWriteScope(g.png, g.info, image.pixels.data(), png_uint_32(image.width), png_uint_32(image.height)))
        throw ExportError(std::string("cannot encode PNG: ") + io.message);
    return out;
}

} // namespace orfeas::image_detail
