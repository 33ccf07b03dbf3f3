#!/usr/bin/env python3
"""Check spikevae's ESVAE against the published PyTorch model on the same weights.

Usage: python3 tools/compare_published_esvae.py PUBLISHED_CHECKOUT [WORK_DIR]

PUBLISHED_CHECKOUT is a checkout of the authors' code (the repository with svae_models/esvae.py, global_v.py and
NetworkConfigs/esvae_configs/FASHION.yaml). The script builds their ESVAE with the Fashion-MNIST configuration
(L = 32, T = 16), gives it seeded random weights and batch-norm statistics under which every layer fires (as after
training), and in evaluation mode records the posterior rates r_q of 8 random images in [-1, 1] and the decoded
images of 8 fixed latent spike trains. It saves the state dict, converts it with tools/convert_reference_checkpoint.py,
runs `./spikevae encode` and `./spikevae decode` on the same inputs, and compares: posterior rates must be equal
(a spike that lands exactly on the threshold could flip; the count of such entries is printed) and decoded pixels
within 1e-3. Exit status 0 when both hold.

Needs Python 3 with PyTorch, numpy and PyYAML (Debian: python3-torch python3-numpy python3-yaml).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def published_outputs(checkout, work):
    sys.path.insert(0, checkout)
    import global_v as glv  # the published code's module of settings
    cfg = yaml.safe_load(open(os.path.join(checkout, "NetworkConfigs/esvae_configs/FASHION.yaml")))["Network"]
    glv.init(cfg, ["cpu"])
    from svae_models import esvae

    torch.manual_seed(7)
    net = esvae.ESVAE(device="cpu", distance_lambda=0.001, mmd_type="rbf")
    with torch.no_grad():
        # batch-norm statistics and affine parameters as after training, so that every layer fires
        for name, b in net.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn_like(b) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand_like(b) * 0.5 + 0.75)
        for name, p in net.named_parameters():
            if ".bn." in name and name.endswith("weight"):
                p.copy_(1.0 + 0.5 * torch.rand_like(p))
            elif ".bn." in name and name.endswith("bias"):
                p.copy_(0.15 + 0.1 * torch.randn_like(p))
        # a smaller last layer keeps the output off tanh's flat ends, where any error would hide
        net.final_layer[1].weight.mul_(0.05)
        net.final_layer[1].bias.mul_(0.05)
    net.eval()
    n, t, latent = 8, cfg["n_steps"], cfg["latent_dim"]
    x = torch.rand(n, 1, 32, 32) * 2 - 1
    z = (torch.rand(n, latent, t) < 0.3).float()
    with torch.no_grad():
        h = net.encoder(x.unsqueeze(-1).repeat(1, 1, 1, 1, t))
        h = torch.flatten(h, start_dim=1, end_dim=3)
        rates = net.before_latent_layer(h).mean(-1)
        decoded = net.decode(z)
    torch.save(net.state_dict(), os.path.join(work, "published.pth"))
    np.save(os.path.join(work, "x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(work, "z.npy"), z.numpy().astype(np.float32))
    return rates.numpy(), decoded.numpy()


def run(*args):
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=REPO)


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    checkout = os.path.abspath(sys.argv[1])
    if not os.path.isfile(os.path.join(checkout, "svae_models", "esvae.py")):
        raise SystemExit(f"{checkout}: no svae_models/esvae.py here (a checkout of the published ESVAE code?)")
    work = os.path.abspath(sys.argv[2]) if len(sys.argv) == 3 else tempfile.mkdtemp(prefix="esvae-parity-")
    os.makedirs(work, exist_ok=True)
    rates, decoded = published_outputs(checkout, work)
    ck = os.path.join(work, "published")
    run(sys.executable, os.path.join(REPO, "tools", "convert_reference_checkpoint.py"),
        os.path.join(work, "published.pth"), ck)
    run("./spikevae", "encode", "--checkpoint", ck + ".safetensors", "--input", os.path.join(work, "x.npy"),
        "--rates", os.path.join(work, "rates.npy"))
    run("./spikevae", "decode", "--checkpoint", ck + ".safetensors", "--spikes", os.path.join(work, "z.npy"),
        "--output", os.path.join(work, "decoded.npy"))
    got_rates = np.load(os.path.join(work, "rates.npy"))
    got_decoded = np.load(os.path.join(work, "decoded.npy"))
    differing = int((got_rates != rates).sum())
    pixel_error = float(np.abs(got_decoded - decoded).max())
    print(f"posterior rates: {differing} of {rates.size} differ (mean rate {rates.mean():.4f}), "
          f"max |difference| {np.abs(got_rates - rates).max():.6g}")
    print(f"decoded pixels: max |difference| {pixel_error:.3g} (range {decoded.min():.3f} .. {decoded.max():.3f})")
    ok = differing == 0 and pixel_error <= 1e-3
    print("agree" if ok else "DISAGREE", f"(work files in {work})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
