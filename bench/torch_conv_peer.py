#!/usr/bin/env python3
"""PyTorch peer of `spikevae bench --layers`: ESVAE's nine convolution layers in PyTorch, timed as the bench times them.

For every layer: its forward, its input gradient and its weight gradient (torch.nn.functional.conv2d or
conv_transpose2d, then aten.convolution_backward with one output each), timed one after the other within each
iteration after a warm-up; the median of each pass and of their sum. Beside each layer, PyTorch's own SGEMM
(torch.mm at n = 2048) is timed before and after it, a third of the iterations each side, and the layer is given as a
share of it -- the same yardstick the spikevae rows use, so that both shares are read the same way. With --rounds R
the nine layers are measured R times in turn and each layer's row is its round with the median share, then every
round's share, as `spikevae bench --layers --rounds R` gives them.

With --spikevae FILE (the output of `spikevae bench --layers`), a closing table puts both side by side: each layer's
time on both, the speed ratio, and each side's share of its own SGEMM.

Usage: torch_conv_peer.py [--threads 2] [--images 512] [--iterations 10] [--warmup 2] [--rounds 1] [--quick]
                          [--channels-last] [--adjoint] [--spikevae FILE]
Unknown options (the bench's own) are ignored, so bench/engine.sh can hand over its arguments as they are.
"""
import argparse
import re
import sys
import time

import torch
import torch.nn.functional as F

# ESVAE's convolution layers at CIFAR-10 shapes, as EngineBench.esvaeLayers defines them (EngineBenchTest checks that
# the two lists agree): name, transposed, in channels, in size, out channels, kernel, stride, padding, output padding.
LAYERS = [
    ("E1 conv 3->32 32->16", False, 3, 32, 32, 3, 2, 1, 0),
    ("E2 conv 32->64 16->8", False, 32, 16, 64, 3, 2, 1, 0),
    ("E3 conv 64->128 8->4", False, 64, 8, 128, 3, 2, 1, 0),
    ("E4 conv 128->256 4->2", False, 128, 4, 256, 3, 2, 1, 0),
    ("D1 convT 256->128 2->4", True, 256, 2, 128, 3, 2, 1, 1),
    ("D2 convT 128->64 4->8", True, 128, 4, 64, 3, 2, 1, 1),
    ("D3 convT 64->32 8->16", True, 64, 8, 32, 3, 2, 1, 1),
    ("D4 convT 32->32 16->32", True, 32, 16, 32, 3, 2, 1, 1),
    ("D5 convT 32->3 32->32", True, 32, 32, 3, 3, 1, 1, 0),
]
SGEMM_N = 2048


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def times(fn, n):
    """n timed runs of fn after one untimed run, in seconds."""
    fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def layer_passes(layer, batch, channels_last, adjoint):
    """The layer's three passes on random operands, in the layer's order: forward, input gradient, weight gradient.

    With adjoint, a transposed layer runs as the convolution it is the adjoint of (its forward is that convolution's
    input gradient, its input gradient that convolution's forward, its weight gradient that convolution's weight
    gradient with the roles of the operands swapped): the ops PyTorch gives oneDNN for ordinary convolutions."""
    _, transposed, cin, size, cout, k, stride, pad, out_pad = layer
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    x = torch.rand(batch, cin, size, size).contiguous(memory_format=fmt)
    w_shape = (cin, cout, k, k) if transposed else (cout, cin, k, k)
    w = torch.rand(*w_shape).contiguous(memory_format=fmt)
    if transposed:
        y = F.conv_transpose2d(x, w, stride=stride, padding=pad, output_padding=out_pad)
    else:
        y = F.conv2d(x, w, stride=stride, padding=pad)
    dy = torch.rand_like(y)
    out_size = y.shape[2]
    macs = batch * cin * cout * k * k * (size * size if transposed else out_size * out_size)
    conv_args = ([stride, stride], [pad, pad], [1, 1])
    if transposed and adjoint:
        # the convolution whose adjoint the layer is maps the layer's output (y's shape) to its input (x's shape): the
        # layer's forward is that convolution's input gradient (x as its output gradient, y passed for its shape),
        # the layer's input gradient its forward on dy, the layer's weight gradient its weight gradient (dy as its
        # input, x as its output gradient)
        return [lambda: torch.ops.aten.convolution_backward(x, y, w, None, *conv_args, False, [0, 0], 1,
                                                            [True, False, False]),
                lambda: F.conv2d(dy, w, stride=stride, padding=pad),
                lambda: torch.ops.aten.convolution_backward(x, dy, w, None, *conv_args, False, [0, 0], 1,
                                                            [False, True, False])], macs
    if transposed:
        def forward():
            return F.conv_transpose2d(x, w, stride=stride, padding=pad, output_padding=out_pad)
    else:
        def forward():
            return F.conv2d(x, w, stride=stride, padding=pad)

    def backward(mask):
        return lambda: torch.ops.aten.convolution_backward(
            dy, x, w, None, *conv_args, transposed, [out_pad, out_pad] if transposed else [0, 0], 1, mask)
    return [forward, backward([True, False, False]), backward([False, True, False])], macs


