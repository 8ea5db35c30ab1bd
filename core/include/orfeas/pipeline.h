#pragma once
// The one path that runs a job: image -> preprocessing -> shape -> surface -> post-process -> texture -> export.
// The CLI, the GUI and the benchmark all call runJob (through JobQueue); none has its own implementation.

#include "orfeas/report.h"
#include "orfeas/run_context.h"
#include "orfeas/settings.h"
#include "orfeas/shape_backend.h"
#include "orfeas/types.h"

#include <optional>
#include <string>
#include <vector>

namespace orfeas {

struct JobRequest {
    std::string inputPath;               // image file; or empty when `image` is given
    std::optional<ImageRGBA8> image;     // in-memory image (clipboard); `inputName` names it
    std::string inputName;               // display name; defaults to the file name
    JobSettings settings;
    std::string outputDir;               // empty: run without exporting (mesh only)
    std::string outputStem;              // file stem; defaults to the input's stem
    bool overwrite = false;
    bool writeRunReport = true;          // <outputDir>/<stem>.report.json
    bool keepIntermediates = false;      // fill JobResult::preprocessed / volume for the GUI
};

struct JobResult {
    Mesh mesh;
    RunReport report;
    std::vector<std::string> outputs;
    std::optional<PreprocessedImage> preprocessed; // with keepIntermediates
    ImageRGBA8 inputImage;                          // with keepIntermediates
};

// Runs one job on the calling thread. Throws orfeas::Error (CancelledError when ctx is cancelled) after
// removing anything it had started to write; the report of a failed run is attached by the caller (JobQueue).
// Thread-safe: several jobs may run at once on different threads.
JobResult runJob(const JobRequest& request, RunContext& ctx);

// The final paths a request would write (models + report), for skip-existing checks and overwrite prompts.
std::vector<std::string> plannedOutputs(const JobRequest& request);

// What is already on disk for a request. While a run moves its finished files into place it keeps a hidden marker
// (".<stem>.orfeas-writing") in the output folder, so a run killed in that window is recognised later.
enum class OutputState {
    Missing,     // none of the planned files exists
    Complete,    // every model file exists (non-empty) and, if requested, the report too
    Interrupted, // files of ours from a run that was killed while moving them into place: safe to replace
    Foreign,     // some planned files exist that no finished or interrupted run of ours accounts for
};
OutputState outputState(const JobRequest& request);
// outputState(request) == OutputState::Complete.
bool outputsComplete(const JobRequest& request);
// A run killed after its report was renamed into place but before it removed its marker leaves complete outputs
// and a stale marker. When the outputs are complete, removes such a marker; returns whether there was one.
bool removeStaleWritingMarker(const JobRequest& request);

} // namespace orfeas
