// The geometry decoder's cross-attention on Hopper's warpgroup tensor-core operations (decoder_attention.h).
//
// The keys and values of a head do not change while its queries are decoded, so decoderAttentionPack lays them out
// once in the order the kernel reads them: per block of 128 keys, K (128 rows of 64 values) then V^T (two tiles of
// 64 value rows by 64 keys), every row 128 bytes with the 16-byte chunks swizzled the way wgmma's 128-byte-swizzle
// descriptors expect. A key block is then one contiguous 32 KB bulk copy (cp.async.bulk, completion counted on an
// mbarrier), issued by one thread of a producer warpgroup into a ring of kStages stages.
//
// A block of the kernel: kGroups consumer warpgroups (64 query rows each, one head) and the producer warpgroup
// (which hands its registers to the consumers: setmaxnreg). Each consumer warpgroup walks the key blocks: S = Q K^T
// (wgmma, Q in registers as A fragments, read once from the block's shared tile, K in shared memory, float32 sums;
// Q from registers was 3-5 % faster than from shared memory in short runs and 1-2 % in sustained ones on an H200,
// session 14), the online softmax in float32 (scores
// compared raw and scaled into base 2 inside exp2), O += P V with P in registers as T (the accumulator layout of S is
// the A-fragment layout of P V). The three warpgroups run unsynchronised, so that one's exponentials overlap another's
// products; a stage goes back to the producer when every consumer warp has finished its P V. Measured on an H200
// (docs/benchmarks.md, session 13), against variants: two consumer warpgroups with the next block's scores issued
// before the current block's exponentials, blocks of 64 keys, and turn-taking between warpgroups were all slower.
//
// decoderAttentionFromFeatures instantiates the same kernel with kQueries: the tile each warpgroup loads is then its
// rows' 64 features, and before the key blocks it forms Q itself (formQueries: one 64 x 64 x 64 product against the
// head's packed query weights, then decoderFront's arithmetic in registers), which leaves the shared-memory layout
// and the loop over the key blocks as they are; the plain kernel's launch leaves the weight tiles' memory out.

#include "decoder_attention.h"
#include "row_io.cuh"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <type_traits>

namespace orfeas::cuda {

namespace {

using namespace detail;

#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define ORFEAS_WGMMA 1
#else
#define ORFEAS_WGMMA 0
#endif

constexpr int kHead = 64; // values per head
constexpr int kKeys = 128; // keys per block
constexpr int kScores = kKeys / 2; // score registers per thread
constexpr int kSteps = kKeys / 16; // k steps of P V
constexpr int kGroups = 3; // consumer warpgroups per block
constexpr int kStages = 4; // key blocks in flight
// How far (base 2) a row's maximum may rise before its output is rescaled; ORFEAS_DECODER_ATTENTION_LAZY=0 makes it 0
// (a rescaling at every rise, as the kernel did before session 16), for comparisons.
constexpr float kLazyLog2 = 8.0f;
constexpr int kRowsPerBlock = 64 * kGroups;
constexpr int kThreads = 128 * (kGroups + 1); // + the producer warpgroup
constexpr int kKeyBytes = kKeys * 128; // K of a block: 128 rows of 128 bytes
constexpr int kBlockBytes = 2 * kKeyBytes; // + V^T: kKeys / 64 tiles of 64 rows of 128 bytes
constexpr int kQBytes = 64 * 128;
// Registers per thread after setmaxnreg: 65536 in all (multiples of 8).
constexpr int kProducerRegisters = 24;
constexpr int kConsumerShare = (65536 / 128 - kProducerRegisters) / kGroups / 8 * 8;
constexpr int kConsumerRegisters = kConsumerShare > 240 ? 240 : kConsumerShare; // 160 for three warpgroups

struct alignas(1024) AttentionShared {
    unsigned char q[kGroups][kQBytes]; // Q, or the features when the kernel forms Q itself
    unsigned char keys[kStages][kBlockBytes];
    unsigned long long full[kStages];
    unsigned long long empty[kStages];
    // The head's query weights (decoderAttentionFromFeatures alone; the plain kernel's launch leaves them out).
    alignas(1024) unsigned char m[kGroups][kQBytes];
};

// Byte offset of the 16-byte chunk `chunk` of row `row` in a 128-byte swizzled tile (chunk index XOR row % 8).
__host__ __device__ __forceinline__ int swizzled(int row, int chunk)
{
    return row * 128 + ((chunk ^ (row & 7)) << 4);
}

__device__ __forceinline__ unsigned sharedAddress(const void* p)
{
    return unsigned(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void copy16(void* shared, const void* global, bool valid)
{
    const int bytes = valid ? 16 : 0; // 0: fill with zeros
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(sharedAddress(shared)), "l"(global),
        "r"(bytes));
}

// wgmma's shared-memory matrix descriptor: K-major, 128-byte swizzle, 8-row groups 1024 bytes apart.
__device__ __forceinline__ std::uint64_t descriptor(const void* p)
{
    const std::uint64_t address = sharedAddress(p);
    return ((address & 0x3ffff) >> 4) | (std::uint64_t(1) << 16) | (std::uint64_t(1024 >> 4) << 32)
        | (std::uint64_t(1) << 62);
}

__device__ __forceinline__ void barrierInit(unsigned long long* bar, int count)
{
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(sharedAddress(bar)), "r"(count));
}

__device__ __forceinline__ void barrierArrive(unsigned long long* bar)
{
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(sharedAddress(bar)) : "memory");
}

__device__ __forceinline__ void barrierExpect(unsigned long long* bar, int bytes)
{
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(sharedAddress(bar)), "r"(bytes)
                 : "memory");
}

