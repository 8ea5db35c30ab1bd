# Session 9: cuDNN attention of the geometry decoder's shape (16 heads of 64, 3072 keys, 131072 queries), a short
# burst against a sustained run of about 6 s, to see whether the GPU's power limit lowers the sustained rate.
import time, torch, torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend
dev = 'cuda'; dt = torch.float16
N = 131072
q = torch.randn(1, N, 16, 64, device=dev, dtype=dt).transpose(1, 2)
k = torch.randn(1, 16, 3072, 64, device=dev, dtype=dt); v = torch.randn_like(k)
flops = 4 * N * 3072 * 1024
def run(iters):
    torch.cuda.synchronize(); s = torch.cuda.Event(enable_timing=True); e = torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(iters):
        F.scaled_dot_product_attention(q, k, v)
    e.record(); torch.cuda.synchronize()
    ms = s.elapsed_time(e) / iters
    return ms, flops / ms / 1e9
with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
    run(5)
    time.sleep(3)  # let the GPU cool to its idle power
    for label, iters in (('burst 20', 20), ('sustained 1600', 1600), ('burst 20 right after', 20)):
        t = time.time(); ms, tf = run(iters)
        print(f'{time.strftime("%H:%M:%S")} {label:24s} {ms:.3f} ms/call {tf:.1f} TFLOP/s ({time.time()-t:.1f} s)', flush=True)
