#pragma once
// The denoiser's fused GPU path: tensor-level wrappers around orfeas_cuda's kernels (core/cuda/dit_kernels.h), the
// GELU-in-the-GEMM projection and the choice of attention kernel. Used by HunyuanDit on CUDA devices; the CPU and
// builds without the CUDA parts use the operator-by-operator path, which is also the reference for the tests.
//
// The kernels are compiled in when ORFEAS_NEURAL_DIT_CUDA is set (orfeas_cuda linked and a CUDA LibTorch with
// stream support). adaNorm, gatedResidual and qkNormSplit run them on CUDA tensors and the same arithmetic as
// LibTorch operators on any other tensor (or with ORFEAS_DIT_FUSED=0), so that the block structure built on them
// (the guided forward pass, hunyuan_dit.h) runs and is tested on the CPU too.

#include "neural_common.h"

#include <string>

namespace orfeas::neural::fused {

// Whether the fused path serves a model computing on `spec`: compiled in, a CUDA device, and not switched off with
// the environment variable ORFEAS_DIT_FUSED=0 (kept for comparisons).
bool enabled(const ComputeSpec& spec);

// out = (1 + scale) * LayerNorm(x) + shift with shift = mod chunk `shiftIndex`, scale = chunk `scaleIndex` of a
// modulation output mod [B, k * W]. With `residual` defined, first x <- x + gate * residual (in place), gate =
// chunk `gateIndex`. x [B, L, W] contiguous, in the compute dtype.
at::Tensor adaNorm(at::Tensor& x, const at::Tensor& mod, int shiftIndex, int scaleIndex,
    const at::Tensor& residual = {}, int gateIndex = -1, double eps = 1e-6);

// x <- x + gate * y, gate = chunk `gateIndex` of mod.
void gatedResidual(at::Tensor& x, const at::Tensor& y, const at::Tensor& mod, int gateIndex);

// qkv [B, L, 3 * H * D] (rows may be strided) -> q, k, v [B, Ltot, H, Dp] at token offset `offset` (the first D
// values of each head; Dp >= D), q and k RMS-normalised with their scales (eps 1e-6). v may be undefined: then
// only q and k are written (the caller reads v from qkv in place).
void qkNormSplit(const at::Tensor& qkv, const at::Tensor& qScale, const at::Tensor& kScale, at::Tensor& q,
    at::Tensor& k, at::Tensor& v, std::int64_t offset);

// Attention on [B, L, H, D] tensors (the layout qkNormSplit writes), returning [B, L, H * D].
at::Tensor attentionBLHD(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// Attention of the queries q [B, L, H, D] over the keys k, v [B, Lk, H, D] and one more key per sample, k0 [B, H, D]
// with value v0 [B, H, D], that stands for `count` identical keys (its score gains log(count)): exactly the
// attention over the Lk + count keys. Computed as the attention over k, v with its log-sum-exp, into which the
// repeated key is merged (a weight per query and head). Returns [B, L, H * D].
at::Tensor attentionWithRepeatedKey(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& k0,
    const at::Tensor& v0, double count);

// norm(x) over the last dimension, for short rows (at most 256 values): one warp per row on CUDA (orfeas_cuda's
// rowLayerNorm), LibTorch's layer_norm elsewhere or for wider rows. Used by the geometry decoder's per-head norm.
at::Tensor shortRowLayerNorm(const LayerNorm& norm, const at::Tensor& x);

// gelu_tanh(x W^T + b) with the activation in the GEMM's epilogue where LibTorch can (cuBLASLt).
at::Tensor geluLinear(const Linear& layer, const at::Tensor& x);

// The geometry decoder's fused kernels (orfeas_cuda's decoder_kernels.h), used by GeometryDecoder::query.
// Whether they serve a decoder of this width computing on `spec` in `dtype`: enabled(spec), half or bfloat16, a
// width that is a multiple of 8 up to 2048, and not switched off with ORFEAS_DECODER_FUSED=0 (kept for comparisons)
// or for the moment by setDecoderKernelsOff (the backend's comparison of both paths, ORFEAS_DECODER_VERIFY).
bool decoderKernels(const ComputeSpec& spec, at::ScalarType dtype, std::int64_t width);
// Process-wide switch of the above, for comparing the fused path with the operator path in one process.
void setDecoderKernelsOff(bool off);
// Fourier features of points [rows, 3] (float32, contiguous, CUDA) as [rows, outWidth] in `dtype`, zero-padded
// (decoder_kernels.h: fourierFeatures).
at::Tensor fourierFeatures(const at::Tensor& points, const at::Tensor& frequencies, std::int64_t outWidth,
    at::ScalarType dtype);
// norm(x + shift) for x [rows, W] (contiguous) and shift [W] (may be undefined: none), the sum in float32; x is
// left as it is (decoder_kernels.h: shiftedLayerNorm).
at::Tensor shiftedLayerNorm(const at::Tensor& x, const LayerNorm& norm, const at::Tensor& shift);
// float32 logits [rows] = projection(norm(x + shift)) for x [rows, W] and a projection to one output; shift and norm
// as above (norm may be null: no norm). The normalised row is rounded to x's type, and so is the logit, as the
// operator path does.
at::Tensor layerNormDot(const at::Tensor& x, const at::Tensor& shift, const LayerNorm* norm, const Linear& projection);

// The decoder's attention queries, per head normalised by qNorm (a LayerNorm over headDim values, or none when it
// has no parameters), from y = features M^T in place: decoder_kernels.h's factoredQueries with the factored form's
// Gram matrix, ln_1's eps, the scale y was computed at and m1, m2 (GeometryDecoder's FactoredQuery).
void factoredQueries(at::Tensor& y, const at::Tensor& features, std::int64_t featureCount, const at::Tensor& gram,
    double eps, const at::Tensor& yScale, const at::Tensor& m1, const at::Tensor& m2, const LayerNorm& qNorm,
    std::int64_t headDim);
// The decoder's first layers in one pass (decoder_kernels.h: decoderFront): from points [rows, 3] (float32,
// contiguous, CUDA), the residual stream's start x0 = W_p f + b_p and the per-head normalised queries, both
// [rows, width] in weights' type, through the factored form (weights: [W_p; M / yScale] zero-padded to 64 columns).
// headDim 16, 32 or 64, width a multiple of 64 (decoderFrontServes says whether a shape is taken).
bool decoderFrontServes(std::int64_t width, std::int64_t headDim, std::int64_t numFrequencies);
void decoderFront(const at::Tensor& points, const at::Tensor& frequencies, const at::Tensor& weights,
    const at::Tensor& bias0, const at::Tensor& yScale, const at::Tensor& m1, const at::Tensor& m2, double eps,
    const LayerNorm& qNorm, std::int64_t headDim, at::Tensor& x0, at::Tensor& q);

// The decoder's cross-attention in orfeas_cuda's own kernel for Hopper (decoder_attention.h). decoderAttentionPack:
// the keys and values k, v [B, H, N, 64] (contiguous, CUDA, half or bfloat16) laid out as the kernel reads them, or
// an undefined tensor where the kernel does not serve (no such kernel in this build, not a compute capability 9.0
// device, heads not of 64 values, another type, or ORFEAS_DECODER_ATTENTION set to cudnn or flash).
// decoderAttention: for queries q [B * P, H * 64] (rows of P points per batch entry, contiguous) the attention
// output [B * P, H * 64] with the default scale 1 / sqrt(64); `packed` holds one or B batch entries' keys.
at::Tensor decoderAttentionPack(const at::Tensor& k, const at::Tensor& v);
at::Tensor decoderAttention(
    const at::Tensor& q, const at::Tensor& packed, std::int64_t batch, std::int64_t heads, std::int64_t keys);
// Whether that kernel will serve a decoder with heads of headDim values computed with `spec` (for reports).
bool decoderAttentionServes(const ComputeSpec& spec, std::int64_t headDim);

// The decoder's front and cross-attention with the queries formed inside the attention kernel (decoder_attention.h:
// decoderAttentionFromFeatures; GeometryDecoder's default since session 15, ORFEAS_DECODER_QUERIES_IN_ATTENTION=0
// switches it off). `out` is [rows, width + 64] (contiguous, CUDA, the compute type): decoderFrontFeatures writes the
// points' 64 rounded features into its last 64 columns and returns LN_1's sigma^-1 per row (float32 [rows]) from the
// Gram form of the variance (gramTiles [128, 64] of out's type and gramScale [1] float32: FactoredQuery);
// decoderAttentionFromFeatures reads them and writes the attention output into its first `width` columns (one or B
// batch entries' packed keys, as decoderAttention). decoderQueryWeightsPack packs the factored query matrix (rows
// [width, 2 width) of the front's weights) per head of 64. Heads of 64 values where decoderAttentionServes.
at::Tensor decoderFrontFeatures(const at::Tensor& points, const at::Tensor& frequencies, const at::Tensor& gramTiles,
    const at::Tensor& gramScale, double eps, at::Tensor& out);
at::Tensor decoderQueryWeightsPack(const at::Tensor& frontWeights, std::int64_t heads);
void decoderAttentionFromFeatures(at::Tensor& out, const at::Tensor& sigmaInv, const at::Tensor& queryWeights,
    const at::Tensor& yScale, const at::Tensor& m1, const at::Tensor& m2, const LayerNorm& qNorm,
    const at::Tensor& packed, std::int64_t batch, std::int64_t heads, std::int64_t keys);

// epilogue(x w^T + bias) for x [m, k] and a weight w [n, k], or *accumulateInto += x w^T (no bias, no GELU): the
// geometry decoder's large products through orfeas_cuda's tunedGemm (the algorithm chosen by timing the first
// product of each kind; ORFEAS_GEMM_TUNING=0 keeps cuBLASLt's heuristic's choice, for comparisons). gelu: the tanh
// approximation, with the bias. LibTorch's operators where the kernels do not serve (other devices and types).
at::Tensor tunedLinear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias = {}, bool gelu = false,
    at::Tensor* accumulateInto = nullptr);

// The decoder's optional FP8 path (queryFused; experimental, off unless ORFEAS_DECODER_FP8=1): the query
// projection and the MLP's two products take E4M3 inputs (orfeas_cuda's fp8_gemm.h). Whether it serves a decoder of
// this width and MLP width: decoderKernels(...), both multiples of 16, and a GPU with FP8 tensor cores.
bool decoderFp8(const ComputeSpec& spec, at::ScalarType dtype, std::int64_t width, std::int64_t hidden);
// E4M3 bytes (kByte, same shape) of x * scale, saturated to +-448. x contiguous on CUDA (half, bfloat16, float32).
at::Tensor quantizeE4M3(const at::Tensor& x, float scale);
// shiftedLayerNorm with the norm's output as E4M3 bytes of value * scale (decoder_kernels.h).
at::Tensor shiftedLayerNormE4M3(const at::Tensor& x, const LayerNorm& norm, const at::Tensor& shift, float scale);
// One FP8 product a w^T (a [m, k] and w [n, k] E4M3 bytes), the dequantisation scales read on the device from
// slots scaleA and scaleW of `scales` (float32 on a's device, one value at the start of every kFp8ScaleStride: the
// products want each scale 16-byte aligned). The result: with accumulateInto, added to that tensor
// ([m, n] of outType, in place, no bias); else with outScale >= 0 as E4M3 bytes of value * scales[outScale]; else
// [m, n] of outType. bias ([n], outType) and gelu (the tanh approximation, needs the bias) run in the epilogue.
constexpr std::int64_t kFp8ScaleStride = 4;
struct Fp8Product {
    at::Tensor a, w, scales, bias;
    int scaleA = 0, scaleW = 0, outScale = -1;
    float outScaleValue = 0.0f; // slot outScale's value on the host (for a fallback without FP8-output kernels)
    bool gelu = false;
    at::ScalarType outType = at::kHalf;
    at::Tensor* accumulateInto = nullptr;
};
at::Tensor fp8Linear(const Fp8Product& p);

// Applies the attention kernel preference of this process once: ORFEAS_ATTENTION = auto (the default on CUDA: flash
// attention first in LibTorch's order, and cuDNN's kernel for the denoiser, see setCudnnForDenoiser), flash, cudnn,
// efficient (that
// kernel first in LibTorch's order), cudnn-direct (cuDNN's kernel called directly, after a check that it accepts
// the layout) or torch (LibTorch's own order). Returns what is in effect, for the model description.
std::string configureAttention(const ComputeSpec& spec);

} // namespace orfeas::neural::fused
