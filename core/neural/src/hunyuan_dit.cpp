#include "hunyuan_dit.h"

#include "dit_fused.h"
#include "dit_ops.h"
#include "gpu_runtime.h"

#include "orfeas/errors.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

namespace orfeas::neural {

namespace {

constexpr std::int64_t kTimeEmbedDim = 256;
constexpr double kTimeScale = 1000.0; // timestep_embedding's default time_factor

using dit::modulate;
using dit::plainNorm;
using dit::rmsNorm;

// GPU time per kind of work in the fused denoiser, for profiling: with ORFEAS_DIT_PROFILE=<file>, every fused
// forward pass times its parts with CUDA events and rewrites <file> with the totals so far (one line per part:
// name, seconds, share). Costs a synchronisation per forward pass; off (null) without the variable.
class SectionProfile {
public:
    static SectionProfile* get(const at::Device& device)
    {
        static const char* path = std::getenv("ORFEAS_DIT_PROFILE");
        if (!path || !*path || !device.is_cuda())
            return nullptr;
        static SectionProfile profile(path, device);
        return &profile;
    }
    void add(const char* name, std::unique_ptr<gpu::EventTimer> timer)
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_pending.emplace_back(name, std::move(timer));
    }
    void flush()
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        for (auto& [name, timer] : m_pending)
            m_totals[name] += std::max(0.0, timer->seconds());
        m_pending.clear();
        ++m_forwards;
        double sum = 0;
        for (const auto& [name, s] : m_totals)
            sum += s;
        std::ofstream out(m_path, std::ios::trunc);
        out << "forward_passes " << m_forwards << "\n";
        for (const auto& [name, s] : m_totals)
            out << name << ' ' << s << ' ' << (sum > 0 ? s / sum : 0.0) << "\n";
    }
    const at::Device& device() const { return m_device; }

private:
    SectionProfile(std::string path, const at::Device& device)
        : m_path(std::move(path))
        , m_device(device)
    {
    }
    std::string m_path;
    at::Device m_device;
    std::mutex m_mutex;
    std::vector<std::pair<const char*, std::unique_ptr<gpu::EventTimer>>> m_pending;
    std::map<std::string, double> m_totals;
    long m_forwards = 0;
};

// Times the enclosing scope into a SectionProfile (nothing when profiling is off).
class Mark {
public:
    Mark(SectionProfile* profile, const char* name)
        : m_profile(profile)
        , m_name(name)
    {
        if (m_profile)
            m_timer = std::make_unique<gpu::EventTimer>(m_profile->device());
    }
    ~Mark()
    {
        if (m_profile) {
            m_timer->stop();
            m_profile->add(m_name, std::move(m_timer));
        }
    }
    Mark(const Mark&) = delete;
    Mark& operator=(const Mark&) = delete;

private:
    SectionProfile* m_profile;
    const char* m_name;
    std::unique_ptr<gpu::EventTimer> m_timer;
};

} // namespace

void HunyuanDit::concurrently(const std::function<void()>& side, const std::function<void()>& main) const
{
    if (SectionProfile::get(m_spec.device)) {
        // Profiling times each part on the current stream.
        side();
        main();
        return;
    }
    gpu::forkJoin(m_spec.device, side, main);
}

