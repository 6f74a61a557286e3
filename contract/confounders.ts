import { z } from 'zod';
import { metricLabel, MetricNameSchema } from './metrics';
import { ProjectIdSchema } from './projects';
import { RunIdSchema } from './runs';
import { SweepIdSchema } from './sweeps';
import { cleanText } from './text';

/**
 * The confounder test of the position paper (Section 4, Figure 4): does a candidate explanation
 * M carry information about performance Y beyond what already explains it (parameter magnitude)?
 * Spearman r(M, Y), partial correlations given controls, seed-grouped bootstrap intervals, and
 * placebo metrics put through the same test.
 */

export const OUTCOMES = ['testError', 'testLoss', 'testAcc'] as const;
/** A built-in outcome, or any metric the runs recorded (a run trained elsewhere's `val_loss`). */
export type Outcome = (typeof OUTCOMES)[number] | (string & {});
const OUTCOME_WORDS: Record<(typeof OUTCOMES)[number], string> = { testError: 'test error', testLoss: 'test loss', testAcc: 'test accuracy' };
/** "test error" for the built-ins; a recorded metric's label (or its name as written). */
export const outcomeLabel = (o: string): string =>
  Object.hasOwn(OUTCOME_WORDS, o) ? OUTCOME_WORDS[o as (typeof OUTCOMES)[number]] : metricLabel(o);
export const BUILTIN_CANDIDATES = ['primeCount', 'tailCount', 'shiftedPrimeCount', 'pTrain', 'pTest', 'l2', 'parameters'] as const;
export type BuiltinCandidate = (typeof BUILTIN_CANDIDATES)[number];
/** Built-in candidates that are also run as placebos beside another candidate, when the runs recorded them. */
export const PLACEBOS = ['tailCount', 'shiftedPrimeCount'] as const satisfies readonly BuiltinCandidate[];

export const CANDIDATE_LABELS: Record<BuiltinCandidate, string> = {
  primeCount: 'prime-parameter count',
  tailCount: 'tail count #{|θ| ≥ 1.5}',
  shiftedPrimeCount: 'prime count on a shifted lattice (⌊|θ|⌋)',
  pTrain: 'effective parameters on train (p_train, telescoping lens)',
  pTest: 'effective parameters on test (p_test, telescoping lens)',
  l2: 'parameter L2 norm',
  parameters: 'parameter count',
};
export const CONTROLS = ['logL2', 'logParameters', 'tailCount'] as const;
export type Control = (typeof CONTROLS)[number];

export const CONTROL_LABELS: Record<Control, string> = {
  logL2: 'log L2 norm',
  logParameters: 'log parameter count',
  tailCount: 'tail count #{|θ| ≥ 1.5}',
};

export const CandidateSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('builtin'), metric: z.enum(BUILTIN_CANDIDATES, { error: `Candidate must be one of: ${BUILTIN_CANDIDATES.join(', ')}` }) }),
    /** Any metric the runs recorded, read like the outcome (final value per run, or per evaluation). */
    z.strictObject({ kind: z.literal('metric'), metric: MetricNameSchema }),
    z.strictObject({
      kind: z.literal('expression'),
      name: cleanText({ label: 'Candidate name', max: 60, min: 1 }),
      expression: cleanText({ label: 'Expression', max: 200, min: 1 }),
    }),
  ],
  { error: 'Candidate must be a built-in metric, a recorded metric or an expression' },
);
export type Candidate = z.output<typeof CandidateSchema>;

export const ConfounderTestSchema = z
  .strictObject({
    projectId: ProjectIdSchema,
    /** Either a sweep (one observation per run: final values) or runs (one observation per evaluation, or per run with `per: 'run'`). */
    sweepId: SweepIdSchema.optional(),
    runIds: z.array(RunIdSchema).max(2000, { error: 'At most 2000 runs' }).optional(),
    /** For runs: every evaluation is an observation, or each run once with its final values (runs trained elsewhere across a hyperparameter). */
    per: z.enum(['evaluation', 'run'], { error: 'per must be evaluation or run' }).optional(),
    outcome: z
      .union([z.enum(OUTCOMES), MetricNameSchema], { error: `Outcome must be one of ${OUTCOMES.join(', ')} or a recorded metric` })
      .default('testError'),
    candidate: CandidateSchema.default({ kind: 'builtin', metric: 'primeCount' }),
    controls: z.array(z.enum(CONTROLS, { error: `Controls must be among: ${CONTROLS.join(', ')}` })).max(3).default(['logL2']),
    /** Bootstrap resamples for the intervals. */
    resamples: z.int({ error: 'resamples must be a whole number' }).min(200).max(20_000).default(2000),
    seed: z.int().min(0).max(2 ** 32 - 1).default(0),
  })
  .refine((t) => (t.sweepId ? 1 : 0) + (t.runIds?.length ? 1 : 0) === 1, { path: ['sweepId'], error: 'Test either a sweep or a list of runs' })
  .refine((t) => !(t.sweepId && t.per), { path: ['per'], error: 'A sweep is always one observation per run' });
export type ConfounderTestInput = z.input<typeof ConfounderTestSchema>;

export const ConfounderRefSchema = z.strictObject({ id: z.uuid({ error: 'Test id must be a UUID' }) });
export const ConfounderListSchema = z.strictObject({ projectId: ProjectIdSchema });
export const HypothesisConfounderLinkSchema = z.strictObject({
  hypothesisId: z.uuid(),
  testId: z.uuid(),
  linked: z.boolean({ error: 'linked must be true or false' }),
});

export interface Interval {
  r: number;
  low: number;
  high: number;
}

export interface MetricResult {
  /** "prime count", "tail count #{|θ| ≥ 1.5}", or the expression's name. */
  name: string;
  role: 'candidate' | 'placebo';
  spearman: Interval;
  /** Given each control on its own, then all controls together. */
  partials: (Interval & { given: string[] })[];
}

export interface ConfounderReport {
  level: 'runs' | 'evaluations';
  observations: number;
  groups: number;
  outcome: Outcome;
  resamples: number;
  results: MetricResult[];
  /**
   * Partial r(candidate, Y | placebo) for each placebo: what the candidate adds beyond it; with the
   * share of the candidate's rank variance the placebo explains, and on how many observations the
   * two differ at all (a partial r resting on a handful of observations says little).
   */
  beyondPlacebos: (Interval & { placebo: string; sharedVariance: number; differing: number })[];
  verdict: string;
  /** Controls asked for that no observation recorded (e.g. the L2 norm of a run trained elsewhere): left out, and said so in the verdict. */
  unavailableControls?: string[];
  /** Per observation, for plots: x (step or the swept knob), its group, M, Y, and the residuals after the controls. */
  points: { x: number; group: string; m: number; y: number; residualM: number; residualY: number }[];
  xLabel: string;
}

export interface ConfounderTest {
  id: string;
  projectId: string;
  title: string;
  settings: z.output<typeof ConfounderTestSchema>;
  report: ConfounderReport;
  verdict: string;
  createdAt: string;
}
