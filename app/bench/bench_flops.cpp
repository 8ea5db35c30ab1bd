#include "bench_flops.h"

namespace orfeas::bench {

namespace {

// A linear layer applied to `tokens` rows: in x out multiply-adds each.
double linear(double tokens, double in, double out)
{
    return 2.0 * tokens * in * out;
}

// Attention over `queries` x `keys` with total width `width` (heads x head dim): Q·Kᵀ and P·V.
double attention(double queries, double keys, double width)
{
    return 2.0 * 2.0 * queries * keys * width;
}

constexpr double kTimeEmbedDim = 256; // the denoiser's sinusoidal embedding width

} // namespace

DenoiserFlops denoiserFlops(const HunyuanModelConfig& config, int steps, double guidance)
{
    const DitConfig& d = config.dit;
    const double lx = config.vae.numLatents;
    const double lc = config.conditioner.tokens();
    const double l = lx + lc;
    const double h = d.hiddenSize;
    const double m = d.mlpHiddenDim();

    double lin = 0, att = 0;
    // Embeddings: latents, condition, timestep (and guidance) MLPs on one vector each.
    lin += linear(lx, d.inChannels, h);
    lin += linear(lc, d.contextInDim, h);
    lin += linear(1, kTimeEmbedDim, h) + linear(1, h, h);
    if (d.guidanceEmbed)
        lin += linear(1, kTimeEmbedDim, h) + linear(1, h, h);
    // Double-stream blocks: per stream a modulation (6h), qkv, output projection and MLP; one joint attention.
    for (int i = 0; i < d.depth; ++i) {
        for (double tokens : {lx, lc})
            lin += linear(1, h, 6 * h) + linear(tokens, h, 3 * h) + linear(tokens, h, h) + linear(tokens, h, m)
                + linear(tokens, m, h);
        att += attention(l, l, h);
    }
    // Single-stream blocks over [condition, latents]: modulation (3h), fused qkv+MLP in, fused attention+MLP out.
    for (int i = 0; i < d.depthSingleBlocks; ++i) {
        lin += linear(1, h, 3 * h) + linear(l, h, 3 * h + m) + linear(l, h + m, h);
        att += attention(l, l, h);
    }
    // Final layer: modulation (2h) and the projection back to the latent channels.
    lin += linear(1, h, 2 * h) + linear(lx, h, d.inChannels);

    DenoiserFlops f;
    f.linearPerSample = lin;
    f.attentionPerSample = att;
    f.perSample = lin + att;
    f.batch = (guidance >= 0 && !d.guidanceEmbed) ? 2 : 1;
    f.steps = steps;
    f.perStep = f.perSample * f.batch;
    f.perImage = f.perStep * steps;
    f.latentTokens = config.vae.numLatents;
    f.conditionTokens = config.conditioner.tokens();
    return f;
}

DecoderFlops geometryDecoderFlops(const ShapeVaeConfig& vae)
{
    const double w = vae.geoWidth();
    const double n = vae.numLatents;
    const double r = vae.geoDecoderMlpExpandRatio;
    DecoderFlops f;
    f.perPoint = linear(1, vae.fourierDim(), w) // query_proj
        + linear(1, w, w)                        // c_q
        + attention(1, n, w)                     // one query against every latent
        + linear(1, w, w)                        // c_proj
        + linear(1, w, r * w) + linear(1, r * w, w) // MLP
        + linear(1, w, 1);                       // output_proj
    f.perShape = linear(n, w, 2 * w);           // c_kv of the latents
    if (vae.geoDecoderDownsampleRatio != 1)
        f.perShape += linear(n, vae.width, w);  // latents projected to the decoder's width
    return f;
}

} // namespace orfeas::bench
