#include "models/safetensors_writer.h"

#include "foundation/atomic_file.h"
#include "orfeas/errors.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <unistd.h>

namespace orfeas::detail {

std::uint64_t TensorSlot::bytes() const
{
    std::uint64_t count = 1;
    for (const auto d : shape)
        count *= std::uint64_t(d);
    return count * dtypeSize(dtype);
}

SafetensorsWriter::SafetensorsWriter(
    std::string path, std::vector<TensorSlot> tensors, const std::map<std::string, std::string>& metadata)
    : m_path(std::move(path))
    , m_tensors(std::move(tensors))
{
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json m = nlohmann::ordered_json::object();
        for (const auto& [k, v] : metadata)
            m[k] = v;
        header["__metadata__"] = m;
    }
    std::set<std::string> names;
    std::uint64_t offset = 0;
    for (const auto& t : m_tensors) {
        for (const auto d : t.shape) {
            if (d < 0)
                throw ExportError("tensor '" + t.name + "' has a negative dimension", m_path);
        }
        if (t.name.empty() || t.name == "__metadata__" || !names.insert(t.name).second)
            throw ExportError("tensor name '" + t.name + "' is empty, reserved or used twice", m_path);
        header[t.name] = { { "dtype", dtypeName(t.dtype) }, { "shape", t.shape },
            { "data_offsets", { offset, offset + t.bytes() } } };
        offset += t.bytes();
    }
    std::string h = header.dump();
    while ((h.size() + 8) % 8 != 0) // the data area 8-byte aligned, as the reference writer does
        h.push_back(' ');

    m_tmp = temporaryPathFor(m_path);
    // A new file (O_EXCL) never reached through a symlink: nothing planted under the temporary's name can
    // redirect the write (as foundation/atomic_file does).
    m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (m_fd < 0)
        throw ExportError(std::string("cannot create file: ") + std::strerror(errno), m_path);
    const std::uint64_t len = h.size();
    std::uint8_t prefix[8];
    for (int i = 0; i < 8; ++i)
        prefix[i] = std::uint8_t(len >> (8 * i)); // little-endian
    writeRaw(prefix, 8);
    writeRaw(reinterpret_cast<const std::uint8_t*>(h.data()), h.size());
    advance();
}

SafetensorsWriter::~SafetensorsWriter()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed)
        removeQuietly(m_tmp);
}

void SafetensorsWriter::writeRaw(const std::uint8_t* data, std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(m_fd, data + done, size - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw ExportError(std::string("cannot write: ") + std::strerror(errno), m_path);
        }
        done += std::size_t(n);
    }
}

void SafetensorsWriter::advance()
{
    // Empty tensors need no bytes.
    while (m_current < m_tensors.size() && m_writtenInCurrent == m_tensors[m_current].bytes()) {
        ++m_current;
        m_writtenInCurrent = 0;
    }
}

void SafetensorsWriter::write(std::span<const std::uint8_t> bytes)
{
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        if (m_current >= m_tensors.size())
            throw ExportError("more bytes than the tensors hold", m_path);
        const std::uint64_t room = m_tensors[m_current].bytes() - m_writtenInCurrent;
        const std::size_t n = std::size_t(std::min<std::uint64_t>(room, bytes.size() - pos));
        writeRaw(bytes.data() + pos, n);
        pos += n;
        m_writtenInCurrent += n;
        advance();
    }
}

void SafetensorsWriter::commit(bool overwrite)
{
    if (m_committed)
        return;
    if (m_current != m_tensors.size())
        throw ExportError("tensor '" + m_tensors[m_current].name + "' was not written completely", m_path);
    if (::fsync(m_fd) != 0)
        throw ExportError(std::string("cannot flush the file to disk: ") + std::strerror(errno), m_path);
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0)
        throw ExportError(std::string("cannot close the file: ") + std::strerror(errno), m_path);
    m_committed = true; // commitTemporary removes the temporary itself when it fails
    commitTemporary(m_tmp, m_path, overwrite);
}

} // namespace orfeas::detail
