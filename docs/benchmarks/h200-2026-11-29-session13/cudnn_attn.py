# cuDNN's attention (LibTorch's dispatcher, the backend the decoder uses) at the decoder's chunk shape, timed with CUDA
# events: q [1, 131072, 16, 64] as a [B, H, N, D] view (heads interleaved, as the decoder passes it), k and v
# [1, 16, 3072, 64].
import torch
from torch.nn.attention import sdpa_kernel, SDPBackend
torch.manual_seed(0)
rows, heads, keys = 131072, 16, 3072
q = torch.randn(1, rows, heads, 64, device='cuda', dtype=torch.half).transpose(1, 2)
k = torch.randn(1, heads, keys, 64, device='cuda', dtype=torch.half)
v = torch.randn(1, heads, keys, 64, device='cuda', dtype=torch.half)
flop = 4.0 * rows * heads * keys * 64
for name, backend in [('cudnn', SDPBackend.CUDNN_ATTENTION), ('flash', SDPBackend.FLASH_ATTENTION)]:
    with sdpa_kernel(backend):
        for _ in range(3):
            o = torch.nn.functional.scaled_dot_product_attention(q, k, v)
        torch.cuda.synchronize()
        times = []
        for _ in range(20):
            a = torch.cuda.Event(enable_timing=True); b = torch.cuda.Event(enable_timing=True)
            a.record(); o = torch.nn.functional.scaled_dot_product_attention(q, k, v); b.record(); b.synchronize()
            times.append(a.elapsed_time(b))
        times.sort()
        m = times[len(times) // 2]
        print(f"{name}: median {m:.3f} ms best {times[0]:.3f} ms: {flop / (m * 1e-3) / 1e12:.1f} TFLOP/s; per dense decode {m * 435.38:.1f} ms")