HunyuanDit::HunyuanDit(const DitConfig& config, const WeightStore& w, const ComputeSpec& spec)
    : m_config(config)
    , m_spec(spec)
{
    m_latentIn = w.linear("model.latent_in");
    m_timeIn = { w.linear("model.time_in.in_layer"), w.linear("model.time_in.out_layer") };
    m_condIn = w.linear("model.cond_in");
    if (config.guidanceEmbed)
        m_guidanceIn = { w.linear("model.guidance_in.in_layer"), w.linear("model.guidance_in.out_layer") };
    for (int i = 0; i < config.depth; ++i) {
        const std::string p = "model.double_blocks." + std::to_string(i);
        DoubleBlock b;
        for (auto [stream, name] : { std::pair<Stream*, const char*> { &b.img, "img" }, { &b.txt, "txt" } }) {
            const std::string s = p + "." + name;
            stream->mod = w.linear(s + "_mod.lin");
            stream->qkv = w.linear(s + "_attn.qkv", config.qkvBias);
            stream->queryScale = w.get(s + "_attn.norm.query_norm.scale");
            stream->keyScale = w.get(s + "_attn.norm.key_norm.scale");
            stream->proj = w.linear(s + "_attn.proj");
            stream->mlpIn = w.linear(s + "_mlp.0");
            stream->mlpOut = w.linear(s + "_mlp.2");
        }
        m_double.push_back(std::move(b));
    }
    for (int i = 0; i < config.depthSingleBlocks; ++i) {
        const std::string p = "model.single_blocks." + std::to_string(i);
        SingleBlock b;
        b.linear1 = w.linear(p + ".linear1");
        b.linear2 = w.linear(p + ".linear2");
        b.mod = w.linear(p + ".modulation.lin");
        b.queryScale = w.get(p + ".norm.query_norm.scale");
        b.keyScale = w.get(p + ".norm.key_norm.scale");
        const std::int64_t h = config.hiddenSize;
        const std::int64_t mlp = b.linear1.weight.size(0) - 3 * h;
        const auto rows = [](const at::Tensor& t, std::int64_t start, std::int64_t count) {
            return t.defined() ? t.narrow(0, start, count) : at::Tensor();
        };
        b.qkvPart = { rows(b.linear1.weight, 0, 3 * h), rows(b.linear1.bias, 0, 3 * h) };
        b.mlpPart = { rows(b.linear1.weight, 3 * h, mlp), rows(b.linear1.bias, 3 * h, mlp) };
        b.outAttn = { b.linear2.weight.narrow(1, 0, h), b.linear2.bias };
        b.outMlpWeight = b.linear2.weight.narrow(1, h, mlp);
        m_single.push_back(std::move(b));
    }
    m_finalLinear = w.linear("model.final_layer.linear");
    m_finalModulation = w.linear("model.final_layer.adaLN_modulation.1");
    const std::int64_t headDim = config.hiddenSize / std::max(1, config.numHeads);
    m_fused = fused::enabled(spec) && headDim <= 256 && config.hiddenSize <= 16384;
    if (m_fused) {
        // The kernels read the RMSNorm scales in the compute dtype.
        auto toCompute = [&](at::Tensor& t) { t = t.to(spec.dtype).contiguous(); };
        for (DoubleBlock& b : m_double)
            for (Stream* s : { &b.img, &b.txt }) {
                toCompute(s->queryScale);
                toCompute(s->keyScale);
            }
        for (SingleBlock& b : m_single) {
            toCompute(b.queryScale);
            toCompute(b.keyScale);
        }
    }
}

at::Tensor HunyuanDit::timestepEmbedding(const at::Tensor& t) const
{
    // Sinusoidal embedding of t (float32), cos half first, then sin, returned in the compute dtype.
    // The reference passes time_factor positionally into the max_period slot, so the period is time_factor (1000)
    // and t is scaled by the function's own default factor, 1000, not by time_factor.
    // Deliberate deviation: the reference scales t in the compute dtype, which in bfloat16 turns the guidance
    // embedding's 5.0 * 1000 into 4992; here t * 1000 is always float32 (identical in float32 runs).
    // The frequencies are rounded from float64 (the correctly rounded float32 values, the same on every device):
    // at the guidance embedding's t = 5000 a last-bit difference in them shows in the output at 1e-5.
    const std::int64_t half = kTimeEmbedDim / 2;
    const auto f32 = at::TensorOptions().dtype(at::kFloat).device(t.device());
    const at::Tensor exponents = at::arange(0, half, f32) * (-std::log(m_config.timeFactor)) / half;
    const at::Tensor freqs = at::exp(exponents.to(at::kDouble)).to(at::kFloat);
    const at::Tensor args = (t.to(at::kFloat) * kTimeScale).unsqueeze(1) * freqs.unsqueeze(0);
    return at::cat({ at::cos(args), at::sin(args) }, -1).to(m_spec.dtype);
}

std::vector<at::Tensor> HunyuanDit::splitQkv(
    const at::Tensor& qkv, const at::Tensor& qScale, const at::Tensor& kScale) const
{
    // "B L (K H D) -> K B H L D"
    const std::int64_t heads = m_config.numHeads;
    const at::Tensor parts
        = qkv.view({ qkv.size(0), qkv.size(1), 3, heads, qkv.size(2) / (3 * heads) }).permute({ 2, 0, 3, 1, 4 });
    const at::Tensor v = parts[2];
    return { rmsNorm(parts[0], qScale).to(v.scalar_type()), rmsNorm(parts[1], kScale).to(v.scalar_type()), v };
}

