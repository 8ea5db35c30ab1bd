#include "bench_report.h"

#include "bench_flops.h"
#include "bench_stats.h"

#include "orfeas/errors.h"
#include "orfeas/models.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace orfeas::bench {

namespace {

constexpr const char* kDiffusion = "shape_generation/diffusion_sampling";
constexpr const char* kVolume = "shape_generation/volume_decoding";
constexpr const char* kModelLoading = "shape_generation/model_loading";

Json summaryJson(const std::vector<double>& values)
{
    if (values.empty())
        return nullptr;
    const Summary s = summarize(values);
    return Json{{"count", s.count}, {"min", s.min}, {"median", s.median}, {"p95", s.p95}, {"mean", s.mean},
                {"max", s.max}};
}

const TimingRecord* findRecord(const RunReport& r, const std::string& path)
{
    for (const auto& t : r.timings)
        if (t.path == path)
            return &t;
    return nullptr;
}

Json settingsJson(const BenchCase& c, bool exporting)
{
    const JobSettings& s = c.settings;
    Json formats = Json::array();
    for (auto f : s.formats)
        formats.push_back(std::string(formatExtension(f)));
    return Json{{"backend", std::string(backendName(s.backend))},
                {"model", s.modelPath},
                {"device", s.device},
                {"precision", std::string(precisionName(s.precision))},
                {"steps", s.steps},
                {"guidance", s.guidance},
                {"octree", s.octreeResolution},
                {"chunk", s.chunkSize},
                {"decoder", std::string(decoderModeName(s.decoder))},
                {"low_vram", s.lowVram},
                {"seed", s.seed},
                {"resolution", s.resolution},
                {"faces", s.faceBudget},
                {"texture_size", s.textureSize},
                {"formats", formats},
                {"export", exporting},
                {"images", c.images},
                {"warmup", c.warmup},
                {"jobs", c.jobs},
                {"gpus", c.gpus}};
}

// Per-image rates work / seconds, where seconds is the GPU time of `path` (gpu) or its wall time.
std::vector<double> rates(const std::vector<const RunReport*>& runs, const std::string& path, bool gpu,
                          const std::function<double(const RunReport&)>& work)
{
    std::vector<double> out;
    for (const RunReport* r : runs) {
        const TimingRecord* t = findRecord(*r, path);
        if (!t)
            continue;
        const double s = gpu ? t->gpuSeconds : t->seconds;
        if (s > 0 && work(*r) > 0)
            out.push_back(work(*r) / s);
    }
    return out;
}

std::vector<double> stageSeconds(const std::vector<const RunReport*>& runs, const std::string& path, bool gpu)
{
    std::vector<double> out;
    for (const RunReport* r : runs)
        if (const TimingRecord* t = findRecord(*r, path)) {
            const double s = gpu ? t->gpuSeconds : t->seconds;
            if (!gpu || s >= 0)
                out.push_back(s);
        }
    return out;
}

Json medianOrNull(const std::vector<double>& v)
{
    return v.empty() ? Json(nullptr) : Json(percentile(v, 50));
}

Json denoiserJson(const std::vector<const RunReport*>& runs, const BenchCase& c, const ModelInfo& model)
{
    const HunyuanModelConfig& cfg = *model.config;
    const DenoiserFlops f = denoiserFlops(cfg, c.settings.steps, c.settings.guidance);
    const auto work = [&](const RunReport&) { return f.perImage; };
    const std::vector<double> gpuRates = rates(runs, kDiffusion, true, work);
    const std::vector<double> wallRates = rates(runs, kDiffusion, false, work);
    std::vector<double> tflopsGpu, tflopsWall;
    for (double r : gpuRates)
        tflopsGpu.push_back(r / 1e12);
    for (double r : wallRates)
        tflopsWall.push_back(r / 1e12);
    const bool gpuBasis = !tflopsGpu.empty();
    const std::vector<double> secs = stageSeconds(runs, kDiffusion, gpuBasis);
    Json j;
    j["model"] = model.path;
    j["config"] = {{"hidden_size", cfg.dit.hiddenSize},
                   {"mlp_hidden", cfg.dit.mlpHiddenDim()},
                   {"heads", cfg.dit.numHeads},
                   {"double_blocks", cfg.dit.depth},
                   {"single_blocks", cfg.dit.depthSingleBlocks},
                   {"latent_tokens", f.latentTokens},
                   {"condition_tokens", f.conditionTokens},
                   {"guidance_embed", cfg.dit.guidanceEmbed}};
    j["steps"] = f.steps;
    j["cfg_batch"] = f.batch;
    j["tflop_per_forward_sample"] = f.perSample / 1e12;
    j["attention_share"] = f.attentionPerSample / f.perSample;
    j["tflop_per_step"] = f.perStep / 1e12;
    j["tflop_per_image"] = f.perImage / 1e12;
    j["seconds_wall"] = summaryJson(stageSeconds(runs, kDiffusion, false));
    j["seconds_gpu"] = summaryJson(stageSeconds(runs, kDiffusion, true));
    j["tflops_wall"] = summaryJson(tflopsWall);
    j["tflops_gpu"] = summaryJson(tflopsGpu);
    j["basis"] = gpuBasis ? "gpu_events" : "wall";
    j["achieved_tflops"] = medianOrNull(gpuBasis ? tflopsGpu : tflopsWall);
    j["seconds_per_step"] = secs.empty() ? Json(nullptr) : Json(percentile(secs, 50) / f.steps);
    return j;
}

Json decodingJson(const std::vector<const RunReport*>& runs, const BenchCase& c, const ModelInfo& model)
{
    const double n = c.settings.octreeResolution + 1;
    const double dense = n * n * n;
    std::vector<double> points;
    for (const RunReport* r : runs)
        if (r->pointsEvaluated > 0)
            points.push_back(double(r->pointsEvaluated));
    Json j;
    j["points_evaluated"] = summaryJson(points);
    j["dense_points"] = dense;
    j["fraction_of_dense"] = points.empty() ? Json(nullptr) : Json(percentile(points, 50) / dense);
    j["seconds_wall"] = summaryJson(stageSeconds(runs, kVolume, false));
    j["seconds_gpu"] = summaryJson(stageSeconds(runs, kVolume, true));
    const auto pts = [](const RunReport& r) { return double(r.pointsEvaluated); };
    std::vector<double> ppsGpu = rates(runs, kVolume, true, pts), ppsWall = rates(runs, kVolume, false, pts);
    const bool gpuBasis = !ppsGpu.empty();
    const std::vector<double>& pps = gpuBasis ? ppsGpu : ppsWall;
    j["basis"] = gpuBasis ? "gpu_events" : "wall";
    j["points_per_second"] = medianOrNull(pps);
    if (model.config) {
        const DecoderFlops f = geometryDecoderFlops(model.config->vae);
        j["mflop_per_point"] = f.perPoint / 1e6;
        j["gflop_per_shape"] = f.perShape / 1e9;
        j["achieved_tflops"] = pps.empty() ? Json(nullptr) : Json(percentile(pps, 50) * f.perPoint / 1e12);
    }
    return j;
}

Json gpuUtilisationJson(const GpuTelemetry& t)
{
    Json j;
    j["available"] = t.available;
    if (!t.available) {
        j["reason"] = t.unavailableReason;
        return j;
    }
    j["sample_interval_seconds"] = t.sampleIntervalSeconds;
    j["samples"] = t.samples.size();
    j["devices"] = Json::array();
    for (const auto& d : t.devices) {
        std::vector<double> util, mem, power;
        for (const auto& s : t.samples) {
            if (s.device != d.index)
                continue;
            util.push_back(s.utilizationPercent);
            mem.push_back(s.memoryUsedMB);
            if (s.powerW >= 0)
                power.push_back(s.powerW);
        }
        j["devices"].push_back({{"index", d.index},
                                {"name", d.name},
                                {"utilization_percent", summaryJson(util)},
                                {"memory_used_mb_max", mem.empty() ? Json(nullptr) : Json(summarize(mem).max)},
                                {"power_w_mean", power.empty() ? Json(nullptr) : Json(summarize(power).mean)}});
    }
    return j;
}

Json runJson(const RunReport& r)
{
    Json stages = Json::object();
    for (const auto& t : r.timings) {
        Json s{{"seconds", t.seconds}};
        if (t.gpuSeconds >= 0)
            s["gpu_seconds"] = t.gpuSeconds;
        stages[t.path] = s;
    }
    Json j{{"input", r.input}, {"status", r.status}, {"total_seconds", r.totalSeconds}};
    if (r.status != "done") {
        j["error_kind"] = r.errorKind;
        j["error_stage"] = r.errorStage;
        j["error"] = r.errorMessage;
    }
    j["faces"] = r.faces;
    j["points_evaluated"] = r.pointsEvaluated;
    j["peak_gpu_memory_mb"] = r.peakGpuMemoryMB >= 0 ? Json(r.peakGpuMemoryMB) : Json(nullptr);
    j["stages"] = stages;
    return j;
}

} // namespace

