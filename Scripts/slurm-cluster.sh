#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, without systemd, for Scripts/slurm-check.sh
# (issue 14, item 3) and for trying Examples/slurm/sweep.sbatch by hand.
#
#   Scripts/slurm-cluster.sh start     install slurm-wlm and munge if missing, start munged,
#                                      slurmctld and slurmd, wait until the node is idle
#   Scripts/slurm-cluster.sh stop      cancel every job, stop exactly the daemons `start` started
#   Scripts/slurm-cluster.sh status    the daemons, sinfo and squeue
#   Scripts/slurm-cluster.sh env       print `export SLURM_CONF=…` for the clients (eval it)
#
# Must run as root (it installs packages and runs munged as the `munge` user). Everything —
# slurm.conf, the munge key and socket, state and spool dirs, pid and log files — lives in
# CONVGRAPH_SLURM_DIR (default /var/tmp/convgraph-slurm); nothing under /etc is written, so
# the clients (sbatch, squeue, sinfo, scontrol) need `SLURM_CONF=$CONVGRAPH_SLURM_DIR/slurm.conf`
# (`start` and `env` print it). The node is this host (`hostname -s`, at 127.0.0.1) with
# CPUs = nproc and RealMemory = MemTotal; one partition `convgraph`, cons_tres with CR_CPU, so
# one-CPU array tasks queue and run as many at a time as there are CPUs.
#
# `start` is idempotent: daemons already running from this dir are kept, stale pid files are
# removed, a DOWN or DRAINED node is resumed. Timeouts: CONVGRAPH_SLURM_TIMEOUT seconds (60).
set -euo pipefail

dir=${CONVGRAPH_SLURM_DIR:-/var/tmp/convgraph-slurm}
timeout=${CONVGRAPH_SLURM_TIMEOUT:-60}
conf=$dir/slurm.conf
host=$(hostname -s)
export SLURM_CONF=$conf

say() { echo "slurm-cluster: $*"; }
die() { echo "slurm-cluster: error: $*" >&2; exit 1; }

# Log tails for an error message.
tails() {
    local f
    for f in "$dir"/log/munged.log "$dir"/log/slurmctld.log "$dir"/log/slurmd.log; do
        [[ -s $f ]] || continue
        echo "---- last lines of $f" >&2
        tail -n 15 "$f" >&2
    done
}
fail() { echo "slurm-cluster: error: $*" >&2; tails; exit 1; }

# The pid in pid file $1 when it names a live process whose command is $2, else nothing.
live_pid() {
    local file=$1 name=$2 pid
    [[ -s $file ]] || return 0
    pid=$(tr -dc 0-9 < "$file")
    [[ -n $pid && -r /proc/$pid/comm && $(cat "/proc/$pid/comm") == "$name" ]] && echo "$pid"
    return 0
}

