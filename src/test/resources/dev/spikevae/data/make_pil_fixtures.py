#!/usr/bin/python3
"""Writes the Pillow reference fixtures that ResizeTest and CelebaTest compare against.

Run once from this folder with Debian's python3-pil (Pillow 9.4) and python3-numpy:
    /usr/bin/python3 make_pil_fixtures.py
Every file is raw bytes (u8) or little-endian float32, in the row-major layout numpy gives
(H, W) for one plane, (H, W, 3) for RGB). The inputs are seeded random noise, the hardest case
for a resampler, so any difference in coefficients or rounding shows.
"""
import numpy as np
from PIL import Image

rng = np.random.default_rng(20261128)


def u8_case(name, mode, in_w, in_h, out_w, out_h):
    shape = (in_h, in_w, 3) if mode == "RGB" else (in_h, in_w)
    src = rng.integers(0, 256, size=shape, dtype=np.uint8)
    out = np.asarray(Image.fromarray(src, mode).resize((out_w, out_h), Image.BILINEAR))
    with open(name, "wb") as f:
        f.write(src.tobytes())
        f.write(out.tobytes())


def float_case(name, in_w, in_h, out_w, out_h):
    src = rng.uniform(-1.0, 256.0, size=(in_h, in_w)).astype(np.float32)
    out = np.asarray(Image.fromarray(src, "F").resize((out_w, out_h), Image.BILINEAR), dtype=np.float32)
    with open(name, "wb") as f:
        f.write(src.astype("<f4").tobytes())
        f.write(out.astype("<f4").tobytes())


# MNIST and Fashion-MNIST: 28x28 upscaled to 32x32.
u8_case("pil-bilinear-L-28x28-to-32x32.bin", "L", 28, 28, 32, 32)
# CelebA: the 148x148 centre crop downscaled to 64x64 (antialiased), RGB.
u8_case("pil-bilinear-RGB-148x148-to-64x64.bin", "RGB", 148, 148, 64, 64)
# Mixed: width shrinks, height grows, non-square.
u8_case("pil-bilinear-L-30x17-to-11x40.bin", "L", 30, 17, 11, 40)
# The float path ('F' mode: double coefficients, double accumulation, float between passes).
float_case("pil-bilinear-F-28x28-to-32x32.bin", 28, 28, 32, 32)
float_case("pil-bilinear-F-148x148-to-64x64.bin", 148, 148, 64, 64)

# CelebA end to end: a smooth synthetic 178x218 face-sized JPEG (smooth so that two JPEG decoders
# agree closely), then the reference transform CenterCrop(148) + Resize(64, 64) as torchvision
# does it on a PIL image: crop box (15, 35, 163, 183), bilinear resize.
yy, xx = np.mgrid[0:218, 0:178].astype(np.float64)
r = 128 + 100 * np.sin(xx / 17.0) * np.cos(yy / 23.0)
g = 60 + 0.8 * yy
b = 200 - 150 * np.exp(-((xx - 89) ** 2 + (yy - 109) ** 2) / (2 * 40.0 ** 2))
rgb = np.clip(np.stack([r, g, b], axis=-1), 0, 255).round().astype(np.uint8)
Image.fromarray(rgb, "RGB").save("pil-celeba-like.jpg", quality=95)
img = Image.open("pil-celeba-like.jpg")
out = np.asarray(img.crop((15, 35, 163, 183)).resize((64, 64), Image.BILINEAR))
with open("pil-celeba-like-64x64.bin", "wb") as f:
    f.write(out.tobytes())
# The training transform flips before the crop; the Java loader mirrors the 64x64 result instead.
flipped = np.asarray(img.transpose(Image.FLIP_LEFT_RIGHT).crop((15, 35, 163, 183)).resize((64, 64), Image.BILINEAR))
with open("pil-celeba-like-64x64-flipped-first.bin", "wb") as f:
    f.write(flipped.tobytes())
