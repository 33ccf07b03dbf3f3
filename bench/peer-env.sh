# Sourced by the training-step benchmarks (bench/esvae.sh, bench/fsvae.sh): sets PY to a python3 with torch (empty
# when none has it), exports SPIKEVAE_THREADS=$THREADS, and prints the machine (spikevae doctor) and the peer's torch
# and BLAS, warning when the BLAS under torch is not an optimised one.
PY=""
for p in python3 /usr/bin/python3; do
  if "$p" -c "import torch" 2>/dev/null; then PY=$p; break; fi
done
export SPIKEVAE_THREADS=$THREADS
./spikevae doctor | sed -n '1,6p'
if [ -n "$PY" ]; then
  blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
  echo "peer: $("$PY" -c 'import torch; print("torch", torch.__version__)'), BLAS $blas"
  case "$blas" in
    *openblas*|*mkl*|*blis*) ;;
    *) echo "WARNING: the peer's BLAS is not an optimised one; install libopenblas0-pthread for a fair peer" >&2 ;;
  esac
fi
