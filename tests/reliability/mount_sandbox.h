#pragma once
// Small filesystems for fault tests (a read-only or a nearly full folder). The test process first enters a private
// mount namespace, so every tmpfs it mounts is invisible to the rest of the machine and disappears with the
// process, even if it crashes; child processes (the `orfeas` binary) inherit the namespace. As root that is
// unshare(CLONE_NEWNS); otherwise a user namespace that maps the current user to root inside it, where the
// kernel allows unprivileged user namespaces. Where neither works, tests skip with the reason.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

namespace reltest {

namespace detail {
inline bool writeProcFile(const char* path, const std::string& text)
{
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ::close(fd);
    return ok;
}
} // namespace detail

// Call once, early (the process must still be single-threaded). Returns "" on success, else why not.
inline std::string enterPrivateMountNamespace()
{
    static std::string result = [] () -> std::string {
        const uid_t uid = ::geteuid();
        const gid_t gid = ::getegid();
        if (uid == 0) {
            if (::unshare(CLONE_NEWNS) != 0)
                return std::string("unshare(CLONE_NEWNS) failed: ") + std::strerror(errno);
        } else {
            if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
                return std::string("not root, and no unprivileged user namespace: ") + std::strerror(errno);
            detail::writeProcFile("/proc/self/setgroups", "deny");
            if (!detail::writeProcFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
                !detail::writeProcFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
                return "cannot map the user into the new user namespace";
        }
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            return std::string("cannot make the mount tree private: ") + std::strerror(errno);
        return {};
    }();
    return result;
}

// Mounts a tmpfs of `sizeBytes` on `dir` (read-only if asked). Returns "" on success, else why not.
inline std::string mountTmpfs(const std::filesystem::path& dir, std::size_t sizeBytes, bool readOnly = false)
{
    const std::string ns = enterPrivateMountNamespace();
    if (!ns.empty())
        return ns;
    const std::string options = "size=" + std::to_string(sizeBytes) + ",mode=0755";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", readOnly ? MS_RDONLY : 0, options.c_str()) != 0)
        return std::string("mount -t tmpfs failed: ") + std::strerror(errno);
    return {};
}

inline void remountReadOnly(const std::filesystem::path& dir, bool readOnly)
{
    ::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | (readOnly ? MS_RDONLY : 0), nullptr);
}

inline void unmount(const std::filesystem::path& dir)
{
    ::umount2(dir.c_str(), MNT_DETACH);
}

// Fills a folder's filesystem until at most `leaveBytes` are free (one filler file). Returns the filler's path.
inline std::filesystem::path fillUp(const std::filesystem::path& dir, std::size_t leaveBytes)
{
    const auto filler = dir / "filler.bin";
    const auto space = std::filesystem::space(dir);
    std::size_t want = space.available > leaveBytes ? std::size_t(space.available - leaveBytes) : 0;
    std::ofstream f(filler, std::ios::binary);
    std::string block(4096, 'f');
    while (want >= block.size() && f.write(block.data(), std::streamsize(block.size())))
        want -= block.size();
    f.close();
    return filler;
}

} // namespace reltest
