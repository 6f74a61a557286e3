import type { MetricSeries, RunDetail } from '../contract/runs';

/** The per-run JSON shape of `phenobook run --json` (docs/cli.md). */
export interface RunReport {
  runId: string;
  seed: number;
  status: RunDetail['status'];
  error: string | null;
  backend: string | null;
  gpu: boolean;
  steps: number;
  stepsPerSecond: number | null;
  wallSeconds: number | null;
  firstStepTrainAcc1: number | null;
  firstStepTestAcc90: number | null;
  firstStepTestAcc95: number | null;
  final: Record<string, number | null>;
}

/** The first evaluated step at which a metric reaches a threshold, or null. */
export function firstStepReaching(series: MetricSeries | undefined, threshold: number): number | null {
  if (!series) return null;
  for (let i = 0; i < series.steps.length; i++) {
    const v = series.values[i];
    if (v !== null && v !== undefined && v >= threshold) return series.steps[i]!;
  }
  return null;
}

export function runReport(run: RunDetail, series: MetricSeries[]): RunReport {
  const byName = new Map(series.map((s) => [s.name, s]));
  return {
    runId: run.id,
    seed: run.seed,
    status: run.status,
    error: run.error,
    backend: run.backend,
    gpu: run.gpu ?? false,
    steps: run.stepsDone,
    stepsPerSecond: run.trainSeconds ? run.stepsDone / run.trainSeconds : null,
    wallSeconds: run.wallSeconds,
    firstStepTrainAcc1: firstStepReaching(byName.get('trainAcc'), 1),
    firstStepTestAcc90: firstStepReaching(byName.get('testAcc'), 0.9),
    firstStepTestAcc95: firstStepReaching(byName.get('testAcc'), 0.95),
    final: run.final,
  };
}
