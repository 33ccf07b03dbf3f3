#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU, no internet and no Maven (see docs/gpu.md). It gets one try and a
# few minutes, so it is staged: every stage runs in a JVM of its own under its own timeout and prints its summary
# line as soon as it ends, so a native crash or a hang in one stage cannot take the results of the others with it.
#
#   a. smoke (60 s): doctor without the vendor libraries, then five parity cases on the own kernels
#   b. own kernels (120 s): the whole parity suite and the ESVAE training step, own kernels only, with
#      -Dspikevae.cuda.sync=true so that a failing kernel is named
#   c. vendor libraries (60 s): cuBLAS and cuDNN parity (the only stage that loads their natives)
#   d. benchmarks (150 s): copy bandwidth, LIF, SGEMM 4096^3 FP32/TF32, ESVAE images/s at batch 256
#   e. emulator (90 s): every parity case's inputs through the GPU and through the emulated device (the same
#      kernels compiled for the CPU), outputs compared element by element
#   f. profile (90 s): the ESVAE training step at batch 256 with -Dspikevae.cuda.profile=true, each device call
#      timed (where the step's time goes, by kernel and launch shape)
#
# It stops at once, clearly, where there is no CUDA driver or no bundle (gpu-bundle/spikevae-gpu.tgz, built elsewhere
# by ci/build-gpu-bundle.sh). Logs, JUnit XML and any JVM crash report go to $OUT (default gpu-check-out/); the
# stage lines are also appended to $OUT/summary.txt as they come. A table comes last. Exit status 0 only when every
# stage passed. GPU_CHECK_JAVA overrides the java to use.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-$PWD/gpu-check-out}"
mkdir -p "$out"
: >"$out/summary.txt"
log() { echo "gpu-check: $*" | tee -a "$out/gpu-check.log"; }

# The driver, before anything slow.
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

# The bundle and a java.
bundle="${GPU_BUNDLE:-gpu-bundle/spikevae-gpu.tgz}"
if [ ! -f "$bundle" ]; then
    log "FAILED: $bundle is missing; build it with ci/build-gpu-bundle.sh on a machine with Maven and carry gpu-bundle/"
    exit 3
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/spikevae-gpu.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$bundle"
if [ -n "${GPU_CHECK_JAVA:-}" ]; then
    java_bin="$GPU_CHECK_JAVA"
elif command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
    java_bin=java
else
    java_bin="$work/runtime/bin/java"
fi
log "java: $("$java_bin" -version 2>&1 | head -1) ($java_bin)"
# cuDNN 9 from a Python wheel, when one is installed (JCudnn needs libcudnn.so.9)
cudnn_lib="$(python3 -c 'import nvidia.cudnn, os; print(os.path.join(os.path.dirname(nvidia.cudnn.__file__), "lib"))' 2>/dev/null || true)"
[ -n "$cudnn_lib" ] && [ -d "$cudnn_lib" ] && export LD_LIBRARY_PATH="$cudnn_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
jvm=("$java_bin" --add-modules jdk.incubator.vector -Xmx24g -Dspikevae.debugMemory=false "-XX:ErrorFile=$out/hs_err_%p.log")
own=(-Dspikevae.noVendorLibs=true)  # the probe then never loads cuBLAS or cuDNN
junit=(-jar "$work/junit-console.jar" execute --class-path "$work/spikevae.jar:$work/test-classes" --details=tree
    --disable-banner)

# What an exit status means (the bench command exits with 3 when it ran but missed a target).
verdict() {
    local rc="$1" limit="$2" id="$3"
    case "$rc" in
        0) echo "ok" ;;
        1) echo "FAILED (tests failed)" ;;
        3) if [ "$id" = d ]; then echo "FAILED (a target was missed)"; else echo "FAILED (exit status 3)"; fi ;;
        124) echo "FAILED (timed out after ${limit} s)" ;;
        137) echo "FAILED (killed after its ${limit} s timeout)" ;;
        *) if [ "$rc" -gt 128 ]; then echo "FAILED (crashed: signal $((rc - 128)))"; else echo "FAILED (exit status $rc)"; fi ;;
    esac
}

# JUnit's counts from a log: "3 passed, 1 failed, 2 skipped" (or nothing when the JVM died before its summary).
counts() {
    local clean
    clean="$(sed 's/\x1b\[[0-9;]*m//g' "$1")"
    local ok bad skip
    ok="$(grep -Eo '[0-9]+ tests successful' <<<"$clean" | grep -Eo '^[0-9]+' | tail -1)"
    bad="$(grep -Eo '[0-9]+ tests failed' <<<"$clean" | grep -Eo '^[0-9]+' | tail -1)"
    skip="$(grep -Eo '[0-9]+ tests aborted' <<<"$clean" | grep -Eo '^[0-9]+' | tail -1)"
    [ -n "$ok$bad$skip" ] && echo ", ${ok:-0} passed, ${bad:-0} failed, ${skip:-0} skipped"
}

