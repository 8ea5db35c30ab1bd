// JPEG decoding with libjpeg(-turbo). libjpeg reports errors by calling error_exit, which must not return: we
// longjmp back into small "jump scopes" that hold only plain C data (see png_codec.cpp for the same pattern).
// Warnings that mean the data is damaged (premature end of file, bad Huffman code, ...) are errors here, so a
// truncated photo is rejected instead of being decoded with a grey lower half.

#include "orfeas/errors.h"

#include "image/codecs.h"
#include "image/image_format.h"

#include <csetjmp>
#include <cstdio> // jpeglib.h needs FILE
#include <cstring>
#include <jerror.h>
#include <jpeglib.h>

namespace orfeas::image_detail {

namespace {

struct JpegErr {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
    bool truncated = false;
    char message[JMSG_LENGTH_MAX] = {};
};

void jpegErrorExit(j_common_ptr cinfo)
{
    auto* e = reinterpret_cast<JpegErr*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, e->message);
    std::longjmp(e->jump, 1);
}

void jpegEmitMessage(j_common_ptr cinfo, int level)
{
    if (level >= 0)
        return; // trace messages
    const int code = cinfo->err->msg_code;
    // Harmless oddities that every decoder accepts.
    if (code == JWRN_EXTRANEOUS_DATA || code == JWRN_ADOBE_XFORM || code == JWRN_JFIF_MAJOR
        || code == JWRN_TOO_MUCH_DATA || code == JWRN_BOGUS_ICC) {
        cinfo->err->num_warnings++;
        return;
    }
    auto* e = reinterpret_cast<JpegErr*>(cinfo->err);
    if (code == JWRN_JPEG_EOF)
        e->truncated = true;
    (*cinfo->err->format_message)(cinfo, e->message);
    std::longjmp(e->jump, 1);
}

void jpegOutputMessage(j_common_ptr)
{
}

struct JpegGuard {
    jpeg_decompress_struct cinfo;
    bool created = false;
    JpegGuard() { std::memset(&cinfo, 0, sizeof(cinfo)); }
    ~JpegGuard()
    {
        if (created)
            jpeg_destroy_decompress(&cinfo);
    }
};

// Jump scope: creates the decompressor and reads the header (markers up to the first scan).
bool jpegHeaderScope(JpegGuard* g, JpegErr* err, const std::uint8_t* data, std::size_t size)
{
    g->cinfo.err = jpeg_std_error(&err->pub);
    err->pub.error_exit = jpegErrorExit;
    err->pub.emit_message = jpegEmitMessage;
    err->pub.output_message = jpegOutputMessage;
    if (setjmp(err->jump))
        return false;
    g->created = true;
    jpeg_create_decompress(&g->cinfo);
    jpeg_mem_src(&g->cinfo, data, static_cast<unsigned long>(size));
    jpeg_save_markers(&g->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&g->cinfo, TRUE);
    return true;
}

// Jump scope: starts decompression with the chosen output colour space.
bool jpegStartScope(JpegGuard* g, JpegErr* err, J_COLOR_SPACE outSpace)
{
    if (setjmp(err->jump))
        return false;
    g->cinfo.out_color_space = outSpace;
    jpeg_start_decompress(&g->cinfo);
    return true;
}

// Jump scope: decodes every scanline to the start of its RGBA row (expanded to 4 channels afterwards).
bool jpegReadScope(JpegGuard* g, JpegErr* err, std::uint8_t* pixels, std::size_t rowStride)
{
    if (setjmp(err->jump))
        return false;
    while (g->cinfo.output_scanline < g->cinfo.output_height) {
        JSAMPROW row = pixels + std::size_t(g->cinfo.output_scanline) * rowStride;
        if (jpeg_read_scanlines(&g->cinfo, &row, 1) != 1)
            return false;
    }
    return true;
}

std::uint16_t rd16(const std::uint8_t* p, bool little) noexcept
{
    return little ? std::uint16_t(p[0] | (p[1] << 8)) : std::uint16_t((p[0] << 8) | p[1]);
}
std::uint32_t rd32(const std::uint8_t* p, bool little) noexcept
{
    return little
        ? std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24)
        : (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

} // namespace

int exifOrientation(std::span<const std::uint8_t> app1) noexcept
{
    if (app1.size() < 14 || std::memcmp(app1.data(), "Exif\0\0", 6) != 0)
        return 1;
    const std::span<const std::uint8_t> tiff = app1.subspan(6);
    bool little = false;
    if (tiff[0] == 'I' && tiff[1] == 'I')
        little = true;
    else if (!(tiff[0] == 'M' && tiff[1] == 'M'))
        return 1;
    if (rd16(tiff.data() + 2, little) != 42)
        return 1;
    const std::uint32_t ifd = rd32(tiff.data() + 4, little);
    if (ifd > tiff.size() || tiff.size() - ifd < 2)
        return 1;
    const std::uint16_t count = rd16(tiff.data() + ifd, little);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t at = std::size_t(ifd) + 2 + std::size_t(i) * 12;
        if (at + 12 > tiff.size())
            return 1;
        const std::uint8_t* e = tiff.data() + at;
        if (rd16(e, little) == 0x0112 && rd16(e + 2, little) == 3 /* SHORT */ && rd32(e + 4, little) >= 1) {
            const int v = rd16(e + 8, little);
            return v >= 1 && v <= 8 ? v : 1;
        }
    }
    return 1;
}

