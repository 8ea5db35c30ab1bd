#pragma once
// Atomic file writing for every output the engine produces: write under a temporary name in the destination
// folder, flush to disk, then move into place. A crash leaves at most a hidden temporary, never a partial file
// under a final name. Internal to the engine.

#include <cstdint>
#include <span>
#include <string>

namespace orfeas::detail {

// A unique hidden temporary path in the same folder as `finalPath` (".<name>.orfeas-tmp-<pid>-<n>").
// Thread-safe.
std::string temporaryPathFor(const std::string& finalPath);

// True if `path` names one of our temporaries (for cleanup of folders after a crash).
bool isTemporaryName(const std::string& fileName);

// Moves a finished temporary into place. Without `overwrite` an existing final path is never replaced, also not
// by a race (link + unlink, or renameat2 RENAME_NOREPLACE). Throws ExportError (with the final path); the
// temporary is removed on failure.
void commitTemporary(const std::string& tmpPath, const std::string& finalPath, bool overwrite);

// Writes and fsyncs `bytes` to `path` (created or truncated; never through a symlink, and a temporary's name must not
// exist yet). Throws ExportError (with the path).
void writeWholeFile(const std::string& path, std::span<const std::uint8_t> bytes);

// writeWholeFile to a temporary, then commitTemporary. Throws ExportError.
void writeFileAtomically(const std::string& finalPath, std::span<const std::uint8_t> bytes, bool overwrite);

// Removes a file, ignoring errors (for cleanup paths).
void removeQuietly(const std::string& path) noexcept;

} // namespace orfeas::detail
