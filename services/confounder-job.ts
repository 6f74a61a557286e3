import { CANDIDATE_LABELS, PLACEBOS, type ConfounderReport, type ConfounderTest } from '../contract/confounders';
import { metricLabel } from '../contract/metrics';
import { analyseConfounders, controlAvailable, valueOf, type Observation } from '../common/confounder-analysis';
import type { RunRow, RunsRepo } from '../db/runs.repo';
import type { SweepsRepo } from '../db/sweeps.repo';
import type { ExperimentDefinition } from '../experiments/types';
import { notFound, ServiceError } from './errors';
import { compileMetricExpression } from './metric-expression';

/**
 * The confounder test's computation: observations read from the notebook, the candidate checked
 * and compiled, the analysis. It runs on the off-thread worker (over the worker's own connection)
 * and, where there is no worker, in-thread; the service stores what it returns.
 */

export interface ObserveDeps {
  runsRepo: RunsRepo;
  sweeps: SweepsRepo;
  definition(experiment: string): ExperimentDefinition | undefined;
}

export interface ComputedConfounderTest {
  report: ConfounderReport;
  candidateName: string;
  source: string;
}

/** Evaluations per run kept for the test (evenly thinned): the bootstrap stays interactive. */
const MAX_EVALS_PER_RUN = 200;
const MAX_OBSERVATIONS = 1200;

export function computeConfounderTest(d: ObserveDeps, input: ConfounderTest['settings']): ComputedConfounderTest {
  const { observations, level, xLabel, source } = observe(d, input);
  if (observations.length < 4) {
    throw new ServiceError('invalid_input', `Only ${observations.length} finished observations: the test needs at least 4 (finish more runs first)`, [
      { path: input.sweepId ? 'sweepId' : 'runIds', message: 'Too few finished runs' },
    ]);
  }
  const recorded = [...new Set(observations.flatMap((o) => Object.keys(o.values)))];
  const byName = (metric: string) => (o: Observation) => valueOf(o.values, metric) ?? null;
  // A recorded metric the runs never wrote would make every observation missing: say which names they have.
  const requireRecorded = (metric: string, path: string) => {
    if (recorded.includes(metric)) return;
    throw new ServiceError('invalid_input', `None of these runs recorded “${metric}” (they recorded: ${recorded.join(', ') || 'nothing'})`, [
      { path, message: 'Not recorded by these runs' },
    ]);
  };
  requireRecorded(input.outcome, 'outcome');
  const candidate =
    input.candidate.kind === 'builtin'
      ? { name: CANDIDATE_LABELS[input.candidate.metric], value: byName(input.candidate.metric) }
      : input.candidate.kind === 'metric'
        ? (requireRecorded(input.candidate.metric, 'candidate.metric'), { name: metricLabel(input.candidate.metric), value: byName(input.candidate.metric) })
        : (() => {
            const e = compileMetricExpression(input.candidate.expression, recorded);
            return { name: `${input.candidate.name} (${e.source})`, value: (o: Observation) => e.evaluate(o.values) };
          })();
  const candidateMetric = input.candidate.kind === 'expression' ? null : input.candidate.metric;
  const placebos = PLACEBOS.filter((p) => p !== candidateMetric && recorded.includes(p)).map((p) => ({ name: CANDIDATE_LABELS[p], value: byName(p) }));
  // Runs trained elsewhere rarely record an L2 norm or a parameter count: such a control is left out, and the verdict says so.
  const controls = input.controls.filter((c) => controlAvailable(c, observations));
  const report = analyseConfounders({
    observations,
    level,
    xLabel,
    outcome: input.outcome,
    candidate,
    placebos,
    controls,
    unavailableControls: input.controls.filter((c) => !controls.includes(c)),
    resamples: input.resamples,
    seed: input.seed,
  });
  return { report, candidateName: candidate.name, source };
}

/** Observations: per finished run of a sweep (final values), or per evaluation of each run. */
function observe(d: ObserveDeps, input: ConfounderTest['settings']): { observations: Observation[]; level: 'runs' | 'evaluations'; xLabel: string; source: string } {
  const withParameters = (row: RunRow, values: Record<string, number | null>) => {
    const def = d.definition(row.experiment);
    const out: Record<string, number | null> = { ...values };
    if (typeof values.testAcc === 'number') out.testError = 1 - values.testAcc;
    if (def?.parameterCount) out.parameters = def.parameterCount(JSON.parse(row.config));
    return out;
  };
  if (input.sweepId) {
    const sweep = d.sweeps.get(input.sweepId);
    if (!sweep || sweep.projectId !== input.projectId) throw notFound('Sweep', input.sweepId);
    const rows = d.runsRepo.bySweep(sweep.id).filter((r) => r.status === 'done');
    const summaries = d.runsRepo.summaries(rows);
    const xKey = sweep.grid[0]?.key;
    const observations = rows.map((row, i) => {
      const point = JSON.parse(row.sweep_point ?? '{}') as Record<string, unknown>;
      return { group: `seed ${row.seed}`, x: typeof point[xKey ?? ''] === 'number' ? (point[xKey!] as number) : i, values: withParameters(row, summaries[i]!.final) };
    });
    return { observations, level: 'runs', xLabel: xKey ?? 'run', source: `sweep ${sweep.id.slice(0, 8)} (${sweep.experiment})` };
  }
  const ids = [...new Set(input.runIds ?? [])];
  const rows = ids.map((id) => {
    const row = d.runsRepo.getRow(id);
    if (!row || row.project_id !== input.projectId) {
      throw new ServiceError('invalid_input', `Run ${id.slice(0, 8)} is not a run of this project`, [{ path: 'runIds', message: 'Not a run of this project' }]);
    }
    return row;
  });
  if (input.per === 'run') {
    // One observation per finished run, its final values: e.g. scripts logged across a hyperparameter.
    const done = rows.filter((r) => r.status === 'done');
    const summaries = d.runsRepo.summaries(done);
    const observations = done.map((row, i) => ({ group: `seed ${row.seed}`, x: i, values: withParameters(row, summaries[i]!.final) }));
    return { observations, level: 'runs', xLabel: 'run', source: `${done.length} runs (final values)` };
  }
  const observations: Observation[] = [];
  const perRun = Math.max(10, Math.min(MAX_EVALS_PER_RUN, Math.floor(MAX_OBSERVATIONS / Math.max(1, ids.length))));
  for (const row of rows) {
    const id = row.id;
    const series = d.runsRepo.series(id);
    const steps = [...new Set(series.flatMap((s) => s.steps))].sort((a, b) => a - b);
    const stride = Math.max(1, Math.ceil(steps.length / perRun));
    const at = series.map((s) => ({ name: s.name, byStep: new Map(s.steps.map((step, i) => [step, s.values[i] ?? null])) }));
    steps.forEach((step, i) => {
      if (i % stride !== 0 && i !== steps.length - 1) return;
      const values = Object.fromEntries(at.map((s) => [s.name, s.byStep.get(step) ?? null]));
      observations.push({ group: `run ${id.slice(0, 8)} (seed ${row.seed})`, x: step, values: withParameters(row, values) });
    });
  }
  return { observations, level: 'evaluations', xLabel: 'step', source: `${ids.length} runs` };
}
