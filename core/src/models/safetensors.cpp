#include "orfeas/safetensors.h"

#include "foundation/atomic_file.h"
#include "orfeas/errors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orfeas {

namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

struct DTypeEntry {
    const char* name;
    TensorDType type;
    std::size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {"F32", TensorDType::F32, 4}, {"F16", TensorDType::F16, 2}, {"BF16", TensorDType::BF16, 2},
    {"F64", TensorDType::F64, 8}, {"I64", TensorDType::I64, 8}, {"I32", TensorDType::I32, 4},
    {"I16", TensorDType::I16, 2}, {"I8", TensorDType::I8, 1},   {"U8", TensorDType::U8, 1},
    {"BOOL", TensorDType::Bool, 1},
};

[[noreturn]] void fail(const std::string& path, const std::string& what)
{
    throw ModelError("invalid safetensors file: " + what, path, std::nullopt);
}

template <typename T>
T readLE(const std::uint8_t* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    static_assert(std::endian::native == std::endian::little, "big-endian hosts are not supported");
    return v;
}

} // namespace

const char* dtypeName(TensorDType t) noexcept
{
    for (const auto& e : kDTypes) {
        if (e.type == t)
            return e.name;
    }
    return "?";
}

std::size_t dtypeSize(TensorDType t) noexcept
{
    for (const auto& e : kDTypes) {
        if (e.type == t)
            return e.size;
    }
    return 0;
}

std::int64_t TensorInfo::elementCount() const noexcept
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

struct SafetensorsFile::Impl {
    std::string path;
    const std::uint8_t* base = nullptr; // whole file
    std::size_t size = 0;
    void* mapping = nullptr;            // mmap'ed region, or null when `owned` holds the bytes
    int fd = -1;                        // kept open for readInto (pread)
    struct stat opened {};              // the file as it was when opened: size and modification time
    std::vector<std::uint8_t> owned;
    const std::uint8_t* dataStart = nullptr;
    std::size_t dataSize = 0;
    std::vector<TensorInfo> tensors;
    std::map<std::string, std::size_t> byName;
    std::map<std::string, std::string> metadata;

    ~Impl()
    {
        if (mapping)
            ::munmap(mapping, size);
        if (fd >= 0)
            ::close(fd);
    }

    [[noreturn]] void changed(const std::string& how) const
    {
        throw ModelError("the weights file changed while it was being read (" + how +
                             "); wait until it is completely written, then load it again",
                         path, std::nullopt);
    }

    // Truncation and rewrites change the size or the modification time (unlinking the file changes neither: its
    // bytes stay readable until it is closed).
    void checkUnchanged() const
    {
        struct stat now {};
        if (::fstat(fd, &now) != 0)
            fail(path, std::string("cannot check the file: ") + std::strerror(errno));
        if (now.st_size != opened.st_size)
            changed("its size went from " + std::to_string(opened.st_size) + " to " + std::to_string(now.st_size) +
                    " bytes: truncated or overwritten?");
        if (now.st_mtim.tv_sec != opened.st_mtim.tv_sec || now.st_mtim.tv_nsec != opened.st_mtim.tv_nsec)
            changed("it was modified: overwritten?");
    }

    void parse()
    {
        if (size < 8)
            fail(path, "file is shorter than its 8-byte header length (" + std::to_string(size) + " bytes)");
        const std::uint64_t headerLen = readLE<std::uint64_t>(base);
        if (headerLen < 2 || headerLen > kMaxHeaderBytes)
            fail(path, "header length " + std::to_string(headerLen) + " is implausible");
        if (headerLen > size - 8)
            fail(path, "header length " + std::to_string(headerLen) + " runs past the end of the file (" +
                           std::to_string(size) + " bytes): truncated?");
        const char* hdr = reinterpret_cast<const char*>(base + 8);
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(hdr, hdr + headerLen);
        } catch (const nlohmann::json::exception& e) {
            fail(path, std::string("header is not valid JSON (") + e.what() + ")");
        }
        if (!j.is_object())
            fail(path, "header is not a JSON object");
        dataStart = base + 8 + headerLen;
        dataSize = size - 8 - std::size_t(headerLen);

