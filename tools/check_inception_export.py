#!/usr/bin/env python3
"""Checks tools/export_inception.py on the real Inception-v3 architecture without downloading weights: exports it with
seeded random weights (`export_inception.py random`, about 100 MB, in a temporary folder), runs
`spikevae score --metric is --save-probabilities` on the fixture's images through ONNX Runtime, and compares
spikevae's class probabilities with PyTorch's.

    SPIKEVAE_CLASSPATH=/path/to/onnxruntime-1.29.0.jar python3 tools/check_inception_export.py

Needs python3-torch, python3-torchvision and python3-numpy. Exits 1 when a probability differs by more than 1e-4.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        graph = os.path.join(tmp, "inception_random.onnx")
        fixture = os.path.join(tmp, "fixture.npz")
        subprocess.run([sys.executable, os.path.join(HERE, "export_inception.py"), "random", graph, "--fixture",
                        fixture], check=True, stderr=subprocess.DEVNULL)
        fx = np.load(fixture)
        images = os.path.join(tmp, "images.npy")
        np.save(images, fx["images"])
        probs = os.path.join(tmp, "probs.npy")
        subprocess.run([os.path.join(HERE, "..", "spikevae"), "score", "--metric", "is", "--images", images,
                        "--is-model", graph, "--splits", "2", "--save-probabilities", probs], check=True)
        ours = np.load(probs)
        theirs = fx["probabilities"]
        diff = float(np.abs(ours - theirs).max())
        same_top = int((ours.argmax(1) == theirs.argmax(1)).sum())
        print(f"{theirs.shape[0]} images, {theirs.shape[1]} classes: largest difference {diff:.3g}, "
              f"top class equal for {same_top}, largest probability {float(theirs.max()):.4f}")
        if diff > 1e-4:
            sys.exit(1)


if __name__ == "__main__":
    main()
