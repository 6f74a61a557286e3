// Crash safety (issue 18): SIGKILL to the host's whole process group — host and trainers at once —
// while runs train and while a large bundle is being imported; after a restart the database is
// intact, the runs are interrupted, and every row committed before the kill is there.
import Database from 'better-sqlite3';
import { gzipSync } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson, sha256Hex } from '../services/content-hash';
import { expect, startHost, test, type Host } from './host';

async function ok<T>(host: Host, name: string, input?: unknown): Promise<T> {
  const res = await host.op<T>(name, input);
  if (!res.body.ok) throw new Error(`${name}: ${res.body.error.message}`);
  return res.body.value;
}

/** integrity_check and foreign_key_check on the file, with no host running. */
function checkIntegrity(file: string): void {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
}

const committedRows = async (host: Host, projectId: string) => ({
  project: await ok<{ title: string; tags: string[] }>(host, 'projects:get', { id: projectId }),
  notes: (await ok<{ title: string; body: string }[]>(host, 'notes:list', { projectId })).map((n) => [n.title, n.body]),
  hypotheses: (await ok<{ statement: string }[]>(host, 'hypotheses:list', { projectId })).map((h) => h.statement),
});

test('SIGKILL to the process group mid-run: integrity ok, runs interrupted, committed rows and metrics kept', async ({ dataDir, launchHost }) => {
  test.setTimeout(120_000);
  const host = await startHost(dataDir, { group: true });
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Power cut', phenomenon: 'grokking', tags: ['crash'] });
  await ok(host, 'notes:create', { projectId: project.id, title: 'Before the cut', body: 'kept' });
  await ok(host, 'hypotheses:create', {
    projectId: project.id,
    statement: 'Committed before the kill',
    theory: 'Durability',
    relation: 'refines',
    predictions: [{ metric: 'testAcc', at: { kind: 'final' }, comparison: '>', threshold: 0.5 }],
  });
  await ok(host, 'settings:update', { parallelRuns: 2 });
  const runs = await ok<{ id: string }[]>(host, 'runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { steps: 20_000 }, seeds: 2 });
  let pointsBefore: number[] = [];
  await expect
    .poll(
      async () => {
        pointsBefore = await Promise.all(runs.map(async (r) => (await ok<{ stored: number }[]>(host, 'runs:metrics', { id: r.id })).reduce((n, s) => n + s.stored, 0)));
        return pointsBefore.every((n) => n > 0);
      },
      { message: 'both runs have stored metrics', timeout: 60_000 },
    )
    .toBe(true);
  const before = await committedRows(host, project.id);

  await host.crashGroup();

  const next = await launchHost(dataDir);
  expect(await committedRows(next, project.id)).toEqual(before);
  for (const [i, r] of runs.entries()) {
    const after = await ok<{ status: string; stepsDone: number }>(next, 'runs:get', { id: r.id });
    expect(after.status).toBe('interrupted');
    const stored = (await ok<{ stored: number }[]>(next, 'runs:metrics', { id: r.id })).reduce((n, s) => n + s.stored, 0);
    expect(stored).toBeGreaterThanOrEqual(pointsBefore[i]!);
  }
  await next.stop();
  checkIntegrity(next.databasePath);
});

/** A bundle of one project with one finished run of `points` metric points (4 series), content hash sealed. */
function bigBundle(points: number): Buffer {
  const perSeries = points / 4;
  const steps = Array.from({ length: perSeries }, (_, i) => i);
  const series = ['testAcc', 'trainAcc', 'testLoss', 'trainLoss'].map((name, k) => ({ name, steps, values: steps.map((i) => Math.sin(i * 0.001 + k)) }));
  const at = '2026-01-01T00:00:00.000Z';
  const content = {
    project: { id: '11111111-1111-4111-8111-111111111111', title: 'Imported at the cut', phenomenon: 'grokking', question: '', tags: [], createdAt: at, updatedAt: at, archivedAt: null },
    checklist: { answers: [], revisions: [] },
    evidence: [],
    notes: [],
    hypotheses: [],
    sweeps: [],
    runs: [
      {
        id: '22222222-2222-4222-8222-222222222222', groupId: '33333333-3333-4333-8333-333333333333', experiment: 'grokking-mlp', preset: null,
        config: { steps: perSeries }, seed: 0, status: 'done', error: null, backend: 'cpu', gpu: false, backendDetail: null, appVersion: '0.1.0',
        dataHash: null, stepsTotal: perSeries, stepsDone: perSeries, trainSeconds: 1, wallSeconds: 1, rerunOf: null, createdAt: at, startedAt: at,
        finishedAt: at, sweepId: null, sweepPoint: null, metrics: series,
      },
    ],
    figures: [],
    confounders: [],
  };
  const bundle = { format: 'phenobook-bundle', version: 1, createdAt: at, app: { name: 'phenobook', version: '0.1.0', schemaVersion: 80 }, contentHash: sha256Hex(canonicalJson(content)), content };
  return gzipSync(Buffer.from(JSON.stringify(bundle)));
}

test('SIGKILL to the process group mid-import: integrity ok, the import all or nothing, earlier rows kept', async ({ dataDir, launchHost }) => {
  test.setTimeout(180_000);
  const POINTS = 2_000_000;
  const data = bigBundle(POINTS).toString('base64');
  const host = await startHost(dataDir, { group: true });
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Already here', phenomenon: 'other' });
  await ok(host, 'notes:create', { projectId: project.id, title: 'Kept', body: 'through the cut' });
  const before = await committedRows(host, project.id);

  const wal = `${host.databasePath}-wal`;
  const walSize = () => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
  const startSize = walSize();
  let answered = false;
  const importing = host.op('bundles:import', { data }).then(
    () => (answered = true),
    () => undefined, // the connection dies with the host
  );
  // Mid-import: the transaction is writing metric points into the WAL.
  await expect.poll(() => answered || walSize() > startSize + 4 * 1024 * 1024, { message: 'the import is writing', timeout: 90_000, intervals: [20] }).toBe(true);
  expect(answered).toBe(false);
  await host.crashGroup();
  await importing;

  const next = await launchHost(dataDir);
  expect(await committedRows(next, project.id)).toEqual(before);
  const projects = await ok<{ id: string; title: string }[]>(next, 'projects:list', { filter: 'all' });
  const imported = projects.filter((p) => p.title === 'Imported at the cut');
  // All or nothing: either no trace of the bundle, or all of it.
  if (imported.length === 1) {
    const [run] = await ok<{ id: string }[]>(next, 'runs:list', { projectId: imported[0]!.id });
    const stored = (await ok<{ stored: number }[]>(next, 'runs:metrics', { id: run!.id })).reduce((n, s) => n + s.stored, 0);
    expect(stored).toBe(POINTS);
  } else {
    expect(imported).toEqual([]);
    expect(await ok<unknown[]>(next, 'runs:list', {})).toEqual([]);
  }
  await next.stop();
  checkIntegrity(next.databasePath);
  expect(path.basename(next.databasePath)).toBe('phenobook.sqlite');
});
