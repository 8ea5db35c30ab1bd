#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine (munged + slurmctld + slurmd), for trying the array script and for the
# farm test. Needs root and the Debian packages slurm-wlm and munge.
#
#   packaging/farm/slurm-localhost.sh start DIR   start the daemons; state, logs and slurm.conf live under DIR
#   packaging/farm/slurm-localhost.sh stop DIR    stop the daemons this script started for DIR, wait until they are gone
#   export SLURM_CONF=DIR/slurm.conf              then sinfo, sbatch, squeue, scancel talk to this cluster
#
# The controller and node daemons listen on free ports found at start (not Slurm's 6817/6818), so a cluster that
# already runs on the machine is left alone. munged is shared: an already running one is used, and only one started
# here is stopped by `stop`.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin" # the daemons live there

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

port_in_use() { # $1: TCP port; reads /proc so that no extra tool is needed
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hex" '$2 ~ p"$" {found=1} END {exit !found}'
}

free_port() { # $1: first port to try
    local p=$1
    while port_in_use "$p" || port_in_use "$((p + 1))"; do p=$((p + 2)); done
    echo "$p"
}

wait_gone() { # $1: pid; waits up to 20 s
    for _ in $(seq 1 100); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.2
    done
    return 1
}

if [ "$cmd" = start ]; then
    for tool in munged slurmctld slurmd sinfo; do
        command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 3; }
    done
    mkdir -p "$dir"/{state,spool,log}
    dir=$(cd "$dir" && pwd)
    host=$(hostname -s)
    cpus=$(nproc)
    mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024))
    ctld_port=$(free_port $((17000 + RANDOM % 2000 * 2)))
    slurmd_port=$((ctld_port + 1))
    cat >"$dir/slurm.conf" <<CONF
ClusterName=orfeas-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
KillWait=30
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    # munge: one key and one daemon per machine; start it only when none runs.
    mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge
    if [ ! -s /etc/munge/munge.key ]; then
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
    fi
    chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        if [ -x /usr/sbin/runuser ] && id munge >/dev/null 2>&1; then
            runuser -u munge -- munged --force
        else
            munged --force
        fi
        touch "$dir/.started-munged"
        for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    for _ in $(seq 1 60); do
        state=$(sinfo -h -o %T 2>/dev/null || true)
        case "$state" in idle*) break ;; esac
        sleep 0.5
    done
    case "$state" in
        idle*) echo "slurm: node $host idle on ports $ctld_port/$slurmd_port; export SLURM_CONF=$SLURM_CONF" ;;
        *)
            echo "$0: the node did not become idle (state '$state'); logs in $dir/log" >&2
            exit 4
            ;;
    esac
elif [ "$cmd" = stop ]; then
    [ -d "$dir" ] || exit 0
    # Jobs of this cluster first, so that no job step outlives its slurmd.
    if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
        export SLURM_CONF="$dir/slurm.conf"
        jobs=$(squeue -h -o %A 2>/dev/null || true)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086 # one job id per word
            scancel $jobs 2>/dev/null || true
            for _ in $(seq 1 150); do
                [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
                sleep 0.2
            done
        fi
    fi
    for p in slurmd slurmctld; do
        if [ -f "$dir/$p.pid" ]; then
            pid=$(cat "$dir/$p.pid")
            if kill "$pid" 2>/dev/null && ! wait_gone "$pid"; then
                kill -9 "$pid" 2>/dev/null || true
            fi
            rm -f "$dir/$p.pid"
        fi
    done
    if [ -f "$dir/.started-munged" ]; then
        pid=$(cat /run/munge/munged.pid 2>/dev/null || true)
        if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
            wait_gone "$pid" || true
        fi
        rm -f "$dir/.started-munged"
    fi
else
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi
