#!/usr/bin/env bash
# Acceptance test of sweeps on SLURM against a real one-node cluster (README, "Running sweeps on a cluster"):
# starts the cluster when sbatch is not answering (installing Debian's packages if apt-get is
# there), runs test/slurm-acceptance.slurm.ts, and stops the daemons it started, even on failure.
# Never reads stdin. SLURM_ACCEPTANCE_STEPS sets the training steps per run (default 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
exec </dev/null

log() { printf '\n== %s\n' "$*" >&2; }
started=0
cleanup() {
  local rc=$?
  if [ "$started" = 1 ]; then scripts/slurm-local.sh stop || true; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if command -v sinfo >/dev/null && timeout 10 sinfo -h >/dev/null 2>&1; then
  log "using the running SLURM cluster: $(sinfo -h -o '%P %a %D %T' | tr '\n' ' ')"
else
  if [ "$(id -u)" != 0 ]; then echo "slurm-acceptance: needs root to start a local SLURM cluster" >&2; exit 1; fi
  log "starting a one-node SLURM cluster"
  started=1
  scripts/slurm-local.sh start
fi

log "building (array tasks skip the stale-build check)"
node scripts/build-if-stale.mjs

log "acceptance test"
SECONDS=0
timeout 1800 npx vitest run --config vitest.slurm.config.ts
log "acceptance test passed in ${SECONDS} s"
