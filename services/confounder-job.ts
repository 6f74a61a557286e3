import { CANDIDATE_LABELS, type BuiltinCandidate, type ConfounderReport } from '../contract/confounders';
import { analyseConfounders, type Observation } from '../common/confounder-analysis';
import { compileMetricExpression } from './metric-expression';
import type { ConfounderJob } from './offthread-protocol';

/**
 * The confounder analysis of a job: candidate and placebos rebuilt from their names (or the
 * expression, compiled again against the recorded quantities), then analyseConfounders. Runs in
 * the off-thread worker; pure, so the same function runs in-thread where there is no worker.
 */
export function runConfounderJob(job: ConfounderJob): ConfounderReport {
  const { settings } = job;
  const byName = (metric: string) => (o: Observation) => o.values[metric] ?? null;
  const candidate =
    settings.candidate.kind === 'builtin'
      ? { name: CANDIDATE_LABELS[settings.candidate.metric], value: byName(settings.candidate.metric) }
      : (() => {
          const e = compileMetricExpression(settings.candidate.expression, job.recorded);
          return { name: `${settings.candidate.name} (${e.source})`, value: (o: Observation) => e.evaluate(o.values) };
        })();
  return analyseConfounders({
    observations: job.observations,
    level: job.level,
    xLabel: job.xLabel,
    outcome: settings.outcome,
    candidate,
    placebos: job.placebos.map((p) => ({ name: CANDIDATE_LABELS[p as BuiltinCandidate], value: byName(p) })),
    controls: settings.controls,
    resamples: settings.resamples,
    seed: settings.seed,
  });
}
