#include "export/memory_io_system.h"

#include <algorithm>
#include <cstring>

namespace orfeas::exporting {

namespace {

class MemoryStream final : public Assimp::IOStream {
public:
    MemoryStream(std::shared_ptr<MemoryIOSystem::Bytes> data, bool atEnd)
        : m_data(std::move(data))
        , m_pos(atEnd ? m_data->size() : 0)
    {
    }

    size_t Read(void* buffer, size_t size, size_t count) override
    {
        if (size == 0)
            return 0;
        const size_t available = (m_data->size() - std::min(m_pos, m_data->size())) / size;
        const size_t n = std::min(count, available);
        std::memcpy(buffer, m_data->data() + m_pos, n * size);
        m_pos += n * size;
        return n;
    }

    size_t Write(const void* buffer, size_t size, size_t count) override
    {
        const size_t bytes = size * count;
        if (bytes == 0)
            return 0;
        if (m_pos + bytes > m_data->size())
            m_data->resize(m_pos + bytes);
        std::memcpy(m_data->data() + m_pos, buffer, bytes);
        m_pos += bytes;
        return count;
    }

    aiReturn Seek(size_t offset, aiOrigin origin) override
    {
        size_t target = 0;
        switch (origin) {
        case aiOrigin_SET:
            target = offset;
            break;
        case aiOrigin_CUR:
            target = m_pos + offset;
            break;
        case aiOrigin_END:
            if (offset > m_data->size())
                return aiReturn_FAILURE;
            target = m_data->size() - offset;
            break;
        default:
            return aiReturn_FAILURE;
        }
        if (target > m_data->size())
            m_data->resize(target);
        m_pos = target;
        return aiReturn_SUCCESS;
    }

    size_t Tell() const override { return m_pos; }
    size_t FileSize() const override { return m_data->size(); }
    void Flush() override { }

private:
    std::shared_ptr<MemoryIOSystem::Bytes> m_data;
    size_t m_pos = 0;
};

} // namespace

bool MemoryIOSystem::Exists(const char* path) const
{
    return path && m_files.count(path) != 0;
}

Assimp::IOStream* MemoryIOSystem::Open(const char* path, const char* mode)
{
    if (!path)
        return nullptr;
    const bool writing = mode && (std::strchr(mode, 'w') || std::strchr(mode, 'a'));
    auto it = m_files.find(path);
    if (writing) {
        if (it == m_files.end())
            it = m_files.emplace(path, std::make_shared<Bytes>()).first;
        const bool append = std::strchr(mode, 'a') != nullptr;
        if (!append)
            it->second->clear();
        return new MemoryStream(it->second, append);
    }
    if (it == m_files.end())
        return nullptr;
    return new MemoryStream(it->second, false);
}

void MemoryIOSystem::Close(Assimp::IOStream* stream)
{
    delete stream;
}

} // namespace orfeas::exporting
