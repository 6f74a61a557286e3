import { describe, expect, it } from 'vitest';
import { describeExperiment } from './describe';
import { EXPERIMENTS } from './registry';

describe('describeExperiment', () => {
  it('turns the grokking-mlp schema into form fields with ranges, defaults and descriptions', () => {
    const info = describeExperiment(EXPERIMENTS.get('grokking-mlp')!);
    const p = info.fields.find((f) => f.key === 'p');
    expect(p).toMatchObject({ type: 'integer', default: 59, minimum: 2, maximum: 400 });
    expect(p?.description).toMatch(/mod p/);
    expect(info.fields.find((f) => f.key === 'trainFraction')).toMatchObject({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 });
    expect(info.fields.map((f) => f.key)).toEqual(expect.arrayContaining(['width', 'weightDecay', 'lr', 'steps', 'evalEvery', 'initScale', 'seed']));
    expect(info.presets.map((x) => x.name)).toEqual(expect.arrayContaining(['default', 'canonical', 'no-weight-decay']));
    expect(info.presets.find((x) => x.name === 'canonical')?.config).toMatchObject({ p: 97, width: 500, weightDecay: 0 });
  });

  it('has every preset valid under its own schema', () => {
    for (const def of EXPERIMENTS.values()) {
      for (const [name, preset] of Object.entries(def.presets)) {
        expect(def.configSchema.safeParse(preset).success, `${def.key}/${name}`).toBe(true);
      }
    }
  });
});
