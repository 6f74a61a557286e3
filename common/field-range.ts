import type { ExperimentField } from '../contract/runs';

/** "integer, ≥ 1, ≤ 4096": a knob's type and bounds as people read them (form hints, CLI help). */
export function describeFieldRange(f: ExperimentField): string {
  if (f.options) return `one of ${f.options.join(', ')}`;
  if (f.type === 'boolean') return 'true or false';
  const lo = f.minimum !== undefined ? `≥ ${f.minimum}` : f.exclusiveMinimum !== undefined ? `> ${f.exclusiveMinimum}` : '';
  const hi = f.maximum !== undefined ? `≤ ${f.maximum}` : f.exclusiveMaximum !== undefined ? `< ${f.exclusiveMaximum}` : '';
  return [f.type === 'integer' ? 'integer' : f.type, lo, hi].filter(Boolean).join(', ');
}
