#!/usr/bin/env bash
# ESVAE training-step benchmark: spikevae beside the PyTorch peer, in one script, on the same machine.
#   bench/esvae.sh            CIFAR-10 and MNIST shapes at batch 32 (both sides), then spikevae's peak
#                             resident memory at batch 256, CIFAR-10 shapes.
# Needs Debian's python3-torch for the peer and an optimised BLAS under it (apt-get install -y
# python3-torch libopenblas0-pthread: with Debian's reference libblas3 alone the peer runs about 2x
# slower, which would flatter the ratio). The peer is the project's bench/torch_esvae_peer.py (the same
# step in PyTorch, docs/reference.md §14.2); $TORCH_PEER runs another script instead. Threads: $THREADS (default 2);
# timed steps $ITERS (default 5, both sides); spikevae warm-up steps $WARMUP (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ITERS=${ITERS:-5}
WARMUP=${WARMUP:-5}
PEER=${TORCH_PEER:-bench/torch_esvae_peer.py}
source bench/peer-env.sh

declare -A JAVA PEERS
for shape in "3 128 cifar10" "1 32 mnist"; do
  set -- $shape
  echo "== $3 shapes (C=$1, L=$2), batch 32, $THREADS threads"
  # 5 warm-up steps: the JIT compiles the vector kernels over the first few steps (profiles show interpreted
  # Vector API fallbacks in the first two, none after the fourth); a training run of thousands of steps runs at
  # the steady rate. The peer (no JIT) warms up with one step.
  out=$(./spikevae bench --esvae "$1,$2,32" --warmup "$WARMUP" --iterations "$ITERS" | tee >(cat >&2) | grep '^C=')
  JAVA[$3]=$(sed -E 's/.*img_per_s=([0-9.]+).*/\1/' <<<"$out")
  if [ -n "$PY" ] && [ -f "$PEER" ]; then
    pout=$("$PY" "$PEER" "$1" 32 "$2" 32 "$ITERS" "$THREADS" | tee >(cat >&2))
    PEERS[$3]=$(sed -E 's/.*img_per_s=([0-9.]+).*/\1/' <<<"$pout")
  else
    PEERS[$3]=""
    echo "(no PyTorch peer: install python3-torch)"
  fi
done
echo "== peak memory: CIFAR-10 shapes, batch 256"
mem=$(./spikevae bench --esvae 3,128,256 --iterations 2 --warmup 1 | tee >(cat >&2) | grep 'VmHWM' || true)

echo
echo "| shapes | spikevae img/s | PyTorch peer img/s | ratio |"
echo "|---|---|---|---|"
for k in cifar10 mnist; do
  j=${JAVA[$k]}; p=${PEERS[$k]}
  if [ -n "$p" ]; then r=$(awk -v a="$j" -v b="$p" 'BEGIN{printf "%.2f", a/b}'); else r="n/a"; fi
  echo "| $k, batch 32 | $j | ${p:-n/a} | $r |"
done
echo "batch 256, CIFAR-10 shapes: ${mem:-peak memory not available}"
