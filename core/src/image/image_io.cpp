#include "orfeas/image_io.h"

#include "orfeas/errors.h"

#include "foundation/atomic_file.h"
#include "image/codecs.h"
#include "image/image_format.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>

namespace orfeas {

using namespace image_detail;

namespace {

constexpr std::uint64_t kMaxFileBytes = 1ull << 30; // far above any image within Limits
constexpr std::size_t kProbeBytes = 256 * 1024;

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// Reads up to `limit` bytes (all of the file when limit is 0). Throws BadInputError(image_loading, path).
std::vector<std::uint8_t> readFileBytes(const std::string& path, std::size_t limit, std::uint64_t* totalSize)
{
    std::error_code ec;
    const std::filesystem::path p(path);
    if (std::filesystem::is_directory(p, ec))
        throwLoading("is a folder, not an image file", path);
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f)
        throwLoading(std::string("cannot open the file: ") + std::strerror(errno), path);
    const auto size = std::filesystem::file_size(p, ec);
    if (ec)
        throwLoading("cannot read the file: " + ec.message(), path);
    if (totalSize)
        *totalSize = size;
    if (size == 0)
        throwLoading("empty file", path);
    if (size > kMaxFileBytes)
        throwLoading("file is " + std::to_string(size >> 20) + " MiB, too large for an image (limit "
                + std::to_string(kMaxFileBytes >> 20) + " MiB)",
            path);
    const std::size_t want = limit ? std::min<std::size_t>(limit, std::size_t(size)) : std::size_t(size);
    std::vector<std::uint8_t> bytes(want);
    const std::size_t got = std::fread(bytes.data(), 1, want, f.get());
    if (got != want && std::ferror(f.get()))
        throwLoading(std::string("cannot read the file: ") + std::strerror(errno), path);
    bytes.resize(got);
    return bytes;
}

} // namespace

const std::vector<std::string>& supportedImageExtensions()
{
    static const std::vector<std::string> kExtensions = {
        "png",
        "jpg",
        "jpeg",
        "jpe",
        "jfif",
        "bmp",
        "dib",
        "tga",
#ifdef ORFEAS_HAVE_WEBP
        "webp",
#endif
    };
    return kExtensions;
}

ImageHeader probeImage(const std::string& path)
{
    std::uint64_t total = 0;
    std::vector<std::uint8_t> bytes = readFileBytes(path, kProbeBytes, &total);
    const ImageFormat format = detectFormat(bytes);
    if (format == ImageFormat::Unknown)
        throwNotAnImage(bytes, path);
    try {
        return parseHeader(format, bytes, path);
    } catch (const BadInputError&) {
        // A JPEG's frame header can sit behind large metadata blocks: look at the whole file before giving up.
        if (bytes.size() >= total)
            throw;
    }
    bytes = readFileBytes(path, 0, nullptr);
    return parseHeader(format, bytes, path);
}

ImageRGBA8 loadImageFromMemory(std::span<const std::uint8_t> bytes, const std::string& nameForErrors)
{
    const ImageFormat format = detectFormat(bytes);
    try {
        switch (format) {
        case ImageFormat::Png:
            return decodePng(bytes, nameForErrors);
        case ImageFormat::Jpeg:
            return decodeJpeg(bytes, nameForErrors);
        case ImageFormat::Bmp:
            return decodeBmpOrTga(bytes, nameForErrors, true);
        case ImageFormat::Tga:
            return decodeBmpOrTga(bytes, nameForErrors, false);
        case ImageFormat::WebP:
            return decodeWebp(bytes, nameForErrors);
        case ImageFormat::Unknown:
            break;
        }
    } catch (const std::bad_alloc&) {
        throwLoading("not enough memory to decode the image", nameForErrors);
    }
    throwNotAnImage(bytes, nameForErrors);
}

ImageRGBA8 loadImage(const std::string& path)
{
    const std::vector<std::uint8_t> bytes = readFileBytes(path, 0, nullptr);
    return loadImageFromMemory(bytes, path);
}

std::vector<std::uint8_t> encodePng(const ImageRGBA8& image)
{
    try {
        return encodePngBytes(image);
    } catch (const std::bad_alloc&) {
        throw ExportError("cannot encode PNG: out of memory");
    }
}

void writePng(const ImageRGBA8& image, const std::string& path, bool overwrite)
{
    std::vector<std::uint8_t> bytes;
    try {
        bytes = encodePng(image);
    } catch (const ExportError& e) {
        throw ExportError(e.message(), path);
    }
    detail::writeFileAtomically(path, bytes, overwrite);
}

} // namespace orfeas
