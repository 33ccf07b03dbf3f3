#!/usr/bin/env python3
"""Times the published FSVAE code's own training step, for bench/fsvae.sh.

The published FSVAE implementation (its `svae_models/` and `global_v.py`, as in the ESVAE authors' repository,
github.com/QgZhan/ESVAE) is not part of spikevae: fetch a checkout yourself and give its directory. This script
imports the model from there unchanged and runs the step its training loop runs (main_fsvae.py's `train`): the
images repeated over T on the last axis, `network(spike_input, scheduled=True)` (the autoregressive posterior and
prior with their O(T^2) prefix passes, scheduled sampling at p = 0.1, the first epoch's value from `update_p`),
`loss_function_mmd`, backward and AdamW (betas 0.9 / 0.999, weight decay 1e-3), on the CPU, with the settings of
its Fashion-MNIST config (L = 128, k = 20, T = 16) unless told otherwise. Inputs are random images in [-1, 1];
only the time matters.

Usage: python3 bench/published_fsvae_peer.py CHECKOUT C H BATCH ITERS THREADS
  CHECKOUT the directory holding the published `svae_models/` and `global_v.py`; C channels, H image size (32),
  BATCH images per step, ITERS timed steps (after one warm-up step), THREADS torch threads.
Prints one line ending in step_s=<median seconds> img_per_s=<images per second>.
"""
import os
import statistics
import sys
import time

import torch


def main(argv):
    if len(argv) != 7:
        sys.exit(__doc__)
    checkout = argv[1]
    c, h, batch, iters, threads = (int(a) for a in argv[2:])
    for needed in ("global_v.py", os.path.join("svae_models", "fsvae.py")):
        if not os.path.isfile(os.path.join(checkout, needed)):
            sys.exit(f"published_fsvae_peer: {checkout} has no {needed}; give the directory of a checkout of the "
                     "published code (github.com/QgZhan/ESVAE)")
    sys.path.insert(0, checkout)
    import global_v as glv  # noqa: E402  (the published modules read their settings from it)

    config = {"n_steps": 16, "dataset": "FashionMNIST", "in_channels": c, "lr": 0.001, "latent_dim": 128,
              "input_size": h, "model": "FSVAE", "k": 20, "scheduled": True, "loss_func": "mmd",
              "batch_size": batch, "epochs": 150}
    glv.init(config, [None])  # one device: its lr rule gives 0.001 * batch / 250
    from svae_models import fsvae  # noqa: E402

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = fsvae.FSVAE()
    net.update_p(0, config["epochs"])
    net.train()
    opt = torch.optim.AdamW(net.parameters(), lr=glv.network_config["lr"], betas=(0.9, 0.999), weight_decay=0.001)
    n_steps = glv.network_config["n_steps"]
    images = torch.rand(batch, c, h, h) * 2 - 1

    def step():
        opt.zero_grad()
        spike_input = images.unsqueeze(-1).repeat(1, 1, 1, 1, n_steps)
        x_recon, q_z, p_z, _ = net(spike_input, scheduled=True)
        losses = net.loss_function_mmd(images, x_recon, q_z, p_z)
        losses["loss"].backward()
        opt.step()
        return losses["loss"].item()

    step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"published FSVAE (torch {torch.__version__}, {threads} threads) C={c} H={h} L=128 k=20 T={n_steps} "
          f"batch={batch}: step_s={med:.4f} img_per_s={batch / med:.2f}")


if __name__ == "__main__":
    main(sys.argv)
