import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ServiceError } from '../errors';
import { describeIssues, issuesOf } from '../zod-issues';

/**
 * The files a SLURM sweep keeps in its work directory (on storage the cluster's nodes share):
 *
 *   <workdir>/sweep.sbatch            the array job script (readable; see sbatch-script.ts)
 *   <workdir>/tasks/<i>/spec.json     what task i runs: experiment, preset, full config, seed
 *   <workdir>/tasks/<i>/data/         task i's own Phenobook database (`run --data-dir`)
 *   <workdir>/tasks/<i>/result.json   `phenobook run --json` output, moved into place at the end
 *   <workdir>/tasks/<i>/slurm-*.log   the task's stdout and stderr
 *
 * Everything read back is validated: a bad file fails that task with a clear reason and
 * imports nothing.
 */

export const TASK_SPEC_FORMAT = 'phenobook-slurm-task';

const Config = z.record(z.string().max(100), z.unknown());

export const TaskSpecSchema = z.strictObject({
  format: z.literal(TASK_SPEC_FORMAT),
  version: z.literal(1),
  sweepId: z.uuid(),
  index: z.int().min(0),
  experiment: z.string().min(1).max(100),
  preset: z.string().max(100).nullable(),
  /** Fully resolved (preset, overrides, grid point and seed applied). */
  config: Config,
  point: Config,
  seed: z.int().min(0),
  /** A researcher's experiment: the file the task must load, and the SHA-256 it must still have. */
  file: z.strictObject({ path: z.string().min(1).max(4096), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});
export type TaskSpec = z.output<typeof TaskSpecSchema>;

/** The part of `phenobook run --spec … --json` output a collect relies on. */
export const TaskResultSchema = z.looseObject({
  task: z.strictObject({ sweepId: z.uuid(), index: z.int().min(0) }),
  experiment: z.string(),
  runs: z
    .array(
      z.looseObject({
        runId: z.string().min(1).max(100),
        seed: z.int(),
        status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'diverged', 'interrupted']),
        error: z.string().nullable(),
      }),
    )
    .length(1, { error: 'a task runs exactly one run' }),
});
export type TaskResult = z.output<typeof TaskResultSchema>;

/** What the notebook stores about a SLURM sweep (sweeps.slurm): no credentials, only paths and options. */
export const SlurmOptionsSchema = z.strictObject({
  partition: z.string().nullable(),
  time: z.string().nullable(),
  cpusPerTask: z.int().nullable(),
  gpusPerTask: z.int().nullable(),
  maxParallel: z.int().nullable(),
});
export type SlurmOptions = z.output<typeof SlurmOptionsSchema>;

export const SlurmSweepRecordSchema = z.strictObject({
  workdir: z.string(),
  script: z.string(),
  options: SlurmOptionsSchema,
  /** Every array job submitted for the sweep; empty while a hand-submitted sweep awaits its sbatch. */
  jobIds: z.array(z.string()),
  /** Set for a sweep written with --no-submit: the sbatch command the user runs by hand. */
  handCommand: z.string().optional(),
});
export type SlurmSweepRecord = z.output<typeof SlurmSweepRecordSchema>;

export const taskDir = (workdir: string, index: number) => path.join(workdir, 'tasks', String(index));
export const specFile = (workdir: string, index: number) => path.join(taskDir(workdir, index), 'spec.json');
export const resultFile = (workdir: string, index: number) => path.join(taskDir(workdir, index), 'result.json');
export const taskDataDir = (workdir: string, index: number) => path.join(taskDir(workdir, index), 'data');
export const scriptFile = (workdir: string) => path.join(workdir, 'sweep.sbatch');

/** Writes a file whole or not at all (a node reading it never sees half of it). */
export function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function writeTaskSpec(workdir: string, spec: TaskSpec): void {
  writeAtomic(specFile(workdir, spec.index), `${JSON.stringify(TaskSpecSchema.parse(spec), null, 2)}\n`);
}

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ServiceError('invalid_input', `${file} is not JSON: ${(err as Error).message}`);
  }
}

/** A task spec file, validated (`phenobook run --spec FILE`). */
export function readTaskSpec(file: string): TaskSpec {
  let raw: unknown;
  try {
    raw = readJson(file);
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    throw new ServiceError('invalid_input', `Cannot read task spec ${file}: ${(err as Error).message}`, [{ path: 'spec', message: 'cannot be read' }]);
  }
  const parsed = TaskSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ServiceError('invalid_input', `Invalid task spec ${file}: ${describeIssues(issues)}`, issues.map((i) => ({ ...i, path: `spec.${i.path}` })));
  }
  return parsed.data;
}

export type ReadResult = { kind: 'missing' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; result: TaskResult };

/** A task's result file: missing while the task has not ended, invalid if anything is off. */
export function readTaskResult(workdir: string, sweepId: string, index: number): ReadResult {
  const file = resultFile(workdir, index);
  if (!fs.existsSync(file)) return { kind: 'missing' };
  let raw: unknown;
  try {
    raw = readJson(file);
  } catch (err) {
    return { kind: 'invalid', reason: (err as Error).message };
  }
  const parsed = TaskResultSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'invalid', reason: `${file}: ${describeIssues(issuesOf(parsed.error))}` };
  const { task } = parsed.data;
  if (task.sweepId !== sweepId || task.index !== index) {
    return { kind: 'invalid', reason: `${file} belongs to sweep ${task.sweepId} task ${task.index}, not sweep ${sweepId} task ${index}` };
  }
  return { kind: 'ok', result: parsed.data };
}

/** The last lines of a task's newest SLURM log, for a failure report. */
export function logTail(workdir: string, index: number, lines = 15): string | null {
  const dir = taskDir(workdir, index);
  let logs: string[];
  try {
    logs = fs.readdirSync(dir).filter((f) => f.startsWith('slurm-') && f.endsWith('.log'));
  } catch {
    return null;
  }
  if (logs.length === 0) return null;
  const newest = logs
    .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)[0]!.f;
  const text = fs.readFileSync(path.join(dir, newest), 'utf8');
  // Progress lines are rewritten with \r on a terminal; keep what the last one said.
  const all = text.split('\n').map((l) => l.split('\r').at(-1)!.trimEnd()).filter((l) => l !== '');
  return `${path.join(dir, newest)}:\n${all.slice(-lines).join('\n')}`;
}

/** Before a retry: the failed attempt's result is kept beside, not read again. */
export function setAsideResult(workdir: string, index: number, attempt: number): void {
  const file = resultFile(workdir, index);
  if (fs.existsSync(file)) fs.renameSync(file, path.join(taskDir(workdir, index), `result.attempt-${attempt}.json`));
}
