#!/usr/bin/env python3
"""Export the Inception networks of IS and FID to ONNX for spikevae (docs/metrics.md), once, where PyTorch is installed.

    python3 tools/export_inception.py is OUT.onnx [--weights inception_v3_google.pth]
    python3 tools/export_inception.py fid OUT.onnx --model inception-2015-12-05.pt
    python3 tools/export_inception.py fid OUT.onnx --torchvision-weights STATE_DICT.pth
    python3 tools/export_inception.py tiny OUT.onnx --fixture FIXTURE.npz       (IS test model, random weights)
    python3 tools/export_inception.py random OUT.onnx --fixture FIXTURE.npz     (IS, Inception-v3, seeded random)
    python3 tools/export_inception.py tiny-fid OUT.onnx --fixture FIXTURE.npz   (FID test model, random weights)
    python3 tools/export_inception.py random-fid OUT.onnx --fixture FIXTURE.npz [--torchscript TS.pt]
                                                                                (FID, Inception-v3, seeded random)

`is`: torchvision's Inception-v3 (transform_input=False, eval mode) with its ImageNet weights — from --weights (a
state dict file) or torchvision's own download. The exported graph takes images [N, 3, H, W] with values in
[0, 255] (no ImageNet normalisation: the published protocol's quirk), upsamples them bilinearly to 299x299
(align_corners=False) and returns the softmax over the 1000 classes. spikevae maps its [-1, 1] images to
[0, 255] and repeats grey to three channels before feeding it.

`fid`: the feature network of clean-fid's "clean" FID (docs/reference.md section 6.3). --model takes a TorchScript
archive, normally clean-fid's `inception-2015-12-05.pt` (the TensorFlow Inception graph ported to TorchScript; the
user downloads it): when the archive has a `layers` submodule (as that one does), the exported graph is clean-fid's
feature path, `layers((x - 128) / 128)` reshaped to [N, 2048]; any other TorchScript module is called as
`module((x - 128) / 128)` and reshaped to [N, features]. --torchvision-weights takes a state dict of torchvision's
Inception-v3 instead, with its last layer (fc) replaced by the identity so that it returns the 2048-d pool. The
graph takes images [N, 3, 299, 299] with values in [0, 255], already resized: spikevae resizes with Pillow's
float bicubic and clips to [0, 255] first, as clean-fid does.

`tiny`: the same wrapper (upsampling to 299x299, softmax) around a small random convolutional classifier, with a
fixture of inputs and PyTorch's outputs: what OnnxInceptionTest checks spikevae's ONNX path against.
`random`: the `is` graph with seeded random weights instead of ImageNet's (no download), with the same kind of
fixture, to check the export of the real architecture against spikevae (about 100 MB; not committed).
`tiny-fid`: the FID wrapper around a small random convolutional feature network, with a fixture of images in
[-1, 1] (grey 28x28 and 32x32, RGB 32x32), clean-fid's preprocessing of them done with Pillow here, and PyTorch's
features: what OnnxFidTest checks spikevae's resize and ONNX path against. `random-fid`: torchvision's Inception-v3
with seeded random weights (batch-norm statistics measured on a few noise inputs; its features on the fixture still
reach several hundred) and fc replaced by the identity (the 2048-d pool), saved as TorchScript with a `layers`
submodule like clean-fid's archive (to --torchscript, or a temporary file) and exported through the same path as
`fid --model`, with the same kind of fixture (about 100 MB; not committed; tools/check_inception_export.py fid).
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


class FeatureGraph(nn.Module):
    """[N, 3, 299, 299] in [0, 255] -> (x - 128) / 128 -> feature network -> [N, features] (clean-fid's path)."""

    def __init__(self, features):
        super().__init__()
        self.features = features

    def forward(self, x):
        y = self.features((x - 128) / 128)
        return y.reshape(x.shape[0], -1)


class LayersHolder(nn.Module):
    """A module laid out like clean-fid's TorchScript archive: the feature network is its `layers`."""

    def __init__(self, layers):
        super().__init__()
        self.layers = layers

    def forward(self, x):
        return self.layers(x)


def torchscript_features(path):
    module = torch.jit.load(path, map_location="cpu").eval()
    return module.layers if hasattr(module, "layers") else module


def torchvision_pool(weights=None, seed=None):
    from torchvision.models import inception_v3
    if seed is not None:
        torch.manual_seed(seed)
    net = inception_v3(weights=None, aux_logits=True, transform_input=False, init_weights=seed is not None)
    if weights:
        net.load_state_dict(torch.load(weights, map_location="cpu"))
    net.fc = nn.Identity()
    return net.eval()


def tiny_features():
    torch.manual_seed(4)
    return nn.Sequential(nn.Conv2d(3, 8, 7, stride=5), nn.ReLU(), nn.Conv2d(8, 12, 3, stride=3), nn.Tanh(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(12, 16))


def clean_preprocess(images):
    """clean-fid's "clean" input of images [N, C, H, W] in [-1, 1]: (x + 1) / 2 * 255, grey repeated to three
    channels, each channel resized to 299x299 by Pillow's bicubic filter on float32 ('F' mode), clipped to [0, 255]."""
    from PIL import Image
    x = (images + 1) / 2 * 255
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    x = x.numpy().astype(np.float32)
    out = np.empty((x.shape[0], 3, 299, 299), dtype=np.float32)
    for i in range(x.shape[0]):
        for c in range(3):
            img = Image.fromarray(x[i, c], mode="F").resize((299, 299), resample=Image.BICUBIC)
            out[i, c] = np.asarray(img, dtype=np.float32).clip(0, 255)
    return torch.from_numpy(out)


def fid_fixture(graph, path):
    g = torch.Generator().manual_seed(6)
    arrays = {}
    feats = []
    for name, shape in (("grey28", (3, 1, 28, 28)), ("grey32", (3, 1, 32, 32)), ("rgb32", (2, 3, 32, 32))):
        images = torch.rand(*shape, generator=g) * 2 - 1
        images[0, :, 8:14, :] = 1.0  # saturated rows: the bicubic overshoot is clipped
        images[-1, :, :, 20:] = -1.0
        x = clean_preprocess(images)
        with torch.no_grad():
            f = graph(x)
        arrays["images_" + name] = images.numpy()
        arrays["features_" + name] = f.numpy()
        arrays["corner_" + name] = x[:, :, :5, :5].numpy()  # the resized input's corner, to locate a disagreement
        feats.append(f)
    np.savez_compressed(path, **arrays)
    f = torch.cat(feats)
    print("wrote", path, "features", tuple(f.shape), "spread", float(f.std()))


def export_features(graph, out):
    graph.eval()
    dummy = torch.zeros(2, 3, 299, 299)
    if isinstance(graph.features, torch.jit.ScriptModule):
        # a TorchScript network cannot be traced as a submodule of a Python one: script the wrapper around it
        graph = torch.jit.script(graph)
    torch.onnx.export(graph, dummy, out, input_names=["images"], output_names=["features"],
                      dynamic_axes={"images": {0: "n"}, "features": {0: "n"}}, opset_version=13)


def export(graph, out):
    graph.eval()
    dummy = torch.zeros(2, 3, 32, 32)
    torch.onnx.export(graph, dummy, out, input_names=["images"], output_names=["probabilities"],
                      dynamic_axes={"images": {0: "n", 2: "h", 3: "w"}, "probabilities": {0: "n"}}, opset_version=13)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["is", "tiny", "random", "fid", "tiny-fid", "random-fid"])
    ap.add_argument("out")
    ap.add_argument("--weights", help="is: a state dict of torchvision's Inception-v3 (default: its download)")
    ap.add_argument("--model", help="fid: a TorchScript archive, e.g. clean-fid's inception-2015-12-05.pt")
    ap.add_argument("--torchvision-weights", help="fid: a state dict of torchvision's Inception-v3 instead")
    ap.add_argument("--torchscript", help="random-fid: where to keep the TorchScript archive it exports from")
    ap.add_argument("--fixture")
    a = ap.parse_args()
    if a.what in ("fid", "tiny-fid", "random-fid"):
        fid_main(a)
        return
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


def fid_main(a):
    if a.what == "fid":
        if bool(a.model) == bool(a.torchvision_weights):
            raise SystemExit("fid: give --model inception-2015-12-05.pt (clean-fid's TorchScript Inception) or "
                             "--torchvision-weights STATE_DICT.pth")
        if a.model and not os.path.isfile(a.model):
            raise SystemExit(a.model + ": no such file; clean-fid's Inception is inception-2015-12-05.pt "
                             "(docs/metrics.md, FID)")
        net = torchscript_features(a.model) if a.model else torchvision_pool(a.torchvision_weights)
        graph = FeatureGraph(net).eval()
    elif a.what == "tiny-fid":
        graph = FeatureGraph(tiny_features()).eval()
    else:
        import tempfile
        net = torchvision_pool(seed=12)
        # random weights with batch-norm statistics of mean 0 and variance 1 give features of about 1e10; batch-norm
        # statistics measured on a few inputs keep them near 1, so that 1e-4 is a meaningful tolerance
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.reset_running_stats()
                m.momentum = None  # a cumulative average
        net.train()
        with torch.no_grad():
            probe = torch.rand(6, 3, 299, 299, generator=torch.Generator().manual_seed(2)) * 2 - 1
            net(probe)
        net.eval()
        ts = a.torchscript or os.path.join(tempfile.mkdtemp(), "inception_random_ts.pt")
        with torch.no_grad():
            traced = torch.jit.trace(LayersHolder(net).eval(), torch.zeros(1, 3, 299, 299))
        torch.jit.save(traced, ts)
        graph = FeatureGraph(torchscript_features(ts)).eval()  # the path `fid --model` takes
    with torch.no_grad():
        d = graph(torch.zeros(1, 3, 299, 299)).shape[1]
    export_features(graph, a.out)
    print("wrote", a.out, os.path.getsize(a.out), "bytes,", d, "features")
    if a.fixture:
        fid_fixture(graph, a.fixture)


if __name__ == "__main__":
    main()
