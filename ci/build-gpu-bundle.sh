#!/usr/bin/env bash
# Builds, on a machine with Maven and a JDK 17+, what ci/gpu-check.sh needs on a GPU machine that has no
# Maven and maybe no JDK: gpu-bundle/spikevae-gpu.tgz (git-ignored) holding
#   spikevae.jar        the shaded jar (JCuda natives included)
#   test-classes/       the compiled tests (the GPU parity suite)
#   cuda-emu/           the emulated CUDA device's library, where g++ built it (gpu-check compares the GPU with it)
#   junit-console.jar   JUnit's console launcher (from Maven Central)
#   runtime/            a jlink'ed Java runtime, used there only when no java >= 17 is installed
# The working tree that travels to the GPU machine is limited to 64 MiB; the script prints the size.
set -euo pipefail
cd "$(dirname "$0")/.."
out=gpu-bundle
stage="$out/stage"
rm -rf "$out"
mkdir -p "$stage"

echo "build-gpu-bundle: mvn package (tests compiled, not run; the emulator built)..."
mvn -B -q -DskipTests package
cp target/spikevae.jar "$stage/spikevae.jar"
# the PTX compiler's natives (23 MB) serve only a build-time test: the GPU loads PTX through the driver
if command -v zip >/dev/null; then
    zip -q -d "$stage/spikevae.jar" 'lib/libJNvPTXCompiler-*' || true
fi
# the compiled tests without their data fixtures (checkpoints, arrays: 13 MB), which no GPU stage reads
(cd target && tar -cf - --exclude='*.safetensors' --exclude='*.npz' --exclude='*.npy' --exclude='*.tgz' test-classes) |
    tar -C "$stage" -xf -
# the emulated CUDA device (the package above builds it where g++ exists): gpu-check's stage e compares with it
if [ -f target/cuda-emu/libspikevae-cuda-emu.so ]; then
    mkdir -p "$stage/cuda-emu"
    cp target/cuda-emu/libspikevae-cuda-emu.so "$stage/cuda-emu/"
else
    echo "build-gpu-bundle: no emulator library ($(cat target/cuda-emu/unavailable.txt 2>/dev/null || echo 'not built')):" \
        "gpu-check's stage e will not run"
fi

platform_version="$(mvn -B -q help:evaluate -Dexpression=junit.version -DforceStdout 2>/dev/null | sed -E 's/\x1b\[[0-9;]*m//g; s/^5\./1./')"
[ -n "$platform_version" ] || platform_version=1.14.4
echo "build-gpu-bundle: junit-platform-console-standalone $platform_version..."
mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform_version" \
    -DoutputDirectory="$stage" -Dmdep.stripVersion=true
mv "$stage/junit-platform-console-standalone.jar" "$stage/junit-console.jar"

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
echo "build-gpu-bundle: jlink runtime from $java_home..."
"$java_home/bin/jlink" --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$stage/runtime"

tar -C "$stage" -czf "$out/spikevae-gpu.tgz" .
rm -rf "$stage"
size=$(du -m "$out/spikevae-gpu.tgz" | cut -f1)
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
echo "build-gpu-bundle: $out/spikevae-gpu.tgz is ${size} MiB; tracked files $((tracked / 1048576)) MiB (limit 64 MiB in all)"