void HunyuanDit::doubleBlock(const DoubleBlock& b, at::Tensor& img, at::Tensor& txt, const at::Tensor& vec) const
{
    // Modulation chunks: shift, scale, gate (attention), shift, scale, gate (MLP).
    const auto imgMod = b.img.mod(at::silu(vec)).unsqueeze(1).chunk(6, -1);
    const auto txtMod = b.txt.mod(at::silu(vec)).unsqueeze(1).chunk(6, -1);

    const auto iq
        = splitQkv(b.img.qkv(modulate(plainNorm(img), imgMod[0], imgMod[1])), b.img.queryScale, b.img.keyScale);
    const auto tq
        = splitQkv(b.txt.qkv(modulate(plainNorm(txt), txtMod[0], txtMod[1])), b.txt.queryScale, b.txt.keyScale);
    // One joint attention over [condition, latent].
    const at::Tensor attn = mergeHeads(
        attention(at::cat({ tq[0], iq[0] }, 2), at::cat({ tq[1], iq[1] }, 2), at::cat({ tq[2], iq[2] }, 2)));
    const std::int64_t m = txt.size(1);
    const at::Tensor txtAttn = attn.narrow(1, 0, m);
    const at::Tensor imgAttn = attn.narrow(1, m, attn.size(1) - m);

    img = img + imgMod[2] * b.img.proj(imgAttn);
    img = img + imgMod[5] * b.img.mlpOut(at::gelu(b.img.mlpIn(modulate(plainNorm(img), imgMod[3], imgMod[4])), "tanh"));
    txt = txt + txtMod[2] * b.txt.proj(txtAttn);
    txt = txt + txtMod[5] * b.txt.mlpOut(at::gelu(b.txt.mlpIn(modulate(plainNorm(txt), txtMod[3], txtMod[4])), "tanh"));
}

at::Tensor HunyuanDit::singleBlock(const SingleBlock& b, const at::Tensor& x, const at::Tensor& vec) const
{
    const auto mod = b.mod(at::silu(vec)).unsqueeze(1).chunk(3, -1); // shift, scale, gate
    const std::int64_t h = m_config.hiddenSize;
    const at::Tensor fused = b.linear1(modulate(plainNorm(x), mod[0], mod[1]));
    const at::Tensor qkv = fused.narrow(-1, 0, 3 * h);
    const at::Tensor mlp = fused.narrow(-1, 3 * h, fused.size(-1) - 3 * h);
    const auto q = splitQkv(qkv, b.queryScale, b.keyScale);
    const at::Tensor attn = mergeHeads(attention(q[0], q[1], q[2]));
    return x + mod[2] * b.linear2(at::cat({ attn, at::gelu(mlp, "tanh") }, 2));
}

void HunyuanDit::afterAttention(const Stream& stream, at::Tensor& x, const at::Tensor& mod, const at::Tensor& attn) const
{
    SectionProfile* prof = SectionProfile::get(m_spec.device);
    at::Tensor projected, mlpIn, hidden, mlpOut;
    {
        const Mark mark(prof, "gemm_proj");
        projected = stream.proj(attn).contiguous();
    }
    {
        const Mark mark(prof, "residual_norm_modulate");
        mlpIn = fused::adaNorm(x, mod, 3, 4, projected, 2);
    }
    {
        const Mark mark(prof, "gemm_mlp_in_gelu");
        hidden = fused::geluLinear(stream.mlpIn, mlpIn);
    }
    {
        const Mark mark(prof, "gemm_mlp_out");
        mlpOut = stream.mlpOut(hidden).contiguous();
    }
    const Mark mark(prof, "gated_residual");
    fused::gatedResidual(x, mlpOut, mod, 5);
}

