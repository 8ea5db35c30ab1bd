#pragma once
// Writing meshes through Assimp: GLB (embedded texture), OBJ + MTL + PNG, STL, PLY (vertex colours).

#include "orfeas/run_context.h"
#include "orfeas/settings.h"
#include "orfeas/types.h"

#include <string>
#include <vector>

namespace orfeas {

struct ExportRequest {
    std::string directory;   // must exist and be writable
    std::string stem;        // file stem, e.g. "chair" -> chair.glb
    std::vector<ExportFormat> formats;
    bool overwrite = false;  // without it an existing file is an ExportError and nothing is written
};

// The final paths that exporting `request` would write (primary files first, then companions such as .mtl/.png).
std::vector<std::string> plannedExportPaths(const ExportRequest& request);

// Writes every requested format. All files are first written under temporary names in the same folder and
// renamed into place only once every one succeeded, so a crash or an error never leaves a partial file under a
// final name (temporaries are removed on error). Returns the written paths. Throws ExportError (with the path)
// or CancelledError. Thread-safe.
std::vector<std::string> exportMesh(const Mesh& mesh, const ExportRequest& request, RunContext* ctx = nullptr);

} // namespace orfeas
