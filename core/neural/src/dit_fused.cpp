#include "dit_fused.h"

#include "dit_ops.h"

#include "orfeas/errors.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <torch/version.h>
#include <vector>

#if ORFEAS_NEURAL_DIT_CUDA
#if ORFEAS_CUDA_DECODER_ATTENTION
#include "decoder_attention.h"
#endif
#include "decoder_kernels.h"
#include "dit_kernels.h"
#include "fp8_gemm.h"
#include "tuned_gemm.h"

#include <ATen/Context.h>
#include <c10/core/GradMode.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace orfeas::neural::fused {

namespace {

std::string envOr(const char* name, const char* fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : std::string(fallback);
}

void require(bool ok, const char* what)
{
    if (!ok)
        throw InternalError(std::string("fused kernels: ") + what, Stage::ShapeGeneration);
}

#if !ORFEAS_NEURAL_DIT_CUDA
// The body of the decoder's CUDA-only entry points in a build without orfeas_cuda. Callers ask decoderKernels()
// first, which says no in such a build, so reaching this is a programming error. Takes the entry point's arguments
// only to mark them used.
template <typename... Args> [[noreturn]] void decoderKernelsMissing(const Args&... /*unused*/)
{
    throw InternalError("fused decoder kernels: not compiled in", Stage::ShapeGeneration);
}
#endif

#if ORFEAS_NEURAL_DIT_CUDA
cuda::DitDType ditType(const at::Tensor& t)
{
    switch (t.scalar_type()) {
    case at::kFloat:
        return cuda::DitDType::Float32;
    case at::kHalf:
        return cuda::DitDType::Float16;
    case at::kBFloat16:
        return cuda::DitDType::BFloat16;
    default:
        throw InternalError("fused kernels: unsupported dtype", Stage::ShapeGeneration);
    }
}

void* streamOf(const at::Tensor& t)
{
    return c10::cuda::getCurrentCUDAStream(t.device().index()).stream();
}

void check(const char* error, const char* what)
{
    if (error)
        throw DeviceError(std::string("fused kernel ") + what + " failed: " + error);
}

// Pointer to chunk `index` (of width w) of the first row of mod [B, k * w].
const void* chunkPtr(const at::Tensor& mod, int index, std::int64_t w)
{
    return static_cast<const char*>(mod.data_ptr()) + index * w * std::int64_t(mod.element_size());
}
#endif

} // namespace

namespace {

#if ORFEAS_NEURAL_DIT_CUDA
bool switchedOn()
{
    // ORFEAS_DIT_FUSED=0: LibTorch operators only; ORFEAS_DIT_FUSED=generic: the kernels without their vectorised
    // variants (dit_kernels.h), for comparisons.
    static const bool on = [] {
        const std::string v = envOr("ORFEAS_DIT_FUSED", "1");
        if (v == "generic")
            cuda::useGenericKernelsOnly(true);
        return v != "0";
    }();
    return on;
}

// Whether the CUDA kernels serve this tensor; otherwise the same arithmetic runs as LibTorch operators.
bool kernelsFor(const at::Tensor& t)
{
    return t.is_cuda() && switchedOn();
}
#endif

// Chunk i (of width w) of mod [B, k * w], as [B, 1, w].
at::Tensor chunkOf(const at::Tensor& mod, int i, std::int64_t w)
{
    return mod.narrow(1, i * w, w).unsqueeze(1);
}

} // namespace

bool enabled(const ComputeSpec& spec)
{
#if ORFEAS_NEURAL_DIT_CUDA
    return spec.isCuda() && switchedOn();
#else
    (void)spec;
    return false;
#endif
}

at::Tensor adaNorm(at::Tensor& x, const at::Tensor& mod, int shiftIndex, int scaleIndex, const at::Tensor& residual,
    int gateIndex, double eps)
{
    const std::int64_t w = x.size(-1);
    const bool withResidual = residual.defined();
#if ORFEAS_NEURAL_DIT_CUDA
    if (kernelsFor(x)) {
        require(x.dim() == 3 && x.is_contiguous() && mod.is_contiguous() && mod.dim() == 2, "adaNorm: layout");
        require(mod.size(0) == x.size(0) && mod.scalar_type() == x.scalar_type(), "adaNorm: modulation");
        if (withResidual)
            require(residual.sizes() == x.sizes() && residual.is_contiguous() && gateIndex >= 0
                    && residual.scalar_type() == x.scalar_type(),
                "adaNorm: residual");
        const c10::cuda::CUDAGuard guard(x.device());
        at::Tensor out = at::empty_like(x);
        check(cuda::adaLayerNorm(ditType(x), x.data_ptr(), withResidual ? residual.data_ptr() : nullptr,
                  withResidual ? chunkPtr(mod, gateIndex, w) : nullptr, chunkPtr(mod, shiftIndex, w),
                  chunkPtr(mod, scaleIndex, w), mod.size(1), out.data_ptr(), int(x.size(0)), x.size(1), int(w),
                  float(eps), streamOf(x)),
            "adaLayerNorm");
        return out;
    }
#endif
    if (withResidual)
        x.add_(chunkOf(mod, gateIndex, w) * residual);
    const at::Tensor normed = at::layer_norm(x, { w }, at::Tensor(), at::Tensor(), eps);
    return dit::modulate(normed, chunkOf(mod, shiftIndex, w), chunkOf(mod, scaleIndex, w));
}

