#include "dinov2.h"

#include "orfeas/errors.h"

#include <cmath>

namespace orfeas::neural {

namespace {

const char* const kPrefix = "conditioner.main_image_encoder.model";

at::Tensor activation(const std::string& name, const at::Tensor& x)
{
    if (name == "gelu")
        return at::gelu(x);
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
        return at::gelu(x, "tanh");
    if (name == "quick_gelu")
        return x * at::sigmoid(x * 1.702);
    if (name == "relu")
        return at::relu(x);
    return at::silu(x); // "silu", "swish": the configuration parser admits nothing else
}

} // namespace

Dinov2Conditioner::Dinov2Conditioner(const ConditionerConfig& config, const WeightStore& w, const ComputeSpec& spec)
    : m_config(config)
    , m_spec(spec)
{
    const std::string m = kPrefix;
    const double eps = config.dino.layerNormEps;
    m_patchWeight = w.get(m + ".embeddings.patch_embeddings.projection.weight");
    m_patchBias = w.get(m + ".embeddings.patch_embeddings.projection.bias");
    m_clsToken = w.get(m + ".embeddings.cls_token");
    m_positions = w.get(m + ".embeddings.position_embeddings");
    for (int i = 0; i < config.dino.numHiddenLayers; ++i) {
        const std::string p = m + ".encoder.layer." + std::to_string(i);
        Layer l;
        l.norm1 = w.layerNorm(p + ".norm1", eps);
        l.norm2 = w.layerNorm(p + ".norm2", eps);
        l.query = w.linear(p + ".attention.attention.query", config.dino.qkvBias);
        l.key = w.linear(p + ".attention.attention.key", config.dino.qkvBias);
        l.value = w.linear(p + ".attention.attention.value", config.dino.qkvBias);
        l.dense = w.linear(p + ".attention.output.dense");
        l.scale1 = w.get(p + ".layer_scale1.lambda1");
        l.scale2 = w.get(p + ".layer_scale2.lambda1");
        if (config.dino.useSwigluFfn) {
            l.ffnIn = w.linear(p + ".mlp.weights_in");
            l.ffnOut = w.linear(p + ".mlp.weights_out");
        } else {
            l.ffnIn = w.linear(p + ".mlp.fc1");
            l.ffnOut = w.linear(p + ".mlp.fc2");
        }
        m_layers.push_back(std::move(l));
    }
    m_finalNorm = w.layerNorm(m + ".layernorm", eps);
}

at::Tensor Dinov2Conditioner::preprocess(const at::Tensor& image) const
{
    if (image.dim() != 4 || image.size(1) != 3)
        throw InternalError("conditioner input must be [B, 3, H, W]", Stage::ShapeGeneration);
    at::Tensor x = image.to(m_spec.device, at::kFloat);
    x = (x + 1.0) / 2.0;
    // torchvision Resize(int): the shorter side becomes image_size, the longer one int(size * long / short);
    // an image already of that size is returned unchanged.
    const std::int64_t h = x.size(2), w = x.size(3);
    const std::int64_t size = m_config.imageSize;
    std::int64_t nh = size, nw = size;
    if (w <= h)
        nh = static_cast<std::int64_t>(double(size) * double(h) / double(w));
    else
        nw = static_cast<std::int64_t>(double(size) * double(w) / double(h));
    if (nh != h || nw != w)
        x = at::_upsample_bilinear2d_aa(x, { nh, nw }, /*align_corners=*/false);
    // CenterCrop: offsets rounded half to even, as Python's round().
    if (nh != size || nw != size) {
        const auto top = static_cast<std::int64_t>(std::nearbyint(double(nh - size) / 2.0));
        const auto left = static_cast<std::int64_t>(std::nearbyint(double(nw - size) / 2.0));
        x = x.narrow(2, top, size).narrow(3, left, size);
    }
    const auto opts = at::TensorOptions().dtype(at::kFloat).device(m_spec.device);
    const at::Tensor mean = at::tensor(std::vector<float> { 0.485f, 0.456f, 0.406f }, opts).view({ 1, 3, 1, 1 });
    const at::Tensor stdev = at::tensor(std::vector<float> { 0.229f, 0.224f, 0.225f }, opts).view({ 1, 3, 1, 1 });
    return (x - mean) / stdev;
}

at::Tensor Dinov2Conditioner::positionEmbeddings(
    const at::Tensor& positions, std::int64_t gridH, std::int64_t gridW) const
{
    const std::int64_t stored = positions.size(1) - 1;
    if (gridH * gridW == stored && gridH == gridW)
        return positions;
    // The patch part is laid out on its square grid and resized bicubically (align_corners false, no antialias)
    // in float32; the CLS position is kept.
    const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(double(stored))));
    const std::int64_t dim = positions.size(2);
    const at::Tensor cls = positions.narrow(1, 0, 1);
    at::Tensor grid = positions.narrow(1, 1, stored).reshape({ 1, side, side, dim }).permute({ 0, 3, 1, 2 });
    grid = at::upsample_bicubic2d(grid.to(at::kFloat), { gridH, gridW }, /*align_corners=*/false);
    grid = grid.to(positions.scalar_type()).permute({ 0, 2, 3, 1 }).reshape({ 1, gridH * gridW, dim });
    return at::cat({ cls, grid }, 1);
}

at::Tensor Dinov2Conditioner::ffn(const Layer& l, const at::Tensor& x) const
{
    if (m_config.dino.useSwigluFfn) {
        const auto halves = l.ffnIn(x).chunk(2, -1);
        return l.ffnOut(at::silu(halves[0]) * halves[1]);
    }
    return l.ffnOut(activation(m_config.dino.hiddenAct, l.ffnIn(x)));
}

