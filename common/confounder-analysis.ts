import { CONTROL_LABELS, outcomeLabel, type ConfounderReport, type Control, type Interval, type MetricResult, type Outcome } from '../contract/confounders';
import { groupedBootstrap } from './stats/bootstrap';
import { partialSpearman } from './stats/correlation';

/** One observation: a run's final values (across a sweep) or one evaluation of a run. */
export interface Observation {
  group: string;
  x: number;
  values: Record<string, number | null | undefined>;
}

export interface AnalysisInput {
  observations: Observation[];
  level: ConfounderReport['level'];
  xLabel: string;
  outcome: Outcome;
  candidate: { name: string; value: (o: Observation) => number | null };
  placebos: { name: string; value: (o: Observation) => number | null }[];
  controls: Control[];
  /** Controls asked for that the observations do not record (left out of `controls`): the verdict says so. */
  unavailableControls?: Control[];
  resamples: number;
  seed: number;
}

/** What each control is computed from, for saying why it was unavailable. */
const CONTROL_SOURCES: Record<Control, string> = { logL2: 'the parameter L2 norm (l2)', logParameters: 'a parameter count', tailCount: 'the tail count (tailCount)' };

/** A value read by name, own properties only (metric names come from the runs). */
export const valueOf = (values: Observation['values'], name: string): number | null | undefined => (Object.hasOwn(values, name) ? values[name] : undefined);

/** A control can be used when at least one observation records what it is computed from. */
export const controlAvailable = (control: Control, observations: readonly Observation[]): boolean =>
  observations.some((o) => Number.isFinite(controlValue(control, o.values)));

const finite = (v: number | null | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);

/** A control's value for an observation (logs of magnitudes; NaN when not recorded). */
export function controlValue(control: Control, values: Observation['values']): number {
  if (control === 'logL2') return Math.log(finite(values.l2));
  if (control === 'logParameters') return Math.log(finite(values.parameters));
  return finite(values.tailCount);
}

/**
 * The confounder test on observations: Spearman r(M, Y) and partial correlations given each
 * control and all together, each with a seed-grouped bootstrap interval; the same for every
 * placebo; and what the candidate adds beyond each placebo. The verdict says it in words.
 */
export function analyseConfounders(input: AnalysisInput): ConfounderReport {
  const { observations: obs, outcome } = input;
  const y = obs.map((o) => finite(valueOf(o.values, outcome)));
  const controlColumns = input.controls.map((c) => obs.map((o) => controlValue(c, o.values)));
  const group = (i: number) => obs[i]!.group;
  const indices = obs.map((_, i) => i);

  const interval = (m: number[], ctrl: number[][]): Interval => {
    const stat = (sample: number[]) =>
      partialSpearman(
        sample.map((i) => m[i]!),
        sample.map((i) => y[i]!),
        ctrl.map((c) => sample.map((i) => c[i]!)),
      ).r;
    const b = groupedBootstrap(indices, (i) => group(i), stat, { resamples: input.resamples, seed: input.seed });
    return { r: b.estimate, low: b.low, high: b.high };
  };

  const measure = (name: string, role: MetricResult['role'], value: (o: Observation) => number | null): MetricResult & { column: number[] } => {
    const column = obs.map((o) => finite(value(o)));
    const partials = input.controls.map((c, i) => ({ given: [CONTROL_LABELS[c]], ...interval(column, [controlColumns[i]!]) }));
    if (input.controls.length > 1) partials.push({ given: input.controls.map((c) => CONTROL_LABELS[c]), ...interval(column, controlColumns) });
    return { name, role, spearman: interval(column, []), partials, column };
  };

  const candidate = measure(input.candidate.name, 'candidate', input.candidate.value);
  const placebos = input.placebos.map((p) => measure(p.name, 'placebo', p.value));
  const beyondPlacebos = placebos.map((p) => {
    const shared = partialSpearman(candidate.column, p.column, []).r;
    const differing = candidate.column.filter((v, i) => Number.isFinite(v) && Number.isFinite(p.column[i]!) && v !== p.column[i]).length;
    return { placebo: p.name, sharedVariance: Number.isFinite(shared) ? shared * shared : 0, differing, ...interval(candidate.column, [p.column]) };
  });

  const residuals = partialSpearman(candidate.column, y, controlColumns);
  const points = residuals.rows.map((row, j) => ({
    x: obs[row]!.x,
    group: obs[row]!.group,
    m: candidate.column[row]!,
    y: y[row]!,
    residualM: residuals.residualsX[j]!,
    residualY: residuals.residualsY[j]!,
  }));
  const groups = new Set(obs.map((o) => o.group)).size;
  const results = [candidate, ...placebos].map(({ column: _c, ...r }) => r);
  return {
    level: input.level,
    observations: residuals.n,
    groups,
    outcome,
    resamples: input.resamples,
    results,
    beyondPlacebos,
    verdict: [
      ...(input.unavailableControls ?? []).map(
        (c) => `The control ${CONTROL_LABELS[c]} was unavailable: these runs recorded no ${CONTROL_SOURCES[c]}, so it was left out.`,
      ),
      verdictText(results, beyondPlacebos, outcomeLabel(outcome), residuals.n, groups, input.level),
    ].join(' '),
    ...(input.unavailableControls?.length ? { unavailableControls: input.unavailableControls.map((c) => CONTROL_LABELS[c]) } : {}),
    points,
    xLabel: input.xLabel,
  };
}

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) < 0.005 ? '0.00' : v.toFixed(2)) : 'undefined');
const ci = (i: Interval) => `r = ${fmt(i.r)}, 95% interval ${fmt(i.low)} to ${fmt(i.high)}`;
/** Small, or not distinguishable from zero. */
const negligible = (i: Interval) => !Number.isFinite(i.r) || Math.abs(i.r) <= 0.2 || (i.low <= 0 && i.high >= 0);
const small = (i: Interval) => Number.isFinite(i.r) && Math.abs(i.r) <= 0.2;
/** The candidate is (almost) a function of the placebo: nothing independent is left to explain anything. */
const determined = (b: { sharedVariance: number }) => b.sharedVariance >= 0.95;

