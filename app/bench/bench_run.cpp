#include "bench_run.h"

#include "bench_machine.h"

#include "orfeas/errors.h"
#include "orfeas/gpu_monitor.h"
#include "orfeas/job_queue.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace orfeas::bench {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onStopSignal(int)
{
    g_stop.store(true);
}

} // namespace

void requestStop() noexcept
{
    g_stop.store(true);
}

bool stopRequested() noexcept
{
    return g_stop.load();
}

void installStopHandlers()
{
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

ProcessClock::ProcessClock()
    : m_main(std::chrono::steady_clock::now())
    , m_startToMain(processAgeSeconds())
{
}

double ProcessClock::sinceMain() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_main).count();
}

void ProcessClock::noteDone(const std::string& caseName, const RunReport& report)
{
    const double t = sinceMain();
    const double unix = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::lock_guard lock(m_mutex);
    if (m_first)
        return;
    FirstOutput f;
    f.sinceMain = t;
    f.unixTime = unix;
    f.caseName = caseName;
    f.output = report.outputs.empty() ? std::string() : report.outputs.front();
    f.report = report;
    m_first = std::move(f);
}

std::optional<ProcessClock::FirstOutput> ProcessClock::firstOutput() const
{
    std::lock_guard lock(m_mutex);
    return m_first;
}

namespace {

std::vector<std::string> splitGpus(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

std::string fmtSeconds(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", s);
    return buf;
}

// Submits `count` jobs (inputs repeated) and waits for them; reports in completion order.
std::vector<RunReport> runBatch(const BenchCase& c, const std::vector<std::string>& inputs, int count,
                                const std::string& prefix, const std::string& outDir, ProcessClock& clock,
                                Printer& printer, const std::string& phase)
{
    std::vector<RunReport> reports;
    if (count <= 0)
        return reports;
    const std::vector<std::string> gpus = splitGpus(c.gpus);
    const int workers =
        gpus.empty() ? c.jobs : int(gpus.size()) * std::max(1, c.jobs / int(gpus.size()));
    std::mutex reportsMutex;
    int finished = 0;
    {
        JobQueue queue(workers);
        queue.setEventCallback([&](const JobEvent& e) {
            if (e.type != JobEvent::Type::Log)
                return;
            std::lock_guard lock(printer.mutex);
            if (printer.verbose) {
                printer.out << "    [" << logLevelName(e.logLevel) << "] " << e.text << "\n";
            } else if (e.logLevel >= LogLevel::Warning
                       && std::find(printer.seen.begin(), printer.seen.end(), e.text) == printer.seen.end()) {
                printer.seen.push_back(e.text);
                printer.out << "    [" << logLevelName(e.logLevel) << "] " << e.text << "\n";
            }
        });
        queue.setResultCallback([&](JobId, JobResult&& result) {
            RunReport report = std::move(result.report);
            if (report.status == "done")
                clock.noteDone(c.name, report);
            std::lock_guard lock(reportsMutex);
            ++finished;
            {
                std::lock_guard plock(printer.mutex);
                printer.out << "  [" << c.name << "] " << phase << " " << finished << "/" << count << " "
                            << fs::path(report.input).filename().string() << ": " << report.status << ", "
                            << fmtSeconds(report.totalSeconds);
                if (report.status != "done")
                    printer.out << " (" << report.errorMessage << ")";
                printer.out << "\n";
                printer.out.flush();
            }
            reports.push_back(std::move(report));
        });
        for (int i = 0; i < count; ++i) {
            const std::string& input = inputs[std::size_t(i) % inputs.size()];
            JobRequest r;
            r.inputPath = input;
            char index[16];
            std::snprintf(index, sizeof index, "%03d", i);
            r.outputStem = prefix + index + "-" + fs::path(input).stem().string();
            r.outputDir = outDir;
            r.settings = c.settings;
            if (!gpus.empty())
                r.settings.device = "cuda:" + gpus[std::size_t(i) % gpus.size()];
            r.overwrite = true; // the bench's own folder
            queue.submit(std::move(r));
        }
        // Cancels the batch on a stop request; the pipeline notices between stages, steps and chunks.
        std::atomic<bool> batchDone{false};
        std::thread watcher([&] {
            while (!batchDone.load()) {
                if (stopRequested()) {
                    queue.cancelAll();
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });
        queue.waitAll();
        batchDone.store(true);
        watcher.join();
    }
    return reports;
}

} // namespace

CaseRun runCase(const BenchCase& c, const std::vector<std::string>& inputFiles, const std::string& outRoot,
                double gpuInterval, ProcessClock& clock, Printer& printer)
{
    CaseRun run;
    run.config = c;
    run.inputs = inputFiles;
    if (run.config.images <= 0)
        run.config.images = int(inputFiles.size());
    if (!outRoot.empty()) {
        run.outputDir = (fs::path(outRoot) / c.name).string();
        std::error_code ec;
        fs::create_directories(run.outputDir, ec);
        if (!fs::is_directory(run.outputDir))
            throw ExportError("cannot create the output folder: " + ec.message(), run.outputDir);
    }

    run.warmups = runBatch(run.config, inputFiles, run.config.warmup, "w", run.outputDir, clock, printer, "warm-up");
    if (stopRequested()) {
        run.interrupted = true;
        return run;
    }

    GpuMonitor monitor;
    monitor.start(gpuInterval);
    const auto t0 = std::chrono::steady_clock::now();
    run.measured = runBatch(run.config, inputFiles, run.config.images, "i", run.outputDir, clock, printer, "image");
    run.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    monitor.stop();
    run.telemetry = monitor.telemetry();
    run.interrupted = stopRequested();
    return run;
}

} // namespace orfeas::bench