def check_adjoint(layer):
    """The adjoint form of a transposed layer gives what PyTorch's transposed convolution and its autograd give."""
    torch.manual_seed(0)
    passes, _ = layer_passes(layer, 2, False, True)
    _, _, cin, size, cout, k, stride, pad, out_pad = layer
    torch.manual_seed(0)
    x = torch.rand(2, cin, size, size, requires_grad=True)
    w = torch.rand(cin, cout, k, k, requires_grad=True)
    y = F.conv_transpose2d(x, w, stride=stride, padding=pad, output_padding=out_pad)
    dy = torch.rand_like(y)
    y.backward(dy)
    got = [passes[0]()[0], passes[1](), passes[2]()[1]]
    for name, a, b in (("forward", got[0], y), ("input grad", got[1], x.grad), ("weight grad", got[2], w.grad)):
        if a.shape != b.shape or not torch.allclose(a, b, rtol=1e-4, atol=1e-3):
            raise SystemExit(f"{layer[0]}: the adjoint form's {name} differs from PyTorch's transposed convolution")


def spikevae_rows(path):
    """Layer name -> (ms of the three passes, share of spikevae's SGEMM in %), read from `bench --layers` output."""
    rows = {}
    last = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.search(r"^\s+(\S.*?) fwd\+bwd B=\d+\s+[\d.]+ GFLOP/s .*?, ([\d.]+) ms\)", line)
            if m:
                last = m.group(1)
                rows[last] = [float(m.group(2)), None]
                continue
            m = re.search(r"; (\d+) % of SGEMM", line)
            if m and last is not None and rows[last][1] is None:
                rows[last][1] = float(m.group(1))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--images", type=int, help="images per pass, T*N (default 512; 8 with --quick)")
    p.add_argument("--iterations", type=int, help="timed iterations per layer (default 10; 2 with --quick)")
    p.add_argument("--warmup", type=float, help="warm-up seconds per layer (default 2; 0 with --quick)")
    p.add_argument("--rounds", type=int, default=1,
                   help="measure the nine layers this many times in turn; each row is the round with the median share")
    p.add_argument("--quick", action="store_true", help="tiny sizes, as `spikevae bench --quick`")
    p.add_argument("--channels-last", action="store_true", help="NHWC operands (oneDNN's preferred layout)")
    p.add_argument("--adjoint", action="store_true",
                   help="transposed layers as the ordinary convolutions they are the adjoints of (oneDNN's ops)")
    p.add_argument("--spikevae", help="output of `spikevae bench --layers` to compare with")
    args, _ = p.parse_known_args()
    images = args.images or (8 if args.quick else 16 * 32)
    iterations = max(1, args.iterations or (2 if args.quick else 10))
    if args.rounds < 1:
        p.error(f"--rounds must be at least 1, got {args.rounds}")
    rounds = args.rounds
    warmup = args.warmup if args.warmup is not None else (0.0 if args.quick else 2.0)
    torch.set_num_threads(args.threads)
    side = max(3, iterations // 3)
    n = 64 if args.quick else SGEMM_N  # the bench's quick SGEMM size
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    c = torch.empty(n, n)

    def sgemm():
        torch.mm(a, b, out=c)
    layout = "channels_last (NHWC)" if args.channels_last else "NCHW"
    if args.adjoint:
        for layer in LAYERS:
            if layer[1]:
                check_adjoint(layer)
        layout += ", transposed layers as their adjoint convolutions (checked against conv_transpose2d)"
    print(f"== PyTorch conv peer: torch {torch.__version__}, {args.threads} threads, {layout}, mkldnn "
          f"{'on' if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled else 'off'}, "
          f"B = {images}, median of {iterations}")
    def measure(layer):
        """One round of a layer: (seconds, share of the SGEMM timed around it in %, its printed row)."""
        with torch.no_grad():
            passes, macs = layer_passes(layer, images, args.channels_last, args.adjoint)
            before = times(sgemm, side)
            end = time.perf_counter() + warmup
            for fn in passes:
                fn()
            while time.perf_counter() < end:
                for fn in passes:
                    fn()
            per_pass = [[], [], []]
            for _ in range(iterations):
                for i, fn in enumerate(passes):
                    t0 = time.perf_counter()
                    fn()
                    per_pass[i].append(time.perf_counter() - t0)
            after = times(sgemm, side)
        sums = [sum(t) for t in zip(*per_pass)]
        seconds = median(sums)
        gflops = 3 * 2.0 * macs / seconds / 1e9
        sgemm_gflops = 2.0 * n ** 3 / median(before + after) / 1e9
        share = 100 * gflops / sgemm_gflops
        row = (f"  {layer[0]:28s} {gflops:7.1f} GFLOP/s  {seconds * 1e3:8.1f} ms  (forward {median(per_pass[0]) * 1e3:.1f}"
               f" / input grad {median(per_pass[1]) * 1e3:.1f} / weight grad {median(per_pass[2]) * 1e3:.1f} ms); "
               f"{share:.0f} % of torch SGEMM n={n} ({sgemm_gflops:.1f} GFLOP/s, timed around it)")
        return seconds, share, row

    # with --rounds R the nine layers are measured R times in turn and each layer's row is its round with the median
    # share (the lower middle one for an even R), then every round's share: as `spikevae bench --layers --rounds R`
    runs = {layer[0]: [] for layer in LAYERS}
    for r in range(rounds):
        for layer in LAYERS:
            runs[layer[0]].append(measure(layer))
            if rounds > 1:
                seconds, share, _ = runs[layer[0]][-1]
                print(f"  (round {r + 1} of {rounds}: {layer[0]} {seconds * 1e3:.1f} ms, {share:.0f} % of the SGEMM "
                      f"around it)")
                sys.stdout.flush()
    results = {}
    total = 0.0
    for layer in LAYERS:
        seconds, share, row = sorted(runs[layer[0]], key=lambda run: run[1])[(rounds - 1) // 2]
        if rounds > 1:
            row += "; rounds " + " / ".join(f"{run[1]:.0f}" for run in runs[layer[0]]) + " %"
        total += seconds
        results[layer[0]] = (seconds * 1e3, share)
        print(row)
        sys.stdout.flush()
    print(f"  {'nine layers, sum of medians':28s} {total * 1e3:24.1f} ms")
    if args.spikevae:
        ours = spikevae_rows(args.spikevae)
        missing = [layer[0] for layer in LAYERS if layer[0] not in ours]
        if missing:
            print(f"(no comparison: {args.spikevae} has no row for {', '.join(missing)}; run `spikevae bench --layers`)")
            return
        print()
        print("| layer | spikevae ms | PyTorch ms | speed ratio | spikevae: share of its SGEMM | PyTorch: share of its"
              " SGEMM |")
        print("|---|---|---|---|---|---|")
        ours_total = 0.0
        for layer in LAYERS:
            ms, own_share = ours[layer[0]]
            peer_ms, peer_share = results[layer[0]]
            ours_total += ms
            print(f"| {layer[0]} | {ms:.1f} | {peer_ms:.1f} | {peer_ms / ms:.2f}x | {own_share:.0f} % | "
                  f"{peer_share:.0f} % |")
        print(f"| nine layers | {ours_total:.1f} | {total * 1e3:.1f} | {total * 1e3 / ours_total:.2f}x | | |")


if __name__ == "__main__":
    main()
