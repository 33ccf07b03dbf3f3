#!/usr/bin/env python3
"""Writes src/test/resources/dev/spikevae/metrics/pillow_bicubic.npz: float images resized by Pillow's bicubic filter
in 'F' (float32) mode, the resize of clean-fid's "clean" protocol (docs/metrics.md, FID), for PillowBicubicTest.

Cases (input height x width -> output height x width): 28x28, 32x32 and 64x64 up to 299x299 (the datasets' sizes to
Inception's), 64x64 down to 28x28 and a non-square 40x100 down to 17x33 (support scaled by the reduction), and a
non-square upsampling 20x13 -> 47x90. Inputs mix uniform noise in [0, 255] with hard edges (whose overshoot leaves
[0, 255] before the clip). To keep the file small, a 299x299 output is stored on a grid of rows and columns (every 5th,
plus the two first and last); smaller outputs are stored whole.

    /usr/bin/python3 tools/make_pillow_bicubic_fixture.py      (Debian: python3-pil, python3-numpy)
"""
import os

import numpy as np
import PIL
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "dev", "spikevae", "metrics",
                   "pillow_bicubic.npz")

CASES = [((28, 28), (299, 299)), ((32, 32), (299, 299)), ((64, 64), (299, 299)), ((64, 64), (28, 28)),
         ((40, 100), (17, 33)), ((20, 13), (47, 90))]


def image(rng, h, w):
    x = rng.uniform(0, 255, size=(h, w)).astype(np.float32)
    x[h // 4:h // 2, :] = 255.0  # a bright band: bicubic overshoots above 255 next to it
    x[:, w // 3] = 0.0
    x[h - 3:, w - 4:] = 0.0
    return x


def grid(n):
    if n < 100:
        return np.arange(n)
    return np.array(sorted(set(range(0, n, 5)) | {1, 2, n - 2, n - 1}))


def main():
    rng = np.random.default_rng(20261202)
    arrays = {}
    for k, ((h, w), (oh, ow)) in enumerate(CASES):
        x = image(rng, h, w)
        y = np.asarray(Image.fromarray(x, mode="F").resize((ow, oh), resample=Image.BICUBIC), dtype=np.float32)
        assert y.shape == (oh, ow)
        rows, cols = grid(oh), grid(ow)
        arrays[f"in{k}"] = x
        arrays[f"size{k}"] = np.array([oh, ow], dtype=np.int32)
        arrays[f"rows{k}"] = rows.astype(np.int32)
        arrays[f"cols{k}"] = cols.astype(np.int32)
        arrays[f"out{k}"] = y[np.ix_(rows, cols)]
        print(f"case {k}: {h}x{w} -> {oh}x{ow}, output range [{y.min():.3f}, {y.max():.3f}]")
    np.savez_compressed(OUT, **arrays)
    print("wrote", OUT, os.path.getsize(OUT), "bytes, Pillow", PIL.__version__)


if __name__ == "__main__":
    main()
