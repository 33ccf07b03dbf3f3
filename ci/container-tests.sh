#!/usr/bin/env bash
# The container tests (docker/README.md), as root on a Debian or Ubuntu machine:
#   1. installs docker.io when missing;
#   2. uses the Docker engine that answers, or starts dockerd and stops it on exit, whatever happened;
#   3. makes the base image debian:bookworm-slim with debootstrap (installed when missing) from Debian's mirror when
#      the engine lacks it: no image registry is needed;
#   4. runs `mvn -B verify -DskipUnitTests=true` with CI=true, so that a missing engine fails instead of skipping:
#      the jar, then the image from docker/Dockerfile and the tests in src/test/java/dev/spikevae/container;
#   5. prints the image's size and how long all this took.
# Extra arguments go to Maven, e.g. -Dspikevae.container.gpu=true on a machine with the NVIDIA container toolkit.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
base=debian:bookworm-slim
image=spikevae:container-test
logs=target/container-tests
work="$(mktemp -d "${TMPDIR:-/tmp}/spikevae-containers.XXXXXX")"
dockerd_pid=""

stop_engine() {
    if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
        echo "container-tests: stopping the dockerd it started (pid $dockerd_pid)"
        kill "$dockerd_pid" 2>/dev/null || true
        wait "$dockerd_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_engine EXIT

engine_answers() { docker info >/dev/null 2>&1; }

apt_install() {
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# 1. Docker (a runner's own engine is used as it is)
if ! command -v docker >/dev/null || { ! engine_answers && ! command -v dockerd >/dev/null; }; then
    apt_install docker.io
fi

# 2. Engine. The bridge address is given explicitly: where the machine itself looks like a container (a /.dockerenv),
# Testcontainers reads the host's address off it instead of starting a helper container to find it.
mkdir -p "$logs"
if ! engine_answers; then
    echo "container-tests: starting dockerd (log: $logs/dockerd.log)"
    dockerd --bip=172.17.0.1/16 >"$logs/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 60); do
        engine_answers && break
        kill -0 "$dockerd_pid" 2>/dev/null || { echo "container-tests: dockerd exited:"; tail -20 "$logs/dockerd.log"; exit 1; }
        sleep 1
    done
    engine_answers || { echo "container-tests: dockerd did not answer within 60 s:"; tail -20 "$logs/dockerd.log"; exit 1; }
fi
echo "container-tests: Docker engine $(docker version --format '{{.Server.Version}}')"

# 3. Base image
if ! docker image inspect "$base" >/dev/null 2>&1; then
    echo "container-tests: making $base with debootstrap (minbase bookworm)..."
    command -v debootstrap >/dev/null || apt_install debootstrap
    if ! debootstrap --variant=minbase bookworm "$work/rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
            >"$logs/debootstrap.log" 2>&1; then
        echo "container-tests: debootstrap failed:"; tail -20 "$logs/debootstrap.log"; exit 1
    fi
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -c . | docker import --change 'CMD ["bash"]' - "$base" >/dev/null
    rm -rf "$work/rootfs"
fi

# 4. The tests (failsafe; the unit tests are skipped here: .ci/run has run them)
tests_started=$(date +%s)
CI=true mvn -B verify -DskipUnitTests=true "$@"
tests_done=$(date +%s)

# 5. Figures
size=$(docker image inspect "$image" --format '{{.Size}}' 2>/dev/null || echo 0)
echo "container-tests: image $image on $base: $((size / 1000000)) MB"
echo "container-tests: mvn verify (jar, image, container tests) $((tests_done - tests_started)) s; in all $((tests_done - started)) s"
