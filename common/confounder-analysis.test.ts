import { describe, expect, it } from 'vitest';
import { verdictText } from './confounder-analysis';

const iv = (r: number, low = r - 0.1, high = r + 0.1) => ({ r, low, high });

describe('verdictText', () => {
  const candidate = { name: 'prime-parameter count', role: 'candidate' as const, spearman: iv(0.59), partials: [{ given: ['log L2 norm'], ...iv(0.73) }] };
  const placebo = { name: 'tail count', role: 'placebo' as const, spearman: iv(0.59), partials: [] };

  it('says plainly when the candidate is the same number as the placebo', () => {
    const text = verdictText([candidate, placebo], [{ placebo: 'tail count', sharedVariance: 1, differing: 0, ...iv(Number.NaN, Number.NaN, Number.NaN) }], 'test error', 16, 2, 'runs');
    expect(text).toContain('equals the tail count on every one of the 16 runs');
    expect(text).toContain('Controlling for log L2 norm does not remove it');
    expect(text).toContain('does not carry information beyond what already explains the data');
  });

  it('credits a candidate that keeps its correlation beyond the controls and the placebo', () => {
    const text = verdictText([candidate, { ...placebo, spearman: iv(0.1, -0.1, 0.3) }], [{ placebo: 'tail count', sharedVariance: 0.1, differing: 16, ...iv(0.55, 0.4, 0.7) }], 'test error', 16, 2, 'runs');
    expect(text).toContain('still carries r = 0.55');
    expect(text).toContain('carries information about test error beyond the controls and placebos tested');
  });

  it('leaves out a placebo that does not vary instead of crediting the candidate beyond it', () => {
    const flat = { ...placebo, spearman: iv(Number.NaN, Number.NaN, Number.NaN) };
    const text = verdictText([candidate, flat], [{ placebo: 'tail count', sharedVariance: 0, differing: 28, ...iv(0.59) }], 'test error', 28, 2, 'runs');
    expect(text).toContain('The placebo tail count does not vary across these runs, so it cannot serve as a comparison here.');
    expect(text).not.toContain('undefined');
    expect(text).not.toContain('Given the tail count');
  });

  it('reports a candidate that does not vary', () => {
    expect(verdictText([{ ...candidate, spearman: iv(Number.NaN) }], [], 'test error', 40, 3, 'evaluations')).toContain('does not vary');
  });
});
