#pragma once
// The Hunyuan3D-2 denoiser (reference class Hunyuan3DDiT): Flux-style double-stream blocks over [condition, latent],
// then single-stream blocks over their concatenation, no positional encoding.

#include "orfeas/model_config.h"

#include "neural_common.h"

#include <functional>
#include <utility>
#include <vector>

namespace orfeas::neural {

class HunyuanDit {
public:
    // Takes its weights from `weights` under model.
    HunyuanDit(const DitConfig& config, const WeightStore& weights, const ComputeSpec& spec);

    // One forward pass: x [B, N, in_channels], t [B] in [0, 1] (the scheduler's timestep / num_train_timesteps),
    // cond [B, M, context_in_dim], guidance [B] (only for guidance-distilled models; undefined otherwise).
    // x and cond are moved to the compute device and dtype, t and guidance are used in float32; returns the
    // velocity [B, N, in_channels] in the compute dtype.
    at::Tensor forward(
        const at::Tensor& x, const at::Tensor& t, const at::Tensor& cond, const at::Tensor& guidance = {}) const;

    // Classifier-free guidance in one call: the same as forward(cat(x, x), cat(t, t), cat(cond, zeros)) for x
    // [B, N, C], t [1] (all B samples at the same timestep), cond [B, M, Cc] (not for guidance-distilled models),
    // returning [2B, N, C] (the B conditional rows first). The unconditional condition is all zeros, so its M
    // condition tokens are one token M times over in every block; it is computed once per sample, and attention
    // counts its key M times (the attention over the latents' keys, with its log-sum-exp, into which that key is
    // merged with weight M: fused::attentionWithRepeatedKey). An unconditional row thus has 1 + N tokens instead of
    // M + N: about a quarter less attention and a third less of its token work at full size, the same result up to
    // rounding. The token-wise work of all 2B sequences runs as one row of tokens (several jobs' samples in one
    // pass: HunyuanModel::sample with a batch).
    // `modulation`, when given, is the row of modulationTable for this t (t is then not used).
    at::Tensor forwardGuided(
        const at::Tensor& x, const at::Tensor& t, const at::Tensor& cond, const at::Tensor& modulation = {}) const;

    // Every block's modulation (shift, scale and gate vectors, and the final layer's shift and scale) for each t of
    // t [S] (as forward takes it): [S, modulationWidth()] in the compute dtype, in the order forwardGuided reads
    // them. They depend on t alone, so a sampling loop computes them for all its steps at once, before the loop,
    // instead of about 70 matrix-vector products in every step. Not for guidance-distilled models.
    at::Tensor modulationTable(const at::Tensor& t) const;
    std::int64_t modulationWidth() const;

    const DitConfig& config() const { return m_config; }
    // Whether forward() takes the fused GPU path (dit_fused.h).
    bool fused() const { return m_fused; }

private:
    struct Mlp2 {
        Linear in, out; // in -> SiLU -> out
    };
    struct Stream {
        Linear mod, qkv, proj, mlpIn, mlpOut;
        at::Tensor queryScale, keyScale;
    };
    struct DoubleBlock {
        Stream img, txt;
    };
    struct SingleBlock {
        Linear linear1, linear2, mod;
        at::Tensor queryScale, keyScale;
        // The fused path's views of linear1 (rows: qkv, MLP) and linear2 (columns: attention, MLP).
        Linear qkvPart, mlpPart, outAttn;
        at::Tensor outMlpWeight;
    };

    at::Tensor timestepEmbedding(const at::Tensor& t) const;
    // [B, L, 3 * hidden] -> q, k (RMS-normalised in float32), v, each [B, H, L, D]
    std::vector<at::Tensor> splitQkv(const at::Tensor& qkv, const at::Tensor& qScale, const at::Tensor& kScale) const;
    void doubleBlock(const DoubleBlock& b, at::Tensor& img, at::Tensor& txt, const at::Tensor& vec) const;
    at::Tensor singleBlock(const SingleBlock& b, const at::Tensor& x, const at::Tensor& vec) const;
    // The fused GPU path (dit_fused.h): same arithmetic, fewer passes over memory. `svec` = SiLU(vec).
    void doubleBlockFused(const DoubleBlock& b, at::Tensor& img, at::Tensor& txt, const at::Tensor& svec) const;
    // A double block's stream after the joint attention: x += gate * proj(attn), then x += gate * MLP(modulated x).
    void afterAttention(const Stream& stream, at::Tensor& x, const at::Tensor& mod, const at::Tensor& attn) const;
    // forwardGuided's blocks: the conditional sequence (M + N tokens) and the unconditional one (1 + N) share
    // every token-wise operation and differ in attention only.
    struct GuidedBuffers;
    void doubleBlockGuided(const DoubleBlock& b, at::Tensor& img, at::Tensor& txt, const at::Tensor& imgMod,
        const at::Tensor& txtMod, GuidedBuffers& buf) const;
    // `mod` [B, 3h]: the block's modulation. With `guided`, x holds forwardGuided's two sequences one after the other.
    void singleBlockFused(
        const SingleBlock& b, at::Tensor& x, const at::Tensor& mod, GuidedBuffers* guided = nullptr) const;
    // The conditional pass's attention [1, m + n, h] and the unconditional one's [1, 1 + n, h], computed concurrently.
    std::pair<at::Tensor, at::Tensor> guidedAttention(
        GuidedBuffers& buf, const at::Tensor& vc, const at::Tensor& vu) const;

    // gpu::forkJoin (side on a second CUDA stream), or one after the other under ORFEAS_DIT_PROFILE.
    void concurrently(const std::function<void()>& side, const std::function<void()>& main) const;

    DitConfig m_config;
    ComputeSpec m_spec;
    bool m_fused = false;
    Linear m_latentIn, m_condIn, m_finalLinear, m_finalModulation;
    Mlp2 m_timeIn, m_guidanceIn;
    std::vector<DoubleBlock> m_double;
    std::vector<SingleBlock> m_single;
};

} // namespace orfeas::neural