ModelInfo modelInfoFor(const JobSettings& settings)
{
    ModelInfo m;
    try {
        const ModelFolderInfo folder = resolveModelFolder(settings.modelPath);
        m.path = folder.path;
        m.variant = folder.variant;
        m.config = loadHunyuanModelConfig((fs::path(folder.path) / "config.yaml").string());
    } catch (const Error& e) {
        m.error = e.what();
    } catch (const std::exception& e) {
        m.error = e.what();
    }
    return m;
}

Json caseToJson(const CaseRun& run, const ModelInfo& model)
{
    const BenchCase& c = run.config;
    std::vector<const RunReport*> done;
    Json failures = Json::array();
    std::set<std::string> backends, models;
    std::vector<std::string> warnings;
    for (const auto& r : run.measured) {
        if (r.status == "done") {
            done.push_back(&r);
            backends.insert(r.backend);
            if (!r.model.empty())
                models.insert(r.model);
            for (const auto& w : r.warnings)
                if (std::find(warnings.begin(), warnings.end(), w) == warnings.end())
                    warnings.push_back(w);
        } else {
            failures.push_back({{"input", r.input}, {"status", r.status}, {"error_kind", r.errorKind},
                                {"stage", r.errorStage}, {"message", r.errorMessage}});
        }
    }
    const std::string backend = backends.size() == 1 ? *backends.begin() : backends.empty() ? "" : "mixed";
    const bool neural = backend == "hunyuan3d";

    Json j;
    j["name"] = c.name;
    j["interrupted"] = run.interrupted;
    j["settings"] = settingsJson(c, !run.outputDir.empty());
    j["backend"] = backend;
    j["model"] = models.empty() ? Json(nullptr) : Json(*models.begin());
    j["model_folder"] = neural ? Json(model.path) : Json(nullptr);
    Json inputs = Json::array();
    for (const auto& in : run.inputs)
        inputs.push_back(in);
    std::size_t cancelled = 0;
    for (const auto& r : run.measured)
        cancelled += r.status == "cancelled" ? 1 : 0;
    j["images"] = {{"requested", c.images},
                   {"warmup", c.warmup},
                   {"succeeded", done.size()},
                   {"failed", run.measured.size() - done.size() - cancelled},
                   {"cancelled", cancelled},
                   {"inputs", inputs}};

    std::vector<double> totals;
    for (const RunReport* r : done)
        totals.push_back(r->totalSeconds);
    const double med = totals.empty() ? 0 : percentile(totals, 50);
    const double p95 = totals.empty() ? 0 : percentile(totals, 95);
    j["batch"] = {{"wall_seconds", run.wallSeconds},
                  {"images_per_minute", run.wallSeconds > 0 ? Json(60.0 * double(done.size()) / run.wallSeconds)
                                                            : Json(nullptr)},
                  {"per_image_seconds", summaryJson(totals)},
                  {"p95_over_median", med > 0 ? Json(p95 / med) : Json(nullptr)}};

    // Stages in order of first appearance over the measured runs, each followed by its sub-stages (the profiler
    // records a stage when it ends, after its sub-stages).
    std::vector<std::string> seen;
    for (const RunReport* r : done)
        for (const auto& t : r->timings)
            if (std::find(seen.begin(), seen.end(), t.path) == seen.end())
                seen.push_back(t.path);
    std::vector<std::string> paths;
    for (const auto& p : seen) {
        if (p.find('/') != std::string::npos)
            continue;
        paths.push_back(p);
        for (const auto& sub : seen)
            if (sub.rfind(p + "/", 0) == 0)
                paths.push_back(sub);
    }
    for (const auto& p : seen) // sub-stages of a stage that has no record of its own
        if (std::find(paths.begin(), paths.end(), p) == paths.end())
            paths.push_back(p);
    Json stages = Json::array();
    for (const auto& p : paths) {
        const std::vector<double> wall = stageSeconds(done, p, false);
        const std::vector<double> gpu = stageSeconds(done, p, true);
        stages.push_back({{"name", p},
                          {"count", wall.size()},
                          {"wall_seconds", summaryJson(wall)},
                          {"gpu_seconds", summaryJson(gpu)},
                          {"share_of_image", med > 0 && !wall.empty() ? Json(percentile(wall, 50) / med)
                                                                      : Json(nullptr)}});
    }
    j["stages"] = stages;

    if (neural && model.config)
        j["denoiser"] = denoiserJson(done, c, model);
    else
        j["denoiser"] = nullptr;
    if (neural && !model.config)
        j["denoiser_unavailable"] = model.error;
    j["decoding"] = neural ? decodingJson(done, c, model) : Json(nullptr);

    std::vector<double> peaks;
    for (const RunReport* r : done)
        if (r->peakGpuMemoryMB >= 0)
            peaks.push_back(r->peakGpuMemoryMB);
    j["peak_gpu_memory_mb"] = peaks.empty() ? Json(nullptr)
                                            : Json{{"max", summarize(peaks).max}, {"median", percentile(peaks, 50)}};
    j["gpu_utilization"] = gpuUtilisationJson(run.telemetry);

    std::vector<double> faces, vertices;
    for (const RunReport* r : done) {
        faces.push_back(double(r->faces));
        vertices.push_back(double(r->vertices));
    }
    j["mesh"] = {{"faces", summaryJson(faces)}, {"vertices", summaryJson(vertices)}};
    j["warnings"] = warnings;
    j["failures"] = failures;
    Json warm = Json::array();
    for (const auto& r : run.warmups) {
        const TimingRecord* load = findRecord(r, kModelLoading);
        warm.push_back({{"input", r.input},
                        {"status", r.status},
                        {"total_seconds", r.totalSeconds},
                        {"model_loading_seconds", load ? Json(load->seconds) : Json(nullptr)}});
    }
    j["warmup_runs"] = warm;
    Json runs = Json::array();
    for (const auto& r : run.measured)
        runs.push_back(runJson(r));
    j["runs"] = runs;
    return j;
}

