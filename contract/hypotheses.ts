import { z } from 'zod';
import { metricLabel, MetricNameSchema } from './metrics';
import { ProjectIdSchema } from './projects';
import { RunIdSchema } from './runs';
import { cleanText } from './text';

/**
 * Hypotheses as the position paper asks for them (Section 5.2): falsifiable, preregistered, and
 * tied to a broad theory they challenge or refine (Section 3.2). Each prediction is a check a run
 * can decide: a metric read at a point of the run, compared with a threshold, on runs whose config
 * meets a condition.
 */

export const HYPOTHESIS_LIMITS = { statement: 2_000, theory: 1_000, reason: 2_000, predictions: 12, conditions: 8, runs: 500 } as const;

export const COMPARISONS = ['<', '<=', '>', '>='] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const CONDITION_OPS = ['=', '!=', '<', '<=', '>', '>='] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];
export const RELATIONS = ['challenges', 'refines'] as const;
export type Relation = (typeof RELATIONS)[number];

export const HypothesisIdSchema = z.uuid({ error: 'Hypothesis id must be a UUID' });

const finiteNumber = (label: string) =>
  z.number({ error: `${label} must be a number` }).refine(Number.isFinite, { error: `${label} must be a finite number` });

export const ConditionSchema = z.strictObject({
  field: z
    .string({ error: 'Config field must be text' })
    .regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, { error: 'Config field must be a config key such as weightDecay' }),
  op: z.enum(CONDITION_OPS, { error: `Condition must use one of: ${CONDITION_OPS.join(' ')}` }),
  value: z.union([finiteNumber('Condition value'), z.boolean(), cleanText({ label: 'Condition value', max: 200, min: 1 })], {
    error: 'Condition value must be a number, true/false, or text',
  }),
});
export type Condition = z.output<typeof ConditionSchema>;

/** Where on the run the metric is read. */
export const ReadAtSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('step'), step: z.int({ error: 'Step must be a whole number' }).min(0).max(1e9) }),
    z.strictObject({ kind: z.literal('final') }),
    z.strictObject({ kind: z.literal('max') }),
    z.strictObject({ kind: z.literal('min') }),
  ],
  { error: 'Read the metric at a step, at the final evaluation, or its max or min' },
);
export type ReadAt = z.output<typeof ReadAtSchema>;

export const PredictionSchema = z.strictObject({
  /** A built-in metric (testAcc, l2…) or any name a run recorded (test_acc, loss/train). */
  metric: MetricNameSchema,
  at: ReadAtSchema,
  when: z
    .array(ConditionSchema)
    .max(HYPOTHESIS_LIMITS.conditions, { error: `At most ${HYPOTHESIS_LIMITS.conditions} conditions per prediction` })
    .default([]),
  comparison: z.enum(COMPARISONS, { error: `Comparison must be one of: ${COMPARISONS.join(' ')}` }),
  threshold: finiteNumber('Threshold'),
});
export type Prediction = z.output<typeof PredictionSchema>;
export type PredictionInput = z.input<typeof PredictionSchema>;

const ContentShape = {
  statement: cleanText({ label: 'Statement', max: HYPOTHESIS_LIMITS.statement, min: 1, multiline: true }),
  theory: cleanText({ label: 'Broad theory', max: HYPOTHESIS_LIMITS.theory, min: 1, multiline: true }),
  relation: z.enum(RELATIONS, { error: 'Say whether it challenges or refines the theory' }),
  predictions: z
    .array(PredictionSchema, { error: 'Predictions must be a list' })
    .min(1, { error: 'Add at least one prediction a run can decide' })
    .max(HYPOTHESIS_LIMITS.predictions, { error: `At most ${HYPOTHESIS_LIMITS.predictions} predictions` }),
};

export const HypothesisCreateSchema = z.strictObject({ projectId: ProjectIdSchema, ...ContentShape });
export type HypothesisCreate = z.input<typeof HypothesisCreateSchema>;

/** A full replacement of the content; once locked it is stored as an amendment with its reason. */
export const HypothesisUpdateSchema = z.strictObject({
  id: HypothesisIdSchema,
  ...ContentShape,
  reason: cleanText({ label: 'Reason for the amendment', max: HYPOTHESIS_LIMITS.reason, multiline: true }).optional(),
});
export type HypothesisUpdate = z.input<typeof HypothesisUpdateSchema>;

export const HypothesisRefSchema = z.strictObject({ id: HypothesisIdSchema });
export const HypothesisListSchema = z.strictObject({ projectId: ProjectIdSchema });
export const HypothesisRunLinkSchema = z.strictObject({
  id: HypothesisIdSchema,
  runId: RunIdSchema,
  linked: z.boolean({ error: 'linked must be true or false' }),
});

