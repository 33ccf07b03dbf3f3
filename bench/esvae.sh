#!/usr/bin/env bash
# ESVAE training-step benchmark: spikevae beside the PyTorch peer, in one script, on the same machine.
#   bench/esvae.sh            CIFAR-10 and MNIST shapes at batch 32 (both sides), then spikevae's peak
#                             resident memory at batch 256, CIFAR-10 shapes.
# Needs Debian's python3-torch for the peer and an optimised BLAS under it (apt-get install -y
# python3-torch libopenblas0-pthread: with Debian's reference libblas3 alone the peer runs about 2x
# slower, which would flatter the ratio). The peer is the project's bench/torch_esvae_peer.py (the same
# step in PyTorch, docs/reference.md §14.2); $TORCH_PEER runs another script instead. Threads: $THREADS (default 2);
# the peer's timed steps $ITERS (default 5, about 20 s); spikevae's $JAVA_ITERS (default 40: about the same 20 s, so
# that both medians are taken over a similar stretch of a machine whose speed drifts); spikevae warm-up steps $WARMUP
# (default 5).
# PEER_FORM=adjoint runs the peer with the decoder's transposed convolutions as the ordinary convolutions they are the
# adjoints of (the ops PyTorch hands to oneDNN; PyTorch 1.13 runs ConvTranspose2d on much slower kernels of its own):
# the strongest PyTorch form of the same step, beside the default that calls the layers as the published model does.
# Rounds: $ROUNDS (default 3). Each round runs spikevae and then the peer back to back, for each shape; the ratio of
# a round compares two runs a minute apart, and the table gives every round's and their median. On a shared machine
# whose speed drifts over minutes, one pair can be off by a third in either direction (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ITERS=${ITERS:-5}
JAVA_ITERS=${JAVA_ITERS:-40}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-3}
PEER=${TORCH_PEER:-bench/torch_esvae_peer.py}
source bench/peer-env.sh
if [ -z "$PY" ] || [ ! -f "$PEER" ]; then
  echo "(no PyTorch peer: install python3-torch)"
fi

# "name C L" per shape; a round's figures are appended to JAVA[name] and PEERS[name] as space-separated lists
SHAPES=("cifar10 3 128" "mnist 1 32")
declare -A JAVA PEERS
for ((round = 1; round <= ROUNDS; round++)); do
  for shape in "${SHAPES[@]}"; do
    set -- $shape
    echo "== round $round of $ROUNDS: $1 shapes (C=$2, L=$3), batch 32, $THREADS threads"
    # 5 warm-up steps: the JIT compiles the vector kernels over the first few steps (profiles show interpreted
    # Vector API fallbacks in the first two, none after the fourth); a training run of thousands of steps runs at
    # the steady rate. The peer (no JIT) warms up with one step.
    out=$(./spikevae bench --esvae "$2,$3,32" --warmup "$WARMUP" --iterations "$JAVA_ITERS" | tee >(cat >&2) | grep '^C=')
    JAVA[$1]+="$(sed -E 's/.*img_per_s=([0-9.]+).*/\1/' <<<"$out") "
    if [ -n "$PY" ] && [ -f "$PEER" ]; then
      pout=$("$PY" "$PEER" "$2" 32 "$3" 32 "$ITERS" "$THREADS" ${PEER_FORM:+"$PEER_FORM"} | tee >(cat >&2))
      PEERS[$1]+="$(sed -E 's/.*img_per_s=([0-9.]+).*/\1/' <<<"$pout") "
    fi
  done
done
echo "== peak memory: CIFAR-10 shapes, batch 256"
mem=$(./spikevae bench --esvae 3,128,256 --iterations 2 --warmup 1 | tee >(cat >&2) | grep 'VmHWM' || true)

# median of a space-separated list of numbers, printed with the format $2
median() {
  tr ' ' '\n' <<<"$1" | grep . | sort -g | awk -v f="$2" '{v[NR] = $1}
    END {printf f "\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

echo
echo "peer form: ${PEER_FORM:-the layers called as the published model calls them}"
echo "| shapes | round | spikevae img/s | PyTorch peer img/s | ratio |"
echo "|---|---|---|---|---|"
for shape in "${SHAPES[@]}"; do
  set -- $shape
  read -r -a js <<<"${JAVA[$1]}"
  read -r -a ps <<<"${PEERS[$1]:-}"
  ratios=""
  for ((i = 0; i < ${#js[@]}; i++)); do
    p=${ps[$i]:-}
    if [ -n "$p" ]; then r=$(awk -v a="${js[$i]}" -v b="$p" 'BEGIN{printf "%.2f", a/b}'); ratios+="$r "; else r="n/a"; fi
    echo "| $1, batch 32 | $((i + 1)) | ${js[$i]} | ${p:-n/a} | $r |"
  done
  if [ -n "$ratios" ]; then
    echo "| $1, batch 32 | median of $ROUNDS | $(median "${JAVA[$1]}" %.1f) | $(median "${PEERS[$1]}" %.1f) | $(median "$ratios" %.2f) |"
  fi
done
echo "batch 256, CIFAR-10 shapes: ${mem:-peak memory not available}"
