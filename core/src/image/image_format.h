#pragma once
// Format detection by magic bytes and header parsing without decoding, shared by probeImage and the decoders.
// Internal to the engine.

#include "orfeas/image_io.h"

#include <cstdint>
#include <span>
#include <string>

namespace orfeas::image_detail {

enum class ImageFormat { Unknown, Png, Jpeg, Bmp, Tga, WebP };

// The format the bytes start with; Unknown for anything else (including text and formats we do not decode).
// TGA has no signature: it is recognised by a plausible header, and only when nothing else matched.
ImageFormat detectFormat(std::span<const std::uint8_t> bytes) noexcept;

const char* formatName(ImageFormat format) noexcept; // "png", "jpeg", ...

// Throws BadInputError(image_loading, name) saying what the bytes look like ("empty file", "not an image
// (text file?)", "GIF images are not supported", ...). Called when detectFormat gave Unknown.
[[noreturn]] void throwNotAnImage(std::span<const std::uint8_t> bytes, const std::string& name);

// Parses the header of a detected format and validates its dimensions against Limits. Throws BadInputError
// for a truncated or corrupt header and for zero or absurd dimensions. Reads nothing beyond the header.
ImageHeader parseHeader(ImageFormat format, std::span<const std::uint8_t> bytes, const std::string& name);

// Throws BadInputError when width x height is zero or beyond Limits (per side and in total).
void validateDimensions(std::int64_t width, std::int64_t height, const char* format, const std::string& name);

// A BadInputError at stage image_loading.
[[noreturn]] void throwLoading(const std::string& message, const std::string& name);

} // namespace orfeas::image_detail
