#include "orfeas/backends.h"

#include "orfeas/errors.h"
#include "orfeas/models.h"

#include <mutex>

namespace orfeas {

namespace {

struct ProviderState {
    std::mutex mutex;
    std::shared_ptr<ShapeBackend> inflate;
};

ProviderState& state()
{
    static ProviderState s;
    return s;
}

std::shared_ptr<ShapeBackend> inflateBackend()
{
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.inflate)
        s.inflate = std::shared_ptr<ShapeBackend>(createInflateBackend());
    return s.inflate;
}

} // namespace

BackendProvider& BackendProvider::instance()
{
    static BackendProvider provider;
    return provider;
}

std::shared_ptr<ShapeBackend> BackendProvider::acquire(const JobSettings& settings, RunContext& ctx)
{
    switch (settings.backend) {
    case BackendChoice::Inflate:
        return inflateBackend();
    case BackendChoice::Hunyuan3D:
        throw ConfigError("the hunyuan3d backend is not part of this build (built without LibTorch)");
    case BackendChoice::Auto:
        ctx.log(LogLevel::Info, "backend auto: using inflate (this build has no neural backend)");
        return inflateBackend();
    }
    return inflateBackend();
}

std::vector<BackendStatus> BackendProvider::status(const JobSettings& settings)
{
    std::vector<BackendStatus> out;
    out.push_back({"inflate", true, "classic silhouette inflation on the CPU"});
    out.push_back({"hunyuan3d", false, "not part of this build (built without LibTorch)"});
    (void)settings;
    return out;
}

void BackendProvider::releaseModels()
{
}

} // namespace orfeas