void HunyuanDit::doubleBlockFused(
    const DoubleBlock& b, at::Tensor& img, at::Tensor& txt, const at::Tensor& svec) const
{
    SectionProfile* prof = SectionProfile::get(m_spec.device);
    // Modulation chunks: shift, scale, gate (attention), shift, scale, gate (MLP).
    at::Tensor imgMod, txtMod;
    {
        const Mark mark(prof, "modulation_gemv");
        imgMod = b.img.mod(svec).contiguous();
        txtMod = b.txt.mod(svec).contiguous();
    }
    const std::int64_t batch = img.size(0), n = img.size(1), m = txt.size(1);
    const std::int64_t heads = m_config.numHeads, headDim = img.size(2) / heads;
    // q, k, v of the joint sequence [condition, latent], written in place by the two streams.
    at::Tensor q = at::empty({ batch, m + n, heads, headDim }, img.options());
    at::Tensor k = at::empty_like(q);
    at::Tensor v = at::empty_like(q);
    for (auto [stream, x, mod, offset] : { std::tuple<const Stream*, at::Tensor*, const at::Tensor*, std::int64_t> {
                                               &b.txt, &txt, &txtMod, 0 },
             { &b.img, &img, &imgMod, m } }) {
        at::Tensor normed, qkv;
        {
            const Mark mark(prof, "norm_modulate");
            normed = fused::adaNorm(*x, *mod, 0, 1);
        }
        {
            const Mark mark(prof, "gemm_qkv");
            qkv = stream->qkv(normed);
        }
        const Mark mark(prof, "qk_norm_split");
        fused::qkNormSplit(qkv, stream->queryScale, stream->keyScale, q, k, v, offset);
    }
    at::Tensor attn;
    {
        const Mark mark(prof, "attention");
        attn = fused::attentionBLHD(q, k, v);
    }
    q = k = v = at::Tensor();

    // Each stream: x += gate * proj(attention); the MLP's input from the updated x; x += gate * MLP.
    afterAttention(b.img, img, imgMod, attn.narrow(1, m, n));
    afterAttention(b.txt, txt, txtMod, attn.narrow(1, 0, m));
}


struct HunyuanDit::GuidedBuffers {
    std::int64_t batch = 1, m = 0, n = 0; // samples, condition tokens, latent tokens
    at::Tensor qc, kc, vc; // conditional sequences [B, m + n, H, D]
    at::Tensor qu, ku, vu; // unconditional sequences [B, 1 + n, H, D]: the condition token, then the latents
};

std::pair<at::Tensor, at::Tensor> HunyuanDit::guidedAttention(
    GuidedBuffers& buf, const at::Tensor& vc, const at::Tensor& vu) const
{
    SectionProfile* prof = SectionProfile::get(m_spec.device);
    const Mark mark(prof, "attention");
    at::Tensor cond, uncond;
    // The two passes run concurrently: alone, each leaves the GPU's last wave of attention tiles partly empty
    // (4442 and 3073 query rows in tiles of 128, 16 heads, 132 SMs on an H100).
    concurrently(
        [&] {
            // The unconditional condition token stands for m identical tokens: as a key it counts m times.
            uncond = fused::attentionWithRepeatedKey(buf.qu, buf.ku.narrow(1, 1, buf.n), vu.narrow(1, 1, buf.n),
                buf.ku.select(1, 0), vu.select(1, 0), double(buf.m)); // [B, 1 + n, h]
        },
        [&] { cond = fused::attentionBLHD(buf.qc, buf.kc, vc); }); // [B, m + n, h]
    return { cond, uncond };
}

