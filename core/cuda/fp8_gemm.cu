// FP8 products through cuBLASLt: fp8_gemm.h says what they compute.

#include "cublaslt_common.cuh"
#include "fp8_gemm.h"
#include "row_io.cuh"

#include <algorithm>
#include <cmath>
#include <cublasLt.h>
#include <cuda_fp8.h>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace orfeas::cuda {

const char* const kFp8NoAlgorithm
    = "fp8Gemm: cuBLASLt has no algorithm for this FP8 product (shape, types or epilogue)";

namespace {

using namespace detail;

// The descriptors of one product shape and the algorithm cuBLASLt's heuristic chose for it.
struct Plan {
    cublasLtMatmulDesc_t op = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr, d = nullptr;
    cublasLtMatmulAlgo_t algo {};
    ~Plan()
    {
        if (op)
            cublasLtMatmulDescDestroy(op);
        for (auto l : { a, b, c, d })
            if (l)
                cublasLtMatrixLayoutDestroy(l);
    }
};

// The calling thread's cuBLASLt state on one device: the handle, a workspace (for callers that pass none) and the
// plans.
using PlanKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, int, bool, int, bool>;

struct ThreadState {
    int device = -1;
    cublasLtHandle_t handle = nullptr;
    void* workspace = nullptr;
    std::map<PlanKey, std::unique_ptr<Plan>> plans;
    ~ThreadState() { reset(); }
    void reset()
    {
        plans.clear();
        if (workspace)
            cudaFree(workspace); // errors ignored: at process exit the context may be gone
        if (handle)
            cublasLtDestroy(handle);
        workspace = nullptr;
        handle = nullptr;
    }
};

thread_local ThreadState t_state;

// Sets the pointers that the operation descriptor carries (scales, bias).
const char* setPointers(Plan& p, const Fp8Gemm& g)
{
    // cuBLASLt's A is our B (the weight), its B our A.
    if (setOp(p.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, g.scaleB)
        || setOp(p.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, g.scaleA))
        return "fp8Gemm: setting the scales failed";
    if (g.dE4M3 && setOp(p.op, CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, g.scaleD))
        return "fp8Gemm: setting the output scale failed";
    if (g.epilogue != Fp8Epilogue::None && setOp(p.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, g.bias))
        return "fp8Gemm: setting the bias failed";
    return nullptr;
}

// Builds the descriptors of a shape and asks the heuristic for an algorithm. The operation's "TN" form
// (cublaslt_common.cuh) is exactly what FP8 products want.
const char* makePlan(Plan& p, const Fp8Gemm& g)
{
    const cudaDataType_t outType = cublasType(g.type);
    if (makeRowMajorOperation(p.op, g.epilogue, outType))
        return "fp8Gemm: making the operation descriptor failed";
    const cudaDataType_t dType = g.dE4M3 ? CUDA_R_8F_E4M3 : outType;
    if (cublasLtMatrixLayoutCreate(&p.a, CUDA_R_8F_E4M3, std::uint64_t(g.k), std::uint64_t(g.n), g.k)
        || cublasLtMatrixLayoutCreate(&p.b, CUDA_R_8F_E4M3, std::uint64_t(g.k), std::uint64_t(g.m), g.k)
        || cublasLtMatrixLayoutCreate(&p.c, outType, std::uint64_t(g.n), std::uint64_t(g.m), g.n)
        || cublasLtMatrixLayoutCreate(&p.d, dType, std::uint64_t(g.n), std::uint64_t(g.m), g.n))
        return "fp8Gemm: creating the matrix layouts failed";
    if (const char* err = setPointers(p, g))
        return err;
    cublasLtMatmulPreference_t pref = nullptr;
    if (cublasLtMatmulPreferenceCreate(&pref))
        return "fp8Gemm: cublasLtMatmulPreferenceCreate failed";
    const std::uint64_t workspace = fp8GemmWorkspaceBytes;
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace));
    cublasLtMatmulHeuristicResult_t result {};
    int found = 0;
    const cublasStatus_t s
        = cublasLtMatmulAlgoGetHeuristic(t_state.handle, p.op, p.a, p.b, p.c, p.d, pref, 1, &result, &found);
    cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS || found == 0 || result.state != CUBLAS_STATUS_SUCCESS)
        return kFp8NoAlgorithm;
    p.algo = result.algo;
    return nullptr;
}

