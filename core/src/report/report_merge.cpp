// `orfeas report merge`: one batch report from the per-run reports and GPU reports of several shard folders.

#include "orfeas/report.h"

#include "foundation/atomic_file.h"
#include "orfeas/errors.h"
#include "report/json_settings.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace orfeas {

namespace {

std::string readText(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    if (!f)
        throw BadInputError("cannot read report", p.string(), std::nullopt);
    std::ostringstream os;
    os << f.rdbuf();
    return os.str();
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

MergedReports mergeReportFolders(const std::vector<std::string>& folders)
{
    if (folders.empty())
        throw BadInputError("no report folders given", {}, std::nullopt);
    std::vector<RunReport> runs;
    std::map<std::string, int> seen;
    GpuTelemetry gpu;
    std::vector<std::string> reasons;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec))
            throw BadInputError("not a folder", folder, std::nullopt);
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            const std::string name = entry.path().filename().string();
            if (entry.is_regular_file() && !detail::isTemporaryName(name))
                files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& p : files) {
            const std::string name = p.filename().string();
            if (endsWith(name, ".report.json")) {
                RunReport r = runReportFromJson(readText(p), p.string());
                ++seen[r.input];
                runs.push_back(std::move(r));
            } else if (name.rfind("gpu_report", 0) == 0 && endsWith(name, ".json")) {
                GpuTelemetry t = gpuTelemetryFromJson(readText(p), p.string());
                if (t.available) {
                    gpu.available = true;
                    if (gpu.driverVersion.empty())
                        gpu.driverVersion = t.driverVersion;
                    gpu.sampleIntervalSeconds = std::max(gpu.sampleIntervalSeconds, t.sampleIntervalSeconds);
                    for (const auto& d : t.devices) {
                        const bool known = std::any_of(gpu.devices.begin(), gpu.devices.end(),
                                                       [&](const GpuDeviceInfo& g) { return g.index == d.index; });
                        if (!known)
                            gpu.devices.push_back(d);
                    }
                    gpu.samples.insert(gpu.samples.end(), t.samples.begin(), t.samples.end());
                } else if (!t.unavailableReason.empty()) {
                    reasons.push_back(t.unavailableReason);
                }
            }
        }
    }
    if (!gpu.available)
        gpu.unavailableReason = reasons.empty() ? "no GPU report found in the merged folders" : reasons.front();

    // Wall time of the merged batch: from the earliest start to the latest end over all runs.
    double first = 0, last = 0;
    bool any = false;
    for (const auto& r : runs) {
        const double start = detail::parseIsoTimestamp(r.startedAt);
        if (start < 0)
            continue;
        if (!any || start < first)
            first = start;
        if (!any || start + r.totalSeconds > last)
            last = start + r.totalSeconds;
        any = true;
    }
    MergedReports out;
    out.runs = int(runs.size());
    for (const auto& [input, count] : seen)
        if (count > 1)
            out.duplicates.push_back(input);
    out.performanceJson = performanceReportJson(runs, any ? last - first : 0.0, &gpu);
    out.gpuJson = gpuReportJson(gpu);
    return out;
}

} // namespace orfeas
