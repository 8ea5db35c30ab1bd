#pragma once
// Loading a Hunyuan3D-2 safetensors file into a WeightStore, validated against the configuration's manifest first.

#include "orfeas/model_config.h"
#include "orfeas/run_context.h"
#include "orfeas/safetensors.h"

#include "neural_common.h"

#include <string>
#include <vector>

namespace orfeas::neural {

// The LibTorch type of a floating-point safetensors dtype; ModelError for integer and boolean dtypes.
at::ScalarType fileScalarType(TensorDType t);

// A CPU tensor of its own holding the tensor's bytes, read with read(2) rather than viewed through the file's memory
// mapping (a file truncated or overwritten meanwhile gives a ModelError, not SIGBUS). ModelError naming the tensor
// for a non-float dtype.
at::Tensor readTensor(const SafetensorsFile& file, const TensorInfo& info);

struct LoadedWeights {
    WeightStore store;
    std::string path;
    std::string fileDtype; // "F16", "F32", "BF16" or "mixed"
    std::vector<std::string> ignored; // tensors of the file that were not loaded (extras, optional parts)
};

// Opens `path`, checks it against `manifest` (ModelError naming the first problems, before anything is allocated),
// then converts every required tensor to `spec` (device and dtype). Progress on shape_generation/model_loading;
// cancellation between tensors. Throws ModelError, DeviceError, CancelledError.
LoadedWeights loadWeights(
    const std::string& path, const std::vector<ParameterSpec>& manifest, const ComputeSpec& spec, RunContext& ctx);

} // namespace orfeas::neural
