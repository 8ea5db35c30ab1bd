#pragma once
// The command line of orfeas-bench. Setting options have the names of `orfeas generate`'s.

#include "orfeas/settings.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace orfeas::bench {

// One measured configuration: settings, how many images (after how many warm-up runs), how many at once.
struct BenchCase {
    std::string name = "default";
    JobSettings settings;
    int images = 0;         // measured images; 0: one per input file
    int warmup = 1;         // warm-up runs before the measured ones (not measured; the first loads the model)
    int jobs = 1;           // jobs run at once (JobQueue workers)
    std::string gpus;       // "0,1": one worker per listed GPU, jobs assigned round-robin
};

struct BenchOptions {
    std::vector<std::string> inputs; // images or folders; empty: the bundled samples
    bool recursive = false;
    BenchCase base;                  // the settings given outside --case
    std::vector<BenchCase> cases;    // --case entries (base settings plus their own); empty: just `base`
    std::string jsonPath;            // --json FILE ("-": stdout, the table then goes to stderr)
    std::string outDir;              // where models are written; empty: a temporary folder, removed at the end
    bool noExport = false;           // run without writing models (mesh only)
    bool keepOutputs = false;        // keep the temporary folder
    double gpuInterval = 0.1;        // NVML sampling interval in seconds
    bool verbose = false;            // print the engine's log lines
    std::string commandLine;         // argv joined, for the report

    // The cases to run: `cases`, or `base` alone.
    std::vector<BenchCase> effectiveCases() const { return cases.empty() ? std::vector<BenchCase>{base} : cases; }
};

// Parses argv. Returns the options, or the exit status when the program should stop (help/version: 0; usage or
// configuration error: 2, with the message written to err). A --case value is "NAME: OPTIONS...": the base
// settings with OPTIONS (any of the setting, --images, --warmup, --jobs, --gpus options) applied on top.
struct ParseResult {
    std::optional<BenchOptions> options;
    int exitCode = 0;
};
ParseResult parseBenchCommandLine(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// The bundled sample images (vase, mushroom, duck): $ORFEAS_SAMPLES_DIR, the installed share/orfeas/samples next to
// the program, or the source tree's resources/samples. Empty if none is found.
std::vector<std::string> bundledSamples();

} // namespace orfeas::bench
