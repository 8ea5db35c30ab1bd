#pragma once
// Helpers shared by the neural backend's tests on the tiny fixtures (CPU, public API).

#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

namespace orfeas::neuraltest {

// The fixture's preprocessed image and mask (stored in [-1, 1] in io.safetensors) back as 8-bit images.
inline PreprocessedImage fixtureImage(const std::string& folder, bool alphaFromFile)
{
    const SafetensorsFile io(folder + "/io.safetensors");
    const auto image = io.toFloat32("pre.image");
    const auto mask = io.toFloat32("pre.mask");
    const int side = int(io.find("pre.image")->shape[3]);
    PreprocessedImage p;
    p.image.width = p.image.height = side;
    p.image.pixels.assign(std::size_t(side) * side * 4, 255);
    p.mask.width = p.mask.height = side;
    p.mask.values.resize(std::size_t(side) * side);
    const std::size_t plane = std::size_t(side) * side;
    for (std::size_t i = 0; i < plane; ++i) {
        for (std::size_t c = 0; c < 3; ++c)
            p.image.pixels[i * 4 + c] = std::uint8_t(std::lround((image[c * plane + i] + 1.0f) / 2.0f * 255.0f));
        p.mask.values[i] = mask[i] > 0 ? 255 : 0;
    }
    p.canvas = p.image;
    p.alphaFromFile = alphaFromFile;
    return p;
}

// A model folder loaded on the CPU in float32.
inline std::shared_ptr<ShapeBackend> loadOnCpu(
    const std::string& folder, WeightsPreference weights = HunyuanLoadOptions {}.weights)
{
    HunyuanLoadOptions o;
    o.modelPath = folder;
    o.device = "cpu";
    o.precision = Precision::Fp32;
    o.weights = weights;
    RunContext ctx;
    return loadHunyuan3DBackend(o, ctx);
}

} // namespace orfeas::neuraltest
