// Session 11 probe: why do some tunedGemm products fail to launch in orfeas-dit-kernel-check? The failing shapes
// and a passing one, in the main thread and in a new thread, on the legacy default stream and on a created stream.
#include "tuned_gemm.h"
#include <cuda_runtime.h>
#include <cstdio>
#include <string>
#include <thread>
using namespace orfeas::cuda;
struct Shape { const char* name; long m, n, k; GemmEpilogue e; bool acc; };
void* ws; void* bufs[5];
std::string runOne(const Shape& s, bool tune, cudaStream_t st)
{
    TunedGemm g; g.a = bufs[0]; g.b = bufs[1]; g.bias = s.e == GemmEpilogue::None ? nullptr : bufs[2]; g.d = bufs[3];
    g.epilogue = s.e; g.accumulate = s.acc; g.type = DitDType::Float16; g.m = s.m; g.n = s.n; g.k = s.k; g.workspace = ws;
    g.scratch = tunedGemmWantsScratch(g) ? bufs[4] : nullptr;
    const char* e = tunedGemm(g, tune, st);
    std::string r = e ? e : "ok";
    cudaError_t c = cudaStreamSynchronize(st);
    if (c) r += std::string(" / sync: ") + cudaGetErrorString(c);
    return r;
}
int main()
{
    cudaMalloc(&ws, tunedGemmWorkspaceBytes);
    for (auto& b : bufs) { cudaMalloc(&b, size_t(1) << 30); cudaMemset(b, 0, size_t(1) << 30); }
    Shape shapes[] = { { "acc 8192x1024x4096", 8192, 1024, 4096, GemmEpilogue::None, true },
        { "acc 32768x1024x4096", 32768, 1024, 4096, GemmEpilogue::None, true },
        { "acc 100x1024x4096", 100, 1024, 4096, GemmEpilogue::None, true },
        { "bias 100x64x56", 100, 64, 56, GemmEpilogue::Bias, false },
        { "bias 1024x64x56", 1024, 64, 56, GemmEpilogue::Bias, false },
        { "bias 100x1024x1024", 100, 1024, 1024, GemmEpilogue::Bias, false },
        { "none 100x64x56", 100, 64, 56, GemmEpilogue::None, false },
        { "bias 16384x1024x1024", 16384, 1024, 1024, GemmEpilogue::Bias, false } };
    cudaStream_t created; cudaStreamCreate(&created);
    for (int mode = 0; mode < 4; ++mode) {
        cudaStream_t st = (mode & 1) ? created : nullptr;
        const char* where = mode < 2 ? "main" : "thread";
        for (auto& s : shapes) for (int tune = 0; tune < 2; ++tune) {
            std::string r;
            if (mode < 2) r = runOne(s, tune, st);
            else { std::thread t([&] { r = runOne(s, tune, st); }); t.join(); }
            printf("%-7s %-8s %-24s tune %d: %s\n", where, (mode & 1) ? "created" : "legacy", s.name, tune, r.c_str());
        }
    }
    printf("last error %s\n", cudaGetErrorString(cudaGetLastError()));
}
