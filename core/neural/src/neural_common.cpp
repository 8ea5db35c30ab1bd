#include "neural_common.h"

#include "orfeas/errors.h"

#include <c10/core/DeviceGuard.h>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <torch/version.h>
#include <vector>

namespace orfeas::neural {

namespace {
std::atomic<bool> g_cudnnAttention { false };
std::atomic<bool> g_cudnnDenoiser { false };
}

bool setCudnnForDenoiser(bool on)
{
#if ORFEAS_HAVE_CUDNN_SDPA
    g_cudnnDenoiser = on;
    return on;
#else
    (void)on;
    return false;
#endif
}

bool cudnnForDenoiser()
{
    return g_cudnnDenoiser || g_cudnnAttention;
}

at::Tensor denoiserAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
#if ORFEAS_HAVE_CUDNN_SDPA
    if (g_cudnnDenoiser && !g_cudnnAttention && q.is_cuda() && q.scalar_type() != at::kFloat) {
        try {
            return std::get<0>(at::_scaled_dot_product_cudnn_attention(q, k, v, std::nullopt, false));
        } catch (const c10::Error&) {
            g_cudnnDenoiser = false; // not supported here: the general choice from now on
        }
    }
#endif
    return attention(q, k, v);
}

namespace {
std::atomic<bool> g_cudnnRefused { false };
}

bool cudnnAttentionAvailable()
{
#if ORFEAS_HAVE_CUDNN_SDPA
    return !g_cudnnRefused;
#else
    return false;
#endif
}

at::Tensor cudnnAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
#if ORFEAS_HAVE_CUDNN_SDPA
    if (!g_cudnnRefused && q.is_cuda() && q.scalar_type() != at::kFloat) {
        try {
            return std::get<0>(at::_scaled_dot_product_cudnn_attention(q, k, v, std::nullopt, false));
        } catch (const c10::Error&) {
            g_cudnnRefused = true;
        }
    }
#endif
    return attention(q, k, v);
}

bool setCudnnAttention(bool on)
{
#if ORFEAS_HAVE_CUDNN_SDPA
    g_cudnnAttention = on;
    return on;
#else
    (void)on;
    return false;
#endif
}

bool cudnnAttentionActive()
{
    return g_cudnnAttention;
}

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
#if ORFEAS_HAVE_CUDNN_SDPA
    if (g_cudnnAttention && q.is_cuda() && q.scalar_type() != at::kFloat) {
        try {
            return std::get<0>(at::_scaled_dot_product_cudnn_attention(q, k, v, std::nullopt, false));
        } catch (const c10::Error&) {
            g_cudnnAttention = false; // not supported here: LibTorch chooses from now on
        }
    }
#endif
#if TORCH_VERSION_MAJOR >= 2
    return at::scaled_dot_product_attention(q, k, v);
#else
    const double scale = 1.0 / std::sqrt(double(q.size(-1)));
    const at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * scale;
    return at::matmul(at::softmax(scores, -1), v);
#endif
}

namespace {

// Direct computation in float32, a few heads at a time (the scores of all heads at once can be large).
std::pair<at::Tensor, at::Tensor> attentionWithLseDirect(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    const double scale = 1.0 / std::sqrt(double(q.size(-1)));
    const std::int64_t heads = q.size(1);
    const std::int64_t perSlice = std::max<std::int64_t>(1, (std::int64_t(64) << 20) / std::max<std::int64_t>(1,
        q.size(0) * q.size(2) * k.size(2) * 4));
    std::vector<at::Tensor> outs, lses;
    for (std::int64_t h = 0; h < heads; h += perSlice) {
        const std::int64_t n = std::min(perSlice, heads - h);
        const at::Tensor scores
            = at::matmul(q.narrow(1, h, n).to(at::kFloat), k.narrow(1, h, n).to(at::kFloat).transpose(-2, -1)) * scale;
        const at::Tensor lse = at::logsumexp(scores, -1);
        outs.push_back(at::matmul(at::exp(scores - lse.unsqueeze(-1)), v.narrow(1, h, n).to(at::kFloat)));
        lses.push_back(lse);
    }
    return { at::cat(outs, 1).to(q.scalar_type()), at::cat(lses, 1) };
}

enum class LseKernel { Unknown, Cudnn, Flash, Direct };
std::atomic<int> g_lseKernel { int(LseKernel::Unknown) };

std::pair<at::Tensor, at::Tensor> runLseKernel(
    LseKernel kernel, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    [[maybe_unused]] const std::int64_t b = q.size(0), h = q.size(1), l = q.size(2);
    switch (kernel) {
#if ORFEAS_HAVE_CUDNN_SDPA
    case LseKernel::Cudnn: {
        auto r = at::_scaled_dot_product_cudnn_attention(q, k, v, std::nullopt, /*compute_log_sumexp=*/true);
        return { std::get<0>(r), std::get<1>(r).reshape({ b, h, l }).to(at::kFloat) };
    }
#endif
#if ORFEAS_HAVE_FLASH_SDPA
    case LseKernel::Flash: {
        auto r = at::_scaled_dot_product_flash_attention(q, k, v, 0.0, false, false);
        return { std::get<0>(r), std::get<1>(r).reshape({ b, h, l }).to(at::kFloat) };
    }
#endif
    default:
        return attentionWithLseDirect(q, k, v);
    }
}

// Whether a fused kernel's result agrees with the direct computation, on the first queries (a kernel may refuse
// the shape, or report its statistics in another form).
bool agreesWithDirect(const std::pair<at::Tensor, at::Tensor>& got, const at::Tensor& q, const at::Tensor& k,
    const at::Tensor& v)
{
    const std::int64_t rows = std::min<std::int64_t>(q.size(2), 64);
    const auto expected = attentionWithLseDirect(q.narrow(2, 0, rows), k, v);
    const double dOut = (got.first.narrow(2, 0, rows).to(at::kFloat) - expected.first.to(at::kFloat)).abs().max().item<double>();
    const double dLse = (got.second.narrow(2, 0, rows) - expected.second).abs().max().item<double>();
    const double scale = expected.first.to(at::kFloat).abs().max().item<double>();
    return dOut <= 2e-2 * std::max(scale, 1.0) && dLse <= 1e-2;
}

} // namespace