__device__ __forceinline__ void barrierWait(unsigned long long* bar, unsigned parity)
{
    asm volatile("{\n.reg .pred done;\nwait_%=:\n"
                 "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
                 "@!done bra wait_%=;\n}\n" ::"r"(sharedAddress(bar)),
        "r"(parity)
        : "memory");
}

__device__ __forceinline__ void bulkCopy(void* shared, const void* global, int bytes, unsigned long long* bar)
{
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n" ::"r"(
                     sharedAddress(shared)),
        "l"(global), "r"(bytes), "r"(sharedAddress(bar))
        : "memory");
}

#if ORFEAS_WGMMA
__device__ __forceinline__ void wgmmaFence()
{
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmmaCommit()
{
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmmaWait()
{
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
}


#define ORFEAS_R8(a, i)                                                                                             \
    "+f"(a[i]), "+f"(a[i + 1]), "+f"(a[i + 2]), "+f"(a[i + 3]), "+f"(a[i + 4]), "+f"(a[i + 5]), "+f"(a[i + 6]),     \
        "+f"(a[i + 7])

// The products below as one asm statement per input type (the type is part of the instruction's name).
#define ORFEAS_WGMMA_SCORES(TYPE)                                                                                      \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"                                                          \
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32." TYPE "." TYPE " "                                      \
                 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,"     \
                 "%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,"    \
                 "%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, {%64,%65,%66,%67}, %68, p, 1, 1, 0;\n}\n"  \
                 : ORFEAS_R8(d, 0), ORFEAS_R8(d, 8), ORFEAS_R8(d, 16), ORFEAS_R8(d, 24), ORFEAS_R8(d, 32),             \
                 ORFEAS_R8(d, 40), ORFEAS_R8(d, 48), ORFEAS_R8(d, 56)                                                  \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(scale))
#define ORFEAS_WGMMA_VALUES(TYPE)                                                                                      \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, 1, 0;\n"                                                            \
                 "wgmma.mma_async.sync.aligned.m64n64k16.f32." TYPE "." TYPE " "                                       \
                 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,"     \
                 "%26,%27,%28,%29,%30,%31}, {%32,%33,%34,%35}, %36, p, 1, 1, 0;\n}\n"                                  \
                 : ORFEAS_R8(d, 0), ORFEAS_R8(d, 8), ORFEAS_R8(d, 16), ORFEAS_R8(d, 24)                                \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b))

// d (64 x 128, float32, 64 per thread) = A (registers, 64 x 16 of T as the m16n8k16 A fragments of the warp's 16
// rows) * B (shared, 16 x 128) [+ d].
template <typename T>
__device__ __forceinline__ void wgmmaScores(float (&d)[64], const unsigned (&a)[4], std::uint64_t b, bool accumulate)
{
    const int scale = accumulate ? 1 : 0;
    if constexpr (std::is_same_v<T, __half>)
        ORFEAS_WGMMA_SCORES("f16");
    else
        ORFEAS_WGMMA_SCORES("bf16");
}

