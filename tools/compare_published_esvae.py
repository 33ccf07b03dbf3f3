#!/usr/bin/env python3
"""Check spikevae's ESVAE against the published PyTorch model on the same weights.

Usage: python3 tools/compare_published_esvae.py [--config NAME] PUBLISHED_CHECKOUT [WORK_DIR]

PUBLISHED_CHECKOUT is a checkout of the authors' code (the repository with svae_models/esvae.py, global_v.py and
NetworkConfigs/esvae_configs/FASHION.yaml). The script builds their ESVAE with the Fashion-MNIST configuration
(L = 32, T = 16, one channel; --config CIFAR10 takes their CIFAR-10 one instead: L = 128, three channels), gives it seeded random weights and batch-norm statistics under which every layer fires (as after
training), and in evaluation mode records the posterior rates r_q of 8 random images in [-1, 1] and the decoded
images of 8 fixed latent spike trains. It saves the state dict, converts it with tools/convert_reference_checkpoint.py,
runs `./spikevae encode` and `./spikevae decode` on the same inputs, and compares: posterior rates must be equal
(a spike that lands exactly on the threshold could flip; the count of such entries is printed) and decoded pixels
within 1e-3.

Then one training step, forward and backward in training mode (batch statistics), on the same weights, images and
random draws: spikevae's step runs in the test harness dev.spikevae.parity.StepGradients (built with
`mvn test-compile`), which writes every parameter's gradient and the draws it made (the prior's normals, the
sampler's uniforms); the published model repeats the step with those draws in place of its own torch.randn and
torch.rand_like. The loss terms must agree within 1e-5 (relative) and every gradient within 1e-4 of its largest
magnitude; the biases of layers followed by a batch norm, whose exact gradient is zero (the norm removes any constant),
are only required to stay at rounding level on both sides (below 1e-5 of their layer's weight gradient).
Exit status 0 when everything holds.

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


CONFIG = "FASHION"


def published_model(checkout):
    """The authors' ESVAE (in the configuration CONFIG) and that configuration."""
    sys.path.insert(0, checkout)
    import global_v as glv  # the published code's module of settings
    cfg = yaml.safe_load(open(os.path.join(checkout, "NetworkConfigs/esvae_configs", CONFIG + ".yaml")))["Network"]
    glv.init(cfg, ["cpu"])
    from svae_models import esvae
    return esvae.ESVAE(device="cpu", distance_lambda=0.001, mmd_type="rbf"), cfg


def published_outputs(checkout, work):
    torch.manual_seed(7)
    net, cfg = published_model(checkout)
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
    x = torch.rand(n, cfg["in_channels"], 32, 32) * 2 - 1
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


