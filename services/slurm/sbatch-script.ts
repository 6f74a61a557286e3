/**
 * The sbatch script of a SLURM sweep and the command that submits it. Pure: unit-tested, and
 * printed as is by `--dry-run` for researchers who submit by hand.
 */

export interface SbatchScriptInput {
  sweepId: string;
  experiment: string;
  tasks: number;
  workdir: string;
  /** Absolute paths: the node binary and the phenobook CLI entry (bin/phenobook.js). */
  node: string;
  cli: string;
  partition?: string | null;
  time?: string | null;
  cpusPerTask?: number | null;
  gpusPerTask?: number | null;
  /** Shown in the submit line of the header (--array=0-K%N). */
  maxParallel?: number | null;
}

/** One shell word, single-quoted (safe for spaces, $, quotes). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Why a work directory cannot be used, or null. sbatch reads `%` in --output as a pattern, and
 * #SBATCH lines are not shell: a double quote or a newline there cannot be quoted.
 */
export function workdirProblem(workdir: string): string | null {
  if (!workdir.startsWith('/')) return 'must be an absolute path';
  if (/["%\n\r\\]/.test(workdir)) return 'must not contain ", %, \\ or a line break';
  return null;
}

/** `--array=0-3%2` for every task, or `--array=1,3%2` for some (a retry). */
export function arraySpec(indices: readonly number[], maxParallel?: number | null): string {
  if (indices.length === 0) throw new Error('arraySpec needs at least one task');
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const i of [...sorted.slice(1), Number.NaN]) {
    if (i === prev + 1) {
      prev = i;
      continue;
    }
    ranges.push(start === prev ? String(start) : `${start}-${prev}`);
    start = prev = i;
  }
  return `${ranges.join(',')}${maxParallel ? `%${maxParallel}` : ''}`;
}

export function renderSbatchScript(s: SbatchScriptInput): string {
  const problem = workdirProblem(s.workdir);
  if (problem) throw new Error(`workdir ${problem}`);
  const directives = [
    `--job-name=phenobook-${s.sweepId.slice(0, 8)}`,
    `--output="${s.workdir}/tasks/%a/slurm-%A_%a.log"`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.time ? [`--time=${s.time}`] : []),
    ...(s.cpusPerTask ? [`--cpus-per-task=${s.cpusPerTask}`] : []),
    ...(s.gpusPerTask ? [`--gpus-per-task=${s.gpusPerTask}`] : []),
  ];
  return `#!/bin/bash
# Phenobook sweep ${s.sweepId}: ${s.experiment}, ${s.tasks} ${s.tasks === 1 ? 'task' : 'tasks'} (one per grid point × seed).
# Each array task trains one run from its spec into its own database; \`phenobook sweep collect\`
# imports the finished ones into the notebook. Submit with:
#   sbatch --array=${arraySpec(Array.from({ length: s.tasks }, (_, i) => i), s.maxParallel)} ${shellQuote(`${s.workdir}/sweep.sbatch`)}
${directives.map((d) => `#SBATCH ${d}`).join('\n')}
set -euo pipefail

WORKDIR=${shellQuote(s.workdir)}
: "\${SLURM_ARRAY_TASK_ID:?this script runs as a job array: sbatch --array=... (see the line above)}"
TASK="$WORKDIR/tasks/$SLURM_ARRAY_TASK_ID"
# The app was built when the sweep was submitted; tasks must not rebuild it at the same time.
export PHENOBOOK_SKIP_BUILD=1

status=0
${shellQuote(s.node)} ${shellQuote(s.cli)} run --spec "$TASK/spec.json" --data-dir "$TASK/data" --json \\
  > "$TASK/result.json.part" || status=$?
# Moved into place whole: a collect reads either no result or a complete one.
mv -f "$TASK/result.json.part" "$TASK/result.json"
exit "$status"
`;
}

/** The sbatch command line (argv) that submits the array, printing only the job id. */
export function sbatchArgs(scriptPath: string, indices: readonly number[], maxParallel?: number | null): string[] {
  return ['--parsable', `--array=${arraySpec(indices, maxParallel)}`, scriptPath];
}
