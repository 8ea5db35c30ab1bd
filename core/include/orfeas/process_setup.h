#pragma once
// Process-wide settings that must be in place before the engine first touches the GPU. The applications (orfeas,
// orfeas-bench, orfeas-studio) call configureProcess() first thing in main().

#include <cstdlib>

namespace orfeas {

// Makes LibTorch's CUDA caching allocator grow its memory pools in place (expandable segments) instead of keeping
// differently sized blocks side by side, unless PYTORCH_CUDA_ALLOC_CONF is set already (the user's choice wins).
// Volume decoding allocates differently sized tensors for every image; measured on an H100 (2026-11-27, fitted
// full-size model, three images in one process, docs/benchmarks.md): memory reserved after each image 7836, 10810,
// 13784 MB without, 6458, 8210, 9962 MB with, for the same 6.2 GB allocated and the same decoding time. The
// allocator reads the variable when CUDA is first initialised, so this must run before that.
inline void configureProcess() noexcept
{
#if defined(__unix__) || defined(__APPLE__)
    ::setenv("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True", /*overwrite=*/0);
#elif defined(_WIN32)
    if (!std::getenv("PYTORCH_CUDA_ALLOC_CONF"))
        ::_putenv_s("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True");
#endif
}

} // namespace orfeas
