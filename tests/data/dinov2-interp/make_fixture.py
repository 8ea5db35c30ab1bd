"""Reference outputs of Hugging Face's Dinov2Model behind the Hunyuan3D-2 image encoder's transform, for a grid that
differs from the one the position embeddings were stored for (so they are interpolated), and for a downscaled,
non-square input (antialiased resize, centre crop). Run with torch, torchvision, transformers and safetensors:

    python make_fixture.py OUTPUT_DIR

Writes weights.safetensors (conditioner.main_image_encoder.model.* in float32, hidden 48, 2 layers, SwiGLU, stored
grid 5x5 = image_size 70) and io-square.safetensors / io-wide.safetensors (pre.image in [-1, 1], cond.main).
The encoder's image_size is 84: a 6x6 patch grid.
"""
import sys

import torch
import torchvision
import transformers
from safetensors.torch import save_file
from torchvision import transforms
from transformers import Dinov2Config, Dinov2Model

out = sys.argv[1]
torch.manual_seed(20261127)
config = Dinov2Config(hidden_size=48, num_hidden_layers=2, num_attention_heads=4, patch_size=14, image_size=70,
                      mlp_ratio=4, layer_norm_eps=1e-6, layerscale_value=1.0, use_swiglu_ffn=True, hidden_act="gelu",
                      qkv_bias=True, attention_probs_dropout_prob=0.0, hidden_dropout_prob=0.0, drop_path_rate=0.0)
model = Dinov2Model(config).eval()
with torch.no_grad():
    # Every parameter random, so that a parameter used wrongly changes the output.
    for name, p in model.named_parameters():
        if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("layernorm.weight"):
            p.copy_(1.0 + 0.2 * torch.randn_like(p))
        elif "lambda1" in name:
            p.copy_(0.5 + 0.3 * torch.randn_like(p))
        else:
            p.copy_(0.15 * torch.randn_like(p))

encoder_size = 84
transform = transforms.Compose([
    transforms.Resize(encoder_size, transforms.InterpolationMode.BILINEAR, antialias=True),
    transforms.CenterCrop(encoder_size),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])

meta = {"torch": torch.__version__, "torchvision": torchvision.__version__, "transformers": transformers.__version__,
        "encoder_image_size": str(encoder_size)}
weights = {"conditioner.main_image_encoder.model." + k: v.contiguous().float() for k, v in model.state_dict().items()}
save_file(weights, f"{out}/weights.safetensors", metadata=meta)

for name, (h, w) in {"square": (100, 100), "wide": (90, 131)}.items():
    # A smooth random image (downscaling matters) in [-1, 1].
    coarse = torch.rand(1, 3, h // 6 + 1, w // 6 + 1) * 2 - 1
    image = torch.nn.functional.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False).clamp(-1, 1)
    image = (image + 0.1 * torch.randn_like(image)).clamp(-1, 1)
    with torch.no_grad():
        pixels = transform((image + 1) / 2)
        hidden = model(pixels).last_hidden_state
    save_file({"pre.image": image.contiguous(), "cond.main": hidden.contiguous()}, f"{out}/io-{name}.safetensors",
              metadata=meta)
    print(name, tuple(pixels.shape), tuple(hidden.shape), float(hidden.abs().max()))
print(meta)
