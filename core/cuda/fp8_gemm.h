#pragma once
// FP8 (E4M3) matrix products through cuBLASLt, for the geometry decoder's optional FP8 path (ORFEAS_DECODER_FP8,
// GeometryDecoder::queryFused). Torch-free like the other orfeas_cuda entry points: raw device pointers, a
// cudaStream_t passed as void*, nullptr on success or a message naming the failure; they never throw.
//
// Row-major throughout: D[m, n] = epilogue(scaleA * scaleB * (A[m, k] . B[n, k]^T) + bias) for activations A and a
// weight B stored as PyTorch's Linear stores it ([out, in]). Products run in float32 on the tensor cores' FP8 path.

#include "dit_kernels.h"
#include "tuned_gemm.h"

#include <cstddef>
#include <cstdint>

namespace orfeas::cuda {

using Fp8Epilogue = GemmEpilogue; // GeluBias: GELU (tanh approximation) of the product plus bias

struct Fp8Gemm {
    const std::uint8_t* a = nullptr; // [m, k] E4M3, rows of k bytes, 16-byte aligned
    const std::uint8_t* b = nullptr; // [n, k] E4M3
    const float* scaleA = nullptr; // device pointers to one float each, 16-byte aligned: the dequantisation
    const float* scaleB = nullptr; // scales (cuBLASLt refuses to run with scales at other addresses)
    const void* bias = nullptr; // [n] of `type` (Bias, GeluBias)
    Fp8Epilogue epilogue = Fp8Epilogue::None;
    void* d = nullptr; // [m, n]: of `type`, or E4M3 bytes when dE4M3
    bool dE4M3 = false; // D stored as e4m3(value * (*scaleD)) (saturated); needs scaleD
    const float* scaleD = nullptr;
    DitDType type = DitDType::Float16; // D's type when not dE4M3, and the bias's type (half or bfloat16)
    bool accumulate = false; // D += product (beta = 1; D of `type` only)
    std::int64_t m = 0, n = 0, k = 0; // k and n multiples of 16
    // Scratch memory for cuBLASLt (at least fp8GemmWorkspaceBytes, 16-byte aligned), ordered on `stream`. Null: a
    // workspace of the calling thread, which is only safe while that thread queues its products on one stream.
    void* workspace = nullptr;
};

// The workspace size fp8Gemm asks cuBLASLt's algorithms to fit in.
constexpr std::size_t fp8GemmWorkspaceBytes = std::size_t(32) << 20;

// The error fp8Gemm returns (this very pointer) when cuBLASLt has no algorithm for a product's shape, types and
// epilogue, so that a caller can choose another form.
extern const char* const kFp8NoAlgorithm;

// Whether device `device` has FP8 tensor cores (compute capability 8.9 or higher) and cuBLASLt takes FP8 products.
bool fp8GemmAvailable(int device) noexcept;

// Runs the product on `stream` with the calling thread's cuBLASLt handle (made on first use; the algorithm of each
// shape is cuBLASLt's heuristic's first choice, asked once per thread).
const char* fp8Gemm(const Fp8Gemm& g, void* stream) noexcept;

// out[i] = e4m3(in[i] * scale), saturated to +-448, for `count` values of `type` (half, bfloat16 or float32).
const char* quantizeE4M3(
    DitDType type, const void* in, std::uint8_t* out, std::int64_t count, float scale, void* stream) noexcept;

} // namespace orfeas::cuda
