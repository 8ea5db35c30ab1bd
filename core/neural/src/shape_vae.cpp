#include "shape_vae.h"

#include "orfeas/errors.h"

#include "dit_fused.h"

#include <algorithm>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <cmath>
#include <cstdlib>
#include <string>
#include <torch/version.h>

namespace orfeas::neural {

namespace {

constexpr double kBlockEps = 1e-6; // the VAE blocks' LayerNorms and q/k norms
constexpr double kLnPostEps = 1e-5; // the geometry decoder's ln_post: nn.LayerNorm(width), PyTorch's default eps

// [B, L, H * 2D] (or 3D) viewed per head and split into its D-wide parts (the VAE's layout, unlike the DiT's).
std::vector<at::Tensor> splitPerHead(const at::Tensor& x, std::int64_t heads, std::int64_t parts)
{
    const at::Tensor v = x.view({ x.size(0), x.size(1), heads, x.size(2) / heads });
    return v.split(v.size(3) / parts, -1);
}

LayerNorm optionalNorm(const WeightStore& w, const std::string& prefix, bool present)
{
    return present ? w.layerNorm(prefix, kBlockEps) : LayerNorm {};
}

at::Tensor applyNorm(const LayerNorm& n, const at::Tensor& x)
{
    return n.weight.defined() ? n(x) : x;
}

} // namespace

ShapeVaeDecoder::ShapeVaeDecoder(const ShapeVaeConfig& config, const WeightStore& w, const ComputeSpec& spec)
    : m_config(config)
    , m_spec(spec)
{
    m_postKl = w.linear("vae.post_kl");
    for (int i = 0; i < config.numDecoderLayers; ++i) {
        const std::string p = "vae.transformer.resblocks." + std::to_string(i);
        Block b;
        b.ln1 = w.layerNorm(p + ".ln_1", kBlockEps);
        b.ln2 = w.layerNorm(p + ".ln_2", kBlockEps);
        b.qkv = w.linear(p + ".attn.c_qkv", config.qkvBias);
        b.proj = w.linear(p + ".attn.c_proj");
        b.qNorm = optionalNorm(w, p + ".attn.attention.q_norm", config.qkNorm);
        b.kNorm = optionalNorm(w, p + ".attn.attention.k_norm", config.qkNorm);
        b.fc = w.linear(p + ".mlp.c_fc");
        b.fcOut = w.linear(p + ".mlp.c_proj");
        m_blocks.push_back(std::move(b));
    }
}

at::Tensor ShapeVaeDecoder::decode(const at::Tensor& latents) const
{
    // The pipeline multiplies by the reciprocal (1. / scale_factor * latents), not a division.
    at::Tensor x = m_postKl(latents.to(m_spec.device, m_spec.dtype) * (1.0 / m_config.scaleFactor));
    const std::int64_t heads = m_config.heads;
    for (const Block& b : m_blocks) {
        const auto qkv = splitPerHead(b.qkv(b.ln1(x)), heads, 3);
        const at::Tensor q = applyNorm(b.qNorm, qkv[0]).transpose(1, 2);
        const at::Tensor k = applyNorm(b.kNorm, qkv[1]).transpose(1, 2);
        const at::Tensor v = qkv[2].transpose(1, 2);
        x = x + b.proj(mergeHeads(attention(q, k, v)));
        x = x + b.fcOut(at::gelu(b.fc(b.ln2(x))));
    }
    return x;
}

GeometryDecoder::GeometryDecoder(const ShapeVaeConfig& config, const WeightStore& w, const ComputeSpec& spec)
    : m_config(config)
    , m_spec(spec)
{
    std::vector<float> freqs;
    for (int i = 0; i < config.numFreqs; ++i) {
        // float32(2^i) * float32(pi): a power-of-two scaling, exact.
        const float base = config.includePi ? static_cast<float>(M_PI) : 1.0f;
        freqs.push_back(std::ldexp(base, i));
    }
    m_frequencies = at::tensor(freqs, at::TensorOptions().dtype(at::kFloat)).to(spec.device);

    const std::string g = "vae.geo_decoder";
    const std::string c = g + ".cross_attn_decoder";
    m_queryProj = w.linear(g + ".query_proj");
    if (config.geoDecoderDownsampleRatio != 1)
        m_latentsProj = w.linear(g + ".latents_proj");
    m_q = w.linear(c + ".attn.c_q", config.qkvBias);
    m_kv = w.linear(c + ".attn.c_kv", config.qkvBias);
    m_proj = w.linear(c + ".attn.c_proj");
    m_qNorm = optionalNorm(w, c + ".attn.attention.q_norm", config.geoQkNorm());
    m_kNorm = optionalNorm(w, c + ".attn.attention.k_norm", config.geoQkNorm());
    m_ln1 = w.layerNorm(c + ".ln_1", kBlockEps);
    m_ln2 = w.layerNorm(c + ".ln_2", kBlockEps);
    m_ln3 = w.layerNorm(c + ".ln_3", kBlockEps);
    m_fc = w.linear(c + ".mlp.c_fc");
    m_fcOut = w.linear(c + ".mlp.c_proj");
    if (config.geoDecoderLnPost)
        m_lnPost = w.layerNorm(g + ".ln_post", kLnPostEps);
    m_outputProj = w.linear(g + ".output_proj");
}

GeometryKeys GeometryDecoder::prepare(const at::Tensor& decodedLatents) const
{
    at::Tensor data = decodedLatents.to(m_spec.device, m_spec.dtype);
    if (m_latentsProj.weight.defined())
        data = m_latentsProj(data);
    const auto kv = splitPerHead(m_kv(m_ln2(data)), m_config.geoHeads(), 2);
    GeometryKeys keys;
    keys.k = applyNorm(m_kNorm, kv[0]).transpose(1, 2).contiguous();
    keys.v = kv[1].transpose(1, 2).contiguous();
    if (m_fc.bias.defined() && m_queryProj.weight.size(1) == m_config.fourierDim()
        && fused::decoderFp8(m_spec, m_spec.dtype, m_config.geoWidth(), m_fc.weight.size(0)))
        keys.fp8 = fp8Weights();
    else if (factoredQueriesServe())
        keys.factored = factoredQuery();
    if (fused::decoderKernels(m_spec, m_spec.dtype, m_config.geoWidth()) && !c10::GradMode::is_enabled())
        keys.packed = fused::decoderAttentionPack(keys.k, keys.v);
    return keys;
}

bool GeometryDecoder::factoredQueriesServe() const
{
    static const bool wanted = [] {
        const char* v = std::getenv("ORFEAS_DECODER_FACTORED");
        return !(v && std::string(v) == "0");
    }();
    const std::int64_t width = m_config.geoWidth(), heads = m_config.geoHeads();
    const std::int64_t features = m_queryProj.weight.size(1);
    if (!wanted || heads <= 0 || width % heads != 0)
        return false;
    const std::int64_t headDim = width / heads;
    return fused::decoderKernels(m_spec, m_spec.dtype, width) && features == m_config.fourierDim() && features < 64
        && headDim % 8 == 0 && headDim <= 256 && 32 % (headDim / 8) == 0;
}

GramTiles gramTiles(const at::Tensor& gram, at::ScalarType dtype)
{
    const c10::NoGradGuard noGrad;
    if (gram.dim() != 2 || gram.size(0) != gram.size(1) || gram.size(0) > 64)
        throw InternalError("gramTiles: a square Gram matrix of at most 64 rows");
    const std::int64_t n = gram.size(0);
    const at::Tensor padded = at::constant_pad_nd(gram.to(at::kDouble), { 0, 64 - n, 0, 64 - n });
    // A power of two (exact to divide by and multiply again), computed on the matrix's device without a copy to the
    // host; the clamp keeps an all-zero matrix finite.
    const at::Tensor scale = at::exp2(at::ceil(at::log2(at::clamp_min(padded.abs().max() / 4096.0, 1e-30))));
    const at::Tensor scaled = padded / scale;
    const at::Tensor hi = scaled.to(dtype);
    return { at::cat({ hi, (scaled - hi.to(at::kDouble)).to(dtype) }, 0).contiguous(),
        scale.to(at::kFloat).reshape({ 1 }).contiguous() };
}

std::shared_ptr<const FactoredQuery> GeometryDecoder::factoredQuery() const
{
    const c10::NoGradGuard noGrad;
    const std::int64_t width = m_config.geoWidth();
    const std::int64_t features = m_queryProj.weight.size(1);
    const std::int64_t padded = (features + 7) / 8 * 8;
    const auto f64 = [](const at::Tensor& t) { return t.to(at::kDouble); };
    const auto options = m_queryProj.weight.options().dtype(at::kDouble);
    // C = [W_p, b_p] minus its mean over the channels (rows): LN_1's centred input is C f~.
    at::Tensor c = at::cat(
        { f64(m_queryProj.weight),
            m_queryProj.bias.defined() ? f64(m_queryProj.bias).unsqueeze(1) : at::zeros({ width, 1 }, options) },
        1);
    c = c - c.mean(0, true);
    const at::Tensor g1 = m_ln1.weight.defined() ? f64(m_ln1.weight) : at::ones({ width }, options);
    const at::Tensor wq = f64(m_q.weight);
    const at::Tensor mt = wq.matmul(c * g1.unsqueeze(1)); // [M, m1]
    at::Tensor m2 = m_ln1.bias.defined() ? wq.matmul(f64(m_ln1.bias)) : at::zeros({ width }, options);
    if (m_q.bias.defined())
        m2 = m2 + f64(m_q.bias);
    const at::Tensor m = mt.narrow(1, 0, features);
    // |(M f)_j| <= sum_k |M_jk| |f_k|, with sines and cosines at most 1 and the coordinates (the first three
    // features) taken as at most 4 in magnitude (decoding grids span about [-1, 1]). The scale keeps that bound at
    // most 2^14, well inside half precision's largest value 65504, without a copy to the host: a power of two, so
    // dividing by it and multiplying again in the kernel is exact.
    const at::Tensor a = m.abs();
    const at::Tensor bound = (a.narrow(1, 0, 3).sum(1) * 4.0 + a.narrow(1, 3, features - 3).sum(1)).max();
    const at::Tensor scale = at::exp2(at::ceil(at::log2(at::clamp_min(bound / 16384.0, 1.0))));
    auto f = std::make_shared<FactoredQuery>();
    f->matrix = at::constant_pad_nd(m / scale, { 0, padded - features }).to(m_spec.dtype).contiguous();
    f->scale = scale.to(at::kFloat).reshape({ 1 }).contiguous();
    const at::Tensor gram = c.t().matmul(c) / double(width);
    f->gram = gram.to(at::kFloat).contiguous().view({ -1 });
    f->m1 = mt.select(1, features).to(at::kFloat).contiguous();
    f->m2 = m2.to(at::kFloat).contiguous();
    f->features = features;
    f->eps = m_ln1.eps;
    static const bool frontWanted = [] {
        const char* v = std::getenv("ORFEAS_DECODER_FRONT");
        return !(v && std::string(v) == "0");
    }();
    if (frontWanted && fused::decoderFrontServes(width, width / m_config.geoHeads(), m_frequencies.numel())
        && features == 3 + 6 * m_frequencies.numel()) {
        const auto pad64 = [&](const at::Tensor& t) {
            return at::constant_pad_nd(t.to(m_spec.dtype), { 0, 64 - t.size(1) });
        };
        f->front = at::cat({ pad64(m_queryProj.weight), pad64(m / scale) }, 0).contiguous();
        static const bool inAttention = [] {
            const char* v = std::getenv("ORFEAS_DECODER_QUERIES_IN_ATTENTION");
            return !(v && std::string(v) == "0");
        }();
        if (inAttention && width == 64 * m_config.geoHeads() && fused::decoderAttentionServes(m_spec, 64)) {
            f->queryTiles = fused::decoderQueryWeightsPack(f->front, m_config.geoHeads());
            f->projWithInput = at::cat({ m_proj.weight.to(m_spec.dtype), pad64(m_queryProj.weight) }, 1).contiguous();
            GramTiles tiles = gramTiles(gram, m_spec.dtype);
            f->gramTiles = std::move(tiles.tiles);
            f->gramScale = std::move(tiles.scale);
        }
    }
    return f;
}

at::Tensor GeometryDecoder::factoredQueries(const FactoredQuery& f, const at::Tensor& features, bool kernel) const
{
    const std::int64_t width = m_config.geoWidth(), heads = m_config.geoHeads();
    if (kernel) {
        at::Tensor y = fused::tunedLinear(features, f.matrix);
        fused::factoredQueries(y, features, f.features, f.gram, f.eps, f.scale, f.m1, f.m2, m_qNorm, width / heads);
        return y;
    }
    // The same arithmetic in float32 operators.
    const std::int64_t rows = features.size(0);
    const at::Tensor x = features.narrow(1, 0, f.features).to(at::kFloat);
    const at::Tensor xt = at::cat({ x, at::ones({ rows, 1 }, x.options()) }, 1);
    const at::Tensor variance = (xt.matmul(f.gram.view({ f.features + 1, -1 })) * xt).sum(1, true);
    const at::Tensor inv = at::rsqrt(variance.clamp_min(0.0) + f.eps);
    const at::Tensor y = features.to(at::kFloat).matmul(f.matrix.to(at::kFloat).t()) * f.scale;
    at::Tensor q = ((y + f.m1) * inv + f.m2).view({ rows, heads, -1 });
    if (m_qNorm.weight.defined()) {
        const auto asFloat = [](const at::Tensor& t) { return t.defined() ? t.to(at::kFloat) : t; };
        q = at::layer_norm(q, { q.size(-1) }, asFloat(m_qNorm.weight), asFloat(m_qNorm.bias), m_qNorm.eps);
    }
    return q.reshape({ rows, width }).to(m_spec.dtype);
}

at::Tensor GeometryDecoder::attentionQueries(const at::Tensor& points, QueryForm form) const
{
    const c10::InferenceMode inference;
    const at::Tensor flat = points.reshape({ -1, 3 }).to(m_spec.device, at::kFloat).contiguous();
    const std::int64_t rows = flat.size(0), width = m_config.geoWidth();
    if (form == QueryForm::Operators) {
        const at::Tensor q
            = m_q(m_ln1(m_queryProj(fourier(flat).to(m_spec.dtype)))).view({ rows, m_config.geoHeads(), -1 });
        return applyNorm(m_qNorm, q).reshape({ rows, width });
    }
    const std::int64_t features = m_queryProj.weight.size(1);
    const std::int64_t padded = (features + 7) / 8 * 8;
    const at::Tensor feats = at::constant_pad_nd(fourier(flat), { 0, padded - features }).to(m_spec.dtype);
    return factoredQueries(*factoredQuery(), feats, false);
}

namespace {

constexpr float kE4M3Max = 448.0f;

} // namespace

float layerNormOutputBound(const LayerNorm& norm, std::int64_t width, const at::TensorOptions& options)
{
    const at::Tensor g = norm.weight.defined() ? norm.weight.to(at::kFloat).abs() : at::ones({ width }, options);
    const at::Tensor b = norm.bias.defined() ? norm.bias.to(at::kFloat).abs() : at::zeros({ width }, options);
    return (g * float(std::sqrt(double(width - 1))) + b).max().item<float>();
}

float normThenLinearBound(
    const Linear& layer, const LayerNorm& norm, std::int64_t width, const at::TensorOptions& options)
{
    const at::Tensor w = layer.weight.to(at::kFloat);
    const at::Tensor g = norm.weight.defined() ? norm.weight.to(at::kFloat) : at::ones({ width }, options);
    at::Tensor shift = norm.bias.defined() ? w.matmul(norm.bias.to(at::kFloat)) : at::zeros({ w.size(0) }, options);
    if (layer.bias.defined())
        shift = shift + layer.bias.to(at::kFloat);
    return ((w * g).norm(2, { 1 }) * float(std::sqrt(double(width))) + shift.abs()).max().item<float>();
}

namespace {

// Dequantisation scale of a tensor whose |values| are at most `bound`: the bound maps to E4M3's largest value.
float scaleFor(float bound)
{
    return bound > 0.0f && std::isfinite(bound) ? bound / kE4M3Max : 1.0f;
}

} // namespace

// Per-tensor scales, all fixed by the weights rather than measured on data, so that no value can overflow:
// - a weight's scale maps its largest |value| to 448;
// - ln_1's and ln_3's outputs are bounded by layerNormOutputBound, the MLP's hidden layer (GELU of c_fc's output,
//   at least -0.17) by normThenLinearBound, with 15 % to spare for the rounding of the FP8 inputs; conversions
//   saturate anyway.
// E4M3 keeps three significant bits down to 2^-6 of its largest value (subnormals below), so loose bounds cost
// little: values 2^15 times below the bound still round with a relative error of at most 2^-4.
std::shared_ptr<const GeometryFp8> GeometryDecoder::fp8Weights() const
{
    const std::int64_t width = m_config.geoWidth();
    const auto options = at::TensorOptions().dtype(at::kFloat).device(m_spec.device);
    auto fp8 = std::make_shared<GeometryFp8>();
    const auto quantise = [](const at::Tensor& w, float& scale) {
        scale = scaleFor(w.abs().max().to(at::kFloat).item<float>());
        return fused::quantizeE4M3(w.contiguous(), 1.0f / scale);
    };
    float wq = 1, wfc = 1, wout = 1;
    fp8->q = quantise(m_q.weight, wq);
    fp8->fc = quantise(m_fc.weight, wfc);
    fp8->fcOut = quantise(m_fcOut.weight, wout);
    const float h1 = scaleFor(layerNormOutputBound(m_ln1, width, options));
    const float h3 = scaleFor(layerNormOutputBound(m_ln3, width, options));
    const float hidden = scaleFor(1.15f * std::max(normThenLinearBound(m_fc, m_ln3, width, options), 0.17f));
    std::vector<float> slots(std::size_t(GeometryFp8::SlotCount * fused::kFp8ScaleStride), 0.0f);
    const auto set
        = [&](GeometryFp8::Slot slot, float value) { slots[std::size_t(slot * fused::kFp8ScaleStride)] = value; };
    set(GeometryFp8::Norm1, h1);
    set(GeometryFp8::QWeight, wq);
    set(GeometryFp8::Norm3, h3);
    set(GeometryFp8::FcWeight, wfc);
    set(GeometryFp8::Hidden, hidden);
    set(GeometryFp8::FcOutWeight, wout);
    set(GeometryFp8::QuantiseHidden, 1.0f / hidden);
    fp8->scales = at::tensor(slots, at::kFloat).to(m_spec.device);
    fp8->quantise1 = 1.0f / h1;
    fp8->quantise3 = 1.0f / h3;
    fp8->quantiseHidden = 1.0f / hidden;
    fp8->outType = m_spec.dtype;
    return fp8;
}

at::Tensor GeometryDecoder::fourier(const at::Tensor& points) const
{
    // [x, sin(x * f), cos(x * f)] with the frequencies of one coordinate adjacent: x0 f0 .. x0 f(n-1), x1 f0, ...
    const at::Tensor x = points.to(m_spec.device, at::kFloat);
    if (m_config.numFreqs == 0)
        return x;
    const at::Tensor embed = (x.unsqueeze(-1) * m_frequencies).flatten(-2);
    return at::cat({ x, at::sin(embed), at::cos(embed) }, -1);
}

// The geometry decoder's attention kernel on CUDA in half precision: cuDNN's, called directly, unless
// ORFEAS_DECODER_ATTENTION=flash (LibTorch's choice, flash attention first: configureAttention). cuDNN's kernel
// decoded the fitted field 13 % faster on an H100 (0.324 s against 0.367 s, docs/benchmarks.md), but it builds an
// execution graph for every new (thread, shape) pair, 85-95 ms each, and the number of points per call changes
// with every surface. So the points of a call are padded (copies of the last point, their values dropped) to a
// multiple of 16384 above 16384 points and of 1024 below: at most about two dozen shapes ever, each built once per
// device-slot thread, for at most 16383 extra points per call. chooseChunkSize keeps full chunks multiples of 16384.
namespace {

std::int64_t cudnnPaddedCount(std::int64_t count)
{
    const std::int64_t quantum = count >= 16384 ? 16384 : 1024;
    return (count + quantum - 1) / quantum * quantum;
}

bool decoderUsesCudnn(const at::Tensor& points)
{
    static const bool wanted = [] {
        const char* v = std::getenv("ORFEAS_DECODER_ATTENTION");
        return !(v && std::string(v) == "flash");
    }();
    return wanted && points.is_cuda() && cudnnAttentionAvailable() && !c10::GradMode::is_enabled();
}

} // namespace

at::Tensor GeometryDecoder::query(const GeometryKeys& keys, const at::Tensor& points) const
{
    const bool cudnn = keys.k.defined() && m_spec.dtype != at::kFloat && decoderUsesCudnn(points);
    if (cudnn && points.size(1) > 0 && cudnnPaddedCount(points.size(1)) != points.size(1))
        return queryPadded(keys, points, cudnnPaddedCount(points.size(1)));
    if (points.is_cuda() && fused::decoderKernels(m_spec, m_spec.dtype, m_config.geoWidth())
        && m_queryProj.weight.size(1) == m_config.fourierDim())
        return queryFused(keys, points, cudnn);
    const std::int64_t batch = points.size(0);
    const std::int64_t count = points.size(1);
    at::Tensor x = m_queryProj(fourier(points).to(m_spec.dtype));
    // Inference updates in place (the same arithmetic, fewer [points, width] temporaries per chunk); fitting
    // (autograd on) needs the inputs kept.
    const bool inPlace = !c10::GradMode::is_enabled();
    if (keys.k.defined()) {
        // The per-head query norm has rows of 64 values: a kernel with a warp per row on CUDA (dit_fused.h).
        const at::Tensor qHeads = m_q(m_ln1(x)).view({ batch, count, m_config.geoHeads(), -1 });
        const at::Tensor q = m_qNorm.weight.defined() ? fused::shortRowLayerNorm(m_qNorm, qHeads) : qHeads;
        const at::Tensor k = keys.k.size(0) == batch ? keys.k : keys.k.expand({ batch, -1, -1, -1 });
        const at::Tensor v = keys.v.size(0) == batch ? keys.v : keys.v.expand({ batch, -1, -1, -1 });
        const at::Tensor attended
            = m_proj(mergeHeads(cudnn ? cudnnAttention(q.transpose(1, 2), k, v) : attention(q.transpose(1, 2), k, v)));
        x = inPlace ? x.add_(attended) : x + attended;
    }
    if (inPlace) {
        // The MLP's hidden layer is four times the width: run it over slices of the points so that only one
        // slice's hidden layer is alive at a time (a 131072-point chunk's would take 1 GB in half precision).
        // Each point's arithmetic is unchanged; slices of 32768 points still fill the GPU.
        constexpr std::int64_t kMlpSlice = 32768;
        for (std::int64_t s = 0; s < count; s += kMlpSlice) {
            at::Tensor xs = x.narrow(1, s, std::min(kMlpSlice, count - s));
            at::Tensor hidden = m_fc(m_ln3(xs));
            xs.add_(m_fcOut(at::gelu_(hidden)));
        }
    } else {
        x = x + m_fcOut(at::gelu(m_fc(m_ln3(x))));
    }
    if (m_lnPost.weight.defined())
        x = m_lnPost(x);
    return m_outputProj(x).squeeze(-1).to(at::kFloat);
}

namespace {

// layer(x) for x [rows, in]: the bias in the product's epilogue.
at::Tensor linear2d(const Linear& layer, const at::Tensor& x)
{
    return layer.bias.defined() ? at::addmm(layer.bias, x, layer.weight.t()) : at::mm(x, layer.weight.t());
}

// The MLP's GELU: the tanh approximation in the product's epilogue (cuBLASLt) unless ORFEAS_DECODER_GELU=exact.
bool exactDecoderGelu()
{
    static const bool exact = [] {
        const char* v = std::getenv("ORFEAS_DECODER_GELU");
        return v && std::string(v) == "exact";
    }();
    return exact;
}

// Rows of the MLP's slices in queryFused: 32768 unless ORFEAS_DECODER_MLP_SLICE names another positive multiple of
// 1024 (for measurements).
std::int64_t decoderMlpSlice()
{
    static const std::int64_t rows = [] {
        constexpr std::int64_t kDefault = 32768;
        const char* v = std::getenv("ORFEAS_DECODER_MLP_SLICE");
        if (!v)
            return kDefault;
        char* end = nullptr;
        const long long n = std::strtoll(v, &end, 10);
        return end != v && *end == '\0' && n >= 1024 && n % 1024 == 0 ? std::int64_t(n) : kDefault;
    }();
    return rows;
}

} // namespace

namespace {

// One of the FP8 path's products: a (E4M3 bytes) times the E4M3 weight w, their scales in the given slots.
fused::Fp8Product fp8Product(
    const GeometryFp8& fp8, at::Tensor a, const at::Tensor& w, GeometryFp8::Slot scaleA, GeometryFp8::Slot scaleW)
{
    fused::Fp8Product p;
    p.a = std::move(a);
    p.w = w;
    p.scales = fp8.scales;
    p.scaleA = scaleA;
    p.scaleW = scaleW;
    p.outType = fp8.outType;
    return p;
}

// a + b for two optional bias vectors, summed in float32 and rounded once to `dtype`; undefined when both are.
at::Tensor sumOfBiases(const at::Tensor& a, const at::Tensor& b, at::ScalarType dtype)
{
    if (!a.defined())
        return b;
    if (!b.defined())
        return a;
    return (a.to(at::kFloat) + b.to(at::kFloat)).to(dtype);
}

} // namespace

// The operator path's arithmetic, with fewer passes over the points' rows (fused::decoderKernels says when):
// - the Fourier features are written once, in the compute type, zero-padded to a multiple of 8 columns, and the
//   query projection's weight is padded alike: cuBLAS then takes its tensor-core kernels (unpadded, 51 columns
//   ran a slow unaligned kernel, 3 % of decoding in a trace);
// - each residual branch's output projection accumulates into the residual stream (β = 1) without its bias; the
//   LayerNorms that follow read the stream plus the biases owed so far (shiftedLayerNorm), so the stream is written
//   only by the products;
// - the MLP's bias and GELU run in the product's epilogue, with the tanh approximation of GELU (cuBLASLt has no
//   exact one; the largest difference is 4.7e-4, about a unit in the last place of half precision at GELU's
//   outputs of about 1); ORFEAS_DECODER_GELU=exact keeps the exact GELU as a separate pass;
// - ln_post and the one-output projection are one kernel that writes the float32 logits.
// Rounding differs from the operator path where sums are grouped differently; docs/neural.md gives the measured
// difference on the full-size decoder.
at::Tensor GeometryDecoder::queryFused(const GeometryKeys& keys, const at::Tensor& points, bool cudnn) const
{
    const std::int64_t batch = points.size(0), count = points.size(1), rows = batch * count;
    const std::int64_t width = m_config.geoWidth();
    const std::int64_t features = m_queryProj.weight.size(1);
    const std::int64_t padded = (features + 7) / 8 * 8;
    const at::Tensor flat = points.reshape({ rows, 3 }).to(m_spec.device, at::kFloat).contiguous();
    const GeometryFp8* fp8 = keys.fp8.get();
    // One pass computes x0 and the queries when the factored form has its kernel's weights; otherwise the features
    // are written out and multiplied.
    const bool front = keys.k.defined() && keys.factored && keys.factored->front.defined();
    at::Tensor feats, x, frontQueries;
    // The biases that x does not hold yet: ln_3 reads x plus the attention's output bias, ln_post x plus both.
    at::Tensor owed3 = keys.k.defined() ? m_proj.bias : at::Tensor();
    const bool queriesInAttention = front && keys.factored->queryTiles.defined() && keys.packed.defined()
        && (keys.k.size(0) == batch || keys.k.size(0) == 1);
    if (queriesInAttention) {
        // The queries formed inside the attention kernel from the features (no x0, no q written): one buffer holds
        // the attention output and the features, and the output projection's product adds W_p f as well; x0's bias
        // joins the owed ones.
        const FactoredQuery& f = *keys.factored;
        at::Tensor joined = at::empty({ rows, width + 64 }, f.front.options());
        const at::Tensor sigmaInv
            = fused::decoderFrontFeatures(flat, m_frequencies, f.gramTiles, f.gramScale, f.eps, joined);
        fused::decoderAttentionFromFeatures(joined, sigmaInv, f.queryTiles, f.scale, f.m1, f.m2, m_qNorm, keys.packed,
            batch, m_config.geoHeads(), keys.k.size(2));
        x = fused::tunedLinear(joined, f.projWithInput);
        owed3 = sumOfBiases(m_proj.bias, m_queryProj.bias, m_spec.dtype);
    } else if (front) {
        const FactoredQuery& f = *keys.factored;
        fused::decoderFront(flat, m_frequencies, f.front, m_queryProj.bias, f.scale, f.m1, f.m2, f.eps, m_qNorm,
            width / m_config.geoHeads(), x, frontQueries);
    } else {
        // Padded per call, not once: fitting a field trains these weights in place (field_fit.cpp). 1024 x 56.
        const at::Tensor weight = padded == features
            ? m_queryProj.weight
            : at::constant_pad_nd(m_queryProj.weight, { 0, padded - features });
        feats = fused::fourierFeatures(flat, m_frequencies, padded, m_spec.dtype);
        x = fused::tunedLinear(feats, weight, m_queryProj.bias);
    }
    if (keys.k.defined() && !queriesInAttention) {
        at::Tensor q2d;
        if (front) {
            q2d = frontQueries;
        } else if (keys.factored) {
            q2d = factoredQueries(*keys.factored, feats, true);
        } else if (fp8) {
            fused::Fp8Product p = fp8Product(*fp8, fused::shiftedLayerNormE4M3(x, m_ln1, {}, fp8->quantise1), fp8->q,
                GeometryFp8::Norm1, GeometryFp8::QWeight);
            p.bias = m_q.bias;
            q2d = fused::fp8Linear(p);
        } else {
            q2d = linear2d(m_q, fused::shiftedLayerNorm(x, m_ln1, {}));
        }
        const at::Tensor qHeads = q2d.view({ batch, count, m_config.geoHeads(), -1 });
        // The factored form's kernel has applied the per-head norm already.
        const at::Tensor q
            = m_qNorm.weight.defined() && !keys.factored ? fused::shortRowLayerNorm(m_qNorm, qHeads) : qHeads;
        at::Tensor attended;
        if (keys.packed.defined() && (keys.k.size(0) == batch || keys.k.size(0) == 1)) {
            attended = fused::decoderAttention(
                q.reshape({ rows, width }).contiguous(), keys.packed, batch, m_config.geoHeads(), keys.k.size(2));
        } else {
            const at::Tensor k = keys.k.size(0) == batch ? keys.k : keys.k.expand({ batch, -1, -1, -1 });
            const at::Tensor v = keys.v.size(0) == batch ? keys.v : keys.v.expand({ batch, -1, -1, -1 });
            attended = mergeHeads(cudnn ? cudnnAttention(q.transpose(1, 2), k, v) : attention(q.transpose(1, 2), k, v))
                           .reshape({ rows, width })
                           .contiguous();
        }
        fused::tunedLinear(attended, m_proj.weight, {}, false, &x);
    }
    // As in query(): one slice's hidden layer alive at a time. Measured on an H200 (dense decoding, session 9,
    // docs/benchmarks.md): running the whole block over slices of 32768 points was slower than over the chunk's
    // 131072 (4.10 s against 4.02 s), though a microbenchmark had cuDNN's attention 5 % faster on the smaller shape.
    // Slices of the MLP alone (session 14, dense decoding): 8192 and 16384 rows as fast as 32768 (3.60-3.62 s), 4096
    // slower (3.70 s, below the products' tuning threshold).
    const std::int64_t mlpSlice = decoderMlpSlice();
    for (std::int64_t s = 0; s < rows; s += mlpSlice) {
        at::Tensor xs = x.narrow(0, s, std::min(mlpSlice, rows - s));
        if (fp8) {
            fused::Fp8Product fc = fp8Product(*fp8, fused::shiftedLayerNormE4M3(xs, m_ln3, owed3, fp8->quantise3),
                fp8->fc, GeometryFp8::Norm3, GeometryFp8::FcWeight);
            fc.bias = m_fc.bias;
            fc.gelu = true;
            fc.outScale = GeometryFp8::QuantiseHidden;
            fc.outScaleValue = fp8->quantiseHidden;
            fused::Fp8Product out
                = fp8Product(*fp8, fused::fp8Linear(fc), fp8->fcOut, GeometryFp8::Hidden, GeometryFp8::FcOutWeight);
            out.accumulateInto = &xs;
            fused::fp8Linear(out);
            continue;
        }
        const at::Tensor h = fused::shiftedLayerNorm(xs, m_ln3, owed3);
        at::Tensor hidden;
        if (exactDecoderGelu()) {
            hidden = linear2d(m_fc, h);
            at::gelu_(hidden);
        } else {
            hidden = fused::tunedLinear(h, m_fc.weight, m_fc.bias, true);
        }
        fused::tunedLinear(hidden, m_fcOut.weight, {}, false, &xs);
    }
    const at::Tensor owedPost = sumOfBiases(owed3, m_fcOut.bias, m_spec.dtype);
    return fused::layerNormDot(x, owedPost, m_lnPost.weight.defined() ? &m_lnPost : nullptr, m_outputProj)
        .view({ batch, count });
}

at::Tensor GeometryDecoder::queryPadded(const GeometryKeys& keys, const at::Tensor& points, std::int64_t padded) const
{
    const std::int64_t count = points.size(1);
    if (count == 0 || padded <= count)
        return query(keys, points);
    const at::Tensor last = points.narrow(1, count - 1, 1).expand({ points.size(0), padded - count, 3 });
    return query(keys, at::cat({ points, last }, 1)).narrow(1, 0, count);
}

std::int64_t GeometryDecoder::bytesPerPoint() const
{
    const std::int64_t element = m_spec.dtype == at::kFloat ? 4 : 2;
    const std::int64_t width = m_config.geoWidth();
    // Query embeddings, q, attention output, residuals, the MLP's hidden layer (and its GELU), Fourier features.
    std::int64_t bytes = element * width * (6 + 2 * m_config.geoDecoderMlpExpandRatio) + 4 * 2 * m_config.fourierDim();
#if TORCH_VERSION_MAJOR < 2
    // Without fused attention the scores and probabilities are materialised.
    bytes += element * 2 * std::int64_t(m_config.geoHeads()) * m_config.numLatents;
#endif
    return bytes;
}

std::int64_t chooseChunkSize(const GeometryDecoder& decoder, int requested)
{
    constexpr std::int64_t kMaxCudaChunk = 131072;
    if (requested > 0)
        return requested;
    const std::int64_t perPoint = std::max<std::int64_t>(decoder.bytesPerPoint(), 1);
    const ComputeSpec& spec = decoder.spec();
    if (spec.isCuda()) {
        std::size_t freeBytes = 0, totalBytes = 0;
        if (cudaMemoryInfo(spec.device.has_index() ? spec.device.index() : 0, freeBytes, totalBytes)) {
            // Leave room for the allocator's fragmentation and for whatever else runs on the device. At most
            // 131072 points: larger chunks are no faster and cost memory. Measured on an H100 (fp16, full-size
            // decoder, hierarchical decoding of 3.6 M points, docs/benchmarks.md): 131072 points 0.435 s and 8.5 GB
            // peak for the whole run, 262144 0.422 s and 11.5 GB, the former cap of 2^20 0.521 s and 17.6 GB.
            // Multiples of 16384 from 16384 points on: the attention's padding (above) then leaves full chunks as
            // they are.
            const auto n = std::int64_t(double(freeBytes) * 0.4) / perPoint;
            const std::int64_t step = n >= 16384 ? 16384 : 1024;
            return std::clamp<std::int64_t>(n / step * step, 8192, kMaxCudaChunk);
        }
        return 65536;
    }
    // The CPU: about 64 MB of intermediates per chunk; larger chunks fall out of the caches and are slower there
    // (measured on the tiny model: 8-16 K points per chunk beat 50 K by 15-25 %).
    const std::int64_t n = (std::int64_t(64) << 20) / perPoint;
    return std::clamp<std::int64_t>(n / 1024 * 1024, 1024, 65536);
}

} // namespace orfeas::neural
