import { describe, expect, it } from 'vitest';
import { adoptableFields, adoptionPlan } from './adopt-sweep';

describe('adoptableFields', () => {
  it('offers the fields every run has as a number, text or true/false, whose values differ (seed left out)', () => {
    const configs = [
      { width: 8, lr: 0.01, seed: 0, opt: 'adam', tags: ['a'], 'model.depth': 2 },
      { width: 16, lr: 0.01, seed: 1, opt: 'sgd', tags: ['b'], 'model.depth': 3 },
      { width: 32, lr: 0.01, seed: 0, tags: ['c'], 'model.depth': 4 },
    ];
    expect(adoptableFields(configs)).toEqual(['width']);
    expect(adoptableFields(configs.slice(0, 2))).toEqual(['width', 'opt']);
    expect(adoptableFields(configs.slice(0, 1))).toEqual([]);
  });
});

describe('adoptionPlan', () => {
  const run = (id: string, config: Record<string, unknown>, experiment = 'a') => ({ id, experiment, preset: null, config });

  it('sorts the grid, counts seeds as the most runs sharing a value, and keeps the shared config', () => {
    const r = adoptionPlan([run('1', { w: 16, lr: 1, seed: 0 }), run('2', { w: 4, lr: 1, seed: 0 }), run('3', { w: 16, lr: 1, seed: 1 }, 'b')], 'w');
    expect(r).toEqual({
      ok: true,
      plan: {
        experiment: 'a+b',
        preset: null,
        config: { lr: 1 },
        grid: [{ key: 'w', values: [4, 16] }],
        seeds: 2,
        points: [
          { runId: '1', point: { w: 16 } },
          { runId: '2', point: { w: 4 } },
          { runId: '3', point: { w: 16 } },
        ],
      },
    });
  });

  it('says why a field cannot be swept', () => {
    expect(adoptionPlan([run('1', { w: 1 }), run('2', {})], 'w')).toEqual({ ok: false, message: '1 of the 2 runs have no number, text or true/false "w" in their config' });
    expect(adoptionPlan([run('1', { w: 1 }), run('2', { w: 1 })], 'w')).toMatchObject({ ok: false, message: expect.stringMatching(/values differ/) });
  });
});