void gatedResidual(at::Tensor& x, const at::Tensor& y, const at::Tensor& mod, int gateIndex)
{
    const std::int64_t w = x.size(-1);
#if ORFEAS_NEURAL_DIT_CUDA
    if (kernelsFor(x)) {
        require(x.dim() == 3 && x.is_contiguous() && y.is_contiguous() && y.sizes() == x.sizes()
                && y.scalar_type() == x.scalar_type() && mod.is_contiguous() && mod.size(0) == x.size(0)
                && mod.scalar_type() == x.scalar_type(),
            "gatedResidual: layout");
        const c10::cuda::CUDAGuard guard(x.device());
        check(cuda::gatedResidual(ditType(x), x.data_ptr(), y.data_ptr(), chunkPtr(mod, gateIndex, w), mod.size(1),
                  int(x.size(0)), x.size(1), int(w), streamOf(x)),
            "gatedResidual");
        return;
    }
#endif
    x.add_(chunkOf(mod, gateIndex, w) * y);
}

void qkNormSplit(const at::Tensor& qkv, const at::Tensor& qScale, const at::Tensor& kScale, at::Tensor& q,
    at::Tensor& k, at::Tensor& v, std::int64_t offset)
{
    const std::int64_t batch = qkv.size(0), tokens = qkv.size(1), heads = q.size(2);
    const std::int64_t headDim = qkv.size(2) / (3 * heads);
#if ORFEAS_NEURAL_DIT_CUDA
    if (kernelsFor(qkv)) {
        require(qkv.dim() == 3 && qkv.stride(2) == 1 && (batch == 1 || qkv.stride(0) == tokens * qkv.stride(1)),
            "qkNormSplit: qkv");
        require(q.dim() == 4 && q.is_contiguous() && k.is_contiguous() && k.sizes() == q.sizes()
                && (!v.defined() || (v.is_contiguous() && v.sizes() == q.sizes())) && q.size(0) == batch && qkv.size(2) == 3 * heads * headDim
                && q.size(3) >= headDim && q.scalar_type() == qkv.scalar_type(),
            "qkNormSplit: outputs");
        const at::Tensor qs = qScale.to(qkv.scalar_type()).contiguous();
        const at::Tensor ks = kScale.to(qkv.scalar_type()).contiguous();
        require(qs.numel() == headDim && ks.numel() == headDim, "qkNormSplit: scales");
        const c10::cuda::CUDAGuard guard(qkv.device());
        check(cuda::qkRmsNormSplit(ditType(qkv), qkv.data_ptr(), qkv.stride(1), qs.data_ptr(), ks.data_ptr(),
                  q.data_ptr(), k.data_ptr(), v.defined() ? v.data_ptr() : nullptr, int(batch), tokens, int(heads), int(headDim),
                  int(q.size(3)), q.size(1), offset, 1e-6f, streamOf(qkv)),
            "qkRmsNormSplit");
        return;
    }
#endif
    const at::Tensor parts = qkv.reshape({ batch, tokens, 3, heads, headDim });
    const auto slot = [&](at::Tensor& out) { return out.narrow(1, offset, tokens).narrow(3, 0, headDim); };
    slot(q).copy_(dit::rmsNorm(parts.select(2, 0), qScale));
    slot(k).copy_(dit::rmsNorm(parts.select(2, 1), kScale));
    if (v.defined())
        slot(v).copy_(parts.select(2, 2));
}

at::Tensor attentionBLHD(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    // [B, L, H, D] viewed as [B, H, L, D]; LibTorch's fused kernels take the strides as they are and return
    // [B, H, L, D] views of [B, L, H, D] memory, which mergeHeads turns into [B, L, H * D] without a copy.
    return mergeHeads(denoiserAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)));
}

at::Tensor attentionWithRepeatedKey(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& k0,
    const at::Tensor& v0, double count)
{
    const std::int64_t batch = q.size(0);
    require(q.dim() == 4 && q.is_contiguous() && k0.dim() == 3 && v0.dim() == 3 && k0.size(0) == batch
            && k0.size(1) == q.size(2) && k0.size(2) == q.size(3) && v0.sizes() == k0.sizes(),
        "attentionWithRepeatedKey: layout");
    const double scale = 1.0 / std::sqrt(double(q.size(3)));
    auto [o, lse] = attentionWithLse(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)); // [B,H,L,D], [B,H,L]
#if ORFEAS_NEURAL_DIT_CUDA
    if (kernelsFor(q) && o.stride(3) == 1 && o.scalar_type() == q.scalar_type()) {
        const at::Tensor kc = k0.contiguous(), vc = v0.contiguous();
        const c10::cuda::CUDAGuard guard(q.device());
        // One launch per sample: each has its own repeated key.
        for (std::int64_t b = 0; b < batch; ++b) {
            const at::Tensor ob = o.select(0, b), lb = lse.select(0, b), qb = q.select(0, b);
            check(cuda::addRepeatedKey(ditType(q), ob.data_ptr(), ob.stride(1), ob.stride(0), lb.data_ptr<float>(),
                      lb.stride(0), lb.stride(1), qb.data_ptr(), kc.select(0, b).data_ptr(), vc.select(0, b).data_ptr(),
                      q.size(1), int(q.size(2)), int(q.size(3)), float(scale), float(std::log(count)), streamOf(q)),
                "addRepeatedKey");
        }
        return mergeHeads(o);
    }
#endif
    const at::Tensor score = (q.to(at::kFloat) * k0.to(at::kFloat).unsqueeze(1)).sum(-1).transpose(1, 2); // [B, H, L]
    const at::Tensor w = at::sigmoid(score * scale + std::log(count) - lse).unsqueeze(-1);
    const at::Tensor of = o.to(at::kFloat);
    return mergeHeads((of + w * (v0.to(at::kFloat).unsqueeze(2) - of)).to(q.scalar_type()));
}

