#!/usr/bin/env python3
"""Writes src/test/resources/dev/spikevae/metrics/fashion_ae_features.npz: fixed inputs and the features the
published Fashion-MNIST FAD autoencoder gives them in PyTorch, with BatchNorm using the statistics of the batch
(the protocol of docs/metrics.md). FadEncoderTest checks the Java encoder against it.

Usage (Debian: python3-torch, python3-numpy): python3 tools/make_fad_fixture.py PATH/TO/fashion_64.pth

The encoder is written out here from its description (docs/metrics.md): four stages of Conv2d 3x3 stride 2
padding 1, BatchNorm2d, LeakyReLU(0.01) with 32, 64, 128, 256 channels, then flatten and a Linear to 64.
"""
import os
import sys

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "dev", "spikevae", "metrics",
                   "fashion_ae_features.npz")


class Encoder(nn.Module):
    def __init__(self, in_channels=1, features=64, widths=(32, 64, 128, 256)):
        super().__init__()
        stages = []
        for w in widths:
            stages.append(nn.Sequential(nn.Conv2d(in_channels, w, 3, stride=2, padding=1), nn.BatchNorm2d(w),
                                        nn.LeakyReLU(0.01)))
            in_channels = w
        self.encoder = nn.Sequential(*stages)
        self.latent_layer = nn.Linear(widths[-1] * 4, features)

    def forward(self, x):
        return self.latent_layer(torch.flatten(self.encoder(x), start_dim=1))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    state = torch.load(sys.argv[1], map_location="cpu")
    model = Encoder()
    missing = model.load_state_dict({k: v for k, v in state.items()
                                     if k.startswith("encoder.") or k.startswith("latent_layer.")})
    print(missing)
    model.train()  # batch statistics, as the protocol has it

    g = torch.Generator().manual_seed(12)
    n = 32
    noise = torch.rand(n // 2, 1, 32, 32, generator=g) * 2 - 1
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, 32), torch.linspace(-1, 1, 32), indexing="ij")
    k = torch.arange(n // 2, dtype=torch.float32).view(-1, 1, 1, 1)
    blobs = torch.tanh(3 * (0.6 - (xx ** 2 + (yy * (1 + k / 8)) ** 2).sqrt())) * torch.cos(k) 
    images = torch.cat([noise, blobs.clamp(-1, 1)]).contiguous()
    with torch.no_grad():
        features = model(images)
    np.savez_compressed(OUT, images=images.numpy().astype(np.float32), features=features.numpy().astype(np.float32))
    print("wrote", os.path.normpath(OUT), "features std", float(features.std()))


if __name__ == "__main__":
    main()
