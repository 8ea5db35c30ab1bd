#pragma once

namespace orfeas {

// "0.1.0" Thread-safe.
const char* versionString() noexcept;
// Build description: compiler, build type, LibTorch version or "without LibTorch", CUDA or not.
const char* buildDescription() noexcept;

} // namespace orfeas
