import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepCollectResult } from '../contract/sweeps';
import { createAppContext } from '../services/app-context';

/**
 * Acceptance on a real SLURM cluster (run by scripts/slurm-acceptance.sh, which starts a one-node
 * cluster first): a 2-width × 2-seed cheap double-descent sweep as a job array, collected exactly
 * once with metrics equal to the same sweep run locally; one task killed with scancel, reported
 * failed, and completed by --retry-failed.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'phenobook.js');
const STEPS = Number(process.env.SLURM_ACCEPTANCE_STEPS ?? 3000);
const SWEEP = ['double-descent', '--preset', 'cheap', '--grid', 'width=8,16', '--seeds', '2', '--set', `steps=${STEPS}`];

let tmp: string;
beforeAll(() => {
  // Shared storage on a one-node cluster is just the local disk. The work directory has a space
  // in its name: sbatch's #SBATCH --output and the script's quoting are exercised for real.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-slurm-acceptance-'));
});
afterAll(() => {
  if (process.env.SLURM_ACCEPTANCE_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
});

const log = (m: string) => process.stderr.write(`[acceptance] ${m}\n`);

function phenobook(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function json<T>(args: string[]): Promise<T> {
  const r = await phenobook([...args, '--json']);
  if (r.code !== 0) throw new Error(`phenobook ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const squeue = (job: string) => execFileSync('squeue', ['-h', '-r', '-o', '%i|%T', '-j', job], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 10 * 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Metrics that measure time, not the model: they differ between any two runs. */
const TIMING = new Set(['wallTime']);

/**
 * Every stored metric row of a sweep's runs (timing metrics aside), keyed "width/seed", from a data
 * directory's database.
 */
function metricRows(dataDir: string, sweepId: string): Map<string, { backend: string | null; rows: unknown[] }> {
  const ctx = createAppContext({ dataDir, mode: 'browser', recover: false });
  try {
    const sweep = ctx.sweeps.get(sweepId);
    return new Map(sweep.runs.map((r) => [`${String(r.point.width)}/${r.seed}`, { backend: r.backend, rows: ctx.runs.exportRows(r.id).filter((m) => !TIMING.has(m.name)) }]));
  } finally {
    ctx.close();
  }
}

let local: Map<string, { backend: string | null; rows: unknown[] }>;

