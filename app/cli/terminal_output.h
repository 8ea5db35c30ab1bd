#pragma once
// How a batch shows itself: live per-stage progress bars on a terminal, plain lines in a log file, or one JSON
// object per line (--json) for schedulers and scripts. Called from worker threads: implementations lock.

#include "orfeas/job_queue.h"
#include "orfeas/report.h"

#include <iosfwd>
#include <memory>
#include <string>

namespace orfeas::cli {

struct BatchSummary {
    int total = 0, done = 0, failed = 0, cancelled = 0, skipped = 0;
    double wallSeconds = 0;
    std::string outputDir;
    std::vector<std::string> reportFiles;
    bool interrupted = false;
};

class BatchOutput {
public:
    virtual ~BatchOutput() = default;
    virtual void batchStarted(int toRun, int skipped, const std::string& shardText) = 0;
    virtual void skipped(const std::string& input, const std::vector<std::string>& existing) = 0;
    virtual void jobEvent(const JobEvent& event) = 0;
    virtual void jobFinished(JobId id, const RunReport& report) = 0;
    virtual void message(LogLevel level, const std::string& text) = 0;
    virtual void batchFinished(const BatchSummary& summary) = 0;
};

// Human output: progress bars when `out` is a terminal (redrawn in place), plain lines otherwise.
std::unique_ptr<BatchOutput> makeHumanOutput(std::ostream& out, std::ostream& err, bool terminal, bool verbose);
// JSON lines on `out` (one object per event; progress throttled to 10 per second per job).
std::unique_ptr<BatchOutput> makeJsonOutput(std::ostream& out);

} // namespace orfeas::cli
