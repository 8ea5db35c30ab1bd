#pragma once
// Marching cubes on a volume that lives on a CUDA device (library orfeas_cuda, built with ORFEAS_WITH_CUDA=ON).
// Torch-free: callers pass a raw device pointer and a cudaStream_t as void*. docs/marching_cubes.md, "GPU
// extraction", describes the algorithm.

#include "orfeas/types.h"

#include <cstddef>
#include <string>

namespace orfeas {

// Whether the CUDA runtime sees at least one device (false without a driver). Never throws; thread-safe.
bool cudaDeviceAvailable() noexcept;

// Figures of one extraction, for reports and tests.
struct CudaMcStats {
    std::size_t peakScratchBytes = 0; // most device memory held at once besides the input (and the shared table)
    std::size_t activeCells = 0; // cells with corners on both sides of the level
};

// Extracts the iso-surface of a float32 volume in device memory of the current device: nx * ny * nz values,
// x-major ('ij' layout): index = (ix * ny + iy) * nz + iz, point (ix, iy, iz) at origin + (ix, iy, iz) * spacing;
// inside where value > level, NaN outside. Work is queued on `cudaStream` (a cudaStream_t; nullptr = the legacy
// default stream) and the call returns once the mesh is on the host (it synchronises that stream three times).
//
// The mesh is the one marchingCubes() (orfeas/marching_cubes.h) returns for the same values: same table, face
// decider, clamped interpolation and float arithmetic, same vertex order and index order, so `out` equals the CPU
// mesh exactly (positions bit for bit). Only positions and indices are set.
//
// Returns false, leaves `out` unchanged and sets *error (if given) when the input is invalid (dimensions below 2,
// more than 2^31 - 1 points, non-finite or non-positive spacing, non-finite origin or level, a pointer that is not
// device memory of the current device) or a CUDA call fails (out of device memory included); the caller can then
// download the values and use the CPU. Non-sticky CUDA errors it causes are cleared before returning. Never
// throws. Thread-safe (the per-device copy of the table is made once, under a lock); calls on different streams
// may run concurrently.
bool extractSurfaceCuda(const float* deviceValues, int nx, int ny, int nz, Vec3f origin, Vec3f spacing, float level,
    void* cudaStream, Mesh& out, std::string* error = nullptr, CudaMcStats* stats = nullptr) noexcept;

} // namespace orfeas