void HunyuanDit::doubleBlockGuided(const DoubleBlock& b, at::Tensor& img, at::Tensor& txt, const at::Tensor& imgMod,
    const at::Tensor& txtMod, GuidedBuffers& buf) const
{
    // img [1, 2Bn, h]: the B samples' conditional latent tokens, then their unconditional ones; txt [1, Bm + B, h]:
    // the B samples' m condition tokens, then their unconditional tokens (one each). One row of tokens for all:
    // the token-wise work does not care which sequence a token belongs to.
    SectionProfile* prof = SectionProfile::get(m_spec.device);
    const std::int64_t batch = buf.batch, m = buf.m, n = buf.n;
    // One stream's q, k, v: its first `batch * perSample` tokens go to the conditional sequences at token
    // `condOffset`, the rest (as many per sample) to the unconditional ones at `uncondOffset`.
    const auto project = [&](const Stream& stream, at::Tensor& x, const at::Tensor& mod, std::int64_t perSample,
                             std::int64_t condOffset, std::int64_t uncondOffset) {
        at::Tensor qkv;
        {
            const Mark mark(prof, "norm_modulate");
            qkv = fused::adaNorm(x, mod, 0, 1);
        }
        {
            const Mark mark(prof, "gemm_qkv");
            qkv = stream.qkv(qkv);
        }
        const Mark mark(prof, "qk_norm_split");
        const std::int64_t condRows = batch * perSample, width = qkv.size(2);
        fused::qkNormSplit(qkv.narrow(1, 0, condRows).view({ batch, perSample, width }), stream.queryScale,
            stream.keyScale, buf.qc, buf.kc, buf.vc, condOffset);
        fused::qkNormSplit(qkv.narrow(1, condRows, qkv.size(1) - condRows).view({ batch, -1, width }),
            stream.queryScale, stream.keyScale, buf.qu, buf.ku, buf.vu, uncondOffset);
    };
    // The condition stream (Bm + B tokens) runs on a second stream beside the latent stream (2Bn tokens): its
    // products alone fill a fraction of the GPU (11 row tiles for one sample).
    concurrently([&] { project(b.txt, txt, txtMod, m, 0, 0); }, [&] { project(b.img, img, imgMod, n, m, 1); });
    // [B, cond txt m + cond img n, h], [B, uncond txt 1 + uncond img n, h]
    const auto [cond, uncond] = guidedAttention(buf, buf.vc, buf.vu);
    at::Tensor imgAttn, txtAttn;
    {
        const Mark mark(prof, "gather");
        const std::int64_t h = cond.size(2);
        imgAttn = at::cat(
            { cond.narrow(1, m, n).reshape({ 1, batch * n, h }), uncond.narrow(1, 1, n).reshape({ 1, batch * n, h }) },
            1);
        txtAttn = at::cat(
            { cond.narrow(1, 0, m).reshape({ 1, batch * m, h }), uncond.narrow(1, 0, 1).reshape({ 1, batch, h }) }, 1);
    }
    // txtAttn (made on this stream, read on the other) lives until after the join.
    concurrently([&] { afterAttention(b.txt, txt, txtMod, txtAttn); },
        [&] { afterAttention(b.img, img, imgMod, imgAttn); });
}

void HunyuanDit::singleBlockFused(const SingleBlock& b, at::Tensor& x, const at::Tensor& mod, GuidedBuffers* guided) const
{
    // x [B, L, h]; for the guided pass [1, B(m + n) + B(1 + n), h]: the B conditional sequences, then the B
    // unconditional ones. mod [B, 3h] (guided: [1, 3h]): shift, scale, gate.
    SectionProfile* prof = SectionProfile::get(m_spec.device);
    const std::int64_t batch = x.size(0), len = x.size(1), h = x.size(2);
    const std::int64_t heads = m_config.numHeads;
    // The guided pass: samples, tokens of a conditional and of an unconditional sequence.
    const std::int64_t gb = guided ? guided->batch : 0;
    const std::int64_t condLen = guided ? guided->m + guided->n : 0, uncondLen = guided ? 1 + guided->n : 0;
    at::Tensor normed, qkv, mlp, attn, out, q, k, v, vc, vu;
    {
        const Mark mark(prof, "norm_modulate");
        normed = fused::adaNorm(x, mod, 0, 1);
    }
    {
        const Mark mark(prof, "gemm_qkv");
        qkv = b.qkvPart(normed);
    }
    // v is read in place from qkv ([B, L, 3, H, D]: rows 3h apart), which the attention kernels take as it is:
    // only q and k are written out, normalised.
    v = qkv.narrow(2, 2 * h, h);
    if (guided) {
        vc = v.narrow(1, 0, gb * condLen).view({ gb, condLen, heads, h / heads });
        vu = v.narrow(1, gb * condLen, gb * uncondLen).view({ gb, uncondLen, heads, h / heads });
        v = at::Tensor();
    } else {
        v = v.view({ batch, len, heads, h / heads });
    }
    {
        const Mark mark(prof, "qk_norm_split");
        at::Tensor none;
        if (guided) {
            const std::int64_t width = qkv.size(2);
            fused::qkNormSplit(qkv.narrow(1, 0, gb * condLen).view({ gb, condLen, width }), b.queryScale, b.keyScale,
                guided->qc, guided->kc, none, 0);
            fused::qkNormSplit(qkv.narrow(1, gb * condLen, gb * uncondLen).view({ gb, uncondLen, width }), b.queryScale,
                b.keyScale, guided->qu, guided->ku, none, 0);
        } else {
            q = at::empty({ batch, len, heads, h / heads }, x.options());
            k = at::empty_like(q);
            fused::qkNormSplit(qkv, b.queryScale, b.keyScale, q, k, none, /*offset=*/0);
        }
    }
    qkv = at::Tensor();
    {
        const Mark mark(prof, "gemm_mlp_in_gelu");
        mlp = fused::geluLinear(b.mlpPart, normed);
    }
    normed = at::Tensor();
    if (guided) {
        const auto parts = guidedAttention(*guided, vc, vu);
        attn = at::cat(
            { parts.first.reshape({ 1, gb * condLen, h }), parts.second.reshape({ 1, gb * uncondLen, h }) }, 1);
    } else {
        const Mark mark(prof, "attention");
        attn = fused::attentionBLHD(q, k, v);
    }
    q = k = v = vc = vu = at::Tensor();
    {
        // linear2(cat(attention, MLP)) as two products into one output: no concatenated copy.
        const Mark mark(prof, "gemm_out");
        out = b.outAttn(attn).contiguous();
        out.view({ -1, h }).addmm_(mlp.reshape({ -1, mlp.size(-1) }), b.outMlpWeight.t());
    }
    const Mark mark(prof, "gated_residual");
    fused::gatedResidual(x, out, mod, 2);
}

