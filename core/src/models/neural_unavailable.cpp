// The neural API in a build without LibTorch (ORFEAS_WITH_TORCH=OFF): everything links and says why it cannot run.

#include "orfeas/errors.h"
#include "orfeas/neural.h"

namespace orfeas {

namespace {

const char* const kWhy = "this build of ORFEAS has no neural backend (built without LibTorch)";

} // namespace

std::shared_ptr<ShapeBackend> loadHunyuan3DBackend(const HunyuanLoadOptions& options, RunContext&)
{
    throw ModelError(kWhy, options.modelPath);
}

NeuralRuntimeInfo neuralRuntimeInfo()
{
    NeuralRuntimeInfo info;
    info.detail = kWhy;
    return info;
}

ReferenceCheckReport checkAgainstReference(const ReferenceCheckOptions& options, RunContext&)
{
    throw ModelError(kWhy, options.modelPath);
}

FieldFitReport fitGeometryField(const FieldFitOptions& options, RunContext&)
{
    throw ModelError(kWhy, options.modelPath);
}

} // namespace orfeas
