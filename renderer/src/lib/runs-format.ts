import type { RunStatus, RunSummary } from '../../../contract/runs';
import { splitMetricName } from './metric-panels';

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 90) return `${m} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function metric(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(2) : value.toFixed(digits);
}

export const STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  diverged: 'Diverged',
  interrupted: 'Interrupted',
};

export const isActive = (s: RunStatus) => s === 'queued' || s === 'running';

/**
 * A run's last train or test accuracy for the runs table: trainAcc / testAcc for Phenobook's own,
 * whatever the script called it (train_acc, accuracy/test, testAccuracy) for an external run.
 */
export function finalAccuracy(run: Pick<RunSummary, 'source' | 'final'>, split: 'train' | 'test'): number | null | undefined {
  if (run.source === 'phenobook') return run.final[`${split}Acc`];
  const key = Object.keys(run.final).find((name) => {
    const parsed = splitMetricName(name);
    return parsed.split === split && ['acc', 'accuracy'].includes(parsed.quantity);
  });
  return key === undefined ? undefined : run.final[key];
}
