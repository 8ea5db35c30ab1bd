#pragma once
// Test images and encoders shared by the image tests: everything is generated, nothing binary is committed.
// The encoders (libjpeg, libpng for exotic PNG layouts, hand-written BMP/TGA) are independent of the code
// under test, so a round trip checks the decoder against a second implementation.

#include "orfeas/types.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <jpeglib.h>
#include <optional>
#include <png.h>
#include <string>
#include <vector>
#include <zlib.h>

namespace testimg {

using Bytes = std::vector<std::uint8_t>;

// Small deterministic generator (xorshift), so test images are identical on every machine.
struct Rng {
    std::uint32_t s;
    explicit Rng(std::uint32_t seed)
        : s(seed ? seed : 1)
    {
    }
    std::uint32_t next()
    {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    }
    int uniform(int lo, int hi) { return lo + int(next() % std::uint32_t(hi - lo + 1)); }
};

inline orfeas::ImageRGBA8 makeImage(int w, int h, const std::function<void(int, int, std::uint8_t*)>& f)
{
    orfeas::ImageRGBA8 img;
    img.width = w;
    img.height = h;
    img.pixels.resize(std::size_t(w) * h * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            f(x, y, img.pixel(x, y));
    return img;
}

inline orfeas::ImageRGBA8 noiseImage(int w, int h, std::uint32_t seed, bool alpha)
{
    Rng r(seed);
    return makeImage(w, h, [&](int, int, std::uint8_t* p) {
        p[0] = std::uint8_t(r.next());
        p[1] = std::uint8_t(r.next());
        p[2] = std::uint8_t(r.next());
        p[3] = alpha ? std::uint8_t(r.next()) : 255;
    });
}

inline void writeFile(const std::string& path, const Bytes& b)
{
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

inline void put16le(Bytes& b, unsigned v)
{
    b.push_back(std::uint8_t(v));
    b.push_back(std::uint8_t(v >> 8));
}
inline void put32le(Bytes& b, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b.push_back(std::uint8_t(v >> (8 * i)));
}
inline void put32be(Bytes& b, std::uint32_t v)
{
    for (int i = 3; i >= 0; --i)
        b.push_back(std::uint8_t(v >> (8 * i)));
}

// 24-bit (or 32-bit) bottom-up BMP with BITMAPINFOHEADER; 24-bit rows padded to 4 bytes.
// forceW / forceH write another size into the header (for malformed-file tests).
inline Bytes encodeBmp(const orfeas::ImageRGBA8& img, int bpp = 24, std::optional<std::int32_t> forceW = {},
    std::optional<std::int32_t> forceH = {})
{
    const int w = img.width, h = img.height;
    const std::uint32_t rowBytes = std::uint32_t(((w * bpp + 31) / 32) * 4);
    Bytes b = { 'B', 'M' };
    put32le(b, 54 + rowBytes * h);
    put32le(b, 0);
    put32le(b, 54);
    put32le(b, 40);
    put32le(b, std::uint32_t(forceW.value_or(w)));
    put32le(b, std::uint32_t(forceH.value_or(h)));
    put16le(b, 1);
    put16le(b, unsigned(bpp));
    put32le(b, 0);
    put32le(b, rowBytes * h);
    put32le(b, 2835);
    put32le(b, 2835);
    put32le(b, 0);
    put32le(b, 0);
    for (int y = h - 1; y >= 0; --y) {
        std::size_t start = b.size();
        for (int x = 0; x < w; ++x) {
            const std::uint8_t* p = img.pixel(x, y);
            b.push_back(p[2]);
            b.push_back(p[1]);
            b.push_back(p[0]);
            if (bpp == 32)
                b.push_back(p[3]);
        }
        while (b.size() - start < rowBytes)
            b.push_back(0);
    }
    return b;
}

// Uncompressed true-colour TGA, origin bottom-left (the format's default).
inline Bytes encodeTga(const orfeas::ImageRGBA8& img, bool alpha, unsigned forceW = 0, unsigned forceH = 0)
{
    Bytes b = { 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    put16le(b, forceW ? forceW : unsigned(img.width));
    put16le(b, forceH ? forceH : unsigned(img.height));
    b.push_back(alpha ? 32 : 24);
    b.push_back(alpha ? 8 : 0);
    for (int y = img.height - 1; y >= 0; --y) {
        for (int x = 0; x < img.width; ++x) {
            const std::uint8_t* p = img.pixel(x, y);
            b.push_back(p[2]);
            b.push_back(p[1]);
            b.push_back(p[0]);
            if (alpha)
                b.push_back(p[3]);
        }
    }
    return b;
}

// JPEG through libjpeg (RGB or greyscale from the red channel), optionally with an EXIF orientation tag.
// cmyk: an Adobe CMYK JPEG storing Photoshop's inverted values (255 - ink), here (r, g, b, 255).
inline Bytes encodeJpeg(const orfeas::ImageRGBA8& img, int quality, bool grey = false, int exifOrientation = 0,
    bool progressive = false, bool cmyk = false)
{
    jpeg_compress_struct c;
    jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char* mem = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &mem, &size);
    c.image_width = JDIMENSION(img.width);
    c.image_height = JDIMENSION(img.height);
    c.input_components = grey ? 1 : (cmyk ? 4 : 3);
    c.in_color_space = grey ? JCS_GRAYSCALE : (cmyk ? JCS_CMYK : JCS_RGB);
    jpeg_set_defaults(&c);
    if (cmyk)
        jpeg_set_colorspace(&c, JCS_CMYK); // writes the Adobe marker
    jpeg_set_quality(&c, quality, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    if (exifOrientation) {
        // "Exif\0\0" + little-endian TIFF header + IFD0 with one entry: Orientation (0x0112), SHORT, 1 value.
        Bytes e = { 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0 };
        e.push_back(std::uint8_t(exifOrientation));
        e.insert(e.end(), { 0, 0, 0, 0, 0, 0, 0 });
        jpeg_write_marker(&c, JPEG_APP0 + 1, e.data(), unsigned(e.size()));
    }
    std::vector<std::uint8_t> row(std::size_t(img.width) * 4);
    while (c.next_scanline < c.image_height) {
        const int y = int(c.next_scanline);
        for (int x = 0; x < img.width; ++x) {
            const std::uint8_t* p = img.pixel(x, y);
            if (grey) {
                row[x] = p[0];
            } else if (cmyk) {
                std::memcpy(&row[std::size_t(x) * 4], p, 3);
                row[std::size_t(x) * 4 + 3] = 255;
            } else {
                std::memcpy(&row[std::size_t(x) * 3], p, 3);
            }
        }
        JSAMPROW r = row.data();
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    Bytes out(mem, mem + size);
    jpeg_destroy_compress(&c);
    std::free(mem);
    return out;
}

// PNG through libpng with a chosen layout: colour type, bit depth, interlacing. `sample(x, y, c)` gives the
// value of channel c (already in the file's bit depth; for palette images, the index).
struct PngLayout {
    int colorType = PNG_COLOR_TYPE_RGB_ALPHA;
    int bitDepth = 8;
    bool interlaced = false;
    std::vector<png_color> palette;
    std::vector<png_byte> paletteAlpha; // tRNS for palette images
};

inline void pngWriteToVector(png_structp png, png_bytep data, png_size_t n)
{
    auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + n);
}

inline Bytes encodePngLayout(
    int w, int h, const PngLayout& layout, const std::function<unsigned(int, int, int)>& sample)
{
    Bytes out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_set_write_fn(png, &out, pngWriteToVector, nullptr);
    png_set_IHDR(png, info, png_uint_32(w), png_uint_32(h), layout.bitDepth, layout.colorType,
        layout.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
        PNG_FILTER_TYPE_DEFAULT);
    if (!layout.palette.empty())
        png_set_PLTE(png, info, layout.palette.data(), int(layout.palette.size()));
    if (!layout.paletteAlpha.empty())
        png_set_tRNS(png, info, layout.paletteAlpha.data(), int(layout.paletteAlpha.size()), nullptr);
    png_write_info(png, info);
    const int channels = layout.colorType == PNG_COLOR_TYPE_GRAY || layout.colorType == PNG_COLOR_TYPE_PALETTE ? 1
        : layout.colorType == PNG_COLOR_TYPE_GRAY_ALPHA                                                        ? 2
        : layout.colorType == PNG_COLOR_TYPE_RGB                                                               ? 3
                                                                                                               : 4;
    const int bytesPerSample = layout.bitDepth == 16 ? 2 : 1;
    std::vector<std::vector<png_byte>> rows(static_cast<std::size_t>(h));
    for (int y = 0; y < h; ++y) {
        auto& r = rows[std::size_t(y)];
        if (layout.bitDepth < 8) {
            r.assign(std::size_t((w * layout.bitDepth + 7) / 8), 0);
            for (int x = 0; x < w; ++x) {
                const int bit = x * layout.bitDepth;
                r[std::size_t(bit / 8)] |= png_byte(sample(x, y, 0) << (8 - layout.bitDepth - bit % 8));
            }
            continue;
        }
        r.resize(std::size_t(w) * channels * bytesPerSample);
        for (int x = 0; x < w; ++x) {
            for (int c = 0; c < channels; ++c) {
                const unsigned v = sample(x, y, c);
                const std::size_t at = (std::size_t(x) * channels + c) * bytesPerSample;
                if (bytesPerSample == 2) {
                    r[at] = png_byte(v >> 8);
                    r[at + 1] = png_byte(v);
                } else {
                    r[at] = png_byte(v);
                }
            }
        }
    }
    std::vector<png_bytep> ptrs;
    for (auto& r : rows)
        ptrs.push_back(r.data());
    png_write_image(png, ptrs.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

// A PNG file whose header claims w x h, with a valid CRC, followed by a tiny IDAT and IEND: it must be refused
// from the header alone.
inline Bytes craftedPngHeader(std::uint32_t w, std::uint32_t h)
{
    Bytes b = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    auto chunk = [&](const char* type, const Bytes& data) {
        put32be(b, std::uint32_t(data.size()));
        Bytes td(type, type + 4);
        td.insert(td.end(), data.begin(), data.end());
        b.insert(b.end(), td.begin(), td.end());
        put32be(b, std::uint32_t(crc32(0, td.data(), unsigned(td.size()))));
    };
    Bytes ihdr;
    put32be(ihdr, w);
    put32be(ihdr, h);
    ihdr.insert(ihdr.end(), { 8, 6, 0, 0, 0 });
    chunk("IHDR", ihdr);
    chunk("IDAT", { 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 });
    chunk("IEND", {});
    return b;
}

// Supersampled coverage (0..1) of a shape given by an inside test, on a w x h grid.
inline std::vector<float> coverage(int w, int h, const std::function<bool(double, double)>& inside, int ss = 4)
{
    std::vector<float> c(std::size_t(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            int n = 0;
            for (int j = 0; j < ss; ++j)
                for (int i = 0; i < ss; ++i)
                    n += inside(x + (i + 0.5) / ss, y + (j + 0.5) / ss);
            c[std::size_t(y) * w + x] = float(n) / float(ss * ss);
        }
    return c;
}

inline double iou(const orfeas::Mask8& m, const std::vector<float>& truth)
{
    std::size_t inter = 0, uni = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const bool a = m.values[i] >= 128, b = truth[i] >= 0.5f;
        inter += a && b;
        uni += a || b;
    }
    return uni ? double(inter) / double(uni) : 1.0;
}

} // namespace testimg
