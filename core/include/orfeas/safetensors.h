#pragma once
// A validating reader for the safetensors format (the published Hunyuan3D-2 weights and the parity fixtures).
// The file is memory-mapped; the header is checked completely before any tensor data is touched:
// header length inside the file, JSON well-formed, known dtypes, offsets ordered and inside the data area,
// shape x dtype size == byte length, no overlapping tensors. No code in the file is ever executed.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace orfeas {

enum class TensorDType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };
const char* dtypeName(TensorDType t) noexcept;       // "F32", ...
std::size_t dtypeSize(TensorDType t) noexcept;       // bytes per element

struct TensorInfo {
    std::string name;
    TensorDType dtype = TensorDType::F32;
    std::vector<std::int64_t> shape;
    std::size_t offset = 0;  // from the start of the data area
    std::size_t bytes = 0;
    std::int64_t elementCount() const noexcept;
};

class SafetensorsFile {
public:
    // Opens and validates. Throws ModelError (with the path) describing the first problem found.
    // Thread-safe after construction (read-only).
    explicit SafetensorsFile(const std::string& path);
    // Validates an in-memory buffer (copied); for tests and fuzzing.
    static SafetensorsFile fromBytes(std::span<const std::uint8_t> bytes, const std::string& nameForErrors = {});
    ~SafetensorsFile();
    SafetensorsFile(SafetensorsFile&&) noexcept;
    SafetensorsFile& operator=(SafetensorsFile&&) noexcept;

    const std::string& path() const noexcept;
    // Tensors in file order (sorted by offset).
    const std::vector<TensorInfo>& tensors() const noexcept;
    const TensorInfo* find(const std::string& name) const noexcept;
    bool contains(const std::string& name) const noexcept { return find(name) != nullptr; }
    // The raw bytes of a tensor (little-endian, as stored). Throws ModelError for an unknown name.
    std::span<const std::uint8_t> data(const std::string& name) const;
    std::span<const std::uint8_t> data(const TensorInfo& info) const;
    // Copies the raw bytes of a tensor of this file into `dst` (info.bytes of them) with read(2) rather than through
    // the memory mapping, and checks that the file has not changed since it was opened: a weights file truncated or
    // overwritten while a model loads gives a ModelError, where reading the mapping would end the process with
    // SIGBUS or mix two files. Throws ModelError. Thread-safe.
    void readInto(const TensorInfo& info, void* dst) const;
    // The tensor converted to float32 (F32/F16/BF16/F64 and integer types). Throws ModelError.
    std::vector<float> toFloat32(const std::string& name) const;
    // The optional "__metadata__" string map.
    const std::map<std::string, std::string>& metadata() const noexcept;
    std::size_t fileSize() const noexcept;

private:
    SafetensorsFile();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Writes a safetensors file (tensors given as raw little-endian bytes), atomically. Throws ExportError.
struct TensorToWrite {
    std::string name;
    TensorDType dtype = TensorDType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::uint8_t> bytes;
};
void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// IEEE half / bfloat16 conversions (round to nearest even).
float halfToFloat(std::uint16_t h) noexcept;
std::uint16_t floatToHalf(float f) noexcept;
float bf16ToFloat(std::uint16_t h) noexcept;
std::uint16_t floatToBf16(float f) noexcept;

} // namespace orfeas