Json coldStartJson(const ProcessClock& clock)
{
    const auto first = clock.firstOutput();
    if (!first)
        return nullptr;
    const auto startToMain = clock.startToMain();
    const TimingRecord* load = findRecord(first->report, kModelLoading);
    Json j;
    j["process_start_to_first_output_seconds"] =
        startToMain ? Json(*startToMain + first->sinceMain) : Json(nullptr);
    j["main_to_first_output_seconds"] = first->sinceMain;
    j["process_start_to_main_seconds"] = startToMain ? Json(*startToMain) : Json(nullptr);
    j["first_output_unix_time"] = first->unixTime;
    j["first_output"] = first->output;
    j["case"] = first->caseName;
    j["first_job_seconds"] = first->report.totalSeconds;
    j["model_loading_seconds"] = load ? Json(load->seconds) : Json(nullptr);
    return j;
}

namespace {

std::string num(const Json& v, const char* fmt = "%.3f")
{
    if (!v.is_number())
        return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v.get<double>());
    return buf;
}

const Json& at(const Json& j, const char* key)
{
    static const Json null;
    return j.is_object() && j.contains(key) ? j[key] : null;
}

const Json& at(const Json& j, const char* a, const char* b)
{
    return at(at(j, a), b);
}

const Json& at(const Json& j, const char* a, const char* b, const char* c)
{
    return at(at(at(j, a), b), c);
}

} // namespace

