import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { SweepCollectResult, SweepStartSchema } from '../../contract/sweeps';
import { DATABASE_FILE } from '../../db/open-database';
import { readTaskRun, type SlurmRepo, type StoredSlurmTask } from '../../db/slurm.repo';
import type { StoredSweep, SweepsRepo } from '../../db/sweeps.repo';
import { notFound, ServiceError } from '../errors';
import type { Clock } from '../projects.service';
import type { SweepService } from '../sweep.service';
import { renderSbatchScript, sbatchArgs, shellQuote, workdirProblem } from './sbatch-script';
import { mergeStates, parseSacct, parseSbatchJobId, parseSqueue, type SchedulerTask } from './scheduler-state';
import type { Scheduler } from './scheduler';
import {
  logTail,
  readTaskResult,
  scriptFile,
  setAsideResult,
  SlurmSweepRecordSchema,
  taskDataDir,
  writeAtomic,
  writeTaskSpec,
  type SlurmOptions,
  type SlurmSweepRecord,
} from './task-files';

export interface SlurmSweepDeps {
  sweeps: SweepService;
  sweepsRepo: SweepsRepo;
  slurm: SlurmRepo;
  clock: Clock;
  scheduler: Scheduler;
}

export interface SubmitInput {
  start: z.output<typeof SweepStartSchema>;
  /** Where the sweep's folder goes (on storage the nodes share); the sweep gets <root>/<sweep id>. */
  workdirRoot: string;
  options: SlurmOptions;
  /** Absolute paths the tasks run: node and bin/phenobook.js. */
  node: string;
  cli: string;
  /** Print, write and submit nothing. */
  dryRun?: boolean;
  /**
   * Write the work directory and record the sweep exactly as a submit does, but run no sbatch:
   * the user submits `command` by hand (works without SLURM installed).
   */
  noSubmit?: boolean;
}

export interface SubmitResult {
  sweepId: string;
  workdir: string;
  script: string;
  /** The sbatch command line, shell-quoted. */
  command: string;
  jobId: string | null;
  tasks: number;
  dryRun: boolean;
  /** Written and recorded, not submitted (--no-submit): run `command` by hand. */
  awaitingSubmission: boolean;
}

export const DRY_RUN_AND_NO_SUBMIT =
  '--dry-run and --no-submit cannot be combined: --dry-run writes nothing, --no-submit writes the work directory and records the sweep for you to submit by hand';

export const SLURM_MISSING =
  'SLURM is not available here: sbatch is not on PATH. Run this on a cluster login node, or use --dry-run to print the sbatch script and submit it by hand.';

/** Sweeps as SLURM job arrays: submit, per-task status, exactly-once collect, retry of failed tasks. */
export class SlurmSweepService {
  constructor(private readonly d: SlurmSweepDeps) {}

  get available(): boolean {
    return this.d.scheduler.has('sbatch');
  }

