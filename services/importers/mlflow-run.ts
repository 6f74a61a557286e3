import { type ExternalRun, type ExternalSeries } from '../../common/external-run';
import { makeRun, numberOrText, SeriesCollector } from './series';

// What MLflow's two stores (the mlruns folder and the SQLite tracking database) have in common:
// a run is params, metric histories and tags; readers of each store build it here.

/** One logged metric value; MLflow keeps every one, with its timestamp (ms). */
export interface MlflowMetricPoint {
  key: string;
  step: number;
  timestamp: number;
  value: number | null;
}

/**
 * MLflow keeps every value logged, several per step when a step was logged twice; a series keeps
 * the one logged last (latest timestamp, then the later line or row).
 */
export function mlflowSeries(points: MlflowMetricPoint[]): Record<string, ExternalSeries> {
  const collector = new SeriesCollector();
  const ordered = points.map((p, i) => ({ p, i })).sort((a, b) => a.p.timestamp - b.p.timestamp || a.i - b.i);
  for (const { p } of ordered) collector.set(p.key, p.step, p.value);
  return collector.toSeries();
}

/** Params are text in MLflow; numbers come back as numbers ("0.01" → 0.01), the rest as text. */
export function mlflowConfig(params: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(params)
      .sort()
      .map((key) => [key, numberOrText(params[key]!)]),
  );
}

export function mlflowRun(fields: {
  runId: string;
  runName: string | undefined;
  experiment: string;
  origin: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  points: MlflowMetricPoint[];
}): ExternalRun {
  return makeRun({
    name: fields.runName || fields.tags['mlflow.runName'] || fields.runId,
    experiment: fields.experiment,
    source: 'mlflow',
    origin: fields.origin,
    config: mlflowConfig(fields.params),
    metrics: mlflowSeries(fields.points),
  });
}

/** The status words of MLflow's RunStatus enum, as the file store writes them (numbers). */
export const MLFLOW_STATUS: Record<string, string> = { '1': 'RUNNING', '2': 'SCHEDULED', '3': 'FINISHED', '4': 'FAILED', '5': 'KILLED' };
