// Batch-level reports: performance_report.json (per-stage statistics, bottlenecks, recommendations derived from
// the measurements) and gpu_report.json (NVML samples). Schemas in docs/reports.md.

#include "orfeas/report.h"

#include "orfeas/errors.h"
#include "orfeas/stage.h"
#include "orfeas/version.h"
#include "report/json_settings.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace orfeas {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

ordered_json stats(const std::vector<double>& v)
{
    ordered_json j;
    if (v.empty()) {
        j["average"] = nullptr;
        j["min"] = nullptr;
        j["max"] = nullptr;
        j["p50"] = nullptr;
        j["p95"] = nullptr;
        return j;
    }
    double sum = 0;
    for (double x : v)
        sum += x;
    j["average"] = sum / double(v.size());
    j["min"] = *std::min_element(v.begin(), v.end());
    j["max"] = *std::max_element(v.begin(), v.end());
    j["p50"] = detail::percentile(v, 50);
    j["p95"] = detail::percentile(v, 95);
    return j;
}

double mean(const std::vector<double>& v)
{
    if (v.empty())
        return 0;
    double s = 0;
    for (double x : v)
        s += x;
    return s / double(v.size());
}

std::string fmt(double v, int decimals = 2)
{
    std::ostringstream os;
    os.setf(std::ios::fixed);
    os.precision(decimals);
    os << v;
    return os.str();
}

struct StageStats {
    std::string name;
    std::vector<double> seconds;
    double share = 0;
};

// Advice that follows from the numbers. Each entry names the measurement it is based on.
ordered_json recommendations(const std::vector<RunReport>& done, const std::vector<StageStats>& stages,
                             const std::map<std::string, StageStats>& subs, const std::vector<double>& totals,
                             const GpuTelemetry* gpu)
{
    ordered_json out = ordered_json::array();
    auto add = [&](const std::string& stage, const std::string& text, const std::string& basis) {
        out.push_back({{"stage", stage}, {"text", text}, {"based_on", basis}});
    };
    auto share = [&](const std::string& name) {
        for (const auto& s : stages)
            if (s.name == name)
                return s.share;
        return 0.0;
    };
    auto subShare = [&](const std::string& name) {
        auto it = subs.find(name);
        return it == subs.end() ? 0.0 : it->second.share;
    };
    bool anyNeural = false, anyCpuNeural = false, anyDense = false, anyHighRes = false;
    int maxFaces = 0;
    for (const auto& r : done) {
        const bool neural = r.backend == "hunyuan3d";
        anyNeural |= neural;
        anyCpuNeural |= neural && r.model.find("cpu") != std::string::npos;
        anyDense |= neural && r.settings.decoder == DecoderMode::Dense;
        anyHighRes |= (neural ? r.settings.octreeResolution : r.settings.resolution) > 256;
        maxFaces = std::max<int>(maxFaces, int(r.faces));
    }
    if (anyCpuNeural)
        add("shape_generation", "The neural backend ran on the CPU; a CUDA GPU is typically two orders of magnitude faster.",
            "model description of the runs");
    const double decodeShare = subShare("shape_generation/volume_decoding");
    if (anyDense && decodeShare > 0.3)
        add("shape_generation", "Volume decoding takes " + fmt(100 * decodeShare, 0) +
                                    "% of the time with the dense decoder: use --decoder hierarchical, which evaluates only "
                                    "points near the surface.",
            "shape_generation/volume_decoding share");
    const double diffusionShare = subShare("shape_generation/diffusion_sampling");
    if (anyNeural && diffusionShare > 0.4)
        add("shape_generation", "Diffusion sampling takes " + fmt(100 * diffusionShare, 0) +
                                    "% of the time: fewer steps (--steps) or a guidance-distilled (-fast/-turbo) model "
                                    "cut it proportionally.",
            "shape_generation/diffusion_sampling share");
    if (share("surface_extraction") > 0.25 && anyHighRes)
        add("surface_extraction", "Surface extraction takes " + fmt(100 * share("surface_extraction"), 0) +
                                      "% at a grid above 256 cells: a lower resolution reduces it cubically.",
            "surface_extraction share and resolution");
    if (share("mesh_postprocess") > 0.25)
        add("mesh_postprocess", "Mesh post-processing takes " + fmt(100 * share("mesh_postprocess"), 0) +
                                    "%: a lower grid resolution gives the simplifier fewer faces to reduce.",
            "mesh_postprocess share");
    if (share("mesh_export") > 0.25)
        add("mesh_export", "Export takes " + fmt(100 * share("mesh_export"), 0) +
                               "%: fewer formats or a smaller texture (--texture-size) reduce it.",
            "mesh_export share");
    if (share("image_loading") + share("image_preprocessing") > 0.3)
        add("image_preprocessing", "Loading and preprocessing take " +
                                       fmt(100 * (share("image_loading") + share("image_preprocessing")), 0) +
                                       "%: very large input images are decoded at full size; downscale them first.",
            "image_loading + image_preprocessing share");
    if (totals.size() >= 4) {
        const double p50 = detail::percentile(totals, 50), p95 = detail::percentile(totals, 95);
        if (p50 > 0 && p95 > 1.5 * p50)
            add("batch", "The slowest runs take " + fmt(p95 / p50, 1) +
                             "x the median (p95/p50): look at the first run (model loading, warm-up) and at inputs "
                             "with unusually large images.",
                "duration p95 / p50");
    }
    if (gpu && gpu->available && !gpu->samples.empty()) {
        double util = 0;
        for (const auto& s : gpu->samples)
            util += s.utilizationPercent;
        util /= double(gpu->samples.size());
        if (anyNeural && util < 60)
            add("batch", "The GPU was busy " + fmt(util, 0) +
                             "% of the time on average: run several jobs at once (--jobs) so CPU stages of one job "
                             "overlap GPU stages of another.",
                "gpu_report utilisation average");
    }
    return out;
}

} // namespace