export interface HypothesisContent {
  statement: string;
  theory: string;
  relation: Relation;
  predictions: Prediction[];
}

export interface Amendment extends HypothesisContent {
  number: number;
  reason: string;
  hash: string;
  createdAt: string;
}

export type Verdict = 'supported' | 'refuted' | 'inconclusive';

/**
 * The headline count of a hypothesis's verdicts: supported, refuted and inconclusive count only the
 * runs inside each prediction's condition (the tests of the stated claim); results on runs outside
 * the condition are counted apart in `outside`, never mixed into the headline.
 */
export interface VerdictTally extends Record<Verdict, number> {
  outside: number;
}

export const emptyTally = (): VerdictTally => ({ supported: 0, refuted: 0, inconclusive: 0, outside: 0 });

export function addTallies(a: VerdictTally, b: VerdictTally): VerdictTally {
  return { supported: a.supported + b.supported, refuted: a.refuted + b.refuted, inconclusive: a.inconclusive + b.inconclusive, outside: a.outside + b.outside };
}

/** "6 supported · 0 refuted · 0 inconclusive" plus "· 6 outside the condition" when there are any. */
export function describeTally(t: VerdictTally, sep = ' · '): string {
  const head = `${t.supported} supported${sep}${t.refuted} refuted${sep}${t.inconclusive} inconclusive`;
  return t.outside ? `${head}${sep}${t.outside} outside the condition` : head;
}

/** One prediction decided on one run, with the numbers that decided it. */
export interface PredictionResult {
  predictionIndex: number;
  runId: string;
  verdict: Verdict;
  /** The metric value read, and the evaluated step it came from. */
  value: number | null;
  step: number | null;
  /** Whether the run's config meets the prediction's condition (false: the run tests it outside its stated setting). */
  conditionMet: boolean;
  /** Plain words: "test accuracy at step 3000 = 0.031 < 0.2". */
  explanation: string;
}

/** A prediction no experiment the project has runs of or names can put to the test (checked, never refused). */
export interface ConditionWarning {
  predictionIndex: number;
  /** The condition's index in the prediction's `when`, or null for a warning about the metric or the whole condition. */
  conditionIndex: number | null;
  /** The closest known field name, when the field looks like a typo of one. */
  suggestion: string | null;
  message: string;
}

export const HypothesisCheckSchema = z.strictObject({
  projectId: ProjectIdSchema,
  predictions: z.array(PredictionSchema, { error: 'Predictions must be a list' }).max(HYPOTHESIS_LIMITS.predictions),
});

export interface LinkedRun {
  runId: string;
  linkedAt: string;
  label: string;
  status: string;
}

export interface Hypothesis extends HypothesisContent {
  id: string;
  projectId: string;
  createdAt: string;
  updatedAt: string;
  /** Set once locked (preregistered): when, and the SHA-256 of the canonical content. */
  lock: { at: string; hash: string; intact: boolean } | null;
  amendments: Amendment[];
  /** The latest amendment's content, or the original when there is none. */
  current: HypothesisContent;
  runs: LinkedRun[];
  /** Verdicts of the current predictions on every linked run. */
  results: PredictionResult[];
  /** When amended: the verdicts of the predictions as originally locked. */
  originalResults: PredictionResult[] | null;
  /** Headline counts over the results inside each prediction's condition; results outside it counted apart. */
  tally: VerdictTally;
  /** Conditions (and metrics) of the current predictions that no known experiment can satisfy. */
  warnings: ConditionWarning[];
  /** Confounder tests attached to the hypothesis, with their verdicts in words. */
  confounderTests: { id: string; title: string; verdict: string }[];
}

const OP_WORDS: Record<Comparison | ConditionOp, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥', '=': '=', '!=': '≠' };

export function describeReadAt(at: ReadAt): string {
  return at.kind === 'step' ? `at step ${at.step}` : at.kind === 'final' ? 'at the end of the run' : `(${at.kind} over the run)`;
}

export function describeCondition(c: Condition): string {
  return `${c.field} ${OP_WORDS[c.op]} ${typeof c.value === 'string' ? `“${c.value}”` : String(c.value)}`;
}

/** "with weightDecay = 0, test accuracy at step 3000 < 0.2" */
export function describePrediction(p: Prediction): string {
  const label = metricLabel(p.metric);
  const core = `${label} ${describeReadAt(p.at)} ${OP_WORDS[p.comparison]} ${p.threshold}`;
  return p.when.length ? `with ${p.when.map(describeCondition).join(' and ')}, ${core}` : core;
}

export const opSymbol = (op: Comparison | ConditionOp): string => OP_WORDS[op];
