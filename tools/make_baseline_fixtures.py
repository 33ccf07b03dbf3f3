#!/usr/bin/env python3
"""Build the decode fixtures of the FSVAE and ANN VAE checkpoint importers (run once; the outputs are committed).

For each model it instantiates the published PyTorch class from a checkout of the published ESVAE repository
(which carries FSVAE's code and the ANN VAE), gives it random-initialised weights and batch-norm statistics,
saves the state dict as .pth, converts it with tools/convert_reference_checkpoint.py, and records what the
published model's decoder gives in evaluation mode for fixed latent inputs:

- fsvae-L16: FSVAE (1 channel, 32x32, L = 16, k = 20, T = 16) decoding fixed binary spike trains (N, L, T);
- ann-vae-L16: VanillaVAE (1 channel, 32x32, latent 16) decoding fixed z (N, 16).

A seed is kept only if scaling every parameter by 1 + 1e-5·N(0, 1) moves the decoded images by less than 1e-4, so
that no membrane sits so close to a threshold that rounding decides a spike. Writes NAME.safetensors, NAME.json (the converted checkpoint) and
NAME.decode.json ({"input_shape", "input", "output_shape", "output"}, inputs in the published layout).

Usage: python3 tools/make_baseline_fixtures.py PUBLISHED_ESVAE_CHECKOUT OUT_DIR
"""
import copy
import json
import os
import subprocess
import sys

import torch

N, L, T, K = 3, 16, 16, 20


def randomise(model, g):
    """Weights keep PyTorch's initialisation; batch-norm affine and running statistics become non-trivial."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                c = module.num_features
                module.weight.copy_(1 + 0.2 * torch.randn(c, generator=g))
                module.bias.copy_(0.1 * torch.randn(c, generator=g))
                module.running_mean.copy_(0.05 * torch.randn(c, generator=g))
                module.running_var.copy_(0.75 + 0.5 * torch.rand(c, generator=g))
                module.num_batches_tracked.fill_(11)


def stable_decode(model, z, g):
    """The decode in evaluation mode, and how far it moves when every parameter is scaled by 1 + 1e-5·N(0, 1)."""
    model.eval()
    shaken = copy.deepcopy(model)
    with torch.no_grad():
        for p in shaken.parameters():
            p.mul_(1 + 1e-5 * torch.randn(p.shape, generator=g))
        out = model.decode(z)
        moved = shaken.decode(z)
    return out, float((out - moved).abs().max())


def write(out_dir, name, model, z, out):
    pth = os.path.join(out_dir, name + ".pth")
    torch.save(model.state_dict(), pth)
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "convert_reference_checkpoint.py")
    subprocess.run([sys.executable, tool, pth, os.path.join(out_dir, name)], check=True)
    os.remove(pth)
    with open(os.path.join(out_dir, name + ".decode.json"), "w") as f:
        json.dump({"input_shape": list(z.shape), "input": [float(v) for v in z.reshape(-1)],
                   "output_shape": list(out.shape), "output": [round(float(v), 7) for v in out.reshape(-1)]}, f)


def main(repo, out_dir):
    sys.path.insert(0, os.path.abspath(repo))
    import global_v as glv
    from ann_models.ann_vae import VanillaVAE
    from svae_models.fsvae import FSVAE
    os.makedirs(out_dir, exist_ok=True)

    for seed in range(100, 200):
        torch.manual_seed(seed)
        glv.init({"in_channels": 1, "latent_dim": L, "n_steps": T, "k": K, "batch_size": 250, "lr": 0.001}, [0])
        fsvae = FSVAE()
        g = torch.Generator().manual_seed(seed)
        randomise(fsvae, g)
        z = (torch.rand(N, L, T, generator=g) < 0.4).float()
        out, gap = stable_decode(fsvae, z, g)
        if gap < 1e-4 and float(out.std()) > 0.05:
            print(f"fsvae: seed {seed}, perturbation gap {gap:.2e}, output std {float(out.std()):.3f}")
            write(out_dir, "fsvae-L16", fsvae, z, out)
            break
    else:
        raise SystemExit("fsvae: no seed gave a decode that is stable under rounding")

    for seed in range(100, 200):
        torch.manual_seed(seed)
        ann = VanillaVAE(1, L)
        g = torch.Generator().manual_seed(seed)
        randomise(ann, g)
        z = torch.randn(N, L, generator=g)
        out, gap = stable_decode(ann, z, g)
        if gap < 1e-4 and float(out.std()) > 0.05:
            print(f"ann-vae: seed {seed}, perturbation gap {gap:.2e}, output std {float(out.std()):.3f}")
            write(out_dir, "ann-vae-L16", ann, z, out)
            break
    else:
        raise SystemExit("ann-vae: no seed gave a decode that is stable under rounding")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip())
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
