#!/usr/bin/env python3
"""Regenerates opencv5_resize_cases.bin: needs numpy and opencv-python 5.0 (x86-64, the build with IPP).

Usage: python3 make_opencv5_resize_cases.py OUTPUT.bin
The cases are drawn from a seeded generator; the file keeps 16 small ones (see README.md for the format).
"""
import struct
import sys
import zlib

import cv2
import numpy as np

rng = np.random.default_rng(20261127)


def smooth(h, w, cn):
    base = rng.integers(0, 256, (max(2, h // 8), max(2, w // 8), cn), dtype=np.uint8)
    img = cv2.resize(base, (w, h), interpolation=cv2.INTER_LINEAR)
    if img.ndim == 2:
        img = img[..., None]
    noise = rng.integers(-20, 21, img.shape)
    return np.clip(img.astype(np.int32) + noise, 0, 255).astype(np.uint8)


geoms = [(97, 61, 40, 33), (64, 48, 32, 24), (90, 60, 30, 20), (50, 80, 70, 40), (31, 17, 81, 57), (5, 4, 33, 29),
         (13, 11, 7, 5), (100, 100, 64, 64), (96, 96, 64, 64), (37, 29, 11, 9), (200, 150, 199, 149), (64, 64, 128, 128),
         (123, 77, 512, 300), (700, 700, 512, 512), (33, 65, 32, 64)]
cases = []
for cn in (1, 2, 3, 4):
    for (sw, sh, dw, dh) in geoms:
        for kind in ("noise", "smooth"):
            src = rng.integers(0, 256, (sh, sw, cn), dtype=np.uint8) if kind == "noise" else smooth(sh, sw, cn)
            src = np.ascontiguousarray(src)
            s = src[..., 0] if cn == 1 else src
            outs = [np.ascontiguousarray(cv2.resize(s, (dw, dh), interpolation=i)).tobytes()
                    for i in (cv2.INTER_AREA, cv2.INTER_CUBIC, cv2.INTER_NEAREST)]
            cases.append((cn, sw, sh, dw, dh, src.tobytes(), outs))

keep = [1, 3, 5, 11, 13, 19, 29, 41, 43, 49, 71, 73, 79, 101, 103, 109]
payload = bytearray(struct.pack("<I", len(keep)))
for k in keep:
    cn, sw, sh, dw, dh, src, outs = cases[k]
    payload += struct.pack("<BHHHH", cn, sw, sh, dw, dh) + src + b"".join(outs)
with open(sys.argv[1], "wb") as f:
    f.write(b"ORFEAS-RESIZE-1\n" + zlib.compress(bytes(payload), 9))
