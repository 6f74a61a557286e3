/**
 * Helpers for the experiments' unit tests (not a test file itself): run an experiment definition to
 * the end on a given tf, collecting its evaluations and progress, with an optional cancel rule.
 */
import type { z } from 'zod';
import type { EvalPoint, ExperimentDefinition, TrainContext, TrainOutcome, Tf } from '../experiments/types';

export interface CollectedRun {
  outcome: TrainOutcome;
  evals: EvalPoint[];
  progress: number[];
}

export async function runExperiment<S extends z.ZodType>(
  experiment: ExperimentDefinition<S>,
  tf: Tf,
  input: z.input<S>,
  shouldStop: (step: number) => boolean = () => false,
): Promise<CollectedRun> {
  const evals: EvalPoint[] = [];
  const progress: number[] = [];
  let lastProgress = 0;
  const ctx: TrainContext = {
    tf,
    shouldStop: () => shouldStop(lastProgress),
    onEval: (p) => evals.push(p),
    onProgress: (step) => {
      lastProgress = step;
      progress.push(step);
    },
    yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
  };
  const outcome = await experiment.train(experiment.configSchema.parse(input), ctx);
  return { outcome, evals, progress };
}

/** Every metric series except wall time (which differs run to run). */
export function series(evals: readonly EvalPoint[]): Record<string, number[]> {
  const out: Record<string, number[]> = { step: evals.map((e) => e.step) };
  for (const name of Object.keys(evals[0]!.values)) if (name !== 'wallTime') out[name] = evals.map((e) => e.values[name]!);
  return out;
}

/** "path: message" of every issue of a failed parse (fails the test when the input parses). */
export function issues(schema: z.ZodType, input: unknown): string {
  const r = schema.safeParse(input);
  if (r.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}