// d (64 x 64, float32) += A (registers, 64 x 16 of T: the m16n8k16 A fragments of the warp's 16 rows) * B (shared).
template <typename T>
__device__ __forceinline__ void wgmmaValues(float (&d)[32], const unsigned (&a)[4], std::uint64_t b)
{
    if constexpr (std::is_same_v<T, __half>)
        ORFEAS_WGMMA_VALUES("f16");
    else
        ORFEAS_WGMMA_VALUES("bf16");
}
#undef ORFEAS_WGMMA_SCORES
#undef ORFEAS_WGMMA_VALUES
#undef ORFEAS_R8
#endif

__device__ __forceinline__ float exp2Approx(float x)
{
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

// The online softmax of one block of scores s (raw products; this thread's rows g and g + 8: s[4 j + 0/1] row g,
// keys 8 j + 2 quad (+1), s[4 j + 2/3] row g + 8), in two parts: rescale() masks the keys from `valid` on and, when a
// row's maximum has grown by more than kLazyLog2, updates the running maxima and rescales the output and the sums;
// exponentials() forms P as the A fragments of P V.
__device__ __forceinline__ void rescale(float (&s)[kScores], float (&out)[32], float& max0, float& max1, float& sum0,
    float& sum1, float scaleLog2, float lazyLog2, int valid, int quad)
{
    if (valid < kKeys) {
#pragma unroll
        for (int j = 0; j < kKeys / 8; ++j)
#pragma unroll
            for (int i = 0; i < 4; ++i)
                if (8 * j + 2 * quad + (i & 1) >= valid)
                    s[4 * j + i] = -INFINITY;
    }
    float m0 = max0, m1 = max1;
#pragma unroll
    for (int j = 0; j < kKeys / 8; ++j) {
        m0 = fmaxf(m0, fmaxf(s[4 * j], s[4 * j + 1]));
        m1 = fmaxf(m1, fmaxf(s[4 * j + 2], s[4 * j + 3]));
    }
    m0 = quadMax(m0);
    m1 = quadMax(m1);
    // Lazy rescaling: a row keeps its running maximum unless this block's exceeds it by more than kLazyLog2 in base
    // 2, so most blocks skip the rescaling of the output and the sums. The exponentials are then at most
    // 2^kLazyLog2, well inside T's range; softmax does not depend on the shift, and the final division by the sum
    // takes it out (measured on an H200, session 16: 1 % faster over 1500 chunks back to back).
    const bool grow0 = (m0 - max0) * scaleLog2 > lazyLog2, grow1 = (m1 - max1) * scaleLog2 > lazyLog2;
    if (!grow0 && !grow1)
        return;
    if (!grow0)
        m0 = max0;
    if (!grow1)
        m1 = max1;
    const float alpha0 = exp2Approx((max0 - m0) * scaleLog2), alpha1 = exp2Approx((max1 - m1) * scaleLog2);
    max0 = m0;
    max1 = m1;
    sum0 *= alpha0;
    sum1 *= alpha1;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
        out[4 * j] *= alpha0;
        out[4 * j + 1] *= alpha0;
        out[4 * j + 2] *= alpha1;
        out[4 * j + 3] *= alpha1;
    }
}

template <typename T>
__device__ __forceinline__ void exponentials(
    const float (&s)[kScores], unsigned (&p)[kSteps][4], float max0, float max1, float& sum0, float& sum1, float scaleLog2)
{
    const float shift0 = max0 * scaleLog2, shift1 = max1 * scaleLog2;
#pragma unroll
    for (int j = 0; j < kKeys / 8; ++j) {
        const float p0 = exp2Approx(__fmaf_rn(s[4 * j], scaleLog2, -shift0));
        const float p1 = exp2Approx(__fmaf_rn(s[4 * j + 1], scaleLog2, -shift0));
        const float p2 = exp2Approx(__fmaf_rn(s[4 * j + 2], scaleLog2, -shift1));
        const float p3 = exp2Approx(__fmaf_rn(s[4 * j + 3], scaleLog2, -shift1));
        sum0 += p0 + p1;
        sum1 += p2 + p3;
        // A fragments of P V, k step j / 2: [0] row g, keys 2 quad..; [1] row g + 8; [2], [3] keys + 8.
        p[j >> 1][(j & 1) * 2] = packPair<T>(p0, p1);
        p[j >> 1][(j & 1) * 2 + 1] = packPair<T>(p2, p3);
    }
}

