#!/usr/bin/env bash
# FSVAE training-step benchmark: spikevae beside the PyTorch peer, in one script, on the same machine.
#   bench/fsvae.sh            Fashion-MNIST shapes (1×32×32, L = 128, k = 20, T = 16) at batch 32 on both sides.
# spikevae times `./spikevae bench --spec-step fsvae/fashion-mnist,1,32` (the trainer's step on random images:
# forward with the prefix passes of docs/reference.md §8.2 and scheduled sampling at p = 0.1, MSE + PSP distance,
# backward, AdamW); the peer is bench/torch_fsvae_peer.py, the same step in PyTorch as the published algorithm runs
# it (T - 1 prefix passes of f_q over the growing prefix, scheduled-sampling passes of f_p). $TORCH_PEER runs
# another script instead. Needs Debian's python3-torch and an optimised BLAS under it (see bench/esvae.sh).
# With $PUBLISHED_FSVAE set to the directory of a checkout of the published FSVAE code (its svae_models/ and
# global_v.py; github.com/QgZhan/ESVAE, not part of spikevae), bench/published_fsvae_peer.py also times that code's
# own training step in the same script, and the table gains its column and ratio.
# PEER_FORM=adjoint runs the project's peer with the decoder's transposed convolutions as the ordinary convolutions
# they are the adjoints of (the ops PyTorch hands to oneDNN; PyTorch 1.13 runs ConvTranspose2d on much slower kernels
# of its own), its fastest form; the published code's own step is always timed as published.
# Threads: $THREADS (default 2); timed steps: $ITERS (default 5). The load of the machine is printed before and
# after, since a shared machine changes both sides.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ITERS=${ITERS:-5}
BATCH=${BATCH:-32}
PEER=${TORCH_PEER:-bench/torch_fsvae_peer.py}
source bench/peer-env.sh
echo "load before: $(uptime)"
echo "== FSVAE, Fashion-MNIST shapes (C=1, L=128, k=20, T=16), batch $BATCH, $THREADS threads"
out=$(./spikevae bench --spec-step "fsvae/fashion-mnist,1,$BATCH" --iterations "$ITERS" | tee >(cat >&2) | grep '^fsvae/')
JAVA=$(sed -E 's/.*img_per_s=([0-9.]+).*/\1/' <<<"$out")
PEERV=""
if [ -n "$PY" ] && [ -f "$PEER" ]; then
  pout=$("$PY" "$PEER" 1 32 128 "$BATCH" "$ITERS" "$THREADS" 20 0.1 ${PEER_FORM:+"$PEER_FORM"} | tee >(cat >&2))
  PEERV=$(sed -E 's/.*img_per_s=([0-9.]+).*/\1/' <<<"$pout")
else
  echo "(no PyTorch peer: install python3-torch)"
fi
PUBV=""
if [ -n "${PUBLISHED_FSVAE:-}" ] && [ -n "$PY" ]; then
  pubout=$("$PY" bench/published_fsvae_peer.py "$PUBLISHED_FSVAE" 1 32 "$BATCH" "$ITERS" "$THREADS" | tee >(cat >&2))
  PUBV=$(sed -E 's/.*img_per_s=([0-9.]+).*/\1/' <<<"$pubout")
fi
echo "load after: $(uptime)"

echo
echo "project peer's form: ${PEER_FORM:-the layers called as the published model calls them}"
ratio() { if [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; else echo "n/a"; fi; }
if [ -n "$PUBV" ]; then
  echo "| shapes | spikevae img/s | PyTorch peer img/s | ratio | published code img/s | ratio |"
  echo "|---|---|---|---|---|---|"
  echo "| fashion-mnist, batch $BATCH | $JAVA | ${PEERV:-n/a} | $(ratio "$JAVA" "$PEERV") | $PUBV | $(ratio "$JAVA" "$PUBV") |"
else
  echo "| shapes | spikevae img/s | PyTorch peer img/s | ratio |"
  echo "|---|---|---|---|"
  echo "| fashion-mnist, batch $BATCH | $JAVA | ${PEERV:-n/a} | $(ratio "$JAVA" "$PEERV") |"
fi
