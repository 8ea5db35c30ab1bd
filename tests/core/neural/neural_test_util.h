#pragma once
// Helpers shared by the neural backend's tests on the tiny fixtures (CPU, public API).

#include "orfeas/neural.h"
#include "orfeas/safetensors.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace orfeas::neuraltest {

// The fixture's preprocessed image and mask (stored in [-1, 1] in io.safetensors) back as 8-bit images.
inline PreprocessedImage fixtureImage(const std::string& folder, bool alphaFromFile)
{
    const SafetensorsFile io(folder + "/io.safetensors");
    const auto image = io.toFloat32("pre.image");
    const auto mask = io.toFloat32("pre.mask");
    const int side = int(io.find("pre.image")->shape[3]);
    PreprocessedImage p;
    p.image.width = p.image.height = side;
    p.image.pixels.assign(std::size_t(side) * side * 4, 255);
    p.mask.width = p.mask.height = side;
    p.mask.values.resize(std::size_t(side) * side);
    const std::size_t plane = std::size_t(side) * side;
    for (std::size_t i = 0; i < plane; ++i) {
        for (std::size_t c = 0; c < 3; ++c)
            p.image.pixels[i * 4 + c] = std::uint8_t(std::lround((image[c * plane + i] + 1.0f) / 2.0f * 255.0f));
        p.mask.values[i] = mask[i] > 0 ? 255 : 0;
    }
    p.canvas = p.image;
    p.alphaFromFile = alphaFromFile;
    return p;
}

// A model folder loaded on the CPU in float32.
inline std::shared_ptr<ShapeBackend> loadOnCpu(
    const std::string& folder, WeightsPreference weights = HunyuanLoadOptions {}.weights)
{
    HunyuanLoadOptions o;
    o.modelPath = folder;
    o.device = "cpu";
    o.precision = Precision::Fp32;
    o.weights = weights;
    RunContext ctx;
    return loadHunyuan3DBackend(o, ctx);
}

// Two runs of `backend` started together on two threads (seeds seedA and seedB, otherwise `settings`), each
// waiting, once it is conditioning, until the other has begun too: both are then on their way to sampling when the
// first gets there (the sampling rendezvous waits only for runs it knows to be coming).
struct TwoRuns {
    std::vector<std::vector<float>> volumes { {}, {} };
    std::vector<std::string> logs { {}, {} };
    std::vector<int> lastStep { 0, 0 }; // the last diffusion step each run's progress reported
    std::vector<std::string> errors;
};
inline TwoRuns runTwoTogether(ShapeBackend& backend, const PreprocessedImage& image, const JobSettings& settings,
    std::uint64_t seedA, std::uint64_t seedB)
{
    TwoRuns r;
    std::mutex mutex;
    std::condition_variable bothStarted;
    int started = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
        threads.emplace_back([&, i] {
            const auto index = std::size_t(i);
            try {
                JobSettings mine = settings;
                mine.seed = i == 0 ? seedA : seedB;
                RunContext ctx(
                    [&, index](const ProgressEvent& e) {
                        if (e.subStage == "conditioning" && e.step == 0) {
                            std::unique_lock<std::mutex> lock(mutex);
                            ++started;
                            bothStarted.notify_all();
                            bothStarted.wait_for(lock, std::chrono::seconds(60), [&] { return started == 2; });
                        }
                        if (e.subStage == "diffusion_sampling") {
                            const std::lock_guard<std::mutex> lock(mutex);
                            r.lastStep[index] = e.step;
                        }
                    },
                    [&, index](LogLevel, const std::string& message) {
                        const std::lock_guard<std::mutex> lock(mutex);
                        r.logs[index] += message + "\n";
                    });
                r.volumes[index] = backend.generate(image, mine, ctx).volume.values;
            } catch (const std::exception& e) {
                const std::lock_guard<std::mutex> lock(mutex);
                r.errors.push_back(e.what());
            }
        });
    }
    for (auto& t : threads)
        t.join();
    return r;
}

// max |a - b| (infinity when the sizes differ).
inline float maxDifference(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size())
        return INFINITY;
    float worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

} // namespace orfeas::neuraltest
