import { describe, expect, it } from 'vitest';
import { Pace } from './progress-pace';

describe('Pace', () => {
  it('says nothing until a few steps over a second are measured, then gives an ETA that follows from the shown rate', () => {
    const pace = new Pace();
    // The trainer took 9 s to start; its first progress report comes at step 5.
    expect(pace.observe(5, 2000, 9)).toEqual({ stepsPerSecond: null, etaSeconds: null });
    expect(pace.observe(10, 2000, 9.2)).toEqual({ stepsPerSecond: null, etaSeconds: null }); // 5 steps: too few
    expect(pace.observe(40, 2000, 9.5)).toEqual({ stepsPerSecond: null, etaSeconds: null }); // 0.5 s: too short
    const r = pace.observe(61, 2000, 11); // 56 steps in 2 s
    expect(r.stepsPerSecond).toBeCloseTo(28, 12);
    expect(r.etaSeconds).toBeCloseTo((2000 - 61) / 28, 9);
    // The ETA is exactly what the shown rate implies: remaining steps / rate.
    expect(r.etaSeconds! * r.stepsPerSecond!).toBeCloseTo(2000 - 61, 9);
    expect(pace.observe(2000, 2000, 80).etaSeconds).toBe(0);
  });
});
