#include "orfeas/exporter.h"

#include "orfeas/errors.h"
#include "orfeas/image_io.h"

#include "export/assimp_scene.h"
#include "export/memory_io_system.h"
#include "foundation/atomic_file.h"

#include <algorithm>
#include <assimp/Exporter.hpp>
#include <assimp/scene.h>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace orfeas {

namespace {

constexpr Stage kStage = Stage::MeshExport;

struct OutputFile {
    std::string finalPath;
    std::vector<std::uint8_t> bytes;
};

std::string joinPath(const std::string& directory, const std::string& name)
{
    return (fs::path(directory) / name).string();
}

std::string textureFileName(const std::string& stem)
{
    // Not "<stem>.png": that is often the very input image lying in the same folder.
    return stem + "_texture.png";
}

std::vector<ExportFormat> uniqueFormats(const std::vector<ExportFormat>& formats)
{
    std::vector<ExportFormat> out;
    for (const ExportFormat f : formats)
        if (std::find(out.begin(), out.end(), f) == out.end())
            out.push_back(f);
    return out;
}

void validateRequest(const ExportRequest& request)
{
    if (request.directory.empty())
        throw ExportError("no output folder given");
    const std::string& stem = request.stem;
    if (stem.empty() || stem == "." || stem == ".." || stem.find('/') != std::string::npos
        || stem.find('\\') != std::string::npos || stem.find('\0') != std::string::npos)
        throw ExportError("invalid output file name '" + stem + "' (it must be a plain name without folders)",
            joinPath(request.directory, stem));
    if (request.formats.empty())
        throw ExportError("no output format requested", request.directory);
}

void checkDirectory(const std::string& directory)
{
    struct stat st { };
    if (::stat(directory.c_str(), &st) != 0) {
        if (errno == ENOENT)
            throw ExportError("the output folder does not exist", directory);
        throw ExportError(std::string("the output folder cannot be reached: ") + std::strerror(errno), directory);
    }
    if (!S_ISDIR(st.st_mode))
        throw ExportError("the output folder is not a folder", directory);
}

bool pathExists(const std::string& path)
{
    struct stat st { };
    return ::lstat(path.c_str(), &st) == 0;
}

bool isDirectory(const std::string& path)
{
    struct stat st { };
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Runs one Assimp exporter into memory. `virtualName` is the file name the exporter sees (it derives companion
// names such as the .mtl from it); the returned files carry their final paths in `directory`.
std::vector<OutputFile> runAssimp(
    const aiScene& scene, const char* formatId, const std::string& virtualName, const std::string& directory)
{
    std::vector<OutputFile> out;
    const std::string primary = joinPath(directory, virtualName);
    try {
        Assimp::Exporter exporter;
        auto* io = new exporting::MemoryIOSystem(); // owned by the exporter
        exporter.SetIOHandler(io);
        if (exporter.Export(&scene, formatId, virtualName.c_str()) != AI_SUCCESS)
            throw ExportError(std::string("Assimp could not write the file: ") + exporter.GetErrorString(), primary);
        for (const auto& [name, bytes] : io->files()) {
            if (name.find('/') != std::string::npos || name.empty())
                throw ExportError("Assimp wrote an unexpected companion file '" + name + "'", primary);
            out.push_back(OutputFile { joinPath(directory, name), *bytes });
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw ExportError(std::string("Assimp failed: ") + e.what(), primary);
    }
    // Primary file first.
    std::stable_partition(out.begin(), out.end(), [&](const OutputFile& f) { return f.finalPath == primary; });
    if (out.empty() || out.front().finalPath != primary || out.front().bytes.empty())
        throw ExportError("Assimp produced no data", primary);
    return out;
}

class FormatWriter {
public:
    FormatWriter(const Mesh& mesh, const ExportRequest& request, RunContext* ctx)
        : m_mesh(mesh)
        , m_request(request)
        , m_ctx(ctx)
        , m_hasTexture(mesh.texture.isValid() && mesh.uvs.size() == mesh.positions.size())
    {
    }

    bool hasTexture() const noexcept { return m_hasTexture; }

    std::vector<OutputFile> render(ExportFormat format)
    {
        std::optional<ScopedTimer> timer;
        if (m_ctx)
            timer.emplace(m_ctx->profiler(), "mesh_export/" + std::string(formatExtension(format)));
        const std::string& stem = m_request.stem;
        const std::string& dir = m_request.directory;
        exporting::SceneOptions options;
        options.name = stem;
        switch (format) {
        case ExportFormat::Glb: {
            // glTF multiplies COLOR_0 into the base colour texture: vertex colours only without a texture.
            options.withUvs = m_hasTexture;
            options.withColors = !m_hasTexture && !m_mesh.colors.empty();
            if (m_hasTexture)
                options.embeddedPng = png();
            const auto scene = exporting::buildScene(m_mesh, options);
            return runAssimp(*scene, "glb2", stem + ".glb", dir);
        }
        case ExportFormat::Obj: {
            options.withUvs = m_hasTexture;
            if (m_hasTexture)
                options.textureFile = textureFileName(stem);
            const auto scene = exporting::buildScene(m_mesh, options);
            std::vector<OutputFile> files = runAssimp(*scene, "obj", stem + ".obj", dir);
            if (m_hasTexture)
                files.push_back(OutputFile { joinPath(dir, textureFileName(stem)), png() });
            return files;
        }
        case ExportFormat::Stl: {
            options.flatFaces = true;
            const auto scene = exporting::buildScene(m_mesh, options);
            return runAssimp(*scene, "stlb", stem + ".stl", dir);
        }
        case ExportFormat::Ply: {
            // ASCII: Assimp 5.2's binary PLY writer stores colours as floats under a uchar header.
            options.withColors = !m_mesh.colors.empty();
            options.colorsForTruncation = true;
            const auto scene = exporting::buildScene(m_mesh, options);
            return runAssimp(*scene, "ply", stem + ".ply", dir);
        }
        }
        throw InternalError("unknown export format", kStage);
    }

private:
    const std::vector<std::uint8_t>& png()
    {
        if (!m_pngDone) {
            std::optional<ScopedTimer> timer;
            if (m_ctx)
                timer.emplace(m_ctx->profiler(), "mesh_export/png_encode");
            m_png = encodePng(m_mesh.texture);
            m_pngDone = true;
        }
        return m_png;
    }

    const Mesh& m_mesh;
    const ExportRequest& m_request;
    RunContext* m_ctx;
    bool m_hasTexture;
    bool m_pngDone = false; // encoded once, shared by GLB and OBJ
    std::vector<std::uint8_t> m_png;
};

// The final paths exporting would write for this mesh, in the order of plannedExportPaths.
std::vector<std::string> pathsFor(const ExportRequest& request, bool withTexture)
{
    std::vector<std::string> primary, companions;
    for (const ExportFormat f : uniqueFormats(request.formats)) {
        primary.push_back(joinPath(request.directory, request.stem + "." + std::string(formatExtension(f))));
        if (f == ExportFormat::Obj) {
            companions.push_back(joinPath(request.directory, request.stem + ".mtl"));
            if (withTexture)
                companions.push_back(joinPath(request.directory, textureFileName(request.stem)));
        }
    }
    primary.insert(primary.end(), companions.begin(), companions.end());
    return primary;
}

} // namespace

std::vector<std::string> plannedExportPaths(const ExportRequest& request)
{
    return pathsFor(request, true);
}

std::vector<std::string> exportMesh(const Mesh& mesh, const ExportRequest& request, RunContext* ctx)
{
    validateRequest(request);
    if (mesh.empty())
        throw ExportError("the mesh is empty: nothing to export", request.directory);
    if (!mesh.isValid())
        throw ExportError("the mesh is inconsistent (attribute sizes or indices out of range)", request.directory);
    checkDirectory(request.directory);

    FormatWriter writer(mesh, request, ctx);
    const std::vector<std::string> finals = pathsFor(request, writer.hasTexture());
    for (const std::string& path : finals) {
        if (isDirectory(path))
            throw ExportError("a folder is in the way of the output file", path);
        if (!request.overwrite && pathExists(path))
            throw ExportError("the output file already exists (use overwrite to replace it)", path);
    }

    const std::vector<ExportFormat> formats = uniqueFormats(request.formats);
    std::vector<std::pair<std::string, std::string>> temporaries; // (temporary, final)
    std::vector<std::string> committed;
    try {
        for (std::size_t i = 0; i < formats.size(); ++i) {
            if (ctx) {
                ctx->throwIfCancelled(kStage);
                ctx->progress(kStage, double(i) / double(formats.size() + 1),
                    "writing " + std::string(formatExtension(formats[i])));
            }
            for (OutputFile& file : writer.render(formats[i])) {
                const std::string tmp = detail::temporaryPathFor(file.finalPath);
                temporaries.emplace_back(tmp, file.finalPath);
                std::optional<ScopedTimer> timer;
                if (ctx)
                    timer.emplace(ctx->profiler(), "mesh_export/write_files");
                try {
                    detail::writeWholeFile(tmp, file.bytes);
                } catch (const ExportError& e) {
                    throw ExportError(
                        "cannot write " + fs::path(file.finalPath).filename().string() + ": " + e.message(),
                        file.finalPath);
                }
            }
        }
        if (ctx) {
            ctx->throwIfCancelled(kStage);
            ctx->progress(kStage, double(formats.size()) / double(formats.size() + 1), "moving files into place");
        }
        for (const auto& [tmp, final] : temporaries) {
            detail::commitTemporary(tmp, final, request.overwrite);
            committed.push_back(final);
        }
    } catch (...) {
        for (const auto& [tmp, final] : temporaries)
            if (std::find(committed.begin(), committed.end(), final) == committed.end())
                detail::removeQuietly(tmp);
        // All or nothing: files this call created are taken back. Files it replaced (overwrite) stay, since the
        // previous contents are gone either way and the new ones are complete.
        if (!request.overwrite)
            for (const std::string& path : committed)
                detail::removeQuietly(path);
        throw;
    }
    if (ctx)
        ctx->progress(kStage, 1.0, "exported");
    std::vector<std::string> written;
    for (const std::string& path : finals)
        if (std::find(committed.begin(), committed.end(), path) != committed.end())
            written.push_back(path);
    return written;
}

} // namespace orfeas
