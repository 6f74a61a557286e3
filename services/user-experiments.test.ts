import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStartSchema } from '../contract/runs';
import { EXPERIMENTS } from '../experiments/registry';
import { inProcessTrainer } from '../test/in-process-trainer';
import { tempContext } from '../test/temp-context';
import { ServiceError } from './errors';

let ctx: ReturnType<typeof tempContext> | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

/** A small experiment file: `steps` of a loss that decays, `throwAt` throws inside the user's step, `nanAt` makes the loss NaN. */
const GOOD = `import { defineExperiment, z, STANDARD_METRICS } from 'phenobook/experiment';

export default defineExperiment({
  apiVersion: 1,
  key: 'decay',
  title: 'A decaying loss',
  configSchema: z.object({
    steps: z.number().int().min(1).max(10000).default(60).describe('Steps'),
    rate: z.number().gt(0).lt(1).default(0.9).describe('Decay per step'),
    throwAt: z.number().int().default(-1).describe('Throw at this step'),
    nanAt: z.number().int().default(-1).describe('NaN from this step'),
    seed: z.number().int().min(0).default(0).describe('Seed'),
  }),
  presets: { default: {}, slow: { rate: 0.99 } },
  metrics: { ...STANDARD_METRICS, bonus: 'free' },
  totalSteps: (c) => c.steps,
  train: async (c, ctx) => {
    let loss = 1;
    return ctx.runLoop({
      steps: c.steps,
      evalEvery: 10,
      evaluate: (s) => ({ trainLoss: s >= c.nanAt && c.nanAt >= 0 ? NaN : loss, testLoss: loss, trainAcc: 1 - loss, testAcc: 1 - loss, bonus: ctx.rng('b').next() }),
      step: (s) => {
        if (s === c.throwAt) throw new Error('user code failed at step ' + s);
        loss *= c.rate;
      },
    });
  },
});
`;

function setup() {
  const spawn = inProcessTrainer(EXPERIMENTS);
  ctx = tempContext({ spawnTrainer: spawn });
  const dir = path.join(ctx.dir, 'experiments');
  // The host creates the folder so that it can watch it.
  expect(fs.existsSync(dir)).toBe(true);
  return { ctx, dir };
}

