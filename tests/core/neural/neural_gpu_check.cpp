// orfeas-neural-gpu-check: the neural backend on a CUDA device against the tiny parity fixtures. Every stage of both
// fixtures against the reference in float32 and float16 (the fused GPU paths, and the guided pass with a batch of
// two), then two concurrent runs that share one sampling loop on the GPU (cross-job batching, switched on here),
// each against its run alone. Qt-free, so that it builds and runs on a GPU machine without Qt (app/bench builds it,
// with or without the tests); tests/core/neural registers it as the gpu-labelled test tst_neural_gpu.
// Exit codes: 0 passed, 1 failed, 77 no CUDA device.
//
// Usage: orfeas-neural-gpu-check [FIXTURES_DIR]   (default: the source tree's tests/data)

#include "orfeas/neural.h"

#include "neural_test_util.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

using namespace orfeas;

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what)
{
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok)
        ++g_failures;
}

void stagesOnCuda(const std::string& folder, Precision precision, double stageTolerance, double loopTolerance)
{
    ReferenceCheckOptions o;
    o.modelPath = folder;
    o.referencePath = folder + "/io.safetensors";
    o.device = "cuda";
    o.precision = precision;
    o.stageTolerance = stageTolerance;
    o.loopTolerance = loopTolerance;
    RunContext ctx;
    const ReferenceCheckReport report = checkAgainstReference(o, ctx);
    const std::string name
        = folder.substr(folder.find_last_of('/') + 1) + (precision == Precision::Fp32 ? " fp32" : " fp16");
    bool sawBatch = false;
    for (const StageCheck& s : report.stages) {
        char line[256];
        std::snprintf(line, sizeof line, "%s: %-14s relative %.3g (tolerance %.3g)", name.c_str(), s.stage.c_str(),
            s.relError, s.tolerance);
        check(s.passed, line);
        sawBatch = sawBatch || s.stage == "sampling_batch";
    }
    check(sawBatch, name + ": the batched sampling stage ran");
    check(report.passed() && report.skipped.empty(), name + ": all stages present and passed");
}

// Two runs started together (neuraltest::runTwoTogether) against the same two runs one after the other.
void batchedRunsOnCuda(const std::string& folder)
{
    setenv("ORFEAS_BATCH_SAMPLING", "1", 1);
    setenv("ORFEAS_GPU_CONCURRENT_RUNS", "2", 1); // two slots whatever the GPU's memory
    HunyuanLoadOptions o;
    o.modelPath = folder;
    o.device = "cuda";
    o.precision = Precision::Fp32;
    RunContext load;
    const auto backend = loadHunyuan3DBackend(o, load);
    unsetenv("ORFEAS_BATCH_SAMPLING");
    unsetenv("ORFEAS_GPU_CONCURRENT_RUNS");
    JobSettings s;
    s.backend = BackendChoice::Hunyuan3D;
    s.steps = 6;
    s.guidance = 5.0f;
    s.octreeResolution = 16;
    s.decoder = DecoderMode::Dense;
    s.precision = Precision::Fp32;
    const PreprocessedImage image = neuraltest::fixtureImage(folder, /*alphaFromFile=*/true);
    const std::uint64_t seeds[2] = { 21, 22 };
    std::vector<std::vector<float>> alone;
    for (const auto seed : seeds) {
        s.seed = seed;
        RunContext ctx;
        alone.push_back(backend->generate(image, s, ctx).volume.values);
    }
    const neuraltest::TwoRuns r = neuraltest::runTwoTogether(*backend, image, s, seeds[0], seeds[1]);
    check(r.errors.empty(),
        "two concurrent runs: no error" + (r.errors.empty() ? std::string() : ": " + r.errors.front()));
    const std::string logs = r.logs[0] + r.logs[1];
    check(logs.find("one loop for this job and 1 other job(s)") != std::string::npos,
        "two concurrent runs: one led a batch of two");
    check(logs.find("were sampled in one loop with 1 other job(s)") != std::string::npos,
        "two concurrent runs: the other followed");
    for (std::size_t i = 0; i < 2; ++i) {
        const float worst = neuraltest::maxDifference(r.volumes[i], alone[i]);
        char line[160];
        std::snprintf(line, sizeof line,
            "two concurrent runs: run %zu heard of step %d of %d; its volume differs from its run alone by %.3g "
            "(bound 1e-3)",
            i, r.lastStep[i], s.steps, double(worst));
        check(r.lastStep[i] == s.steps && worst < 1e-3f, line);
    }
}

} // namespace

int main(int argc, char** argv)
{
    const std::string data = argc > 1 ? argv[1] : ORFEAS_FIXTURES_DIR;
    try {
        const auto info = neuralRuntimeInfo();
        if (!info.available || info.cudaDeviceCount == 0) {
            std::printf("skipped: no CUDA device (or built without LibTorch)\n");
            return 77;
        }
        // The bounds `orfeas model check` uses by default (app/cli/cli_model.cpp).
        for (const char* f : { "hy3d-tiny", "hy3d-tiny-turbo" }) {
            stagesOnCuda(data + "/" + f, Precision::Fp32, 2e-5, 1e-4);
            stagesOnCuda(data + "/" + f, Precision::Fp16, 5e-3, 2e-2);
        }
        batchedRunsOnCuda(data + "/hy3d-tiny");
    } catch (const std::exception& e) {
        std::printf("FAIL %s\n", e.what());
        return 1;
    }
    std::printf(g_failures == 0 ? "PASSED\n" : "FAILED: %d check(s)\n", g_failures);
    return g_failures == 0 ? 0 : 1;
}