std::string performanceReportJson(const std::vector<RunReport>& runs, double wallSeconds, const GpuTelemetry* gpu)
{
    ordered_json j;
    j["schema"] = "orfeas.performance_report/1";
    j["orfeas_version"] = versionString();
    j["generated_at"] = isoTimestampUtc();

    std::vector<RunReport> done;
    int failed = 0, cancelled = 0, skipped = 0;
    ordered_json failures = ordered_json::array();
    for (const auto& r : runs) {
        if (r.status == "done")
            done.push_back(r);
        else if (r.status == "failed") {
            ++failed;
            failures.push_back({{"input", r.input}, {"error_kind", r.errorKind}, {"stage", r.errorStage},
                                {"message", r.errorMessage}});
        } else if (r.status == "cancelled")
            ++cancelled;
        else if (r.status == "skipped")
            ++skipped;
    }
    std::vector<double> totals;
    for (const auto& r : done)
        totals.push_back(r.totalSeconds);

    ordered_json batch;
    batch["runs"] = runs.size();
    batch["succeeded"] = done.size();
    batch["failed"] = failed;
    batch["cancelled"] = cancelled;
    batch["skipped"] = skipped;
    batch["wall_seconds"] = wallSeconds;
    batch["images_per_minute"] = wallSeconds > 0 ? 60.0 * double(done.size()) / wallSeconds : 0.0;
    j["batch"] = batch;
    j["duration_seconds"] = stats(totals);

    // Per-stage statistics over successful runs, in pipeline order.
    std::vector<StageStats> stages;
    for (Stage s : kAllStages)
        stages.push_back({std::string(stageName(s)), {}, 0});
    std::map<std::string, StageStats> subs;
    for (const auto& r : done) {
        for (auto& st : stages) {
            double sec = 0;
            for (const auto& t : r.timings)
                if (t.path == st.name)
                    sec = t.seconds;
            st.seconds.push_back(sec);
        }
        for (const auto& t : r.timings) {
            if (t.path.find('/') == std::string::npos)
                continue;
            auto& sub = subs[t.path];
            sub.name = t.path;
            sub.seconds.push_back(t.seconds);
        }
    }
    const double avgTotal = mean(totals);
    ordered_json stageArr = ordered_json::array();
    for (auto& st : stages) {
        st.share = avgTotal > 0 ? mean(st.seconds) / avgTotal : 0;
        ordered_json e;
        e["name"] = st.name;
        e["seconds"] = stats(st.seconds);
        e["share_of_total"] = st.share;
        stageArr.push_back(e);
    }
    j["stages"] = stageArr;
    ordered_json subArr = ordered_json::array();
    for (auto& [name, sub] : subs) {
        sub.share = avgTotal > 0 ? mean(sub.seconds) * double(sub.seconds.size()) / double(done.size()) / avgTotal : 0;
        ordered_json e;
        e["name"] = name;
        e["seconds"] = stats(sub.seconds);
        e["share_of_total"] = sub.share;
        subArr.push_back(e);
    }
    j["sub_stages"] = subArr;

    // Bottlenecks: the stages that dominate, by their share of the average run.
    std::vector<const StageStats*> order;
    for (const auto& st : stages)
        order.push_back(&st);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->share > b->share; });
    ordered_json bottlenecks = ordered_json::array();
    for (const auto* st : order) {
        if (st->share < 0.10)
            break;
        const char* severity = st->share >= 0.5 ? "high" : st->share >= 0.25 ? "medium" : "low";
        bottlenecks.push_back({{"stage", st->name},
                               {"share_of_total", st->share},
                               {"average_seconds", mean(st->seconds)},
                               {"severity", severity}});
    }
    j["bottlenecks"] = bottlenecks;
    j["recommendations"] = recommendations(done, stages, subs, totals, gpu);
    j["failures"] = failures;

    ordered_json runArr = ordered_json::array();
    for (const auto& r : runs) {
        ordered_json e;
        e["input"] = r.input;
        e["status"] = r.status;
        e["total_seconds"] = r.totalSeconds;
        if (!r.host.empty())
            e["host"] = r.host;
        ordered_json st = ordered_json::object();
        for (const auto& t : r.timings)
            if (t.path.find('/') == std::string::npos)
                st[t.path] = t.seconds;
        e["stages"] = st;
        e["faces"] = r.faces;
        runArr.push_back(e);
    }
    j["runs"] = runArr;
    return j.dump(2) + "\n";
}