// What the kernel needs to form the queries itself (decoderAttentionFromFeatures; q is then the features).
struct QueryForm {
    const float* sigmaInv;
    const unsigned char* weights; // kQBytes per head: rows of the head's 64 outputs, 64 features each, swizzled
    const float* yScale;
    const float* m1;
    const float* m2;
    const void* qWeight;
    const void* qBias;
    float qEps;
    bool normalise;
};

#if ORFEAS_WGMMA
// decoderAttentionFromFeatures' queries of this warp's rows g and g + 8 (row0 and row0 + 8), from the features in qa
// (A fragments) and the head's weight tile: pre = (f M_h^T * yScale + m1) * sigma^-1 + m2, then (normalise) the
// per-head LayerNorm, rounded to T, as decoderFront computes them; the result replaces qa as Q's A fragments (the
// accumulator layout of the product is the A-fragment layout, as for P).
template <typename T>
__device__ __forceinline__ void formQueries(unsigned (&qa)[4][4], const unsigned char* mTile, const QueryForm& form,
    int head, std::int64_t row0, std::int64_t rows, int quad)
{
    float acc[32];
#pragma unroll
    for (int i = 0; i < 32; ++i)
        acc[i] = 0.0f;
    const std::uint64_t mDesc = descriptor(mTile);
    wgmmaFence();
#pragma unroll
    for (int step = 0; step < 4; ++step)
        wgmmaValues<T>(acc, qa[step], mDesc + 2 * step);
    wgmmaCommit();
    wgmmaWait();
    const float scale = *form.yScale;
    const std::int64_t row1 = row0 + 8;
    const float inv0 = row0 < rows ? form.sigmaInv[row0] : 0.0f, inv1 = row1 < rows ? form.sigmaInv[row1] : 0.0f;
    const float* m1 = form.m1 + head * kHead;
    const float* m2 = form.m2 + head * kHead;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
        const int col = 8 * j + 2 * quad;
        const float2 a1 = *reinterpret_cast<const float2*>(m1 + col), a2 = *reinterpret_cast<const float2*>(m2 + col);
        acc[4 * j] = __fmaf_rn(__fmaf_rn(acc[4 * j], scale, a1.x), inv0, a2.x);
        acc[4 * j + 1] = __fmaf_rn(__fmaf_rn(acc[4 * j + 1], scale, a1.y), inv0, a2.y);
        acc[4 * j + 2] = __fmaf_rn(__fmaf_rn(acc[4 * j + 2], scale, a1.x), inv1, a2.x);
        acc[4 * j + 3] = __fmaf_rn(__fmaf_rn(acc[4 * j + 3], scale, a1.y), inv1, a2.y);
    }
    if (form.normalise) {
        float hs0 = 0.0f, hs1 = 0.0f;
#pragma unroll
        for (int j = 0; j < 8; ++j) {
            hs0 += acc[4 * j] + acc[4 * j + 1];
            hs1 += acc[4 * j + 2] + acc[4 * j + 3];
        }
        const float mean0 = quadSum(hs0) * (1.0f / kHead), mean1 = quadSum(hs1) * (1.0f / kHead);
        float hq0 = 0.0f, hq1 = 0.0f;
#pragma unroll
        for (int j = 0; j < 8; ++j) {
            acc[4 * j] -= mean0;
            acc[4 * j + 1] -= mean0;
            acc[4 * j + 2] -= mean1;
            acc[4 * j + 3] -= mean1;
            hq0 = __fmaf_rn(acc[4 * j], acc[4 * j], __fmaf_rn(acc[4 * j + 1], acc[4 * j + 1], hq0));
            hq1 = __fmaf_rn(acc[4 * j + 2], acc[4 * j + 2], __fmaf_rn(acc[4 * j + 3], acc[4 * j + 3], hq1));
        }
        const float rstd0 = rsqrtf(quadSum(hq0) * (1.0f / kHead) + form.qEps);
        const float rstd1 = rsqrtf(quadSum(hq1) * (1.0f / kHead) + form.qEps);
        const T* qw = static_cast<const T*>(form.qWeight);
        const T* qb = static_cast<const T*>(form.qBias);
#pragma unroll
        for (int j = 0; j < 8; ++j) {
            const int col = 8 * j + 2 * quad;
            const float w0 = qw ? Io<T>::load(qw + col) : 1.0f, w1 = qw ? Io<T>::load(qw + col + 1) : 1.0f;
            const float b0 = qb ? Io<T>::load(qb + col) : 0.0f, b1 = qb ? Io<T>::load(qb + col + 1) : 0.0f;
            acc[4 * j] = __fmaf_rn(acc[4 * j] * rstd0, w0, b0);
            acc[4 * j + 1] = __fmaf_rn(acc[4 * j + 1] * rstd0, w1, b1);
            acc[4 * j + 2] = __fmaf_rn(acc[4 * j + 2] * rstd1, w0, b0);
            acc[4 * j + 3] = __fmaf_rn(acc[4 * j + 3] * rstd1, w1, b1);
        }
    }
