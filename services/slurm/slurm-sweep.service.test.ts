import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SweepStartSchema, type SweepCollectResult } from '../../contract/sweeps';
import { dispatch } from '../../host/handlers';
import { FAKE_EXPERIMENTS } from '../../test/fake-experiment';
import { inProcessTrainer } from '../../test/in-process-trainer';
import { snapshotTables, tempContext } from '../../test/temp-context';
import { createAppContext } from '../app-context';
import type { Scheduler } from './scheduler';
import { readTaskSpec, resultFile, specFile, taskDataDir, taskDir } from './task-files';

/**
 * Collect against task outputs made the way a cluster makes them: each task's spec is run by a
 * real app context on the task's own database (in process, with the countdown test experiment),
 * and its `run --json` output written as result.json. SLURM itself is faked.
 */

const contexts: { cleanup(): void }[] = [];
afterEach(() => {
  for (const c of contexts.splice(0)) c.cleanup();
});

function fakeScheduler() {
  let nextJob = 100;
  const calls: string[][] = [];
  const state = { squeue: '' as string | null, sacct: null as string | null, installed: true };
  const scheduler: Scheduler = {
    has: (c) => state.installed || c !== 'sbatch',
    sbatch: (args) => {
      calls.push([...args]);
      return Promise.resolve(`${nextJob++}\n`);
    },
    query: (c) => Promise.resolve(c === 'squeue' ? state.squeue : state.sacct),
  };
  return { scheduler, calls, state };
}

async function setup() {
  const fake = fakeScheduler();
  const ctx = tempContext({ experiments: FAKE_EXPERIMENTS, scheduler: fake.scheduler });
  contexts.push(ctx);
  const project = ctx.projects.create({ title: 'Cluster', phenomenon: 'other', question: '', tags: [] });
  const start = SweepStartSchema.parse({ projectId: project.id, experiment: 'countdown', grid: [{ key: 'steps', values: [10, 20] }], seeds: 2 });
  const submitted = await ctx.slurm.submit({
    start,
    workdirRoot: path.join(ctx.dir, 'work'),
    options: { partition: 'debug', time: null, cpusPerTask: null, gpusPerTask: null, maxParallel: 2 },
    node: '/usr/bin/node',
    cli: '/opt/phenobook/bin/phenobook.js',
  });
  return { ctx, project, fake, submitted };
}

/** What an array task does: `phenobook run --spec` into its own database, output moved into place. */
async function runTask(workdir: string, index: number, patch: Record<string, unknown> = {}) {
  const spec = readTaskSpec(specFile(workdir, index));
  const task = createAppContext({ dataDir: taskDataDir(workdir, index), mode: 'browser', experiments: FAKE_EXPERIMENTS, spawnTrainer: inProcessTrainer(FAKE_EXPERIMENTS), recover: false });
  try {
    const [started] = task.runs.start({ projectId: null, experiment: spec.experiment, preset: spec.preset ?? undefined, config: { ...spec.config, ...patch }, seeds: 1 });
    const [run] = await task.runs.whenSettled([started!.id]);
    const report = { task: { sweepId: spec.sweepId, index }, experiment: spec.experiment, config: spec.config, runs: [{ runId: run!.id, seed: run!.seed, status: run!.status, error: run!.error }] };
    fs.writeFileSync(resultFile(workdir, index), JSON.stringify(report));
    return { runId: run!.id, rows: task.runs.exportRows(run!.id) };
  } finally {
    task.close();
  }
}

