#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests of the Slurm sweep executor (and for trying it out):
#   eval "$(ci/slurm-local.sh start)"   installs slurm-wlm and munge when missing, starts munged, slurmctld and slurmd
#                                        with a private configuration, waits until the node takes jobs, and prints
#                                        `export SLURM_CONF=...` for the shell (sbatch, squeue and the tests read it)
#   ci/slurm-local.sh stop              stops the daemons it started (and munged)
# Needs root. The state lives in $SPIKEVAE_SLURM_DIR (default /tmp/spikevae-slurm); logs are there too.
set -euo pipefail
DIR=${SPIKEVAE_SLURM_DIR:-/tmp/spikevae-slurm}
CONF=$DIR/slurm.conf

log() { echo "slurm-local: $*" >&2; }

stop() {
    for d in slurmd slurmctld; do
        if [ -f "$DIR/$d.pid" ] && kill -0 "$(cat "$DIR/$d.pid")" 2>/dev/null; then
            kill "$(cat "$DIR/$d.pid")" 2>/dev/null || true
            log "stopped $d"
        fi
    done
    if [ -f "$DIR/munged.pid" ] && kill -0 "$(cat "$DIR/munged.pid")" 2>/dev/null; then
        kill "$(cat "$DIR/munged.pid")" 2>/dev/null || true
        log "stopped munged"
    fi
}

start() {
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        log "installing slurm-wlm and munge"
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >&2
    fi
    stop
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
    chown munge:munge "$DIR/munge"
    if [ ! -s /etc/munge/munge.key ]; then
        log "creating a munge key"
        if command -v mungekey >/dev/null; then mungekey --create --force >&2; else
            dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; fi
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    # munged in a private socket folder, so it cannot disturb a system munge service
    runuser -u munge -- munged --socket="$DIR/munge/munge.socket" --pid-file="$DIR/munge/munged.pid" \
        --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed" >&2
    cp "$DIR/munge/munged.pid" "$DIR/munged.pid"

    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    cat >"$CONF" <<EOF
ClusterName=spikevae-local
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
    export SLURM_CONF=$CONF
    slurmctld -f "$CONF" >&2
    slurmd -f "$CONF" >&2
    for _ in $(seq 60); do
        if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then
            log "cluster up: $(sinfo -h -o '%P %D nodes %c cpus %t')"
            echo "export SLURM_CONF=$CONF"
            return 0
        fi
        sleep 1
    done
    log "the node did not come up; slurmctld log:"
    tail -20 "$DIR/slurmctld.log" >&2 || true
    tail -20 "$DIR/slurmd.log" >&2 || true
    return 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