#pragma unroll
    for (int s = 0; s < 4; ++s)
#pragma unroll
        for (int i = 0; i < 4; ++i)
            qa[s][i] = packPair<T>(acc[8 * s + 2 * i], acc[8 * s + 2 * i + 1]);
}
#endif

template <typename T, bool kQueries>
__global__ void __launch_bounds__(kThreads, 1) decoderAttentionKernel(const T* q, std::int64_t qRowStride,
    const unsigned char* packed, std::int64_t packedHeadBytes, T* o, std::int64_t oRowStride, std::int64_t rows,
    int keys, float scaleLog2, float lazyLog2, QueryForm form)
{
#if ORFEAS_WGMMA
    extern __shared__ __align__(1024) unsigned char attentionRaw[];
    auto& sm = *reinterpret_cast<AttentionShared*>(
        (reinterpret_cast<std::uintptr_t>(attentionRaw) + 1023) & ~std::uintptr_t(1023));
    const int tid = int(threadIdx.x);
    const int group = tid >> 7;
    const int head = int(blockIdx.y);
    const int blocks = (keys + kKeys - 1) / kKeys;
    const unsigned char* headKeys = packed + head * packedHeadBytes;
    if (tid == 0) {
        for (int s = 0; s < kStages; ++s) {
            barrierInit(&sm.full[s], 1);
            barrierInit(&sm.empty[s], 4 * kGroups);
        }
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
    __syncthreads();

    if (group == kGroups) {
        // The producer warpgroup gives its registers to the consumers; one thread fills the stages in order, each
        // after its previous block was released.
        asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(kProducerRegisters));
        if (tid == 128 * kGroups) {
            for (int b = 0; b < blocks; ++b) {
                const int stage = b % kStages;
                if (b >= kStages)
                    barrierWait(&sm.empty[stage], unsigned((b / kStages - 1) & 1));
                barrierExpect(&sm.full[stage], kBlockBytes);
                bulkCopy(sm.keys[stage], headKeys + std::int64_t(b) * kBlockBytes, kBlockBytes, &sm.full[stage]);
            }
        }
        return;
    }

    asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(kConsumerRegisters));
    const int inGroup = tid & 127;
    const int warp = inGroup >> 5, lane = tid & 31;
    const int g = lane >> 2, quad = lane & 3;
    const std::int64_t rowBase = std::int64_t(blockIdx.x) * kRowsPerBlock + group * 64;
    // This warpgroup's 64 query rows; rows past the end are zeros (their results are not stored).
    unsigned char* qTile = sm.q[group];
    // Q's columns of this head, or (kQueries) the 64 features of each row and the head's weight tile.
    const std::int64_t qColumn = kQueries ? 0 : head * kHead;
    for (int i = inGroup; i < 64 * 8; i += 128) {
        const int r = i >> 3, c = i & 7;
        const std::int64_t row = rowBase + r;
        const bool valid = row < rows;
        copy16(qTile + swizzled(r, c), q + (valid ? row : 0) * qRowStride + qColumn + c * 8, valid);
        if constexpr (kQueries)
            copy16(sm.m[group] + 16 * i, form.weights + std::int64_t(head) * kQBytes + 16 * i, true);
    }
    asm volatile("cp.async.wait_all;\n" ::: "memory");
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
    asm volatile("bar.sync %0, 128;\n" ::"r"(1 + group) : "memory");

    // Q as the A fragments of the four k steps of S (rows g and g + 8 of the warp's 16, columns 2 quad.. and + 8): read
    // once, so that the scores' products take only K from shared memory.
    unsigned qa[4][4];
