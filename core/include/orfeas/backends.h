#pragma once
// Choosing and sharing shape backends. Neural weights are loaded once per process and shared by all jobs.

#include "orfeas/run_context.h"
#include "orfeas/settings.h"
#include "orfeas/shape_backend.h"

#include <memory>
#include <string>
#include <vector>

namespace orfeas {

struct BackendStatus {
    std::string name;        // "inflate", "hunyuan3d"
    bool available = false;
    std::string detail;      // why not, or what it would use (model folder, device)
};

// Process-wide provider of backends. Thread-safe.
class BackendProvider {
public:
    static BackendProvider& instance();

    // The backend for these settings. Auto picks hunyuan3d when a usable model folder and a CUDA device are
    // present, else inflate (the decision is logged through ctx). Loading weights reports progress on
    // shape_generation/model_loading. Throws ConfigError / ModelError / DeviceError.
    std::shared_ptr<ShapeBackend> acquire(const JobSettings& settings, RunContext& ctx);
    // What is available on this machine, for `orfeas info` and the GUI.
    std::vector<BackendStatus> status(const JobSettings& settings = {});
    // Drops cached models (e.g. after the user chose another folder). Jobs holding a backend keep theirs.
    void releaseModels();

private:
    BackendProvider() = default;
};

} // namespace orfeas