  async submit(input: SubmitInput): Promise<SubmitResult> {
    if (input.dryRun && input.noSubmit) throw new ServiceError('invalid_input', DRY_RUN_AND_NO_SUBMIT, [{ path: 'noSubmit', message: 'not with dryRun' }]);
    if (!input.dryRun && !input.noSubmit && !this.available) throw new ServiceError('unavailable', SLURM_MISSING);
    const plan = this.d.sweeps.plan(input.start);
    const sweepId = randomUUID();
    const workdir = path.join(path.resolve(input.workdirRoot), sweepId);
    const problem = workdirProblem(workdir);
    if (problem) throw new ServiceError('invalid_input', `--workdir ${problem}: ${workdir}`, [{ path: 'workdir', message: problem }]);
    const script = renderSbatchScript({
      sweepId,
      experiment: plan.experiment,
      tasks: plan.specs.length,
      workdir,
      node: input.node,
      cli: input.cli,
      ...input.options,
    });
    const indices = plan.specs.map((_, i) => i);
    const args = sbatchArgs(scriptFile(workdir), indices, input.options.maxParallel);
    const command = ['sbatch', ...args].map(shellQuote).join(' ');
    const result = { sweepId, workdir, script, command, tasks: plan.specs.length };
    if (input.dryRun) return { ...result, jobId: null, dryRun: true, awaitingSubmission: false };

    // A researcher's experiment: each task carries the file and its SHA-256, and refuses to run a changed file.
    const file = this.d.sweeps.definition(plan.experiment)?.file;
    plan.specs.forEach((s, index) =>
      writeTaskSpec(workdir, {
        ...(file ? { file: { path: file.path, sha256: file.sha256 } } : {}),
        format: 'phenobook-slurm-task',
        version: 1,
        sweepId,
        index,
        experiment: plan.experiment,
        preset: plan.preset,
        config: s.config,
        point: s.point,
        seed: s.seed,
      }),
    );
    writeAtomic(scriptFile(workdir), script);
    fs.chmodSync(scriptFile(workdir), 0o755);

    let jobId: string | null = null;
    if (!input.noSubmit) {
      jobId = parseSbatchJobId(await this.d.scheduler.sbatch(args));
      if (!jobId) throw new ServiceError('internal', `sbatch did not print a job id; the work directory is ${workdir}`);
    }
    const record: SlurmSweepRecord = {
      workdir,
      script: scriptFile(workdir),
      options: input.options,
      jobIds: jobId ? [jobId] : [],
      ...(input.noSubmit ? { handCommand: command } : {}),
    };
    const now = this.d.clock();
    this.d.slurm.transaction(() => {
      this.d.sweepsRepo.insert({
        id: sweepId,
        projectId: input.start.projectId,
        experiment: plan.experiment,
        preset: plan.preset,
        config: plan.config,
        grid: plan.grid,
        seeds: input.start.seeds,
        createdAt: now,
        executor: 'slurm',
        slurm: record,
      });
      this.d.slurm.insertTasks(sweepId, plan.specs.map((s, index) => ({ index, point: s.point, seed: s.seed })), jobId, now);
    });
    this.d.sweeps.notifyChanged(sweepId);
    return { ...result, jobId, dryRun: false, awaitingSubmission: jobId === null };
  }

  /**
   * Records the job id that `sbatch` printed for a sweep written with --no-submit, so that status
   * and collect can ask squeue/sacct from then on. Idempotent: the same id again changes nothing.
   */
  recordJobId(id: string, jobId: string): { recorded: boolean } {
    if (!/^\d{1,20}$/.test(jobId)) {
      throw new ServiceError('invalid_input', `--job-id must be the job id sbatch printed (digits only), got "${jobId}"`, [{ path: 'jobId', message: 'digits only' }]);
    }
    const { sweep, record } = this.stored(id);
    if (record.jobIds.includes(jobId)) return { recorded: false };
    if (record.handCommand === undefined) {
      throw new ServiceError('invalid_input', `Sweep ${id} was submitted by Phenobook as job ${record.jobIds.join(', ')}: --job-id is for a sweep written with --no-submit`, [
        { path: 'jobId', message: 'not a hand-submitted sweep' },
      ]);
    }
    if (record.jobIds.length > 0) {
      throw new ServiceError(
        'invalid_input',
        `Sweep ${id} already has job ${record.jobIds.join(', ')} recorded. Tasks resubmitted by hand are picked up from their outputs: collect again once they finish`,
        [{ path: 'jobId', message: 'a job id is already recorded' }],
      );
    }
    this.d.slurm.transaction(() => {
      this.d.sweepsRepo.setSlurm(id, { ...record, jobIds: [jobId] });
      this.d.slurm.assignJob(id, jobId, this.d.clock());
    });
    this.d.sweeps.notifyChanged(sweep.id);
    return { recorded: true };
  }

  /** Reads the scheduler and the task outputs and records each task's state; imports nothing. */
  status(id: string): Promise<SweepCollectResult> {
    return this.refresh(id, false);
  }