#pragma unroll
    for (int step = 0; step < 4; ++step)
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const int r = warp * 16 + g + (i & 1) * 8, c = step * 16 + 2 * quad + (i >> 1) * 8;
            qa[step][i] = *reinterpret_cast<const unsigned*>(qTile + swizzled(r, c >> 3) + (c & 7) * 2);
        }
    if constexpr (kQueries)
        formQueries<T>(qa, sm.m[group], form, head, rowBase + warp * 16 + g, rows, quad);
    const std::uint64_t keysDesc = descriptor(sm.keys[0]);
    constexpr std::uint64_t kStageStep = kBlockBytes >> 4, kValuesOffset = kKeyBytes >> 4, kTileStep = (64 * 128) >> 4;
    const auto scores = [&](int b, float(&s)[kScores]) {
        const int stage = b % kStages;
        barrierWait(&sm.full[stage], unsigned((b / kStages) & 1));
        const std::uint64_t kDesc = keysDesc + stage * kStageStep;
        wgmmaFence();
#pragma unroll
        for (int step = 0; step < 4; ++step)
            wgmmaScores<T>(s, qa[step], kDesc + 2 * step, step > 0);
        wgmmaCommit();
    };

    float out[32];
#pragma unroll
    for (int i = 0; i < 32; ++i)
        out[i] = 0.0f;
    float max0 = -INFINITY, max1 = -INFINITY, sum0 = 0.0f, sum1 = 0.0f;
    // One score buffer: each block's scores, softmax and P V in turn (the other warpgroups fill the tensor cores).
    for (int b = 0; b < blocks; ++b) {
        float s[kScores];
        scores(b, s);
        wgmmaWait();
        rescale(s, out, max0, max1, sum0, sum1, scaleLog2, lazyLog2, keys - b * kKeys, quad);
        unsigned p[kSteps][4];
        exponentials<T>(s, p, max0, max1, sum0, sum1, scaleLog2);
        const std::uint64_t vDesc = keysDesc + (b % kStages) * kStageStep + kValuesOffset;
        wgmmaFence();
#pragma unroll
        for (int step = 0; step < kSteps; ++step)
            wgmmaValues<T>(out, p[step], vDesc + (step >> 2) * kTileStep + 2 * (step & 3));
        wgmmaCommit();
        wgmmaWait();
        if (lane == 0)
            barrierArrive(&sm.empty[b % kStages]);
    }
    const float inv0 = 1.0f / quadSum(sum0), inv1 = 1.0f / quadSum(sum1);
    const std::int64_t r0 = rowBase + warp * 16 + g, r1 = r0 + 8;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
        const int col = head * kHead + 8 * j + 2 * quad;
        if (r0 < rows)
            *reinterpret_cast<unsigned*>(o + r0 * oRowStride + col)
                = packPair<T>(out[4 * j] * inv0, out[4 * j + 1] * inv0);
        if (r1 < rows)
            *reinterpret_cast<unsigned*>(o + r1 * oRowStride + col)
                = packPair<T>(out[4 * j + 2] * inv1, out[4 * j + 3] * inv1);
    }
#else
    // Built for a device without sm_90a's instructions: decoderAttentionServes() never lets a launch get here.
    __trap();
#endif
}

// One thread per 16-byte chunk of the packed layout (decoderAttentionPack).
template <typename T>
__global__ void packKernel(const T* k, std::int64_t kKeyStride, std::int64_t kHeadStride, const T* v,
    std::int64_t vKeyStride, std::int64_t vHeadStride, int heads, int keys, unsigned char* packed)
{
    const int blocks = (keys + kKeys - 1) / kKeys;
    const std::int64_t chunks = std::int64_t(heads) * blocks * (kBlockBytes / 16);
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < chunks;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        const int within = int(i % (kBlockBytes / 16)) * 16; // byte offset inside the block
        const std::int64_t hb = i / (kBlockBytes / 16);
        const int b = int(hb % blocks), h = int(hb / blocks);
        // Undo the swizzle: which row and which logical chunk this position holds.
        const int tileOffset = within < kKeyBytes ? within : (within - kKeyBytes) % (64 * 128);
        const int row = tileOffset / 128, position = (tileOffset % 128) / 16;
        const int chunk = position ^ (row & 7);
        T values[8];
        if (within < kKeyBytes) {
            const int key = b * kKeys + row;
#pragma unroll
            for (int e = 0; e < 8; ++e)
                values[e] = key < keys ? k[h * kHeadStride + key * kKeyStride + chunk * 8 + e] : T(0.0f);
        } else {
            const int tile = (within - kKeyBytes) / (64 * 128);
            const int first = b * kKeys + tile * 64 + chunk * 8; // row = value column
#pragma unroll
            for (int e = 0; e < 8; ++e)
                values[e] = first + e < keys ? v[h * vHeadStride + std::int64_t(first + e) * vKeyStride + row] : T(0.0f);
        }
        *reinterpret_cast<uint4*>(packed + hb * kBlockBytes + within) = *reinterpret_cast<const uint4*>(values);
    }
}

