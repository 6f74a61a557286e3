import { describe, expect, it } from 'vitest';
import { parseMetricLine } from './metric-line';

describe('parseMetricLine', () => {
  it('reads a point: numbers are metrics, null is a non-finite value, text is ignored', () => {
    expect(parseMetricLine('{"step": 100, "train_loss": 0.31, "test_acc": 0.52, "phase": "warmup", "lr": null}')).toEqual({
      kind: 'point',
      point: { step: 100, values: { train_loss: 0.31, test_acc: 0.52, lr: Number.NaN } },
    });
  });

  it('reads what Python json.dumps writes for a diverged loss (bare NaN, Infinity)', () => {
    const line = parseMetricLine('{"step": 7, "loss": NaN, "grad": -Infinity, "acc": 0.5}');
    expect(line).toEqual({ kind: 'point', point: { step: 7, values: { loss: Number.NaN, grad: Number.NaN, acc: 0.5 } } });
  });

  it('ignores a metric named __proto__ and leaves the prototype alone', () => {
    const line = parseMetricLine('{"step": 1, "__proto__": 5, "loss": 1}');
    expect(line).toEqual({ kind: 'point', point: { step: 1, values: { loss: 1 } } });
    expect(Object.getPrototypeOf((line as { point: { values: object } }).point.values)).toBe(Object.prototype);
  });

  it('reads a config line', () => {
    expect(parseMetricLine('  {"config": {"lr": 0.01, "seed": 3}}  ')).toEqual({ kind: 'config', config: { lr: 0.01, seed: 3 } });
  });

  it('leaves everything else to the script: text, arrays, no step, fractional or negative steps, step as text', () => {
    for (const line of [
      'epoch 3: loss 0.2',
      '',
      '[1, 2]',
      '{"loss": 0.3}',
      '{"step": 1.5, "loss": 0.3}',
      '{"step": -1, "loss": 0.3}',
      '{"step": "10", "loss": 0.3}',
      '{"step": 10, "loss": 0.3',
      '{"config": {"lr": 1}, "note": "x"}',
      '{"config": [1]}',
    ]) {
      expect(parseMetricLine(line)).toEqual({ kind: 'other' });
    }
  });
});