at::Tensor Dinov2Conditioner::forward(const at::Tensor& pixels) const
{
    const std::int64_t batch = pixels.size(0);
    const std::int64_t heads = m_config.dino.numAttentionHeads;
    const std::int64_t patch = m_config.dino.patchSize;
    // The patch convolution (kernel = stride = patch) as one matrix product over the patches: the same sums,
    // without cuDNN's TF32 convolutions, which would cost float32 runs on a GPU about 5e-4 of accuracy here.
    const std::int64_t gh = pixels.size(2) / patch, gw = pixels.size(3) / patch;
    const at::Tensor patches = pixels.narrow(2, 0, gh * patch)
                                   .narrow(3, 0, gw * patch)
                                   .reshape({ batch, pixels.size(1), gh, patch, gw, patch })
                                   .permute({ 0, 2, 4, 1, 3, 5 })
                                   .reshape({ batch, gh * gw, pixels.size(1) * patch * patch });
    const at::Tensor patchWeight = onDevice(m_patchWeight);
    at::Tensor x = at::linear(
        patches.to(m_spec.dtype), patchWeight.reshape({ patchWeight.size(0), -1 }), onDevice(m_patchBias));
    x = at::cat({ onDevice(m_clsToken).expand({ batch, -1, -1 }), x }, 1);
    x = x + positionEmbeddings(onDevice(m_positions), gh, gw);

    const std::int64_t tokens = x.size(1);
    const std::int64_t width = x.size(2);
    const auto splitHeads = [&](const at::Tensor& t) {
        return t.view({ batch, tokens, heads, width / heads }).transpose(1, 2);
    };
    for (const Layer& stored : m_layers) {
        // Offloaded: this layer's weights are uploaded now and freed after it (asynchronous copies from pinned
        // memory, ordered on the run's stream).
        const Layer l = m_offloaded ? layerOnDevice(stored) : stored;
        const at::Tensor h = l.norm1(x);
        const at::Tensor a = attention(splitHeads(l.query(h)), splitHeads(l.key(h)), splitHeads(l.value(h)));
        x = x + l.dense(mergeHeads(a)) * l.scale1;
        x = x + ffn(l, l.norm2(x)) * l.scale2;
    }
    if (!m_offloaded)
        return m_finalNorm(x);
    return LayerNorm { onDevice(m_finalNorm.weight), onDevice(m_finalNorm.bias), m_finalNorm.eps }(x);
}

at::Tensor Dinov2Conditioner::onDevice(const at::Tensor& t) const
{
    if (!m_offloaded || !t.defined())
        return t;
    return t.to(m_spec.device, /*non_blocking=*/true);
}

Dinov2Conditioner::Layer Dinov2Conditioner::layerOnDevice(const Layer& l) const
{
    const auto lin = [&](const Linear& x) { return Linear { onDevice(x.weight), onDevice(x.bias) }; };
    const auto norm = [&](const LayerNorm& x) { return LayerNorm { onDevice(x.weight), onDevice(x.bias), x.eps }; };
    return Layer { norm(l.norm1), norm(l.norm2), lin(l.query), lin(l.key), lin(l.value), lin(l.dense),
        onDevice(l.scale1), onDevice(l.scale2), lin(l.ffnIn), lin(l.ffnOut) };
}

Dinov2Conditioner Dinov2Conditioner::mapped(
    const std::function<at::Tensor(const at::Tensor&)>& f, bool offloaded) const
{
    const auto t = [&](const at::Tensor& x) { return x.defined() ? f(x) : x; };
    const auto lin = [&](const Linear& x) { return Linear { t(x.weight), t(x.bias) }; };
    const auto norm = [&](const LayerNorm& x) { return LayerNorm { t(x.weight), t(x.bias), x.eps }; };
    Dinov2Conditioner c = *this;
    c.m_patchWeight = t(m_patchWeight);
    c.m_patchBias = t(m_patchBias);
    c.m_clsToken = t(m_clsToken);
    c.m_positions = t(m_positions);
    for (Layer& l : c.m_layers)
        l = Layer { norm(l.norm1), norm(l.norm2), lin(l.query), lin(l.key), lin(l.value), lin(l.dense), t(l.scale1),
            t(l.scale2), lin(l.ffnIn), lin(l.ffnOut) };
    c.m_finalNorm = norm(m_finalNorm);
    c.m_offloaded = offloaded;
    return c;
}

Dinov2Conditioner Dinov2Conditioner::offloaded() const
{
    if (m_offloaded)
        return *this;
    // On the CPU the "host copies" share the weights' storage: the offloaded path then costs nothing and runs
    // in the CPU tests too.
    return mapped(
        [](const at::Tensor& x) {
            const at::Tensor host = x.to(at::kCPU);
            try {
                return host.pin_memory();
            } catch (const c10::Error&) {
                return host; // pageable: the uploads are then synchronous, still correct
            }
        },
        true);
}

Dinov2Conditioner Dinov2Conditioner::resident() const
{
    if (!m_offloaded)
        return *this;
    return mapped([&](const at::Tensor& x) { return x.to(m_spec.device); }, false);
}

at::Tensor Dinov2Conditioner::encode(const at::Tensor& image) const
{
    at::Tensor hidden = forward(preprocess(image));
    if (!m_config.useClsToken)
        hidden = hidden.narrow(1, 1, hidden.size(1) - 1);
    return hidden;
}

} // namespace orfeas::neural
