#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for the acceptance test (see the README, "Running sweeps on a cluster").
#   scripts/slurm-local.sh start   install (Debian packages) if needed, configure, start munged,
#                                  slurmctld and slurmd, wait for the node to be idle
#   scripts/slurm-local.sh stop    stop the daemons this script started (by their pid files)
# Needs root. Writes its pid files under $SLURM_LOCAL_STATE (default /run/phenobook-slurm).
set -euo pipefail
STATE=${SLURM_LOCAL_STATE:-/run/phenobook-slurm}
HOST=$(hostname -s)

log() { printf '[slurm-local] %s\n' "$*" >&2; }

install_packages() {
  command -v sbatch >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null && return 0
  command -v apt-get >/dev/null || { log "sbatch is missing and apt-get is not available"; return 1; }
  log "apt-get install slurm-wlm munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends slurm-wlm munge </dev/null >/dev/null
}

configure() {
  # Never overwrite a real cluster's configuration: only a file this script wrote may be replaced.
  if [ -s /etc/slurm/slurm.conf ] && ! grep -q '^# Written by phenobook scripts/slurm-local.sh' /etc/slurm/slurm.conf; then
    log "/etc/slurm/slurm.conf exists and was not written by this script: refusing to replace it"
    return 1
  fi
  mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm "$STATE"
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
  chmod 400 /etc/munge/munge.key
  local cpus mem
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 1024 ))
  cat > /etc/slurm/slurm.conf <<CONF
# Written by phenobook scripts/slurm-local.sh: a one-node cluster for tests.
ClusterName=local
SlurmctldHost=$HOST
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmUser=root
AuthType=auth/munge
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
MpiDefault=none
ReturnToService=2
KillWait=10
NodeName=$HOST CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  install_packages
  configure
  if [ ! -S /run/munge/munge.socket.2 ] || ! munge -n </dev/null >/dev/null 2>&1; then
    log "starting munged"
    /usr/sbin/munged --force --pid-file "$STATE/munged.pid" 2>/dev/null || /usr/sbin/munged --force
  fi
  log "starting slurmctld and slurmd"
  # -c: a clean controller state (no jobs left from an earlier test).
  /usr/sbin/slurmctld -c
  /usr/sbin/slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qx 'idle'; then log "node $HOST idle"; return 0; fi
    sleep 1
  done
  log "the node did not become idle:"; sinfo >&2 || true; tail -20 /var/log/slurm/slurmctld.log >&2 || true
  return 1
}

stop_pid() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  log "stopping slurmd, slurmctld and munged"
  stop_pid "$STATE/slurmd.pid"
  stop_pid "$STATE/slurmctld.pid"
  stop_pid "$STATE/munged.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