std::pair<at::Tensor, at::Tensor> attentionWithLse(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    if (!q.is_cuda() || q.scalar_type() == at::kFloat)
        return attentionWithLseDirect(q, k, v);
    const int kernel = g_lseKernel.load();
    if (kernel == int(LseKernel::Unknown)) {
        // The first call checks the fused kernels on its own operands and keeps the first that agrees: cuDNN
        // first only where it is the attention kernel in use (its execution graphs are built per thread and
        // shape, see configureAttention).
        const bool cudnnFirst = cudnnForDenoiser();
        const LseKernel first = cudnnFirst ? LseKernel::Cudnn : LseKernel::Flash;
        const LseKernel second = cudnnFirst ? LseKernel::Flash : LseKernel::Cudnn;
        for (const LseKernel candidate : { first, second }) {
            try {
                auto got = runLseKernel(candidate, q, k, v);
                if (agreesWithDirect(got, q, k, v)) {
                    g_lseKernel = int(candidate);
                    return got;
                }
            } catch (const c10::Error&) {
            }
        }
        g_lseKernel = int(LseKernel::Direct);
        return attentionWithLseDirect(q, k, v);
    }
    try {
        return runLseKernel(LseKernel(kernel), q, k, v);
    } catch (const c10::Error&) {
        g_lseKernel = int(LseKernel::Direct); // refused this shape: the direct computation from now on
        return attentionWithLseDirect(q, k, v);
    }
}

const char* attentionWithLseKernelName()
{
    switch (LseKernel(g_lseKernel.load())) {
    case LseKernel::Cudnn:
        return "cudnn";
    case LseKernel::Flash:
        return "flash";
    case LseKernel::Direct:
        return "direct";
    default:
        return "";
    }
}

void WeightStore::insert(const std::string& name, at::Tensor tensor)
{
    m_tensors[name] = std::move(tensor);
}

const at::Tensor& WeightStore::get(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    if (it == m_tensors.end())
        throw InternalError("weight '" + name + "' was not loaded", Stage::ShapeGeneration);
    return it->second;
}

Linear WeightStore::linear(const std::string& prefix, bool bias) const
{
    Linear l;
    l.weight = get(prefix + ".weight");
    if (bias)
        l.bias = get(prefix + ".bias");
    return l;
}

LayerNorm WeightStore::layerNorm(const std::string& prefix, double eps) const
{
    return LayerNorm { get(prefix + ".weight"), get(prefix + ".bias"), eps };
}

std::int64_t WeightStore::bytes() const
{
    std::int64_t n = 0;
    for (const auto& [name, t] : m_tensors)
        n += t.numel() * std::int64_t(t.element_size());
    return n;
}

at::ScalarType scalarTypeOf(Precision p)
{
    switch (p) {
    case Precision::Fp32:
        return at::kFloat;
    case Precision::Fp16:
        return at::kHalf;
    case Precision::Bf16:
        return at::kBFloat16;
    }
    return at::kFloat;
}

const char* scalarTypeName(at::ScalarType t)
{
    switch (t) {
    case at::kHalf:
        return "fp16";
    case at::kBFloat16:
        return "bf16";
    default:
        return "fp32";
    }
}

namespace {

int cudaDeviceCount()
{
    try {
        return at::hasCUDA() ? int(at::detail::getCUDAHooks().getNumGPUs()) : 0;
    } catch (...) {
        return 0;
    }
}

template <typename Fn> Fn cudaSymbol(const char* name)
{
    // The CUDA runtime is loaded by LibTorch's CUDA library when there is one; look it up in the process.
    return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
}

} // namespace

