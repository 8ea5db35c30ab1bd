#pragma once
// The machine a benchmark ran on: CPU, memory, operating system, load, GPUs (NVML) and what LibTorch offers.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace orfeas::bench {

// Load averages (1, 5, 15 minutes) from /proc/loadavg; empty where unavailable.
nlohmann::ordered_json loadAverage();
// Host, OS, kernel, CPU model and logical cores, memory, GPUs and driver (NVML), LibTorch and its CUDA devices,
// the program's version and build. Touches CUDA (through the neural runtime query): call after timing-critical work.
nlohmann::ordered_json machineInfo();
// Seconds since this process was started by the kernel (from /proc/self/stat and /proc/uptime, 10 ms resolution);
// nullopt where /proc is unavailable.
std::optional<double> processAgeSeconds();

} // namespace orfeas::bench