float lazyThreshold()
{
    static const float threshold = [] {
        const char* v = std::getenv("ORFEAS_DECODER_ATTENTION_LAZY");
        return v && std::string(v) == "0" ? 0.0f : kLazyLog2;
    }();
    return threshold;
}

template <typename T, bool kQueries>
const char* decoderAttentionT(const void* q, std::int64_t qRowStride, const void* packed, void* o,
    std::int64_t oRowStride, std::int64_t rows, int heads, int keys, float scale, const QueryForm& form,
    cudaStream_t stream)
{
    if (rows == 0)
        return nullptr;
    constexpr int bytes = int(kQueries ? sizeof(AttentionShared) : offsetof(AttentionShared, m)) + 1024;
    const auto kernel = decoderAttentionKernel<T, kQueries>;
    if (!sharedAttributeSet(reinterpret_cast<const void*>(kernel), bytes))
        return "decoderAttention: the kernel's shared memory cannot be granted";
    const dim3 grid(unsigned((rows + kRowsPerBlock - 1) / kRowsPerBlock), unsigned(heads));
    kernel<<<grid, kThreads, bytes, stream>>>(static_cast<const T*>(q), qRowStride,
        static_cast<const unsigned char*>(packed), decoderAttentionPackedBytes(1, keys), static_cast<T*>(o), oRowStride,
        rows, keys, scale * 1.4426950408889634f, lazyThreshold(), form);
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

// One thread per 16-byte chunk of the query weight tiles (decoderQueryWeightsPack).
template <typename T>
__global__ void queryWeightsPackKernel(const T* m, std::int64_t rowStride, int heads, unsigned char* packed)
{
    const int chunks = heads * (kQBytes / 16);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < chunks; i += gridDim.x * blockDim.x) {
        const int h = i / (kQBytes / 16), within = (i % (kQBytes / 16)) * 16;
        const int row = within / 128, position = (within % 128) / 16;
        const int chunk = position ^ (row & 7);
        *reinterpret_cast<uint4*>(packed + std::int64_t(h) * kQBytes + within)
            = *reinterpret_cast<const uint4*>(m + (std::int64_t(h) * kHead + row) * rowStride + chunk * 8);
    }
}

} // namespace

bool decoderAttentionServes(int device, int headDim, int keys) noexcept
{
    int major = 0, minor = 0;
    if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess
        || cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) {
        cudaGetLastError();
        return false;
    }
    return major == 9 && minor == 0 && headDim == kHead && keys > 0;
}

std::int64_t decoderAttentionPackedBytes(int heads, int keys) noexcept
{
    return std::int64_t(heads) * ((keys + kKeys - 1) / kKeys) * kBlockBytes;
}

const char* decoderAttentionPack(DitDType type, const void* k, std::int64_t kKeyStride, std::int64_t kHeadStride,
    const void* v, std::int64_t vKeyStride, std::int64_t vHeadStride, int heads, int keys, void* packed,
    void* stream) noexcept
{
    if (heads <= 0 || keys <= 0)
        return "decoderAttentionPack: at least one head and one key";
    if (!aligned16(packed))
        return "decoderAttentionPack: the packed buffer must be 16-byte aligned";
    const auto s = static_cast<cudaStream_t>(stream);
    const std::int64_t chunks = decoderAttentionPackedBytes(heads, keys) / 16;
    const unsigned grid = unsigned(std::min<std::int64_t>((chunks + 255) / 256, 4096));
    switch (type) {
    case DitDType::Float16:
        packKernel<__half><<<grid, 256, 0, s>>>(static_cast<const __half*>(k), kKeyStride, kHeadStride,
            static_cast<const __half*>(v), vKeyStride, vHeadStride, heads, keys, static_cast<unsigned char*>(packed));
        break;
    case DitDType::BFloat16:
        packKernel<__nv_bfloat16><<<grid, 256, 0, s>>>(static_cast<const __nv_bfloat16*>(k), kKeyStride, kHeadStride,
            static_cast<const __nv_bfloat16*>(v), vKeyStride, vHeadStride, heads, keys,
            static_cast<unsigned char*>(packed));
        break;
    default:
        return "decoderAttentionPack: half or bfloat16 only";
    }
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

const char* decoderAttention(DitDType type, const void* q, std::int64_t qRowStride, const void* packed, void* o,
    std::int64_t oRowStride, std::int64_t rows, int heads, int keys, float scale, void* stream) noexcept
{
    if (!aligned16(q) || !aligned16(packed) || !aligned16(o) || qRowStride % 8 != 0 || oRowStride % 2 != 0)
        return "decoderAttention: rows must be 16-byte aligned";
    if (heads <= 0 || keys <= 0)
        return "decoderAttention: at least one head and one key";
    if (!(scale > 0.0f) || !std::isfinite(scale))
        return "decoderAttention: the scale must be positive and finite (the softmax tracks the raw scores' maxima)";
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return decoderAttentionT<__half, false>(q, qRowStride, packed, o, oRowStride, rows, heads, keys, scale, {}, s);
    case DitDType::BFloat16:
        return decoderAttentionT<__nv_bfloat16, false>(
            q, qRowStride, packed, o, oRowStride, rows, heads, keys, scale, {}, s);
    default:
        return "decoderAttention: half or bfloat16 only";
    }
}

