#!/usr/bin/env python3
"""Writes the small safetensors seeds of corpus/safetensors (standard library only; re-run to regenerate)."""
import json
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "safetensors")
SIZES = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def write(name, tensors, metadata=None, pad_to=8, gap=0):
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for tname, dtype, shape, data in tensors:
        count = 1
        for d in shape:
            count *= d
        assert len(data) == count * SIZES[dtype], tname
        header[tname] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data + b"\0" * gap)
        offset += len(data) + gap
    text = json.dumps(header, separators=(",", ":")).encode()
    while (len(text) + 8) % pad_to:
        text += b" "
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


os.makedirs(HERE, exist_ok=True)
write("f32_f16_meta.safetensors",
      [("model.a.weight", "F32", [2, 2], struct.pack("<4f", 1.0, -2.0, 0.5, 3.25)),
       ("model.b", "F16", [3], struct.pack("<3H", 0x3C00, 0xC000, 0x7BFF))],
      metadata={"format": "pt", "note": "seed"})
write("all_dtypes.safetensors",
      [("bf16", "BF16", [2], struct.pack("<2H", 0x3F80, 0xFF80)),
       ("f64", "F64", [1], struct.pack("<d", 2.5)),
       ("i64", "I64", [2], struct.pack("<2q", -1, 1 << 40)),
       ("i32", "I32", [1, 1], struct.pack("<i", -7)),
       ("i16", "I16", [2], struct.pack("<2h", 300, -300)),
       ("i8", "I8", [2], struct.pack("<2b", -128, 127)),
       ("u8", "U8", [3], bytes([0, 128, 255])),
       ("flag", "BOOL", [2], bytes([0, 1]))])
write("empty_and_scalar.safetensors",
      [("empty", "F32", [0, 4], b""),
       ("scalar", "F32", [], struct.pack("<f", 42.0)),
       ("vae.decoder.x", "F16", [1, 2], struct.pack("<2H", 0x0001, 0x8000))])
write("unaligned.safetensors",
      [("conditioner.t", "U8", [3], b"abc"), ("conditioner.u", "F32", [1], struct.pack("<f", 1.5))],
      pad_to=1, gap=1)
