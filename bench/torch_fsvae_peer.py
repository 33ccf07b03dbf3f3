#!/usr/bin/env python3
"""spikevae's PyTorch peer for the FSVAE training-step benchmark (docs/reference.md §8).

bench/fsvae.sh runs it beside `./spikevae bench --spec-step fsvae/<dataset>,C,B` and reports the ratio of the two.
It times one FSVAE training step as the published algorithm computes it, written from docs/reference.md §8:

- the spiking backbone of §1.2 / §8.1 (the ESVAE network), time-major, every time-distributed layer one op over the
  merged T·N batch (the fast layout, as in bench/torch_esvae_peer.py);
- the posterior f_q (2L -> 2L -> 4L -> k·L, tdBN alpha = 2, LIF) run as published (§8.2): T - 1 passes without
  gradient over the growing prefix [x_e[:t+1]; (0, z_0 .. z_{t-1})], each picking one of k candidates per channel at
  its last step, then one teacher-forced pass with gradient and the same picks again (a fresh one at t = T - 1);
- the prior f_p (L -> 2L -> 4L -> k·L) on the detached sample with scheduled sampling at p (default 0.1, the first
  epoch): for 5 <= t <= T - 2, with probability p, a no-gradient pass over the prefix and the thresholded mean
  1[mean_k + 1e-3·N(0, 1) > 0.5]; then one pass with gradient;
- every pass in training mode, so each moves tdBN's running statistics, as published;
- the loss MSE + mean (PSP(pi_q) - PSP(pi_p))^2 (tau_s = 2, §8.3) and AdamW (lr 1e-3, weight decay 1e-3, §8.4).

Inputs are random images in [-1, 1]; the numbers it learns are irrelevant, only the time is.

Usage: python3 bench/torch_fsvae_peer.py C H LATENT BATCH ITERS THREADS [K] [P] [adjoint]
  C channels, H image size (32 or 64), LATENT the latent size L (128 in every FSVAE config), BATCH images per step,
  ITERS timed steps (after one warm-up step), THREADS torch threads, K candidates per channel (default 20), P the
  scheduled-sampling probability (default 0.1). Prints one line ending in step_s=<median seconds>
  img_per_s=<images per second>. Needs Debian's python3-torch (and libopenblas0-pthread for a fair BLAS).
  With "adjoint" last, the decoder's transposed convolutions run as the ordinary convolutions they are the adjoints
  of, the ops PyTorch hands to oneDNN (AdjointConvTranspose2d of bench/torch_esvae_peer.py, checked against
  ConvTranspose2d at start-up): PyTorch's fastest form of this step on a CPU.
"""
import random
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# the backbone pieces and the adjoint transposed convolution, shared with the ESVAE peer
from torch_esvae_peer import (T, READOUT_DECAY, AdjointConvTranspose2d, TdBatchNorm, TimeDistributed, check_adjoint,
                              lif)

PSP_DECAY = 0.5   # tau_s = 2: syn <- syn + (x - syn) / 2
SCHEDULED_FROM = 5


class BernoulliNet(nn.Module):
    """f_q or f_p: in -> 2L -> 4L -> k·L spiking tdLinear layers, tdBN alpha = 2; output [T', N, L, k]."""

    def __init__(self, inputs, latent, k):
        super().__init__()
        self.latent, self.k = latent, k
        self.layers = nn.Sequential(
            TimeDistributed(nn.Linear(inputs, 2 * latent), 2 * latent, alpha=2.0),
            TimeDistributed(nn.Linear(2 * latent, 4 * latent), 4 * latent, alpha=2.0),
            TimeDistributed(nn.Linear(4 * latent, k * latent), k * latent, alpha=2.0))

    def forward(self, x):
        out = self.layers(x)
        return out.view(out.shape[0], out.shape[1], self.latent, self.k)


def pick(candidates, index):
    """One candidate per channel: candidates [N, L, k], index [N, L] -> [N, L]."""
    return candidates.gather(-1, index.unsqueeze(-1)).squeeze(-1)


def psp(x):
    """PSP over axis 0 (time-major): syn_t = 0.5·syn_{t-1} + 0.5·x_t."""
    syn = torch.zeros_like(x[0])
    out = []
    for t in range(x.shape[0]):
        syn = PSP_DECAY * syn + (1 - PSP_DECAY) * x[t]
        out.append(syn)
    return torch.stack(out)