at::Tensor shortRowLayerNorm(const LayerNorm& norm, const at::Tensor& x)
{
#if ORFEAS_NEURAL_DIT_CUDA
    const std::int64_t width = x.size(-1);
    const auto sameAs = [&](const at::Tensor& p) {
        return !p.defined() || (p.scalar_type() == x.scalar_type() && p.is_contiguous() && p.numel() == width);
    };
    // Not under autograd (fitting a field trains this decoder): the kernel has no backward.
    if (kernelsFor(x) && !c10::GradMode::is_enabled() && x.is_contiguous() && width <= 256 && sameAs(norm.weight)
        && sameAs(norm.bias)) {
        at::Tensor out = at::empty_like(x);
        const c10::cuda::CUDAGuard guard(x.device());
        check(cuda::rowLayerNorm(ditType(x), x.data_ptr(), norm.weight.defined() ? norm.weight.data_ptr() : nullptr,
                  norm.bias.defined() ? norm.bias.data_ptr() : nullptr, out.data_ptr(), x.numel() / width, int(width),
                  float(norm.eps), streamOf(x)),
            "rowLayerNorm");
        return out;
    }
#endif
    return norm(x);
}

at::Tensor geluLinear(const Linear& layer, const at::Tensor& x)
{
#if TORCH_VERSION_MAJOR >= 2
    if (layer.bias.defined() && x.is_cuda()) {
        const std::int64_t in = x.size(-1);
        const at::Tensor x2 = x.reshape({ -1, in });
        const at::Tensor y = at::_addmm_activation(layer.bias, x2, layer.weight.t(), 1, 1, /*use_gelu=*/true);
        std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
        shape.back() = layer.weight.size(0);
        return y.view(shape);
    }
#endif
    return at::gelu(layer(x), "tanh");
}

namespace {
std::atomic<bool> g_decoderKernelsOff { false };
}

bool decoderKernels(const ComputeSpec& spec, at::ScalarType dtype, std::int64_t width)
{
#if ORFEAS_NEURAL_DIT_CUDA
    static const bool wanted = envOr("ORFEAS_DECODER_FUSED", "1") != "0";
    return wanted && !g_decoderKernelsOff && enabled(spec) && (dtype == at::kHalf || dtype == at::kBFloat16)
        && width % 8 == 0 && width > 0 && width <= 2048 && !c10::GradMode::is_enabled();
#else
    (void)spec;
    (void)dtype;
    (void)width;
    return false;
#endif
}

void setDecoderKernelsOff(bool off)
{
    g_decoderKernelsOff = off;
}

at::Tensor fourierFeatures(const at::Tensor& points, const at::Tensor& frequencies, std::int64_t outWidth,
    at::ScalarType dtype)
{
#if ORFEAS_NEURAL_DIT_CUDA
    require(points.is_cuda() && points.dim() == 2 && points.size(1) == 3 && points.scalar_type() == at::kFloat
            && points.is_contiguous() && frequencies.scalar_type() == at::kFloat && frequencies.is_contiguous()
            && frequencies.device() == points.device(),
        "fourierFeatures: layout");
    const c10::cuda::CUDAGuard guard(points.device());
    at::Tensor out = at::empty({ points.size(0), outWidth }, points.options().dtype(dtype));
    check(cuda::fourierFeatures(ditType(out), points.data_ptr<float>(), frequencies.data_ptr<float>(),
              int(frequencies.numel()), out.data_ptr(), points.size(0), int(outWidth), streamOf(points)),
        "fourierFeatures");
    return out;
#else
    decoderKernelsMissing(points, frequencies, outWidth, dtype);
#endif
}

namespace {
#if ORFEAS_NEURAL_DIT_CUDA
// A parameter of the decoder as the kernels want it: undefined, or `width` contiguous values of x's type.
const void* parameter(const at::Tensor& p, const at::Tensor& x, std::int64_t width, const char* what)
{
    if (!p.defined())
        return nullptr;
    require(p.scalar_type() == x.scalar_type() && p.is_contiguous() && p.numel() == width && p.device() == x.device(),
        what);
    return p.data_ptr();
}

// A float32 parameter of the decoder's kernels: `n` contiguous values on `device`.
float* float32Parameter(const at::Tensor& t, std::int64_t n, const at::Device& device, const char* what)
{
    require(t.scalar_type() == at::kFloat && t.is_contiguous() && t.numel() == n && t.device() == device, what);
    return t.data_ptr<float>();
}

// The points (float32 [rows, 3], CUDA) and Fourier frequencies (float32, on the points' device) of the front kernels.
void requirePointInputs(const at::Tensor& points, const at::Tensor& frequencies, const char* what)
{
    require(points.is_cuda() && points.dim() == 2 && points.size(1) == 3 && points.scalar_type() == at::kFloat
            && points.is_contiguous() && frequencies.scalar_type() == at::kFloat && frequencies.is_contiguous()
            && frequencies.device() == points.device(),
        what);
}

// The one-pass front kernel's inputs: the points and frequencies as above, weights [2 width, 64] (contiguous, on the
// points' device).
void requireFrontInputs(const at::Tensor& points, const at::Tensor& frequencies, const at::Tensor& weights,
    std::int64_t width, const char* what)
{
    requirePointInputs(points, frequencies, what);
    require(weights.dim() == 2 && weights.size(0) == 2 * width && weights.size(1) == 64 && weights.is_contiguous()
            && weights.device() == points.device(),
        what);
}
#endif
} // namespace

