#!/usr/bin/env python3
"""Checks tools/export_inception.py on the real Inception-v3 architecture without downloading weights.

    SPIKEVAE_CLASSPATH=/path/to/onnxruntime-1.29.0.jar python3 tools/check_inception_export.py [is|fid]

`is` (the default): exports Inception-v3 with seeded random weights (`export_inception.py random`, about 100 MB, in a
temporary folder), runs `spikevae score --metric is --save-probabilities` on the fixture's images through ONNX
Runtime, and compares spikevae's class probabilities with PyTorch's.

`fid`: exports torchvision's Inception-v3 with seeded random weights and fc replaced by the identity (the 2048-d
pool), saved first as a TorchScript archive with a `layers` submodule like clean-fid's `inception-2015-12-05.pt` and
exported through the path `export_inception.py fid --model` takes (`export_inception.py random-fid`). The fixture's
images (grey 28x28 and 32x32, RGB 32x32, in [-1, 1]) are preprocessed in Python as clean-fid does (Pillow's float
bicubic to 299x299, clip to [0, 255]) and their features computed by PyTorch; `spikevae score --metric fid
--save-features` does the same in Java with ONNX Runtime, against statistics of PyTorch's own features (so the FID
printed should be about 0).

Needs python3-torch, python3-torchvision, python3-pil and python3-numpy. Exits 1 when a value differs by more than
1e-4 (for fid: 1e-4 or 1e-6 of the largest feature, whichever is larger — float32 features of a few hundred differ
by a few units in the last place).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SPIKEVAE = os.path.join(HERE, "..", "spikevae")


def check_is(tmp):
    graph = os.path.join(tmp, "inception_random.onnx")
    fixture = os.path.join(tmp, "fixture.npz")
    subprocess.run([sys.executable, os.path.join(HERE, "export_inception.py"), "random", graph, "--fixture",
                    fixture], check=True, stderr=subprocess.DEVNULL)
    fx = np.load(fixture)
    images = os.path.join(tmp, "images.npy")
    np.save(images, fx["images"])
    probs = os.path.join(tmp, "probs.npy")
    subprocess.run([SPIKEVAE, "score", "--metric", "is", "--images", images, "--is-model", graph, "--splits", "2",
                    "--save-probabilities", probs], check=True)
    ours = np.load(probs)
    theirs = fx["probabilities"]
    diff = float(np.abs(ours - theirs).max())
    same_top = int((ours.argmax(1) == theirs.argmax(1)).sum())
    print(f"{theirs.shape[0]} images, {theirs.shape[1]} classes: largest difference {diff:.3g}, "
          f"top class equal for {same_top}, largest probability {float(theirs.max()):.4f}")
    return diff


def check_fid(tmp):
    graph = os.path.join(tmp, "inception_fid_random.onnx")
    fixture = os.path.join(tmp, "fixture.npz")
    subprocess.run([sys.executable, os.path.join(HERE, "export_inception.py"), "random-fid", graph, "--fixture",
                    fixture, "--torchscript", os.path.join(tmp, "inception_random_ts.pt")], check=True,
                   stderr=subprocess.DEVNULL)
    fx = np.load(fixture)
    worst = 0.0
    for name in ("grey28", "grey32", "rgb32"):
        images = os.path.join(tmp, name + ".npy")
        np.save(images, fx["images_" + name])
        theirs = fx["features_" + name].astype(np.float64)
        stats = os.path.join(tmp, name + "_stats.npz")
        np.savez(stats, mu=theirs.mean(0), sigma=np.cov(theirs, rowvar=False))
        feats = os.path.join(tmp, name + "_features.npy")
        subprocess.run([SPIKEVAE, "score", "--metric", "fid", "--images", images, "--fid-model", graph, "--fid-stats",
                        stats, "--save-features", feats], check=True)
        ours = np.load(feats)
        diff = float(np.abs(ours - theirs).max())
        rel = diff / float(np.abs(theirs).max())
        print(f"{name}: {theirs.shape[0]} images, {theirs.shape[1]} features: largest difference {diff:.3g} "
              f"(largest feature {float(np.abs(theirs).max()):.4g}, relative {rel:.3g})")
        worst = max(worst, min(diff, diff * 1e-4 / (1e-6 * float(np.abs(theirs).max()))))
    return worst


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "is"
    if what not in ("is", "fid"):
        raise SystemExit("usage: check_inception_export.py [is|fid]")
    with tempfile.TemporaryDirectory() as tmp:
        diff = check_is(tmp) if what == "is" else check_fid(tmp)
    if diff > 1e-4:
        sys.exit(1)


if __name__ == "__main__":
    main()
