#!/usr/bin/env bash
# Engine benchmarks with their peers measured in the same run:
#   - ./spikevae bench (SGEMM, fused LIF, ESVAE conv / transposed conv; a 1-thread memory copy as the
#     bandwidth peer),
#   - numpy's OpenBLAS SGEMM at the same sizes and thread count, when python3 has numpy,
#   - with --layers, the same nine ESVAE convolution layers in PyTorch (bench/torch_conv_peer.py), each beside
#     PyTorch's own SGEMM, and a closing table of both sides, when a python3 has torch: twice, first as the published
#     model calls them (conv2d, conv_transpose2d and their backward), then with the transposed layers run as the
#     ordinary convolutions they are the adjoints of (the ops PyTorch hands to oneDNN; its strongest form here).
# With --layers --rounds R both sides measure the nine layers R times in turn and give each layer its round with the
# median share of its own SGEMM (a few slow seconds of a shared machine then cost one round, not the row).
# Usage: bench/engine.sh [bench options, e.g. --layers --rounds 3 --iterations 20]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${SPIKEVAE_THREADS:-$(nproc)}"
echo "== spikevae (SPIKEVAE_THREADS=$threads)"
ours=$(mktemp)
trap 'rm -f "$ours"' EXIT
SPIKEVAE_THREADS="$threads" ./spikevae bench "$@" | tee "$ours"
if python3 -c 'import numpy' 2>/dev/null; then
    echo "== peer: numpy $(python3 -c 'import numpy; print(numpy.__version__)') / OpenBLAS, $threads threads"
    # OpenBLAS core-type overrides set on some machines slow a current OpenBLAS down: unset them here only.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" python3 - <<'PY'
import time
import numpy as np
rng = np.random.default_rng(1)
for n in (512, 2048):
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    end = time.perf_counter() + 2.0
    while time.perf_counter() < end:
        a @ b
    ts = []
    for _ in range(10):
        t0 = time.perf_counter()
        a @ b
        ts.append(time.perf_counter() - t0)
    ts.sort()
    med = (ts[4] + ts[5]) / 2
    print(f"  {'sgemm n=%d (numpy/OpenBLAS)' % n:52s} {2 * n**3 / med / 1e9:10.1f} GFLOP/s (best {2 * n**3 / ts[0] / 1e9:.1f})")
PY
else
    echo "== peer: numpy not available, SGEMM peer skipped"
fi
if [[ " $* " == *" --layers "* ]]; then
    torch_py=""
    for p in python3 /usr/bin/python3; do
        if "$p" -c 'import torch' 2>/dev/null; then torch_py=$p; break; fi
    done
    if [ -n "$torch_py" ]; then
        for form in "" --adjoint; do
            env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" \
                "$torch_py" bench/torch_conv_peer.py --threads "$threads" --spikevae "$ours" $form "$@"
        done
    else
        echo "== peer: no python3 with torch, the layers' PyTorch peer skipped (apt-get install python3-torch)"
    fi
fi
