// Loads a Hunyuan3D-2 model folder on the CPU and breaks it while it loads: after tensor k has been converted, the
// weights file is truncated to a fraction of its size, deleted, or replaced, or the run is cancelled. Run as a
// child process by tst_faults_model, so that a crash (SIGBUS from a truncated mapping, say) is observed as a crash
// instead of taking the test down.
//
// Usage: rel_model_fault_helper <truncate|delete|replace|cancel|none> <model folder> <k>
// Exit status: 0 loaded, 10 ModelError, 11 CancelledError, 12 another orfeas::Error, 13 another exception.
// The error's text is printed on stdout.
#include "orfeas/errors.h"
#include "orfeas/model_config.h"
#include "orfeas/neural.h"

#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace orfeas;

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s <truncate|delete|replace|cancel|none> <model folder> <k>\n", argv[0]);
        return 2;
    }
    const std::string mode = argv[1];
    const std::string folder = argv[2];
    const int k = std::stoi(argv[3]);
    const std::string weights = locateWeightsFile(folder, WeightsPreference::Fp32);

    CancelToken token;
    bool done = false;
    RunContext ctx(
        [&](const ProgressEvent& e) {
            if (done || e.subStage != "model_loading" || e.step < k)
                return;
            done = true;
            if (mode == "truncate") {
                ::truncate(weights.c_str(), off_t(fs::file_size(weights) / 3));
            } else if (mode == "delete") {
                fs::remove(weights);
            } else if (mode == "replace") { // what `cp other.safetensors model.safetensors` does: same inode, new bytes
                std::FILE* f = std::fopen(weights.c_str(), "r+b");
                if (f) {
                    const std::string junk(4096, 'z');
                    std::fseek(f, long(fs::file_size(weights) / 2), SEEK_SET);
                    std::fwrite(junk.data(), 1, junk.size(), f);
                    std::fclose(f);
                }
                ::truncate(weights.c_str(), off_t(fs::file_size(weights) / 2 + 4096));
            } else if (mode == "cancel") {
                token.cancel();
            }
        },
        {}, token);

    HunyuanLoadOptions o;
    o.modelPath = folder;
    o.device = "cpu";
    o.precision = Precision::Fp32;
    o.weights = WeightsPreference::Fp32;
    try {
        const auto backend = loadHunyuan3DBackend(o, ctx);
        std::printf("loaded%s\n", done ? " (after the fault)" : " (no fault applied)");
        return 0;
    } catch (const ModelError& e) {
        std::printf("%s\n", e.what());
        return 10;
    } catch (const CancelledError& e) {
        std::printf("%s\n", e.what());
        return 11;
    } catch (const Error& e) {
        std::printf("%s\n", e.what());
        return 12;
    } catch (const std::exception& e) {
        std::printf("%s\n", e.what());
        return 13;
    }
}
