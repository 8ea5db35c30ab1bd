# The geometry decoder's shapes alone on the GPU (session 8, call 1): fp16 and FP8 products, attention kernels.
# Run on the GPU machine with its PyTorch: python3 microbench.py
import torch, time, torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend
torch.manual_seed(0)
dev='cuda'; dt=torch.float16
def bench(fn, iters=20, flops=None, name=''):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    s=torch.cuda.Event(enable_timing=True); e=torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(iters): fn()
    e.record(); torch.cuda.synchronize()
    ms=s.elapsed_time(e)/iters
    print(f"{name:60s} {ms:8.3f} ms" + (f"  {flops/ms/1e9:7.1f} TFLOP/s" if flops else ""), flush=True)
    return ms
print(torch.__version__, torch.cuda.get_device_name(), torch.backends.cudnn.version())
for M in (32768, 131072):
    x=torch.randn(M,1024,device=dev,dtype=dt); W=torch.randn(4096,1024,device=dev,dtype=dt)*0.03; b=torch.randn(4096,device=dev,dtype=dt)
    h=torch.randn(M,4096,device=dev,dtype=dt); W2=torch.randn(1024,4096,device=dev,dtype=dt)*0.015
    r=torch.randn(M,1024,device=dev,dtype=dt)
    f=2*M*4096*1024
    bench(lambda: torch._addmm_activation(b,x,W.t(),use_gelu=True), flops=f, name=f'fc gelu-epilogue M={M}')
    bench(lambda: torch.addmm(b,x,W.t()), flops=f, name=f'fc bias M={M}')
    bench(lambda: torch.mm(x,W.t()), flops=f, name=f'fc mm M={M}')
    bench(lambda: r.addmm_(h,W2.t()), flops=f, name=f'proj beta=1 M={M}')
    bench(lambda: torch.mm(h,W2.t()), flops=f, name=f'proj mm M={M}')
    Wq=torch.randn(1024,1024,device=dev,dtype=dt); bq=torch.randn(1024,device=dev,dtype=dt)
    bench(lambda: torch.addmm(bq,x,Wq.t()), flops=2*M*1024*1024, name=f'q addmm M={M}')
    bench(lambda: r.addmm_(x,Wq.t()), flops=2*M*1024*1024, name=f'out beta=1 M={M}')
    for bt in (torch.bfloat16,):
        xb=x.to(bt); Wb=W.to(bt); bb=b.to(bt)
        bench(lambda: torch._addmm_activation(bb,xb,Wb.t(),use_gelu=True), flops=f, name=f'fc gelu bf16 M={M}')
    try:
        f8=torch.float8_e4m3fn
        x8=x.to(f8); W8=W.to(f8); h8=(h*0.1).to(f8); W28=W2.to(f8); one=torch.tensor(1.0,device=dev)
        for fast in (False, True):
            bench(lambda: torch._scaled_mm(x8,W8.t(),one,one,bias=b,out_dtype=dt,use_fast_accum=fast), flops=f, name=f'fc fp8 bias fast={fast} M={M}')
            bench(lambda: torch._scaled_mm(h8,W28.t(),one,one,out_dtype=dt,use_fast_accum=fast), flops=f, name=f'proj fp8 fast={fast} M={M}')
    except Exception as ex:
        print('fp8 failed', ex)
for N in (32768, 131072):
    q=torch.randn(1,16,N,64,device=dev,dtype=dt); k=torch.randn(1,16,3072,64,device=dev,dtype=dt); v=torch.randn_like(k)
    qt=torch.randn(1,N,16,64,device=dev,dtype=dt).transpose(1,2)
    f=4*N*3072*1024
    for be in (SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION):
        for name,qq in (('contig',q),('transposed',qt)):
            try:
                with sdpa_kernel(be):
                    bench(lambda: F.scaled_dot_product_attention(qq,k,v), flops=f, name=f'sdpa {be.name} {name} N={N}')
            except Exception as ex:
                print('sdpa', be, 'failed', str(ex)[:100])
    # batch layout: queries split into B sequences of 4096 sharing k/v via expand
    B=N//4096
    qb=q.view(1,16,B,4096,64).transpose(1,2).reshape(B,16,4096,64)
    with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
        try:
            bench(lambda: F.scaled_dot_product_attention(qb,k.expand(B,-1,-1,-1),v.expand(B,-1,-1,-1)), flops=f, name=f'sdpa cudnn batched B={B}')
        except Exception as ex: print('batched failed', str(ex)[:100])
    try:
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            q8=q
            bench(lambda: F.scaled_dot_product_attention(q,k,v,scale=0.125), flops=f, name=f'sdpa cudnn scale N={N}')
    except Exception as ex: print(ex)
