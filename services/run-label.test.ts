import { describe, expect, it } from 'vitest';
import { distinguishingConfig } from '../common/config-diff';
import { EXPERIMENTS } from '../experiments/registry';
import { configDescriber, summaryLabel } from './run-label';

const describe_ = configDescriber(EXPERIMENTS);
const label = (experiment: string, preset: string | null, config: Record<string, unknown>, sweepKeys: string[] = []) =>
  summaryLabel({ experiment, preset, seed: Number(config.seed ?? 0) }, describe_(experiment, preset, config, sweepKeys));

describe('run labels', () => {
  it("names a sweep's knob even where its value equals the preset's default", () => {
    // The cheap preset's width is 16: a width sweep's run at 16 still says so.
    expect(label('double-descent', 'cheap', { width: 16, seed: 0 }, ['width'])).toBe('double-descent · cheap · width 16 · seed 0');
    expect(label('double-descent', 'cheap', { width: 8, seed: 1 }, ['width'])).toBe('double-descent · cheap · width 8 · seed 1');
    // Outside a sweep a default value stays out of the label.
    expect(label('double-descent', 'cheap', { width: 16, seed: 0 })).toBe('double-descent · cheap · seed 0');
  });

  it("names every knob of an experiment this build does not know (no defaults to compare with)", () => {
    expect(label('my-experiment', null, { depth: 3, lr: 0.1, seed: 0 })).toBe('my-experiment · depth 3 · lr 0.1 · seed 0');
    expect(label('my-experiment', null, { depth: 4, lr: 0.1, seed: 0 })).toBe('my-experiment · depth 4 · lr 0.1 · seed 0');
  });
});

describe('distinguishingConfig', () => {
  it('gives each run the fields that differ from the other runs of its experiment, seed left out', () => {
    const runs = [
      { id: 'a', experiment: 'double-descent', config: { width: 16, lr: 0.01, seed: 0 } },
      { id: 'b', experiment: 'double-descent', config: { width: 8, lr: 0.01, seed: 1 } },
      { id: 'c', experiment: 'grokking-mlp', config: { weightDecay: 0, seed: 0 } },
    ];
    expect(distinguishingConfig(runs)).toEqual(
      new Map([
        ['a', 'width 16'],
        ['b', 'width 8'],
        ['c', ''],
      ]),
    );
  });
});
