// A researcher's own experiment file in the running app: listed with its line while it does not
// parse, startable once fixed (no restart), a throw at step 50 fails the run with the user's
// file:line, and a loop that never yields is still cancelled within the grace period.
import fs from 'node:fs';
import path from 'node:path';
import { expect, ROOT, test, type Host } from './host';

interface RunSummary {
  id: string;
  status: string;
  error: string | null;
}

async function ok<T>(host: Host, name: string, input?: unknown): Promise<T> {
  const res = await host.op<T>(name, input);
  if (!res.body.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body.error)}`);
  return res.body.value;
}

const SOURCE = `import { defineExperiment, z, STANDARD_METRICS } from 'phenobook/experiment';

export default defineExperiment({
  apiVersion: 1,
  key: 'toy-decay',
  title: 'Toy decay',
  configSchema: z.object({
    steps: z.number().int().min(1).default(80).describe('Steps'),
    throwAt: z.number().int().default(-1).describe('Throw at this step'),
    spinAt: z.number().int().default(-1).describe('Never yield from this step'),
    stepMs: z.number().int().min(0).default(0).describe('Busy milliseconds for each of the first ten steps'),
    seed: z.number().int().min(0).default(0).describe('Seed'),
  }),
  presets: { default: {} },
  metrics: { ...STANDARD_METRICS },
  totalSteps: (c) => c.steps,
  train: async (c, ctx) => {
    let loss = 1;
    return ctx.runLoop({
      steps: c.steps,
      evalEvery: 10,
      evaluate: () => ({ trainLoss: loss, testLoss: loss, trainAcc: 1 - loss, testAcc: 1 - loss }),
      step: (s) => {
        if (s === c.throwAt) throw new Error('toy failure at step ' + s);
        if (s === c.spinAt) for (;;) loss = Math.sqrt(loss);
        if (s < 10) for (const until = Date.now() + c.stepMs; Date.now() < until; ) loss = Math.sqrt(loss * loss);
        loss *= 0.95;
      },
    });
  },
});
`;
const BROKEN = SOURCE.replace("title: 'Toy decay',", "title: 'Toy decay'");
const THROW_LINE = SOURCE.split('\n').findIndex((l) => l.includes('throw new Error')) + 1;

test('an experiment file: listed with its error, fixed without a restart, faults end its runs cleanly', async ({ page, dataDir, launchHost }) => {
  const dir = path.join(dataDir, 'experiments');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'toy-decay.ts');
  fs.writeFileSync(file, BROKEN);
  const host = await launchHost();
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Own', phenomenon: 'other' });

  await page.goto(host.url);
  await page.getByTestId('project-list').getByRole('link').filter({ hasText: 'Own' }).click();
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: /^Runs/ }).click();
  await expect(page.getByRole('heading', { name: 'Runs', level: 2 })).toBeVisible();
  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: 'Start a run' });
  const errors = dialog.getByRole('status', { name: 'Experiment files that do not load' });
  await expect(errors).toContainText(`${file}:7:3`, { timeout: 30_000 });
  await expect(errors).toContainText('Expected "}" but found "configSchema"');
  await expect(dialog.getByLabel('Experiment', { exact: true }).locator('option', { hasText: 'Toy decay' })).toHaveCount(0);

  // Fixed on disk: the open form picks it up, with its knobs.
  fs.writeFileSync(file, SOURCE);
  await expect(errors).toBeHidden({ timeout: 30_000 });
  await dialog.getByLabel('Experiment', { exact: true }).selectOption({ label: 'Toy decay — yours' });
  await expect(dialog.getByText(`Your experiment, from ${file}`)).toBeVisible();
  await expect(dialog.getByLabel('throwAt', { exact: true })).toBeVisible();
  await dialog.getByLabel('Seeds').fill('1');
  await dialog.getByRole('button', { name: 'Start run', exact: true }).click();
  await expect(dialog).toBeHidden();
  const [first] = await ok<RunSummary[]>(host, 'runs:list', { projectId: project.id });
  await expect.poll(async () => (await ok<RunSummary>(host, 'runs:get', { id: first!.id })).status, { timeout: 30_000 }).toBe('done');

  // A sweep over one of its knobs: two values × one seed, and the sweep page draws its chart.
  const sweep = await ok<{ id: string }>(host, 'sweeps:start', { projectId: project.id, experiment: 'toy-decay', grid: [{ key: 'steps', values: [20, 40] }], seeds: 1 });
  await page.goto(`${host.origin}/#/sweeps/${sweep.id}`);
  await expect(page.getByTestId('sweep-status')).toContainText('Finished', { timeout: 30_000 });
  await expect
    .poll(() => page.getByTestId('sweep-chart').evaluate((el) => ((el as unknown as { data?: { y: number[] }[] }).data ?? []).map((t) => t.y.length)), { timeout: 15_000 })
    .toContain(2);

  // A throw in the user's step: failed, with the message and the user's file:line.
  const [thrown] = await ok<RunSummary[]>(host, 'runs:start', { projectId: project.id, experiment: 'toy-decay', config: { throwAt: 50 } });
  await expect.poll(async () => (await ok<RunSummary>(host, 'runs:get', { id: thrown!.id })).status, { timeout: 30_000 }).toBe('failed');
  const failed = await ok<RunSummary>(host, 'runs:get', { id: thrown!.id });
  expect(failed.error).toContain('toy failure at step 50');
  expect(failed.error).toContain(`${file}:${THROW_LINE}:`);

  // A step that never returns: Cancel still ends it, after the grace period, and says so.
  // The first ten steps take 40 ms each, so the progress report at step 10 is never dropped by the
  // trainer's 250 ms throttle however fast this machine is; steps 11–30 then take microseconds, so
  // by the time that report has reached the host the loop spins.
  const [stuck] = await ok<RunSummary[]>(host, 'runs:start', { projectId: project.id, experiment: 'toy-decay', config: { spinAt: 30, stepMs: 40, steps: 100_000 } });
  await expect.poll(async () => (await ok<{ stepsDone: number }>(host, 'runs:get', { id: stuck!.id })).stepsDone, { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
  const cancelledAt = Date.now();
  await ok(host, 'runs:cancel', { id: stuck!.id });
  await expect.poll(async () => (await ok<RunSummary>(host, 'runs:get', { id: stuck!.id })).status, { timeout: 15_000 }).toBe('cancelled');
  expect(Date.now() - cancelledAt).toBeLessThan(8_000);
  expect((await ok<RunSummary>(host, 'runs:get', { id: stuck!.id })).error).toBe('Cancelled (the trainer was stopped after the grace period)');
});

