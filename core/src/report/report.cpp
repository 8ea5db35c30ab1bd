#include "orfeas/report.h"

#include "foundation/atomic_file.h"
#include "orfeas/errors.h"
#include "orfeas/stage.h"
#include "orfeas/version.h"
#include "report/json_settings.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>

namespace orfeas {

using nlohmann::json;
using nlohmann::ordered_json;

namespace detail {

ordered_json settingsToJson(const JobSettings& s)
{
    ordered_json j;
    j["backend"] = std::string(backendName(s.backend));
    j["model_path"] = s.modelPath;
    j["device"] = s.device;
    j["resolution"] = s.resolution;
    j["thickness"] = s.thickness;
    j["steps"] = s.steps;
    j["guidance"] = s.guidance;
    j["seed"] = s.seed;
    j["octree_resolution"] = s.octreeResolution;
    j["chunk_size"] = s.chunkSize;
    j["decoder"] = std::string(decoderModeName(s.decoder));
    j["precision"] = std::string(precisionName(s.precision));
    j["low_vram"] = s.lowVram;
    j["border_ratio"] = s.borderRatio;
    j["image_size"] = s.imageSize;
    j["background_tolerance"] = s.backgroundTolerance;
    j["face_budget"] = s.faceBudget;
    j["min_component_ratio"] = s.minComponentRatio;
    j["texture_size"] = s.textureSize;
    ordered_json formats = ordered_json::array();
    for (auto f : s.formats)
        formats.push_back(std::string(formatExtension(f)));
    j["formats"] = formats;
    return j;
}

JobSettings settingsFromJson(const json& j)
{
    JobSettings s;
    if (!j.is_object())
        return s;
    auto get = [&](const char* key, auto& field) {
        if (j.contains(key))
            field = j.at(key).get<std::decay_t<decltype(field)>>();
    };
    if (j.contains("backend"))
        s.backend = parseBackend(j.at("backend").get<std::string>());
    get("model_path", s.modelPath);
    get("device", s.device);
    get("resolution", s.resolution);
    get("thickness", s.thickness);
    get("steps", s.steps);
    get("guidance", s.guidance);
    get("seed", s.seed);
    get("octree_resolution", s.octreeResolution);
    get("chunk_size", s.chunkSize);
    if (j.contains("decoder"))
        s.decoder = parseDecoderMode(j.at("decoder").get<std::string>());
    if (j.contains("precision"))
        s.precision = parsePrecision(j.at("precision").get<std::string>());
    get("low_vram", s.lowVram);
    get("border_ratio", s.borderRatio);
    get("image_size", s.imageSize);
    get("background_tolerance", s.backgroundTolerance);
    get("face_budget", s.faceBudget);
    get("min_component_ratio", s.minComponentRatio);
    get("texture_size", s.textureSize);
    if (j.contains("formats")) {
        s.formats.clear();
        for (const auto& f : j.at("formats"))
            s.formats.push_back(parseFormat(f.get<std::string>()));
    }
    return s;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const auto lo = std::size_t(std::floor(rank));
    const auto hi = std::min(values.size() - 1, lo + 1);
    return values[lo] + (values[hi] - values[lo]) * (rank - double(lo));
}

double parseIsoTimestamp(const std::string& text)
{
    std::tm tm{};
    int ms = 0;
    char frac[8] = {0};
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    const auto dot = text.find('.');
    if (dot != std::string::npos && std::sscanf(text.c_str() + dot + 1, "%3[0-9]", frac) == 1) {
        ms = std::atoi(frac);
        for (std::size_t n = std::char_traits<char>::length(frac); n < 3; ++n)
            ms *= 10;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return double(timegm(&tm)) + ms / 1000.0;
}

} // namespace detail

void writeReportFile(const std::string& path, const std::string& text)
{
    detail::writeFileAtomically(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, true);
}

std::string isoTimestampUtc()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
    return buf;
}

namespace {

ordered_json timingsToJson(const std::vector<TimingRecord>& timings)
{
    ordered_json arr = ordered_json::array();
    for (const auto& t : timings) {
        ordered_json r;
        r["name"] = t.path;
        r["seconds"] = t.seconds;
        if (t.gpuSeconds >= 0)
            r["gpu_seconds"] = t.gpuSeconds;
        if (t.count > 1)
            r["count"] = t.count;
        arr.push_back(r);
    }
    return arr;
}

} // namespace

std::string runReportToJson(const RunReport& r)
{
    ordered_json j;
    j["schema"] = "orfeas.run_report/1";
    j["orfeas_version"] = versionString();
    j["input"] = r.input;
    j["status"] = r.status;
    if (!r.errorKind.empty()) {
        j["error"] = {{"kind", r.errorKind}, {"stage", r.errorStage}, {"message", r.errorMessage}};
    }
    j["started_at"] = r.startedAt;
    if (!r.host.empty())
        j["host"] = r.host;
    j["backend"] = r.backend;
    if (!r.model.empty())
        j["model"] = r.model;
    j["total_seconds"] = r.totalSeconds;
    j["stages"] = timingsToJson(r.timings);
    j["mesh"] = {{"vertices", r.vertices}, {"faces", r.faces}};
    if (r.pointsEvaluated > 0)
        j["points_evaluated"] = r.pointsEvaluated;
    if (r.peakGpuMemoryMB >= 0)
        j["peak_gpu_memory_mb"] = r.peakGpuMemoryMB;
    j["outputs"] = r.outputs;
    j["warnings"] = r.warnings;
    j["settings"] = detail::settingsToJson(r.settings);
    return j.dump(2) + "\n";
}

RunReport runReportFromJson(const std::string& text, const std::string& pathForErrors)
{
    try {
        const json j = json::parse(text);
        if (!j.is_object() || j.value("schema", "") != "orfeas.run_report/1")
            throw BadInputError("not an ORFEAS run report", pathForErrors, std::nullopt);
        RunReport r;
        r.input = j.value("input", "");
        r.status = j.value("status", "");
        if (j.contains("error")) {
            const auto& e = j.at("error");
            r.errorKind = e.value("kind", "");
            r.errorStage = e.value("stage", "");
            r.errorMessage = e.value("message", "");
        }
        r.startedAt = j.value("started_at", "");
        r.host = j.value("host", "");
        r.backend = j.value("backend", "");
        r.model = j.value("model", "");
        r.totalSeconds = j.value("total_seconds", 0.0);
        for (const auto& t : j.value("stages", json::array())) {
            TimingRecord rec;
            rec.path = t.value("name", "");
            rec.seconds = t.value("seconds", 0.0);
            rec.gpuSeconds = t.value("gpu_seconds", -1.0);
            rec.count = t.value("count", 1);
            r.timings.push_back(rec);
        }
        if (j.contains("mesh")) {
            r.vertices = j.at("mesh").value("vertices", std::int64_t(0));
            r.faces = j.at("mesh").value("faces", std::int64_t(0));
        }
        r.pointsEvaluated = j.value("points_evaluated", std::int64_t(0));
        r.peakGpuMemoryMB = j.value("peak_gpu_memory_mb", -1.0);
        r.outputs = j.value("outputs", std::vector<std::string>{});
        r.warnings = j.value("warnings", std::vector<std::string>{});
        if (j.contains("settings"))
            r.settings = detail::settingsFromJson(j.at("settings"));
        return r;
    } catch (const json::exception& e) {
        throw BadInputError(std::string("unreadable run report: ") + e.what(), pathForErrors, std::nullopt);
    } catch (const ConfigError& e) {
        throw BadInputError(std::string("run report has invalid settings: ") + e.message(), pathForErrors,
                            std::nullopt);
    }
}

} // namespace orfeas
