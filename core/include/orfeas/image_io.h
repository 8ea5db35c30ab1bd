#pragma once
// Image decoding with validation before allocation.

#include "orfeas/types.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace orfeas {

struct ImageHeader {
    std::string format; // "png", "jpeg", "bmp", "tga", "webp"
    int width = 0;
    int height = 0;
    int channels = 0; // as stored in the file (1..4)
};

// File extensions (lower case, without dot) that loadImage accepts. Thread-safe.
const std::vector<std::string>& supportedImageExtensions();

// Reads only the header (the format is detected from the bytes, never from the extension). Throws BadInputError (stage
// image_loading, with the path) for a file that is not an image we decode, has zero or absurd dimensions (see Limits),
// or cannot be read. Thread-safe.
ImageHeader probeImage(const std::string& path);

// Decodes a file to RGBA8 (grey and RGB get an opaque alpha). Validates the header before allocating pixels;
// truncated or corrupt data gives BadInputError. Thread-safe.
ImageRGBA8 loadImage(const std::string& path);

// Same from bytes in memory; `nameForErrors` is used as the error's path. Thread-safe.
ImageRGBA8 loadImageFromMemory(std::span<const std::uint8_t> bytes, const std::string& nameForErrors = {});

// Encodes RGBA8 as PNG (deterministic bytes for the same image). Throws ExportError on failure. Thread-safe.
std::vector<std::uint8_t> encodePng(const ImageRGBA8& image);

// Writes a PNG atomically (temporary name, then rename). An existing file is replaced only with `overwrite`
// (otherwise ExportError). Throws ExportError (with the path). Thread-safe.
void writePng(const ImageRGBA8& image, const std::string& path, bool overwrite = false);

} // namespace orfeas
