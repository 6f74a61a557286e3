// A sweep submitted to SLURM, seen in the app: its job id, per-task states, and "Collect now"
// importing finished tasks. SLURM is faked by scripts on PATH (sbatch prints a job id; squeue
// prints what the test wrote; sacct is disabled as on a cluster without accounting); the task
// outputs are real: `phenobook run --spec` on each task's spec, as the array job would run it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, ROOT, test } from './host';

const BIN = path.join(ROOT, 'bin', 'phenobook.js');

function phenobook(args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (stdoutFile) fs.writeFileSync(stdoutFile, stdout);
      resolve({ code, stdout, stderr });
    });
  });
}

function fakeSlurm(dir: string): string {
  const bin = path.join(dir, 'fake-slurm-bin');
  fs.mkdirSync(bin, { recursive: true });
  const write = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  write('sbatch', 'echo 4242');
  write('squeue', 'cat "$(dirname "$0")/squeue.out"');
  write('sacct', 'echo "Slurm accounting storage is disabled" >&2; exit 1');
  fs.writeFileSync(path.join(bin, 'squeue.out'), '');
  return bin;
}

test('a SLURM sweep shows its job id and tasks; Collect now imports finished tasks, once', async ({ page, dataDir, launchHost }) => {
  test.setTimeout(120_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-e2e-slurm-'));
  const bin = fakeSlurm(work);
  const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
  const savedPath = process.env.PATH;
  process.env.PATH = env.PATH; // the host started below finds the fake commands
  let host;
  try {
    host = await launchHost();
  } finally {
    process.env.PATH = savedPath;
  }
  try {
    const project = await host.op<{ id: string }>('projects:create', { title: 'On the cluster', phenomenon: 'double-descent' });
    if (!project.body.ok) throw new Error(project.body.error.message);
    const projectId = project.body.value.id;

    const submitted = await phenobook(
      ['sweep', 'double-descent', '--preset', 'cheap', '--grid', 'width=8', '--seeds', '2', '--set', 'steps=100', '--executor', 'slurm',
        '--workdir', work, '--project', projectId, '--data-dir', dataDir, '--json'],
      env,
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const { sweepId, workdir } = JSON.parse(submitted.stdout) as { sweepId: string; workdir: string };
    const runTask = async (i: number) => {
      const task = path.join(workdir, 'tasks', String(i));
      const r = await phenobook(['run', '--spec', path.join(task, 'spec.json'), '--data-dir', path.join(task, 'data'), '--json'], env, path.join(task, 'result.json'));
      expect(r.code, r.stderr).toBe(0);
    };

    await page.goto(host.url);
    await page.goto(`${host.origin}/#/sweeps/${sweepId}`);
    await expect(page.getByTestId('sweep-executor')).toHaveText('SLURM job 4242');
    await expect(page.getByTestId('sweep-status')).toContainText('Submitted · 0/2 runs');
    const tasks = page.getByTestId('slurm-tasks').locator('tbody tr');
    await expect(tasks).toHaveCount(2);
    await expect(page.getByTestId('slurm-tasks').locator('tr[data-state="pending"]')).toHaveCount(2);
    await expect(page.getByRole('button', { name: 'Cancel sweep' })).toHaveCount(0);

    // Task 0 finished; task 1 still runs.
    await runTask(0);
    fs.writeFileSync(path.join(bin, 'squeue.out'), '4242_1|RUNNING\n');
    await page.getByTestId('sweep-collect').click();
    await expect(page.getByRole('status').getByText('Collected 1 run', { exact: true })).toBeVisible();
    await expect(page.locator('tr[data-task="0"]')).toHaveAttribute('data-state', 'collected');
    await expect(page.locator('tr[data-task="1"]')).toHaveAttribute('data-state', 'running');
    await expect(page.getByTestId('sweep-status')).toContainText('Running · 1/2 runs');
    await expect(page.getByTestId('sweep-points').locator('tbody tr')).toHaveCount(1);

    // Task 1 finished too; a collect imports it, and another imports nothing.
    await runTask(1);
    fs.writeFileSync(path.join(bin, 'squeue.out'), '');
    await page.getByTestId('sweep-collect').click();
    await expect(page.getByTestId('sweep-status')).toContainText('Finished · 2/2 runs');
    await page.getByTestId('sweep-collect').click();
    await expect(page.getByRole('status').getByText('Nothing new to collect')).toBeVisible();
    const sweep = await host.op<{ runs: unknown[] }>('sweeps:get', { id: sweepId });
    expect(sweep.body.ok && sweep.body.value.runs).toHaveLength(2);
    // The sweep list on the project page names the job.
    await page.goto(`${host.origin}/#/projects/${projectId}/runs`);
    await expect(page.getByTestId('sweep-progress')).toContainText('SLURM job 4242 · finished');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('a sweep written with --no-submit shows the sbatch to run until tasks report; Collect now reads the task outputs', async ({ page, dataDir, launchHost }) => {
  test.setTimeout(120_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-e2e-slurm-hand-'));
  // No SLURM commands at all: only node on PATH.
  const env = { ...process.env, PATH: path.dirname(process.execPath) };
  const host = await launchHost();
  try {
    const written = await phenobook(
      ['sweep', 'double-descent', '--preset', 'cheap', '--grid', 'width=8', '--seeds', '2', '--set', 'steps=100', '--executor', 'slurm',
        '--workdir', work, '--no-submit', '--data-dir', dataDir, '--json'],
      env,
    );
    expect(written.code, written.stderr).toBe(0);
    const { sweepId, workdir, command, jobId } = JSON.parse(written.stdout) as { sweepId: string; workdir: string; command: string; jobId: null };
    expect(jobId).toBeNull();

    await page.goto(host.url);
    await page.goto(`${host.origin}/#/sweeps/${sweepId}`);
    await expect(page.getByTestId('sweep-executor')).toHaveText(`SLURM · awaiting submission (run: ${command})`);
    await expect(page.getByTestId('sweep-status')).toContainText('Submitted · 0/2 runs');
    await expect(page.getByTestId('slurm-tasks').locator('tr[data-state="pending"]')).toHaveCount(2);

    // The user submitted it by hand; task 0 finished, task 1 has not written anything yet.
    const task = path.join(workdir, 'tasks', '0');
    const r = await phenobook(['run', '--spec', path.join(task, 'spec.json'), '--data-dir', path.join(task, 'data'), '--json'], env, path.join(task, 'result.json'));
    expect(r.code, r.stderr).toBe(0);
    await page.getByTestId('sweep-collect').click();
    await expect(page.getByRole('status').getByText('Collected 1 run', { exact: true })).toBeVisible();
    await expect(page.locator('tr[data-task="0"]')).toHaveAttribute('data-state', 'collected');
    await expect(page.locator('tr[data-task="1"]')).toHaveAttribute('data-state', 'pending');
    await expect(page.getByTestId('sweep-executor')).toHaveText('SLURM · submitted by hand (no job id recorded)');

    // The job id sbatch printed, recorded from the CLI, is shown from then on.
    const recorded = await phenobook(['sweep', 'collect', sweepId, '--job-id', '5151', '--data-dir', dataDir], env);
    expect(recorded.code, recorded.stderr).toBe(0);
    await page.reload();
    await expect(page.getByTestId('sweep-executor')).toHaveText('SLURM job 5151');
    await expect(page.locator('tr[data-task="1"] td').nth(4)).toHaveText('5151');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
