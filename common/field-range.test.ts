import { describe, expect, it } from 'vitest';
import { describeFieldRange } from './field-range';

describe('describeFieldRange', () => {
  it('reads bounds as a person would', () => {
    expect(describeFieldRange({ key: 'p', type: 'integer', description: '', minimum: 2, maximum: 400 })).toBe('integer, ≥ 2, ≤ 400');
    expect(describeFieldRange({ key: 'f', type: 'number', description: '', exclusiveMinimum: 0, exclusiveMaximum: 1 })).toBe('number, > 0, < 1');
    expect(describeFieldRange({ key: 'x', type: 'number', description: '' })).toBe('number');
    expect(describeFieldRange({ key: 'loss', type: 'string', description: '', options: ['cross-entropy', 'mse'] })).toBe('one of cross-entropy, mse');
    expect(describeFieldRange({ key: 'probe', type: 'boolean', description: '' })).toBe('true or false');
  });
});
