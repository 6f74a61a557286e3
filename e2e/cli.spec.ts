// The headless interface (docs/cli.md) as a script uses it: `node bin/phenobook.js …` on a
// fresh data folder, exit codes, and `--json` output that is exactly one JSON document. Includes
// the grokking-mlp acceptance check of docs/experiments.md §1, read back from the stored metrics.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, ROOT, test } from './host';

const BIN = path.join(ROOT, 'bin', 'phenobook.js');
const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion on `dataDir`. */
function phenobook(dataDir: string, ...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Exit 0 and stdout parsed as one JSON document (JSON.parse rejects anything around it). */
function json<T>(result: CliResult): T {
  expect(result.code, `exit code; stderr:\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface RunReport {
  runId: string;
  seed: number;
  status: string;
  error: string | null;
  backend: string | null;
  gpu: boolean;
  steps: number;
  stepsPerSecond: number | null;
  wallSeconds: number | null;
  firstStepTrainAcc1: number | null;
  firstStepTestAcc90: number | null;
  firstStepTestAcc95: number | null;
  final: Record<string, number | null>;
}

interface RunJson {
  experiment: string;
  config: Record<string, unknown>;
  runs: RunReport[];
}

interface CsvRow {
  step: number;
  name: string;
  value: number | null;
}

async function exportCsv(dataDir: string, runId: string): Promise<{ text: string; rows: CsvRow[] }> {
  const result = await phenobook(dataDir, 'runs', 'export', runId, '--csv');
  expect(result.code, result.stderr).toBe(0);
  const [header, ...lines] = result.stdout.trimEnd().split('\n');
  expect(header).toBe('step,name,value');
  const rows = lines.map((line) => {
    const [step, name, value] = line.split(',');
    return { step: Number(step), name: name!, value: value === '' ? null : Number(value) };
  });
  return { text: result.stdout, rows };
}

/** One metric as step → value, in step order. */
function series(rows: CsvRow[], name: string): [number, number | null][] {
  return rows.filter((r) => r.name === name).map((r) => [r.step, r.value]);
}

const firstStep = (s: [number, number | null][], threshold: number) =>
  s.find(([, v]) => v !== null && v >= threshold)?.[0] ?? null;

const listRuns = async (dataDir: string, ...args: string[]) =>
  json<{ runs: { id: string; projectId: string | null; status: string }[] }>(
    await phenobook(dataDir, 'runs', 'list', ...args, '--json'),
  ).runs;

test('acceptance: grokking-mlp default preset, 3 seeds, groks by step 1,500 (docs/experiments.md §1)', async ({ dataDir }) => {
  test.setTimeout(180_000);
  const result = await phenobook(dataDir, 'run', 'grokking-mlp', '--seeds', '3', '--set', 'steps=1500', '--json');
  const report = json<RunJson>(result);
  // Progress went to stderr, not into the JSON.
  expect(result.stderr).toMatch(/\[seed \d\] step \d+\/1,?500/);

  expect(report.experiment).toBe('grokking-mlp');
  expect(report.config).toMatchObject({ p: 59, width: 256, trainFraction: 0.3, weightDecay: 1, lr: 0.01, steps: 1500, evalEvery: 5 });
  expect(report.config).not.toHaveProperty('seed');
  expect(report.runs.map((r) => r.seed)).toEqual([0, 1, 2]);

  const summary: string[] = [];
  for (const run of report.runs) {
    expect(run.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.status, run.error ?? '').toBe('done');
    expect(BACKENDS).toContain(run.backend);
    expect(typeof run.gpu).toBe('boolean');
    expect(run.steps).toBe(1500);
    expect(run.stepsPerSecond).toBeGreaterThan(0);
    expect(run.wallSeconds).toBeGreaterThan(0);
    for (const key of ['trainAcc', 'testAcc', 'trainLoss', 'testLoss', 'l2', 'primeCount']) {
      expect(typeof run.final[key], `final.${key}`).toBe('number');
    }
    expect(run.firstStepTestAcc95 === null || typeof run.firstStepTestAcc95 === 'number').toBe(true);

    // The thresholds: train = 1.0 by step 100; test < 0.20 at step 150; test ≥ 0.90 by step 1,500;
    // generalisation comes ≥ 10× later than memorisation.
    const trainAt1 = run.firstStepTrainAcc1;
    const testAt90 = run.firstStepTestAcc90;
    expect(trainAt1, `seed ${run.seed}: first step with train accuracy 1`).not.toBeNull();
    expect(trainAt1!).toBeLessThanOrEqual(100);
    expect(testAt90, `seed ${run.seed}: first step with test accuracy ≥ 0.9`).not.toBeNull();
    expect(testAt90!).toBeLessThanOrEqual(1500);
    expect(testAt90! / trainAt1!).toBeGreaterThanOrEqual(10);

    const { rows } = await exportCsv(dataDir, run.runId);
    const testAcc = series(rows, 'testAcc');
    const at150 = testAcc.find(([step]) => step === 150)?.[1];
    expect(at150, `seed ${run.seed}: test accuracy at step 150`).toBeDefined();
    expect(at150!).toBeLessThan(0.2);
    // The report agrees with the stored metrics.
    expect(firstStep(series(rows, 'trainAcc'), 1)).toBe(trainAt1);
    expect(firstStep(testAcc, 0.9)).toBe(testAt90);
    expect(testAcc.at(-1)).toEqual([1500, run.final.testAcc]);
    summary.push(`seed ${run.seed}: train 1.0 @${trainAt1}, test@150 ${at150!.toFixed(3)}, test≥0.9 @${testAt90}, ${run.stepsPerSecond!.toFixed(0)} steps/s`);
  }
  test.info().annotations.push({ type: 'acceptance', description: summary.join('; ') });
  expect((await listRuns(dataDir)).map((r) => r.status)).toEqual(['done', 'done', 'done']);
});

test('control: without weight decay it never generalises through step 3,000', async ({ dataDir }) => {
  test.setTimeout(120_000);
  const report = json<RunJson>(
    await phenobook(dataDir, 'run', 'grokking-mlp', '--set', 'weightDecay=0', '--set', 'steps=3000', '--json'),
  );
  expect(report.config).toMatchObject({ weightDecay: 0, steps: 3000 });
  const [run] = report.runs;
  expect(run!.status).toBe('done');
  expect(run!.firstStepTrainAcc1).not.toBeNull(); // it memorises…
  expect(run!.firstStepTestAcc90).toBeNull(); // …and never generalises

  const testAcc = series((await exportCsv(dataDir, run!.runId)).rows, 'testAcc');
  expect(testAcc).toHaveLength(3000 / 5 + 1);
  expect(testAcc.at(-1)![0]).toBe(3000);
  const above = testAcc.filter(([, v]) => v === null || v >= 0.2);
  expect(above, 'evaluations with test accuracy ≥ 0.2 (or not finite)').toEqual([]);
});

test('the same seed gives the same metrics, wall time aside', async ({ dataDir }) => {
  test.setTimeout(60_000);
  const run = async (seed: number, steps: number) => {
    const report = json<RunJson>(
      await phenobook(dataDir, 'run', 'grokking-mlp', '--seed', String(seed), '--set', `steps=${steps}`, '--json'),
    );
    expect(report.runs[0]!.seed).toBe(seed);
    return (await exportCsv(dataDir, report.runs[0]!.runId)).rows.filter((r) => r.name !== 'wallTime');
  };
  const first = await run(5, 100);
  const second = await run(5, 100);
  expect(first.filter((r) => r.name === 'trainAcc')).toHaveLength(100 / 5 + 1);
  expect(first.some((r) => r.name === 'testAcc')).toBe(true);
  expect(second).toEqual(first);
  // Another seed does differ, so the comparison above is not vacuous.
  const other = await run(6, 5);
  const lossAt5 = (rows: CsvRow[]) => rows.find((r) => r.step === 5 && r.name === 'trainLoss')!.value;
  expect(lossAt5(other)).not.toBe(lossAt5(first));
});

test('invalid arguments exit 2, name the knob and its range, and write nothing', async ({ dataDir }) => {
  const cases: { args: string[]; stderr: RegExp }[] = [
    { args: ['--set', 'p=1'], stderr: /\bp must be an integer from 2 to 400/ },
    { args: ['--set', 'lr=-1'], stderr: /\blr must be a number greater than 0 and at most 10/ },
    { args: ['--set', 'width=abc'], stderr: /\bwidth must be an integer from 1 to 4096/ },
  ];
  for (const { args, stderr } of cases) {
    const result = await phenobook(dataDir, 'run', 'grokking-mlp', ...args, '--json');
    expect(result.code, args.join(' ')).toBe(2);
    expect(result.stderr).toMatch(stderr);
    expect(result.stdout).toBe('');
  }
  const unknown = await phenobook(dataDir, 'run', 'no-such-experiment', '--json');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('Unknown experiment "no-such-experiment" (known: grokking-mlp');
  expect(unknown.stdout).toBe('');

  expect(await listRuns(dataDir)).toEqual([]);
});

test('projects create --json prints the id, and run --project links the run', async ({ dataDir }) => {
  const created = json<{ id: string }>(
    await phenobook(dataDir, 'projects', 'create', '--title', 'CLI grokking', '--phenomenon', 'grokking', '--json'),
  );
  expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
  const other = json<{ id: string }>(await phenobook(dataDir, 'projects', 'create', '--title', 'Elsewhere', '--json'));

  const report = json<RunJson>(
    await phenobook(dataDir, 'run', 'grokking-mlp', '--set', 'steps=10', '--project', created.id, '--json'),
  );
  const runId = report.runs[0]!.runId;
  expect(await listRuns(dataDir, '--project', created.id)).toEqual([
    expect.objectContaining({ id: runId, projectId: created.id, status: 'done' }),
  ]);
  expect(await listRuns(dataDir, '--project', other.id)).toEqual([]);
  expect((await listRuns(dataDir)).map((r) => r.id)).toEqual([runId]);
});

test('doctor --json reports which backends load, and why the others do not', async ({ dataDir }) => {
  interface Doctor {
    selected: { name: string; gpu: boolean } | null;
    error: string | null;
    backends: { name: string; loads: boolean; gpu: boolean; reason: string | null }[];
    desktop: { ready: boolean; electron: string | null; reason: string | null; fix: string[] };
  }
  const report = json<Doctor>(await phenobook(dataDir, 'doctor', '--json'));
  // Desktop mode as `npm start` would find it: here there is no Electron binary (or no display).
  if (!report.desktop.ready) expect(report.desktop.reason).toMatch(/Electron binary is not downloaded|no display|sandbox/);
  expect(report.backends.map((b) => b.name)).toEqual(BACKENDS);
  expect(BACKENDS).toContain(report.selected?.name);
  const byName = new Map(report.backends.map((b) => [b.name, b]));
  expect(byName.get('wasm')).toMatchObject({ loads: true, reason: null });
  for (const b of report.backends) {
    // Either it loads, or it says why not.
    if (b.loads) expect(b.reason).toBeNull();
    else expect(b.reason).toMatch(/\S{10,}/);
  }
  for (const name of ['tfjs-node-gpu', 'tfjs-node']) {
    if (fs.existsSync(path.join(ROOT, 'node_modules', '@tensorflow', name))) continue; // installed: may load
    expect(byName.get(name)).toMatchObject({ loads: false, gpu: false });
    expect(byName.get(name)!.reason).toContain(`@tensorflow/${name} is not installed`);
  }
});

test('sweep --json: one point per grid value with seed-aggregated metrics; data mnist1d writes the published set', async ({ dataDir }) => {
  test.setTimeout(120_000);
  const sweep = json<{
    sweepId: string;
    experiment: string;
    config: Record<string, unknown>;
    points: { steps: number; seeds: number; metrics: Record<string, { mean: number; std: number }> }[];
    runs: Record<string, number>;
  }>(await phenobook(dataDir, 'sweep', 'grokking-mlp', '--grid', 'steps=30,60', '--seeds', '2', '--json'));
  expect(sweep.experiment).toBe('grokking-mlp');
  expect(sweep.config).not.toHaveProperty('seed');
  expect(sweep.runs).toEqual({ done: 4 });
  expect(sweep.points.map((p) => [p.steps, p.seeds])).toEqual([[30, 2], [60, 2]]);
  for (const p of sweep.points) {
    expect(p.metrics.trainAcc!.mean).toBeGreaterThan(0.99); // train accuracy reaches 1 within ~25 steps
    expect(p.metrics.testError!.mean).toBeCloseTo(1 - p.metrics.testAcc!.mean, 12);
    expect(p.metrics.l2!.std).toBeGreaterThan(0); // two seeds, two different networks
  }

  const bad = await phenobook(dataDir, 'sweep', 'grokking-mlp', '--grid', 'depth=1,2', '--json');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('grokking-mlp has no knob "depth"');
  expect(bad.stdout).toBe('');

  const file = path.join(dataDir, 'mnist1d.json');
  const data = await phenobook(dataDir, 'data', 'mnist1d', '--out', file);
  expect(data.code, data.stderr).toBe(0);
  const d = JSON.parse(fs.readFileSync(file, 'utf8')) as { x: number[][]; y: number[]; xTest: number[][]; yTest: number[] };
  expect([d.x.length, d.x[0]!.length, d.xTest.length]).toEqual([4000, 40, 1000]);
  // The published dataset (docs/experiments.md §3): first labels and values.
  expect(d.y.slice(0, 20)).toEqual([2, 6, 4, 5, 6, 6, 6, 0, 3, 1, 6, 9, 4, 3, 4, 5, 1, 9, 0, 3]);
  expect(d.yTest.slice(0, 10)).toEqual([2, 6, 3, 9, 4, 3, 1, 9, 5, 2]);
  d.x[0]!.slice(0, 4).forEach((v, i) => expect(v).toBeCloseTo([-0.332006, -0.47191, -0.778697, -1.009741][i]!, 5));
});

test('bundle export → import into a fresh data folder: identical runs and metrics; a tampered bundle is refused and writes nothing', async ({ dataDir }) => {
  test.setTimeout(120_000);
  const { id } = json<{ id: string }>(await phenobook(dataDir, 'projects', 'create', '--title', 'Bundle me', '--json'));
  json(await phenobook(dataDir, 'run', 'grokking-mlp', '--set', 'steps=60', '--seeds', '2', '--project', id, '--json'));
  const file = path.join(dataDir, 'project.phenobook.json.gz');
  const exported = await phenobook(dataDir, 'bundle', 'export', id, '--out', file);
  expect(exported.code, exported.stderr).toBe(0);

  const other = fs.mkdtempSync(path.join(path.dirname(dataDir), 'phenobook-import-'));
  try {
    const imported = json<{ projectId: string; counts: { runs: number; metricPoints: number } }>(await phenobook(other, 'bundle', 'import', file, '--json'));
    expect(imported.counts.runs).toBe(2);
    const csv = async (dir: string, project: string) => {
      const runs = json<{ runs: { id: string; seed: number }[] }>(await phenobook(dir, 'runs', 'list', '--project', project, '--json')).runs.sort((a, b) => a.seed - b.seed);
      return Promise.all(runs.map(async (r) => (await phenobook(dir, 'runs', 'export', r.id, '--csv')).stdout));
    };
    expect(await csv(other, imported.projectId)).toEqual(await csv(dataDir, id));

    const tampered = path.join(dataDir, 'tampered.json');
    const zlib = await import('node:zlib');
    const doc = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as { content: { runs: { metrics: { values: (number | null)[] }[] }[] } };
    doc.content.runs[0]!.metrics[0]!.values[1] = 0.123;
    fs.writeFileSync(tampered, JSON.stringify(doc));
    const before = json<{ projects: unknown[] }>(await phenobook(other, 'projects', 'list', '--json')).projects.length;
    const refused = await phenobook(other, 'bundle', 'import', tampered, '--json');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('modified after export');
    expect(json<{ projects: unknown[] }>(await phenobook(other, 'projects', 'list', '--json')).projects.length).toBe(before);
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
});

test('import of every kind through the built CLI: TensorBoard, MLflow, CSV and JSON lines; a second import adds nothing', async ({ dataDir }) => {
  // The built bundle resolves packages with Node's ESM loader, which vitest does not exercise
  // (a subpath import without its extension passed every unit test and failed here).
  const project = json<{ id: string }>(await phenobook(dataDir, 'projects', 'create', '--title', 'From elsewhere', '--json'));
  const fixtures = path.join(ROOT, 'services', 'importers', 'fixtures');
  const copy = fs.mkdtempSync(path.join(path.dirname(dataDir), 'phenobook-fixtures-'));
  fs.cpSync(fixtures, copy, { recursive: true });
  interface Imported {
    added: { name: string; points: number }[];
    skipped: { name: string }[];
  }
  const sources: [string, number][] = [
    [path.join(copy, 'tensorboard'), 5],
    [path.join(copy, 'mlflow', 'mlruns'), 2],
    [path.join(copy, 'csv', 'wide-run.csv'), 1],
  ];
  for (const [source, runs] of sources) {
    const first = json<Imported>(await phenobook(dataDir, 'import', source, '--project', project.id, '--json'));
    expect(first.added.map((a) => a.points).every((n) => n > 0), source).toBe(true);
    expect(first.added, source).toHaveLength(runs);
    const again = json<Imported>(await phenobook(dataDir, 'import', source, '--project', project.id, '--json'));
    expect([again.added.length, again.skipped.length], source).toEqual([0, runs]);
  }
  const jsonl = path.join(copy, 'metrics.jsonl');
  fs.writeFileSync(jsonl, '{"config": {"lr": 0.1}}\n{"step": 0, "loss": 1.5}\n{"step": 10, "loss": 0.5}\n');
  expect(json<Imported>(await phenobook(dataDir, 'import', jsonl, '--project', project.id, '--json')).added).toEqual([expect.objectContaining({ points: 2 })]);
  expect(await listRuns(dataDir, '--project', project.id)).toHaveLength(9);
});
