// Half-precision products through cuBLASLt with timed algorithm choice: tuned_gemm.h says what they compute.

#include "cublaslt_common.cuh"
#include "row_io.cuh"
#include "tuned_gemm.h"

#include <cstdlib>
#include <cublasLt.h>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace orfeas::cuda {

namespace {

using namespace detail;

// The descriptors of one product shape and its algorithm.
struct Plan {
    cublasLtMatmulDesc_t op = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
    cublasLtMatmulAlgo_t algo {};
    ~Plan()
    {
        if (op)
            cublasLtMatmulDescDestroy(op);
        for (auto l : { a, b, d })
            if (l)
                cublasLtMatrixLayoutDestroy(l);
    }
};

// (m, n, k, epilogue, accumulate, type) and, without m, the kind whose tuned algorithm later shapes reuse.
using PlanKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, int, bool, int>;
using KindKey = std::tuple<std::int64_t, std::int64_t, int, bool, int>;

struct ThreadState {
    int device = -1;
    cublasLtHandle_t handle = nullptr;
    std::map<PlanKey, std::unique_ptr<Plan>> plans;
    std::map<KindKey, cublasLtMatmulAlgo_t> tuned;
    ~ThreadState() { reset(); }
    void reset()
    {
        plans.clear();
        tuned.clear();
        if (handle)
            cublasLtDestroy(handle); // errors ignored: at process exit the context may be gone
        handle = nullptr;
    }
};

thread_local ThreadState t_state;

KindKey kindOf(const TunedGemm& g)
{
    return { g.n, g.k, int(g.epilogue), g.accumulate, int(g.type) };
}

// The descriptors of a shape (the operation: cublaslt_common.cuh).
const char* makeDescriptors(Plan& p, const TunedGemm& g)
{
    const cudaDataType_t type = cublasType(g.type);
    if (makeRowMajorOperation(p.op, g.epilogue, type))
        return "tunedGemm: making the operation descriptor failed";
    if (cublasLtMatrixLayoutCreate(&p.a, type, std::uint64_t(g.k), std::uint64_t(g.n), g.k)
        || cublasLtMatrixLayoutCreate(&p.b, type, std::uint64_t(g.k), std::uint64_t(g.m), g.k)
        || cublasLtMatrixLayoutCreate(&p.d, type, std::uint64_t(g.n), std::uint64_t(g.m), g.n))
        return "tunedGemm: creating the matrix layouts failed";
    return nullptr;
}

cublasStatus_t launch(const Plan& p, const TunedGemm& g, const cublasLtMatmulAlgo_t& algo, void* d, cudaStream_t s)
{
    if (g.epilogue != GemmEpilogue::None) {
        const void* bias = g.bias;
        if (const cublasStatus_t e = setOp(p.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias))
            return e;
    }
    const float alpha = 1.0f, beta = g.accumulate ? 1.0f : 0.0f;
    return cublasLtMatmul(t_state.handle, p.op, &alpha, g.b, p.a, g.a, p.b, &beta, g.accumulate ? d : nullptr, p.d,
        d, p.d, &algo, g.workspace, tunedGemmWorkspaceBytes, s);
}

// The heuristic's candidates for a shape (at most `wanted`), in its order.
int candidates(const Plan& p, cublasLtMatmulHeuristicResult_t* results, int wanted)
{
    cublasLtMatmulPreference_t pref = nullptr;
    if (cublasLtMatmulPreferenceCreate(&pref))
        return 0;
    const std::uint64_t workspace = tunedGemmWorkspaceBytes;
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace));
    int found = 0;
    const cublasStatus_t s
        = cublasLtMatmulAlgoGetHeuristic(t_state.handle, p.op, p.a, p.b, p.d, p.d, pref, wanted, results, &found);
    cublasLtMatmulPreferenceDestroy(pref);
    return s == CUBLAS_STATUS_SUCCESS ? found : 0;
}

// How many of the heuristic's candidates are timed: 8, or ORFEAS_GEMM_CANDIDATES (1 to 64, for measurements). On the
// decoder's products 32 chose the same algorithms as 8 (dense decoding on an H200, docs/benchmarks.md, session 14).
int candidateCount()
{
    static const int count = [] {
        const char* v = std::getenv("ORFEAS_GEMM_CANDIDATES");
        const int n = v ? std::atoi(v) : 0;
        return n >= 1 && n <= 64 ? n : 8;
    }();
    return count;
}

// Whether an algorithm splits the sums over k (and so would change the result's rounding, not only its speed).
bool splitsK(const cublasLtMatmulAlgo_t& algo)
{
    std::uint32_t splits = 1;
    std::size_t written = 0;
    return cublasLtMatmulAlgoConfigGetAttribute(
               &algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splits, sizeof(splits), &written)
        == CUBLAS_STATUS_SUCCESS
        && written == sizeof(splits) && splits > 1;
}

// Times every candidate (one run to warm up, then three) and returns the index of the fastest; -1 when none ran.
int fastest(const Plan& p, const TunedGemm& g, const cublasLtMatmulHeuristicResult_t* results, int count,
    cudaStream_t s)
{
    void* target = g.accumulate ? g.scratch : g.d;
    cudaEvent_t start = nullptr, stop = nullptr;
    if (cudaEventCreate(&start) != cudaSuccess || cudaEventCreate(&stop) != cudaSuccess) {
        cudaGetLastError();
        if (start)
            cudaEventDestroy(start);
        return -1;
    }
    int best = -1;
    float bestMs = 0.0f;
    for (int i = 0; i < count; ++i) {
        if (results[i].state != CUBLAS_STATUS_SUCCESS || results[i].workspaceSize > tunedGemmWorkspaceBytes
            || (i > 0 && splitsK(results[i].algo)))
            continue;
        if (launch(p, g, results[i].algo, target, s) != CUBLAS_STATUS_SUCCESS)
            continue;
        bool ok = cudaEventRecord(start, s) == cudaSuccess;
        for (int r = 0; r < 3 && ok; ++r)
            ok = launch(p, g, results[i].algo, target, s) == CUBLAS_STATUS_SUCCESS;
        ok = ok && cudaEventRecord(stop, s) == cudaSuccess && cudaEventSynchronize(stop) == cudaSuccess;
        float ms = 0.0f;
        if (ok && cudaEventElapsedTime(&ms, start, stop) == cudaSuccess && (best < 0 || ms < bestMs)) {
            best = i;
            bestMs = ms;
        }
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    cudaGetLastError(); // a candidate that failed to launch leaves nothing behind
    return best;
}

bool capturing(cudaStream_t s)
{
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    return cudaStreamIsCapturing(s, &status) != cudaSuccess || status != cudaStreamCaptureStatusNone;
}

const char* validate(const TunedGemm& g)
{
    if (g.m < 0 || g.n <= 0 || g.k <= 0 || g.n % 8 != 0 || g.k % 8 != 0)
        return "tunedGemm: n and k must be positive multiples of 8";
    if (!g.a || !g.b || !g.d || !g.workspace || (g.epilogue != GemmEpilogue::None && !g.bias))
        return "tunedGemm: a pointer is missing";
    if (g.accumulate && g.epilogue != GemmEpilogue::None)
        return "tunedGemm: an accumulating product has no epilogue";
    if (g.type != DitDType::Float16 && g.type != DitDType::BFloat16)
        return "tunedGemm: half or bfloat16 only";
    if (!aligned16(g.a) || !aligned16(g.b) || !aligned16(g.d) || !aligned16(g.bias) || !aligned16(g.workspace)
        || !aligned16(g.scratch))
        return "tunedGemm: the matrices must be 16-byte aligned";
    return nullptr;
}

} // namespace

bool tunedGemmWantsScratch(const TunedGemm& g) noexcept
{
    const PlanKey key { g.m, g.n, g.k, int(g.epilogue), g.accumulate, int(g.type) };
    return g.accumulate && g.m >= kTunedGemmMinRows && t_state.tuned.count(kindOf(g)) == 0
        && t_state.plans.count(key) == 0;
}

const char* tunedGemm(const TunedGemm& g, bool tune, void* stream) noexcept
{
    if (const char* err = validate(g))
        return err;
    if (g.m == 0)
        return nullptr;
    const auto s = static_cast<cudaStream_t>(stream);
    int device = 0;
    if (cudaGetDevice(&device) != cudaSuccess)
        return "tunedGemm: no current CUDA device";
    ThreadState& st = t_state;
    if (st.device != device) {
        st.reset();
        st.device = device;
    }
    if (!st.handle && !bindDevice(device))
        return "tunedGemm: the device's context cannot be made current";
    if (!st.handle && cublasLtCreate(&st.handle) != CUBLAS_STATUS_SUCCESS) {
        st.handle = nullptr;
        return "tunedGemm: cublasLtCreate failed";
    }
    const PlanKey key { g.m, g.n, g.k, int(g.epilogue), g.accumulate, int(g.type) };
    auto it = st.plans.find(key);
    if (it == st.plans.end()) {
        auto plan = std::make_unique<Plan>();
        if (const char* err = makeDescriptors(*plan, g))
            return err;
        constexpr int kMaxCandidates = 64;
        cublasLtMatmulHeuristicResult_t results[kMaxCandidates] {};
        const int found = candidates(*plan, results, candidateCount());
        if (found == 0 || results[0].state != CUBLAS_STATUS_SUCCESS)
            return "tunedGemm: cuBLASLt has no algorithm for this product";
        plan->algo = results[0].algo;
        const KindKey kind = kindOf(g);
        const auto known = st.tuned.find(kind);
        if (tune && known != st.tuned.end()) {
            // The kind's tuned algorithm, if it takes this row count.
            cublasLtMatmulHeuristicResult_t check {};
            if (cublasLtMatmulAlgoCheck(st.handle, plan->op, plan->a, plan->b, plan->d, plan->d, &known->second, &check)
                    == CUBLAS_STATUS_SUCCESS
                && check.workspaceSize <= tunedGemmWorkspaceBytes)
                plan->algo = known->second;
        } else if (tune && g.m >= kTunedGemmMinRows && found > 1 && (!g.accumulate || g.scratch) && !capturing(s)) {
            const int best = fastest(*plan, g, results, found, s);
            if (best >= 0) {
                plan->algo = results[best].algo;
                st.tuned.emplace(kind, plan->algo);
            }
        }
        it = st.plans.emplace(key, std::move(plan)).first;
    }
    if (const cublasStatus_t e = launch(*it->second, g, it->second->algo, g.d, s))
        return statusFailure("tunedGemm: cublasLtMatmul failed", e);
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

} // namespace orfeas::cuda
