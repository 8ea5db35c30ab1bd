#include "foundation/atomic_file.h"

#include "orfeas/errors.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/syscall.h>
#endif

namespace fs = std::filesystem;

namespace orfeas::detail {

namespace {
constexpr const char* kTmpMarker = ".orfeas-tmp-";

std::string errnoText(int err)
{
    return std::strerror(err);
}
} // namespace

std::string temporaryPathFor(const std::string& finalPath)
{
    // Starts at a random value: names another process (or a stale file of a killed run with the same pid, as in
    // containers) cannot predict or collide with.
    static std::atomic<unsigned long> counter{[] {
        unsigned long seed = (unsigned long)std::chrono::steady_clock::now().time_since_epoch().count();
        try {
            seed ^= (unsigned long)(std::random_device{}()) << 16;
        } catch (...) { // no entropy source: the clock alone
        }
        return seed & 0xffffffffffffUL;
    }()};
    const fs::path p(finalPath);
    const std::string name = "." + p.filename().string() + kTmpMarker + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1));
    return (p.parent_path() / name).string();
}

bool isTemporaryName(const std::string& fileName)
{
    return !fileName.empty() && fileName.front() == '.' && fileName.find(kTmpMarker) != std::string::npos;
}

void removeQuietly(const std::string& path) noexcept
{
    if (!path.empty())
        ::unlink(path.c_str());
}

void writeWholeFile(const std::string& path, std::span<const std::uint8_t> bytes)
{
    // Never through a symlink; a temporary is always a new file (O_EXCL), so that nothing planted under its name in a
    // shared output folder (symlink or hard link) can redirect the write (docs/reliability.md).
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
    if (isTemporaryName(fs::path(path).filename().string()))
        flags |= O_EXCL;
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0)
        throw ExportError("cannot create file: " + errnoText(errno), path);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            ::close(fd);
            removeQuietly(path);
            throw ExportError("cannot write file: " + errnoText(err), path);
        }
        done += std::size_t(n);
    }
    if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
        const int err = errno;
        ::close(fd);
        removeQuietly(path);
        throw ExportError("cannot flush file to disk: " + errnoText(err), path);
    }
    if (::close(fd) != 0) {
        const int err = errno;
        removeQuietly(path);
        throw ExportError("cannot close file: " + errnoText(err), path);
    }
}

void commitTemporary(const std::string& tmpPath, const std::string& finalPath, bool overwrite)
{
    struct stat st {};
    if (::lstat(finalPath.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        removeQuietly(tmpPath);
        throw ExportError("a folder is in the way of the output file", finalPath);
    }
    if (overwrite) {
        if (::rename(tmpPath.c_str(), finalPath.c_str()) != 0) {
            const int err = errno;
            removeQuietly(tmpPath);
            throw ExportError("cannot move the finished file into place: " + errnoText(err), finalPath);
        }
        return;
    }
    // No overwrite: never replace an existing file, even one created by someone else a moment ago.
    if (::link(tmpPath.c_str(), finalPath.c_str()) == 0) {
        removeQuietly(tmpPath);
        return;
    }
    int err = errno;
    if (err == EEXIST) {
        removeQuietly(tmpPath);
        throw ExportError("the output file already exists (use overwrite to replace it)", finalPath);
    }
#if defined(__linux__) && defined(SYS_renameat2)
    // Filesystems without hard links: ask the kernel for a rename that refuses to replace.
    constexpr unsigned kRenameNoReplace = 1;
    if (::syscall(SYS_renameat2, AT_FDCWD, tmpPath.c_str(), AT_FDCWD, finalPath.c_str(), kRenameNoReplace) == 0)
        return;
    err = errno;
    if (err == EEXIST) {
        removeQuietly(tmpPath);
        throw ExportError("the output file already exists (use overwrite to replace it)", finalPath);
    }
#endif
    if (::access(finalPath.c_str(), F_OK) == 0) {
        removeQuietly(tmpPath);
        throw ExportError("the output file already exists (use overwrite to replace it)", finalPath);
    }
    if (::rename(tmpPath.c_str(), finalPath.c_str()) != 0) {
        err = errno;
        removeQuietly(tmpPath);
        throw ExportError("cannot move the finished file into place: " + errnoText(err), finalPath);
    }
}

void writeFileAtomically(const std::string& finalPath, std::span<const std::uint8_t> bytes, bool overwrite)
{
    if (!overwrite && ::access(finalPath.c_str(), F_OK) == 0)
        throw ExportError("the output file already exists (use overwrite to replace it)", finalPath);
    const std::string tmp = temporaryPathFor(finalPath);
    writeWholeFile(tmp, bytes);
    commitTemporary(tmp, finalPath, overwrite);
}

} // namespace orfeas::detail