  /**
   * Imports every finished task's run (with all its metrics) that is not in the notebook yet, one
   * transaction per task. Safe to repeat and safe while tasks still run: a task without a
   * finished result is skipped, and a collected task is never imported again.
   */
  collect(id: string): Promise<SweepCollectResult> {
    return this.refresh(id, true);
  }

  /** Submits the failed tasks again as a new array job (their failed results are set aside). */
  async retryFailed(id: string, maxParallel?: number | null): Promise<{ jobId: string; indices: number[] } | null> {
    const { sweep, record } = this.stored(id);
    const failed = this.d.slurm.tasks(id).filter((t) => t.state === 'failed');
    if (failed.length === 0) return null;
    if (!this.available && record.handCommand !== undefined) {
      const again = ['sbatch', ...sbatchArgs(record.script, failed.map((t) => t.index), maxParallel ?? record.options.maxParallel)].map(shellQuote).join(' ');
      throw new ServiceError(
        'unavailable',
        `SLURM is not available here (sbatch is not on PATH), and this sweep was submitted by hand: resubmit its failed tasks by hand on the cluster with\n  ${again}\n` +
          `Each rerun task replaces its failed result when it ends; then run \`phenobook sweep collect ${id}\` again.`,
      );
    }
    if (!this.available) throw new ServiceError('unavailable', SLURM_MISSING);
    for (const t of failed) setAsideResult(record.workdir, t.index, t.attempts);
    const indices = failed.map((t) => t.index);
    const out = await this.d.scheduler.sbatch(sbatchArgs(record.script, indices, maxParallel ?? record.options.maxParallel));
    const jobId = parseSbatchJobId(out);
    if (!jobId) throw new ServiceError('internal', `sbatch did not print a job id (it said: ${out.trim()})`);
    this.d.slurm.transaction(() => {
      this.d.slurm.resubmitted(id, indices, jobId, this.d.clock());
      this.d.sweepsRepo.setSlurm(id, { ...record, jobIds: [...record.jobIds, jobId] });
    });
    this.d.sweeps.notifyChanged(sweep.id);
    return { jobId, indices };
  }

  private stored(id: string): { sweep: StoredSweep; record: SlurmSweepRecord } {
    const sweep = this.d.sweepsRepo.get(id);
    if (!sweep) throw notFound('Sweep', id);
    if (sweep.executor !== 'slurm') throw new ServiceError('invalid_input', `Sweep ${id} ran here, not on SLURM: nothing to collect`, [{ path: 'id', message: 'not a SLURM sweep' }]);
    const record = SlurmSweepRecordSchema.safeParse(sweep.slurm);
    if (!record.success) throw new ServiceError('internal', `Sweep ${id} has an unreadable SLURM record`);
    return { sweep, record: record.data };
  }

  /** squeue (live) and sacct (history), whichever answers; null when neither does. */
  private async schedulerStates(jobIds: string[]): Promise<{ states: Map<string, SchedulerTask> | null; source: SweepCollectResult['scheduler'] }> {
    if (jobIds.length === 0) return { states: null, source: 'outputs' };
    const jobs = jobIds.join(',');
    const [sq, sa] = await Promise.all([
      this.d.scheduler.query('squeue', ['-h', '-r', '-o', '%i|%T', '-j', jobs]),
      this.d.scheduler.query('sacct', ['-n', '-P', '-X', '-o', 'JobID,State,ExitCode', '-j', jobs]),
    ]);
    if (sq === null && sa === null) return { states: null, source: 'outputs' };
    const source = sq !== null && sa !== null ? 'squeue+sacct' : sq !== null ? 'squeue' : 'sacct';
    return { states: mergeStates(sq === null ? [] : parseSqueue(sq), sa === null ? [] : parseSacct(sa)), source };
  }

