#!/usr/bin/env bash
# Probes a spikevae build from the outside for faults of the table in docs/reliability.md, through its
# command line only, so that the same probes run on any build, old or new:
#   tools/reliability-probe.sh [LAUNCHER]     (default: ./spikevae of this checkout)
#   PROBES="1 8" tools/reliability-probe.sh   runs only those probes (default: 1 4 7 8 9 12)
# Each probe trains a tiny ESVAE on the embedded digits (one or two epochs of 64 images), does to the run
# what a crash, a second process, a signal or a user would do, and prints one line:
#   "ok    <fault>: <what happened>"  or  "FAULT <fault>: <what happened>".
# The exit status is the number of FAULT lines. Work files go to a temporary folder, removed at the end
# (PROBE_KEEP=1 keeps it).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAUNCHER=$(readlink -f "${1:-$here/spikevae}")
work=$(mktemp -d /tmp/spikevae-probe.XXXXXX)
[ "${PROBE_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
cd "$work" || exit 99
faults=0
PROBES=" ${PROBES:-1 4 7 8 9 12} "
want() { [[ "$PROBES" == *" $1 "* ]]; }
say() { # status fault text
    printf '%-5s %s: %s\n' "$1" "$2" "$3"
    [ "$1" = FAULT ] && faults=$((faults + 1))
    return 0
}
sv() { "$LAUNCHER" "$@" 2>&1 | grep -v 'incubator modules'; return "${PIPESTATUS[0]}"; }
TINY=(data.train_limit=64 data.test_limit=32 train.sample_count=4 train.log_every=1)

# train NAME EPOCHS: a fresh run under $work/NAME; prints its folder
train() {
    sv train --spec digits --output "$work/$1" train.epochs="$2" "${TINY[@]}" >"$work/$1.log" || return 1
    ls -d "$work/$1"/digits/*/ | head -1
}
rows() { tail -n +2 "$1/metrics.csv" | grep -c . ; }
# The weights file a sidecar names (format 3 names it; older formats use <name>.safetensors).
weights_of() { # sidecar
    local named
    named=$(grep -o '"weights"[^,}]*' "$1" | sed -E 's/.*: *"([^"]*)".*/\1/' | head -1)
    if [ -n "$named" ]; then echo "$(dirname "$1")/$(basename "$named")"; else echo "${1%.json}.safetensors"; fi
}

echo "probing $LAUNCHER ($("$LAUNCHER" --version 2>/dev/null | tail -1))"

# 1: a kill between the renames of a save leaves epoch-2 weights beside the epoch-1 sidecar and optimizer.
run=""
want 1 && run=$(train f1 1)
if [ -n "${run:-}" ]; then
    cp -r "$run/checkpoints" "$work/f1-epoch1"
    sv train --resume "$run" train.epochs=2 >"$work/f1b.log"
    w2=$(weights_of "$run/checkpoints/last.json")
    cp "$w2" "$work/f1-w2"
    rm -rf "$run/checkpoints" && cp -r "$work/f1-epoch1" "$run/checkpoints"
    cp "$work/f1-w2" "$(weights_of "$run/checkpoints/last.json")"
    if sv train --resume "$run" train.epochs=3 >"$work/f1c.log"; then
        say FAULT 1 "a checkpoint of epoch-2 weights with the epoch-1 sidecar and optimizer resumed silently"
    else
        say ok 1 "the mixed checkpoint was refused: $(grep -m1 -i error "$work/f1c.log")"
    fi
fi

# 4: two concurrent resumes of one run.
run=""
want 4 && run=$(train f4 1)
if [ -n "${run:-}" ]; then
    sv train --resume "$run" train.epochs=3 >"$work/f4a.log" & a=$!
    sv train --resume "$run" train.epochs=3 >"$work/f4b.log" & b=$!
    wait $a; ra=$?; wait $b; rb=$?
    n=$(rows "$run")
    if [ $ra -eq 0 ] && [ $rb -eq 0 ]; then
        say FAULT 4 "both concurrent resumes ran (exit 0 and 0); metrics.csv has $n rows for 3 epochs"
    else
        say ok 4 "one resume was refused (exits $ra, $rb): $(cat "$work/f4a.log" "$work/f4b.log" | grep -h -m1 'error')"
    fi
fi

# 7: SIGTERM in the middle of training leaves a summary saying so.
if want 7; then
    sv train --spec digits --output "$work/f7" train.epochs=50 "${TINY[@]}" >"$work/f7.log" &
    pid=$!
    for _ in $(seq 600); do
        [ -n "$(ls "$work"/f7/digits/*/steps.csv 2>/dev/null)" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.5
    done
    jpid=$(pgrep -f "train --spec digits --output $work/f7" | head -1)
    kill -TERM "${jpid:-$pid}" 2>/dev/null
    wait $pid
    run=$(ls -d "$work"/f7/digits/*/ | head -1)
    if [ -f "$run/summary.json" ] && grep -q interrupted "$run/summary.json"; then
        say ok 7 "summary.json after SIGTERM: $(grep -o '"outcome"[^,]*' "$run/summary.json" | head -1)"
    else
        say FAULT 7 "after SIGTERM mid-run: $( [ -f "$run/summary.json" ] && echo "summary.json does not say interrupted" || echo "no summary.json")"
    fi
fi

# 8: inference from the weights and sidecar alone (the optimizer file removed).
run=""
want 8 && run=$(train f8 1)
if [ -n "${run:-}" ]; then
    side="$run/checkpoints/last.json"
    rm -f "$(weights_of "$side" | sed 's/\.safetensors$/.optim.safetensors/')"
    if out=$(sv eval --checkpoint "$side" --limit 32); then
        say ok 8 "eval without the optimizer file: $(echo "$out" | tail -1 | cut -c1-90)…"
    else
        say FAULT 8 "eval without the optimizer file: $(echo "$out" | tail -1)"
    fi
fi

# 9: a temp file left by a killed write is removed on the next start of the run.
run=""
want 9 && run=$(train f9 1)
if [ -n "${run:-}" ]; then
    stray="$run/checkpoints/.last.json.spikevae-0123456789abcdef.tmp"
    echo partial >"$stray"
    sv train --resume "$run" train.epochs=2 >"$work/f9b.log"
    if [ -e "$stray" ]; then say FAULT 9 "the stray temp file is still there after a resume"
    else say ok 9 "the stray temp file was removed on resume"; fi
fi

# 12: SPIKEVAE_DEVICE applies to train and a bad value is named.
if want 12; then
    out=$(SPIKEVAE_DEVICE=bogus sv train --spec digits --output "$work/f12" train.epochs=1 "${TINY[@]}")
    rc=$?
    if [ $rc -ne 0 ] && grep -q "bogus" <<<"$out"; then
        say ok 12 "SPIKEVAE_DEVICE=bogus: $(grep -m1 bogus <<<"$out")"
    else
        say FAULT 12 "SPIKEVAE_DEVICE=bogus: exit $rc, $(grep -m1 -i 'device\|error' <<<"$out" || echo 'trained as if unset')"
    fi
fi
exit $faults
