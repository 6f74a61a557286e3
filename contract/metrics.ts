import { cleanText } from './text';

/**
 * The metrics Phenobook's own runs record, with the words the notebook uses for them. Runs trained
 * elsewhere record names of their own (`test_acc`, `loss/train`); predictions and the confounder lab
 * accept those too, and the check (`hypotheses:check`) warns when no run of the project records one.
 */
export const METRICS = {
  testAcc: { label: 'test accuracy' },
  trainAcc: { label: 'train accuracy' },
  testLoss: { label: 'test loss' },
  trainLoss: { label: 'train loss' },
  l2: { label: 'parameter L2 norm' },
  primeCount: { label: 'prime-parameter count' },
  tailCount: { label: 'tail count #{|θ| ≥ 1.5}' },
  shiftedPrimeCount: { label: 'prime count on a shifted lattice' },
  pTrain: { label: 'effective parameters on train (p_train)' },
  pTest: { label: 'effective parameters on test (p_test)' },
  telescopeError: { label: 'telescoping model error (RMS)' },
  lazyError: { label: 'lazy linearisation error (RMS)' },
  smootherError: { label: 'smoother S·y + c error (RMS)' },
  telescopeMae: { label: 'telescoping model error (mean absolute, test points)' },
  lazyMae: { label: 'lazy linearisation error (mean absolute, test points)' },
  smootherMae: { label: 'smoother error (mean absolute, test points)' },
  probeMsPerStep: { label: 'telescoping probe time per step (ms)' },
  wallTime: { label: 'wall time (s)' },
} as const satisfies Record<string, { label: string }>;

export type MetricKey = keyof typeof METRICS;
export const METRIC_KEYS = Object.keys(METRICS) as [MetricKey, ...MetricKey[]];

export function metricLabel(key: string): string {
  return Object.hasOwn(METRICS, key) ? (METRICS as Record<string, { label: string }>)[key]!.label : key;
}

/**
 * Any metric name a run may have recorded, as the researcher wrote it: one line of at most 200
 * characters that does not read as a path. Lookups by such a name are own-property only; names of
 * Object.prototype members (`__proto__`, which an object cannot even hold as a key, `constructor`,
 * `toString`…) are refused all the same, so that none can reach a prototype through a lookup
 * written without that care.
 */
export const MetricNameSchema = cleanText({ label: 'Metric', max: 200, min: 1 }).refine(
  (s) => !(s in Object.prototype) && s !== 'prototype' && !/^[./]|(^|\/)\.\.(\/|$)|\\/.test(s),
  { error: 'Metric must be a metric name (not __proto__, constructor or another Object.prototype member; not a path: no leading . or /, no .. segment, no backslash)' },
);

export const isBuiltinMetric = (name: string): boolean => Object.hasOwn(METRICS, name);