        for (auto it = j.begin(); it != j.end(); ++it) {
            const std::string& name = it.key();
            const auto& v = it.value();
            if (name == "__metadata__") {
                if (!v.is_object())
                    fail(path, "__metadata__ is not an object");
                for (auto m = v.begin(); m != v.end(); ++m) {
                    if (!m.value().is_string())
                        fail(path, "__metadata__ value '" + m.key() + "' is not a string");
                    metadata[m.key()] = m.value().get<std::string>();
                }
                continue;
            }
            if (name.empty())
                fail(path, "a tensor has an empty name");
            if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
                fail(path, "tensor '" + name + "' lacks dtype, shape or data_offsets");
            const auto& jd = v["dtype"];
            const auto& js = v["shape"];
            const auto& jo = v["data_offsets"];
            if (!jd.is_string())
                fail(path, "tensor '" + name + "' has a non-string dtype");
            TensorInfo info;
            info.name = name;
            const std::string dt = jd.get<std::string>();
            const DTypeEntry* entry = nullptr;
            for (const auto& e : kDTypes) {
                if (dt == e.name)
                    entry = &e;
            }
            if (!entry)
                fail(path, "tensor '" + name + "' has unsupported dtype '" + dt + "'");
            info.dtype = entry->type;
            if (!js.is_array() || js.size() > 8)
                fail(path, "tensor '" + name + "' has an invalid shape");
            std::uint64_t count = 1;
            // Every running product of the dimensions (zero or not) must fit an int64, as elementCount() and
            // LibTorch compute them: [2^61, 4, 0] holds no element but overflows on the way (found with the
            // fuzz harness, docs/reliability.md).
            constexpr auto kMaxDim = std::uint64_t(std::numeric_limits<std::int64_t>::max());
            for (const auto& d : js) {
                if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<std::int64_t>() >= 0))
                    fail(path, "tensor '" + name + "' has a negative or non-integer dimension");
                const std::uint64_t dim = d.get<std::uint64_t>();
                if (dim > kMaxDim || (dim != 0 && count > kMaxDim / dim))
                    fail(path, "tensor '" + name + "' has a shape whose size overflows");
                count *= dim;
                info.shape.push_back(std::int64_t(dim));
            }
            if (!jo.is_array() || jo.size() != 2 || !jo[0].is_number_unsigned() || !jo[1].is_number_unsigned())
                fail(path, "tensor '" + name + "' has invalid data_offsets");
            const std::uint64_t begin = jo[0].get<std::uint64_t>();
            const std::uint64_t end = jo[1].get<std::uint64_t>();
            if (begin > end || end > dataSize)
                fail(path, "tensor '" + name + "' has data offsets [" + std::to_string(begin) + ", " +
                               std::to_string(end) + "] outside the data area of " + std::to_string(dataSize) +
                               " bytes (is the file truncated?)");
            if (count > std::numeric_limits<std::uint64_t>::max() / entry->size || count * entry->size != end - begin)
                fail(path, "tensor '" + name + "' has " + std::to_string(end - begin) + " bytes but its shape and " +
                               dt + " need " + std::to_string(count * entry->size));
            info.offset = std::size_t(begin);
            info.bytes = std::size_t(end - begin);
            tensors.push_back(std::move(info));
        }
        std::sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
            return a.offset != b.offset ? a.offset < b.offset : a.name < b.name;
        });
        // Compared with the furthest end so far, not only with the previous tensor: an empty tensor sorted between
        // two others must not hide their overlap (found with the fuzz harness, docs/reliability.md).
        std::size_t furthestEnd = 0, furthest = 0;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].bytes > 0) {
                if (furthestEnd > tensors[i].offset)
                    fail(path, "tensors '" + tensors[furthest].name + "' and '" + tensors[i].name + "' overlap");
                furthestEnd = tensors[i].offset + tensors[i].bytes;
                furthest = i;
            }
            byName[tensors[i].name] = i;
        }
    }
};

