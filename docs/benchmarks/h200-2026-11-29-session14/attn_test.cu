#include "decoder_attention.h"
#include <cuda_fp16.h>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <random>
#include <algorithm>
#include <cmath>
using namespace orfeas::cuda;

__global__ void reference(const __half* q, const __half* k, const __half* v, float* o, int rows, int heads, int keys, float scale)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * heads) return;
    int r = i / heads, h = i % heads;
    const __half* qr = q + (size_t(r) * heads + h) * 64;
    float qv[64];
    for (int d = 0; d < 64; ++d) qv[d] = __half2float(qr[d]);
    float m = -1e30f;
    for (int j = 0; j < keys; ++j) {
        const __half* kr = k + (size_t(h) * keys + j) * 64;
        float s = 0; for (int d = 0; d < 64; ++d) s += qv[d] * __half2float(kr[d]);
        m = fmaxf(m, s * scale);
    }
    float acc[64] = {}; float l = 0;
    for (int j = 0; j < keys; ++j) {
        const __half* kr = k + (size_t(h) * keys + j) * 64;
        float s = 0; for (int d = 0; d < 64; ++d) s += qv[d] * __half2float(kr[d]);
        float p = expf(s * scale - m); l += p;
        const __half* vr = v + (size_t(h) * keys + j) * 64;
        for (int d = 0; d < 64; ++d) acc[d] += p * __half2float(vr[d]);
    }
    for (int d = 0; d < 64; ++d) o[(size_t(r) * heads + h) * 64 + d] = acc[d] / l;
}

__global__ void transposeV(const __half* v, __half* vt, int heads, int keys)
{
    size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
    if (i >= size_t(heads) * keys * 64) return;
    int d = i % 64; size_t t = i / 64; int j = t % keys; int h = t / keys;
    vt[(size_t(h) * 64 + d) * keys + j] = v[i];
}

int run(int rows, int keys, int reps, bool verify)
{
    const int heads = 16; const float scale = 0.125f;
    std::mt19937 rng(rows + keys);
    std::normal_distribution<float> nd(0, 1);
    std::vector<__half> hq(size_t(rows) * heads * 64), hk(size_t(heads) * keys * 64), hv(hk.size());
    for (auto& x : hq) x = __float2half(nd(rng));
    for (auto& x : hk) x = __float2half(nd(rng));
    for (auto& x : hv) x = __float2half(nd(rng));
    __half *q, *k, *v, *vt, *o; float* ref;
    cudaMalloc(&q, hq.size() * 2); cudaMalloc(&k, hk.size() * 2); cudaMalloc(&v, hv.size() * 2); cudaMalloc(&vt, hv.size() * 2);
    cudaMalloc(&o, hq.size() * 2);
    cudaMemcpy(q, hq.data(), hq.size() * 2, cudaMemcpyHostToDevice);
    cudaMemcpy(k, hk.data(), hk.size() * 2, cudaMemcpyHostToDevice);
    cudaMemcpy(v, hv.data(), hv.size() * 2, cudaMemcpyHostToDevice);
    cudaFree(vt);
    cudaMalloc(&vt, decoderAttentionPackedBytes(heads, keys));
    const char* pe = decoderAttentionPack(DitDType::Float16, k, 64, int64_t(keys) * 64, v, 64, int64_t(keys) * 64, heads, keys, vt, nullptr);
    if (pe) printf("pack: %s\n", pe);
    cudaMemset(o, 0, hq.size() * 2);
    const char* e = decoderAttention(DitDType::Float16, q, heads * 64, vt, o, heads * 64, rows, heads, keys, scale, nullptr);
    cudaError_t ce = cudaDeviceSynchronize();
    printf("rows %d keys %d: launch %s, sync %s\n", rows, keys, e ? e : "ok", cudaGetErrorString(ce));
    if (e || ce != cudaSuccess) return 1;
    int bad = 0;
    if (verify) {
        cudaMalloc(&ref, hq.size() * 4);
        reference<<<(rows * heads + 127) / 128, 128>>>(q, k, v, ref, rows, heads, keys, scale);
        cudaDeviceSynchronize();
        std::vector<float> hr(hq.size()); std::vector<__half> ho(hq.size());
        cudaMemcpy(hr.data(), ref, hr.size() * 4, cudaMemcpyDeviceToHost);
        cudaMemcpy(ho.data(), o, ho.size() * 2, cudaMemcpyDeviceToHost);
        double worst = 0, sq = 0; size_t worstAt = 0;
        for (size_t i = 0; i < hr.size(); ++i) {
            double d = std::fabs(double(__half2float(ho[i])) - hr[i]);
            sq += double(hr[i]) * hr[i];
            if (!(d <= worst)) { worst = d; worstAt = i; }
        }
        double rms = std::sqrt(sq / hr.size());
        printf("  max abs error %.3g at %zu (ref %.4f got %.4f), output rms %.3g\n", worst, worstAt, hr[worstAt], __half2float(ho[worstAt]), rms);
        bad = !(worst < 0.02 * std::max(rms, 0.05));
        printf("  %s\n", bad ? "FAIL" : "ok");
        cudaFree(ref);
    }
    if (reps > 0) {
        cudaEvent_t a, b; cudaEventCreate(&a); cudaEventCreate(&b);
        std::vector<float> ms;
        for (int i = 0; i < reps; ++i) {
            cudaEventRecord(a);
            decoderAttention(DitDType::Float16, q, heads * 64, vt, o, heads * 64, rows, heads, keys, scale, nullptr);
            cudaEventRecord(b); cudaEventSynchronize(b);
            float t; cudaEventElapsedTime(&t, a, b); ms.push_back(t);
        }
        if (reps > 200) {
            std::vector<float> late(ms.end() - reps / 3, ms.end());
            std::sort(late.begin(), late.end());
            double flop = 4.0 * rows * heads * double(keys) * 64;
            printf("  sustained (last third of %d): median %.3f ms: %.1f TFLOP/s\n", reps, late[late.size() / 2], flop / (late[late.size() / 2] * 1e-3) / 1e12);
        }
        std::sort(ms.begin(), ms.end());
        double flop = 4.0 * rows * heads * double(keys) * 64;
        printf("  median %.3f ms best %.3f ms: %.1f TFLOP/s (median); per dense decode (x435.4) %.1f ms\n", ms[ms.size()/2], ms[0], flop / (ms[ms.size()/2] * 1e-3) / 1e12, ms[ms.size()/2] * 435.38);
    }
    cudaFree(q); cudaFree(k); cudaFree(v); cudaFree(vt); cudaFree(o);
    return bad;
}

int main(int argc, char** argv)
{
    if (argc > 1) return run(131072, 3072, 1500, false);
    int bad = 0;
    bad |= run(4096, 3072, 0, true);
    bad |= run(1000, 1000, 0, true);
    bad |= run(777, 64, 0, true);
    bad |= run(333, 1001, 0, true);
    bad |= run(64, 5, 0, true);
    bad |= run(131072, 3072, 20, false);
    printf("%s\n", bad ? "FAILED" : "PASSED");
    return bad;
}
