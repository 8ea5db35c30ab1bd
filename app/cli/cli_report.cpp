// `orfeas report merge`: combines the reports of several shard folders into one batch report.

#include "cli_commands.h"
#include "cli_info.h"

#include "orfeas/errors.h"
#include "orfeas/report.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <ostream>

namespace fs = std::filesystem;

namespace orfeas::cli {

int runReportMerge(const std::vector<std::string>& folders, const std::string& outputDir, bool json, std::ostream& out,
                   std::ostream& err)
{
    try {
        const MergedReports merged = mergeReportFolders(folders);
        std::error_code ec;
        fs::create_directories(outputDir, ec);
        if (!fs::is_directory(outputDir))
            throw ConfigError("cannot create folder '" + outputDir + "'");
        const std::string perf = (fs::path(outputDir) / "performance_report.json").string();
        const std::string gpu = (fs::path(outputDir) / "gpu_report.json").string();
        writeReportFile(perf, merged.performanceJson);
        writeReportFile(gpu, merged.gpuJson);
        if (json) {
            out << nlohmann::json{{"event", "merged"}, {"runs", merged.runs}, {"duplicates", merged.duplicates},
                                  {"reports", {perf, gpu}}}
                       .dump()
                << "\n";
        } else {
            out << "merged " << merged.runs << " run reports from " << folders.size() << " folder(s)\n";
            for (const auto& d : merged.duplicates)
                out << "warning: " << d << " was reported by more than one shard\n";
            out << "report: " << perf << "\nreport: " << gpu << "\n";
        }
        return kExitOk;
    } catch (const ConfigError& e) {
        err << "orfeas: " << e.what() << "\n";
        return kExitUsage;
    } catch (const Error& e) {
        err << "orfeas: " << e.what() << "\n";
        return kExitUsage;
    }
}

} // namespace orfeas::cli
