/**
 * zod fields with bounded-range messages that name the field ("width must be an integer from 1 to
 * 2048"), shared by every experiment's config schema so their messages read alike everywhere
 * (UI, API, CLI).
 */
import { z } from 'zod';

export const MAX_SEED = 4_294_967_295;

export function intField(name: string, min: number, max: number) {
  const message = `${name} must be an integer from ${min} to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** A real number in (min, max] when `minExclusive`, else [min, max]. */
export function realField(name: string, min: number, max: number, minExclusive: boolean) {
  const message = minExclusive
    ? `${name} must be a number greater than ${min} and at most ${max}`
    : `${name} must be a number from ${min} to ${max}`;
  const base = z.number({ error: message });
  return (minExclusive ? base.gt(min, { error: message }) : base.min(min, { error: message })).max(max, { error: message });
}

/** A real number in [min, max). */
export function realFieldBelow(name: string, min: number, max: number) {
  const message = `${name} must be a number from ${min} to below ${max}`;
  return z.number({ error: message }).min(min, { error: message }).lt(max, { error: message });
}

/** A real number strictly between min and max. */
export function realFieldOpen(name: string, min: number, max: number) {
  const message = `${name} must be a number strictly between ${min} and ${max}`;
  return z.number({ error: message }).gt(min, { error: message }).lt(max, { error: message });
}