std::string caseTable(const Json& c)
{
    std::string s;
    char line[512];
    const Json& img = at(c, "images");
    std::snprintf(line, sizeof line, "== case %s: backend %s, %s image(s) measured (+%s warm-up), jobs %s\n",
                  at(c, "name").get<std::string>().c_str(), at(c, "backend").get<std::string>().c_str(),
                  num(at(img, "succeeded"), "%.0f").c_str(), num(at(img, "warmup"), "%.0f").c_str(),
                  num(at(c, "settings", "jobs"), "%.0f").c_str());
    s += line;
    if (at(c, "model").is_string())
        s += "   model: " + at(c, "model").get<std::string>() + "\n";
    std::snprintf(line, sizeof line, "   %-44s %9s %9s %9s %9s %7s\n", "stage (seconds over images)", "median", "p95",
                  "min", "gpu med", "share");
    s += line;
    for (const auto& st : at(c, "stages")) {
        const Json& gpu = at(st, "gpu_seconds");
        std::snprintf(line, sizeof line, "   %-44s %9s %9s %9s %9s %6s%%\n", at(st, "name").get<std::string>().c_str(),
                      num(at(st, "wall_seconds", "median"), "%.4f").c_str(),
                      num(at(st, "wall_seconds", "p95"), "%.4f").c_str(),
                      num(at(st, "wall_seconds", "min"), "%.4f").c_str(), num(at(gpu, "median"), "%.4f").c_str(),
                      num(at(st, "share_of_image").is_number() ? Json(at(st, "share_of_image").get<double>() * 100)
                                                               : Json(nullptr),
                          "%.1f")
                          .c_str());
        s += line;
    }
    const Json& b = at(c, "batch");
    std::snprintf(line, sizeof line,
                  "   per image: median %s s, p95 %s s (p95/median %s); batch %s s, %s images/min\n",
                  num(at(b, "per_image_seconds", "median")).c_str(), num(at(b, "per_image_seconds", "p95")).c_str(),
                  num(at(b, "p95_over_median"), "%.2f").c_str(), num(at(b, "wall_seconds")).c_str(),
                  num(at(b, "images_per_minute"), "%.2f").c_str());
    s += line;
    if (const Json& d = at(c, "denoiser"); d.is_object()) {
        std::snprintf(line, sizeof line,
                      "   denoiser: %s TFLOP/step x %s steps (CFG batch %s) = %s TFLOP/image; %s s median -> %s "
                      "TFLOP/s (%s)\n",
                      num(at(d, "tflop_per_step"), "%.4g").c_str(), num(at(d, "steps"), "%.0f").c_str(),
                      num(at(d, "cfg_batch"), "%.0f").c_str(), num(at(d, "tflop_per_image"), "%.4g").c_str(),
                      num(at(d, at(d, "basis") == "gpu_events" ? "seconds_gpu" : "seconds_wall", "median")).c_str(),
                      num(at(d, "achieved_tflops"), "%.4g").c_str(), at(d, "basis").get<std::string>().c_str());
        s += line;
    }
    if (const Json& d = at(c, "decoding"); d.is_object()) {
        std::snprintf(line, sizeof line,
                      "   decoding: %s points (%s%% of dense), %s MFLOP/point, %s Mpoints/s, %s TFLOP/s (%s)\n",
                      num(at(d, "points_evaluated", "median"), "%.0f").c_str(),
                      num(at(d, "fraction_of_dense").is_number() ? Json(at(d, "fraction_of_dense").get<double>() * 100)
                                                                 : Json(nullptr),
                          "%.2f")
                          .c_str(),
                      num(at(d, "mflop_per_point"), "%.4g").c_str(),
                      num(at(d, "points_per_second").is_number() ? Json(at(d, "points_per_second").get<double>() / 1e6)
                                                                 : Json(nullptr),
                          "%.2f")
                          .c_str(),
                      num(at(d, "achieved_tflops"), "%.4g").c_str(), at(d, "basis").get<std::string>().c_str());
        s += line;
    }
    const Json& g = at(c, "gpu_utilization");
    if (at(g, "available") == true) {
        for (const auto& d : at(g, "devices")) {
            std::snprintf(line, sizeof line, "   GPU %s (%s): utilisation mean %s%%, median %s%%, min %s%% over %s samples\n",
                          num(at(d, "index"), "%.0f").c_str(), at(d, "name").get<std::string>().c_str(),
                          num(at(d, "utilization_percent", "mean"), "%.1f").c_str(),
                          num(at(d, "utilization_percent", "median"), "%.0f").c_str(),
                          num(at(d, "utilization_percent", "min"), "%.0f").c_str(),
                          num(at(d, "utilization_percent", "count"), "%.0f").c_str());
            s += line;
        }
    } else {
        s += "   GPU utilisation: not measured (" + (at(g, "reason").is_string() ? at(g, "reason").get<std::string>()
                                                                               : std::string("no NVML")) + ")\n";
    }
    if (at(c, "peak_gpu_memory_mb").is_object())
        s += "   peak GPU memory: " + num(at(c, "peak_gpu_memory_mb", "max"), "%.0f") + " MB\n";
    for (const auto& f : at(c, "failures"))
        if (at(f, "status") == "failed")
            s += "   FAILED " + at(f, "input").get<std::string>() + ": " + at(f, "message").get<std::string>() + "\n";
    if (at(c, "images", "cancelled").is_number() && at(c, "images", "cancelled").get<double>() > 0)
        s += "   cancelled: " + num(at(c, "images", "cancelled"), "%.0f") + " run(s) (stop requested)\n";
    return s;
}

