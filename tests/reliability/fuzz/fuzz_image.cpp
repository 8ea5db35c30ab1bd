// Image decoding: any byte string gives either a valid image within Limits or a BadInputError.
#include "fuzz_targets.h"

#include "orfeas/errors.h"
#include "orfeas/image_io.h"
#include "orfeas/settings.h"

#include <exception>
#include <span>
#include <string>

namespace orfeas::fuzz {

int fuzzImage(const std::uint8_t* data, std::size_t size)
{
    constexpr const char* kName = "fuzz_image";
    ImageRGBA8 image;
    try {
        image = loadImageFromMemory(std::span<const std::uint8_t>(data, size), "fuzz-input");
    } catch (const BadInputError& e) {
        if (e.message().empty())
            contractViolated(kName, "BadInputError without a message");
        if (e.path() != "fuzz-input")
            contractViolated(kName, "BadInputError does not name the input", e.what());
        return 0;
    } catch (const Error& e) {
        contractViolated(kName, "decoding threw an orfeas::Error other than BadInputError", e.what());
    } catch (const std::exception& e) {
        contractViolated(kName, "decoding let a foreign exception escape", e.what());
    }
    if (!image.isValid())
        contractViolated(kName, "a decoded image is not valid (size and pixel count disagree)");
    if (image.width > Limits::kMaxImageSide || image.height > Limits::kMaxImageSide ||
        std::int64_t(image.width) * image.height > Limits::kMaxImagePixels)
        contractViolated(kName, "a decoded image exceeds Limits", (std::to_string(image.width) + "x" +
                                                                     std::to_string(image.height)).c_str());
    // Touch every pixel so that a buffer shorter than claimed shows up under ASan.
    unsigned sum = 0;
    for (std::uint8_t v : image.pixels)
        sum += v;
    volatile unsigned sink = sum;
    (void)sink;
    return 0;
}

} // namespace orfeas::fuzz
