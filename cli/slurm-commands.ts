import fs from 'node:fs';
import path from 'node:path';
import type { SweepCollectResult } from '../contract/sweeps';
import { SweepStartSchema as StartSchema } from '../contract/sweeps';
import { ServiceError } from '../services/errors';
import { DRY_RUN_AND_NO_SUBMIT, SLURM_MISSING } from '../services/slurm/slurm-sweep.service';
import { onPath } from '../services/slurm/scheduler';
import { readTaskSpec, type SlurmOptions, type TaskSpec } from '../services/slurm/task-files';
import { describeIssues, issuesOf } from '../services/zod-issues';
import { EXIT, intFlag, parse, TRAINER_PATH, UsageError, withContext } from './args';

/** The CLI's SLURM side: `run --spec`, `sweep … --executor slurm`, `sweep status|collect`. */

/** bin/phenobook.js of this checkout, by absolute path: what the array tasks run. */
export function cliEntry(): string {
  const here = path.dirname(TRAINER_PATH);
  // Built: out/main/cli.js; from source (tests): cli/args.ts.
  const candidates = [path.resolve(here, '..', '..', 'bin', 'phenobook.js'), path.resolve(here, '..', 'bin', 'phenobook.js')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}

/** Service errors a user can fix become usage errors (exit 2); the rest stay failures (exit 1). */
function rethrow(err: unknown): never {
  if (err instanceof ServiceError && (err.code === 'invalid_input' || err.code === 'not_found')) throw new UsageError(err.message);
  throw err;
}

export function readSpecFlag(file: string, positionals: string[], values: { preset?: string; set: string[]; seeds?: string; seed?: string; project?: string }): TaskSpec {
  if (positionals.length > 0 || values.preset !== undefined || values.set.length > 0 || values.seeds !== undefined || values.seed !== undefined || values.project !== undefined) {
    throw new UsageError('--spec takes the experiment, preset, config and seed from the spec file: leave out EXPERIMENT, --preset, --set, --seed(s) and --project');
  }
  try {
    return readTaskSpec(file);
  } catch (err) {
    return rethrow(err);
  }
}

export const SLURM_FLAGS = {
  executor: { type: 'string' },
  partition: { type: 'string' },
  time: { type: 'string' },
  'cpus-per-task': { type: 'string' },
  'gpus-per-task': { type: 'string' },
  'max-parallel': { type: 'string' },
  workdir: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-submit': { type: 'boolean' },
} as const;

type SlurmFlagValues = { [K in keyof typeof SLURM_FLAGS]?: (typeof SLURM_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** Checks the SLURM flags (exit 2 naming the flag); null for a local sweep. */
export function slurmOptions(values: SlurmFlagValues): SlurmOptions | null {
  const executor = values.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new UsageError(`--executor must be local or slurm, got "${executor}"`);
  if (executor === 'local') {
    const stray = (Object.keys(SLURM_FLAGS) as (keyof typeof SLURM_FLAGS)[]).filter((k) => k !== 'executor' && values[k] !== undefined);
    if (stray.length > 0) throw new UsageError(`--${stray[0]} needs --executor slurm`);
    return null;
  }
  if (values.partition !== undefined && !/^[A-Za-z0-9_.,-]{1,100}$/.test(values.partition)) {
    throw new UsageError(`--partition must be a SLURM partition name (letters, digits, _ . , -), got "${values.partition}"`);
  }
  if (values.time !== undefined && !/^(\d{1,4}-)?\d{1,4}(:\d{1,2}){0,2}$/.test(values.time)) {
    throw new UsageError(`--time must be a SLURM time limit such as HH:MM:SS, MM or D-HH:MM:SS, got "${values.time}"`);
  }
  return {
    partition: values.partition ?? null,
    time: values.time ?? null,
    cpusPerTask: intFlag('cpus-per-task', values['cpus-per-task'], 1, 1024) ?? null,
    gpusPerTask: intFlag('gpus-per-task', values['gpus-per-task'], 1, 64) ?? null,
    maxParallel: intFlag('max-parallel', values['max-parallel'], 1, 100_000) ?? null,
  };
}

/** `phenobook sweep EXPERIMENT … --executor slurm`. */
export async function slurmSweepCommand(
  dataDir: string | undefined,
  json: boolean | undefined,
  start: unknown,
  options: SlurmOptions,
  flags: { workdir?: string; dryRun?: boolean; noSubmit?: boolean; experimentDirs?: readonly string[] },
): Promise<number> {
  if (flags.dryRun && flags.noSubmit) throw new UsageError(DRY_RUN_AND_NO_SUBMIT);
  // At once, before anything is written: no SLURM here, and neither a dry run nor a hand submission.
  if (!flags.dryRun && !flags.noSubmit && !onPath('sbatch')) {
    console.error(`phenobook: ${SLURM_MISSING}`);
    return EXIT.failed;
  }
  const parsed = StartSchema.safeParse(start);
  if (!parsed.success) throw new UsageError(`Invalid sweep: ${describeIssues(issuesOf(parsed.error))}`);
  const cli = cliEntry();
  if (!fs.existsSync(cli)) throw new Error(`Cannot find the phenobook CLI at ${cli}`);
  return withContext(dataDir, async (ctx) => {
    const workdirRoot = flags.workdir ? path.resolve(flags.workdir) : path.join(ctx.info.dataDir, 'slurm');
    const result = await ctx.slurm
      .submit({ start: parsed.data, workdirRoot, options, node: process.execPath, cli, dryRun: flags.dryRun, noSubmit: flags.noSubmit })
      .catch(rethrow);
    if (json) {
      console.log(JSON.stringify({ ...result, executor: 'slurm' }));
    } else if (result.dryRun) {
      console.log(result.script);
      console.log(`# Dry run: nothing written or submitted. A real submit writes ${result.tasks} task specs under`);
      console.log(`# ${result.workdir}/tasks/ and this script to ${result.workdir}/sweep.sbatch, then runs:`);
      console.log(result.command);
    } else if (result.awaitingSubmission) {
      console.log(`Wrote sweep ${result.sweepId} for submission by hand: ${result.tasks} task specs under ${result.workdir}/tasks/`);
      console.log(`and the array job script ${result.workdir}/sweep.sbatch. Recorded in the notebook as submitted, with no job id yet.`);
      console.log('On the cluster (the work directory must be on storage its nodes share), submit it with:');
      console.log(`  ${result.command}`);
      console.log(`Then \`phenobook sweep collect ${result.sweepId}\` imports finished runs (states come from the task outputs);`);
      console.log(`\`phenobook sweep collect ${result.sweepId} --job-id N\` records the job id sbatch printed, so status can ask squeue/sacct.`);
    } else {
      console.log(`Submitted sweep ${result.sweepId} as SLURM job ${result.jobId}: ${result.tasks} tasks`);
      console.log(`Work directory: ${result.workdir}`);
      console.log(`Follow it with \`phenobook sweep status ${result.sweepId}\`; import finished runs with \`phenobook sweep collect ${result.sweepId}\`.`);
    }
    return EXIT.ok;
  }, { experimentDirs: flags.experimentDirs, loadExperiments: true });
}

function printTasks(r: SweepCollectResult): void {
  const s = r.sweep;
  const info = s.slurm!;
  const c = info.counts;
  console.log(
    `Sweep ${s.id} (${s.experiment}) on SLURM, ${info.jobIds.length ? `job ${info.jobIds.join(', ')}` : info.awaitingSubmission ? 'awaiting submission by hand' : 'submitted by hand (no job id recorded)'}: ${s.status} · ${c.collected}/${info.tasks.length} collected` +
      `${c.finished ? `, ${c.finished} finished` : ''}${c.running ? `, ${c.running} running` : ''}${c.pending ? `, ${c.pending} pending` : ''}${c.failed ? `, ${c.failed} failed` : ''}` +
      `  [states from ${r.scheduler}]`,
  );
  if (info.awaitingSubmission && info.handCommand) console.log(`  Submit it on the cluster with: ${info.handCommand}`);
  if (r.imported.length > 0) console.log(`Imported ${r.imported.length} runs (tasks ${r.imported.join(', ')})`);
  for (const t of info.tasks) {
    const point = Object.entries(t.point).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    console.log(`  task ${String(t.index).padStart(3)}  ${point} seed ${t.seed}  ${t.state.padEnd(9)}  job ${t.jobId ?? '–'}${t.runId ? `  run ${t.runId}` : ''}`);
    if (t.state === 'failed' && t.detail) console.log(t.detail.split('\n').map((l) => `      ${l}`).join('\n'));
  }
}

/** `phenobook sweep status|collect SWEEP_ID`. */
export async function sweepStatusCommand(sub: 'status' | 'collect', args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    ...(sub === 'collect' ? { 'retry-failed': { type: 'boolean' }, 'max-parallel': { type: 'string' }, 'job-id': { type: 'string' } } : {}),
  } as { 'retry-failed': { type: 'boolean' }; 'max-parallel': { type: 'string' }; 'job-id': { type: 'string' } });
  const id = positionals[0];
  if (!id) throw new UsageError(`Missing SWEEP_ID (phenobook sweep ${sub} SWEEP_ID)`);
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  const maxParallel = intFlag('max-parallel', values['max-parallel'], 1, 100_000);
  const jobId = values['job-id'];
  if (jobId !== undefined && !/^\d{1,20}$/.test(jobId)) throw new UsageError(`--job-id must be the job id sbatch printed (digits only), got "${jobId}"`);
  return withContext(values['data-dir'], async (ctx) => {
    // First: with a job id recorded, this very collect already asks squeue/sacct about it.
    let recorded: { jobId: string; recorded: boolean } | null = null;
    if (jobId !== undefined) {
      try {
        recorded = { jobId, ...ctx.slurm.recordJobId(id, jobId) };
      } catch (err) {
        rethrow(err);
      }
    }
    const result = await (sub === 'collect' ? ctx.slurm.collect(id) : ctx.slurm.status(id)).catch(rethrow);
    let retried: { jobId: string; indices: number[] } | null = null;
    if (sub === 'collect' && values['retry-failed']) {
      try {
        retried = await ctx.slurm.retryFailed(id, maxParallel);
      } catch (err) {
        // Nothing resubmitted (no SLURM here): still show what the collect did, then fail.
        if (!(err instanceof ServiceError) || err.code !== 'unavailable') return rethrow(err);
        if (values.json) console.log(JSON.stringify({ ...result, retried: null, jobIdRecorded: recorded }));
        else printTasks(result);
        console.error(`phenobook: ${err.message}`);
        return EXIT.failed;
      }
    }
    const sweep = retried ? ctx.sweeps.summaryOf(id) : result.sweep;
    if (values.json) {
      console.log(JSON.stringify({ ...result, sweep, retried, jobIdRecorded: recorded }));
    } else {
      if (recorded) console.log(recorded.recorded ? `Recorded SLURM job ${recorded.jobId} for sweep ${id}.` : `SLURM job ${recorded.jobId} was already recorded for sweep ${id}.`);
      printTasks({ ...result, sweep });
      if (retried) console.log(`Resubmitted ${retried.indices.length} failed tasks (${retried.indices.join(', ')}) as SLURM job ${retried.jobId}`);
      else if (sub === 'collect' && values['retry-failed']) console.log('No failed tasks to resubmit.');
    }
    return EXIT.ok;
  });
}
