#!/usr/bin/env python3
"""Convert a published FAD autoencoder (.pth state dict of the FSVAE/ESVAE `AE` or `AELarge`) into the encoder
file spikevae's FAD reads.

Usage: python3 tools/convert_fad_autoencoder.py IN.pth OUT.safetensors

Needs Python 3 and PyTorch (Debian: python3-torch) to unpickle the .pth. Keeps only what FAD uses (docs/metrics.md):
the encoder's convolutions and BatchNorm affine parameters (`encoder.N.0.weight|bias`, `encoder.N.1.weight|bias`)
and `latent_layer.weight|bias`, as float32. BatchNorm running statistics are dropped: the protocol normalises with
the statistics of each batch. The metadata records the input channels, the number of stages (4: `AE` for 32x32
images, 5: `AELarge` for 64x64), the feature size and the SHA-256 of the source file.

The MNIST and Fashion-MNIST encoders are shipped converted in the jar; CIFAR-10 (`cifar10_128.pth`) and CelebA
(`celeba_128.pth`) are converted by the user with this script and passed with `--fad-weights`.
"""
import hashlib
import json
import struct
import sys

import torch


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    try:
        state = torch.load(src, map_location="cpu")
    except FileNotFoundError:
        raise SystemExit(f"{src}: no such file")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
    stages = 0
    while f"encoder.{stages}.0.weight" in state:
        stages += 1
    if stages == 0 or "latent_layer.weight" not in state:
        raise SystemExit(f"{src}: no encoder.N.0.weight / latent_layer.weight keys: not an AE state dict")
    tensors = {}
    for i in range(stages):
        for part in ("0.weight", "0.bias", "1.weight", "1.bias"):
            key = f"encoder.{i}.{part}"
            if key not in state:
                raise SystemExit(f"{src}: missing {key}")
            tensors[key] = state[key]
    tensors["latent_layer.weight"] = state["latent_layer.weight"]
    tensors["latent_layer.bias"] = state["latent_layer.bias"]
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    metadata = {
        "format": "spikevae-fad-encoder",
        "in_channels": str(state["encoder.0.0.weight"].shape[1]),
        "stages": str(stages),
        "features": str(state["latent_layer.weight"].shape[0]),
        "source_sha256": digest,
    }
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    print(f"{dst}: {stages} stages, {metadata['in_channels']} input channels, {metadata['features']} features")


if __name__ == "__main__":
    main()