std::int64_t HunyuanDit::modulationWidth() const
{
    const std::int64_t h = m_config.hiddenSize;
    return std::int64_t(m_double.size()) * 12 * h + std::int64_t(m_single.size()) * 3 * h + 2 * h;
}

at::Tensor HunyuanDit::modulationTable(const at::Tensor& t) const
{
    if (m_config.guidanceEmbed)
        throw InternalError("modulationTable: not for a guidance-distilled denoiser", Stage::ShapeGeneration);
    const at::Tensor vec = m_timeIn.out(at::silu(m_timeIn.in(timestepEmbedding(t.to(m_spec.device)))));
    const at::Tensor svec = at::silu(vec); // [S, h]
    std::vector<at::Tensor> parts;
    parts.reserve(2 * m_double.size() + m_single.size() + 1);
    for (const DoubleBlock& b : m_double) {
        parts.push_back(b.img.mod(svec));
        parts.push_back(b.txt.mod(svec));
    }
    for (const SingleBlock& b : m_single)
        parts.push_back(b.mod(svec));
    parts.push_back(m_finalModulation(svec));
    return at::cat(parts, 1);
}

at::Tensor HunyuanDit::forwardGuided(
    const at::Tensor& x, const at::Tensor& t, const at::Tensor& cond, const at::Tensor& modulation) const
{
    const std::int64_t batch = x.size(0);
    if (m_config.guidanceEmbed || x.dim() != 3 || cond.dim() != 3 || cond.size(0) != batch || batch < 1)
        throw InternalError("forwardGuided: samples of a model with classifier-free guidance, one condition each",
            Stage::ShapeGeneration);
    const auto opts = at::TensorOptions().dtype(m_spec.dtype).device(m_spec.device);
    const std::int64_t h = m_config.hiddenSize;
    // All samples are at the same timestep: one row of modulation for all.
    const at::Tensor mods = modulation.defined() ? modulation.to(opts).reshape({ 1, -1 })
                                                 : modulationTable(t.reshape({ -1 }).narrow(0, 0, 1));
    if (mods.size(1) != modulationWidth())
        throw InternalError("forwardGuided: modulation of the wrong width", Stage::ShapeGeneration);
    std::int64_t modOffset = 0;
    const auto nextMod = [&](std::int64_t width) {
        const at::Tensor m = mods.narrow(1, modOffset, width);
        modOffset += width;
        return m;
    };
    GuidedBuffers buf;
    buf.batch = batch;
    buf.m = cond.size(1);
    buf.n = x.size(1);
    const std::int64_t m = buf.m, n = buf.n;
    // The token rows (see doubleBlockGuided): img [1, 2Bn, h], txt [1, Bm + B, h].
    const at::Tensor latent = m_latentIn(x.to(opts)).reshape({ 1, batch * n, h });
    at::Tensor img = at::cat({ latent, latent }, 1).contiguous();
    const at::Tensor condTokens = m_condIn(cond.to(opts)).reshape({ 1, batch * m, h });
    const at::Tensor uncondToken = m_condIn(at::zeros({ 1, 1, cond.size(2) }, opts));
    at::Tensor txt = at::cat({ condTokens, uncondToken.expand({ 1, batch, h }) }, 1).contiguous();

    const std::int64_t heads = m_config.numHeads, headDim = m_config.hiddenSize / heads;
    buf.qc = at::empty({ batch, m + n, heads, headDim }, opts);
    buf.kc = at::empty_like(buf.qc);
    buf.vc = at::empty_like(buf.qc);
    buf.qu = at::empty({ batch, 1 + n, heads, headDim }, opts);
    buf.ku = at::empty_like(buf.qu);
    buf.vu = at::empty_like(buf.qu);

    for (const DoubleBlock& b : m_double) {
        const at::Tensor imgMod = nextMod(6 * h);
        const at::Tensor txtMod = nextMod(6 * h);
        doubleBlockGuided(b, img, txt, imgMod, txtMod, buf);
    }
    // The single blocks' rows: the B conditional sequences [m condition tokens, n latents], then the B
    // unconditional ones [1 condition token, n latents]; each part copied once, into its place.
    at::Tensor joint = at::empty({ 1, batch * (m + n + 1 + n), h }, img.options());
    // The row's two parts as [B, m + n, h] and [B, 1 + n, h].
    const auto sequences = [&](const at::Tensor& row) {
        return std::make_pair(row.narrow(1, 0, batch * (m + n)).view({ batch, m + n, h }),
            row.narrow(1, batch * (m + n), batch * (1 + n)).view({ batch, 1 + n, h }));
    };
    const auto [condSeqs, uncondSeqs] = sequences(joint);
    condSeqs.narrow(1, 0, m).copy_(txt.narrow(1, 0, batch * m).view({ batch, m, h }));
    condSeqs.narrow(1, m, n).copy_(img.narrow(1, 0, batch * n).view({ batch, n, h }));
    uncondSeqs.narrow(1, 0, 1).copy_(txt.narrow(1, batch * m, batch).view({ batch, 1, h }));
    uncondSeqs.narrow(1, 1, n).copy_(img.narrow(1, batch * n, batch * n).view({ batch, n, h }));
    img = txt = at::Tensor();
    for (const SingleBlock& b : m_single)
        singleBlockFused(b, joint, nextMod(3 * h), &buf);
    if (SectionProfile* prof = SectionProfile::get(m_spec.device))
        prof->flush();
    const auto [condOut, uncondOut] = sequences(joint);
    const at::Tensor both = at::cat({ condOut.narrow(1, m, n), uncondOut.narrow(1, 1, n) }, 0); // [2B, n, h]
    const auto final = nextMod(2 * h).chunk(2, 1); // shift, scale
    return m_finalLinear(modulate(plainNorm(both), final[0].unsqueeze(1), final[1].unsqueeze(1)));
}