def training_step(checkout, work):
    """One training step of both models on the same weights, images and draws; True when they agree."""
    torch.manual_seed(11)
    net, cfg = published_model(checkout)
    net.load_state_dict(torch.load(os.path.join(work, "published.pth")))
    n, t = 8, cfg["n_steps"]
    x = torch.rand(n, cfg["in_channels"], 32, 32) * 2 - 1
    np.save(os.path.join(work, "step_x.npy"), x.numpy().astype(np.float32))
    out = os.path.join(work, "step")
    run("mvn", "-q", "-B", "test-compile", "dependency:build-classpath",
        "-Dmdep.outputFile=" + os.path.join(work, "classpath.txt"))
    classpath = os.pathsep.join([os.path.join(REPO, "target", "test-classes"), os.path.join(REPO, "target", "classes"),
                                 open(os.path.join(work, "classpath.txt")).read().strip()])
    with open(os.path.join(work, "java-classpath.args"), "w") as f:  # a java @-file: the long class path off the log
        f.write("-cp " + classpath + "\n")
    run("java", "--add-modules", "jdk.incubator.vector", "@" + os.path.join(work, "java-classpath.args"),
        "dev.spikevae.parity.StepGradients", os.path.join(work, "published.safetensors"),
        os.path.join(work, "step_x.npy"), out, "5")
    normals = torch.from_numpy(np.load(os.path.join(out, "normals.npy")))
    # spikevae's uniforms are [T, N, L]; the published sampler draws (N, L, T)
    uniforms = torch.from_numpy(np.load(os.path.join(out, "uniforms.npy")))
    # the published model draws the prior's normals with torch.randn and the sampler's uniforms with torch.rand_like,
    # once each in a training forward: give it spikevae's instead
    saved = torch.randn, torch.rand_like
    torch.randn = lambda *args, **kwargs: normals.clone()
    torch.rand_like = lambda like, **kwargs: uniforms.permute(1, 2, 0).contiguous()
    try:
        net.train()
        net.zero_grad()
        recon, r_q, r_p, _ = net(x.unsqueeze(-1).repeat(1, 1, 1, 1, t))
        losses = net.loss_function_mmd(x, recon, r_q, r_p)
        losses["loss"].backward()
    finally:
        torch.randn, torch.rand_like = saved
    ok = True
    java_terms = dict(zip(("loss", "mse", "mmd"), (float(v) for v in
                                                  open(os.path.join(out, "loss.txt")).read().split())))
    for name, key in (("loss", "loss"), ("mse", "Reconstruction_Loss"), ("mmd", "Distance_Loss")):
        theirs = losses[key].item()
        rel = abs(java_terms[name] - theirs) / max(abs(theirs), 1e-30)
        ok &= rel <= 1e-5
        print(f"step {name}: {java_terms[name]:.8g} against {theirs:.8g} (relative difference {rel:.2g})")
    differing = int((np.load(os.path.join(out, "rates.npy")) != r_q.detach().numpy()).sum())
    pixel_error = float(np.abs(np.load(os.path.join(out, "recon.npy")) - recon.detach().numpy()).max())
    ok &= differing == 0 and pixel_error <= 1e-3
    print(f"step posterior rates: {differing} of {r_q.numel()} differ; reconstruction within {pixel_error:.3g}")
    names = dict(net.named_parameters())
    worst = 0.0
    compared = zeros = 0
    for name, p in names.items():
        if name.startswith("prior.") or name.startswith("posterior."):
            continue  # FSVAE nets the published ESVAE builds and never uses
        theirs = p.grad.detach().float()
        if theirs.dim() == 5:
            theirs = theirs[..., 0]  # Conv3d / ConvTranspose3d weights: the time axis of 1 goes, as in the converter
        theirs = theirs.numpy()
        ours = np.load(os.path.join(out, f"grad.{name}.npy"))
        scale = float(np.abs(theirs).max())
        layer = name[:-len(".bias")] if name.endswith(".bias") else None
        if layer is not None and layer + ".bn.weight" in names:
            # zero exactly: both sides must stay at rounding level
            weight_scale = float(names[layer + ".weight"].grad.abs().max())
            noise = max(scale, float(np.abs(ours).max())) / weight_scale
            good = noise <= 1e-5
            zeros += 1
            print(f"  {name:32s} zero in exact arithmetic; both at {noise:.1e} of the weight gradient")
        else:
            rel = float(np.abs(ours - theirs).max()) / max(scale, 1e-30)
            worst = max(worst, rel)
            compared += 1
            good = rel <= 1e-4
            print(f"  {name:32s} max |g| {scale:.3e}, max |difference| / max |g| {rel:.2e}")
        ok &= good
    print(f"step gradients: largest relative difference {worst:.2e} over {compared} parameters; "
          f"{zeros} biases before a norm at rounding level")
    return ok


def main():
    global CONFIG
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "--config":
        CONFIG = args[1]
        args = args[2:]
    if len(args) not in (1, 2):
        raise SystemExit(__doc__)
    checkout = os.path.abspath(args[0])
    if not os.path.isfile(os.path.join(checkout, "svae_models", "esvae.py")):
        raise SystemExit(f"{checkout}: no svae_models/esvae.py here (a checkout of the published ESVAE code?)")
    if not os.path.isfile(os.path.join(checkout, "NetworkConfigs/esvae_configs", CONFIG + ".yaml")):
        raise SystemExit(f"{checkout}: no NetworkConfigs/esvae_configs/{CONFIG}.yaml (--config names one of them)")
    work = os.path.abspath(args[1]) if len(args) == 2 else tempfile.mkdtemp(prefix="esvae-parity-")
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
    ok &= training_step(checkout, work)
    print("agree" if ok else "DISAGREE", f"(work files in {work})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
