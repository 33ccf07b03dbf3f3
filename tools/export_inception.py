#!/usr/bin/env python3
"""Export the Inception Score network to ONNX for spikevae (docs/metrics.md), once, where PyTorch is installed.

    python3 tools/export_inception.py is OUT.onnx [--weights inception_v3_google.pth]
    python3 tools/export_inception.py tiny OUT.onnx --fixture FIXTURE.npz     (the test model, random weights)
    python3 tools/export_inception.py random OUT.onnx --fixture FIXTURE.npz   (Inception-v3, seeded random weights)

`is`: torchvision's Inception-v3 (transform_input=False, eval mode) with its ImageNet weights — from --weights (a
state dict file) or torchvision's own download. The exported graph takes images [N, 3, H, W] with values in
[0, 255] (no ImageNet normalisation: the published protocol's quirk), upsamples them bilinearly to 299x299
(align_corners=False) and returns the softmax over the 1000 classes. spikevae maps its [-1, 1] images to
[0, 255] and repeats grey to three channels before feeding it.

`tiny`: the same wrapper (upsampling to 299x299, softmax) around a small random convolutional classifier, with a
fixture of inputs and PyTorch's outputs: what OnnxInceptionTest checks spikevae's ONNX path against.
`random`: the `is` graph with seeded random weights instead of ImageNet's (no download), with the same kind of
fixture, to check the export of the real architecture against spikevae (about 100 MB; not committed).
"""
import argparse
import os

import numpy as np
import torch
from torch import nn


class ScoreGraph(nn.Module):
    """[N, 3, H, W] in [0, 255] -> bilinear 299x299 -> classifier -> softmax."""

    def __init__(self, classifier):
        super().__init__()
        self.classifier = classifier

    def forward(self, x):
        x = nn.functional.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        logits = self.classifier(x)
        if isinstance(logits, tuple):
            logits = logits[0]
        return torch.softmax(logits, dim=-1)


def tiny_classifier():
    torch.manual_seed(3)
    net = nn.Sequential(nn.Conv2d(3, 8, 5, stride=4), nn.ReLU(), nn.Conv2d(8, 16, 3, stride=2), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(0.5)  # inputs are in [0, 255]: smaller weights keep the softmax away from one-hot
    return net


def inception(weights):
    from torchvision.models import inception_v3
    if weights:
        net = inception_v3(weights=None, aux_logits=True, transform_input=False, init_weights=False)
        net.load_state_dict(torch.load(weights, map_location="cpu"))
    else:
        net = inception_v3(weights="IMAGENET1K_V1", transform_input=False)
    return net


def export(graph, out):
    graph.eval()
    dummy = torch.zeros(2, 3, 32, 32)
    torch.onnx.export(graph, dummy, out, input_names=["images"], output_names=["probabilities"],
                      dynamic_axes={"images": {0: "n", 2: "h", 3: "w"}, "probabilities": {0: "n"}}, opset_version=13)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["is", "tiny", "random"])
    ap.add_argument("out")
    ap.add_argument("--weights")
    ap.add_argument("--fixture")
    a = ap.parse_args()
    if a.what == "is":
        graph = ScoreGraph(inception(a.weights))
        export(graph, a.out)
        print("wrote", a.out)
        return
    if a.what == "random":
        from torchvision.models import inception_v3
        torch.manual_seed(11)
        net = inception_v3(weights=None, aux_logits=True, transform_input=False, init_weights=True)
        graph = ScoreGraph(net).eval()
        with torch.no_grad():
            # random features of [0, 255] inputs are large: scale the last layer so the logits have a spread of about
            # 2 and the softmax is not one-hot (a check of one-hot outputs would prove little)
            probe = torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(1)) * 255
            up = nn.functional.interpolate(probe, size=(299, 299), mode="bilinear", align_corners=False)
            spread = float(net(up).std())
            net.fc.weight.mul_(2 / spread)
            net.fc.bias.zero_()
    else:
        graph = ScoreGraph(tiny_classifier()).eval()
    export(graph, a.out)
    if a.fixture:
        g = torch.Generator().manual_seed(5)
        images = torch.rand(6, 1, 32, 32, generator=g) * 2 - 1  # generated images in [-1, 1], grey
        x = ((images + 1) / 2 * 255).repeat(1, 3, 1, 1)  # the published preprocessing
        with torch.no_grad():
            probs = graph(x)
        np.savez_compressed(a.fixture, images=images.numpy(), probabilities=probs.numpy())
        print("wrote", a.fixture, "largest probability of each image", probs.max(dim=1).values.numpy().round(4).tolist())
    print("wrote", a.out, os.path.getsize(a.out), "bytes")


if __name__ == "__main__":
    main()