declare -a rows=()
failed=0
# stage ID TITLE SECONDS COMMAND...: runs COMMAND under its timeout, logs to $out/ID.log, prints the stage's line.
stage() {
    local id="$1" title="$2" limit="$3"
    shift 3
    log "stage $id, $title: starting (timeout $limit s)"
    local started=$SECONDS
    timeout --kill-after=10 "$limit" "$@" >"$out/$id.log" 2>&1 </dev/null
    local rc=$?
    local v
    v="$(verdict "$rc" "$limit" "$id")$(counts "$out/$id.log")"
    [ "$rc" = 0 ] || failed=1
    local line="stage $id, $title: $v in $((SECONDS - started)) s (log $out/$id.log)"
    log "$line"
    echo "$line" >>"$out/summary.txt"
    rows+=("| $id $title | $v |")
}

stage a1 "smoke: doctor without vendor libraries" 20 \
    "${jvm[@]}" "${own[@]}" -jar "$work/spikevae.jar" --no-vendor-libs doctor
stage a2 "smoke: five parity cases" 40 \
    "${jvm[@]}" "${own[@]}" -Dspikevae.parity.device=gpu \
    -Dspikevae.parity.cases=kCopyToHost,kGemm,kConvForward,kLifForward,kBatchNormStats \
    "${junit[@]}" --select-class dev.spikevae.parity.CudaParityTest --reports-dir "$out/junit-a2"
stage b "own kernels: parity suite and ESVAE step" 120 \
    "${jvm[@]}" "${own[@]}" -Dspikevae.cuda.sync=true -Dspikevae.parity.device=gpu \
    "${junit[@]}" --select-class dev.spikevae.parity.CudaParityTest \
    --select-class dev.spikevae.parity.EsvaeStepParityTest --reports-dir "$out/junit-b"
stage c "vendor libraries: cuBLAS and cuDNN parity" 60 \
    "${jvm[@]}" "${junit[@]}" --select-class dev.spikevae.parity.CublasParityTest \
    --select-class dev.spikevae.parity.CudnnParityTest --reports-dir "$out/junit-c"
stage d "benchmarks" 150 \
    "${jvm[@]}" -jar "$work/spikevae.jar" bench --device cuda
if [ -f "$work/cuda-emu/libspikevae-cuda-emu.so" ]; then
    stage e "GPU against the emulated device" 90 \
        "${jvm[@]}" "${own[@]}" "-Dspikevae.cudaEmu.library=$work/cuda-emu/libspikevae-cuda-emu.so" \
        "${junit[@]}" --select-class dev.spikevae.parity.GpuEmulatorDiffTest --reports-dir "$out/junit-e"
else
    line="stage e, GPU against the emulated device: not run (the bundle has no emulator: g++ was missing where it was built)"
    log "$line"
    echo "$line" >>"$out/summary.txt"
    rows+=("| e GPU against the emulated device | not run (no emulator in the bundle) |")
fi
stage f "profile of the ESVAE step" 90 \
    "${jvm[@]}" -Dspikevae.cuda.profile=true -jar "$work/spikevae.jar" bench --device cuda --esvae 3,128,256 \
    --warmup 1 --iterations 2

# The table, last.
echo
echo "== spikevae gpu-check =="
echo "| stage | result |"
echo "|---|---|"
printf '%s\n' "${rows[@]}"
# one row per parity case, printed by the tests themselves ("PARITY kGemm pass (gpu)")
cat "$out/a2.log" "$out/b.log" "$out/c.log" 2>/dev/null | grep -a '^PARITY ' |
    sed -E 's/^PARITY ([^ ]+) (.*)$/| parity \1 | \2 |/' || true
if [ -f "$out/e.log" ]; then
    total=$(grep -ac '^DIFF ' "$out/e.log")
    same=$(grep -a '^DIFF ' "$out/e.log" | grep -c ': 0 of [0-9]* elements differ' || true)
    echo "| GPU against emulator | $same of $total comparisons bitwise equal; the others: grep '^DIFF' $out/e.log |"
fi
grep '^|' "$out/d.log" 2>/dev/null || true
# the profile's table by call (kernel name), its first rows
sed -n '/  by call: /,$p' "$out/f.log" 2>/dev/null | head -25 || true
[ "$failed" = 0 ]
