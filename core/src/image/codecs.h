#pragma once
// The per-format decoders and the PNG encoder. Each decoder validates the header (image_format.h) before it
// allocates pixels and turns every library failure into BadInputError(image_loading, name). The C libraries'
// error handlers jump (setjmp/longjmp); the functions that can be jumped over hold no C++ objects, so no
// destructor is ever skipped. Internal to the engine.

#include "orfeas/types.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace orfeas::image_detail {

ImageRGBA8 decodePng(std::span<const std::uint8_t> bytes, const std::string& name);
ImageRGBA8 decodeJpeg(std::span<const std::uint8_t> bytes, const std::string& name);
ImageRGBA8 decodeBmpOrTga(std::span<const std::uint8_t> bytes, const std::string& name, bool isBmp);
ImageRGBA8 decodeWebp(std::span<const std::uint8_t> bytes, const std::string& name);

// Deterministic PNG bytes (fixed zlib level and filters, no time or text chunks). Throws ExportError.
std::vector<std::uint8_t> encodePngBytes(const ImageRGBA8& image);

// EXIF orientation (1..8) from the payload of an APP1 marker ("Exif\0\0" + TIFF); 1 when absent or malformed.
int exifOrientation(std::span<const std::uint8_t> app1) noexcept;
// Applies an EXIF orientation (2..8 change the image; others leave it as is).
ImageRGBA8 applyOrientation(ImageRGBA8 image, int orientation);

} // namespace orfeas::image_detail
