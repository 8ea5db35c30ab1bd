#pragma once
// Writing a safetensors file one tensor at a time, for files too large to assemble in memory (full-size random
// models, fitted fields: about 5 GB). Internal to the engine; orfeas/safetensors.h's writeSafetensors is the
// simple form for small files.

#include "orfeas/safetensors.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace orfeas::detail {

struct TensorSlot {
    std::string name;
    TensorDType dtype = TensorDType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t bytes() const;
};

// The header (every name, dtype and shape, data offsets in the given order) is written first; then write() appends
// the bytes of the tensors in that order, in pieces of any size. The file is a temporary in the destination folder
// (never written through a symlink) until commit(), which checks that every tensor got all its bytes, flushes it
// to disk and moves it into place (without `overwrite` an existing file is never replaced). A writer destroyed
// without commit() removes its temporary. Throws ExportError (with the final path) for I/O failures, a
// duplicate name, too many or too few bytes. Not thread-safe.
class SafetensorsWriter {
public:
    SafetensorsWriter(std::string path, std::vector<TensorSlot> tensors,
        const std::map<std::string, std::string>& metadata = {});
    ~SafetensorsWriter();
    SafetensorsWriter(const SafetensorsWriter&) = delete;
    SafetensorsWriter& operator=(const SafetensorsWriter&) = delete;

    void write(std::span<const std::uint8_t> bytes);
    // The tensor whose bytes write() expects next (tensors().size() once all are complete).
    std::size_t current() const noexcept { return m_current; }
    const std::vector<TensorSlot>& tensors() const noexcept { return m_tensors; }
    void commit(bool overwrite);

private:
    void writeRaw(const std::uint8_t* data, std::size_t size);
    void advance();

    std::string m_path;
    std::string m_tmp;
    std::vector<TensorSlot> m_tensors;
    int m_fd = -1;
    std::size_t m_current = 0;
    std::uint64_t m_writtenInCurrent = 0;
    bool m_committed = false;
};

} // namespace orfeas::detail
