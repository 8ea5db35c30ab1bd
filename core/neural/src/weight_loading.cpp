#include "weight_loading.h"

#include "orfeas/errors.h"
#include "orfeas/safetensors.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

namespace orfeas::neural {

at::ScalarType fileScalarType(TensorDType t)
{
    switch (t) {
    case TensorDType::F32:
        return at::kFloat;
    case TensorDType::F16:
        return at::kHalf;
    case TensorDType::BF16:
        return at::kBFloat16;
    case TensorDType::F64:
        return at::kDouble;
    default:
        break;
    }
    throw ModelError(std::string("a ") + dtypeName(t) + " tensor where a floating-point one is needed");
}

// A CPU tensor of its own holding the tensor's bytes, read with read(2) rather than viewed through the file's
// memory mapping: a weights file truncated or overwritten while it loads then gives a ModelError instead of
// ending the process with SIGBUS (docs/reliability.md).
at::Tensor readTensor(const SafetensorsFile& file, const TensorInfo& info)
{
    at::ScalarType type;
    try {
        type = fileScalarType(info.dtype);
    } catch (const ModelError&) {
        throw ModelError("tensor '" + info.name + "' has dtype " + dtypeName(info.dtype)
                + "; only F32, F16, BF16 and F64 tensors are read",
            file.path());
    }
    const auto options = at::TensorOptions().dtype(type).device(at::kCPU);
    const std::vector<std::int64_t> shape(info.shape.begin(), info.shape.end());
    at::Tensor t = at::empty(shape, options);
    file.readInto(info, t.data_ptr());
    return t;
}


LoadedWeights loadWeights(
    const std::string& path, const std::vector<ParameterSpec>& manifest, const ComputeSpec& spec, RunContext& ctx)
{
    const SafetensorsFile file(path); // validates the header completely (ModelError with the path)
    const WeightsCheck check = checkWeights(file, manifest);
    if (!check.ok())
        throw ModelError("the weights do not match the model configuration: " + check.errorSummary(), path);

    LoadedWeights out;
    out.path = path;
    out.ignored = check.ignored;
    for (const auto& p : manifest) {
        if (p.optional && file.contains(p.name))
            out.ignored.push_back(p.name);
    }
    if (!check.ignored.empty())
        ctx.log(LogLevel::Warning,
            std::to_string(check.ignored.size())
                + " tensor(s) of the weights file are not part of the model and are ignored, "
                  "e.g. "
                + check.ignored.front());

    std::vector<const ParameterSpec*> needed;
    for (const auto& p : manifest) {
        if (!p.optional)
            needed.push_back(&p);
    }
    std::string dtypes;
    const int total = int(needed.size());
    int lastReported = -1;

    // Tensors are read and moved to the device by a few threads, running at most kWindow tensors ahead of this
    // thread, which stores them in manifest order (reading from the page cache is a memory copy, and one thread
    // does about 2 GB/s of it plus the upload).
    constexpr std::size_t kWindow = 32;
    const int workers = int(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1u, 4u));
    std::vector<std::promise<at::Tensor>> promises(static_cast<std::size_t>(total));
    std::vector<std::future<at::Tensor>> futures;
    futures.reserve(promises.size());
    for (auto& p : promises)
        futures.push_back(p.get_future());
    std::atomic<std::size_t> nextIndex { 0 };
    std::mutex mutex;
    std::condition_variable progressed;
    std::size_t consumed = 0;
    bool stop = false;
    const auto work = [&] {
        for (;;) {
            const std::size_t i = nextIndex++;
            if (i >= std::size_t(total))
                return;
            {
                std::unique_lock<std::mutex> lock(mutex);
                progressed.wait(lock, [&] { return stop || i < consumed + kWindow; });
                if (stop)
                    return;
            }
            try {
                const TensorInfo& info = *file.find(needed[i]->name);
                // The read tensor is ours: no second copy when it already has the device and dtype.
                promises[i].set_value(
                    readTensor(file, info).to(spec.device, spec.dtype, /*non_blocking=*/false, /*copy=*/false));
            } catch (...) {
                promises[i].set_exception(std::current_exception());
            }
        }
    };
    std::vector<std::thread> pool;
    const auto finish = [&] {
        {
            const std::lock_guard<std::mutex> lock(mutex);
            stop = true;
        }
        progressed.notify_all();
        for (auto& t : pool)
            t.join();
        pool.clear();
    };
    try {
        for (int w = 0; w < workers; ++w)
            pool.emplace_back(work);
        for (int i = 0; i < total; ++i) {
            if (ctx.isCancelled())
                throw CancelledError(Stage::ShapeGeneration);
            const TensorInfo& info = *file.find(needed[std::size_t(i)]->name);
            const std::string dt = dtypeName(info.dtype);
            if (dtypes.empty())
                dtypes = dt;
            else if (dtypes != dt)
                dtypes = "mixed";
            at::Tensor t = futures[std::size_t(i)].get();
            {
                const std::lock_guard<std::mutex> lock(mutex);
                consumed = std::size_t(i) + 1;
            }
            progressed.notify_all();
            out.store.insert(info.name, std::move(t));
            const int percent = int(100.0 * (i + 1) / total);
            if (percent != lastReported) {
                lastReported = percent;
                ctx.progressStep(Stage::ShapeGeneration, "model_loading", i + 1, total, 0.0,
                    "loading weights " + std::to_string(i + 1) + "/" + std::to_string(total));
            }
        }
        finish();
    } catch (...) {
        finish();
        rethrowAsEngineError("model loading");
    }
    out.fileDtype = dtypes;
    return out;
}

} // namespace orfeas::neural