namespace {
#if ORFEAS_NEURAL_DIT_CUDA
// shiftedLayerNorm and its E4M3 form (e4m3Scale > 0: the output as E4M3 bytes of value * e4m3Scale).
at::Tensor normShifted(const at::Tensor& x, const LayerNorm& norm, const at::Tensor& shift, float e4m3Scale)
{
    require(x.is_cuda() && x.dim() == 2 && x.is_contiguous(), "shiftedLayerNorm: layout");
    const std::int64_t width = x.size(1);
    const c10::cuda::CUDAGuard guard(x.device());
    const void* weight = parameter(norm.weight, x, width, "shiftedLayerNorm: weight");
    const void* bias = parameter(norm.bias, x, width, "shiftedLayerNorm: bias");
    const void* shiftRow = parameter(shift, x, width, "shiftedLayerNorm: shift");
    if (e4m3Scale > 0.0f) {
        at::Tensor out = at::empty(x.sizes(), x.options().dtype(at::kByte));
        check(cuda::shiftedLayerNormE4M3(ditType(x), x.data_ptr(), shiftRow, weight, bias, out.data_ptr<std::uint8_t>(),
                  e4m3Scale, x.size(0), int(width), float(norm.eps), streamOf(x)),
            "shiftedLayerNormE4M3");
        return out;
    }
    at::Tensor out = at::empty_like(x);
    check(cuda::shiftedLayerNorm(ditType(x), x.data_ptr(), shiftRow, weight, bias, out.data_ptr(), x.size(0),
              int(width), float(norm.eps), streamOf(x)),
        "shiftedLayerNorm");
    return out;
}
#endif
} // namespace

at::Tensor shiftedLayerNorm(const at::Tensor& x, const LayerNorm& norm, const at::Tensor& shift)
{
#if ORFEAS_NEURAL_DIT_CUDA
    return normShifted(x, norm, shift, 0.0f);
#else
    decoderKernelsMissing(x, norm, shift);
#endif
}

#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_CUDA_DECODER_ATTENTION
namespace {
// ORFEAS_DECODER_ATTENTION=cudnn or flash: LibTorch's kernels for the decoder's attention instead of ours.
bool ownDecoderAttentionWanted()
{
    static const bool wanted = [] {
        const std::string v = envOr("ORFEAS_DECODER_ATTENTION", "own");
        return v != "cudnn" && v != "flash";
    }();
    return wanted;
}
} // namespace
#endif

bool decoderAttentionServes(const ComputeSpec& spec, std::int64_t headDim)
{
#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_CUDA_DECODER_ATTENTION
    return ownDecoderAttentionWanted() && switchedOn() && spec.isCuda()
        && (spec.dtype == at::kHalf || spec.dtype == at::kBFloat16)
        && cuda::decoderAttentionServes(spec.device.has_index() ? spec.device.index() : 0, int(headDim), 1);
#else
    (void)spec;
    (void)headDim;
    return false;
#endif
}

at::Tensor decoderAttentionPack(const at::Tensor& k, const at::Tensor& v)
{
#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_CUDA_DECODER_ATTENTION
    if (!ownDecoderAttentionWanted() || !kernelsFor(k) || k.dim() != 4 || k.sizes() != v.sizes() || k.size(3) != 64
        || !k.is_contiguous() || !v.is_contiguous() || k.scalar_type() != v.scalar_type()
        || (k.scalar_type() != at::kHalf && k.scalar_type() != at::kBFloat16) || k.size(2) <= 0
        || k.size(2) > (std::int64_t(1) << 24) || k.size(0) * k.size(1) > (std::int64_t(1) << 16)
        || !cuda::decoderAttentionServes(int(k.device().index()), 64, int(k.size(2))))
        return {};
    const c10::cuda::CUDAGuard guard(k.device());
    const std::int64_t heads = k.size(0) * k.size(1), keys = k.size(2);
    at::Tensor packed
        = at::empty({ cuda::decoderAttentionPackedBytes(int(heads), int(keys)) }, k.options().dtype(at::kByte));
    check(cuda::decoderAttentionPack(ditType(k), k.data_ptr(), 64, keys * 64, v.data_ptr(), 64, keys * 64, int(heads),
              int(keys), packed.data_ptr(), streamOf(k)),
        "decoderAttentionPack");
    return packed;
#else
    (void)k;
    (void)v;
    return {};
#endif
}

#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_CUDA_DECODER_ATTENTION
namespace {
// The byte step between batch entries in packed keys that hold one entry (shared by all: 0) or `batch` of them.
std::int64_t packedEntryStep(
    const at::Tensor& packed, std::int64_t batch, std::int64_t heads, std::int64_t keys, const char* what)
{
    const std::int64_t perEntry = cuda::decoderAttentionPackedBytes(int(heads), int(keys));
    require(packed.numel() == perEntry || packed.numel() == perEntry * batch, what);
    return packed.numel() == perEntry ? 0 : perEntry;
}
} // namespace
#endif

at::Tensor decoderAttention(
    const at::Tensor& q, const at::Tensor& packed, std::int64_t batch, std::int64_t heads, std::int64_t keys)
{
#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_CUDA_DECODER_ATTENTION
    require(q.is_cuda() && q.dim() == 2 && q.is_contiguous() && q.size(1) == heads * 64 && batch > 0
            && q.size(0) % batch == 0 && packed.device() == q.device(),
        "decoderAttention: layout");
    const std::int64_t step = packedEntryStep(packed, batch, heads, keys, "decoderAttention: packed keys");
    const c10::cuda::CUDAGuard guard(q.device());
    at::Tensor out = at::empty_like(q);
    const std::int64_t rows = q.size(0) / batch, width = q.size(1);
    for (std::int64_t b = 0; b < batch; ++b) {
        const std::int64_t offset = b * step;
        check(cuda::decoderAttention(ditType(q),
                  static_cast<const char*>(q.data_ptr()) + b * rows * width * q.element_size(), width,
                  packed.data_ptr<std::uint8_t>() + offset,
                  static_cast<char*>(out.data_ptr()) + b * rows * width * q.element_size(), width, rows, int(heads),
                  int(keys), 0.125f, streamOf(q)),
            "decoderAttention");
    }
    return out;
#else
    (void)q;
    (void)packed;
    (void)batch;
    (void)heads;
    (void)keys;
    throw InternalError("fused decoder attention: not compiled in", Stage::ShapeGeneration);
#endif
}

