// The safetensors reader: any byte string is either refused with a ModelError or accepted with a table of tensors
// that really lies inside the data area, does not overlap, and whose shapes match their byte sizes.
#include "fuzz_targets.h"

#include "orfeas/errors.h"
#include "orfeas/model_config.h"
#include "orfeas/safetensors.h"

#include <cstring>
#include <exception>
#include <limits>
#include <span>
#include <string>

namespace orfeas::fuzz {

namespace {

constexpr const char* kName = "fuzz_safetensors";

void checkFile(const std::uint8_t* data, std::size_t size)
{
    std::optional<SafetensorsFile> file;
    try {
        file.emplace(SafetensorsFile::fromBytes(std::span<const std::uint8_t>(data, size), "fuzz.safetensors"));
    } catch (const ModelError& e) {
        if (e.path() != "fuzz.safetensors")
            contractViolated(kName, "ModelError does not name the file", e.what());
        return;
    } catch (const Error& e) {
        contractViolated(kName, "an orfeas::Error other than ModelError", e.what());
    } catch (const std::exception& e) {
        contractViolated(kName, "a foreign exception escaped", e.what());
    }

    std::uint64_t headerLen = 0;
    std::memcpy(&headerLen, data, sizeof headerLen); // accepted, so at least 8 bytes
    const std::uint64_t dataSize = size - 8 - headerLen;
    if (file->fileSize() != size)
        contractViolated(kName, "fileSize() differs from the buffer size");

    std::uint64_t previousEnd = 0;
    std::vector<ParameterSpec> manifest;
    for (const TensorInfo& t : file->tensors()) {
        if (t.offset > dataSize || t.bytes > dataSize - t.offset)
            contractViolated(kName, "a tensor lies outside the data area", t.name.c_str());
        if (t.bytes > 0) {
            if (t.offset < previousEnd)
                contractViolated(kName, "two tensors overlap", t.name.c_str());
            previousEnd = t.offset + t.bytes;
        }
        // The reader promises shape x dtype size == byte length; elementCount() must not overflow doing so.
        for (std::int64_t d : t.shape)
            if (d < 0)
                contractViolated(kName, "a tensor has a negative dimension", t.name.c_str());
        const std::int64_t count = t.elementCount();
        if (count < 0 || std::uint64_t(count) * dtypeSize(t.dtype) != t.bytes)
            contractViolated(kName, "shape and byte length disagree", t.name.c_str());
        if (file->find(t.name) != &t)
            contractViolated(kName, "find() does not return the listed tensor", t.name.c_str());
        const auto bytes = file->data(t);
        unsigned sum = 0;
        for (std::uint8_t b : bytes) // every byte must be readable (ASan)
            sum += b;
        volatile unsigned sink = sum;
        (void)sink;
        if (t.bytes <= (1u << 20)) {
            const std::vector<float> values = file->toFloat32(t.name);
            if (values.size() != std::size_t(count))
                contractViolated(kName, "toFloat32 returned the wrong element count", t.name.c_str());
        }
        manifest.push_back({t.name, t.shape, false});
        if (manifest.size() % 2 == 0 && !manifest.back().shape.empty() &&
            manifest.back().shape.back() < std::numeric_limits<std::int64_t>::max())
            manifest.back().shape.back() += 1; // a shape mismatch for checkWeights to report
    }
    for (const auto& [k, v] : file->metadata())
        if (k.empty() && v.size() > size)
            contractViolated(kName, "metadata larger than the file");
    manifest.push_back({"model.required_but_absent", {1}, false});
    manifest.push_back({"vae.encoder.optional_absent", {2, 2}, true});
    try {
        const WeightsCheck check = checkWeights(*file, manifest);
        if (check.ok() && !file->contains("model.required_but_absent"))
            contractViolated(kName, "checkWeights accepted a file lacking a required tensor");
        if (check.errorSummary().empty())
            contractViolated(kName, "checkWeights found errors but summarised none");
    } catch (const std::exception& e) {
        contractViolated(kName, "checkWeights threw", e.what());
    }
    const std::string unknown = "no such tensor \x01";
    if (!file->contains(unknown)) {
        try {
            (void)file->data(unknown);
            contractViolated(kName, "data() of an unknown name did not throw");
        } catch (const ModelError&) {
        }
    }
}

} // namespace

// Two readings of every input: the bytes as a whole file, and the bytes as the JSON header of a file whose length
// prefix is right and whose data area has 256 bytes (so mutations of the header are not all stopped by the length
// check in front of it).
int fuzzSafetensors(const std::uint8_t* data, std::size_t size)
{
    checkFile(data, size);
    std::vector<std::uint8_t> file(8 + size + 256);
    const std::uint64_t len = size;
    std::memcpy(file.data(), &len, 8);
    if (size > 0)
        std::memcpy(file.data() + 8, data, size);
    for (std::size_t i = 0; i < 256; ++i)
        file[8 + size + i] = std::uint8_t(i * 37 + 11);
    checkFile(file.data(), file.size());
    return 0;
}

} // namespace orfeas::fuzz
