// `orfeas generate`: plans the batch (folders, collisions, shard, finished outputs), runs it through the JobQueue,
// shows progress, and writes the batch reports.

#include "cli_generate.h"

#include "cli_commands.h"
#include "interrupt.h"
#include "terminal_output.h"

#include "orfeas/batch.h"
#include "orfeas/errors.h"
#include "orfeas/gpu_monitor.h"
#include "orfeas/job_queue.h"
#include "orfeas/report.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>


namespace fs = std::filesystem;

namespace orfeas::cli {

namespace {

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

} // namespace

int runGenerate(const GenerateOptions& opt, std::ostream& out, std::ostream& err, bool terminal)
{
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<BatchOutput> view =
        opt.json ? makeJsonOutput(out) : makeHumanOutput(out, err, terminal, opt.verbose);

    // --- configuration errors: exit 2 before any work
    std::vector<BatchItem> items;
    ShardSpec shard;
    std::vector<std::string> gpuList;
    try {
        opt.settings.validate();
        if (opt.jobs < 1 || opt.jobs > 256)
            throw ConfigError("--jobs must be between 1 and 256");
        if (opt.outputDir.empty())
            throw ConfigError("no output folder given (-o <folder>)");
        std::error_code ec;
        fs::create_directories(opt.outputDir, ec);
        if (!fs::is_directory(opt.outputDir))
            throw ConfigError("cannot create output folder '" + opt.outputDir + "': " + ec.message());
        if (!opt.reportDir.empty()) {
            fs::create_directories(opt.reportDir, ec);
            if (!fs::is_directory(opt.reportDir))
                throw ConfigError("cannot create report folder '" + opt.reportDir + "': " + ec.message());
        }
        if (opt.inputs.empty())
            throw ConfigError("no input image or folder given");
        items = planBatch(opt.inputs, opt.recursive);
        shard = parseShard(opt.shard);
        items = selectShard(items, shard.index, shard.count);
        gpuList = splitList(opt.gpus);
        for (const auto& g : gpuList)
            if (g.find_first_not_of("0123456789") != std::string::npos)
                throw ConfigError("--gpus expects a comma list of device indices, e.g. 0,1 (got '" + opt.gpus + "')");
    } catch (const Error& e) {
        view->message(LogLevel::Error, std::string("orfeas: ") + e.what());
        return kExitUsage;
    }

    // --- plan: skip what is complete; refuse to touch partial results without --overwrite
    std::vector<JobRequest> requests;
    std::vector<RunReport> reports;
    int skippedCount = 0;
    for (const auto& item : items) {
        JobRequest r;
        r.inputPath = item.inputPath;
        r.outputStem = item.outputStem;
        r.outputDir = opt.outputDir;
        r.settings = opt.settings;
        r.overwrite = opt.overwrite;
        const OutputState state = opt.overwrite ? OutputState::Missing : outputState(r);
        if (state == OutputState::Complete) {
            removeStaleWritingMarker(r);
            ++skippedCount;
            view->skipped(item.inputPath, plannedOutputs(r));
            RunReport rep;
            rep.input = item.inputPath;
            rep.status = "skipped";
            rep.settings = opt.settings;
            reports.push_back(rep);
            continue;
        }
        if (state == OutputState::Interrupted) {
            // An earlier run of ours was killed while moving its files into place (SIGKILL, node failure): its
            // marker says the files are ours, so this run replaces them.
            view->message(LogLevel::Warning,
                          "orfeas: " + item.inputPath + ": finishing a run that was interrupted while writing");
            r.overwrite = true;
        }
        // OutputState::Foreign: runJob refuses with a clear message (use --overwrite), nothing is touched.
        requests.push_back(std::move(r));
    }
    // One worker per GPU when GPUs are listed: jobs are assigned round-robin.
    const int workers = gpuList.empty() ? opt.jobs : int(gpuList.size()) * std::max(1, opt.jobs / int(gpuList.size()));
    if (!gpuList.empty())
        for (std::size_t i = 0; i < requests.size(); ++i)
            requests[i].settings.device = "cuda:" + gpuList[i % gpuList.size()];

    const std::string shardText =
        shard.count > 1 ? std::to_string(shard.index) + "/" + std::to_string(shard.count) + " (" + shard.source + ")" : "";
    view->batchStarted(int(requests.size()), skippedCount, shardText);

    GpuMonitor monitor;
    if (!requests.empty())
        monitor.start(opt.gpuSampleInterval);

    std::mutex reportsMutex;
    BatchSummary summary;
    summary.total = int(items.size());
    summary.skipped = skippedCount;
    summary.outputDir = fs::absolute(opt.outputDir).lexically_normal().string();
    {
        JobQueue queue(workers);
        queue.setEventCallback([&](const JobEvent& e) { view->jobEvent(e); });
        queue.setResultCallback([&](JobId id, JobResult&& result) {
            view->jobFinished(id, result.report);
            std::lock_guard lock(reportsMutex);
            reports.push_back(std::move(result.report));
        });
        InterruptWatcher watcher([&] {
            view->message(LogLevel::Warning, "orfeas: interrupted, cancelling (press Ctrl-C again to quit at once)");
            queue.cancelAll();
        });
        for (auto& r : requests)
            queue.submit(std::move(r));
        queue.waitAll();
        summary.interrupted = watcher.interrupted();
    }
    monitor.stop();
    summary.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& r : reports) {
        if (r.status == "done")
            ++summary.done;
        else if (r.status == "failed")
            ++summary.failed;
        else if (r.status == "cancelled")
            ++summary.cancelled;
    }

    // --- batch reports (only when something ran: a re-run that skipped everything keeps the earlier reports)
    if (!opt.noReports && !requests.empty()) {
        const std::string dir = opt.reportDir.empty() ? opt.outputDir : opt.reportDir;
        const std::string suffix =
            shard.count > 1 ? ".shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) : "";
        const GpuTelemetry telemetry = monitor.telemetry();
        try {
            const std::string perf = (fs::path(dir) / ("performance_report" + suffix + ".json")).string();
            const std::string gpu = (fs::path(dir) / ("gpu_report" + suffix + ".json")).string();
            writeReportFile(perf, performanceReportJson(reports, summary.wallSeconds, &telemetry));
            writeReportFile(gpu, gpuReportJson(telemetry));
            summary.reportFiles = {fs::absolute(perf).lexically_normal().string(),
                                   fs::absolute(gpu).lexically_normal().string()};
        } catch (const Error& e) {
            view->message(LogLevel::Error, std::string("orfeas: ") + e.what());
        }
    }
    view->batchFinished(summary);
    if (summary.interrupted)
        return kExitInterrupted;
    return summary.failed > 0 || summary.cancelled > 0 ? kExitSomeFailed : kExitOk;
}

} // namespace orfeas::cli
