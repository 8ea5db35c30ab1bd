#pragma once
// An Assimp IOSystem that keeps every file an exporter writes in memory, so that the exporter chooses the names
// of companion files (the OBJ's .mtl) while we decide where and how the bytes reach the disk. Internal.

#include <assimp/IOStream.hpp>
#include <assimp/IOSystem.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace orfeas::exporting {

class MemoryIOSystem final : public Assimp::IOSystem {
public:
    using Bytes = std::vector<std::uint8_t>;

    bool Exists(const char* path) const override;
    char getOsSeparator() const override { return '/'; }
    // Writing modes create or truncate a file; reading modes open an existing one (nullptr if none).
    Assimp::IOStream* Open(const char* path, const char* mode = "rb") override;
    void Close(Assimp::IOStream* stream) override;

    // The files written so far, by the name the exporter used, in name order.
    const std::map<std::string, std::shared_ptr<Bytes>>& files() const noexcept { return m_files; }

private:
    std::map<std::string, std::shared_ptr<Bytes>> m_files;
};

} // namespace orfeas::exporting