test('a trainer that runs out of memory ends its run failed with that reason', async ({ dataDir }) => {
  const file = path.join(dataDir, 'hungry.mjs');
  fs.writeFileSync(
    file,
    `import { defineExperiment, z } from 'phenobook/experiment';
export default defineExperiment({
  apiVersion: 1, key: 'hungry', title: 'Hungry', configSchema: z.object({ seed: z.number().int().default(0) }),
  presets: { default: {} }, metrics: {}, totalSteps: () => 10,
  train: async (c, ctx) => ctx.runLoop({ steps: 10, evalEvery: 100, evaluate: () => ({}), step: () => { const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random())); } }),
});
`,
  );
  const { execFileSync } = await import('node:child_process');
  let stdout = '';
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'phenobook.js'), 'run', file, '--json', '--data-dir', dataDir], {
      env: { ...process.env, PHENOBOOK_TRAINER_HEAP_MB: '96' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
  } catch (err) {
    const e = err as { status: number; stdout: string };
    expect(e.status).toBe(1);
    stdout = e.stdout;
  }
  const run = (JSON.parse(stdout) as { runs: { status: string; error: string }[] }).runs[0]!;
  expect(run.status).toBe('failed');
  expect(run.error).toMatch(/^The trainer process ran out of memory \(its JavaScript heap limit was reached/);
});

test('a SLURM task spec carries the experiment file and its SHA-256; a task whose file changed refuses to run', async ({ dataDir }) => {
  const { execFileSync, spawnSync } = await import('node:child_process');
  const dir = path.join(dataDir, 'experiments');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'toy-decay.ts');
  fs.writeFileSync(file, SOURCE);
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'phenobook.js'), ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 });
  const submitted = cli('sweep', 'toy-decay', '--grid', 'steps=20,30', '--executor', 'slurm', '--no-submit', '--workdir', path.join(dataDir, 'work'), '--json');
  expect(submitted.status, submitted.stderr).toBe(0);
  const { workdir } = JSON.parse(submitted.stdout) as { workdir: string };
  const specPath = path.join(workdir, 'tasks', '0', 'spec.json');
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8')) as { file: { path: string; sha256: string } };
  const { createHash } = await import('node:crypto');
  expect(spec.file).toEqual({ path: file, sha256: createHash('sha256').update(SOURCE).digest('hex') });

  const taskData = path.join(workdir, 'tasks', '0', 'data');
  const ran = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'bin', 'phenobook.js'), 'run', '--spec', specPath, '--data-dir', taskData, '--json'], { encoding: 'utf8', timeout: 60_000 })) as { runs: { status: string; steps: number }[] };
  expect(ran.runs[0]).toMatchObject({ status: 'done', steps: 20 });

  fs.writeFileSync(file, SOURCE.replace('loss *= 0.95', 'loss *= 0.9'));
  const refused = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'phenobook.js'), 'run', '--spec', path.join(workdir, 'tasks', '1', 'spec.json'), '--data-dir', path.join(workdir, 'tasks', '1', 'data'), '--json'], { encoding: 'utf8', timeout: 60_000 });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/The experiment file .*toy-decay\.ts has changed since the sweep was submitted \(SHA-256 [0-9a-f]{12}… in the task spec, [0-9a-f]{12}… now\): refusing to run it/);
});
