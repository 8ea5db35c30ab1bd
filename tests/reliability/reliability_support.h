#pragma once
// Shared by the reliability tests: small generated subjects, quick settings, folder inspection, and running the
// real `orfeas` binary.

#include "orfeas/settings.h"
#include "orfeas/types.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace reltest {

namespace fs = std::filesystem;

// A w x w image with a soft-edged coloured disc (alpha = subject) on transparent black; `seed` varies the colours
// and the disc's centre so that consecutive jobs are not identical.
inline orfeas::ImageRGBA8 subjectImage(int w = 64, unsigned seed = 0)
{
    orfeas::ImageRGBA8 img;
    img.width = img.height = w;
    img.pixels.assign(std::size_t(w) * w * 4, 0);
    const double cx = w * (0.45 + 0.1 * double(seed % 3) / 2.0), cy = w * 0.5, r = w * 0.3;
    for (int y = 0; y < w; ++y) {
        for (int x = 0; x < w; ++x) {
            const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
            const double a = std::clamp((r - d) + 0.5, 0.0, 1.0);
            std::uint8_t* p = img.pixel(x, y);
            p[0] = std::uint8_t((40 + 50 * seed + x * 3) & 0xff);
            p[1] = std::uint8_t((90 + y * 2) & 0xff);
            p[2] = std::uint8_t((200 + 7 * seed) & 0xff);
            p[3] = std::uint8_t(std::lround(255 * a));
        }
    }
    return img;
}

// Classic backend, small everything: a job takes milliseconds.
inline orfeas::JobSettings quickSettings()
{
    orfeas::JobSettings s;
    s.backend = orfeas::BackendChoice::Inflate;
    s.resolution = 24;
    s.imageSize = 64;
    s.textureSize = 64;
    s.faceBudget = 0;
    s.formats = {orfeas::ExportFormat::Glb};
    return s;
}

inline std::vector<std::string> listNames(const fs::path& dir)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

inline bool isHiddenTemporary(const std::string& name)
{
    return !name.empty() && name.front() == '.' && name.find(".orfeas-tmp-") != std::string::npos;
}

inline std::vector<std::string> temporariesIn(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& n : listNames(dir))
        if (isHiddenTemporary(n))
            out.push_back(n);
    return out;
}

inline std::string readText(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::uint32_t le32(const std::string& s, std::size_t at)
{
    return std::uint32_t(std::uint8_t(s[at])) | std::uint32_t(std::uint8_t(s[at + 1])) << 8 |
           std::uint32_t(std::uint8_t(s[at + 2])) << 16 | std::uint32_t(std::uint8_t(s[at + 3])) << 24;
}

// A GLB is complete when its header's total length equals the file size and both chunks fit (glTF 2.0 §4.4).
inline bool glbComplete(const fs::path& p)
{
    const std::string s = readText(p);
    if (s.size() < 20 || s.compare(0, 4, "glTF") != 0 || le32(s, 8) != s.size())
        return false;
    std::size_t at = 12;
    int chunks = 0;
    while (at + 8 <= s.size()) {
        const std::size_t len = le32(s, at);
        if (at + 8 + len > s.size())
            return false;
        at += 8 + len;
        ++chunks;
    }
    return at == s.size() && chunks >= 1;
}

// The `orfeas` CLI built next to these tests.
inline QString orfeasBinary()
{
    return QString::fromUtf8(ORFEAS_BINARY_DIR) + "/app/cli/orfeas";
}

struct CliResult {
    int exitCode = -1;
    bool crashed = false;
    QByteArray out, err;
};

inline CliResult runOrfeas(const QStringList& args, int timeoutMs = 120000, const QString& program = {})
{
    QProcess p;
    p.start(program.isEmpty() ? orfeasBinary() : program, args);
    CliResult r;
    if (!p.waitForStarted(10000))
        return r;
    p.waitForFinished(timeoutMs);
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace reltest