at::Tensor decoderQueryWeightsPack(const at::Tensor& frontWeights, std::int64_t heads)
{
#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_CUDA_DECODER_ATTENTION
    const std::int64_t width = heads * 64;
    require(frontWeights.is_cuda() && frontWeights.dim() == 2 && frontWeights.size(0) == 2 * width
            && frontWeights.size(1) == 64 && frontWeights.is_contiguous(),
        "decoderQueryWeightsPack: layout");
    const c10::cuda::CUDAGuard guard(frontWeights.device());
    at::Tensor packed
        = at::empty({ cuda::decoderQueryWeightsBytes(int(heads)) }, frontWeights.options().dtype(at::kByte));
    check(cuda::decoderQueryWeightsPack(ditType(frontWeights),
              static_cast<const char*>(frontWeights.data_ptr()) + width * 64 * frontWeights.element_size(), 64,
              int(heads), packed.data_ptr(), streamOf(frontWeights)),
        "decoderQueryWeightsPack");
    return packed;
#else
    (void)frontWeights;
    (void)heads;
    throw InternalError("fused decoder attention: not compiled in", Stage::ShapeGeneration);
#endif
}

void decoderAttentionFromFeatures(at::Tensor& out, const at::Tensor& sigmaInv, const at::Tensor& queryWeights,
    const at::Tensor& yScale, const at::Tensor& m1, const at::Tensor& m2, const LayerNorm& qNorm,
    const at::Tensor& packed, std::int64_t batch, std::int64_t heads, std::int64_t keys)
{
#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_CUDA_DECODER_ATTENTION
    const std::int64_t width = heads * 64, stride = width + 64;
    require(out.is_cuda() && out.dim() == 2 && out.is_contiguous() && out.size(1) == stride && batch > 0
            && out.size(0) % batch == 0 && packed.device() == out.device() && sigmaInv.scalar_type() == at::kFloat
            && sigmaInv.numel() == out.size(0) && sigmaInv.is_contiguous()
            && queryWeights.numel() == cuda::decoderQueryWeightsBytes(int(heads)),
        "decoderAttentionFromFeatures: layout");
    const auto float32 = [&](const at::Tensor& t, std::int64_t n) {
        return float32Parameter(t, n, out.device(), "decoderAttentionFromFeatures: a float32 parameter");
    };
    const std::int64_t step = packedEntryStep(packed, batch, heads, keys, "decoderAttentionFromFeatures: packed keys");
    const c10::cuda::CUDAGuard guard(out.device());
    const std::int64_t rows = out.size(0) / batch;
    char* base = static_cast<char*>(out.data_ptr());
    for (std::int64_t b = 0; b < batch; ++b) {
        char* entry = base + b * rows * stride * out.element_size();
        cuda::DecoderQueryInputs in;
        in.features = entry + width * out.element_size();
        in.featureStride = stride;
        in.sigmaInv = sigmaInv.data_ptr<float>() + b * rows;
        in.weights = queryWeights.data_ptr();
        in.yScale = float32(yScale, 1);
        in.m1 = float32(m1, width);
        in.m2 = float32(m2, width);
        in.normalise = qNorm.weight.defined();
        in.qWeight = parameter(qNorm.weight, out, 64, "decoderAttentionFromFeatures: q norm weight");
        in.qBias = parameter(qNorm.bias, out, 64, "decoderAttentionFromFeatures: q norm bias");
        in.qEps = float(qNorm.eps);
        const std::int64_t offset = b * step;
        check(cuda::decoderAttentionFromFeatures(ditType(out), in, packed.data_ptr<std::uint8_t>() + offset, entry,
                  stride, rows, int(heads), int(keys), 0.125f, streamOf(out)),
            "decoderAttentionFromFeatures");
    }
#else
    (void)out;
    (void)sigmaInv;
    (void)queryWeights;
    (void)yScale;
    (void)m1;
    (void)m2;
    (void)qNorm;
    (void)packed;
    (void)batch;
    (void)heads;
    (void)keys;
    throw InternalError("fused decoder attention: not compiled in", Stage::ShapeGeneration);
#endif
}

at::Tensor decoderFrontFeatures(const at::Tensor& points, const at::Tensor& frequencies, const at::Tensor& gramTiles,
    const at::Tensor& gramScale, double eps, at::Tensor& out)
{
#if ORFEAS_NEURAL_DIT_CUDA
    const std::int64_t rows = points.size(0), width = out.size(1) - 64;
    requirePointInputs(points, frequencies, "decoderFrontFeatures: layout");
    require(gramTiles.dim() == 2 && gramTiles.size(0) == 128 && gramTiles.size(1) == 64 && gramTiles.is_contiguous()
            && gramTiles.device() == points.device() && out.dim() == 2 && out.size(0) == rows && width >= 0
            && width % 8 == 0 && out.is_contiguous() && out.scalar_type() == gramTiles.scalar_type()
            && out.device() == points.device(),
        "decoderFrontFeatures: layout");
    const c10::cuda::CUDAGuard guard(points.device());
    at::Tensor sigmaInv = at::empty({ rows }, points.options());
    check(cuda::decoderFrontFeatures(ditType(gramTiles), points.data_ptr<float>(), frequencies.data_ptr<float>(),
              int(frequencies.numel()), gramTiles.data_ptr(),
              float32Parameter(gramScale, 1, points.device(), "decoderFrontFeatures: the Gram scale"), float(eps),
              static_cast<char*>(out.data_ptr()) + width * out.element_size(), width + 64, sigmaInv.data_ptr<float>(),
              rows, streamOf(points)),
        "decoderFrontFeatures");
    return sigmaInv;
#else
    decoderKernelsMissing(points, frequencies, gramTiles, gramScale, eps, out);
#endif
}

