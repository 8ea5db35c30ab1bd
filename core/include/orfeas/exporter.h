#pragma once
// Writing meshes through Assimp: GLB (embedded texture), OBJ + MTL + PNG, STL, PLY (vertex colours).

#include "orfeas/run_context.h"
#include "orfeas/settings.h"
#include "orfeas/types.h"

#include <string>
#include <vector>

namespace orfeas {

struct ExportRequest {
    std::string directory; // must exist and be writable
    std::string stem; // file stem, e.g. "chair" -> chair.glb
    std::vector<ExportFormat> formats;
    bool overwrite = false; // without it an existing file is an ExportError and nothing is written
};

// The final paths that exporting `request` would write for a textured mesh: primary files first, in the order of
// `formats` (duplicates dropped): <stem>.glb|.obj|.stl|.ply; then the OBJ's companions <stem>.mtl and
// <stem>_texture.png (not <stem>.png, which is often the input image itself). Thread-safe.
std::vector<std::string> plannedExportPaths(const ExportRequest& request);

// Writes every requested format: GLB (glTF 2 binary, texture embedded as PNG; vertex colours only for an
// untextured mesh, since glTF multiplies them into the texture), OBJ + MTL (+ PNG, referenced by relative name
// from map_Kd, only when the mesh has a texture), binary STL, ASCII PLY with vertex colours. The same mesh gives
// byte-identical files. All files are first written under temporary names in the same folder and renamed into
// place only once every one succeeded, so a crash or an error never leaves a partial file under a final name
// (temporaries are removed on error; files created by this call are removed again if a later one cannot be moved
// into place). Without `overwrite`, any existing output is an ExportError before anything is written.
// Cancellation is checked between formats. Returns the written paths (same order as plannedExportPaths).
// Throws ExportError (with the path: the folder, or the file concerned) or CancelledError(mesh_export).
// Thread-safe.
std::vector<std::string> exportMesh(const Mesh& mesh, const ExportRequest& request, RunContext* ctx = nullptr);

} // namespace orfeas