SafetensorsFile::SafetensorsFile()
    : m_impl(std::make_unique<Impl>())
{
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->path = path;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw ModelError(std::string("cannot open weights file: ") + std::strerror(errno), path, std::nullopt);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw ModelError("weights path is not a regular file", path, std::nullopt);
    }
    m_impl->size = std::size_t(st.st_size);
    if (m_impl->size > 0) {
        void* p = ::mmap(nullptr, m_impl->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw ModelError(std::string("cannot map weights file: ") + std::strerror(err), path, std::nullopt);
        }
        m_impl->mapping = p;
        m_impl->base = static_cast<const std::uint8_t*>(p);
    }
    m_impl->fd = fd;
    m_impl->opened = st;
    m_impl->parse();
}

SafetensorsFile SafetensorsFile::fromBytes(std::span<const std::uint8_t> bytes, const std::string& nameForErrors)
{
    SafetensorsFile f;
    f.m_impl->path = nameForErrors;
    f.m_impl->owned.assign(bytes.begin(), bytes.end());
    f.m_impl->base = f.m_impl->owned.data();
    f.m_impl->size = f.m_impl->owned.size();
    f.m_impl->parse();
    return f;
}

SafetensorsFile::~SafetensorsFile() = default;
SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;

const std::string& SafetensorsFile::path() const noexcept
{
    return m_impl->path;
}

