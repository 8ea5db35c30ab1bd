#pragma once
// What orfeas_cuda's two cuBLASLt wrappers (fp8_gemm.cu, tuned_gemm.cu) share: the storage type's cuBLAS name,
// setting an operation attribute, the text of a failure that names a cuBLAS status, and the operation descriptor of
// their row-major products.

#include "dit_kernels.h"
#include "tuned_gemm.h"

#include <cublasLt.h>

#include <string>

namespace orfeas::cuda::detail {

inline cudaDataType_t cublasType(DitDType t)
{
    switch (t) {
    case DitDType::Float16:
        return CUDA_R_16F;
    case DitDType::BFloat16:
        return CUDA_R_16BF;
    default:
        return CUDA_R_32F;
    }
}

template <typename V> cublasStatus_t setOp(cublasLtMatmulDesc_t op, cublasLtMatmulDescAttributes_t attr, const V& v)
{
    return cublasLtMatmulDescSetAttribute(op, attr, &v, sizeof(v));
}

// Makes `device`'s primary context current on the calling thread, once per thread's state (when the wrapper's
// per-thread handle is created). Observed in session 12's probe: in a thread whose only CUDA calls so far were
// cudaGetDevice and cuBLASLt's, small products on the legacy default stream failed with
// CUBLAS_STATUS_EXECUTION_FAILED (orfeas-dit-kernel-check's worker threads), while the same products passed in the
// main thread and on a created stream; with this call they pass. The likely reason, not confirmed: cuBLASLt
// launches those kernels through the driver API, which on the legacy stream needs a current context.
inline bool bindDevice(int device)
{
    if (cudaSetDevice(device) == cudaSuccess)
        return true;
    cudaGetLastError();
    return false;
}

// `what` with the status's name and description; the text lives in the calling thread until its next failure.
inline const char* statusFailure(const char* what, cublasStatus_t s)
{
    static thread_local std::string text;
    text = std::string(what) + " (" + cublasLtGetStatusName(s) + ": " + cublasLtGetStatusString(s) + ")";
    return text.c_str();
}

// The operation of a row-major product D[m, n] = A[m, k] . B[n, k]^T in cuBLASLt's column-major terms: D' (n x m)
// = B'^T A' with B' the weight (k x n, transposed by the operation) and A' the activations (k x m), float32
// compute and scale, the epilogue and, when it has one, the bias of type biasType. nullptr on success, else what
// failed (op may then hold a descriptor the caller destroys).
inline const char* makeRowMajorOperation(cublasLtMatmulDesc_t& op, GemmEpilogue epilogue, cudaDataType_t biasType)
{
    if (cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F) != CUBLAS_STATUS_SUCCESS)
        return "cublasLtMatmulDescCreate failed";
    const cublasOperation_t t = CUBLAS_OP_T, n = CUBLAS_OP_N;
    const cublasLtEpilogue_t e = epilogue == GemmEpilogue::GeluBias ? CUBLASLT_EPILOGUE_GELU_BIAS
        : epilogue == GemmEpilogue::Bias                           ? CUBLASLT_EPILOGUE_BIAS
                                                                   : CUBLASLT_EPILOGUE_DEFAULT;
    if (setOp(op, CUBLASLT_MATMUL_DESC_TRANSA, t) || setOp(op, CUBLASLT_MATMUL_DESC_TRANSB, n)
        || setOp(op, CUBLASLT_MATMUL_DESC_EPILOGUE, e))
        return "setting the operation's attributes failed";
    if (epilogue != GemmEpilogue::None && setOp(op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, biasType))
        return "setting the bias type failed";
    return nullptr;
}

} // namespace orfeas::cuda::detail