std::string summaryTable(const Json& bench)
{
    std::string s;
    char line[512];
    s += "== summary\n";
    std::snprintf(line, sizeof line, "   %-16s %-9s %4s %9s %9s %8s %9s %9s %9s %8s %7s\n", "case", "backend", "imgs",
                  "s/image", "p95/med", "img/min", "diffusion", "denoiser", "decoding", "peak MB", "GPU %");
    s += line;
    std::snprintf(line, sizeof line, "   %-16s %-9s %4s %9s %9s %8s %9s %9s %9s %8s %7s\n", "", "", "", "median", "",
                  "", "s median", "TFLOP/s", "s median", "", "mean");
    s += line;
    for (const auto& c : at(bench, "cases")) {
        const Json& d = at(c, "denoiser");
        const Json& v = at(c, "decoding");
        std::string util = "-";
        if (at(c, "gpu_utilization", "available") == true && !at(c, "gpu_utilization", "devices").empty())
            util = num(at(at(c, "gpu_utilization", "devices")[0], "utilization_percent", "mean"), "%.1f");
        const char* dBasis = at(d, "basis") == "gpu_events" ? "seconds_gpu" : "seconds_wall";
        const char* vBasis = at(v, "basis") == "gpu_events" ? "seconds_gpu" : "seconds_wall";
        std::snprintf(line, sizeof line, "   %-16s %-9s %4s %9s %9s %8s %9s %9s %9s %8s %7s\n",
                      at(c, "name").get<std::string>().c_str(), at(c, "backend").get<std::string>().c_str(),
                      num(at(c, "images", "succeeded"), "%.0f").c_str(),
                      num(at(c, "batch", "per_image_seconds", "median")).c_str(),
                      num(at(c, "batch", "p95_over_median"), "%.2f").c_str(),
                      num(at(c, "batch", "images_per_minute"), "%.1f").c_str(),
                      num(at(at(d, dBasis), "median")).c_str(), num(at(d, "achieved_tflops"), "%.4g").c_str(),
                      num(at(at(v, vBasis), "median")).c_str(), num(at(c, "peak_gpu_memory_mb", "max"), "%.0f").c_str(),
                      util.c_str());
        s += line;
    }
    if (const Json& cs = at(bench, "cold_start"); cs.is_object()) {
        std::snprintf(line, sizeof line,
                      "   cold start: %s s from process start to the first output (%s s to main, first job %s s, model "
                      "loading %s s)\n",
                      num(at(cs, "process_start_to_first_output_seconds")).c_str(),
                      num(at(cs, "process_start_to_main_seconds")).c_str(), num(at(cs, "first_job_seconds")).c_str(),
                      num(at(cs, "model_loading_seconds")).c_str());
        s += line;
    }
    const Json& m = at(bench, "machine");
    if (m.is_object()) {
        std::string gpus;
        for (const auto& d : at(m, "gpu", "devices"))
            gpus += (gpus.empty() ? "" : ", ") + at(d, "name").get<std::string>();
        s += "   machine: " + at(m, "host").get<std::string>() + ", " + at(m, "cpu", "model").get<std::string>() + " ("
            + num(at(m, "cpu", "logical_cores"), "%.0f") + " threads), GPU: " + (gpus.empty() ? "none" : gpus)
            + (at(m, "gpu", "driver_version").is_string() && !at(m, "gpu", "driver_version").get<std::string>().empty()
                   ? ", driver " + at(m, "gpu", "driver_version").get<std::string>()
                   : std::string())
            + "\n";
    }
    return s;
}

} // namespace orfeas::bench
