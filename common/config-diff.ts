/** Config fields whose values differ between runs (seed included), in first-seen order. */
export function differingFields(configs: readonly Record<string, unknown>[]): string[] {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))];
  return keys.filter((k) => new Set(configs.map((c) => JSON.stringify(c[k]))).size > 1);
}

const show = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '–' : JSON.stringify(v));

/**
 * For each run, "width 16 · lr 0.01": the config fields that tell it apart from the other runs of
 * the same experiment in the list (seed left out: tables give it a column of its own).
 */
export function distinguishingConfig(runs: readonly { id: string; experiment: string; config: Record<string, unknown> }[]): Map<string, string> {
  const byExperiment = Map.groupBy(runs, (r) => r.experiment);
  const out = new Map<string, string>();
  for (const group of byExperiment.values()) {
    const fields = differingFields(group.map((r) => r.config)).filter((k) => k !== 'seed');
    for (const r of group) out.set(r.id, fields.map((k) => `${k} ${show(r.config[k])}`).join(' · '));
  }
  return out;
}
