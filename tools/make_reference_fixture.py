#!/usr/bin/env python3
"""Build the test fixture for the reference-checkpoint importer (run once; the outputs are committed).

Makes a random-initialised state dict with exactly the reference ESVAE keys and shapes of docs/reference.md
section 13 (FashionMNIST config: 1 input channel, L = 32, T = 16), plus a few unused prior.* / posterior.*
keys as the reference has, saves it as a .pth, converts it with tools/convert_reference_checkpoint.py, and
writes expected.json: for every kept key its sum and the values at a few reference indices (given in the
reference layout, time axis included), which the Java test compares with the loaded model.

Usage: python3 tools/make_reference_fixture.py OUT_DIR
"""
import json
import os
import subprocess
import sys

import torch

L, T, C = 32, 16, 1


def reference_shapes():
    shapes = {}

    def conv(name, cout, cin):
        shapes[name + ".weight"] = (cout, cin, 3, 3, 1)
        shapes[name + ".bias"] = (cout,)
        bn(name, cout)

    def convt(name, cin, cout, with_bn=True):
        shapes[name + ".weight"] = (cin, cout, 3, 3, 1)
        shapes[name + ".bias"] = (cout,)
        if with_bn:
            bn(name, cout)

    def bn(name, c):
        for k in ("weight", "bias", "running_mean", "running_var"):
            shapes[f"{name}.bn.{k}"] = (c,)
        shapes[f"{name}.bn.num_batches_tracked"] = ()

    def linear(name, fin, fout):
        shapes[name + ".weight"] = (fout, fin)
        shapes[name + ".bias"] = (fout,)
        bn(name, fout)

    conv("encoder.0", 32, C)
    conv("encoder.1", 64, 32)
    conv("encoder.2", 128, 64)
    conv("encoder.3", 256, 128)
    linear("before_latent_layer", 1024, L)
    linear("decoder_input", L, 1024)
    convt("decoder.0", 256, 128)
    convt("decoder.1", 128, 64)
    convt("decoder.2", 64, 32)
    convt("final_layer.0", 32, 32)
    convt("final_layer.1", 32, C, with_bn=False)
    shapes["membrane_output_layer.coef"] = (1, 1, 1, 1, T)
    shapes["sample_layer.0.weight"] = (L, L)
    shapes["sample_layer.0.bias"] = (L,)
    return shapes


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    g = torch.Generator().manual_seed(1234)
    state = {}
    for name, shape in reference_shapes().items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(7, dtype=torch.int64)
        elif name.endswith("running_var"):
            state[name] = torch.rand(shape, generator=g) + 0.5
        elif name == "membrane_output_layer.coef":
            state[name] = torch.tensor([0.8 ** (T - 1 - t) for t in range(T)]).reshape(shape)
        else:
            state[name] = torch.randn(shape, generator=g) * 0.1
    # unused FSVAE nets that ESVAE instantiates: the importer must skip them
    state["prior.layers.0.weight"] = torch.randn(3, 4, generator=g)
    state["posterior.layers.0.weight"] = torch.randn(5, 2, generator=g)
    pth = os.path.join(out_dir, "reference-fashion-L32.pth")
    torch.save(state, pth)
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "convert_reference_checkpoint.py")
    subprocess.run([sys.executable, tool, pth, os.path.join(out_dir, "reference-fashion-L32")], check=True)
    expected = {}
    for name, t in state.items():
        if name.startswith("prior.") or name.startswith("posterior."):
            continue
        t = t.to(torch.float64)
        flat = t.reshape(-1)
        probes = []
        for frac in (0.0, 0.37, 0.81):
            i = int(frac * (flat.numel() - 1))
            idx, rest = [], i
            for d in reversed(t.shape):
                idx.insert(0, rest % d)
                rest //= d
            probes.append({"index": [int(v) for v in idx], "value": float(flat[i])})
        expected[name] = {"shape": list(t.shape), "sum": float(t.sum()), "probes": probes}
    with open(os.path.join(out_dir, "reference-fashion-L32.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    os.remove(pth)
    print("fixture written to", out_dir)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip())
        sys.exit(2)
    main(sys.argv[1])
