import { describe, expect, it } from 'vitest';
import { compileMetricExpression } from './metric-expression';

const known = ['primeCount', 'tailCount', 'l2', 'testAcc'];

describe('compileMetricExpression', () => {
  it('evaluates arithmetic over recorded quantities', () => {
    const e = compileMetricExpression('primeCount / (tailCount + 1) + log(l2) - 2^2', known);
    expect(e.symbols.sort()).toEqual(['l2', 'primeCount', 'tailCount']);
    expect(e.evaluate({ primeCount: 6, tailCount: 2, l2: Math.E })).toBeCloseTo(6 / 3 + 1 - 4, 12);
    expect(e.evaluate({ primeCount: 6, tailCount: 2 })).toBeNull(); // l2 missing
    expect(compileMetricExpression('l2 / 0', known).evaluate({ l2: 1 })).toBeNull(); // not finite
    expect(compileMetricExpression('-max(l2, 3)', known).evaluate({ l2: 1 })).toBe(-3);
  });

  it.each([
    ['process.exit()', /not allowed|unknown quantity/],
    ['x = 1', /only numbers/],
    ['f(x) = x', /only numbers/],
    ['import("fs")', /not allowed/],
    ['evaluate("1")', /not allowed/],
    ['l2.constructor', /only numbers|cannot be read/],
    ['[1, 2]', /only numbers/],
    ['"text"', /only numbers/],
    ['weights', /unknown quantity "weights"/],
    ['l2 +', /cannot be read/],
    ['l2 > 1', /not allowed/],
  ])('rejects %s', (source, message) => {
    expect(() => compileMetricExpression(source, known)).toThrow(message);
  });

  it('reads metric names runs trained elsewhere recorded, own values only', () => {
    const e = compileMetricExpression('log(grad_norm) + val_loss', ['grad_norm', 'val_loss']);
    expect(e.symbols.sort()).toEqual(['grad_norm', 'val_loss']);
    expect(e.evaluate({ grad_norm: Math.E, val_loss: 0.5 })).toBeCloseTo(1.5, 12);
    // A value inherited through the prototype chain is not the run's: missing, not read.
    expect(e.evaluate(Object.create({ grad_norm: Math.E, val_loss: 0.5 }) as Record<string, number>)).toBeNull();
    // A quantity only some runs recorded: missing where absent.
    expect(e.evaluate({ grad_norm: 1 })).toBeNull();
  });

  it('never reads an Object.prototype member, even when a run recorded a metric by that name', () => {
    const e = compileMetricExpression('constructor + 1', ['constructor']);
    expect(e.evaluate({})).toBeNull();
    expect(e.evaluate({ constructor: 2 })).toBe(3);
  });
});
