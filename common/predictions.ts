import {
  describeCondition,
  describePrediction,
  describeReadAt,
  emptyTally,
  opSymbol,
  type Comparison,
  type Condition,
  type Prediction,
  type PredictionResult,
  type ReadAt,
  type Verdict,
  type VerdictTally,
} from '../contract/hypotheses';
import { metricLabel } from '../contract/metrics';
import type { RunStatus } from '../contract/runs';

/** What deciding a prediction needs to know about a run. */
export interface RunFacts {
  id: string;
  status: RunStatus;
  stepsTotal: number;
  config: Record<string, unknown>;
  /** The metric's stored series, steps ascending; null values stand for non-finite ones. */
  series: { steps: readonly number[]; values: readonly (number | null)[] } | null;
}

const ACTIVE: readonly RunStatus[] = ['queued', 'running'];

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
  }
}

/** Reads a dotted config path ("optimizer.lr"); undefined when absent. */
function configValue(config: Record<string, unknown>, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function conditionHolds(c: Condition, config: Record<string, unknown>): { met: boolean; actual: unknown } {
  const actual = configValue(config, c.field);
  if (actual === undefined) return { met: false, actual };
  if (c.op === '=' || c.op === '!=') {
    const equal = typeof actual === 'number' && typeof c.value === 'number' ? actual === c.value : actual === c.value;
    return { met: c.op === '=' ? equal : !equal, actual };
  }
  if (typeof actual !== 'number' || typeof c.value !== 'number') return { met: false, actual };
  return { met: compare(actual, c.op, c.value), actual };
}

export const formatNumber = (v: number): string =>
  Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(4))) : v.toExponential(3);

type Reading = { value: number; step: number } | { reason: string; value?: number; step?: number };

function endedWord(status: RunStatus): string {
  return status === 'done' ? 'finished' : status;
}

/** The value the prediction is about, or why it cannot be read (yet). */
function readValue(at: ReadAt, comparison: Comparison, threshold: number, run: RunFacts): Reading {
  const s = run.series;
  const points: { step: number; value: number | null }[] = s ? s.steps.map((step, i) => ({ step, value: s.values[i] ?? null })) : [];
  if (points.length === 0) {
    return { reason: ACTIVE.includes(run.status) ? 'the run has not recorded this metric yet' : 'the run recorded no values of this metric' };
  }
  const last = points[points.length - 1]!;
  if (at.kind === 'step') {
    const reached = last.step >= at.step || (run.status === 'done' && run.stepsTotal >= at.step);
    if (!reached) {
      return {
        reason: ACTIVE.includes(run.status)
          ? `the run has reached step ${last.step} of ${at.step}`
          : `the run ${endedWord(run.status)} at step ${last.step}, before step ${at.step}`,
      };
    }
    const before = points.filter((p) => p.step <= at.step).at(-1);
    if (!before) return { reason: `no evaluation at or before step ${at.step}` };
    if (before.value === null) return { reason: `the value at step ${before.step} was not finite`, step: before.step };
    return { value: before.value, step: before.step };
  }
  if (at.kind === 'final') {
    if (run.status !== 'done') return { reason: ACTIVE.includes(run.status) ? 'the run is still going' : `the run ${endedWord(run.status)} before its end` };
    if (last.value === null) return { reason: `the final value (step ${last.step}) was not finite`, step: last.step };
    return { value: last.value, step: last.step };
  }
  // max / min over the finite values so far
  let best: { value: number; step: number } | null = null;
  for (const p of points) {
    if (p.value === null) continue;
    if (!best || (at.kind === 'max' ? p.value > best.value : p.value < best.value)) best = { value: p.value, step: p.step };
  }
  if (!best) return { reason: 'the run recorded no finite values of this metric' };
  if (run.status === 'done') return best;
  // An unfinished run can still decide it when no later value could change the outcome:
  // a max only grows and a min only shrinks.
  const holds = compare(best.value, comparison, threshold);
  const grows = at.kind === 'max';
  const lowerBound = comparison === '>' || comparison === '>=';
  if ((grows && lowerBound && holds) || (grows && !lowerBound && !holds) || (!grows && !lowerBound && holds) || (!grows && lowerBound && !holds)) {
    return best;
  }
  return {
    reason: `so far ${formatNumber(best.value)} at step ${best.step}, and the run ${ACTIVE.includes(run.status) ? 'is still going' : `${endedWord(run.status)} before its end`}`,
    ...best,
  };
}

/** Decides one prediction on one run: supported, refuted, or inconclusive, with the numbers. */
export function evaluatePrediction(p: Prediction, predictionIndex: number, run: RunFacts): PredictionResult {
  const checks = p.when.map((c) => ({ c, ...conditionHolds(c, run.config) }));
  const conditionMet = checks.every((k) => k.met);
  const outside = checks
    .filter((k) => !k.met)
    .map((k) => (k.actual === undefined ? `its config has no ${k.c.field}` : `${k.c.field} = ${JSON.stringify(k.actual)}`));
  const scopeNote = conditionMet ? '' : ` (outside the prediction's condition ${p.when.map(describeCondition).join(' and ')}: ${outside.join(', ')})`;

  const reading = readValue(p.at, p.comparison, p.threshold, run);
  const what = `${metricLabel(p.metric)} ${describeReadAt(p.at)}`;
  if (!('value' in reading) || 'reason' in reading) {
    const r = reading as { reason: string; value?: number; step?: number };
    return {
      predictionIndex,
      runId: run.id,
      verdict: 'inconclusive',
      value: r.value ?? null,
      step: r.step ?? null,
      conditionMet,
      explanation: `Inconclusive: ${r.reason}${scopeNote}.`,
    };
  }
  const holds = compare(reading.value, p.comparison, p.threshold);
  const verdict: Verdict = holds ? 'supported' : 'refuted';
  const where = p.at.kind === 'step' && reading.step !== p.at.step ? ` (last evaluation before it: step ${reading.step})` : p.at.kind === 'step' ? '' : ` (step ${reading.step})`;
  const relation = holds ? opSymbol(p.comparison) : `, not ${opSymbol(p.comparison)}`;
  return {
    predictionIndex,
    runId: run.id,
    verdict,
    value: reading.value,
    step: reading.step,
    conditionMet,
    explanation: `${holds ? 'Supported' : 'Refuted'}: ${what} = ${formatNumber(reading.value)}${where}${holds ? ` ${relation}` : relation} ${formatNumber(p.threshold)}${scopeNote}.`,
  };
}

/**
 * Counts verdicts for the headline: only results on runs inside the prediction's condition are
 * supported/refuted/inconclusive; the rest are counted as `outside` (a run outside the stated
 * setting is no test of the claim, whatever its numbers say).
 */
export function tallyVerdicts(results: readonly PredictionResult[]): VerdictTally {
  const tally = emptyTally();
  for (const r of results) {
    if (r.conditionMet) tally[r.verdict] += 1;
    else tally.outside += 1;
  }
  return tally;
}

export { describePrediction };
