// config.yaml parsing: any text is either refused with a ModelError naming the file, or accepted as a configuration
// whose parameter manifest and sampling schedules can be computed without overflow or absurd allocations.
#include "fuzz_targets.h"

#include "orfeas/errors.h"
#include "orfeas/model_config.h"

#include <exception>
#include <string>

namespace orfeas::fuzz {

int fuzzModelConfig(const std::uint8_t* data, std::size_t size)
{
    constexpr const char* kName = "fuzz_model_config";
    const std::string text(reinterpret_cast<const char*>(data), size);
    HunyuanModelConfig config;
    try {
        config = parseHunyuanModelConfig(text, "fuzz/config.yaml");
    } catch (const ModelError& e) {
        if (e.path() != "fuzz/config.yaml")
            contractViolated(kName, "ModelError does not name the file", e.what());
        return 0;
    } catch (const Error& e) {
        contractViolated(kName, "an orfeas::Error other than ModelError", e.what());
    } catch (const std::exception& e) {
        contractViolated(kName, "a foreign exception escaped", e.what());
    }

    // An accepted configuration is what the loader builds a manifest from before reading any weights.
    std::vector<ParameterSpec> manifest;
    try {
        manifest = hunyuanParameterManifest(config);
    } catch (const std::exception& e) {
        contractViolated(kName, "the manifest of an accepted configuration threw", e.what());
    }
    for (const ParameterSpec& p : manifest) {
        if (p.name.empty())
            contractViolated(kName, "a manifest entry has no name");
        for (std::int64_t d : p.shape)
            if (d < 0)
                contractViolated(kName, "a manifest shape has a negative dimension", p.name.c_str());
    }
    for (int steps : {1, 2, 5, 50}) {
        try {
            const SamplingSchedule s = computeSamplingSchedule(config.scheduler, steps);
            if (s.timesteps.size() != std::size_t(steps) || s.sigmas.size() != std::size_t(steps) + 1)
                contractViolated(kName, "a schedule has the wrong length");
        } catch (const ConfigError&) {
            // e.g. more steps than a consistency scheduler's pcm_timesteps: documented
        } catch (const std::exception& e) {
            contractViolated(kName, "computeSamplingSchedule threw something other than ConfigError", e.what());
        }
    }
    // Derived sizes the backend uses when it builds the networks.
    volatile long long sink = config.dit.headDim() + config.dit.mlpHiddenDim() + config.vae.fourierDim() +
                              config.vae.geoWidth() + config.vae.geoHeads() + config.conditioner.tokens() +
                              config.conditioner.dino.ffnHiddenDim() + config.conditioner.dino.storedGrid();
    (void)sink;
    return 0;
}

} // namespace orfeas::fuzz
