#!/usr/bin/env bash
# Engine benchmarks with their peers measured in the same run:
#   - ./spikevae bench (SGEMM, fused LIF, ESVAE conv / transposed conv; a 1-thread memory copy as the
#     bandwidth peer),
#   - numpy's OpenBLAS SGEMM at the same sizes and thread count, when python3 has numpy.
# Usage: bench/engine.sh [bench options, e.g. --warmup 3 --iterations 20]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${SPIKEVAE_THREADS:-$(nproc)}"
echo "== spikevae (SPIKEVAE_THREADS=$threads)"
SPIKEVAE_THREADS="$threads" ./spikevae bench "$@"
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
