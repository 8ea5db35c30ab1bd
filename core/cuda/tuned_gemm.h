#pragma once
// Half-precision matrix products through cuBLASLt with the algorithm chosen by timing, for the geometry decoder's
// large products (GeometryDecoder::queryFused). cuBLASLt's heuristic ranks several algorithms (tile shapes) for a
// product; on the decoder's shapes on an H200 the fastest took up to 18 % less time than its first choice
// (docs/benchmarks.md, session 11). So the first product of each kind (n, k, epilogue, accumulation, type) with at
// least kTunedGemmMinRows rows times the heuristic's first 8 candidates (ORFEAS_GEMM_CANDIDATES: another count) on
// the caller's operands and keeps the fastest for all later products of that kind (checked against each new row
// count; smaller products keep the heuristic's first choice). Candidates that split the sums over k are left out;
// the others differ in tile shapes, not in the order of the sums over k, so the choice changes speed,
// not results: dit_kernel_check compares a tuned product with the heuristic's bit for bit.
//
// Torch-free like the other orfeas_cuda entry points: raw device pointers, a cudaStream_t passed as void*, nullptr on
// success or a message naming the failure; they never throw. Row-major throughout:
//   D[m, n] = epilogue(A[m, k] . B[n, k]^T + bias)  (+ D when accumulating)
// for activations A and a weight B stored as PyTorch's Linear stores it ([out, in]); float32 accumulation.

#include "dit_kernels.h"

#include <cstddef>
#include <cstdint>

namespace orfeas::cuda {

enum class GemmEpilogue { None, Bias, GeluBias }; // GeluBias: GELU (tanh approximation) of the product plus bias

struct TunedGemm {
    const void* a = nullptr; // [m, k] of `type`, rows of k values, 16-byte aligned
    const void* b = nullptr; // [n, k] of `type`
    const void* bias = nullptr; // [n] of `type` (Bias, GeluBias)
    void* d = nullptr; // [m, n] of `type`
    GemmEpilogue epilogue = GemmEpilogue::None;
    bool accumulate = false; // D += product (no epilogue then)
    DitDType type = DitDType::Float16; // half or bfloat16
    std::int64_t m = 0, n = 0, k = 0; // n and k multiples of 8
    void* workspace = nullptr; // at least tunedGemmWorkspaceBytes, 16-byte aligned, ordered on the stream
    // [m, n] of `type`, ordered on the stream: where the timing runs of an accumulating product write (D must not
    // change). Only read when tunedGemmWantsScratch says so; without it such a product keeps the heuristic's choice.
    void* scratch = nullptr;
};

constexpr std::size_t tunedGemmWorkspaceBytes = std::size_t(32) << 20;
constexpr std::int64_t kTunedGemmMinRows = 8192;

// Whether tunedGemm would time algorithms for this product now and, accumulating, needs `scratch` for it.
bool tunedGemmWantsScratch(const TunedGemm& g) noexcept;

// Runs the product on `stream` with the calling thread's cuBLASLt handle. `tune` false: the heuristic's first choice
// (ORFEAS_GEMM_TUNING=0 in the neural backend, for comparisons). The first tuning of a kind synchronises the
// stream once (the timing) and costs a few milliseconds.
const char* tunedGemm(const TunedGemm& g, bool tune, void* stream) noexcept;

} // namespace orfeas::cuda
