import type { RunSummary } from '../contract/runs';
import type { ExperimentDefinition } from '../experiments/types';
import { ownValue } from '../contract/input-shape';

/**
 * The parts of a run's config that tell it apart, e.g. ["width 16"]: first the knobs its sweep
 * varies (always, even where a value equals the preset's), then what differs from the preset.
 */
export type ConfigDescriber = (experiment: string, preset: string | null, config: Record<string, unknown>, sweepKeys?: readonly string[]) => string[];

const MAX_PARTS = 4;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Compares each config with the defaults of the preset it came from (parsed once per preset). */
export function configDescriber(experiments: ReadonlyMap<string, ExperimentDefinition>): ConfigDescriber {
  const bases = new Map<string, Record<string, unknown> | null>();
  const base = (experiment: string, preset: string | null) => {
    const key = `${experiment}\u0000${preset ?? ''}`;
    if (!bases.has(key)) {
      const def = experiments.get(experiment);
      const values = def && (preset ? ownValue(def.presets, preset) : {});
      const parsed = def && values ? def.configSchema.safeParse(values) : null;
      bases.set(key, parsed?.success ? (parsed.data as Record<string, unknown>) : null);
    }
    return bases.get(key)!;
  };
  return (experiment, preset, config, sweepKeys = []) => {
    const defaults = base(experiment, preset);
    const swept = sweepKeys.filter((k) => k !== 'seed' && Object.hasOwn(config, k));
    // Without known defaults (an experiment this build does not have), every knob but the seed tells it apart.
    const changed = Object.keys(config).filter((k) => k !== 'seed' && !swept.includes(k) && (!defaults || JSON.stringify(config[k]) !== JSON.stringify(defaults[k])));
    return [...swept, ...changed].slice(0, MAX_PARTS).map((k) => `${k} ${show(config[k])}`);
  };
}

/** "grokking-mlp · weightDecay 0 · seed 0": experiment, preset, what differs from it, seed. */
export function summaryLabel(run: { experiment: string; preset: string | null; seed: number }, parts: readonly string[]): string {
  const preset = run.preset && run.preset !== 'default' ? [run.preset] : [];
  return [run.experiment, ...preset, ...parts, `seed ${run.seed}`].join(' · ');
}

/** How runs are named in links, verdicts and exports: the summary label and a short id. */
export function runLabel(run: Pick<RunSummary, 'id' | 'label'>): string {
  return `${run.label} · ${run.id.slice(0, 8)}`;
}
