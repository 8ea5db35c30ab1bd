#include "orfeas/backends.h"

#include "orfeas/errors.h"
#include "orfeas/models.h"
#include "orfeas/neural.h"

#include <map>
#include <mutex>
#include <tuple>

namespace orfeas {

namespace {

using ModelKey = std::tuple<std::string, std::string, Precision>; // folder, device, precision

struct ProviderState {
    std::mutex mutex;
    std::shared_ptr<ShapeBackend> inflate;
    std::map<ModelKey, std::shared_ptr<ShapeBackend>> models;
    // One load at a time: two jobs asking for the same model wait for the first load instead of loading twice.
    std::mutex loadMutex;
};

// Never destroyed: a cached model may hold GPU memory, and static destructors run in an order that can put LibTorch's
// CUDA allocator (a static of its own, constructed later, so destroyed earlier) before ours. Releasing a tensor
// into a destroyed allocator crashed every orfeas-bench run on an H100 at exit (SIGSEGV after all results were
// written). The process's end returns the memory; releaseModels() frees it earlier where a program wants that.
ProviderState& state()
{
    static ProviderState* s = new ProviderState;
    return *s;
}

std::shared_ptr<ShapeBackend> inflateBackend()
{
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.inflate)
        s.inflate = std::shared_ptr<ShapeBackend>(createInflateBackend());
    return s.inflate;
}

bool wantsCpu(const std::string& device)
{
    return device == "cpu";
}

std::shared_ptr<ShapeBackend> neuralBackend(const JobSettings& settings, RunContext& ctx)
{
    const NeuralRuntimeInfo rt = neuralRuntimeInfo();
    if (!rt.available)
        throw ConfigError("the hunyuan3d backend is not part of this build (" + rt.detail + ")");
    const ModelFolderInfo folder = resolveModelFolder(settings.modelPath);
    std::string device = settings.device;
    if (device == "auto")
        device = rt.cudaAvailable ? "cuda:0" : "cpu";
    else if (device == "cuda")
        device = "cuda:0";
    if (device.rfind("cuda", 0) == 0 && !rt.cudaAvailable)
        throw DeviceError("device " + device + " was asked for, but " +
                          (rt.detail.empty() ? std::string("no CUDA device is available") : rt.detail));
    if (wantsCpu(device))
        ctx.log(LogLevel::Warning, "hunyuan3d runs on the CPU: expect minutes per image at default settings "
                                   "(a CUDA GPU takes seconds)");
    const ModelKey key{folder.path, device, settings.precision};
    auto& s = state();
    {
        std::lock_guard lock(s.mutex);
        if (auto it = s.models.find(key); it != s.models.end())
            return it->second;
    }
    std::lock_guard loading(s.loadMutex);
    {
        std::lock_guard lock(s.mutex);
        if (auto it = s.models.find(key); it != s.models.end())
            return it->second;
    }
    HunyuanLoadOptions opts;
    opts.modelPath = folder.path;
    opts.device = device;
    opts.precision = settings.precision;
    opts.lowVram = settings.lowVram;
    ctx.log(LogLevel::Info, "loading " + folder.variant + " from " + folder.path + " on " + device);
    std::shared_ptr<ShapeBackend> backend = loadHunyuan3DBackend(opts, ctx);
    std::lock_guard lock(s.mutex);
    s.models[key] = backend;
    return backend;
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
        return neuralBackend(settings, ctx);
    case BackendChoice::Auto: {
        // The neural backend only when it will be fast: weights found and a CUDA device present.
        const NeuralRuntimeInfo rt = neuralRuntimeInfo();
        if (!rt.available) {
            ctx.log(LogLevel::Info, "backend auto: inflate (this build has no neural backend)");
            return inflateBackend();
        }
        if (!rt.cudaAvailable || wantsCpu(settings.device)) {
            ctx.log(LogLevel::Info, "backend auto: inflate (no CUDA device; use --backend hunyuan3d to run the "
                                    "neural backend on the CPU anyway)");
            return inflateBackend();
        }
        try {
            (void)resolveModelFolder(settings.modelPath);
        } catch (const ModelError& e) {
            ctx.log(LogLevel::Info, std::string("backend auto: inflate (") + e.message() + ")");
            return inflateBackend();
        }
        ctx.log(LogLevel::Info, "backend auto: hunyuan3d");
        return neuralBackend(settings, ctx);
    }
    }
    return inflateBackend();
}

std::vector<BackendStatus> BackendProvider::status(const JobSettings& settings)
{
    std::vector<BackendStatus> out;
    out.push_back({"inflate", true, "classic silhouette inflation on the CPU"});
    const NeuralRuntimeInfo rt = neuralRuntimeInfo();
    BackendStatus neural{"hunyuan3d", false, {}};
    if (!rt.available) {
        neural.detail = "not part of this build (" + rt.detail + ")";
    } else {
        try {
            const ModelFolderInfo m = resolveModelFolder(settings.modelPath);
            neural.available = true;
            neural.detail = m.path + " on " +
                            (rt.cudaAvailable ? rt.cudaDeviceNames.empty() ? std::string("cuda") : rt.cudaDeviceNames[0]
                                              : std::string("the CPU (slow: no CUDA device)")) +
                            ", LibTorch " + rt.torchVersion;
        } catch (const ModelError& e) {
            neural.detail = e.message();
        }
    }
    out.push_back(neural);
    return out;
}

void BackendProvider::releaseModels()
{
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.models.clear();
}

} // namespace orfeas
