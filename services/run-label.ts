import type { RunSummary } from '../contract/runs';

/** How runs are named in links, verdicts and exports: experiment, preset, seed, short id. */
export function runLabel(run: Pick<RunSummary, 'id' | 'experiment' | 'preset' | 'seed'>): string {
  const preset = run.preset && run.preset !== 'default' ? ` · ${run.preset}` : '';
  return `${run.experiment}${preset} · seed ${run.seed} · ${run.id.slice(0, 8)}`;
}
