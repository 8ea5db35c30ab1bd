#pragma once
// Finding Hunyuan3D-2 model folders on the user's disk (torch-free: reads config.yaml and safetensors headers only).
// Layouts: $HY3DGEN_MODELS/<org>/<repo>/<subfolder>/ (default ~/.cache/hy3dgen), the Hugging Face cache
// (~/.cache/huggingface/hub/models--<org>--<repo>/snapshots/<hash>/<subfolder>/, or $HF_HUB_CACHE / $HF_HOME/hub),
// or an explicit folder.

#include <cstdint>
#include <string>
#include <vector>

namespace orfeas {

struct ModelFolderInfo {
    std::string path;                     // the folder holding config.yaml
    std::string repo;                     // "tencent/Hunyuan3D-2" when the layout tells, else empty
    std::string variant;                  // the folder's name, e.g. "hunyuan3d-dit-v2-0"
    std::vector<std::string> weightsFiles; // safetensors files present (fp16 first)
    std::string weightsFile;              // the one we would load (model.fp16.safetensors preferred)
    std::string dtype;                    // dtype of most tensors in weightsFile ("F16", "F32", "BF16")
    std::uint64_t bytes = 0;              // size of weightsFile
    std::int64_t parameters = 0;          // elements in weightsFile
    bool guidanceEmbed = false;           // guidance-distilled (-fast / -turbo) denoiser
    std::string scheduler;                // scheduler class named in config.yaml
    bool usable = false;                  // has a config with a denoiser and readable safetensors weights
    std::string problem;                  // why not usable (e.g. "only a pickle checkpoint (.ckpt)")
};

// The roots searched, in order (existing or not). Thread-safe.
std::vector<std::string> modelSearchRoots();

// Inspects one folder; never throws (problems go into `problem`). Thread-safe.
ModelFolderInfo inspectModelFolder(const std::string& folder);

// Every generator folder (config with a denoiser) under the search roots and `extraRoots`, usable or not, sorted
// by path. Thread-safe.
std::vector<ModelFolderInfo> discoverModelFolders(const std::vector<std::string>& extraRoots = {});

// Resolves what a user typed (--model): an existing folder, "<org>/<repo>/<subfolder>", "<org>/<repo>" (first usable
// generator in it) or a bare subfolder name ("hunyuan3d-dit-v2-0"); empty: the first usable folder found, preferring
// hunyuan3d-dit-v2-0. Throws ModelError explaining what was searched when nothing usable is found.
ModelFolderInfo resolveModelFolder(const std::string& spec);

} // namespace orfeas
