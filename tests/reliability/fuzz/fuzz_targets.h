#pragma once
// The fuzz harnesses. Each one is a plain function so that the same code runs under libFuzzer (ORFEAS_FUZZ=ON:
// one executable per harness, see fuzz_main.cpp) and in the ordinary test suite, where tst_fuzz_replay feeds it
// every committed seed and every regression input. A harness returns 0 for every input; an input that breaks a
// contract (an exception that is not an orfeas::Error, an output path outside the output folder, ...) aborts,
// which libFuzzer reports as a crash and saves.

#include <cstddef>
#include <cstdint>

namespace orfeas::fuzz {

// loadImageFromMemory: every format we decode, headers validated before allocation.
int fuzzImage(const std::uint8_t* data, std::size_t size);
// SafetensorsFile::fromBytes, then every accessor on what it accepted.
int fuzzSafetensors(const std::uint8_t* data, std::size_t size);
// parseHunyuanModelConfig, then the parameter manifest and the sampling schedules of an accepted configuration.
int fuzzModelConfig(const std::uint8_t* data, std::size_t size);
// planBatch / sanitizeStem / parseShard / plannedOutputs on fuzzed file names and environment strings, inside a
// private temporary folder (see fuzz_batch_paths.cpp for how it stays inside).
int fuzzBatchPaths(const std::uint8_t* data, std::size_t size);

// Reports a broken contract and aborts (libFuzzer saves the input).
[[noreturn]] void contractViolated(const char* harness, const char* what, const char* detail = nullptr);

} // namespace orfeas::fuzz
