#pragma once
// Turns the runs of a benchmark case into the JSON of docs/benchmarks.md ("orfeas.bench/1") and into text tables.

#include "bench_run.h"

#include "orfeas/model_config.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace orfeas::bench {

// The model folder a neural case uses and its configuration (for the FLOP counts).
struct ModelInfo {
    std::string path;     // folder holding config.yaml
    std::string variant;  // folder name
    std::optional<HunyuanModelConfig> config;
    std::string error;    // why there is no configuration
};
// Resolves settings.modelPath as the backend does (resolveModelFolder) and reads its config.yaml. Never throws.
ModelInfo modelInfoFor(const JobSettings& settings);

// One case. `model` is used when the runs used the hunyuan3d backend.
nlohmann::ordered_json caseToJson(const CaseRun& run, const ModelInfo& model);
// The cold start of the process (from its first successful run), or null if no run succeeded.
nlohmann::ordered_json coldStartJson(const ProcessClock& clock);

// Human-readable tables, built from the JSON above.
std::string caseTable(const nlohmann::ordered_json& caseJson);
std::string summaryTable(const nlohmann::ordered_json& benchJson);

} // namespace orfeas::bench
