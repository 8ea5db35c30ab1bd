#include "orfeas/model_config.h"

#include "orfeas/errors.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace orfeas {

namespace {

// A mapping node of the configuration, with the dotted path that names it in errors ("vae.params").
class Section {
public:
    Section(YAML::Node node, std::string path, const std::string& file)
        : m_node(std::move(node))
        , m_path(std::move(path))
        , m_file(file)
    {
    }

    const std::string& path() const { return m_path; }

    std::string fieldName(const std::string& key) const { return m_path.empty() ? key : m_path + "." + key; }

    [[noreturn]] void fail(const std::string& key, const std::string& what) const
    {
        throw ModelError("model configuration: field '" + fieldName(key) + "' " + what, m_file);
    }

    // A present, non-null value.
    bool has(const std::string& key) const
    {
        const YAML::Node v = m_node[key];
        return v.IsDefined() && !v.IsNull();
    }

    Section child(const std::string& key) const
    {
        const YAML::Node v = m_node[key];
        if (!v.IsDefined() || v.IsNull())
            fail(key, "is missing");
        if (!v.IsMap())
            fail(key, "must be a mapping");
        return Section(v, fieldName(key), m_file);
    }

    // A mapping child, or an empty one when absent (the reference's `config.get("params", {})`).
    Section optionalChild(const std::string& key) const
    {
        if (!has(key))
            return Section(YAML::Node(YAML::NodeType::Map), fieldName(key), m_file);
        return child(key);
    }

    int integer(const std::string& key, std::optional<int> fallback = std::nullopt) const
    {
        const auto text = scalar(key, fallback.has_value(), "an integer");
        if (!text)
            return *fallback;
        const auto v = parseInt(*text);
        if (!v)
            fail(key, "must be an integer (got '" + *text + "')");
        return *v;
    }

    double number(const std::string& key, std::optional<double> fallback = std::nullopt) const
    {
        const auto text = scalar(key, fallback.has_value(), "a number");
        if (!text)
            return *fallback;
        double v = 0;
        const char* b = text->data();
        const char* e = b + text->size();
        if (b != e && *b == '+')
            ++b;
        const auto r = std::from_chars(b, e, v);
        if (r.ec != std::errc() || r.ptr != e || !std::isfinite(v))
            fail(key, "must be a number (got '" + *text + "')");
        return v;
    }

    bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt) const
    {
        const auto text = scalar(key, fallback.has_value(), "true or false");
        if (!text)
            return *fallback;
        // YAML 1.1 booleans, as PyYAML (which the reference uses) reads them.
        static const char* const kTrue[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
        static const char* const kFalse[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
        for (const char* t : kTrue) {
            if (*text == t)
                return true;
        }
        for (const char* f : kFalse) {
            if (*text == f)
                return false;
        }
        fail(key, "must be true or false (got '" + *text + "')");
    }

    std::string string(const std::string& key, std::optional<std::string> fallback = std::nullopt) const
    {
        const YAML::Node v = m_node[key];
        if (!v.IsDefined() || v.IsNull()) {
            if (fallback)
                return *fallback;
            fail(key, "is missing");
        }
        if (!v.IsScalar())
            fail(key, "must be a string");
        return v.Scalar();
    }

    std::vector<int> integerList(const std::string& key, std::optional<std::vector<int>> fallback) const
    {
        const YAML::Node v = m_node[key];
        if (!v.IsDefined() || v.IsNull()) {
            if (fallback)
                return *fallback;
            fail(key, "is missing");
        }
        if (!v.IsSequence())
            fail(key, "must be a list of integers");
        std::vector<int> out;
        for (std::size_t i = 0; i < v.size(); ++i) {
            const YAML::Node item = v[i];
            const auto x = item.IsScalar() && item.Tag() != "!" ? parseInt(item.Scalar()) : std::nullopt;
            if (!x)
                fail(key, "must be a list of integers");
            out.push_back(*x);
        }
        return out;
    }

private:
    static std::optional<int> parseInt(const std::string& text)
    {
        long long v = 0;
        const char* b = text.data();
        const char* e = b + text.size();
        if (b != e && *b == '+')
            ++b;
        const auto r = std::from_chars(b, e, v);
        if (r.ec != std::errc() || r.ptr != e || v < std::numeric_limits<int>::min()
            || v > std::numeric_limits<int>::max())
            return std::nullopt;
        return int(v);
    }

    // The plain scalar text of a field; nullopt when absent and `optional`. A quoted scalar is a string in YAML,
    // never a number or a boolean.
    std::optional<std::string> scalar(const std::string& key, bool optional, const char* expected) const
    {
        const YAML::Node v = m_node[key];
        if (!v.IsDefined() || v.IsNull()) {
            if (optional)
                return std::nullopt;
            fail(key, "is missing");
        }
        if (!v.IsScalar() || v.Tag() == "!")
            fail(key, std::string("must be ") + expected);
        return v.Scalar();
    }

    YAML::Node m_node;
    std::string m_path;
    const std::string& m_file;
};

// "hy3dgen.shapegen.models.Hunyuan3DDiT" -> "Hunyuan3DDiT".
std::string className(const std::string& target)
{
    const auto dot = target.rfind('.');
    return dot == std::string::npos ? target : target.substr(dot + 1);
}

[[noreturn]] void unsupported(const Section& s, const std::string& key, const std::string& value,
    const std::string& supported, const std::string& file)
{
    throw ModelError("unsupported model architecture '" + value + "' (" + s.fieldName(key) + "); this version reads "
            + supported + " (Hunyuan3D-2, -2mini, -fast and -turbo single-view models)",
        file);
}

// Upper bounds far above every published model (widths up to 2048, 32 blocks, 518-pixel DINOv2 images), so that a
// corrupt or hostile config.yaml can neither make the loader list an absurd number of tensors (memory) nor overflow
// the int arithmetic of the derived sizes (hidden * mlp_ratio, grid * grid). Found by fuzzing (docs/reliability.md).
constexpr int kMaxWidth = 1 << 16;    // channels, widths, heads, latents, timesteps
constexpr int kMaxLayers = 1024;      // layer counts
constexpr int kMaxImageSide = 4096;   // image sizes of the conditioner and the image processor
constexpr double kMaxMlpRatio = 64.0;

void requirePositive(const Section& s, const std::string& key, int value, int max = kMaxWidth)
{
    if (value <= 0)
        s.fail(key, "must be positive (got " + std::to_string(value) + ")");
    if (value > max)
        s.fail(key, "must be at most " + std::to_string(max) + " (got " + std::to_string(value) + ")");
}

void requireNonNegative(const Section& s, const std::string& key, int value, int max = kMaxLayers)
{
    if (value < 0)
        s.fail(key, "must not be negative (got " + std::to_string(value) + ")");
    if (value > max)
        s.fail(key, "must be at most " + std::to_string(max) + " (got " + std::to_string(value) + ")");
}

void requireMlpRatio(const Section& s, double value)
{
    if (!(value > 0))
        s.fail("mlp_ratio", "must be positive");
    if (value > kMaxMlpRatio)
        s.fail("mlp_ratio", "must be at most " + std::to_string(int(kMaxMlpRatio)));
}

DitConfig parseDit(const Section& root, const std::string& file)
{
    const Section model = root.child("model");
    const std::string target = model.string("target");
    if (className(target) != "Hunyuan3DDiT")
        unsupported(model, "target", target, "hy3dgen.shapegen.models.Hunyuan3DDiT", file);
    const Section p = model.optionalChild("params");
    DitConfig c;
    c.inChannels = p.integer("in_channels", c.inChannels);
    c.contextInDim = p.integer("context_in_dim", c.contextInDim);
    c.hiddenSize = p.integer("hidden_size", c.hiddenSize);
    c.mlpRatio = p.number("mlp_ratio", c.mlpRatio);
    c.numHeads = p.integer("num_heads", c.numHeads);
    c.depth = p.integer("depth", c.depth);
    c.depthSingleBlocks = p.integer("depth_single_blocks", c.depthSingleBlocks);
    c.axesDim = p.integerList("axes_dim", c.axesDim);
    c.theta = p.integer("theta", c.theta);
    c.qkvBias = p.boolean("qkv_bias", c.qkvBias);
    c.timeFactor = p.number("time_factor", c.timeFactor);
    c.guidanceEmbed = p.boolean("guidance_embed", c.guidanceEmbed);

    requirePositive(p, "in_channels", c.inChannels);
    requirePositive(p, "context_in_dim", c.contextInDim);
    requirePositive(p, "hidden_size", c.hiddenSize);
    requirePositive(p, "num_heads", c.numHeads);
    requireNonNegative(p, "depth", c.depth);
    requireNonNegative(p, "depth_single_blocks", c.depthSingleBlocks);
    requireMlpRatio(p, c.mlpRatio);
    if (c.mlpHiddenDim() <= 0)
        p.fail("mlp_ratio", "must be positive");
    if (c.hiddenSize % c.numHeads != 0)
        p.fail("hidden_size",
            "(" + std::to_string(c.hiddenSize) + ") must be divisible by num_heads (" + std::to_string(c.numHeads)
                + ")");
    long long axes = 0;
    for (int a : c.axesDim)
        axes += a;
    if (axes != c.headDim())
        p.fail("axes_dim",
            "must sum to hidden_size / num_heads = " + std::to_string(c.headDim()) + " (sums to " + std::to_string(axes)
                + ")");
    return c;
}

ShapeVaeConfig parseVae(const Section& root, const std::string& file)
{
    const Section vae = root.child("vae");
    const std::string target = vae.string("target");
    if (className(target) != "ShapeVAE")
        unsupported(vae, "target", target, "hy3dgen.shapegen.models.ShapeVAE", file);
    const Section p = vae.child("params");
    ShapeVaeConfig c;
    c.numLatents = p.integer("num_latents");
    c.embedDim = p.integer("embed_dim");
    c.width = p.integer("width");
    c.heads = p.integer("heads");
    c.numDecoderLayers = p.integer("num_decoder_layers");
    c.numEncoderLayers = p.integer("num_encoder_layers", c.numEncoderLayers);
    c.pointFeats = p.integer("point_feats", c.pointFeats);
    c.useLnPost = p.boolean("use_ln_post", c.useLnPost);
    c.geoDecoderDownsampleRatio = p.integer("geo_decoder_downsample_ratio", c.geoDecoderDownsampleRatio);
    c.geoDecoderMlpExpandRatio = p.integer("geo_decoder_mlp_expand_ratio", c.geoDecoderMlpExpandRatio);
    c.geoDecoderLnPost = p.boolean("geo_decoder_ln_post", c.geoDecoderLnPost);
    c.numFreqs = p.integer("num_freqs", c.numFreqs);
    c.includePi = p.boolean("include_pi", c.includePi);
    c.qkvBias = p.boolean("qkv_bias", c.qkvBias);
    c.qkNorm = p.boolean("qk_norm", c.qkNorm);
    c.scaleFactor = p.number("scale_factor", c.scaleFactor);
    // Read for type-checking only; they matter to training and to the point-cloud encoder's sampling.
    (void)p.integer("pc_size", 5120);
    (void)p.integer("pc_sharpedge_size", 5120);
    (void)p.integer("downsample_ratio", 20);
    (void)p.number("drop_path_rate", 0.0);
    const std::string labelType = p.string("label_type", std::string("binary"));
    if (labelType != "binary")
        p.fail("label_type", "must be 'binary' (got '" + labelType + "')");

    requirePositive(p, "num_latents", c.numLatents);
    requirePositive(p, "embed_dim", c.embedDim);
    requirePositive(p, "width", c.width);
    requirePositive(p, "heads", c.heads);
    requireNonNegative(p, "num_decoder_layers", c.numDecoderLayers);
    requireNonNegative(p, "num_encoder_layers", c.numEncoderLayers);
    requireNonNegative(p, "point_feats", c.pointFeats);
    requirePositive(p, "geo_decoder_downsample_ratio", c.geoDecoderDownsampleRatio);
    requirePositive(p, "geo_decoder_mlp_expand_ratio", c.geoDecoderMlpExpandRatio);
    requireNonNegative(p, "num_freqs", c.numFreqs);
    if (c.numFreqs > 32)
        p.fail("num_freqs", "must be at most 32 (got " + std::to_string(c.numFreqs) + ")");
    if (!(c.scaleFactor > 0))
        p.fail("scale_factor", "must be positive");
    if (c.width % c.heads != 0)
        p.fail(
            "width", "(" + std::to_string(c.width) + ") must be divisible by heads (" + std::to_string(c.heads) + ")");
    if (c.width % c.geoDecoderDownsampleRatio != 0 || c.heads % c.geoDecoderDownsampleRatio != 0
        || c.geoWidth() % c.geoHeads() != 0)
        p.fail("geo_decoder_downsample_ratio", "must divide width and heads");
    return c;
}

ConditionerConfig parseConditioner(const Section& root, const std::string& file)
{
    const Section cond = root.child("conditioner");
    const std::string target = cond.string("target");
    if (className(target) != "SingleImageEncoder")
        unsupported(cond, "target", target, "hy3dgen.shapegen.models.SingleImageEncoder", file);
    const Section p = cond.child("params");
    const Section enc = p.child("main_image_encoder");
    const std::string type = enc.string("type");
    if (type != "DinoImageEncoder")
        unsupported(enc, "type", type, "DinoImageEncoder", file);
    const Section kw = enc.optionalChild("kwargs");
    if (!kw.has("config")) {
        if (kw.has("version"))
            kw.fail("version",
                "names pretrained weights to download ('" + kw.string("version")
                    + "'); this version needs the DINOv2 configuration in the file (kwargs.config) and "
                      "the conditioner's weights in the model's safetensors file");
        kw.fail("config", "is missing");
    }
    const Section d = kw.child("config");
    ConditionerConfig c;
    Dinov2Config& dc = c.dino;
    const std::string modelType = d.string("model_type", std::string("dinov2"));
    if (modelType != "dinov2")
        unsupported(d, "model_type", modelType, "dinov2", file);
    dc.hiddenSize = d.integer("hidden_size", dc.hiddenSize);
    dc.numHiddenLayers = d.integer("num_hidden_layers", dc.numHiddenLayers);
    dc.numAttentionHeads = d.integer("num_attention_heads", dc.numAttentionHeads);
    dc.patchSize = d.integer("patch_size", dc.patchSize);
    dc.imageSize = d.integer("image_size", dc.imageSize);
    dc.numChannels = d.integer("num_channels", dc.numChannels);
    dc.mlpRatio = d.number("mlp_ratio", dc.mlpRatio);
    dc.layerNormEps = d.number("layer_norm_eps", dc.layerNormEps);
    dc.layerscaleValue = d.number("layerscale_value", dc.layerscaleValue);
    dc.useSwigluFfn = d.boolean("use_swiglu_ffn", dc.useSwigluFfn);
    dc.hiddenAct = d.string("hidden_act", dc.hiddenAct);
    dc.qkvBias = d.boolean("qkv_bias", dc.qkvBias);
    c.imageSize = kw.integer("image_size", c.imageSize);
    c.useClsToken = kw.boolean("use_cls_token", c.useClsToken);

    requirePositive(d, "hidden_size", dc.hiddenSize);
    requireNonNegative(d, "num_hidden_layers", dc.numHiddenLayers);
    requirePositive(d, "num_attention_heads", dc.numAttentionHeads);
    requirePositive(d, "patch_size", dc.patchSize, kMaxImageSide);
    requirePositive(d, "image_size", dc.imageSize, kMaxImageSide);
    requirePositive(kw, "image_size", c.imageSize, kMaxImageSide);
    if (dc.numChannels != 3)
        d.fail("num_channels", "must be 3 (got " + std::to_string(dc.numChannels) + ")");
    requireMlpRatio(d, dc.mlpRatio);
    if (dc.ffnHiddenDim() <= 0)
        d.fail("mlp_ratio", "must be positive");
    if (!(dc.layerNormEps > 0))
        d.fail("layer_norm_eps", "must be positive");
    if (dc.hiddenSize % dc.numAttentionHeads != 0)
        d.fail("hidden_size",
            "(" + std::to_string(dc.hiddenSize) + ") must be divisible by num_attention_heads ("
                + std::to_string(dc.numAttentionHeads) + ")");
    if (dc.imageSize < dc.patchSize)
        d.fail("image_size", "must be at least patch_size");
    static const char* const kActs[]
        = { "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "quick_gelu", "relu", "silu", "swish" };
    bool knownAct = false;
    for (const char* a : kActs)
        knownAct = knownAct || dc.hiddenAct == a;
    if (!dc.useSwigluFfn && !knownAct)
        d.fail("hidden_act",
            "'" + dc.hiddenAct
                + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, "
                  "quick_gelu, relu, silu)");
    if (c.imageSize < dc.patchSize)
        kw.fail("image_size", "must be at least the patch size (" + std::to_string(dc.patchSize) + ")");
    return c;
}

SchedulerConfig parseScheduler(const Section& root, const std::string& file)
{
    const Section s = root.child("scheduler");
    const std::string target = s.string("target");
    const std::string cls = className(target);
    const Section p = s.optionalChild("params");
    SchedulerConfig c;
    if (cls == "FlowMatchEulerDiscreteScheduler") {
        c.kind = SchedulerKind::FlowMatchEuler;
        c.shift = p.number("shift", c.shift);
        if (p.boolean("use_dynamic_shifting", false))
            p.fail("use_dynamic_shifting", "is not supported (the reference pipeline cannot run it either)");
        if (!(c.shift > 0))
            p.fail("shift", "must be positive");
    } else if (cls == "ConsistencyFlowMatchEulerDiscreteScheduler") {
        c.kind = SchedulerKind::ConsistencyFlowMatchEuler;
        c.pcmTimesteps = p.integer("pcm_timesteps", c.pcmTimesteps);
        requirePositive(p, "pcm_timesteps", c.pcmTimesteps);
    } else {
        unsupported(
            s, "target", target, "FlowMatchEulerDiscreteScheduler or ConsistencyFlowMatchEulerDiscreteScheduler", file);
    }
    c.numTrainTimesteps = p.integer("num_train_timesteps", c.numTrainTimesteps);
    requirePositive(p, "num_train_timesteps", c.numTrainTimesteps);
    if (c.kind == SchedulerKind::ConsistencyFlowMatchEuler && c.pcmTimesteps > c.numTrainTimesteps)
        p.fail("pcm_timesteps", "must not exceed num_train_timesteps");
    return c;
}

ImageProcessorConfig parseImageProcessor(const Section& root, const std::string& file)
{
    const Section s = root.child("image_processor");
    const std::string target = s.string("target");
    if (className(target) != "ImageProcessorV2")
        unsupported(s, "target", target, "hy3dgen.shapegen.preprocessors.ImageProcessorV2", file);
    const Section p = s.optionalChild("params");
    ImageProcessorConfig c;
    c.size = p.integer("size", c.size);
    c.borderRatio = p.number("border_ratio", c.borderRatio);
    requirePositive(p, "size", c.size, kMaxImageSide);
    if (!(c.borderRatio >= 0 && c.borderRatio < 1))
        p.fail("border_ratio", "must be in [0, 1)");
    return c;
}

} // namespace

int Dinov2Config::ffnHiddenDim() const noexcept
{
    const int plain = static_cast<int>(double(hiddenSize) * mlpRatio);
    if (!useSwigluFfn)
        return plain;
    const int twoThirds = static_cast<int>(double(plain) * 2.0 / 3.0);
    return (twoThirds + 7) / 8 * 8;
}

HunyuanModelConfig parseHunyuanModelConfig(const std::string& yamlText, const std::string& pathForErrors)
{
    YAML::Node doc;
    try {
        doc = YAML::Load(yamlText);
    } catch (const YAML::Exception& e) {
        throw ModelError(
            "the model configuration is not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " + e.msg,
            pathForErrors);
    }
    if (!doc.IsMap())
        throw ModelError("the model configuration is not a YAML mapping", pathForErrors);
    try {
        const Section root(doc, "", pathForErrors);
        HunyuanModelConfig c;
        c.path = pathForErrors;
        c.dit = parseDit(root, pathForErrors);
        c.vae = parseVae(root, pathForErrors);
        c.conditioner = parseConditioner(root, pathForErrors);
        c.scheduler = parseScheduler(root, pathForErrors);
        c.imageProcessor = parseImageProcessor(root, pathForErrors);
        // Cross-checks that the reference would only discover as a shape error deep inside a forward pass.
        if (c.dit.inChannels != c.vae.embedDim)
            throw ModelError("model configuration: model.params.in_channels (" + std::to_string(c.dit.inChannels)
                    + ") must equal vae.params.embed_dim (" + std::to_string(c.vae.embedDim) + ")",
                pathForErrors);
        if (c.dit.contextInDim != c.conditioner.dino.hiddenSize)
            throw ModelError("model configuration: model.params.context_in_dim (" + std::to_string(c.dit.contextInDim)
                    + ") must equal the conditioner's hidden_size (" + std::to_string(c.conditioner.dino.hiddenSize)
                    + ")",
                pathForErrors);
        return c;
    } catch (const YAML::Exception& e) {
        throw ModelError("the model configuration could not be read: " + e.msg, pathForErrors);
    }
}

HunyuanModelConfig loadHunyuanModelConfig(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ModelError(std::string("cannot read the model configuration: ") + std::strerror(errno), path);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw ModelError("cannot read the model configuration", path);
    const std::string text = ss.str();
    if (text.size() > 16u * 1024 * 1024)
        throw ModelError("the model configuration is implausibly large", path);
    return parseHunyuanModelConfig(text, path);
}

} // namespace orfeas
