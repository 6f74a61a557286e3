/**
 * For the examples' tests (not a test file itself): load an example experiment file as the trainer
 * does and train seeds of a preset on wasm, collecting each run's evaluations.
 */
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../trainer/backend';
import { experimentContext } from './api/context';
import type { DefinedExperiment } from './api/define';
import type { EvalPoint, TrainContext, TrainOutcome } from './types';
import { loadExperimentFile } from './user/load';

export const EXAMPLES_DIR = fileURLToPath(new URL('../docs/examples/experiments/', import.meta.url));

export async function loadExample(path: string, source?: string): Promise<DefinedExperiment> {
  const loaded = await loadExperimentFile(path, source);
  if (!loaded.experiment) throw new Error(`${path} did not load: ${JSON.stringify(loaded.error)}`);
  return loaded.experiment;
}

export interface ExampleRun {
  seed: number;
  outcome: TrainOutcome;
  evals: EvalPoint[];
}

export async function trainSeeds(def: DefinedExperiment, preset: string, seeds: number[], overrides: Record<string, unknown> = {}): Promise<ExampleRun[]> {
  const { tf } = await selectBackend({ only: 'wasm' });
  const runs: ExampleRun[] = [];
  for (const seed of seeds) {
    const evals: EvalPoint[] = [];
    const base: TrainContext = { tf, shouldStop: () => false, onEval: (p) => evals.push(p), onProgress: () => undefined, yieldNow: () => new Promise((r) => setImmediate(r)) };
    const config = def.configSchema.parse({ ...def.presets[preset], ...overrides, seed }) as Record<string, unknown>;
    const outcome = await def.train(config, experimentContext(def, base, config));
    runs.push({ seed, outcome, evals });
  }
  return runs;
}

/** The first evaluated step at which `metric` reaches `threshold`, or null. */
export function firstStep(evals: readonly EvalPoint[], metric: string, threshold: number): number | null {
  return evals.find((e) => (e.values[metric] ?? -Infinity) >= threshold)?.step ?? null;
}
