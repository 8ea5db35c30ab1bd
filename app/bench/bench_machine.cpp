#include "bench_machine.h"

#include "orfeas/gpu_monitor.h"
#include "orfeas/neural.h"
#include "orfeas/version.h"

#include <fstream>
#include <sstream>
#include <thread>

#include <sys/utsname.h>
#include <unistd.h>

namespace orfeas::bench {

namespace {

std::string readFirstLine(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// The value of "key<sep>value" in a /proc-style or os-release file.
std::string findValue(const std::string& path, const std::string& key, char sep)
{
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto pos = line.find(sep);
        if (pos == std::string::npos)
            continue;
        std::string k = line.substr(0, pos);
        while (!k.empty() && (k.back() == ' ' || k.back() == '\t'))
            k.pop_back();
        if (k != key)
            continue;
        std::string v = line.substr(pos + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.erase(v.begin());
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
            v = v.substr(1, v.size() - 2);
        return v;
    }
    return {};
}

} // namespace

nlohmann::ordered_json loadAverage()
{
    std::istringstream in(readFirstLine("/proc/loadavg"));
    double a = 0, b = 0, c = 0;
    if (in >> a >> b >> c)
        return nlohmann::ordered_json::array({a, b, c});
    return nlohmann::ordered_json::array();
}

std::optional<double> processAgeSeconds()
{
    // Field 22 of /proc/self/stat is the start time in clock ticks after boot; the command name (field 2) may hold
    // spaces, so count fields after its closing parenthesis.
    const std::string stat = readFirstLine("/proc/self/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream rest(stat.substr(close + 1));
    std::string field;
    unsigned long long startTicks = 0;
    for (int i = 3; i <= 22; ++i) {
        if (!(rest >> field))
            return std::nullopt;
        if (i == 22)
            startTicks = std::stoull(field);
    }
    std::istringstream up(readFirstLine("/proc/uptime"));
    double uptime = 0;
    if (!(up >> uptime))
        return std::nullopt;
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        return std::nullopt;
    const double age = uptime - double(startTicks) / double(ticks);
    return age >= 0 ? std::optional<double>(age) : std::nullopt;
}

nlohmann::ordered_json machineInfo()
{
    nlohmann::ordered_json m;
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    m["host"] = host;
    m["os"] = findValue("/etc/os-release", "PRETTY_NAME", '=');
    utsname u{};
    m["kernel"] = ::uname(&u) == 0 ? std::string(u.release) : std::string();
    m["cpu"] = {{"model", findValue("/proc/cpuinfo", "model name", ':')},
                {"logical_cores", std::thread::hardware_concurrency()}};
    std::istringstream mem(findValue("/proc/meminfo", "MemTotal", ':'));
    double kb = 0;
    mem >> kb;
    m["memory_total_mb"] = kb > 0 ? nlohmann::ordered_json(kb / 1024.0) : nlohmann::ordered_json(nullptr);

    GpuMonitor monitor;
    const GpuTelemetry t = monitor.telemetry();
    nlohmann::ordered_json gpu;
    gpu["available"] = t.available;
    if (!t.available)
        gpu["reason"] = t.unavailableReason;
    gpu["driver_version"] = t.driverVersion;
    gpu["devices"] = nlohmann::ordered_json::array();
    for (const auto& d : t.devices)
        gpu["devices"].push_back({{"index", d.index}, {"name", d.name}, {"memory_total_mb", d.memoryTotalMB}});
    m["gpu"] = gpu;

    const NeuralRuntimeInfo rt = neuralRuntimeInfo();
    m["torch"] = {{"available", rt.available},
                  {"version", rt.torchVersion},
                  {"cuda_available", rt.cudaAvailable},
                  {"cuda_devices", rt.cudaDeviceNames},
                  {"detail", rt.detail}};
    m["orfeas"] = {{"version", versionString()}, {"build", buildDescription()}};
    return m;
}

} // namespace orfeas::bench
