import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKLIST_QUESTIONS } from '../../contract/checklist';
import { OP_NAMES } from '../../contract/names';
import { dispatch } from '../../host/handlers';
import { CHART_SVG } from '../svg-corpus';
import { tempContext } from '../temp-context';
import { invalidInputs, opShape } from './operation-inputs';

/**
 * Issue 18: every operation, fed inputs generated to be invalid (wrong types, missing and extra
 * fields, nesting, huge strings, lone surrogates, prototype keys), answers invalid_input (HTTP
 * 400) with field paths, never anything else, and no table changes. Seeded and bounded:
 * FUZZ_RUNS inputs per operation (100 in `npm test`; `npm run fuzz` runs 2,000), FUZZ_SEED
 * to replay a failure.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 18);

let ctx: ReturnType<typeof tempContext>;

/** SHA-256 of every table's rows (in rowid order), by table. */
function tableHashes(): Record<string, string> {
  const tables = ctx.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(
    tables.map((t) => {
      const hash = createHash('sha256');
      for (const row of ctx.db.prepare(`SELECT * FROM "${t}"`).raw().iterate()) hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
      return [t, hash.digest('hex')];
    }),
  );
}

async function call<T>(op: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  // Something of every kind, so a refusal that writes (or deletes) anything shows in a table hash.
  ctx = tempContext();
  const project = await call<{ id: string }>('projects:create', { title: 'Fuzzed', phenomenon: 'grokking', tags: ['a'] });
  const [run] = await call<{ id: string }[]>('runs:start', { projectId: project.id, experiment: 'grokking-mlp', preset: 'default' });
  await call('sweeps:start', { projectId: project.id, experiment: 'double-descent', grid: [{ key: 'width', values: [8, 16] }] });
  await call('notes:create', { projectId: project.id, title: 'Note', body: 'text', runIds: [run!.id] });
  await call('hypotheses:create', {
    projectId: project.id,
    statement: 'S',
    theory: 'T',
    relation: 'refines',
    predictions: [{ metric: 'testAcc', at: { kind: 'final' }, comparison: '<', threshold: 0.5 }],
  });
  await call('checklist:answer', { projectId: project.id, questionKey: CHECKLIST_QUESTIONS[0]!.key, status: 'in-progress', markdown: 'x' });
  await call('figures:create', {
    projectId: project.id,
    title: 'F',
    caption: '',
    svg: CHART_SVG,
    provenance: { app: '0', exportedAt: 'x', experiment: 'grokking-mlp', preset: null, sweepIds: [], runIds: [], selection: '', shows: '', config: {} },
  });
}, 60_000);
afterAll(() => ctx.cleanup());

describe('fuzz: invalid input to every operation', () => {
  it('covers every operation of the contract', () => {
    expect(OP_NAMES.length).toBeGreaterThanOrEqual(56);
  });

  it.each(OP_NAMES.map((op) => [op]))('%s', async (op) => {
    const shape = opShape(op);
    const before = tableHashes();
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(invalidInputs(shape), async ({ kind, input, field }) => {
        seen.add(kind);
        const r = await dispatch(ctx, op, input);
        if (r.ok) throw new Error(`${kind}: accepted ${JSON.stringify(input)?.slice(0, 200)}`);
        expect(r.error.code, `${kind}: ${r.error.message.slice(0, 300)}`).toBe('invalid_input');
        const paths = (r.error.issues ?? []).map((i) => i.path);
        expect(paths.length, `${kind}: no field issues in "${r.error.message.slice(0, 200)}"`).toBeGreaterThan(0);
        for (const i of r.error.issues!) expect(typeof i.path === 'string' && typeof i.message === 'string').toBe(true);
        if (field !== null) {
          expect(paths.some((p) => field === '' || p === field || p.startsWith(`${field}.`)), `${kind}: paths ${paths.join(', ')}`).toBe(true);
        }
        expect(tableHashes()).toEqual(before);
      }),
      { numRuns: RUNS, seed: SEED + OP_NAMES.indexOf(op), endOnFailure: true },
    );
    expect(seen.size).toBeGreaterThanOrEqual(3);
  }, 10_000 + RUNS * 30);
});