  private async refresh(id: string, collect: boolean): Promise<SweepCollectResult> {
    const { sweep, record } = this.stored(id);
    const open = this.d.slurm.tasks(id).filter((t) => t.state !== 'collected');
    const { states, source } = await this.schedulerStates([...new Set(open.map((t) => t.jobId).filter((j): j is string => j !== null))]);
    const imported: number[] = [];
    for (const task of open) {
      // One task at a time with a turn of the event loop between: a host stays responsive while a
      // large sweep is collected (each import is one short transaction).
      await new Promise((resolve) => setImmediate(resolve));
      const seen = this.inspect(sweep, record, task, states);
      if (seen.state === 'finished' && collect) {
        const rows = seen.rows;
        const ok = this.d.slurm.importTaskRun(id, task.index, rows, { runId: randomUUID(), projectId: sweep.projectId, point: task.point, now: this.d.clock() });
        if (ok) imported.push(task.index);
        continue;
      }
      this.d.slurm.setState(id, task.index, seen.state, seen.detail, this.d.clock());
    }
    this.d.sweeps.notifyChanged(id);
    const tasks = this.d.slurm.tasks(id);
    return {
      sweep: this.d.sweeps.summaryOf(id),
      imported,
      failed: tasks.filter((t) => t.state === 'failed').map((t) => ({ index: t.index, detail: t.detail })),
      scheduler: source,
    };
  }

  /** One task's state from its outputs first (they are the truth), then from the scheduler. */
  private inspect(
    sweep: StoredSweep,
    record: SlurmSweepRecord,
    task: StoredSlurmTask,
    states: Map<string, SchedulerTask> | null,
  ):
    | { state: 'finished'; detail: null; rows: NonNullable<ReturnType<typeof readTaskRun>> }
    | { state: 'pending' | 'running' | 'failed'; detail: string | null } {
    const withLog = (reason: string) => {
      const tail = logTail(record.workdir, task.index);
      return tail ? `${reason}\n${tail}` : reason;
    };
    const read = readTaskResult(record.workdir, sweep.id, task.index);
    if (read.kind === 'invalid') return { state: 'failed', detail: withLog(`Unreadable result: ${read.reason}`) };
    if (read.kind === 'ok') {
      const run = read.result.runs[0]!;
      if (run.status !== 'done') return { state: 'failed', detail: withLog(`Run ${run.status}${run.error ? `: ${run.error}` : ''}`) };
      const dbFile = path.join(taskDataDir(record.workdir, task.index), DATABASE_FILE);
      let rows;
      try {
        rows = readTaskRun(dbFile, run.runId);
      } catch (err) {
        return { state: 'failed', detail: `Cannot read the task's database ${dbFile}: ${(err as Error).message}` };
      }
      if (!rows) return { state: 'failed', detail: `Run ${run.runId} is not in ${dbFile}` };
      if (rows.run.status !== 'done' || rows.run.experiment !== sweep.experiment || rows.run.seed !== task.seed) {
        return { state: 'failed', detail: `Run ${run.runId} in ${dbFile} is not this task's finished run (${rows.run.experiment}, seed ${rows.run.seed}, ${rows.run.status})` };
      }
      return { state: 'finished', detail: null, rows };
    }
    const seen = task.jobId ? states?.get(`${task.jobId}_${task.index}`) : undefined;
    if (seen?.state === 'pending' || seen?.state === 'running') return { state: seen.state, detail: seen.raw };
    if (seen) return { state: 'failed', detail: withLog(`SLURM says ${seen.raw}${seen.exitCode ? ` (exit ${seen.exitCode})` : ''}, and the task wrote no result`) };
    if (task.jobId === null) {
      // Submitted by hand and no job id recorded: nothing to ask the scheduler, wait for the outputs.
      return { state: task.state === 'running' ? 'running' : 'pending', detail: 'No result yet (submitted by hand, no job id recorded: states come from the task outputs)' };
    }
    if (states === null) {
      // Neither squeue nor sacct here (e.g. collecting on another machine): wait for the outputs.
      return { state: task.state === 'running' ? 'running' : 'pending', detail: 'No result yet (squeue/sacct not available: states come from the task outputs)' };
    }
    return { state: 'failed', detail: withLog('No longer queued or running, and the task wrote no result (cancelled, timed out or killed?)') };
  }
}
