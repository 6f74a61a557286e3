/**
 * The metrics runs record, with the words the notebook uses for them. Predictions name metrics
 * from this list, so a typo is rejected when the hypothesis is written, not when a run is linked.
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
