#pragma once
// Runs one benchmark case through the engine's JobQueue (the same runJob path as `orfeas generate`): warm-up runs
// first, then the measured batch with NVML sampling.

#include "bench_options.h"

#include "orfeas/report.h"

#include <chrono>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace orfeas::bench {

// The process's clock and its first finished output (the cold start). Thread-safe.
class ProcessClock {
public:
    ProcessClock();
    // Seconds since main() began.
    double sinceMain() const;
    // Seconds from process start (kernel) to main(); nullopt where /proc is unavailable.
    std::optional<double> startToMain() const { return m_startToMain; }

    struct FirstOutput {
        double sinceMain = 0;     // seconds after main() began
        double unixTime = 0;      // wall-clock time (seconds since 1970) when it was done
        std::string caseName;
        std::string output;       // first file written, empty without export
        RunReport report;
    };
    // Records the first successful run (later calls are ignored).
    void noteDone(const std::string& caseName, const RunReport& report);
    std::optional<FirstOutput> firstOutput() const;

private:
    std::chrono::steady_clock::time_point m_main;
    std::optional<double> m_startToMain;
    mutable std::mutex m_mutex;
    std::optional<FirstOutput> m_first;
};

// Where progress lines go; serialises the workers' callbacks.
struct Printer {
    std::ostream& out;
    bool verbose = false;
    std::mutex mutex;
    std::vector<std::string> seen; // warnings already printed
};

struct CaseRun {
    BenchCase config;
    std::vector<std::string> inputs;    // the distinct input files
    std::vector<RunReport> warmups;     // in completion order
    std::vector<RunReport> measured;    // in completion order
    double wallSeconds = 0;             // the measured batch: first submission to last completion
    GpuTelemetry telemetry;             // NVML samples during the measured batch
    std::string outputDir;              // empty without export
    bool interrupted = false;           // a stop request cut the case short
};

// A stop request (SIGINT/SIGTERM, e.g. from `timeout`): running and queued jobs are cancelled, the case ends with
// what finished, and no further case starts. Async-signal-safe.
void requestStop() noexcept;
bool stopRequested() noexcept;
// Installs SIGINT and SIGTERM handlers that call requestStop().
void installStopHandlers();

// Runs `c` on `inputFiles` (repeated to c.images). Models go to <outRoot>/<case name>/ (none if outRoot is empty).
// Never throws for a failed run (it is in the reports); throws orfeas::Error if the output folder cannot be made.
CaseRun runCase(const BenchCase& c, const std::vector<std::string>& inputFiles, const std::string& outRoot,
                double gpuInterval, ProcessClock& clock, Printer& printer);

} // namespace orfeas::bench