at::Device resolveDevice(const std::string& name)
{
    if (name == "cpu")
        return at::Device(at::kCPU);
    const int count = cudaDeviceCount();
    if (name == "auto" || name.empty())
        return count > 0 ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    int index = 0;
    if (name != "cuda") {
        if (name.rfind("cuda:", 0) != 0)
            throw ConfigError("invalid device '" + name + "' (accepted: auto, cpu, cuda, cuda:N)");
        const char* b = name.data() + 5;
        const char* e = name.data() + name.size();
        const auto r = std::from_chars(b, e, index);
        if (r.ec != std::errc() || r.ptr != e || b == e || index < 0)
            throw ConfigError("invalid device '" + name + "' (accepted: auto, cpu, cuda, cuda:N)");
    }
    if (count == 0)
        throw DeviceError("device '" + name
            + "' was asked for, but CUDA is not available in this process (LibTorch "
              "without CUDA, or no NVIDIA driver or device)");
    if (index >= count)
        throw DeviceError("device '" + name + "' does not exist (" + std::to_string(count) + " CUDA device"
            + (count == 1 ? "" : "s") + ")");
    return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string deviceLabel(const at::Device& d)
{
    return d.is_cuda() ? "cuda:" + std::to_string(d.has_index() ? int(d.index()) : 0) : "cpu";
}

bool cudaMemoryInfo(int deviceIndex, std::size_t& freeBytes, std::size_t& totalBytes)
{
    using MemGetInfo = int (*)(std::size_t*, std::size_t*);
    const auto fn = cudaSymbol<MemGetInfo>("cudaMemGetInfo");
    if (!fn || deviceIndex < 0 || deviceIndex >= cudaDeviceCount())
        return false;
    // cudaMemGetInfo reports on the calling thread's current device: make it ours for the call.
    const c10::DeviceGuard guard(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(deviceIndex)));
    return fn(&freeBytes, &totalBytes) == 0;
}

std::string cudaDeviceName(int deviceIndex)
{
    // cudaDeviceProp starts with `char name[256]` in every CUDA version; the rest of the struct is larger than
    // we need to know, so give the runtime a generous buffer.
    using GetProperties = int (*)(void*, int);
    auto fn = cudaSymbol<GetProperties>("cudaGetDeviceProperties_v2");
    if (!fn)
        fn = cudaSymbol<GetProperties>("cudaGetDeviceProperties");
    if (!fn)
        return {};
    std::vector<char> buffer(16384, 0);
    if (fn(buffer.data(), deviceIndex) != 0)
        return {};
    return std::string(buffer.data(), ::strnlen(buffer.data(), 256));
}

namespace {

std::string firstLine(const char* text)
{
    std::string s(text ? text : "");
    const auto nl = s.find('\n');
    if (nl != std::string::npos)
        s.resize(nl);
    return s;
}

bool mentionsOutOfMemory(const std::string& s)
{
    return s.find("out of memory") != std::string::npos || s.find("not enough memory") != std::string::npos
        || s.find("CUDA_ERROR_OUT_OF_MEMORY") != std::string::npos;
}

} // namespace

void rethrowAsEngineError(const std::string& during)
{
    try {
        throw;
    } catch (const orfeas::Error&) {
        throw;
    } catch (const c10::OutOfMemoryError& e) {
        throw DeviceError("out of memory during " + during + ": " + firstLine(e.what_without_backtrace()), true);
    } catch (const c10::Error& e) {
        const std::string msg = firstLine(e.what_without_backtrace());
        if (mentionsOutOfMemory(msg))
            throw DeviceError("out of memory during " + during + ": " + msg, true);
        if (msg.find("CUDA") != std::string::npos || msg.find("cuDNN") != std::string::npos
            || msg.find("CUBLAS") != std::string::npos)
            throw DeviceError("device failure during " + during + ": " + msg);
        throw ModelError("LibTorch failed during " + during + ": " + msg);
    } catch (const std::bad_alloc&) {
        throw DeviceError("out of host memory during " + during, true);
    } catch (const std::exception& e) {
        throw InternalError("unexpected failure during " + during + ": " + e.what(), Stage::ShapeGeneration);
    }
}

bool isOutOfMemory(const std::exception_ptr& error) noexcept
{
    try {
        std::rethrow_exception(error);
    } catch (const c10::OutOfMemoryError&) {
        return true;
    } catch (const c10::Error& e) {
        return mentionsOutOfMemory(firstLine(e.what_without_backtrace()));
    } catch (const std::bad_alloc&) {
        return true;
    } catch (const DeviceError& e) {
        return e.isOutOfMemory();
    } catch (...) {
        return false;
    }
}

void requireFinite(const at::Tensor& t, const std::string& stage)
{
    if (!t.defined() || t.numel() == 0)
        return;
    // One reduction and one host sync per call: cheap next to any stage it guards.
    const at::Tensor finite = at::isfinite(t);
    if (finite.all().item<bool>())
        return;
    const bool hasNan = at::isnan(t).any().item<bool>();
    throw ModelError(std::string(hasNan ? "the model produced NaN values" : "the model produced infinite values")
        + " during " + stage + " (corrupt weights, or a float16 overflow: fp32 or bf16 precision may help)");
}

} // namespace orfeas::neural
