// `orfeas info`: what this machine and build can do.

#include "cli_commands.h"
#include "cli_info.h"

#include "orfeas/backends.h"
#include "orfeas/gpu_monitor.h"
#include "orfeas/image_io.h"
#include "orfeas/models.h"
#include "orfeas/version.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <ostream>
#include <thread>

#include <unistd.h>

namespace orfeas::cli {

namespace {

std::string cpuModel()
{
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos)
                return line.substr(line.find_first_not_of(' ', colon + 1));
        }
    }
    return "unknown";
}

double memoryGiB()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? double(pages) * double(size) / (1024.0 * 1024.0 * 1024.0) : 0.0;
}

} // namespace

int runInfo(bool json, std::ostream& out)
{
    GpuMonitor gpu;
    const auto backends = BackendProvider::instance().status();
    const auto models = discoverModelFolders();
    if (json) {
        nlohmann::ordered_json j;
        j["version"] = versionString();
        j["build"] = buildDescription();
        j["cpu"] = {{"model", cpuModel()}, {"threads", std::thread::hardware_concurrency()}, {"memory_gib", memoryGiB()}};
        nlohmann::ordered_json g;
        g["available"] = gpu.available();
        if (!gpu.available())
            g["reason"] = gpu.unavailableReason();
        g["devices"] = nlohmann::ordered_json::array();
        for (const auto& d : gpu.devices())
            g["devices"].push_back({{"index", d.index}, {"name", d.name}, {"memory_total_mb", d.memoryTotalMB}});
        j["gpu"] = g;
        j["backends"] = nlohmann::ordered_json::array();
        for (const auto& b : backends)
            j["backends"].push_back({{"name", b.name}, {"available", b.available}, {"detail", b.detail}});
        j["model_search_roots"] = modelSearchRoots();
        j["models"] = nlohmann::ordered_json::array();
        for (const auto& m : models)
            j["models"].push_back({{"path", m.path}, {"variant", m.variant}, {"usable", m.usable},
                                   {"dtype", m.dtype}, {"parameters", m.parameters}, {"problem", m.problem}});
        j["image_formats"] = supportedImageExtensions();
        out << j.dump(2) << "\n";
        return kExitOk;
    }
    out << buildDescription() << "\n\n";
    out << "CPU:      " << cpuModel() << " (" << std::thread::hardware_concurrency() << " threads, " << int(memoryGiB() + 0.5)
        << " GiB)\n";
    if (gpu.available()) {
        for (const auto& d : gpu.devices())
            out << "GPU " << d.index << ":    " << d.name << " (" << int(d.memoryTotalMB / 1024 + 0.5) << " GiB)\n";
    } else {
        out << "GPU:      " << gpu.unavailableReason() << "\n";
    }
    out << "\nBackends:\n";
    for (const auto& b : backends)
        out << "  " << (b.available ? "[x] " : "[ ] ") << b.name << " - " << b.detail << "\n";
    out << "\nModel folders (searched:";
    for (const auto& r : modelSearchRoots())
        out << " " << r;
    out << "):\n";
    if (models.empty())
        out << "  none found\n";
    for (const auto& m : models) {
        out << "  " << (m.usable ? "[x] " : "[ ] ") << m.path;
        if (m.usable)
            out << " (" << m.dtype << ", " << m.parameters / 1000000 << " M parameters)";
        else
            out << " - " << m.problem;
        out << "\n";
    }
    out << "\nImage formats:";
    for (const auto& e : supportedImageExtensions())
        out << " " << e;
    out << "\n";
    return kExitOk;
}

} // namespace orfeas::cli