const char* decoderQueryWeightsPack(
    DitDType type, const void* m, std::int64_t rowStride, int heads, void* packed, void* stream) noexcept
{
    if (heads <= 0 || !m || !packed)
        return "decoderQueryWeightsPack: at least one head, and the pointers";
    if (!aligned16(m) || !aligned16(packed) || rowStride % 8 != 0 || rowStride < kHead)
        return "decoderQueryWeightsPack: 16-byte aligned rows of at least 64 values";
    const auto s = static_cast<cudaStream_t>(stream);
    const unsigned grid = unsigned((heads * (kQBytes / 16) + 255) / 256);
    switch (type) {
    case DitDType::Float16:
        queryWeightsPackKernel<__half>
            <<<grid, 256, 0, s>>>(static_cast<const __half*>(m), rowStride, heads, static_cast<unsigned char*>(packed));
        break;
    case DitDType::BFloat16:
        queryWeightsPackKernel<__nv_bfloat16><<<grid, 256, 0, s>>>(
            static_cast<const __nv_bfloat16*>(m), rowStride, heads, static_cast<unsigned char*>(packed));
        break;
    default:
        return "decoderQueryWeightsPack: half or bfloat16 only";
    }
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

const char* decoderAttentionFromFeatures(DitDType type, const DecoderQueryInputs& in, const void* packed, void* o,
    std::int64_t oRowStride, std::int64_t rows, int heads, int keys, float scale, void* stream) noexcept
{
    if (!in.features || !in.sigmaInv || !in.weights || !in.yScale || !in.m1 || !in.m2)
        return "decoderAttentionFromFeatures: a pointer is missing";
    if (!aligned16(in.features) || in.featureStride % 8 != 0 || in.featureStride < kHead || !aligned16(in.weights)
        || !aligned16(packed) || !aligned16(o) || oRowStride % 2 != 0
        || reinterpret_cast<std::uintptr_t>(in.m1) % 8 != 0 || reinterpret_cast<std::uintptr_t>(in.m2) % 8 != 0)
        return "decoderAttentionFromFeatures: rows must be 16-byte aligned, m1 and m2 8-byte aligned";
    if (heads <= 0 || keys <= 0)
        return "decoderAttentionFromFeatures: at least one head and one key";
    if (!(scale > 0.0f) || !std::isfinite(scale))
        return "decoderAttentionFromFeatures: the scale must be positive and finite";
    const QueryForm form { in.sigmaInv, static_cast<const unsigned char*>(in.weights), in.yScale, in.m1, in.m2,
        in.qWeight, in.qBias, in.qEps, in.normalise };
    const auto s = static_cast<cudaStream_t>(stream);
    switch (type) {
    case DitDType::Float16:
        return decoderAttentionT<__half, true>(
            in.features, in.featureStride, packed, o, oRowStride, rows, heads, keys, scale, form, s);
    case DitDType::BFloat16:
        return decoderAttentionT<__nv_bfloat16, true>(
            in.features, in.featureStride, packed, o, oRowStride, rows, heads, keys, scale, form, s);
    default:
        return "decoderAttentionFromFeatures: half or bfloat16 only";
    }
}

} // namespace orfeas::cuda