const std::vector<TensorInfo>& SafetensorsFile::tensors() const noexcept
{
    return m_impl->tensors;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const noexcept
{
    auto it = m_impl->byName.find(name);
    return it == m_impl->byName.end() ? nullptr : &m_impl->tensors[it->second];
}

std::span<const std::uint8_t> SafetensorsFile::data(const std::string& name) const
{
    const TensorInfo* info = find(name);
    if (!info)
        throw ModelError("tensor '" + name + "' is not in the weights file", m_impl->path, std::nullopt);
    return data(*info);
}

std::span<const std::uint8_t> SafetensorsFile::data(const TensorInfo& info) const
{
    return {m_impl->dataStart + info.offset, info.bytes};
}

void SafetensorsFile::readInto(const TensorInfo& info, void* dst) const
{
    if (info.offset > m_impl->dataSize || info.bytes > m_impl->dataSize - info.offset)
        throw ModelError("tensor '" + info.name + "' does not lie inside the weights file", m_impl->path, std::nullopt);
    if (info.bytes == 0)
        return;
    if (m_impl->fd < 0) { // in memory (fromBytes)
        std::memcpy(dst, m_impl->dataStart + info.offset, info.bytes);
        return;
    }
    auto* out = static_cast<std::uint8_t*>(dst);
    const off_t start = off_t(std::size_t(m_impl->dataStart - m_impl->base) + info.offset);
    std::size_t done = 0;
    while (done < info.bytes) {
        const ssize_t n = ::pread(m_impl->fd, out + done, info.bytes - done, start + off_t(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw ModelError(std::string("cannot read the weights file: ") + std::strerror(errno), m_impl->path,
                             std::nullopt);
        if (n == 0)
            m_impl->changed("it ends before tensor '" + info.name + "': truncated?");
        done += std::size_t(n);
    }
    m_impl->checkUnchanged();
}

std::vector<float> SafetensorsFile::toFloat32(const std::string& name) const
{
    const TensorInfo* info = find(name);
    if (!info)
        throw ModelError("tensor '" + name + "' is not in the weights file", m_impl->path, std::nullopt);
    const auto bytes = data(*info);
    const std::size_t n = std::size_t(info->elementCount());
    std::vector<float> out(n);
    const std::uint8_t* p = bytes.data();
    for (std::size_t i = 0; i < n; ++i) {
        switch (info->dtype) {
        case TensorDType::F32: out[i] = readLE<float>(p + 4 * i); break;
        case TensorDType::F16: out[i] = halfToFloat(readLE<std::uint16_t>(p + 2 * i)); break;
        case TensorDType::BF16: out[i] = bf16ToFloat(readLE<std::uint16_t>(p + 2 * i)); break;
        case TensorDType::F64: out[i] = float(readLE<double>(p + 8 * i)); break;
        case TensorDType::I64: out[i] = float(readLE<std::int64_t>(p + 8 * i)); break;
        case TensorDType::I32: out[i] = float(readLE<std::int32_t>(p + 4 * i)); break;
        case TensorDType::I16: out[i] = float(readLE<std::int16_t>(p + 2 * i)); break;
        case TensorDType::I8: out[i] = float(std::int8_t(p[i])); break;
        case TensorDType::U8:
        case TensorDType::Bool: out[i] = float(p[i]); break;
        }
    }
    return out;
}

const std::map<std::string, std::string>& SafetensorsFile::metadata() const noexcept
{
    return m_impl->metadata;
}

std::size_t SafetensorsFile::fileSize() const noexcept
{
    return m_impl->size;
}

void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json m = nlohmann::ordered_json::object();
        for (const auto& [k, v] : metadata)
            m[k] = v;
        header["__metadata__"] = m;
    }
    std::size_t offset = 0;
    for (const auto& t : tensors) {
        std::uint64_t count = 1;
        for (auto d : t.shape)
            count *= std::uint64_t(d);
        if (count * dtypeSize(t.dtype) != t.bytes.size())
            throw ExportError("tensor '" + t.name + "' has a byte size that does not match its shape", path);
        header[t.name] = {{"dtype", dtypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    std::string h = header.dump();
    while ((h.size() + 8) % 8 != 0) // keep the data area 8-byte aligned, as the reference writer does
        h.push_back(' ');
    std::vector<std::uint8_t> out(8 + h.size() + offset);
    const std::uint64_t len = h.size();
    std::memcpy(out.data(), &len, 8);
    std::memcpy(out.data() + 8, h.data(), h.size());
    std::size_t pos = 8 + h.size();
    for (const auto& t : tensors) {
        if (!t.bytes.empty())
            std::memcpy(out.data() + pos, t.bytes.data(), t.bytes.size());
        pos += t.bytes.size();
    }
    detail::writeFileAtomically(path, out, true);
}

float halfToFloat(std::uint16_t h) noexcept
{
    const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
    std::uint32_t exp = (h >> 10) & 0x1f;
    std::uint32_t mant = h & 0x3ff;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400) == 0) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3ff;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    return std::bit_cast<float>(bits);
}

std::uint16_t floatToHalf(float f) noexcept
{
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const std::uint32_t sign = (x >> 16) & 0x8000;
    const std::uint32_t absx = x & 0x7fffffff;
    if (absx >= 0x7f800000) // inf or nan
        return std::uint16_t(sign | 0x7c00 | (absx > 0x7f800000 ? 0x200 : 0));
    if (absx >= 0x477ff000) // overflows to inf after rounding
        return std::uint16_t(sign | 0x7c00);
    if (absx < 0x38800000) { // subnormal or zero in half
        if (absx < 0x33000000)
            return std::uint16_t(sign);
        const std::uint32_t e = absx >> 23;
        const std::uint32_t m = (absx & 0x7fffff) | 0x800000;
        const std::uint32_t shift = 126 - e; // 14 + (127 - 15 - e) + 1 ... exponent distance to half subnormal
        std::uint32_t half = m >> (shift - 0);
        const std::uint32_t rem = m & ((1u << shift) - 1);
        const std::uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            ++half;
        return std::uint16_t(sign | half);
    }
    std::uint32_t half = ((absx >> 13) - (112u << 10));
    const std::uint32_t rem = absx & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
        ++half;
    return std::uint16_t(sign | half);
}

float bf16ToFloat(std::uint16_t h) noexcept
{
    return std::bit_cast<float>(std::uint32_t(h) << 16);
}

std::uint16_t floatToBf16(float f) noexcept
{
    std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7fffffff) > 0x7f800000)
        return std::uint16_t((x >> 16) | 0x40);
    const std::uint32_t rounding = 0x7fff + ((x >> 16) & 1);
    x += rounding;
    return std::uint16_t(x >> 16);
}

} // namespace orfeas
