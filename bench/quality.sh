#!/usr/bin/env bash
# The learning-quality protocol (docs/reference.md §14) on Fashion-MNIST (needs: apt-get install -y dataset-fashion-mnist):
# the built-in spec fashion-mnist-quality (first 16,384 training images, one epoch at batch 32, Fashion-MNIST
# settings; test MSE in eval mode on the first 1,024 test images) for seeds 1 and 2, then the mean against the
# reference band [0.85 x lowest, 1.15 x highest reference seed] = [0.127, 0.179] at N = 16,384.
# Other models: SPEC=fsvae/fashion-mnist-quality LO=0.284 HI=0.385 (N = 4,096; the published FSVAE code gives
# 0.334 / 0.335), SPEC=ann-vae/fashion-mnist-quality (no published reference: LO/HI unset prints no verdict).
# Arguments are overrides for every seed's run, e.g. `bench/quality.sh data.train_limit=4096` (ESVAE at the
# baselines' N; the published ESVAE code gives 0.243 / 0.324 there, so LO=0.207 HI=0.373 is its band).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/quality}
SEEDS=${SEEDS:-"1 2"}
SPEC=${SPEC:-fashion-mnist-quality}
if [ "$SPEC" = fashion-mnist-quality ] && [ $# -eq 0 ]; then LO=${LO:-0.127}; HI=${HI:-0.179}; fi
LO=${LO:-}
HI=${HI:-}
mses=()
for s in $SEEDS; do
  echo "== seed $s"
  log=$(./spikevae train --spec "$SPEC" run.seed="$s" run.output="$OUT" "$@" | tee >(cat >&2))
  dir=$(sed -n 's/^run directory: //p' <<<"$log")
  mse=$(sed -n 's/.*"test_mse" : \([0-9.eE-]*\).*/\1/p' "$dir/summary.json" | head -1)
  echo "seed $s: test MSE $mse ($dir)"
  mses+=("$mse")
done
printf '%s\n' "${mses[@]}" | awk -v lo="$LO" -v hi="$HI" '
  { s += $1; n++; printf "seed test MSE %.4f\n", $1 }
  END { m = s / n; if (lo == "") { printf "mean test MSE over %d seeds: %.4f\n", n, m; exit }
        printf "mean test MSE over %d seeds: %.4f; reference band [%.3f, %.3f]: %s\n", n, m, lo, hi,
        (m >= lo && m <= hi) ? "inside" : "OUTSIDE" }'