at::Tensor HunyuanDit::forward(
    const at::Tensor& x, const at::Tensor& t, const at::Tensor& cond, const at::Tensor& guidance) const
{
    const auto opts = at::TensorOptions().dtype(m_spec.dtype).device(m_spec.device);
    at::Tensor latent = m_latentIn(x.to(opts));
    at::Tensor vec = m_timeIn.out(at::silu(m_timeIn.in(timestepEmbedding(t.to(m_spec.device)))));
    if (m_config.guidanceEmbed) {
        if (!guidance.defined())
            throw InternalError("a guidance-distilled denoiser needs a guidance value", Stage::ShapeGeneration);
        vec = vec + m_guidanceIn.out(at::silu(m_guidanceIn.in(timestepEmbedding(guidance.to(m_spec.device)))));
    }
    at::Tensor txt = m_condIn(cond.to(opts));
    const std::int64_t m = txt.size(1);
    at::Tensor joint;
    if (m_fused) {
        latent = latent.contiguous();
        txt = txt.contiguous();
        const at::Tensor svec = at::silu(vec);
        for (const DoubleBlock& b : m_double)
            doubleBlockFused(b, latent, txt, svec);
        joint = at::cat({ txt, latent }, 1);
        txt = latent = at::Tensor();
        for (const SingleBlock& b : m_single)
            singleBlockFused(b, joint, b.mod(svec).contiguous());
        if (SectionProfile* prof = SectionProfile::get(m_spec.device))
            prof->flush();
    } else {
        for (const DoubleBlock& b : m_double)
            doubleBlock(b, latent, txt, vec);
        joint = at::cat({ txt, latent }, 1);
        for (const SingleBlock& b : m_single)
            joint = singleBlock(b, joint, vec);
    }
    latent = joint.narrow(1, m, joint.size(1) - m);

    const auto final = m_finalModulation(at::silu(vec)).chunk(2, 1); // shift, scale
    return m_finalLinear(modulate(plainNorm(latent), final[0].unsqueeze(1), final[1].unsqueeze(1)));
}

} // namespace orfeas::neural
