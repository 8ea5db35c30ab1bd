#pragma once
// The denoiser's elementwise operations as the reference computes them, operator by operator (LibTorch). Used by
// the unfused pass and by the fused pass's fallbacks off the GPU (dit_fused.cpp); the CUDA kernels reproduce them.

#include <ATen/ATen.h>

namespace orfeas::neural::dit {

constexpr double kNormEps = 1e-6;

// LayerNorm without affine parameters, eps 1e-6.
inline at::Tensor plainNorm(const at::Tensor& x)
{
    return at::layer_norm(x, { x.size(-1) }, at::Tensor(), at::Tensor(), kNormEps);
}

// RMSNorm of the reference: statistics in float32, the normalised value cast back before the scale is applied.
inline at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& scale)
{
    const at::Tensor xf = x.to(at::kFloat);
    const at::Tensor rrms = at::rsqrt((xf * xf).mean(-1, /*keepdim=*/true) + kNormEps);
    return (xf * rrms).to(x.scalar_type()) * scale;
}

// (1 + scale) * x + shift
inline at::Tensor modulate(const at::Tensor& x, const at::Tensor& shift, const at::Tensor& scale)
{
    return (scale + 1) * x + shift;
}

} // namespace orfeas::neural::dit