class Fsvae(nn.Module):
    def __init__(self, channels, size, latent, k, deconv=nn.ConvTranspose2d):
        super().__init__()
        hidden = [32, 64, 128, 256] if size == 32 else [32, 64, 128, 256, 512]
        self.side = size // 2 ** len(hidden)
        self.latent, self.k = latent, k
        flat = hidden[-1] * self.side * self.side
        encoder, c = [], channels
        for h in hidden:
            encoder.append(TimeDistributed(nn.Conv2d(c, h, 3, 2, 1), h))
            c = h
        self.encoder = nn.Sequential(*encoder)
        self.before_latent = TimeDistributed(nn.Linear(flat, latent), latent)
        self.posterior = BernoulliNet(2 * latent, latent, k)
        self.prior = BernoulliNet(latent, latent, k)
        self.decoder_input = TimeDistributed(nn.Linear(latent, flat), flat)
        decoder = [TimeDistributed(deconv(a, b, 3, 2, 1, 1), b) for a, b in zip(hidden[::-1], hidden[-2::-1])]
        decoder.append(TimeDistributed(deconv(hidden[0], hidden[0], 3, 2, 1, 1), hidden[0]))
        decoder.append(TimeDistributed(deconv(hidden[0], channels, 3, 1, 1), channels, spiking=False))
        self.decoder = nn.Sequential(*decoder)
        self.hidden_last = hidden[-1]
        self.register_buffer("coef", torch.tensor([READOUT_DECAY ** (T - 1 - t) for t in range(T)]).view(T, 1, 1, 1, 1))

    def posterior_sample(self, xe):
        """xe [T, N, L] -> the sample z [T, N, L] (gradient through the picks) and pi_q [T, N, L]."""
        n = xe.shape[1]
        indices = []
        z_prev = torch.zeros(1, n, self.latent)                         # (0, z_0 .. z_{t-1})
        with torch.no_grad():
            for t in range(T - 1):
                out = self.posterior(torch.cat([xe[:t + 1], z_prev], dim=2))   # the whole prefix, again
                index = torch.randint(0, self.k, (n, self.latent))
                indices.append(index)
                z_prev = torch.cat([z_prev, pick(out[-1], index)[None]], dim=0)
        indices.append(torch.randint(0, self.k, (n, self.latent)))
        q = self.posterior(torch.cat([xe, z_prev], dim=2))            # teacher-forced, with gradient
        z = torch.stack([pick(q[t], indices[t]) for t in range(T)])
        return z, q.mean(-1)

    def prior_probabilities(self, z, p):
        """pi_p [T, N, L] of the detached sample z, with scheduled sampling at probability p."""
        z = z.detach()
        n = z.shape[1]
        z_prev = torch.zeros(1, n, self.latent)
        with torch.no_grad():
            for t in range(T - 1):
                if t >= SCHEDULED_FROM and random.random() < p:
                    out = self.prior(z_prev)                            # the whole prefix, again
                    prob = out[-1].mean(-1) + 1e-3 * torch.randn(n, self.latent)
                    z_t = (prob > 0.5).float()
                else:
                    z_t = z[t]
                z_prev = torch.cat([z_prev, z_t[None]], dim=0)
        return self.prior(z_prev).mean(-1)

    def loss(self, x, p):
        n = x.shape[0]
        h = self.encoder(x[None].expand(T, *x.shape))                  # direct encoding: the image at every step
        xe = self.before_latent(h.flatten(2))                           # [T, N, L] spikes
        z, prob_q = self.posterior_sample(xe)
        prob_p = self.prior_probabilities(z, p)
        y = self.decoder(self.decoder_input(z).view(T, n, self.hidden_last, self.side, self.side))
        x_hat = torch.tanh((self.coef * y).sum(0))
        return F.mse_loss(x_hat, x) + torch.mean((psp(prob_q) - psp(prob_p)) ** 2)


def main(argv):
    adjoint = len(argv) > 6 and argv[-1] == "adjoint"
    if adjoint:
        argv = argv[:-1]
    if len(argv) not in (6, 7, 8):
        sys.exit(__doc__)
    channels, size, latent, batch, iters, threads = map(int, argv[:6])
    k = int(argv[6]) if len(argv) > 6 else 20
    p = float(argv[7]) if len(argv) > 7 else 0.1
    torch.set_num_threads(threads)
    if adjoint:
        check_adjoint()
    torch.manual_seed(0)
    random.seed(0)
    model = Fsvae(channels, size, latent, k, AdjointConvTranspose2d if adjoint else nn.ConvTranspose2d)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-3)
    x = torch.rand(batch, channels, size, size) * 2 - 1
    times = []
    for i in range(iters + 1):
        start = time.perf_counter()
        loss = model.loss(x, p)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i > 0:  # step 0 warms up
            times.append(time.perf_counter() - start)
    step = statistics.median(times)
    form = " deconv=adjoint" if adjoint else ""
    print(f"C={channels} H={size} L={latent} k={k} B={batch} threads={threads} p={p}{form} "
          f"step_s={step:.4f} img_per_s={batch / step:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