/** The result in plain words, as it reads in a checklist answer. */
export function verdictText(
  results: MetricResult[],
  beyond: (Interval & { placebo: string; sharedVariance: number; differing: number })[],
  outcome: string,
  n: number,
  groups: number,
  level: ConfounderReport['level'],
): string {
  const [c, ...placebos] = results;
  if (!c) return 'No observations to test.';
  const unit = level === 'runs' ? 'runs' : 'evaluations';
  const lines: string[] = [];
  if (!Number.isFinite(c.spearman.r)) {
    return `The ${c.name} does not vary (or there are too few observations: ${n} ${unit}), so it cannot explain ${outcome} here.`;
  }
  const strength = Math.abs(c.spearman.r) >= 0.5 ? 'tracks' : Math.abs(c.spearman.r) >= 0.3 ? 'weakly tracks' : 'barely tracks';
  lines.push(`The ${c.name} ${strength} ${outcome} (Spearman ${ci(c.spearman)}; ${n} ${unit} from ${groups} ${groups === 1 ? 'seed' : 'seeds'}).`);
  for (const p of c.partials) {
    lines.push(
      negligible(p)
        ? `Controlling for ${p.given.join(' and ')} removes it (${ci(p)}).`
        : `Controlling for ${p.given.join(' and ')} does not remove it (${ci(p)}).`,
    );
  }
  // A placebo that does not vary (e.g. no weight ever reaches 1.5) controls for nothing: say so and leave it out.
  const usable = placebos.map((p) => Number.isFinite(p.spearman.r));
  placebos.forEach((p, i) => {
    if (!usable[i]) {
      lines.push(`The placebo ${p.name} does not vary across these ${unit}, so it cannot serve as a comparison here.`);
      return;
    }
    const d = Math.abs(p.spearman.r) - Math.abs(c.spearman.r);
    const how = Math.abs(d) <= 0.1 ? 'just as well' : d > 0 ? 'better' : 'less well';
    lines.push(`The placebo ${p.name} — which knows nothing of what makes the candidate special — tracks ${outcome} ${how} (${ci(p.spearman)}).`);
    const b = beyond[i];
    if (b) {
      const pct = (100 * b.sharedVariance).toFixed(1);
      if (b.differing === 0) {
        lines.push(
          `Here the ${c.name} equals the ${p.name} on every one of the ${n} ${unit}: the two are the same number, so nothing is left of it to carry information beyond the ${p.name}.`,
        );
      } else if (determined(b)) {
        lines.push(
          `The ${c.name} is almost a function of the ${p.name}: ${pct}% of its rank variance is shared, and the two differ on only ${b.differing} of ${n} ${unit}. ` +
            `What is left of it given the ${p.name} (partial ${ci(b)}) rests on those few ${unit}${negligible(b) ? ' and is not distinguishable from zero' : ''}: ` +
            `there is no independent variation left to carry information beyond it.`,
        );
      } else if (small(b)) lines.push(`Given the ${p.name}, nothing of the ${c.name} is left (${ci(b)}): it adds no information beyond it.`);
      else if (negligible(b)) lines.push(`Given the ${p.name}, what is left of the ${c.name} is not distinguishable from zero (${ci(b)}).`);
      else lines.push(`Given the ${p.name}, the ${c.name} still carries ${ci(b)}: something beyond it.`);
    }
  });
  const explainedByPlacebo = placebos.some(
    (p, i) => usable[i] && Math.abs(Math.abs(p.spearman.r) - Math.abs(c.spearman.r)) <= 0.1 && beyond[i] && (negligible(beyond[i]) || determined(beyond[i])),
  );
  const usableBeyond = beyond.filter((_, i) => usable[i]);
  lines.push(
    explainedByPlacebo
      ? `Conclusion: the ${c.name} tracks ${outcome} only as far as parameter magnitude does; it does not carry information beyond what already explains the data.`
      : c.partials.every((p) => !negligible(p)) && usableBeyond.every((b) => !negligible(b))
        ? `Conclusion: the ${c.name} carries information about ${outcome} beyond the controls and placebos tested — worth a closer look, with more seeds and controls.`
        : `Conclusion: mixed — read the partial correlations above before relying on the ${c.name}.`,
  );
  return lines.join(' ');
}
