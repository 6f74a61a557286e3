import { describe, expect, it } from 'vitest';
import { PredictionSchema, type PredictionInput } from '../contract/hypotheses';
import { describeExperiment } from '../experiments/describe';
import { EXPERIMENTS } from '../experiments/registry';
import { checkPredictions, closestName, fieldsFromConfigs, type KnownExperiment } from './condition-check';

const known = (...keys: string[]): KnownExperiment[] => keys.map((k) => ({ key: k, fields: describeExperiment(EXPERIMENTS.get(k)!).fields }));
const prediction = (over: Partial<PredictionInput>) =>
  PredictionSchema.parse({ metric: 'testAcc', at: { kind: 'step', step: 3000 }, when: [], comparison: '<', threshold: 0.2, ...over });

describe('closestName', () => {
  it('suggests the field a typo means, and nothing for an unrelated word', () => {
    const fields = ['weightDecay', 'width', 'lr', 'trainFraction'];
    expect(closestName('weight_decay', fields)).toBe('weightDecay');
    expect(closestName('weightdecy', fields)).toBe('weightDecay');
    expect(closestName('trainFrac', fields)).toBeNull();
    expect(closestName('temperature', fields)).toBeNull();
  });
});

describe('checkPredictions', () => {
  it('warns about a condition on a field no known experiment has, with the closest field', () => {
    const p = prediction({ when: [{ field: 'weight_decay', op: '=', value: 0 }] });
    const warnings = checkPredictions([p], known('grokking-mlp', 'grokking-transformer'));
    expect(warnings).toEqual([
      {
        predictionIndex: 0,
        conditionIndex: 0,
        suggestion: 'weightDecay',
        message:
          'No known experiment (grokking-mlp, grokking-transformer) has a config field “weight_decay” — did you mean “weightDecay”? Every run would read “outside condition”.',
      },
    ]);
  });

  it('accepts conditions some experiment can meet', () => {
    const ok = [
      prediction({ when: [{ field: 'weightDecay', op: '=', value: 0 }] }),
      prediction({ when: [{ field: 'operation', op: '=', value: 'add' }, { field: 'weightDecay', op: '>', value: 0 }] }),
      prediction({ when: [{ field: 'width', op: '>=', value: 64 }] }),
    ];
    expect(checkPredictions(ok, known('grokking-mlp', 'grokking-transformer'))).toEqual([]);
  });

  it('warns about values no experiment can take, and about fields no single experiment has together', () => {
    const [typeMismatch, option, together] = checkPredictions(
      [
        prediction({ when: [{ field: 'weightDecay', op: '=', value: 'zero' }] }),
        prediction({ when: [{ field: 'loss', op: '=', value: 'hinge' }] }),
        prediction({ when: [{ field: 'alpha', op: '=', value: 8 }, { field: 'loss', op: '=', value: 'mse' }] }),
      ],
      known('double-descent', 'init-scale'),
    );
    expect(typeMismatch).toMatchObject({ predictionIndex: 0, conditionIndex: 0 });
    expect(typeMismatch!.message).toContain('weightDecay is a number, so it never equals "zero"');
    expect(option).toMatchObject({ predictionIndex: 1, conditionIndex: 0 });
    expect(option!.message).toContain('loss is one of cross-entropy, mse, never “hinge”');
    expect(together).toMatchObject({ predictionIndex: 2, conditionIndex: null });
    expect(together!.message).toContain('No single known experiment');
  });

  it('warns about a probe metric when no experiment records it, and knows nothing without experiments', () => {
    const p = prediction({ metric: 'pTest', comparison: '>', threshold: 10 });
    expect(checkPredictions([p], known('grokking-mlp'))[0]!.message).toContain('records effective parameters on test (p_test)');
    expect(checkPredictions([p], known('double-descent'))).toEqual([]);
    expect(checkPredictions([prediction({ when: [{ field: 'x', op: '=', value: 1 }] })], [])).toEqual([]);
  });
});

describe('runs trained elsewhere', () => {
  it('reads fields off stored configs: every key of any run, nested as paths, typed by the values seen', () => {
    const fields = fieldsFromConfigs([
      { weight_decay: 0.1, seed: 1, optimizer: { name: 'adam', betas: [0.9, 0.98] } },
      { weight_decay: 1, seed: '2', amp: true },
    ]);
    expect(Object.fromEntries(fields.map((f) => [f.key, f.type]))).toEqual({
      weight_decay: 'number',
      seed: 'mixed',
      'optimizer.name': 'string',
      'optimizer.betas': 'mixed',
      amp: 'boolean',
    });
  });

  it('nothing rules out a condition on a field whose runs stored values of different types', () => {
    const script: KnownExperiment[] = [{ key: 'train.py', fields: fieldsFromConfigs([{ seed: 1 }, { seed: 'a' }]) }];
    expect(checkPredictions([prediction({ metric: 'x', when: [{ field: 'seed', op: '=', value: 'a' }] })], script)).toEqual([]);
    expect(checkPredictions([prediction({ metric: 'x', when: [{ field: 'seed', op: '>', value: 0 }] })], script)).toEqual([]);
  });

  it('warns about a metric no run records, suggesting the closest recorded (or built-in, where built-ins run) name', () => {
    const script: KnownExperiment[] = [{ key: 'train.py', fields: [] }];
    const recorded = { recorded: ['test_acc', 'loss/train'], builtins: false };
    expect(checkPredictions([prediction({ metric: 'test_acc' })], script, recorded)).toEqual([]);
    expect(checkPredictions([prediction({ metric: 'TestAcc' })], script, recorded)[0]).toMatchObject({ conditionIndex: null, suggestion: 'test_acc' });
    expect(checkPredictions([prediction({ metric: 'loss_train' })], script, recorded)[0]).toMatchObject({ suggestion: 'loss/train' });
    // Where built-in experiments run, their metrics need no recorded run yet; a near-miss of one is suggested.
    const mixed = { recorded: ['test_acc'], builtins: true };
    expect(checkPredictions([prediction({ metric: 'primeCount' })], known('grokking-mlp'), mixed)).toEqual([]);
    expect(checkPredictions([prediction({ metric: 'primeCont' })], known('grokking-mlp'), mixed)[0]).toMatchObject({ suggestion: 'primeCount' });
  });
});