describe('SLURM sweeps', () => {
  it('submits one array job with a spec per grid point × seed and records the sweep as submitted', async () => {
    const { ctx, fake, submitted } = await setup();
    expect(fake.calls).toEqual([['--parsable', '--array=0-3%2', path.join(submitted.workdir, 'sweep.sbatch')]]);
    expect(submitted).toMatchObject({ jobId: '100', tasks: 4, dryRun: false });
    const specs = [0, 1, 2, 3].map((i) => readTaskSpec(specFile(submitted.workdir, i)));
    expect(specs.map((s) => [s.point.steps, s.seed, s.config.steps, s.config.seed])).toEqual([
      [10, 0, 10, 0],
      [10, 1, 10, 1],
      [20, 0, 20, 0],
      [20, 1, 20, 1],
    ]);
    expect(fs.readFileSync(path.join(submitted.workdir, 'sweep.sbatch'), 'utf8')).toContain('#SBATCH --partition=debug');
    const sweep = ctx.sweeps.get(submitted.sweepId);
    expect(sweep).toMatchObject({ status: 'submitted', executor: 'slurm', runs: [], progress: { runs: 4, byStatus: { queued: 4, done: 0 } } });
    expect(sweep.slurm).toMatchObject({ jobIds: ['100'], partition: 'debug', counts: { pending: 4 } });
    // Nothing for the local queue: a restarted host does not train SLURM tasks.
    expect(ctx.sweeps.resume()).toBe(0);
  });

  it('a dry run writes and submits nothing', async () => {
    const { ctx, fake } = await setup();
    const before = snapshotTables(ctx);
    const dry = await ctx.slurm.submit({
      start: SweepStartSchema.parse({ experiment: 'countdown', seeds: 3 }),
      workdirRoot: path.join(ctx.dir, 'dry'),
      options: { partition: null, time: '00:10:00', cpusPerTask: 1, gpusPerTask: null, maxParallel: null },
      node: '/usr/bin/node',
      cli: '/opt/phenobook/bin/phenobook.js',
      dryRun: true,
    });
    expect(dry).toMatchObject({ dryRun: true, jobId: null, tasks: 3 });
    expect(dry.script).toContain('#SBATCH --time=00:10:00');
    expect(dry.command).toBe(`sbatch --parsable --array=0-2 ${dry.workdir}/sweep.sbatch`);
    expect(fs.existsSync(path.join(ctx.dir, 'dry'))).toBe(false);
    expect(fake.calls).toHaveLength(1);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('collect imports finished tasks exactly once, with metrics equal to the task databases, and skips running ones', async () => {
    const { ctx, project, fake, submitted } = await setup();
    const { workdir, sweepId } = submitted;
    const sources = [await runTask(workdir, 0), await runTask(workdir, 2)];
    fake.state.squeue = '100_1|RUNNING\n100_3|PENDING\n';

    const first = await ctx.slurm.collect(sweepId);
    expect(first.imported).toEqual([0, 2]);
    expect(first.scheduler).toBe('squeue');
    expect(first.sweep).toMatchObject({ status: 'running', progress: { runs: 4, byStatus: { done: 2, running: 1, queued: 1 } } });
    const detail = ctx.sweeps.get(sweepId);
    expect(detail.runs.map((r) => [r.point.steps, r.seed, r.status, r.projectId])).toEqual([
      [10, 0, 'done', project.id],
      [20, 0, 'done', project.id],
    ]);
    const tasks = detail.slurm!.tasks;
    expect(tasks.map((t) => t.state)).toEqual(['collected', 'running', 'collected', 'pending']);
    for (const [i, source] of sources.entries()) {
      const runId = tasks[i * 2]!.runId!;
      expect(ctx.runs.exportRows(runId)).toEqual(source.rows);
    }

    // Again, with nothing new: nothing changes at all.
    const before = snapshotTables(ctx);
    const again = await ctx.slurm.collect(sweepId);
    expect(again.imported).toEqual([]);
    const after = snapshotTables(ctx);
    expect(after.runs).toEqual(before.runs);
    expect(after.metrics).toEqual(before.metrics);

    // The rest finish; the sweep is done and its results aggregate all four runs.
    await runTask(workdir, 1);
    await runTask(workdir, 3);
    fake.state.squeue = '';
    const last = await ctx.slurm.collect(sweepId);
    expect(last.imported).toEqual([1, 3]);
    expect(last.sweep.status).toBe('done');
    const done = ctx.sweeps.get(sweepId);
    expect(done.results.points.map((p) => [p.steps, p.seeds])).toEqual([
      [10, 2],
      [20, 2],
    ]);
    expect((await ctx.slurm.collect(sweepId)).imported).toEqual([]);
    expect(ctx.sweeps.get(sweepId).runs).toHaveLength(4);
  });

  it('reports a failed task with its reason and log tail; --retry-failed resubmits it as a new job', async () => {
    const { ctx, fake, submitted } = await setup();
    const { workdir, sweepId } = submitted;
    await runTask(workdir, 0);
    await runTask(workdir, 1, { failAtStep: 3 });
    await runTask(workdir, 2);
    // Task 3 was killed: no result, a log, and squeue no longer lists it.
    fs.writeFileSync(path.join(taskDir(workdir, 3), 'slurm-100_3.log'), 'step 1\rstep 2\nslurmstepd: error: *** JOB 104 ON vm CANCELLED ***\n');
    fake.state.squeue = '';

    const r = await ctx.slurm.collect(sweepId);
    expect(r.imported).toEqual([0, 2]);
    expect(r.sweep.status).toBe('failed');
    expect(r.failed.map((f) => f.index)).toEqual([1, 3]);
    expect(r.failed[0]!.detail).toMatch(/Run failed: .*boom at step 3/);
    expect(r.failed[1]!.detail).toMatch(/no longer queued or running, and the task wrote no result/i);
    expect(r.failed[1]!.detail).toContain('step 2\nslurmstepd: error: *** JOB 104 ON vm CANCELLED ***');

    const retried = await ctx.slurm.retryFailed(sweepId);
    expect(retried).toEqual({ jobId: '101', indices: [1, 3] });
    expect(fake.calls.at(-1)).toEqual(['--parsable', '--array=1,3%2', path.join(workdir, 'sweep.sbatch')]);
    expect(fs.existsSync(resultFile(workdir, 1))).toBe(false);
    expect(fs.existsSync(path.join(taskDir(workdir, 1), 'result.attempt-1.json'))).toBe(true);
    const s = ctx.sweeps.summaryOf(sweepId);
    expect(s.slurm!.jobIds).toEqual(['100', '101']);
    expect(s.slurm!.tasks.map((t) => [t.state, t.jobId, t.attempts])).toEqual([
      ['collected', '100', 1],
      ['pending', '101', 2],
      ['collected', '100', 1],
      ['pending', '101', 2],
    ]);

    await runTask(workdir, 1);
    await runTask(workdir, 3);
    const done = await ctx.slurm.collect(sweepId);
    expect(done.imported).toEqual([1, 3]);
    expect(done.sweep.status).toBe('done');
    expect(await ctx.slurm.retryFailed(sweepId)).toBeNull();
  });

  it('a bad result file fails that task with a clear reason and imports nothing for it', async () => {
    const { ctx, fake, submitted } = await setup();
    const { workdir, sweepId } = submitted;
    fs.writeFileSync(resultFile(workdir, 0), '{"task": {"sweepId": "nope"');
    await runTask(workdir, 1);
    // Task 1's result copied over task 2's (a mix-up on shared storage).
    fs.copyFileSync(resultFile(workdir, 1), resultFile(workdir, 2));
    fs.writeFileSync(resultFile(workdir, 3), JSON.stringify({ task: { sweepId, index: 3 }, experiment: 'countdown', runs: [] }));
    fake.state.squeue = '';
    const r = await ctx.slurm.collect(sweepId);
    expect(r.imported).toEqual([1]);
    const details = Object.fromEntries(r.failed.map((f) => [f.index, f.detail]));
    expect(details[0]).toMatch(/is not JSON/);
    expect(details[2]).toMatch(/belongs to sweep .* task 1, not sweep .* task 2/);
    expect(details[3]).toMatch(/runs: a task runs exactly one run/);
    expect(ctx.sweeps.get(sweepId).runs).toHaveLength(1);
  });

  it('without squeue or sacct, states come from the task outputs alone', async () => {
    const { ctx, fake, submitted } = await setup();
    fake.state.squeue = null;
    await runTask(submitted.workdir, 0);
    const r = await ctx.slurm.status(submitted.sweepId);
    expect(r.scheduler).toBe('outputs');
    expect(r.imported).toEqual([]);
    expect(r.sweep.slurm!.tasks.map((t) => t.state)).toEqual(['finished', 'pending', 'pending', 'pending']);
    expect(r.sweep.status).toBe('running');
  });

  it('status imports nothing: finished tasks wait for a collect (partial), then the sweep is done', async () => {
    const { ctx, fake, submitted } = await setup();
    for (const i of [0, 1, 2, 3]) await runTask(submitted.workdir, i);
    fake.state.squeue = '';
    const seen = await ctx.slurm.status(submitted.sweepId);
    expect(seen.imported).toEqual([]);
    expect(seen.sweep).toMatchObject({ status: 'partial', progress: { byStatus: { done: 0, running: 4 } } });
    expect(ctx.sweeps.get(submitted.sweepId).runs).toEqual([]);
    expect((await ctx.slurm.collect(submitted.sweepId)).sweep.status).toBe('done');
  });

  it('two collects at once import each task once', async () => {
    const { ctx, fake, submitted } = await setup();
    await runTask(submitted.workdir, 0);
    fake.state.squeue = '100_1|RUNNING\n100_2|RUNNING\n100_3|RUNNING\n';
    const second = createAppContext({ dataDir: ctx.dir, mode: 'browser', experiments: FAKE_EXPERIMENTS, scheduler: fake.scheduler, recover: false });
    try {
      const [a, b] = await Promise.all([ctx.slurm.collect(submitted.sweepId), second.slurm.collect(submitted.sweepId)]);
      expect([...a.imported, ...b.imported]).toEqual([0]);
    } finally {
      second.close();
    }
    expect(ctx.sweeps.get(submitted.sweepId).runs).toHaveLength(1);
  });

  it('sweeps:collect goes through the typed contract; a local sweep has nothing to collect', async () => {
    const { ctx, submitted } = await setup();
    await runTask(submitted.workdir, 0);
    const r = await dispatch(ctx, 'sweeps:collect', { id: submitted.sweepId });
    expect(r.ok && (r.value as SweepCollectResult).imported).toEqual([0]);
    const local = ctx.sweeps.start(SweepStartSchema.parse({ experiment: 'countdown' }));
    const l = await dispatch(ctx, 'sweeps:collect', { id: local.id });
    expect(!l.ok && l.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/not on SLURM/) });
    const c = await dispatch(ctx, 'sweeps:cancel', { id: submitted.sweepId });
    expect(!c.ok && c.error.message).toMatch(/scancel 100/);
  });

  it('refuses to submit without sbatch, before writing anything', async () => {
    const { ctx, fake } = await setup();
    fake.state.installed = false;
    const before = snapshotTables(ctx);
    await expect(
      ctx.slurm.submit({
        start: SweepStartSchema.parse({ experiment: 'countdown' }),
        workdirRoot: path.join(ctx.dir, 'none'),
        options: { partition: null, time: null, cpusPerTask: null, gpusPerTask: null, maxParallel: null },
        node: '/usr/bin/node',
        cli: '/x/bin/phenobook.js',
      }),
    ).rejects.toThrow(/sbatch is not on PATH/);
    expect(fs.existsSync(path.join(ctx.dir, 'none'))).toBe(false);
    expect(snapshotTables(ctx)).toEqual(before);
  });
});