bool decoderFrontServes(std::int64_t width, std::int64_t headDim, std::int64_t numFrequencies)
{
    return width > 0 && width % 64 == 0 && (headDim == 16 || headDim == 32 || headDim == 64) && numFrequencies >= 0
        && 3 + 6 * numFrequencies <= 64;
}

void decoderFront(const at::Tensor& points, const at::Tensor& frequencies, const at::Tensor& weights,
    const at::Tensor& bias0, const at::Tensor& yScale, const at::Tensor& m1, const at::Tensor& m2, double eps,
    const LayerNorm& qNorm, std::int64_t headDim, at::Tensor& x0, at::Tensor& q)
{
#if ORFEAS_NEURAL_DIT_CUDA
    const std::int64_t rows = points.size(0), width = m1.numel();
    requireFrontInputs(points, frequencies, weights, width, "decoderFront: layout");
    const auto float32 = [&](const at::Tensor& t, std::int64_t n) {
        return float32Parameter(t, n, points.device(), "decoderFront: a float32 parameter");
    };
    const c10::cuda::CUDAGuard guard(points.device());
    x0 = at::empty({ rows, width }, weights.options());
    q = at::empty({ rows, width }, weights.options());
    check(cuda::decoderFront(ditType(weights), points.data_ptr<float>(), frequencies.data_ptr<float>(),
              int(frequencies.numel()), weights.data_ptr(), parameter(bias0, weights, width, "decoderFront: bias"),
              float32(yScale, 1), float32(m1, width), float32(m2, width), float(eps), qNorm.weight.defined(),
              parameter(qNorm.weight, weights, headDim, "decoderFront: q norm weight"),
              parameter(qNorm.bias, weights, headDim, "decoderFront: q norm bias"), float(qNorm.eps), x0.data_ptr(),
              q.data_ptr(), rows, int(width), int(headDim), streamOf(points)),
        "decoderFront");
#else
    decoderKernelsMissing(points, frequencies, weights, bias0, yScale, m1, m2, eps, qNorm, headDim, x0, q);
#endif
}

void factoredQueries(at::Tensor& y, const at::Tensor& features, std::int64_t featureCount, const at::Tensor& gram,
    double eps, const at::Tensor& yScale, const at::Tensor& m1, const at::Tensor& m2, const LayerNorm& qNorm,
    std::int64_t headDim)
{
#if ORFEAS_NEURAL_DIT_CUDA
    require(y.is_cuda() && y.dim() == 2 && y.is_contiguous() && features.dim() == 2 && features.is_contiguous()
            && features.scalar_type() == y.scalar_type() && features.size(0) == y.size(0)
            && features.device() == y.device(),
        "factoredQueries: layout");
    const std::int64_t width = y.size(1);
    const auto float32 = [&](const at::Tensor& t, std::int64_t n) {
        return float32Parameter(t, n, y.device(), "factoredQueries: a float32 parameter");
    };
    const c10::cuda::CUDAGuard guard(y.device());
    check(cuda::factoredQueries(ditType(y), y.data_ptr(), features.data_ptr(), int(features.size(1)), int(featureCount),
              float32(gram, (featureCount + 1) * (featureCount + 1)), float(eps), float32(yScale, 1),
              float32(m1, width), float32(m2, width), qNorm.weight.defined(),
              parameter(qNorm.weight, y, headDim, "factoredQueries: q norm weight"),
              parameter(qNorm.bias, y, headDim, "factoredQueries: q norm bias"), float(qNorm.eps), y.size(0),
              int(width), int(headDim), streamOf(y)),
        "factoredQueries");
#else
    decoderKernelsMissing(y, features, featureCount, gram, eps, yScale, m1, m2, qNorm, headDim);
#endif
}

at::Tensor tunedLinear(
    const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias, bool gelu, at::Tensor* accumulateInto)
{
#if ORFEAS_NEURAL_DIT_CUDA
    static const bool tune = envOr("ORFEAS_GEMM_TUNING", "1") != "0";
    const std::int64_t m = x.size(0), n = w.size(0), k = w.size(1);
    const bool shapes = x.dim() == 2 && w.dim() == 2 && x.size(1) == k && n % 8 == 0 && k % 8 == 0;
    const bool types = (x.scalar_type() == at::kHalf || x.scalar_type() == at::kBFloat16)
        && w.scalar_type() == x.scalar_type() && (!bias.defined() || bias.scalar_type() == x.scalar_type());
    const bool layout = kernelsFor(x) && x.is_contiguous() && w.is_contiguous() && w.device() == x.device()
        && (!bias.defined() || (bias.is_contiguous() && bias.numel() == n))
        && (!accumulateInto
            || (accumulateInto->is_contiguous() && accumulateInto->scalar_type() == x.scalar_type()
                && accumulateInto->dim() == 2 && accumulateInto->size(0) == m && accumulateInto->size(1) == n));
    if (shapes && types && layout && !(gelu && !bias.defined()) && !(accumulateInto && (gelu || bias.defined()))) {
        const c10::cuda::CUDAGuard guard(x.device());
        at::Tensor out = accumulateInto ? *accumulateInto : at::empty({ m, n }, x.options());
        const at::Tensor workspace
            = at::empty({ std::int64_t(cuda::tunedGemmWorkspaceBytes) }, x.options().dtype(at::kByte));
        cuda::TunedGemm g;
        g.a = x.data_ptr();
        g.b = w.data_ptr();
        g.bias = bias.defined() ? bias.data_ptr() : nullptr;
        g.d = out.data_ptr();
        g.epilogue = gelu    ? cuda::GemmEpilogue::GeluBias
            : bias.defined() ? cuda::GemmEpilogue::Bias
                             : cuda::GemmEpilogue::None;
        g.accumulate = accumulateInto != nullptr;
        g.type = ditType(x);
        g.m = m;
        g.n = n;
        g.k = k;
        g.workspace = workspace.data_ptr();
        at::Tensor scratch;
        if (tune && cuda::tunedGemmWantsScratch(g)) {
            scratch = at::empty_like(out);
            g.scratch = scratch.data_ptr();
        }
        // A product cuBLASLt refuses (no algorithm for a shape, a failed launch) falls back to LibTorch's operators
        // below rather than failing the run; out is unchanged by a refused product.
        if (cuda::tunedGemm(g, tune, streamOf(x)) == nullptr)
            return out;
    }
#endif
    if (accumulateInto)
        return accumulateInto->addmm_(x, w.t());
    at::Tensor y = bias.defined() ? at::addmm(bias, x, w.t()) : at::mm(x, w.t());
    return gelu ? at::gelu(y, "tanh") : y;
}

