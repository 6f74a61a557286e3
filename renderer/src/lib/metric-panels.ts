/**
 * Charts for a run whose metrics Phenobook did not name (a script's `train_loss`, `test_acc`,
 * TensorBoard's `eval/accuracy`): one chart per quantity, with its train / test / validation
 * variants as traces on it, so `train_loss` and `test_loss` share the loss chart as built-in runs do.
 */

export interface MetricPanel {
  /** The quantity ("loss", "acc"), or the full name when it has no split. */
  key: string;
  traces: { name: string; metric: string }[];
  /** Losses span decades: drawn on a log axis. */
  logY: boolean;
}

const SPLITS = ['train', 'training', 'test', 'testing', 'val', 'valid', 'validation', 'eval', 'dev'] as const;
const SPLIT_NAME: Record<string, string> = { training: 'train', testing: 'test', valid: 'val', validation: 'val' };
const ORDER = ['train', 'val', 'eval', 'dev', 'test'];

/** "train_loss", "loss/train", "testAcc", "eval.accuracy" → { split, quantity }. */
export function splitMetricName(name: string): { split: string | null; quantity: string } {
  // camelCase ("trainLoss") becomes separated tokens first.
  const tokens = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[_/.\-\s]+/).filter(Boolean);
  const at = tokens.findIndex((t) => (SPLITS as readonly string[]).includes(t));
  if (at < 0 || tokens.length < 2) return { split: null, quantity: name };
  const split = tokens[at]!;
  const rest = tokens.filter((_, i) => i !== at);
  return { split: SPLIT_NAME[split] ?? split, quantity: rest.join('_') };
}

export function metricPanels(names: readonly string[]): MetricPanel[] {
  const byQuantity = new Map<string, { name: string; metric: string; order: number }[]>();
  for (const metric of [...names].sort()) {
    const { split, quantity } = splitMetricName(metric);
    const list = byQuantity.get(quantity) ?? [];
    list.push({ name: split ?? metric, metric, order: split ? ORDER.indexOf(split) : -1 });
    byQuantity.set(quantity, list);
  }
  return [...byQuantity.entries()].map(([key, traces]) => ({
    key,
    traces: traces.sort((a, b) => a.order - b.order).map(({ name, metric }) => ({ name, metric })),
    logY: /loss|nll|perplexity|mse/i.test(key),
  }));
}
