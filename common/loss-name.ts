/**
 * The training loss a run was trained on, in words for chart axes: a run's own `loss` knob when it
 * has one (double-descent), else the loss its experiment always trains with.
 */
const EXPERIMENT_LOSS: Readonly<Record<string, 'mse' | 'cross-entropy'>> = {
  'grokking-mlp': 'mse',
  'grokking-transformer': 'cross-entropy',
  'double-descent': 'cross-entropy',
  'lottery-ticket': 'cross-entropy',
  'init-scale': 'mse',
};

export function lossAxisTitle(run: { experiment: string; config: Record<string, unknown> } | null | undefined): string {
  if (!run) return 'loss';
  const own = run.config.loss;
  const loss = typeof own === 'string' ? own : EXPERIMENT_LOSS[run.experiment];
  return loss === 'mse' ? 'MSE loss' : loss === 'cross-entropy' ? 'cross-entropy loss' : 'loss';
}
