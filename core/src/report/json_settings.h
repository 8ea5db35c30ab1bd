#pragma once
// JSON (de)serialisation of settings and timings, shared by the report writers. Internal.

#include "orfeas/report.h"
#include "orfeas/settings.h"

#include <nlohmann/json.hpp>

namespace orfeas::detail {

nlohmann::ordered_json settingsToJson(const JobSettings& s);
// Unknown or missing keys keep their defaults; wrong types throw nlohmann::json::exception.
JobSettings settingsFromJson(const nlohmann::json& j);

// Percentile with linear interpolation between closest ranks (p in 0..100) of an unsorted sample.
double percentile(std::vector<double> values, double p);

// Seconds since the epoch for an ISO 8601 UTC timestamp written by isoTimestampUtc(); -1 if unparsable.
double parseIsoTimestamp(const std::string& text);

} // namespace orfeas::detail
