// The tensors a Hunyuan3D-2 configuration implies, and the check of a weights file against them.

#include "orfeas/errors.h"
#include "orfeas/model_config.h"
#include "orfeas/safetensors.h"

#include <filesystem>
#include <map>
#include <sstream>

namespace orfeas {

namespace {

using Shape = std::vector<std::int64_t>;

class ManifestBuilder {
public:
    explicit ManifestBuilder(std::vector<ParameterSpec>& out)
        : m_out(out)
    {
    }

    void tensor(const std::string& name, Shape shape, bool optional = false)
    {
        m_out.push_back({ name, std::move(shape), optional || m_optional });
    }
    // nn.Linear(in, out, bias): weight [out, in], bias [out].
    void linear(const std::string& prefix, std::int64_t in, std::int64_t out, bool bias = true)
    {
        tensor(prefix + ".weight", { out, in });
        if (bias)
            tensor(prefix + ".bias", { out });
    }
    // nn.LayerNorm(dim) with affine parameters.
    void layerNorm(const std::string& prefix, std::int64_t dim)
    {
        tensor(prefix + ".weight", { dim });
        tensor(prefix + ".bias", { dim });
    }
    // Everything added while the guard lives is optional.
    struct OptionalScope {
        explicit OptionalScope(ManifestBuilder& b)
            : m_b(b)
            , m_was(b.m_optional)
        {
            b.m_optional = true;
        }
        ~OptionalScope() { m_b.m_optional = m_was; }
        ManifestBuilder& m_b;
        bool m_was;
    };

private:
    std::vector<ParameterSpec>& m_out;
    bool m_optional = false;
};

void addDit(ManifestBuilder& b, const DitConfig& c)
{
    const std::int64_t h = c.hiddenSize;
    const std::int64_t hd = c.headDim();
    const std::int64_t mlp = c.mlpHiddenDim();
    b.linear("model.latent_in", c.inChannels, h);
    b.linear("model.time_in.in_layer", 256, h);
    b.linear("model.time_in.out_layer", h, h);
    b.linear("model.cond_in", c.contextInDim, h);
    if (c.guidanceEmbed) {
        b.linear("model.guidance_in.in_layer", 256, h);
        b.linear("model.guidance_in.out_layer", h, h);
    }
    for (int i = 0; i < c.depth; ++i) {
        const std::string p = "model.double_blocks." + std::to_string(i);
        for (const char* stream : { "img", "txt" }) {
            const std::string s = p + "." + stream;
            b.linear(s + "_mod.lin", h, 6 * h);
            b.linear(s + "_attn.qkv", h, 3 * h, c.qkvBias);
            b.tensor(s + "_attn.norm.query_norm.scale", { hd });
            b.tensor(s + "_attn.norm.key_norm.scale", { hd });
            b.linear(s + "_attn.proj", h, h);
            b.linear(s + "_mlp.0", h, mlp);
            b.linear(s + "_mlp.2", mlp, h);
        }
    }
    for (int i = 0; i < c.depthSingleBlocks; ++i) {
        const std::string p = "model.single_blocks." + std::to_string(i);
        b.linear(p + ".linear1", h, 3 * h + mlp);
        b.linear(p + ".linear2", h + mlp, h);
        b.tensor(p + ".norm.query_norm.scale", { hd });
        b.tensor(p + ".norm.key_norm.scale", { hd });
        b.linear(p + ".modulation.lin", h, 3 * h);
    }
    b.linear("model.final_layer.linear", h, c.inChannels);
    b.linear("model.final_layer.adaLN_modulation.1", h, 2 * h);
}

// MultiheadAttention / QKVMultiheadAttention of the ShapeVAE (self-attention, per-head qkv split).
void addVaeResblock(
    ManifestBuilder& b, const std::string& p, std::int64_t w, std::int64_t heads, bool qkvBias, bool qkNorm)
{
    b.linear(p + ".attn.c_qkv", w, 3 * w, qkvBias);
    b.linear(p + ".attn.c_proj", w, w);
    if (qkNorm) {
        b.layerNorm(p + ".attn.attention.q_norm", w / heads);
        b.layerNorm(p + ".attn.attention.k_norm", w / heads);
    }
    b.layerNorm(p + ".ln_1", w);
    b.linear(p + ".mlp.c_fc", w, 4 * w);
    b.linear(p + ".mlp.c_proj", 4 * w, w);
    b.layerNorm(p + ".ln_2", w);
}

// ResidualCrossAttentionBlock (data width = query width).
void addCrossBlock(ManifestBuilder& b, const std::string& p, std::int64_t w, std::int64_t heads, std::int64_t expand,
    bool qkvBias, bool qkNorm)
{
    b.linear(p + ".attn.c_q", w, w, qkvBias);
    b.linear(p + ".attn.c_kv", w, 2 * w, qkvBias);
    b.linear(p + ".attn.c_proj", w, w);
    if (qkNorm) {
        b.layerNorm(p + ".attn.attention.q_norm", w / heads);
        b.layerNorm(p + ".attn.attention.k_norm", w / heads);
    }
    b.layerNorm(p + ".ln_1", w);
    b.layerNorm(p + ".ln_2", w);
    b.layerNorm(p + ".ln_3", w);
    b.linear(p + ".mlp.c_fc", w, expand * w);
    b.linear(p + ".mlp.c_proj", expand * w, w);
}

void addVae(ManifestBuilder& b, const ShapeVaeConfig& c)
{
    const std::int64_t w = c.width;
    {
        const ManifestBuilder::OptionalScope optional(b);
        b.linear("vae.encoder.input_proj", c.fourierDim() + c.pointFeats, w);
        addCrossBlock(b, "vae.encoder.cross_attn", w, c.heads, 4, c.qkvBias, c.qkNorm);
        for (int i = 0; i < c.numEncoderLayers; ++i)
            addVaeResblock(b, "vae.encoder.self_attn.resblocks." + std::to_string(i), w, c.heads, c.qkvBias, c.qkNorm);
        if (c.useLnPost)
            b.layerNorm("vae.encoder.ln_post", w);
        b.linear("vae.pre_kl", w, 2 * std::int64_t(c.embedDim));
    }
    b.linear("vae.post_kl", c.embedDim, w);
    for (int i = 0; i < c.numDecoderLayers; ++i)
        addVaeResblock(b, "vae.transformer.resblocks." + std::to_string(i), w, c.heads, c.qkvBias, c.qkNorm);
    const std::int64_t gw = c.geoWidth();
    b.linear("vae.geo_decoder.query_proj", c.fourierDim(), gw);
    if (c.geoDecoderDownsampleRatio != 1)
        b.linear("vae.geo_decoder.latents_proj", w, gw);
    addCrossBlock(b, "vae.geo_decoder.cross_attn_decoder", gw, c.geoHeads(), c.geoDecoderMlpExpandRatio, c.qkvBias,
        c.geoQkNorm());
    if (c.geoDecoderLnPost)
        b.layerNorm("vae.geo_decoder.ln_post", gw);
    b.linear("vae.geo_decoder.output_proj", gw, 1);
}

void addConditioner(ManifestBuilder& b, const ConditionerConfig& c)
{
    const Dinov2Config& d = c.dino;
    const std::int64_t h = d.hiddenSize;
    const std::string m = "conditioner.main_image_encoder.model";
    const std::int64_t grid = d.storedGrid();
    b.tensor(m + ".embeddings.cls_token", { 1, 1, h });
    b.tensor(m + ".embeddings.mask_token", { 1, h }, true);
    b.tensor(m + ".embeddings.position_embeddings", { 1, grid * grid + 1, h });
    b.tensor(m + ".embeddings.patch_embeddings.projection.weight", { h, d.numChannels, d.patchSize, d.patchSize });
    b.tensor(m + ".embeddings.patch_embeddings.projection.bias", { h });
    const std::int64_t ffn = d.ffnHiddenDim();
    for (int i = 0; i < d.numHiddenLayers; ++i) {
        const std::string p = m + ".encoder.layer." + std::to_string(i);
        b.layerNorm(p + ".norm1", h);
        b.linear(p + ".attention.attention.query", h, h, d.qkvBias);
        b.linear(p + ".attention.attention.key", h, h, d.qkvBias);
        b.linear(p + ".attention.attention.value", h, h, d.qkvBias);
        b.linear(p + ".attention.output.dense", h, h);
        b.tensor(p + ".layer_scale1.lambda1", { h });
        b.layerNorm(p + ".norm2", h);
        if (d.useSwigluFfn) {
            b.linear(p + ".mlp.weights_in", h, 2 * ffn);
            b.linear(p + ".mlp.weights_out", ffn, h);
        } else {
            b.linear(p + ".mlp.fc1", h, ffn);
            b.linear(p + ".mlp.fc2", ffn, h);
        }
        b.tensor(p + ".layer_scale2.lambda1", { h });
    }
    b.layerNorm(m + ".layernorm", h);
}

std::string shapeText(const Shape& s)
{
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

bool startsWith(const std::string& s, const char* prefix)
{
    return s.rfind(prefix, 0) == 0;
}

void appendList(std::ostringstream& os, const char* what, const std::vector<std::string>& items)
{
    if (items.empty())
        return;
    constexpr std::size_t kShown = 5;
    if (os.tellp() > 0)
        os << "; ";
    os << items.size() << ' ' << what << ": ";
    for (std::size_t i = 0; i < items.size() && i < kShown; ++i)
        os << (i ? ", " : "") << items[i];
    if (items.size() > kShown)
        os << ", ... (" << items.size() - kShown << " more)";
}

} // namespace

std::vector<ParameterSpec> hunyuanParameterManifest(const HunyuanModelConfig& config)
{
    std::vector<ParameterSpec> out;
    ManifestBuilder b(out);
    addDit(b, config.dit);
    addVae(b, config.vae);
    addConditioner(b, config.conditioner);
    return out;
}

std::string WeightsCheck::errorSummary() const
{
    std::ostringstream os;
    appendList(os, "missing tensor(s)", missing);
    appendList(os, "tensor(s) with the wrong shape", wrongShape);
    appendList(os, "tensor(s) with a non-float dtype", wrongDtype);
    appendList(os, "unexpected tensor(s) (config.yaml and weights disagree)", unexpected);
    return os.str();
}

WeightsCheck checkWeights(const SafetensorsFile& file, const std::vector<ParameterSpec>& manifest)
{
    WeightsCheck r;
    std::map<std::string, const ParameterSpec*> byName;
    for (const auto& p : manifest)
        byName[p.name] = &p;
    for (const auto& p : manifest) {
        const TensorInfo* t = file.find(p.name);
        if (!t) {
            (p.optional ? r.absentOptional : r.missing).push_back(p.name);
            continue;
        }
        if (t->shape != p.shape)
            r.wrongShape.push_back(
                p.name + ": has " + shapeText(t->shape) + ", the configuration needs " + shapeText(p.shape));
        switch (t->dtype) {
        case TensorDType::F32:
        case TensorDType::F16:
        case TensorDType::BF16:
        case TensorDType::F64:
            break;
        default:
            r.wrongDtype.push_back(p.name + ": " + dtypeName(t->dtype) + " (a floating-point type is needed)");
        }
    }
    for (const auto& t : file.tensors()) {
        if (byName.count(t.name))
            continue;
        if (startsWith(t.name, "model.") || startsWith(t.name, "conditioner."))
            r.unexpected.push_back(t.name);
        else
            r.ignored.push_back(t.name);
    }
    return r;
}

std::string locateWeightsFile(const std::string& folder, WeightsPreference preference, std::string* note)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw ModelError("the model folder does not exist or is not a folder", folder);
    const fs::path dir(folder);
    const std::string fp16 = (dir / "model.fp16.safetensors").string();
    const std::string fp32 = (dir / "model.safetensors").string();
    const bool hasFp16 = fs::is_regular_file(fp16, ec);
    const bool hasFp32 = fs::is_regular_file(fp32, ec);
    const bool preferFp32 = preference == WeightsPreference::Fp32;
    if (preferFp32 ? hasFp32 : hasFp16)
        return preferFp32 ? fp32 : fp16;
    if (preferFp32 ? hasFp16 : hasFp32) {
        if (note && preference != WeightsPreference::Auto)
            *note = std::string(preferFp32 ? "model.safetensors" : "model.fp16.safetensors")
                + " is not in the model folder: using " + (preferFp32 ? "model.fp16.safetensors" : "model.safetensors");
        return preferFp32 ? fp16 : fp32;
    }
    for (const char* pickle : { "model.fp16.ckpt", "model.ckpt", "model.pt", "model.pth", "model.bin" }) {
        if (fs::is_regular_file(dir / pickle, ec))
            throw ModelError(std::string("the model folder has only a pickle checkpoint (") + pickle
                    + "), which is never read: unpickling can run arbitrary code. Convert it once to "
                      "safetensors with Python, e.g. `python -c \"import torch, safetensors.torch as st; "
                      "c = torch.load('"
                    + pickle
                    + "', weights_only=True); st.save_file({g + '.' + k: "
                      "v.contiguous() for g in c for k, v in c[g].items()}, 'model.fp16.safetensors')\"`, "
                      "or download model.fp16.safetensors from the model's repository",
                folder);
    }
    throw ModelError("the model folder has no weights file (model.fp16.safetensors or model.safetensors)", folder);
}

} // namespace orfeas