install_packages() {
    local missing=()
    command -v slurmctld > /dev/null && command -v slurmd > /dev/null && command -v sbatch > /dev/null \
        || missing+=(slurm-wlm)
    command -v munged > /dev/null || missing+=(munge)
    ((${#missing[@]} == 0)) && return 0
    [[ $(id -u) == 0 ]] || die "installing ${missing[*]} needs root"
    say "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" > "$dir/log/apt.log" 2>&1 || {
        apt-get update > /dev/null 2>&1 || true
        apt-get install -y --no-install-recommends "${missing[@]}" > "$dir/log/apt.log" 2>&1 \
            || { tail -n 20 "$dir/log/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
    }
}

write_conf() {
    local cpus mem
    cpus=$(nproc)
    mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
    cat > "$conf.tmp" <<EOF
# Written by Scripts/slurm-cluster.sh: a one-node cluster on $host. Do not edit (rewritten on start).
ClusterName=convgraph
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SwitchType=switch/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
PlugStackConfig=$dir/plugstack.conf
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
MinJobAge=600
KillWait=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=convgraph Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    if cmp -s "$conf.tmp" "$conf"; then rm -f "$conf.tmp"; else mv "$conf.tmp" "$conf"; conf_changed=1; fi
    : > "$dir/plugstack.conf"
}

start_munged() {
    local pid
    pid=$(live_pid "$dir/run/munged.pid" munged)
    if [[ -n $pid ]]; then say "munged already running (pid $pid)"; return 0; fi
    rm -f "$dir/run/munged.pid" "$dir/munge/munge.socket" "$dir/munge/munge.socket.lock"
    if [[ ! -s $dir/munge/munge.key ]]; then
        dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    fi
    chown -R munge:munge "$dir/munge"
    chmod 0700 "$dir/munge/state"
    chmod 0755 "$dir/munge"
    chmod 0400 "$dir/munge/munge.key"
    touch "$dir/run/munged.pid" "$dir/log/munged.log"
    chown munge:munge "$dir/run/munged.pid" "$dir/log/munged.log"
    runuser -u munge -- munged --force \
        --key-file="$dir/munge/munge.key" \
        --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/run/munged.pid" \
        --log-file="$dir/log/munged.log" \
        --seed-file="$dir/munge/state/munged.seed" \
        || fail "munged did not start"
    wait_for "munged" "munge --socket=$dir/munge/munge.socket -n | unmunge --socket=$dir/munge/munge.socket > /dev/null 2>&1"
}

start_daemon() {
    local name=$1 pid
    pid=$(live_pid "$dir/run/$name.pid" "$name")
    if [[ -n $pid ]]; then say "$name already running (pid $pid)"; return 0; fi
    rm -f "$dir/run/$name.pid"
    "$name" -f "$conf" || fail "$name did not start"
    wait_for "$name pid file" "[[ -n \$(live_pid '$dir/run/$name.pid' '$name') ]]"
}

# wait_for WHAT CONDITION: evaluates CONDITION every 0.5 s until true, for at most $timeout s.
wait_for() {
    local what=$1 condition=$2 deadline=$((SECONDS + timeout))
    until eval "$condition"; do
        ((SECONDS < deadline)) || fail "timed out after ${timeout}s waiting for $what"
        sleep 0.5
    done
}

node_state() { sinfo -h -n "$host" -o %T 2> /dev/null | head -n 1; }

start() {
    [[ $(id -u) == 0 ]] || die "start must run as root"
    mkdir -p "$dir"/{log,run,state,spool,munge/state}
    install_packages
    local began=$SECONDS conf_changed=0
    write_conf
    start_munged
    start_daemon slurmctld
    wait_for "slurmctld to answer" "scontrol ping 2> /dev/null | grep -q UP"
    start_daemon slurmd
    if ((conf_changed)) && [[ -n $(live_pid "$dir/run/slurmctld.pid" slurmctld) ]]; then
        scontrol reconfigure 2> /dev/null || true   # daemons kept from before read the new slurm.conf
    fi
    local deadline=$((SECONDS + timeout)) state resumed=0
    while :; do
        state=$(node_state)
        case $state in
            idle | mixed | allocated | completing) break ;;
            down* | drain* | fail* | inval*)
                if ((resumed == 0)); then
                    say "node $host is $state: resuming it"
                    scontrol update nodename="$host" state=resume || true
                    resumed=1
                fi ;;
        esac
        ((SECONDS < deadline)) || fail "timed out after ${timeout}s: node $host is '${state:-unknown}', not idle"
        sleep 0.5
    done
    say "node $host is $state ($(nproc) CPUs), up in $((SECONDS - began)) s"
    echo "export SLURM_CONF=$conf"
}

# stop_daemon NAME: TERM, then KILL after $timeout s, the pid of NAME's pid file.
stop_daemon() {
    local name=$1 pid deadline
    pid=$(live_pid "$dir/run/$name.pid" "$name")
    if [[ -z $pid ]]; then rm -f "$dir/run/$name.pid"; return 0; fi
    kill -TERM "$pid" 2> /dev/null || true
    deadline=$((SECONDS + timeout))
    while [[ -d /proc/$pid && $(cat "/proc/$pid/comm" 2> /dev/null) == "$name" ]]; do
        if ((SECONDS >= deadline)); then kill -KILL "$pid" 2> /dev/null || true; fi
        sleep 0.2
    done
    rm -f "$dir/run/$name.pid"
    say "stopped $name (pid $pid)"
}

stop() {
    local began=$SECONDS
    if [[ -n $(live_pid "$dir/run/slurmctld.pid" slurmctld) ]]; then
        # No job step outlives the cluster: cancel everything and wait (bounded) for the queue to drain.
        scancel --full --quiet --user=root 2> /dev/null || true
        local deadline=$((SECONDS + timeout))
        while [[ -n $(squeue -h -o %i 2> /dev/null) ]] && ((SECONDS < deadline)); do sleep 0.5; done
    fi
    stop_daemon slurmd
    stop_daemon slurmctld
    stop_daemon munged
    say "stopped in $((SECONDS - began)) s"
}

status() {
    local name pid rc=0
    for name in munged slurmctld slurmd; do
        pid=$(live_pid "$dir/run/$name.pid" "$name")
        if [[ -n $pid ]]; then echo "$name: running (pid $pid)"; else echo "$name: not running"; rc=3; fi
    done
    if ((rc == 0)); then
        sinfo
        squeue
    fi
    return $rc
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export SLURM_CONF=$conf" ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 64 ;;
esac
