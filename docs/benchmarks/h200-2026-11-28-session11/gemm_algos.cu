// Session 11 microbenchmark: every algorithm cuBLASLt's heuristic offers for the decoder's and DiT's fp16 products,
// timed; is the heuristic's first choice the fastest?
#include <cublasLt.h>
#include <cuda_fp16.h>
#include <cstdio>
#include <vector>
#include <algorithm>
#define CK(x) do { auto e_ = (x); if (e_) { printf("err %d at %s:%d\n", int(e_), __FILE__, __LINE__); return; } } while (0)
struct Shape { const char* name; long m, n, k; cublasLtEpilogue_t epi; float beta; };
static cublasLtHandle_t H;
static void* ws; static size_t wsBytes = 32u << 20;
__global__ void fill(__half* p, long n, float s) { for (long i = blockIdx.x * 256L + threadIdx.x; i < n; i += 256L * gridDim.x) p[i] = __float2half(s * float((i * 2654435761u) % 2001 - 1000) / 1000.f); }
void run(const Shape& s, int reps)
{
    __half *A, *W, *D, *bias;
    cudaMalloc(&A, s.m * s.k * 2); cudaMalloc(&W, s.n * s.k * 2); cudaMalloc(&D, s.m * s.n * 2); cudaMalloc(&bias, s.n * 2);
    fill<<<1024, 256>>>(A, s.m * s.k, 1.f); fill<<<1024, 256>>>(W, s.n * s.k, 0.03f); fill<<<1024, 256>>>(D, s.m * s.n, 0.1f); fill<<<64, 256>>>(bias, s.n, 0.1f);
    cublasLtMatmulDesc_t op; cublasLtMatrixLayout_t la, lb, lc;
    CK(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t t = CUBLAS_OP_T, nn = CUBLAS_OP_N;
    cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t);
    cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &nn, sizeof nn);
    cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_EPILOGUE, &s.epi, sizeof s.epi);
    if (s.epi != CUBLASLT_EPILOGUE_DEFAULT) {
        cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias);
        cudaDataType_t bt = CUDA_R_16F; cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bt, sizeof bt);
    }
    CK(cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, s.k, s.n, s.k));
    CK(cublasLtMatrixLayoutCreate(&lb, CUDA_R_16F, s.k, s.m, s.k));
    CK(cublasLtMatrixLayoutCreate(&lc, CUDA_R_16F, s.n, s.m, s.n));
    cublasLtMatmulPreference_t pref; cublasLtMatmulPreferenceCreate(&pref);
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &wsBytes, sizeof wsBytes);
    std::vector<cublasLtMatmulHeuristicResult_t> res(64); int found = 0;
    CK(cublasLtMatmulAlgoGetHeuristic(H, op, la, lb, lc, lc, pref, 64, res.data(), &found));
    double flop = 2.0 * s.m * s.n * s.k;
    printf("== %s m=%ld n=%ld k=%ld beta=%g: %d algorithms\n", s.name, s.m, s.n, s.k, s.beta, found);
    cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
    float alpha = 1.f;
    double best = 1e30; int bestI = -1; double first = 0;
    for (int i = 0; i < found; ++i) {
        if (res[i].state) continue;
        auto call = [&] { return cublasLtMatmul(H, op, &alpha, W, la, A, lb, &s.beta, D, lc, D, lc, &res[i].algo, ws, wsBytes, 0); };
        bool ok = true;
        for (int w = 0; w < 3; ++w) if (call()) ok = false;
        if (!ok) { printf("  #%d failed\n", i); continue; }
        cudaEventRecord(e0);
        for (int r = 0; r < reps; ++r) call();
        cudaEventRecord(e1); cudaEventSynchronize(e1);
        float ms; cudaEventElapsedTime(&ms, e0, e1); ms /= reps;
        int id = 0, tile = 0, stages = 0, splitk = 0, cluster = 0; size_t sz;
        cublasLtMatmulAlgoConfigGetAttribute(&res[i].algo, CUBLASLT_ALGO_CONFIG_ID, &id, sizeof id, &sz);
        cublasLtMatmulAlgoConfigGetAttribute(&res[i].algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof tile, &sz);
        cublasLtMatmulAlgoConfigGetAttribute(&res[i].algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, &stages, sizeof stages, &sz);
        cublasLtMatmulAlgoConfigGetAttribute(&res[i].algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splitk, sizeof splitk, &sz);
        cublasLtMatmulAlgoConfigGetAttribute(&res[i].algo, CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID, &cluster, sizeof cluster, &sz);
        double tf = flop / (ms * 1e-3) / 1e12;
        printf("  #%2d id %3d tile %3d stages %3d splitk %d cluster %d ws %zu: %.4f ms %.1f TFLOP/s\n", i, id, tile, stages, splitk, cluster, res[i].workspaceSize, ms, tf);
        if (i == 0) first = ms;
        if (ms < best) { best = ms; bestI = i; }
    }
    printf("  best #%d %.4f ms vs first %.4f ms: %.1f%% faster\n", bestI, best, first, 100.0 * (first - best) / first);
    cudaFree(A); cudaFree(W); cudaFree(D); cudaFree(bias);
}
int main()
{
    cublasLtCreate(&H); cudaMalloc(&ws, wsBytes);
    Shape shapes[] = {
        { "decoder fc1 gelu_bias (MLP slice)", 32768, 4096, 1024, CUBLASLT_EPILOGUE_GELU_BIAS, 0.f },
        { "decoder fc1 gelu_bias (whole chunk)", 131072, 4096, 1024, CUBLASLT_EPILOGUE_GELU_BIAS, 0.f },
        { "decoder fc1 bias only", 32768, 4096, 1024, CUBLASLT_EPILOGUE_BIAS, 0.f },
        { "decoder fc2 accumulate", 32768, 1024, 4096, CUBLASLT_EPILOGUE_DEFAULT, 1.f },
        { "decoder c_proj accumulate", 131072, 1024, 1024, CUBLASLT_EPILOGUE_DEFAULT, 1.f },
        { "decoder q bias", 131072, 1024, 1024, CUBLASLT_EPILOGUE_BIAS, 0.f },
        { "dit mlp gelu_bias", 8192, 8192, 2048, CUBLASLT_EPILOGUE_GELU_BIAS, 0.f },
        { "dit mlp out accumulate", 8192, 2048, 8192, CUBLASLT_EPILOGUE_DEFAULT, 1.f },
    };
    for (auto& s : shapes) run(s, 30);
    printf("cublasLt version %zu\n", cublasLtGetVersion());
}
