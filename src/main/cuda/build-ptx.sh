#!/usr/bin/env bash
# Builds the PTX resources of the CUDA backend: every src/main/cuda/*.cu to one PTX module, with nvcc
# when one is found ($NVCC, PATH, $CUDA_HOME/bin, /usr/local/cuda*/bin; NVCC=none: never), else a copy of the checked-in
# PTX in src/main/cuda/ptx/. Maven runs it in generate-resources; a machine without nvcc still builds.
#
#   build-ptx.sh OUT_DIR     write OUT_DIR/dev/spikevae/cuda/*.ptx and ptx-build.txt (how they were made)
#   build-ptx.sh --update    rebuild the checked-in PTX with nvcc (after editing a kernel)
#
# Modules target compute_75 (Turing and newer); a file named *_tf32.cu needs tensor-core instructions and
# targets compute_80. nvcc 12.4+ writes a newer PTX ISA header than R525-era drivers and JCuda's bundled
# ptxas accept; the kernels use nothing beyond ISA 8.0, so the header is lowered to .version 8.0 (the
# PtxIsaGuardTest checks that this stays true).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checked_in="$here/ptx"

find_nvcc() {
    [ "${NVCC:-}" = none ] && return 1   # NVCC=none: behave as on a machine without nvcc
    if [ -n "${NVCC:-}" ]; then
        [ -x "$NVCC" ] && { echo "$NVCC"; return 0; }
        echo "build-ptx: NVCC=$NVCC is not an executable" >&2
        return 1
    fi
    if command -v nvcc >/dev/null 2>&1; then command -v nvcc; return 0; fi
    if [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then echo "$CUDA_HOME/bin/nvcc"; return 0; fi
    local c
    for c in $(ls -d /usr/local/cuda*/bin/nvcc 2>/dev/null | sort -V -r); do
        [ -x "$c" ] && { echo "$c"; return 0; }
    done
    return 1
}

arch_of() {
    case "$1" in
        *_tf32.cu) echo compute_80 ;;
        *) echo compute_75 ;;
    esac
}

# compile SRC OUT: one module, header lowered to ISA 8.0.
compile() {
    local src="$1" out="$2" tmp
    tmp="$(mktemp)"
    "$nvcc" -ptx -arch="$(arch_of "$src")" -O3 -fmad=false -std=c++17 -I"$here" -o "$tmp" "$src"
    sed -E 's/^\.version [0-9]+\.[0-9]+$/.version 8.0/' "$tmp" >"$out"
    rm -f "$tmp"
}

if [ "${1:-}" = "--update" ]; then
    nvcc="$(find_nvcc)" || { echo "build-ptx: --update needs nvcc (set NVCC or CUDA_HOME)" >&2; exit 1; }
    mkdir -p "$checked_in"
    rm -f "$checked_in"/*.ptx
    for src in "$here"/*.cu; do
        name="$(basename "$src" .cu)"
        compile "$src" "$checked_in/$name.ptx"
        echo "build-ptx: $checked_in/$name.ptx"
    done
    exit 0
fi

[ $# -eq 1 ] || { echo "usage: build-ptx.sh OUT_DIR | --update" >&2; exit 2; }
dest="$1/dev/spikevae/cuda"
mkdir -p "$dest"
rm -f "$dest"/*.ptx
if nvcc="$(find_nvcc)"; then
    for src in "$here"/*.cu; do
        compile "$src" "$dest/$(basename "$src" .cu).ptx"
    done
    version="$("$nvcc" --version | grep -o 'release [0-9.]*' | head -1)"
    echo "nvcc $nvcc ($version)" >"$dest/ptx-build.txt"
    echo "build-ptx: compiled $(ls "$here"/*.cu | wc -l) CUDA modules with $nvcc ($version)"
else
    cp "$checked_in"/*.ptx "$dest"/
    echo "checked-in" >"$dest/ptx-build.txt"
    echo "build-ptx: no nvcc found; using the checked-in PTX of src/main/cuda/ptx"
fi
