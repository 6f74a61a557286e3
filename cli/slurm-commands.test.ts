import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './phenobook';

let dir: string;
let out: string[];
let err: string[];
const savedPath = process.env.PATH;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-cli-slurm-'));
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => {
  process.env.PATH = savedPath;
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => main([...args, '--data-dir', dir]);
const SWEEP = ['sweep', 'double-descent', '--preset', 'cheap', '--grid', 'width=8,16', '--seeds', '2', '--executor', 'slurm'];
/** A PATH without SLURM's commands. */
const withoutSlurm = () => {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  process.env.PATH = bin;
};

describe('phenobook sweep --executor slurm', () => {
  it('fails at once with a clear message when sbatch is not installed, writing nothing', async () => {
    withoutSlurm();
    expect(await run(...SWEEP)).toBe(1);
    expect(err.join('\n')).toMatch(/SLURM is not available here: sbatch is not on PATH.*--dry-run/);
    expect(fs.existsSync(path.join(dir, 'slurm'))).toBe(false);
  });

  it('--dry-run prints the sbatch script and the command, exits 0, and writes no task or sweep', async () => {
    withoutSlurm();
    expect(await run(...SWEEP, '--dry-run', '--partition', 'debug', '--time', '00:30:00', '--max-parallel', '2')).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^#!\/bin\/bash/);
    expect(text).toContain('#SBATCH --partition=debug');
    expect(text).toContain('#SBATCH --time=00:30:00');
    expect(text).toContain(`${process.execPath} ${path.resolve('bin/phenobook.js')} run --spec "$TASK/spec.json" --data-dir "$TASK/data" --json`);
    expect(text).toMatch(/\nsbatch --parsable --array=0-3%2 \S+\/sweep\.sbatch$/);
    expect(fs.existsSync(path.join(dir, 'slurm'))).toBe(false);
    out = [];
    expect(await run('sweep', 'double-descent', '--preset', 'cheap', '--grid', 'width=8', '--executor', 'slurm', '--dry-run', '--json')).toBe(0);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({ dryRun: true, jobId: null, tasks: 1, executor: 'slurm' });
  });

  it.each([
    [['--executor', 'pbs'], /--executor must be local or slurm/],
    [['--time', 'two hours'], /--time must be a SLURM time limit/],
    [['--max-parallel', '0'], /--max-parallel must be an integer from 1/],
    [['--cpus-per-task', 'x'], /--cpus-per-task must be an integer/],
    [['--partition', 'a b'], /--partition must be a SLURM partition name/],
    [['--workdir', '/tmp/50%'], /--workdir must not contain/],
    [['--parallel', '2'], /--parallel is for local sweeps/],
  ])('exits 2 naming the flag for %j', async (flags, message) => {
    const args = flags[0] === '--executor' ? [...SWEEP.slice(0, -2), ...flags] : [...SWEEP, ...flags];
    expect(await run(...args, '--dry-run')).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });

  it('exits 2 for SLURM flags on a local sweep and for a bad grid', async () => {
    expect(await run('sweep', 'double-descent', '--partition', 'debug')).toBe(2);
    expect(err.join('\n')).toMatch(/--partition needs --executor slurm/);
    expect(await run(...SWEEP.slice(0, 4), '--grid', 'size=1', '--executor', 'slurm', '--dry-run')).toBe(2);
    expect(err.join('\n')).toMatch(/has no knob "size"/);
  });

  it('status and collect need a SLURM sweep id', async () => {
    expect(await run('sweep', 'status')).toBe(2);
    expect(err.join('\n')).toMatch(/Missing SWEEP_ID/);
    expect(await run('sweep', 'collect', '6219d444-7dea-496e-ba61-daac423b21f0')).toBe(2);
    expect(err.join('\n')).toMatch(/Sweep 6219d444-7dea-496e-ba61-daac423b21f0 does not exist/);
  });
});

describe('phenobook run --spec', () => {
  it('exits 2 naming the field of a bad spec, and refuses flags the spec replaces', async () => {
    const spec = path.join(dir, 'spec.json');
    fs.writeFileSync(spec, JSON.stringify({ format: 'phenobook-slurm-task', version: 1, sweepId: 'x', index: 0, experiment: 'double-descent', preset: null, config: {}, point: {}, seed: 0 }));
    expect(await run('run', '--spec', spec)).toBe(2);
    expect(err.join('\n')).toMatch(/Invalid task spec .*sweepId/);
    expect(await run('run', '--spec', spec, '--set', 'width=8')).toBe(2);
    expect(err.join('\n')).toMatch(/--spec takes the experiment/);
    expect(await run('run', '--spec', path.join(dir, 'missing.json'))).toBe(2);
    expect(err.join('\n')).toMatch(/Cannot read task spec/);
  });
});

describe('phenobook sweep --executor slurm --no-submit', () => {
  it('without sbatch on PATH writes the work directory, records the sweep with no job id and prints the sbatch to run', async () => {
    withoutSlurm();
    expect(await run(...SWEEP, '--no-submit', '--max-parallel', '2')).toBe(0);
    const text = out.join('\n');
    const command = /^ {2}(sbatch --parsable --array=0-3%2 (\S+)\/sweep\.sbatch)$/m.exec(text);
    expect(command, text).not.toBeNull();
    const workdir = command![2]!;
    expect(workdir.startsWith(path.join(dir, 'slurm'))).toBe(true);
    expect(fs.readFileSync(path.join(workdir, 'sweep.sbatch'), 'utf8')).toMatch(/^#!\/bin\/bash/);
    for (const i of [0, 1, 2, 3]) expect(fs.existsSync(path.join(workdir, 'tasks', String(i), 'spec.json'))).toBe(true);
    const sweepId = path.basename(workdir);
    expect(text).toContain(`phenobook sweep collect ${sweepId} --job-id N`);

    out = [];
    expect(await run('sweep', 'status', sweepId, '--json')).toBe(0);
    const status = JSON.parse(out[0]!) as { scheduler: string; sweep: { status: string; slurm: { jobIds: string[]; awaitingSubmission: boolean; handCommand: string; counts: Record<string, number> } } };
    expect(status.scheduler).toBe('outputs');
    expect(status.sweep.status).toBe('submitted');
    expect(status.sweep.slurm).toMatchObject({ jobIds: [], awaitingSubmission: true, handCommand: command![1], counts: { pending: 4, failed: 0 } });

    out = [];
    expect(await run('sweep', 'status', sweepId)).toBe(0);
    expect(out.join('\n')).toContain('awaiting submission by hand');
    expect(out.join('\n')).toContain(`Submit it on the cluster with: ${command![1]}`);

    // The job id sbatch printed: digits only, recorded once.
    expect(await run('sweep', 'collect', sweepId, '--job-id', '12;x')).toBe(2);
    expect(err.join('\n')).toMatch(/--job-id must be the job id sbatch printed \(digits only\)/);
    out = [];
    expect(await run('sweep', 'collect', sweepId, '--job-id', '4242')).toBe(0);
    expect(out.join('\n')).toContain('Recorded SLURM job 4242');
    out = [];
    expect(await run('sweep', 'collect', sweepId, '--job-id', '4242', '--json')).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ jobIdRecorded: { jobId: '4242', recorded: false }, sweep: { slurm: { jobIds: ['4242'] } } });
    expect(await run('sweep', 'collect', sweepId, '--job-id', '4243')).toBe(2);
    expect(err.join('\n')).toMatch(/already has job 4242 recorded/);
  });

  it('--json prints the submit document with "jobId": null and awaitingSubmission', async () => {
    withoutSlurm();
    expect(await run(...SWEEP, '--no-submit', '--json')).toBe(0);
    expect(out).toHaveLength(1);
    const doc = JSON.parse(out[0]!) as { sweepId: string; workdir: string; command: string };
    expect(doc).toMatchObject({ jobId: null, awaitingSubmission: true, dryRun: false, tasks: 4, executor: 'slurm' });
    expect(doc.command).toBe(`sbatch --parsable --array=0-3 ${doc.workdir}/sweep.sbatch`);
    expect(fs.existsSync(path.join(doc.workdir, 'tasks', '3', 'spec.json'))).toBe(true);
  });

  it('--dry-run with --no-submit is a usage error (exit 2), writing nothing', async () => {
    withoutSlurm();
    expect(await run(...SWEEP, '--dry-run', '--no-submit')).toBe(2);
    expect(err.join('\n')).toMatch(/--dry-run and --no-submit cannot be combined/);
    expect(fs.existsSync(path.join(dir, 'slurm'))).toBe(false);
    expect(await run('sweep', 'double-descent', '--no-submit')).toBe(2);
    expect(err.join('\n')).toMatch(/--no-submit needs --executor slurm/);
  });

  it('--retry-failed on a hand-submitted sweep without SLURM fails (exit 1) naming the command for the failed tasks', async () => {
    withoutSlurm();
    expect(await run(...SWEEP, '--no-submit', '--json')).toBe(0);
    const { sweepId, workdir } = JSON.parse(out[0]!) as { sweepId: string; workdir: string };
    // Task 3's result: a run that failed.
    fs.writeFileSync(
      path.join(workdir, 'tasks', '3', 'result.json'),
      JSON.stringify({ task: { sweepId, index: 3 }, experiment: 'double-descent', runs: [{ runId: 'r1', seed: 1, status: 'failed', error: 'out of memory' }] }),
    );
    out = [];
    expect(await run('sweep', 'collect', sweepId, '--retry-failed')).toBe(1);
    expect(out.join('\n')).toMatch(/task +3 .* failed/);
    expect(err.join('\n')).toMatch(/submitted by hand: resubmit its failed tasks by hand/);
    expect(err.join('\n')).toContain(`sbatch --parsable --array=3 ${workdir}/sweep.sbatch`);
  });
});
