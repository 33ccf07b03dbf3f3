#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU, no internet and no Maven (see docs/gpu.md):
#   1. fails at once, clearly, where there is no CUDA driver;
#   2. unpacks gpu-bundle/spikevae-gpu.tgz (built elsewhere by ci/build-gpu-bundle.sh) and uses its jlink'ed
#      runtime unless a java >= 17 is installed;
#   3. doctor, then the GPU parity suite (every Backend op against the CPU, and an ESVAE training step),
#      then the GPU benchmarks (copy bandwidth, LIF, SGEMM 4096^3 FP32/TF32, ESVAE images/s at batch 256);
#   4. prints a short table last. Logs and JUnit reports go to $OUT (default gpu-check-out/).
# Each part runs under its own timeout; the whole stays under 8 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-$PWD/gpu-check-out}"
mkdir -p "$out"
log() { echo "gpu-check: $*" | tee -a "$out/gpu-check.log"; }

# 1. The driver, before anything slow.
has_libcuda() {
    ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1' && return 0
    local d extra="${LD_LIBRARY_PATH:-}"
    for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/nvidia/lib64 ${extra//:/ }; do
        [ -e "$d/libcuda.so.1" ] && return 0
    done
    return 1
}
if ! has_libcuda; then
    log "FAILED: no CUDA driver (libcuda.so.1 not found): this machine cannot run the GPU check"
    exit 2
fi
command -v nvidia-smi >/dev/null && nvidia-smi -L 2>&1 | tee -a "$out/gpu-check.log"

# 2. The bundle and a java.
bundle="${GPU_BUNDLE:-gpu-bundle/spikevae-gpu.tgz}"
if [ ! -f "$bundle" ]; then
    log "FAILED: $bundle is missing; build it with ci/build-gpu-bundle.sh on a machine with Maven and carry gpu-bundle/"
    exit 3
fi
work="$(mktemp -d /tmp/spikevae-gpu.XXXXXX)"
tar -C "$work" -xzf "$bundle"
java_bin=""
if command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
    java_bin=java
else
    java_bin="$work/runtime/bin/java"
fi
log "java: $("$java_bin" -version 2>&1 | head -1) ($java_bin)"
# cuDNN 9 from a Python wheel, when one is installed (JCudnn needs libcudnn.so.9)
cudnn_lib="$(python3 -c 'import nvidia.cudnn, os; print(os.path.join(os.path.dirname(nvidia.cudnn.__file__), "lib"))' 2>/dev/null || true)"
[ -n "$cudnn_lib" ] && [ -d "$cudnn_lib" ] && export LD_LIBRARY_PATH="$cudnn_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
jvm=("$java_bin" --add-modules jdk.incubator.vector -Xmx24g -Dspikevae.debugMemory=false)

# 3a. doctor
timeout 60 "${jvm[@]}" -jar "$work/spikevae.jar" doctor 2>&1 | tee "$out/doctor.log"
doctor_rc=${PIPESTATUS[0]}

# 3b. parity: JUnit console launcher over the parity package
timeout 200 "${jvm[@]}" -jar "$work/junit-console.jar" execute \
    --class-path "$work/spikevae.jar:$work/test-classes" --select-package dev.spikevae.parity \
    --details=tree --disable-banner --reports-dir "$out/junit" >"$out/parity.log" 2>&1
parity_rc=$?
tail -n 25 "$out/parity.log"

# 3c. benchmarks (own kernels; cuBLAS also timed for reference when it loads)
timeout 240 "${jvm[@]}" -jar "$work/spikevae.jar" bench --device cuda 2>&1 | tee "$out/bench.log"
bench_rc=${PIPESTATUS[0]}

# 4. The table, last.
echo
echo "== spikevae gpu-check =="
echo "| part | result |"
echo "|---|---|"
echo "| doctor | $([ "$doctor_rc" = 0 ] && echo ok || echo "FAILED (rc $doctor_rc)") |"
# one line per op, printed by the parity tests themselves ("PARITY kGemm pass")
grep -a '^PARITY ' "$out/parity.log" | sed -E 's/^PARITY ([^ ]+) (.*)$/| parity \1 | \2 |/' || true
count() { sed 's/\x1b\[[0-9;]*m//g' "$out/parity.log" | grep -Eo "[0-9]+ tests $1" | grep -Eo '^[0-9]+' || echo "?"; }
echo "| parity suite | rc $parity_rc$( [ "$parity_rc" = 124 ] && echo " (timeout)"): $(count successful) passed, $(count failed) failed, $(count aborted) skipped |"
echo "| benchmarks | $([ "$bench_rc" = 0 ] && echo "all targets met" || echo "rc $bench_rc (3: a target missed; 124: timeout)") |"
grep '^|' "$out/bench.log" || true
rm -rf "$work"
[ "$doctor_rc" = 0 ] && [ "$parity_rc" = 0 ] && [ "$bench_rc" = 0 ]