__global__ void quantizeKernel(const void* in, int type, std::uint8_t* out, std::int64_t count, float scale)
{
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < count;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        float v;
        if (type == 0)
            v = static_cast<const float*>(in)[i];
        else if (type == 1)
            v = Io<__half>::load(static_cast<const __half*>(in) + i);
        else
            v = Io<__nv_bfloat16>::load(static_cast<const __nv_bfloat16*>(in) + i);
        out[i] = __nv_cvt_float_to_fp8(v * scale, __NV_SATFINITE, __NV_E4M3);
    }
}

} // namespace

bool fp8GemmAvailable(int device) noexcept
{
    int major = 0, minor = 0;
    if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess
        || cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess)
        return false;
    return (major > 8 || (major == 8 && minor >= 9)) && cublasLtGetVersion() >= 120000;
}

const char* fp8Gemm(const Fp8Gemm& g, void* stream) noexcept
{
    if (g.m < 0 || g.n <= 0 || g.k <= 0 || g.n % 16 != 0 || g.k % 16 != 0)
        return "fp8Gemm: n and k must be positive multiples of 16";
    if (!g.a || !g.b || !g.d || !g.scaleA || !g.scaleB || (g.dE4M3 && !g.scaleD)
        || (g.epilogue != Fp8Epilogue::None && !g.bias))
        return "fp8Gemm: a pointer is missing";
    if (g.dE4M3 && g.accumulate)
        return "fp8Gemm: accumulating into FP8 output is not supported";
    if (g.type != DitDType::Float16 && g.type != DitDType::BFloat16)
        return "fp8Gemm: the output type must be half or bfloat16";
    if (!aligned16(g.a) || !aligned16(g.b) || !aligned16(g.d) || !aligned16(g.bias) || !aligned16(g.workspace))
        return "fp8Gemm: the matrices must be 16-byte aligned";
    if (!aligned16(g.scaleA) || !aligned16(g.scaleB) || !aligned16(g.scaleD))
        return "fp8Gemm: the scales must be 16-byte aligned";
    if (g.m == 0)
        return nullptr;
    int device = 0;
    if (cudaGetDevice(&device) != cudaSuccess)
        return "fp8Gemm: no current CUDA device";
    ThreadState& st = t_state;
    if (st.device != device) {
        st.reset();
        st.device = device;
    }
    if (!st.handle && !bindDevice(device))
        return "fp8Gemm: the device's context cannot be made current";
    if (!st.handle && cublasLtCreate(&st.handle) != CUBLAS_STATUS_SUCCESS) {
        st.handle = nullptr;
        return "fp8Gemm: cublasLtCreate failed";
    }
    if (!g.workspace && !st.workspace && cudaMalloc(&st.workspace, fp8GemmWorkspaceBytes) != cudaSuccess) {
        st.workspace = nullptr;
        cudaGetLastError();
        return "fp8Gemm: no device memory for cuBLASLt's workspace";
    }
    const PlanKey key { g.m, g.n, g.k, int(g.epilogue), g.dE4M3, int(g.type), g.accumulate };
    auto& slot = st.plans[key];
    if (!slot) {
        slot = std::make_unique<Plan>();
        if (const char* err = makePlan(*slot, g)) {
            slot.reset();
            st.plans.erase(key);
            return err;
        }
    }
    Plan& p = *slot;
    if (const char* err = setPointers(p, g))
        return err;
    const float alpha = 1.0f, beta = g.accumulate ? 1.0f : 0.0f;
    // Without accumulation C is not read (beta = 0) and is passed as null, as cuBLASLt allows.
    const cublasStatus_t s = cublasLtMatmul(st.handle, p.op, &alpha, g.b, p.a, g.a, p.b, &beta,
        g.accumulate ? g.d : nullptr, p.c, g.d, p.d, &p.algo, g.workspace ? g.workspace : st.workspace,
        fp8GemmWorkspaceBytes, static_cast<cudaStream_t>(stream));
    if (s != CUBLAS_STATUS_SUCCESS)
        return statusFailure("fp8Gemm: cublasLtMatmul failed", s);
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

const char* quantizeE4M3(
    DitDType type, const void* in, std::uint8_t* out, std::int64_t count, float scale, void* stream) noexcept
{
    if (!(scale > 0.0f) || !std::isfinite(scale))
        return "quantizeE4M3: the scale must be positive and finite";
    if (count <= 0)
        return nullptr;
    const int t = type == DitDType::Float32 ? 0 : type == DitDType::Float16 ? 1 : 2;
    constexpr int kThreads = 256;
    const std::int64_t blocks = std::min<std::int64_t>((count + kThreads - 1) / kThreads, 132 * 32);
    quantizeKernel<<<unsigned(blocks), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(in, t, out, count, scale);
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

} // namespace orfeas::cuda