describe('SLURM sweeps submitted by hand (--no-submit)', () => {
  async function handSetup() {
    const fake = fakeScheduler();
    fake.state.installed = false;
    fake.state.squeue = null;
    const ctx = tempContext({ experiments: FAKE_EXPERIMENTS, scheduler: fake.scheduler });
    contexts.push(ctx);
    const start = SweepStartSchema.parse({ experiment: 'countdown', grid: [{ key: 'steps', values: [10, 20] }], seeds: 2 });
    const submitted = await ctx.slurm.submit({
      start,
      workdirRoot: path.join(ctx.dir, 'work'),
      options: { partition: null, time: null, cpusPerTask: null, gpusPerTask: null, maxParallel: null },
      node: '/usr/bin/node',
      cli: '/opt/phenobook/bin/phenobook.js',
      noSubmit: true,
    });
    return { ctx, fake, submitted };
  }

  it('writes the work directory and records the sweep with no job id, running no sbatch', async () => {
    const { ctx, fake, submitted } = await handSetup();
    expect(fake.calls).toEqual([]);
    expect(submitted).toMatchObject({ jobId: null, dryRun: false, awaitingSubmission: true, tasks: 4 });
    expect(submitted.command).toBe(`sbatch --parsable --array=0-3 ${submitted.workdir}/sweep.sbatch`);
    expect([0, 1, 2, 3].map((i) => readTaskSpec(specFile(submitted.workdir, i)).seed)).toEqual([0, 1, 0, 1]);
    expect(fs.readFileSync(path.join(submitted.workdir, 'sweep.sbatch'), 'utf8')).toBe(submitted.script);
    const s = ctx.sweeps.summaryOf(submitted.sweepId);
    expect(s).toMatchObject({ status: 'submitted', executor: 'slurm' });
    expect(s.slurm).toMatchObject({ jobIds: [], handCommand: submitted.command, awaitingSubmission: true, counts: { pending: 4 } });
    expect(s.slurm!.tasks.every((t) => t.jobId === null)).toBe(true);
  });

  it('--dry-run with --no-submit is refused, writing nothing', async () => {
    const { ctx } = await handSetup();
    const before = snapshotTables(ctx);
    await expect(
      ctx.slurm.submit({
        start: SweepStartSchema.parse({ experiment: 'countdown' }),
        workdirRoot: path.join(ctx.dir, 'both'),
        options: { partition: null, time: null, cpusPerTask: null, gpusPerTask: null, maxParallel: null },
        node: '/usr/bin/node',
        cli: '/x/bin/phenobook.js',
        dryRun: true,
        noSubmit: true,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/--dry-run and --no-submit cannot be combined/) });
    expect(fs.existsSync(path.join(ctx.dir, 'both'))).toBe(false);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('status and collect work from the task outputs: tasks without output stay pending, finished ones are imported once', async () => {
    const { ctx, submitted } = await handSetup();
    const { workdir, sweepId } = submitted;
    const seen = await ctx.slurm.status(sweepId);
    expect(seen.scheduler).toBe('outputs');
    expect(seen.failed).toEqual([]);
    expect(seen.sweep.slurm!.tasks.map((t) => t.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(seen.sweep.slurm!.tasks[0]!.detail).toMatch(/submitted by hand, no job id recorded/);
    expect(seen.sweep.slurm!.awaitingSubmission).toBe(true);

    const source = await runTask(workdir, 1);
    await runTask(workdir, 2, { failAtStep: 3 });
    fs.writeFileSync(path.join(taskDir(workdir, 2), 'slurm-7_2.log'), 'step 1\nboom\n');
    const first = await ctx.slurm.collect(sweepId);
    expect(first.imported).toEqual([1]);
    expect(first.failed.map((f) => f.index)).toEqual([2]);
    expect(first.failed[0]!.detail).toMatch(/Run failed: .*boom at step 3[\s\S]*slurm-7_2\.log:\nstep 1\nboom/);
    expect(first.sweep.slurm!.tasks.map((t) => t.state)).toEqual(['pending', 'collected', 'failed', 'pending']);
    expect(first.sweep.slurm!.awaitingSubmission).toBe(false);
    expect(first.sweep.status).toBe('running');
    expect(ctx.runs.exportRows(first.sweep.slurm!.tasks[1]!.runId!)).toEqual(source.rows);

    const before = snapshotTables(ctx);
    const second = await ctx.slurm.collect(sweepId);
    expect(second.imported).toEqual([]);
    const after = snapshotTables(ctx);
    expect(after.runs).toEqual(before.runs);
    expect(after.metrics).toEqual(before.metrics);
    expect(ctx.sweeps.get(sweepId).runs).toHaveLength(1);

    // --retry-failed without SLURM here: refused, naming the command for just the failed task.
    await expect(ctx.slurm.retryFailed(sweepId)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(`resubmit its failed tasks by hand on the cluster with\n  sbatch --parsable --array=2 ${workdir}/sweep.sbatch`),
    });
    expect(fs.existsSync(resultFile(workdir, 2))).toBe(true);
  });

  it('records the job id sbatch printed (digits only, idempotent); status then asks squeue', async () => {
    const { ctx, fake, submitted } = await handSetup();
    const { workdir, sweepId } = submitted;
    await runTask(workdir, 0);
    await ctx.slurm.collect(sweepId);
    expect(() => ctx.slurm.recordJobId(sweepId, '12a')).toThrow(/digits only/);
    expect(ctx.slurm.recordJobId(sweepId, '777')).toEqual({ recorded: true });
    const before = snapshotTables(ctx);
    expect(ctx.slurm.recordJobId(sweepId, '777')).toEqual({ recorded: false });
    expect(snapshotTables(ctx)).toEqual(before);
    expect(() => ctx.slurm.recordJobId(sweepId, '778')).toThrow(/already has job 777 recorded/);
    const s = ctx.sweeps.summaryOf(sweepId);
    expect(s.slurm).toMatchObject({ jobIds: ['777'], awaitingSubmission: false });
    expect(s.slurm!.tasks.map((t) => t.jobId)).toEqual([null, '777', '777', '777']);

    fake.state.squeue = '777_1|RUNNING\n777_2|PENDING\n';
    const r = await ctx.slurm.status(sweepId);
    expect(r.scheduler).toBe('squeue');
    expect(r.sweep.slurm!.tasks.map((t) => t.state)).toEqual(['collected', 'running', 'pending', 'failed']);
    expect(fake.calls).toEqual([]);
  });

  it('--job-id is refused for a sweep Phenobook submitted itself', async () => {
    const { ctx, submitted } = await setup();
    expect(() => ctx.slurm.recordJobId(submitted.sweepId, '100')).not.toThrow();
    expect(() => ctx.slurm.recordJobId(submitted.sweepId, '5')).toThrow(/submitted by Phenobook as job 100/);
  });
});
