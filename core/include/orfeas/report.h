#pragma once
// Reports from measurements: one RunReport per job; per batch a performance report and a GPU report.
// Field names follow the profiling report that started the project where they fit; docs/reports.md has the schema.

#include "orfeas/profiler.h"
#include "orfeas/settings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orfeas {

struct RunReport {
    std::string input;            // input path (or a name for in-memory images)
    std::string status;           // "done", "failed", "cancelled", "skipped"
    std::string errorKind;        // errorKindName() when failed
    std::string errorMessage;
    std::string errorStage;
    std::string backend;
    std::string model;            // model description for neural runs
    JobSettings settings;
    double totalSeconds = 0;
    std::vector<TimingRecord> timings; // stages and sub-stages
    std::int64_t vertices = 0, faces = 0;
    std::int64_t pointsEvaluated = 0;
    double peakGpuMemoryMB = -1;  // -1: not measured
    std::vector<std::string> outputs;
    std::vector<std::string> warnings;
    std::string startedAt;        // ISO 8601 UTC
    std::string host;             // machine name (render farms)
};

// JSON (pretty-printed, stable key order). Thread-safe.
std::string runReportToJson(const RunReport& report);
// Parses a report written by runReportToJson (used by `orfeas report merge`). Throws BadInputError.
RunReport runReportFromJson(const std::string& json, const std::string& pathForErrors = {});

struct GpuSample {
    double t = 0;                 // seconds since the monitor started
    int device = 0;
    double utilizationPercent = 0;
    double memoryUtilizationPercent = 0;
    double memoryUsedMB = 0, memoryTotalMB = 0;
    double temperatureC = -1;     // -1 if the device does not report it
    double powerW = -1;
};

struct GpuDeviceInfo {
    int index = 0;
    std::string name;
    double memoryTotalMB = 0;
};

// What a GPU monitor saw during a batch.
struct GpuTelemetry {
    bool available = false;       // NVML found and at least one device
    std::string unavailableReason; // e.g. "libnvidia-ml.so.1 not found: no NVIDIA driver on this machine"
    std::string driverVersion;
    std::vector<GpuDeviceInfo> devices;
    std::vector<GpuSample> samples;
    double sampleIntervalSeconds = 0;
};

// Batch reports (JSON strings). `wallSeconds` is the batch's wall time (for throughput); `gpu`, when given, feeds
// the recommendations (e.g. an idle GPU). Thread-safe.
std::string performanceReportJson(const std::vector<RunReport>& runs, double wallSeconds,
                                  const GpuTelemetry* gpu = nullptr);
std::string gpuReportJson(const GpuTelemetry& telemetry);
// Reads a gpu_report.json back (for merging shards). Throws BadInputError.
GpuTelemetry gpuTelemetryFromJson(const std::string& json, const std::string& pathForErrors = {});

// Writes a report file atomically, replacing an earlier report of the same name (reports are ours, not the user's
// models). Throws ExportError.
void writeReportFile(const std::string& path, const std::string& text);

// Current time as ISO 8601 UTC ("2026-11-27T13:19:44Z"). Thread-safe.
std::string isoTimestampUtc();

// Merges several batch folders' reports (per-run reports + gpu reports) into one batch report
// (for render-farm shards). Throws BadInputError for unreadable reports.
struct MergedReports {
    std::string performanceJson;
    std::string gpuJson;
    int runs = 0;
    std::vector<std::string> duplicates; // inputs reported by more than one shard
};
MergedReports mergeReportFolders(const std::vector<std::string>& folders);

} // namespace orfeas
