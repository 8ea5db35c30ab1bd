#pragma once
// Device helpers shared by orfeas_cuda's row kernels (dit_kernels.cu, decoder_kernels.cu): conversions between the
// storage types and float, 16-byte vector accesses of eight 2-byte values, packed pairs, warp and quad reductions;
// on the host, the once-per-device setting of a kernel's shared-memory size (also used by decoder_attention.cu).

#include <cstdint>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mutex>
#include <type_traits>
#include <vector>

namespace orfeas::cuda::detail {

// Storage <-> float, rounding to nearest even like LibTorch's casts.
template <typename T> struct Io;
template <> struct Io<float> {
    static __device__ __forceinline__ float load(const float* p) { return *p; }
    static __device__ __forceinline__ float round(float v) { return v; }
    static __device__ __forceinline__ void store(float* p, float v) { *p = v; }
};
template <> struct Io<__half> {
    static __device__ __forceinline__ float load(const __half* p) { return __half2float(*p); }
    static __device__ __forceinline__ float round(float v) { return __half2float(__float2half_rn(v)); }
    static __device__ __forceinline__ void store(__half* p, float v) { *p = __float2half_rn(v); }
};
template <> struct Io<__nv_bfloat16> {
    static __device__ __forceinline__ float load(const __nv_bfloat16* p) { return __bfloat162float(*p); }
    static __device__ __forceinline__ float round(float v) { return __bfloat162float(__float2bfloat16_rn(v)); }
    static __device__ __forceinline__ void store(__nv_bfloat16* p, float v) { *p = __float2bfloat16_rn(v); }
};

__device__ __forceinline__ float warpSum(float v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// Eight adjacent values of a 2-byte type in one 16-byte access (the pointer 16-byte aligned).
template <typename T> struct Vec8 {
    static __device__ __forceinline__ void load(const T* p, float (&v)[8])
    {
        const uint4 raw = *reinterpret_cast<const uint4*>(p);
        const T* h = reinterpret_cast<const T*>(&raw);
#pragma unroll
        for (int i = 0; i < 8; ++i)
            v[i] = Io<T>::load(h + i);
    }
    static __device__ __forceinline__ void store(T* p, const float (&v)[8])
    {
        uint4 raw;
        T* h = reinterpret_cast<T*>(&raw);
#pragma unroll
        for (int i = 0; i < 8; ++i)
            Io<T>::store(h + i, v[i]);
        *reinterpret_cast<uint4*>(p) = raw;
    }
};

// Two values rounded to T, packed in one register (the first in the low half).
template <typename T> __device__ __forceinline__ unsigned packPair(float a, float b)
{
    if constexpr (std::is_same_v<T, __half>) {
        const __half2 v = __floats2half2_rn(a, b);
        return *reinterpret_cast<const unsigned*>(&v);
    } else {
        const __nv_bfloat162 v = __floats2bfloat162_rn(a, b);
        return *reinterpret_cast<const unsigned*>(&v);
    }
}

// The sum over the four lanes that hold one row (lanes 4 g .. 4 g + 3).
__device__ __forceinline__ float quadSum(float v)
{
    v += __shfl_xor_sync(0xffffffffu, v, 1);
    return v + __shfl_xor_sync(0xffffffffu, v, 2);
}

// The maximum over the four lanes of a quad, as quadSum.
__device__ __forceinline__ float quadMax(float v)
{
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
    return fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
}

// Sets a kernel's largest dynamic shared memory to `bytes` on the current device, once per kernel, device and the
// largest size asked so far (the attribute is the device's; LibTorch's pools may run a kernel on several devices).
// Inline: one table for every translation unit and library that includes this header.
inline bool sharedAttributeSet(const void* kernel, int bytes)
{
    struct Entry {
        const void* kernel;
        int device;
        int bytes;
    };
    static std::mutex mutex;
    static std::vector<Entry> entries;
    int device = 0;
    cudaGetDevice(&device);
    const std::lock_guard<std::mutex> lock(mutex);
    for (const Entry& e : entries)
        if (e.kernel == kernel && e.device == device && e.bytes >= bytes)
            return true;
    if (cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes) != cudaSuccess) {
        cudaGetLastError();
        return false;
    }
    entries.push_back({ kernel, device, bytes });
    return true;
}

inline bool aligned16(const void* p)
{
    return p == nullptr || reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
}

} // namespace orfeas::cuda::detail