ImageRGBA8 applyOrientation(ImageRGBA8 image, int orientation)
{
    if (orientation < 2 || orientation > 8 || !image.isValid())
        return image;
    const int w = image.width, h = image.height;
    const bool swap = orientation >= 5;
    ImageRGBA8 out;
    out.width = swap ? h : w;
    out.height = swap ? w : h;
    out.pixels.resize(image.pixels.size());
    for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
            int sx = x, sy = y;
            switch (orientation) {
            case 2:
                sx = w - 1 - x;
                break; // mirrored
            case 3:
                sx = w - 1 - x;
                sy = h - 1 - y;
                break; // rotated 180
            case 4:
                sy = h - 1 - y;
                break; // flipped
            case 5:
                sx = y;
                sy = x;
                break; // transposed
            case 6:
                sx = y;
                sy = h - 1 - x;
                break; // stored rotated 90 counter-clockwise
            case 7:
                sx = w - 1 - y;
                sy = h - 1 - x;
                break; // transverse
            case 8:
                sx = w - 1 - y;
                sy = x;
                break; // stored rotated 90 clockwise
            }
            std::memcpy(out.pixel(x, y), image.pixel(sx, sy), 4);
        }
    }
    return out;
}

ImageRGBA8 decodeJpeg(std::span<const std::uint8_t> bytes, const std::string& name)
{
    const ImageHeader header = parseHeader(ImageFormat::Jpeg, bytes, name); // validates before any allocation

    JpegGuard g;
    JpegErr err;
    auto fail = [&](const char* when) {
        if (err.truncated)
            throwLoading("truncated JPEG data (the file ends early)", name);
        throwLoading(std::string("corrupt JPEG data") + when + ": " + err.message, name);
    };
    if (!jpegHeaderScope(&g, &err, bytes.data(), bytes.size()))
        fail(" (header)");
    jpeg_decompress_struct& cinfo = g.cinfo;
    validateDimensions(cinfo.image_width, cinfo.image_height, "jpeg", name);
    if (int(cinfo.image_width) != header.width || int(cinfo.image_height) != header.height)
        throwLoading("corrupt JPEG data: inconsistent frame headers", name);

    int orientation = 1;
    bool adobe = cinfo.saw_Adobe_marker;
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1) {
            const int o = exifOrientation({ m->data, m->data_length });
            if (o != 1) {
                orientation = o;
                break;
            }
        }
    }

    J_COLOR_SPACE outSpace = JCS_RGB;
    int comps = 3;
    if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
        outSpace = JCS_GRAYSCALE;
        comps = 1;
    } else if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        outSpace = JCS_CMYK;
        comps = 4;
    }
    if (!jpegStartScope(&g, &err, outSpace))
        fail("");
    if (int(cinfo.output_components) != comps || int(cinfo.output_width) != header.width
        || int(cinfo.output_height) != header.height)
        throwLoading("corrupt JPEG data: unexpected output layout", name);

    ImageRGBA8 image;
    image.width = header.width;
    image.height = header.height;
    const std::size_t stride = std::size_t(image.width) * 4;
    image.pixels.assign(stride * image.height, 0);
    if (!jpegReadScope(&g, &err, image.pixels.data(), stride))
        fail("");

    // Expand each row in place, right to left, so no source byte is overwritten before it is read.
    for (int y = 0; y < image.height; ++y) {
        std::uint8_t* row = image.pixels.data() + std::size_t(y) * stride;
        for (int x = image.width - 1; x >= 0; --x) {
            std::uint8_t r, gg, b;
            if (comps == 1) {
                r = gg = b = row[x];
            } else if (comps == 3) {
                r = row[x * 3];
                gg = row[x * 3 + 1];
                b = row[x * 3 + 2];
            } else {
                // Adobe (Photoshop) CMYK JPEGs store inverted values.
                int c = row[x * 4], m = row[x * 4 + 1], yy = row[x * 4 + 2], k = row[x * 4 + 3];
                if (!adobe) {
                    c = 255 - c;
                    m = 255 - m;
                    yy = 255 - yy;
                    k = 255 - k;
                }
                r = std::uint8_t((c * k + 127) / 255);
                gg = std::uint8_t((m * k + 127) / 255);
                b = std::uint8_t((yy * k + 127) / 255);
            }
            row[x * 4] = r;
            row[x * 4 + 1] = gg;
            row[x * 4 + 2] = b;
            row[x * 4 + 3] = 255;
        }
    }
    return applyOrientation(std::move(image), orientation);
}

} // namespace orfeas::image_detail