std::string gpuReportJson(const GpuTelemetry& t)
{
    ordered_json j;
    j["schema"] = "orfeas.gpu_report/1";
    j["orfeas_version"] = versionString();
    j["generated_at"] = isoTimestampUtc();
    j["available"] = t.available;
    if (!t.available)
        j["reason"] = t.unavailableReason;
    j["driver_version"] = t.driverVersion;
    ordered_json devs = ordered_json::array();
    for (const auto& d : t.devices)
        devs.push_back({{"index", d.index}, {"name", d.name}, {"memory_total_mb", d.memoryTotalMB}});
    j["devices"] = devs;
    j["sample_interval_seconds"] = t.sampleIntervalSeconds;
    j["samples_count"] = t.samples.size();
    ordered_json summary = ordered_json::array();
    for (const auto& d : t.devices) {
        std::vector<double> util, mem, memUtil, temp, power;
        for (const auto& s : t.samples) {
            if (s.device != d.index)
                continue;
            util.push_back(s.utilizationPercent);
            memUtil.push_back(s.memoryUtilizationPercent);
            mem.push_back(s.memoryUsedMB);
            if (s.temperatureC >= 0)
                temp.push_back(s.temperatureC);
            if (s.powerW >= 0)
                power.push_back(s.powerW);
        }
        summary.push_back({{"device", d.index},
                           {"utilization_percent", stats(util)},
                           {"memory_utilization_percent", stats(memUtil)},
                           {"memory_used_mb", stats(mem)},
                           {"temperature_c", stats(temp)},
                           {"power_w", stats(power)}});
    }
    j["summary"] = summary;
    ordered_json samples = ordered_json::array();
    for (const auto& s : t.samples) {
        ordered_json e;
        e["t"] = s.t;
        e["device"] = s.device;
        e["utilization_percent"] = s.utilizationPercent;
        e["memory_utilization_percent"] = s.memoryUtilizationPercent;
        e["memory_used_mb"] = s.memoryUsedMB;
        e["memory_total_mb"] = s.memoryTotalMB;
        e["temperature_c"] = s.temperatureC >= 0 ? json(s.temperatureC) : json(nullptr);
        e["power_w"] = s.powerW >= 0 ? json(s.powerW) : json(nullptr);
        samples.push_back(e);
    }
    j["samples"] = samples;
    return j.dump(2) + "\n";
}

GpuTelemetry gpuTelemetryFromJson(const std::string& text, const std::string& pathForErrors)
{
    try {
        const json j = json::parse(text);
        if (!j.is_object() || j.value("schema", "") != "orfeas.gpu_report/1")
            throw BadInputError("not an ORFEAS GPU report", pathForErrors, std::nullopt);
        GpuTelemetry t;
        t.available = j.value("available", false);
        t.unavailableReason = j.value("reason", "");
        t.driverVersion = j.value("driver_version", "");
        t.sampleIntervalSeconds = j.value("sample_interval_seconds", 0.0);
        for (const auto& d : j.value("devices", json::array()))
            t.devices.push_back({d.value("index", 0), d.value("name", ""), d.value("memory_total_mb", 0.0)});
        for (const auto& s : j.value("samples", json::array())) {
            GpuSample g;
            g.t = s.value("t", 0.0);
            g.device = s.value("device", 0);
            g.utilizationPercent = s.value("utilization_percent", 0.0);
            g.memoryUtilizationPercent = s.value("memory_utilization_percent", 0.0);
            g.memoryUsedMB = s.value("memory_used_mb", 0.0);
            g.memoryTotalMB = s.value("memory_total_mb", 0.0);
            g.temperatureC = s.contains("temperature_c") && s["temperature_c"].is_number() ? s["temperature_c"].get<double>() : -1;
            g.powerW = s.contains("power_w") && s["power_w"].is_number() ? s["power_w"].get<double>() : -1;
            t.samples.push_back(g);
        }
        return t;
    } catch (const json::exception& e) {
        throw BadInputError(std::string("unreadable GPU report: ") + e.what(), pathForErrors, std::nullopt);
    }
}

} // namespace orfeas
