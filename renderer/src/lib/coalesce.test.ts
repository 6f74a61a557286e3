import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesce } from './coalesce';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('coalesce', () => {
  it('runs once per burst, after the delay, and not at all once cancelled', () => {
    const fn = vi.fn();
    const later = coalesce(fn, 100);
    later();
    later();
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    later();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    later();
    later.cancel();
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('starts a new burst after a cancel', () => {
    const fn = vi.fn();
    const later = coalesce(fn, 100);
    later();
    later.cancel();
    later();
    vi.advanceTimersByTime(100);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