describe('sweeps on a real SLURM cluster', () => {
  it('without SLURM on PATH, --executor slurm fails at once; --dry-run prints the script and exits 0', async () => {
    const env = { ...process.env, PATH: path.join(tmp, 'no-bin') };
    const started = Date.now();
    const r = await phenobook(['sweep', ...SWEEP, '--executor', 'slurm', '--data-dir', path.join(tmp, 'none')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sbatch is not on PATH/);
    expect(Date.now() - started).toBeLessThan(15_000);
    const dry = await phenobook(['sweep', ...SWEEP, '--executor', 'slurm', '--dry-run', '--data-dir', path.join(tmp, 'none')], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^#!\/bin\/bash/);
    expect(dry.stdout).toMatch(/\nsbatch --parsable --array=0-3 /);
  });

  it('runs the 2×2 sweep as a job array; collect imports 4 runs equal to the local sweep, and a second collect adds nothing', async () => {
    const data = path.join(tmp, 'notebook');
    const submitted = await json<{ sweepId: string; jobId: string; tasks: number; workdir: string }>([
      'sweep', ...SWEEP, '--executor', 'slurm', '--max-parallel', '2', '--workdir', path.join(tmp, 'work dir'), '--data-dir', data,
    ]);
    log(`submitted sweep ${submitted.sweepId} as SLURM job ${submitted.jobId} (${submitted.tasks} tasks)`);
    expect(submitted.tasks).toBe(4);
    const queued = squeue(submitted.jobId);
    log(`squeue -r: ${queued.trim().replace(/\n/g, ', ')}`);
    expect(queued).toMatch(new RegExp(`^${submitted.jobId}_\\d+\\|`, 'm'));

    // The same sweep, same seeds, run here while the array runs.
    const localRun = json<{ sweepId: string }>(['sweep', ...SWEEP, '--data-dir', path.join(tmp, 'local')]);

    const early = await json<SweepCollectResult>(['sweep', 'collect', submitted.sweepId, '--data-dir', data]);
    log(`early collect (tasks still queued or running): imported ${early.imported.length}, states ${early.sweep.slurm!.tasks.map((t) => t.state).join(' ')}`);

    await waitUntil('the array to leave the queue', () => squeue(submitted.jobId).trim() === '');
    const first = await json<SweepCollectResult>(['sweep', 'collect', submitted.sweepId, '--data-dir', data]);
    const imported = [...early.imported, ...first.imported].sort();
    log(`collect: imported tasks ${imported.join(', ')}; sweep ${first.sweep.status}; scheduler ${first.scheduler}`);
    expect(imported).toEqual([0, 1, 2, 3]);
    expect(first.sweep.status).toBe('done');
    expect(first.failed).toEqual([]);

    const second = await json<SweepCollectResult>(['sweep', 'collect', submitted.sweepId, '--data-dir', data]);
    expect(second.imported).toEqual([]);
    log('second collect: imported 0');

    const { sweepId: localId } = await localRun;
    local = metricRows(path.join(tmp, 'local'), localId);
    const cluster = metricRows(data, submitted.sweepId);
    expect([...cluster.keys()].sort()).toEqual(['16/0', '16/1', '8/0', '8/1']);
    for (const [key, l] of local) {
      const c = cluster.get(key)!;
      expect(c.backend).toBe(l.backend);
      expect(c.rows.length).toBeGreaterThan(0);
      expect(c.rows).toEqual(l.rows);
    }
    log(`metrics equal to the local sweep for all 4 runs (${[...cluster.values()].reduce((n, c) => n + c.rows.length, 0)} rows, backend ${local.get('8/0')!.backend})`);
  });

  it('a task killed with scancel is reported failed with its log; --retry-failed completes it', async () => {
    const data = path.join(tmp, 'notebook');
    const submitted = await json<{ sweepId: string; jobId: string }>([
      'sweep', ...SWEEP, '--executor', 'slurm', '--max-parallel', '2', '--workdir', path.join(tmp, 'work dir'), '--data-dir', data,
    ]);
    log(`submitted sweep ${submitted.sweepId} as SLURM job ${submitted.jobId}`);
    const victim = `${submitted.jobId}_0`;
    await waitUntil(`${victim} to run`, () => squeue(submitted.jobId).includes(`${victim}|RUNNING`), 120_000);
    await sleep(1500);
    execFileSync('scancel', [victim]);
    log(`scancel ${victim}`);
    await waitUntil('the array to leave the queue', () => squeue(submitted.jobId).trim() === '');

    const r = await json<SweepCollectResult>(['sweep', 'collect', submitted.sweepId, '--data-dir', data]);
    log(`collect: imported ${r.imported.join(', ')}; failed ${r.failed.map((f) => f.index).join(', ')}; sweep ${r.sweep.status}`);
    expect(r.imported).toEqual([1, 2, 3]);
    expect(r.failed.map((f) => f.index)).toEqual([0]);
    expect(r.failed[0]!.detail).toMatch(/CANCELLED/);
    expect(r.sweep.status).toBe('failed');
    const text = await phenobook(['sweep', 'status', submitted.sweepId, '--data-dir', data]);
    expect(text.stdout).toMatch(/3\/4 collected, 1 failed/);

    const retry = await json<SweepCollectResult & { retried: { jobId: string; indices: number[] } }>([
      'sweep', 'collect', submitted.sweepId, '--retry-failed', '--data-dir', data,
    ]);
    log(`--retry-failed: task ${retry.retried.indices.join(', ')} resubmitted as SLURM job ${retry.retried.jobId}`);
    expect(retry.retried.indices).toEqual([0]);
    expect(retry.retried.jobId).not.toBe(submitted.jobId);
    await waitUntil('the retried task to finish', () => squeue(retry.retried.jobId).trim() === '');
    const done = await json<SweepCollectResult>(['sweep', 'collect', submitted.sweepId, '--data-dir', data]);
    log(`collect: imported ${done.imported.join(', ')}; sweep ${done.sweep.status}; jobs ${done.sweep.slurm!.jobIds.join(', ')}`);
    expect(done.imported).toEqual([0]);
    expect(done.sweep.status).toBe('done');
    expect(done.sweep.slurm!.jobIds).toEqual([submitted.jobId, retry.retried.jobId]);
    expect(done.sweep.slurm!.tasks[0]).toMatchObject({ jobId: retry.retried.jobId, attempts: 2, state: 'collected' });

    // The retried run trained from scratch: equal to the local run too.
    const cluster = metricRows(data, submitted.sweepId);
    expect(cluster.size).toBe(4);
    for (const [key, l] of local) expect(cluster.get(key)!.rows).toEqual(l.rows);
    log('all 4 runs (one retried) equal to the local sweep');
  });
});
