// The one path that runs a job. Each stage is timed, reports progress, checks cancellation, and turns any
// failure into an orfeas::Error that names the stage and the input.

#include "orfeas/pipeline.h"

#include "foundation/atomic_file.h"
#include "orfeas/backends.h"
#include "orfeas/batch.h"
#include "orfeas/errors.h"
#include "orfeas/exporter.h"
#include "orfeas/image_io.h"
#include "orfeas/marching_cubes.h"
#include "orfeas/mesh_processing.h"
#include "orfeas/preprocess.h"
#include "orfeas/texture.h"

#include <chrono>
#include <filesystem>
#include <future>
#include <new>

#include <unistd.h>

namespace fs = std::filesystem;

namespace orfeas {

namespace {

std::string hostName()
{
    char buf[256] = {0};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return {};
    return buf;
}

std::string defaultStem(const JobRequest& r)
{
    if (!r.outputStem.empty())
        return sanitizeStem(r.outputStem);
    if (!r.inputPath.empty())
        return sanitizeStem(fs::path(r.inputPath).stem().string());
    return sanitizeStem(r.inputName.empty() ? "image" : fs::path(r.inputName).stem().string());
}

std::string displayName(const JobRequest& r)
{
    if (!r.inputName.empty())
        return r.inputName;
    return r.inputPath.empty() ? std::string("image") : r.inputPath;
}

ExportRequest exportRequestFor(const JobRequest& r)
{
    ExportRequest e;
    e.directory = r.outputDir;
    e.stem = defaultStem(r);
    e.formats = r.settings.formats;
    e.overwrite = r.overwrite;
    return e;
}

std::string reportPathFor(const JobRequest& r)
{
    return (fs::path(r.outputDir) / (defaultStem(r) + ".report.json")).string();
}

// Runs one stage: times it, reports start and end, converts foreign exceptions into our typed errors.
template <typename Fn>
auto runStage(RunContext& ctx, Stage stage, const std::string& path, Fn&& fn)
{
    ctx.throwIfCancelled(stage);
    ScopedTimer timer(ctx.profiler(), std::string(stageName(stage)));
    ctx.progress(stage, 0.0);
    try {
        if constexpr (std::is_void_v<decltype(fn())>) {
            fn();
            ctx.progress(stage, 1.0);
        } else {
            auto result = fn();
            ctx.progress(stage, 1.0);
            return result;
        }
    } catch (Error& e) {
        e.addContext(stage, e.kind() == ErrorKind::BadInput ? path : std::string());
        throw;
    } catch (const std::bad_alloc&) {
        throw DeviceError("out of memory", false, stage);
    } catch (const std::exception& e) {
        throw InternalError(std::string("unexpected error: ") + e.what(), stage);
    }
}

} // namespace

std::vector<std::string> plannedOutputs(const JobRequest& request)
{
    if (request.outputDir.empty())
        return {};
    std::vector<std::string> out = plannedExportPaths(exportRequestFor(request));
    if (request.writeRunReport)
        out.push_back(reportPathFor(request));
    return out;
}

namespace {

std::string markerPathFor(const JobRequest& r)
{
    return (fs::path(r.outputDir) / ("." + defaultStem(r) + ".orfeas-writing")).string();
}

bool nonEmptyFile(const std::string& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec) && fs::file_size(p, ec) > 0;
}

bool anyExists(const std::vector<std::string>& paths)
{
    std::error_code ec;
    for (const auto& p : paths)
        if (fs::exists(fs::symlink_status(p, ec)))
            return true;
    return false;
}

// Marks "this run is moving files into place"; removed once the report is in place.
class WritingMarker {
public:
    explicit WritingMarker(std::string path)
        : m_path(std::move(path))
    {
        const std::string text = "orfeas run in progress on " + hostName() + "\n";
        detail::writeWholeFile(m_path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    }
    ~WritingMarker()
    {
        if (!m_keep)
            detail::removeQuietly(m_path);
    }
    // Leave the marker: files of this run are in place but the run did not finish.
    void keep() { m_keep = true; }

private:
    std::string m_path;
    bool m_keep = false;
};

} // namespace

OutputState outputState(const JobRequest& request)
{
    if (request.outputDir.empty())
        return OutputState::Missing;
    const auto models = plannedExportPaths(exportRequestFor(request));
    bool allModels = true;
    for (const auto& p : models)
        allModels = allModels && nonEmptyFile(p);
    // Model files only appear by rename of finished files; the report is moved last.
    if (allModels && (!request.writeRunReport || nonEmptyFile(reportPathFor(request))))
        return OutputState::Complete;
    std::error_code ec;
    const bool marker = fs::exists(markerPathFor(request), ec);
    if (!anyExists(plannedOutputs(request)))
        return OutputState::Missing;
    return marker ? OutputState::Interrupted : OutputState::Foreign;
}

bool removeStaleWritingMarker(const JobRequest& request)
{
    if (request.outputDir.empty() || outputState(request) != OutputState::Complete)
        return false;
    std::error_code ec;
    return fs::remove(markerPathFor(request), ec);
}

bool outputsComplete(const JobRequest& request)
{
    return outputState(request) == OutputState::Complete;
}

JobResult runJob(const JobRequest& request, RunContext& ctx)
{
    const auto started = std::chrono::steady_clock::now();
    const std::string input = displayName(request);
    JobResult result;
    RunReport& report = result.report;
    report.input = input;
    report.settings = request.settings;
    report.startedAt = isoTimestampUtc();
    report.host = hostName();

    request.settings.validate();
    if (request.inputPath.empty() && !request.image)
        throw BadInputError("no input image given", {}, Stage::ImageLoading);

    // Refuse early, before any work, if we would have to overwrite something the user has.
    if (!request.outputDir.empty()) {
        std::error_code ec;
        if (!fs::is_directory(request.outputDir, ec))
            throw ExportError("output folder does not exist", request.outputDir);
        if (!request.overwrite) {
            for (const auto& p : plannedOutputs(request)) {
                if (fs::exists(fs::symlink_status(p, ec)))
                    throw ExportError("output file already exists (use overwrite to replace it)", p);
            }
        }
    }

    ImageRGBA8 image = runStage(ctx, Stage::ImageLoading, request.inputPath, [&] {
        return request.image ? *request.image : loadImage(request.inputPath);
    });

    PreprocessedImage pre = runStage(ctx, Stage::ImagePreprocessing, request.inputPath, [&] {
        PreprocessOptions opts;
        opts.size = request.settings.imageSize;
        opts.borderRatio = request.settings.borderRatio;
        opts.backgroundTolerance = request.settings.backgroundTolerance;
        return preprocessImage(image, opts, &ctx);
    });
    if (request.keepIntermediates)
        result.inputImage = std::move(image);
    else
        image = {};

    // The texture image depends on the image and the settings, not on the mesh: it is made on a thread of its own
    // while the shape is generated (the GPU's stage, or the classic backend's), and projected onto the mesh later.
    // Its time is recorded as texture_synthesis/image_overlapped. Declared after `pre`, which it reads: a stage
    // that throws first waits for it in the future's destructor.
    TextureOptions textureOptions;
    textureOptions.textureSize = request.settings.textureSize;
    std::future<ImageRGBA8> textureImage = std::async(std::launch::async, [&pre, textureOptions, &ctx] {
        const ScopedTimer timer(ctx.profiler(), "texture_synthesis/image_overlapped");
        return prepareTextureImage(pre, textureOptions, &ctx);
    });

    ShapeResult shape = runStage(ctx, Stage::ShapeGeneration, request.inputPath, [&] {
        std::shared_ptr<ShapeBackend> backend = BackendProvider::instance().acquire(request.settings, ctx);
        return backend->generate(pre, request.settings, ctx);
    });
    report.backend = shape.backendName;
    report.model = shape.modelDescription;
    report.pointsEvaluated = shape.volume.pointsEvaluated;
    report.peakGpuMemoryMB = shape.peakGpuMemoryMB;
    report.warnings = pre.warnings;
    report.warnings.insert(report.warnings.end(), shape.warnings.begin(), shape.warnings.end());

    Mesh mesh = runStage(ctx, Stage::SurfaceExtraction, request.inputPath, [&] {
        Mesh m;
        if (!shape.volume.isValid())
            throw MeshingError("the shape backend produced an invalid volume");
        if (shape.volume.values.empty() && shape.volume.device) {
            if (!shape.volume.device->extractSurface(shape.level, m)) {
                Volume host = shape.volume;
                host.values = shape.volume.device->download();
                host.device.reset();
                m = marchingCubes(host, shape.level, &ctx);
            }
        } else {
            m = marchingCubes(shape.volume, shape.level, &ctx);
        }
        if (m.empty())
            throw MeshingError("the generated shape has no surface (the volume is empty or entirely solid)");
        return m;
    });
    shape.volume = {}; // release the grid before the next stages

    runStage(ctx, Stage::MeshPostprocess, request.inputPath, [&] {
        PostprocessOptions opts;
        opts.faceBudget = request.settings.faceBudget;
        opts.minComponentRatio = request.settings.minComponentRatio;
        postprocessMesh(mesh, opts, &ctx);
    });

    runStage(ctx, Stage::TextureSynthesis, request.inputPath, [&] {
        ImageRGBA8 texture = textureImage.get();
        synthesizeTexture(mesh, pre, shape.frame, textureOptions, &ctx, &texture);
    });
    report.vertices = std::int64_t(mesh.vertexCount());
    report.faces = std::int64_t(mesh.faceCount());

    std::optional<WritingMarker> marker;
    if (!request.outputDir.empty()) {
        const auto modelPaths = plannedExportPaths(exportRequestFor(request));
        const bool hadFiles = anyExists(modelPaths);
        try {
            result.outputs = runStage(ctx, Stage::MeshExport, request.inputPath, [&] {
                marker.emplace(markerPathFor(request));
                return exportMesh(mesh, exportRequestFor(request), &ctx);
            });
        } catch (...) {
            // Keep the marker only if this run left files of its own under final names.
            if (marker && !hadFiles && anyExists(modelPaths))
                marker->keep();
            throw;
        }
        report.outputs = result.outputs;
    }
    report.status = "done";
    report.timings = ctx.profiler().records();
    report.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (!request.outputDir.empty() && request.writeRunReport) {
        const std::string path = reportPathFor(request);
        const std::string json = runReportToJson(report);
        try {
            detail::writeFileAtomically(path, {reinterpret_cast<const std::uint8_t*>(json.data()), json.size()},
                                        request.overwrite);
        } catch (Error& e) {
            if (marker)
                marker->keep(); // the models are in place without their report: a rerun may replace them
            e.addContext(Stage::MeshExport, path);
            throw;
        }
        result.outputs.push_back(path);
    }
    if (request.keepIntermediates)
        result.preprocessed = std::move(pre);
    result.mesh = std::move(mesh);
    return result;
}

} // namespace orfeas