bool decoderFp8(const ComputeSpec& spec, at::ScalarType dtype, std::int64_t width, std::int64_t hidden)
{
#if ORFEAS_NEURAL_DIT_CUDA
    static const bool wanted = envOr("ORFEAS_DECODER_FP8", "0") == "1";
    return wanted && decoderKernels(spec, dtype, width) && width % 16 == 0 && hidden % 16 == 0 && hidden > 0
        && cuda::fp8GemmAvailable(spec.device.has_index() ? spec.device.index() : 0);
#else
    (void)spec;
    (void)dtype;
    (void)width;
    (void)hidden;
    return false;
#endif
}

at::Tensor quantizeE4M3(const at::Tensor& x, float scale)
{
#if ORFEAS_NEURAL_DIT_CUDA
    require(x.is_cuda() && x.is_contiguous(), "quantizeE4M3: layout");
    const c10::cuda::CUDAGuard guard(x.device());
    at::Tensor out = at::empty(x.sizes(), x.options().dtype(at::kByte));
    check(cuda::quantizeE4M3(ditType(x), x.data_ptr(), out.data_ptr<std::uint8_t>(), x.numel(), scale, streamOf(x)),
        "quantizeE4M3");
    return out;
#else
    decoderKernelsMissing(x, scale);
#endif
}

at::Tensor shiftedLayerNormE4M3(const at::Tensor& x, const LayerNorm& norm, const at::Tensor& shift, float scale)
{
#if ORFEAS_NEURAL_DIT_CUDA
    require(scale > 0.0f, "shiftedLayerNormE4M3: scale");
    return normShifted(x, norm, shift, scale);
#else
    decoderKernelsMissing(x, norm, shift, scale);
#endif
}

at::Tensor fp8Linear(const Fp8Product& p)
{
#if ORFEAS_NEURAL_DIT_CUDA
    const at::Tensor& a = p.a;
    require(a.is_cuda() && a.dim() == 2 && a.is_contiguous() && a.scalar_type() == at::kByte && p.w.dim() == 2
            && p.w.is_contiguous() && p.w.scalar_type() == at::kByte && p.w.size(1) == a.size(1) && p.scales.is_cuda()
            && p.scales.scalar_type() == at::kFloat && p.scales.is_contiguous(),
        "fp8Linear: layout");
    const std::int64_t m = a.size(0), n = p.w.size(0), k = a.size(1);
    const c10::cuda::CUDAGuard guard(a.device());
    const float* scales = p.scales.data_ptr<float>();
    const auto scale = [&](int index) {
        require(index >= 0 && (index + 1) * kFp8ScaleStride <= p.scales.numel(), "fp8Linear: scale index");
        return scales + index * kFp8ScaleStride;
    };
    cuda::Fp8Gemm g;
    g.a = a.data_ptr<std::uint8_t>();
    g.b = p.w.data_ptr<std::uint8_t>();
    g.scaleA = scale(p.scaleA);
    g.scaleB = scale(p.scaleW);
    g.m = m;
    g.n = n;
    g.k = k;
    g.type = p.outType == at::kBFloat16 ? cuda::DitDType::BFloat16 : cuda::DitDType::Float16;
    require(p.outType == at::kHalf || p.outType == at::kBFloat16, "fp8Linear: output type");
    if (p.bias.defined()) {
        require(p.bias.scalar_type() == p.outType && p.bias.is_contiguous() && p.bias.numel() == n
                && p.bias.device() == a.device(),
            "fp8Linear: bias");
        g.bias = p.bias.data_ptr();
        g.epilogue = p.gelu ? cuda::Fp8Epilogue::GeluBias : cuda::Fp8Epilogue::Bias;
    } else {
        require(!p.gelu, "fp8Linear: GELU without a bias");
    }
    at::Tensor out;
    if (p.accumulateInto) {
        out = *p.accumulateInto;
        require(out.dim() == 2 && out.size(0) == m && out.size(1) == n && out.is_contiguous()
                && out.scalar_type() == p.outType && out.device() == a.device() && !p.bias.defined(),
            "fp8Linear: accumulation target");
        g.accumulate = true;
    } else if (p.outScale >= 0) {
        out = at::empty({ m, n }, a.options());
        g.dE4M3 = true;
        g.scaleD = scale(p.outScale);
    } else {
        out = at::empty({ m, n }, a.options().dtype(p.outType));
    }
    g.d = out.data_ptr();
    // The workspace from LibTorch's allocator, ordered on the current stream like the product.
    const at::Tensor workspace = at::empty({ std::int64_t(cuda::fp8GemmWorkspaceBytes) }, a.options().dtype(at::kByte));
    g.workspace = workspace.data_ptr();
    const char* error = cuda::fp8Gemm(g, streamOf(a));
    if (error == cuda::kFp8NoAlgorithm && g.dE4M3) {
        // No FP8-output kernel for this epilogue here: the product in outType, then a quantising pass.
        g.dE4M3 = false;
        g.scaleD = nullptr;
        const at::Tensor wide = at::empty({ m, n }, a.options().dtype(p.outType));
        g.d = wide.data_ptr();
        check(cuda::fp8Gemm(g, streamOf(a)), "fp8Linear");
        require(p.outScaleValue > 0.0f, "fp8Linear: the output scale's value");
        return quantizeE4M3(wide, p.outScaleValue);
    }
    check(error, "fp8Linear");
    return out;
#else
    decoderKernelsMissing(p);
#endif
}

