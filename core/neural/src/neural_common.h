#pragma once
// Shared building blocks of the neural backend: layers as plain weight holders, attention, the weight store,
// devices and precisions, and the translation of LibTorch errors into the engine's. Internal to orfeas_neural.

#include "orfeas/settings.h"

#include <ATen/ATen.h>
#include <cstdint>
#include <exception>
#include <string>
#include <unordered_map>
#include <utility>

namespace orfeas::neural {

// y = x W^T + b (bias optional).
struct Linear {
    at::Tensor weight;
    at::Tensor bias;
    at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
};

// LayerNorm over the last dimension; undefined weight/bias mean no affine parameters.
struct LayerNorm {
    at::Tensor weight;
    at::Tensor bias;
    double eps = 1e-5;
    at::Tensor operator()(const at::Tensor& x) const { return at::layer_norm(x, { x.size(-1) }, weight, bias, eps); }
};

// softmax(q k^T / sqrt(D)) v on [B, H, L, D] tensors. LibTorch >= 2 uses its fused kernel
// (scaled_dot_product_attention), older versions an exact matmul-softmax.
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// softmax(q k^T / sqrt(D)) v as attention(), and the log-sum-exp of the scaled scores of every query, [B, H, Lq]
// float32 (natural logarithm): what merging further keys into the result needs. On CUDA in half precision a fused
// kernel that returns it (cuDNN's or flash attention: the first whose result agrees with a direct computation on
// the first queries of the first call), otherwise computed directly in float32.
std::pair<at::Tensor, at::Tensor> attentionWithLse(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// Which computation attentionWithLse chose on CUDA: "cudnn", "flash", "direct", or "" before its first use there.
const char* attentionWithLseKernelName();
// Makes attention() call cuDNN's fused attention directly for half-precision CUDA tensors (process-wide; it falls
// back to LibTorch's choice for good at the first call cuDNN refuses). False when this build cannot.
bool setCudnnAttention(bool on);
bool cudnnAttentionActive();
// cuDNN's fused attention for the denoiser only (denoiserAttention; attentionWithLse then tries cuDNN first): its
// shapes are fixed for a model, so cuDNN's execution graph, built per (thread, shape), is built once per device
// slot thread, while the geometry decoder's shapes vary with every surface. False when this build cannot.
bool setCudnnForDenoiser(bool on);
bool cudnnForDenoiser();
// attention() for the denoiser: cuDNN's kernel when setCudnnForDenoiser(true) was called (falling back for good at
// the first call it refuses), else attention().
at::Tensor denoiserAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// cuDNN's fused attention called directly for half-precision CUDA tensors (attention() elsewhere, and for good after
// the first call cuDNN refuses); cudnnAttentionAvailable() says whether it is still tried.
at::Tensor cudnnAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
bool cudnnAttentionAvailable();

// [B, H, L, D] -> [B, L, H * D]
inline at::Tensor mergeHeads(const at::Tensor& x)
{
    return x.transpose(1, 2).reshape({ x.size(0), x.size(2), x.size(1) * x.size(3) });
}

// The loaded parameters by full name, on the model's device and in its dtype. Read-only after loading, so it may
// be shared by concurrent runs.
class WeightStore {
public:
    void insert(const std::string& name, at::Tensor tensor);
    // Throws InternalError for a name that is not there (the manifest check runs before anything is built).
    const at::Tensor& get(const std::string& name) const;
    bool has(const std::string& name) const { return m_tensors.count(name) != 0; }
    Linear linear(const std::string& prefix, bool bias = true) const;
    LayerNorm layerNorm(const std::string& prefix, double eps) const;
    std::size_t size() const { return m_tensors.size(); }
    std::int64_t bytes() const;

private:
    std::unordered_map<std::string, at::Tensor> m_tensors;
};

// Where and how a model computes.
struct ComputeSpec {
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;
    std::string deviceName; // "cpu", "cuda:0"
    bool isCuda() const { return device.is_cuda(); }
};

at::ScalarType scalarTypeOf(Precision p);
const char* scalarTypeName(at::ScalarType t); // "fp32", "fp16", "bf16"

// Resolves "auto", "cpu", "cuda", "cuda:N" against this process. Throws DeviceError for an unknown or absent
// device, ConfigError for a malformed name.
at::Device resolveDevice(const std::string& name);
std::string deviceLabel(const at::Device& d); // "cpu", "cuda:1"

// Free and total memory of a CUDA device through the CUDA runtime that LibTorch loaded (looked up with dlsym, so
// that this library needs no CUDA headers). False when unknown.
bool cudaMemoryInfo(int deviceIndex, std::size_t& freeBytes, std::size_t& totalBytes);
// The CUDA runtime's name for a device, or empty.
std::string cudaDeviceName(int deviceIndex);

// Translates the exception being handled (call only inside a catch block) into an orfeas::Error and throws it:
// orfeas errors pass through, out-of-memory becomes DeviceError(isOutOfMemory), CUDA failures DeviceError, other
// LibTorch errors ModelError. `during` says what was running ("diffusion sampling").
[[noreturn]] void rethrowAsEngineError(const std::string& during);

// Whether an exception is an out-of-memory failure of the device or the host: LibTorch's OutOfMemoryError, a
// LibTorch error whose message says so, std::bad_alloc, or our DeviceError(isOutOfMemory).
bool isOutOfMemory(const std::exception_ptr& error) noexcept;

// Throws ModelError("the model produced NaN values during <stage> ...") when `t` holds a NaN or an infinity.
void requireFinite(const at::Tensor& t, const std::string& stage);

// A scope that disables autograd bookkeeping for inference.
struct InferenceScope {
    c10::InferenceMode mode;
};

} // namespace orfeas::neural
