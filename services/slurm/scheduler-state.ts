/**
 * Parsing what SLURM says about an array job's tasks. Pure and unit-tested with captured output of
 * `squeue -h -r -o '%i|%T' -j JOBS` and `sacct -n -P -X -o JobID,State,ExitCode -j JOBS`.
 */

/** What the scheduler says of one array task. */
export type SchedulerTaskState = 'pending' | 'running' | 'completed' | 'failed';

export interface SchedulerTask {
  jobId: string;
  index: number;
  state: SchedulerTaskState;
  /** SLURM's own word (RUNNING, CANCELLED by 0, TIMEOUT, OUT_OF_MEMORY, …). */
  raw: string;
  exitCode?: string;
}

const PENDING = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SUSPENDED']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'STAGE_OUT', 'SIGNALING', 'RESIZING']);

function classify(raw: string): SchedulerTaskState {
  const word = raw.split(/\s+/)[0]!.toUpperCase();
  if (PENDING.has(word)) return 'pending';
  if (RUNNING.has(word)) return 'running';
  if (word === 'COMPLETED') return 'completed';
  return 'failed';
}

/**
 * "1234_5" → one task; "1234_[2-3,7%2]" (pending tasks squeue or sacct did not expand) → several.
 * Anything else (a step such as 1234_5.batch, a plain job id) is not a task: null.
 */
function expandTaskIds(id: string): { jobId: string; indices: number[] } | null {
  const one = /^(\d+)_(\d+)$/.exec(id);
  if (one) return { jobId: one[1]!, indices: [Number(one[2])] };
  const many = /^(\d+)_\[([0-9,-]+)(?:%\d+)?\]$/.exec(id);
  if (!many) return null;
  const indices: number[] = [];
  for (const part of many[2]!.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let i = a; i <= (b ?? a); i++) indices.push(i);
  }
  return { jobId: many[1]!, indices };
}

/** `squeue -h -r -o '%i|%T'` lines. */
export function parseSqueue(output: string): SchedulerTask[] {
  const tasks: SchedulerTask[] = [];
  for (const line of output.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (!id || !state) continue;
    const ids = expandTaskIds(id.trim());
    if (!ids) continue;
    for (const index of ids.indices) tasks.push({ jobId: ids.jobId, index, state: classify(state.trim()), raw: state.trim() });
  }
  return tasks;
}

/** `sacct -n -P -X -o JobID,State,ExitCode` lines. */
export function parseSacct(output: string): SchedulerTask[] {
  const tasks: SchedulerTask[] = [];
  for (const line of output.split('\n')) {
    const [id, state, exitCode] = line.trim().split('|');
    if (!id || !state) continue;
    const ids = expandTaskIds(id.trim());
    if (!ids) continue;
    for (const index of ids.indices) {
      tasks.push({ jobId: ids.jobId, index, state: classify(state.trim()), raw: state.trim(), ...(exitCode ? { exitCode: exitCode.trim() } : {}) });
    }
  }
  return tasks;
}

/**
 * One state per (job, task): squeue (live) wins over sacct (which lags and keeps history).
 * Keyed "job_index".
 */
export function mergeStates(squeue: readonly SchedulerTask[], sacct: readonly SchedulerTask[]): Map<string, SchedulerTask> {
  const merged = new Map<string, SchedulerTask>();
  for (const t of sacct) merged.set(`${t.jobId}_${t.index}`, t);
  for (const t of squeue) merged.set(`${t.jobId}_${t.index}`, t);
  return merged;
}

/** `sbatch --parsable` prints "1234" or "1234;cluster". */
export function parseSbatchJobId(output: string): string | null {
  const m = /^(\d+)(?:;\S+)?\s*$/m.exec(output.trim());
  return m ? m[1]! : null;
}