describe('researcher experiment files', () => {
  it('lists a file with a syntax error with its line; fixed, it becomes startable without a restart', async () => {
    const { ctx, dir } = setup();
    const file = path.join(dir, 'decay.ts');
    fs.writeFileSync(file, GOOD.replace("title: 'A decaying loss',", "title: 'A decaying loss'"));
    const [entry] = await ctx.userExperiments.refresh();
    // The missing comma after line 6 is found at the next token, line 7.
    expect(entry).toMatchObject({ path: file, error: { file, line: 7, column: 3 } });
    expect(entry!.error!.message).toContain('Expected "}" but found "configSchema"');
    expect(ctx.runs.experiments().map((e) => e.key)).not.toContain('decay');
    expect(() => ctx.runs.start(RunStartSchema.parse({ experiment: 'decay' }))).toThrow(ServiceError);

    ctx.userExperiments.watch(50);
    fs.writeFileSync(file, GOOD);
    const until = Date.now() + 10_000;
    while (!ctx.userExperiments.entries[0]?.key && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(ctx.userExperiments.entries[0]).toMatchObject({ key: 'decay', title: 'A decaying loss' });
    const info = ctx.runs.experiments().find((e) => e.key === 'decay')!;
    expect(info.fields.map((f) => f.key)).toEqual(['steps', 'rate', 'throwAt', 'nanAt', 'seed']);
    expect(info.presets.map((p) => p.name)).toEqual(['default', 'slow']);

    const runs = ctx.runs.start(RunStartSchema.parse({ experiment: 'decay', preset: 'slow', seeds: 2 }));
    const done = await ctx.runs.whenSettled(runs.map((r) => r.id));
    expect(done.map((r) => r.status)).toEqual(['done', 'done']);
    const loss = ctx.runs.metrics({ id: done[0]!.id, maxPoints: 1000 }).find((s) => s.name === 'trainLoss')!;
    expect(loss.steps).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(loss.values.at(-1)).toBeCloseTo(0.99 ** 60, 6);
    // Seeded streams: the two seeds draw different numbers.
    expect(done[0]!.final.bonus).not.toBe(done[1]!.final.bonus);
  }, 30_000);

  it('refuses a wrong apiVersion, a missing default preset and a key that clashes, and keeps the others', async () => {
    const { ctx, dir } = setup();
    fs.writeFileSync(path.join(dir, 'a-good.ts'), GOOD);
    fs.writeFileSync(path.join(dir, 'b-version.mjs'), GOOD.replace('apiVersion: 1', 'apiVersion: 9'));
    fs.writeFileSync(path.join(dir, 'c-preset.ts'), GOOD.replace("key: 'decay'", "key: 'other'").replace('presets: { default: {}, slow', 'presets: { fast'));
    fs.writeFileSync(path.join(dir, 'd-clash.ts'), GOOD.replace("key: 'decay'", "key: 'grokking-mlp'"));
    fs.writeFileSync(path.join(dir, 'e-twice.js'), GOOD); // plain JavaScript too; the key is taken
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an experiment');
    const entries = await ctx.userExperiments.refresh();
    const by = Object.fromEntries(entries.map((e) => [path.basename(e.path), e]));
    expect(Object.keys(by)).toEqual(['a-good.ts', 'b-version.mjs', 'c-preset.ts', 'd-clash.ts', 'e-twice.js']);
    expect(by['a-good.ts']).toMatchObject({ key: 'decay' });
    expect(by['a-good.ts']!.error).toBeUndefined();
    expect(by['b-version.mjs']!.error!.message).toContain('apiVersion 9 is not supported: this Phenobook reads experiment API version 1');
    expect(by['b-version.mjs']!.error!.line).toBe(3);
    expect(by['c-preset.ts']!.error!.message).toContain('presets must include `default`');
    expect(by['d-clash.ts']!.error!.message).toBe('the key "grokking-mlp" is a built-in experiment\'s; choose another');
    expect(by['e-twice.js']!.error!.message).toContain('already used by');
    expect(ctx.runs.experiments().filter((e) => e.key === 'decay')).toHaveLength(1);
    expect(ctx.runs.experiments().map((e) => e.key)).toContain('grokking-mlp');
  }, 30_000);

  it('fails a run whose code throws with the message and the user file:line; NaN is diverged; bad configs are refused before queueing', async () => {
    const { ctx, dir } = setup();
    const file = path.join(dir, 'decay.ts');
    fs.writeFileSync(file, GOOD);
    await ctx.userExperiments.refresh();
    const [thrown] = ctx.runs.start(RunStartSchema.parse({ experiment: 'decay', config: { throwAt: 50 } }));
    const [nan] = ctx.runs.start(RunStartSchema.parse({ experiment: 'decay', config: { nanAt: 20 } }));
    const [a, b] = await ctx.runs.whenSettled([thrown!.id, nan!.id]);
    expect(a!.status).toBe('failed');
    const line = GOOD.split('\n').findIndex((l) => l.includes('throw new Error')) + 1;
    expect(a!.error).toContain('user code failed at step 50');
    expect(a!.error).toContain(`${file}:${line}:`);
    expect(b).toMatchObject({ status: 'diverged', error: expect.stringContaining('train loss became NaN at step 20') });
    let caught: ServiceError | undefined;
    try {
      ctx.runs.start(RunStartSchema.parse({ experiment: 'decay', config: { rate: 2, steps: 0.5 } }));
    } catch (e) {
      caught = e as ServiceError;
    }
    expect(caught).toBeInstanceOf(ServiceError);
    expect((caught!.issues ?? []).map((i) => i.path).sort()).toEqual(['config.rate', 'config.steps']);
  }, 30_000);

  it('refuses to start a file that changed after it was listed, saying so, and re-reads it', async () => {
    const { ctx, dir } = setup();
    const file = path.join(dir, 'decay.ts');
    fs.writeFileSync(file, GOOD);
    await ctx.userExperiments.refresh();
    const before = ctx.userExperiments.entries[0]!.sha256;
    fs.writeFileSync(file, GOOD.replace('loss *= c.rate', 'loss *= c.rate * 0.5'));
    expect(() => ctx.runs.start(RunStartSchema.parse({ experiment: 'decay' }))).toThrow(
      /The experiment file .*decay\.ts changed since Phenobook read it \(SHA-256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\)/,
    );
    const until = Date.now() + 10_000;
    while (ctx.userExperiments.entries[0]?.sha256 === before && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(ctx.userExperiments.entries[0]!.sha256).not.toBe(before);
    const [run] = ctx.runs.start(RunStartSchema.parse({ experiment: 'decay' }));
    expect((await ctx.runs.whenSettled([run!.id]))[0]!.status).toBe('done');
  }, 30_000);

  it('stores the exact source a run trained, says when the file changed since (with the diff), and re-runs the stored source', async () => {
    const { ctx, dir } = setup();
    const file = path.join(dir, 'decay.ts');
    fs.writeFileSync(file, GOOD);
    await ctx.userExperiments.refresh();
    const [run] = ctx.runs.start(RunStartSchema.parse({ experiment: 'decay', config: { steps: 20 } }));
    const [original] = await ctx.runs.whenSettled([run!.id]);
    const detail = ctx.runs.get(original!.id);
    expect(detail.experimentFile).toMatchObject({ path: file, text: GOOD, onDisk: 'same', diff: null });
    expect(detail.experimentFile!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Two runs of the same bytes store the source once.
    const [second] = ctx.runs.start(RunStartSchema.parse({ experiment: 'decay', config: { steps: 20, seed: 1 } }));
    await ctx.runs.whenSettled([second!.id]);
    expect(ctx.db.prepare('SELECT count(*) FROM experiment_sources').pluck().get()).toBe(1);

    fs.writeFileSync(file, GOOD.replace('loss *= c.rate;', 'loss *= c.rate * 0.5;'));
    await ctx.userExperiments.refresh();
    const changed = ctx.runs.get(original!.id).experimentFile!;
    expect(changed.onDisk).toBe('changed');
    expect(changed.diff).toContain('-        loss *= c.rate;\n+        loss *= c.rate * 0.5;');
    // Re-run trains the stored source, not the edited file: the same numbers.
    const again = ctx.runs.rerun(original!.id);
    const [rerun] = await ctx.runs.whenSettled([again.id]);
    expect(rerun!.status).toBe('done');
    expect(rerun!.final.trainLoss).toBe(original!.final.trainLoss);
    expect(ctx.runs.get(rerun!.id).experimentFile!.sha256).toBe(detail.experimentFile!.sha256);
    fs.rmSync(file);
    expect(ctx.runs.get(original!.id).experimentFile!.onDisk).toBe('missing');
  }, 30_000);
});
