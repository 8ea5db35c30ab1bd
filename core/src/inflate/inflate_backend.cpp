#include "orfeas/errors.h"
#include "orfeas/shape_backend.h"

#include "inflate/inflation.h"

namespace orfeas {

namespace {

// The classic backend: no weights, no device, stateless (so one instance serves any number of runs at once).
class InflateBackend final : public ShapeBackend {
public:
    std::string name() const override { return "inflate"; }

    ShapeResult generate(const PreprocessedImage& image, const JobSettings& settings, RunContext& ctx) override
    {
        ctx.throwIfCancelled(Stage::ShapeGeneration);
        inflate::InflateParams params;
        params.resolution = settings.resolution;
        params.thickness = settings.thickness;
        return inflate::inflateMask(image.mask, params, &ctx);
    }
};

} // namespace

std::unique_ptr<ShapeBackend> createInflateBackend()
{
    return std::make_unique<InflateBackend>();
}

} // namespace orfeas