at::Tensor layerNormDot(const at::Tensor& x, const at::Tensor& shift, const LayerNorm* norm, const Linear& projection)
{
#if ORFEAS_NEURAL_DIT_CUDA
    require(x.is_cuda() && x.dim() == 2 && x.is_contiguous(), "layerNormDot: layout");
    const std::int64_t width = x.size(1);
    require(projection.weight.dim() == 2 && projection.weight.size(0) == 1 && projection.weight.size(1) == width
            && (!projection.bias.defined() || projection.bias.numel() == 1),
        "layerNormDot: projection");
    const c10::cuda::CUDAGuard guard(x.device());
    at::Tensor logits = at::empty({ x.size(0) }, x.options().dtype(at::kFloat));
    const at::Tensor w = projection.weight.view({ width });
    check(cuda::layerNormDot(ditType(x), x.data_ptr(), parameter(shift, x, width, "layerNormDot: shift"),
              norm != nullptr, norm ? parameter(norm->weight, x, width, "layerNormDot: weight") : nullptr,
              norm ? parameter(norm->bias, x, width, "layerNormDot: bias") : nullptr, norm ? float(norm->eps) : 0.0f,
              parameter(w, x, width, "layerNormDot: projection weight"),
              parameter(projection.bias, x, 1, "layerNormDot: projection bias"), logits.data_ptr<float>(), x.size(0),
              int(width), streamOf(x)),
        "layerNormDot");
    return logits;
#else
    decoderKernelsMissing(x, shift, norm, projection);
#endif
}

std::string configureAttention(const ComputeSpec& spec)
{
    static std::mutex mutex;
    static std::string applied;
    const std::lock_guard<std::mutex> lock(mutex);
    if (!applied.empty())
        return applied;
    std::string wanted = envOr("ORFEAS_ATTENTION", "auto");
#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_HAVE_SDP_PRIORITY
    // Flash attention first, and cuDNN's fused attention for the denoiser. cuDNN's kernel made the 50 steps 6 %
    // faster than flash attention on an H100 (docs/benchmarks.md), but LibTorch builds a cuDNN execution graph for
    // every new (thread, shape) pair and keeps it per thread: 85-95 ms each in a trace on the H100. The denoiser's
    // shapes are fixed for a model and runs stay on their device slot's thread, so that cost comes once per slot;
    // the decoder's chunk sizes depend on the surface (a new graph for almost every image), and the conditioner and
    // the VAE run once per image, too little to repay it.
    bool cudnnDenoiser = false;
    if (wanted == "auto" && spec.isCuda()) {
        wanted = "flash";
        cudnnDenoiser = setCudnnForDenoiser(true);
    }
#endif
    if (wanted == "cudnn-direct" && spec.isCuda()) {
        if (setCudnnAttention(true)) {
            // One small call tells whether cuDNN takes this layout here ([B, H, L, D] views of [B, L, H, D]).
            const auto opts = at::TensorOptions().dtype(at::kHalf).device(spec.device);
            const at::Tensor t = at::randn({ 2, 130, 4, 64 }, opts).transpose(1, 2);
            attention(t, t, t);
            if (cudnnAttentionActive())
                return applied = "cuDNN attention called directly";
            return applied = "LibTorch's order (cuDNN attention refused this layout)";
        }
    }
#if ORFEAS_NEURAL_DIT_CUDA && ORFEAS_HAVE_SDP_PRIORITY
    at::SDPBackend first = at::SDPBackend::error;
    if (wanted == "flash")
        first = at::SDPBackend::flash_attention;
    else if (wanted == "cudnn")
        first = at::SDPBackend::cudnn_attention;
    else if (wanted == "efficient")
        first = at::SDPBackend::efficient_attention;
    if (first != at::SDPBackend::error) {
        // LibTorch puts in its own default order at its first attention call (cuDNN first on Hopper with a recent
        // cuDNN), over any order set before: make that first call now, then set ours. In float32, which cuDNN's
        // kernel does not take: it would build an execution graph for this shape on this thread for nothing.
        try {
            const at::Tensor t = at::zeros({ 1, 1, 8, 64 }, at::TensorOptions().dtype(at::kFloat).device(spec.device));
            at::scaled_dot_product_attention(t, t, t);
        } catch (const c10::Error&) {
        }
        const auto current = at::globalContext().sDPPriorityOrder();
        std::vector<std::int64_t> order { static_cast<std::int64_t>(first) };
        for (const at::SDPBackend b : current)
            if (b != first)
                order.push_back(static_cast<std::int64_t>(b));
        try {
            at::globalContext().setSDPPriorityOrder(order);
        } catch (const c10::Error&) {
            return applied = "LibTorch's order (setting " + wanted + " first was refused)";
        }
        switch (first) {
        case at::SDPBackend::flash_attention:
            return applied = cudnnDenoiser ? "flash attention first, cuDNN's for the denoiser" : "flash attention first";
        case at::SDPBackend::cudnn_attention:
            return applied = "cuDNN attention first";
        case at::SDPBackend::efficient_attention:
            return applied = "memory-efficient attention first";
        default:
            break;
        }
    }
#else
    (void)spec;
#endif
    return applied = "LibTorch's order";
}

} // namespace orfeas::neural::fused
