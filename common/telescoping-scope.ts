/**
 * Where the telescoping probe computes the right thing, and where it does not yet (docs/experiments.md
 * §8). The recursions in experiments/telescoping/probe.ts are those for SGD, plain or with (heavy-ball,
 * torch) momentum, on a squared loss with a scalar output; Adam changes it (the paper's appendix), a vector output turns every
 * kernel entry into a block, and weight decay adds a term. Rather than computing something
 * subtly wrong, a run that asks for the probe outside this scope is refused with the reason.
 * Pure: the experiment validates configs with it, and the run page explains why a run has no probe.
 */

/** The smoother tracks all n train rows: (n + m) × n floats, and each step costs ~ (n + m) · |B| · n. */
export const MAX_PROBE_TRAIN = 1000;
export const MAX_PROBE_TEST = 2000;

export interface ProbeSetting {
  outputs: number;
  loss: 'cross-entropy' | 'mse';
  optimizer: 'sgd' | 'adam' | 'adamw';
  momentum: number;
  weightDecay: number;
  nTrain: number;
}

/** null when the probe applies; otherwise the reason it does not, in words for a config error or a run page. */
export function probeUnsupportedReason(s: ProbeSetting): string | null {
  if (s.optimizer !== 'sgd') return `the telescoping probe covers SGD/GD with or without momentum; ${s.optimizer === 'adam' ? 'Adam' : 'AdamW'} changes the recursion (not supported yet)`;
  if (!(s.momentum >= 0 && s.momentum < 1)) return `the telescoping probe covers SGD momentum in [0, 1); got ${s.momentum}`;
  if (s.weightDecay !== 0) return `the telescoping probe covers SGD without weight decay (weightDecay ${s.weightDecay} adds a term not tracked yet)`;
  if (s.outputs !== 1) return `the telescoping probe covers a scalar output; this network has ${s.outputs} outputs (multi-class is not supported yet): use task=binary-0v1`;
  if (s.loss !== 'mse') return 'the telescoping probe covers the squared loss; cross-entropy is not supported yet: set loss=mse';
  if (s.nTrain > MAX_PROBE_TRAIN) return `the telescoping probe tracks every train point and allows at most ${MAX_PROBE_TRAIN}; this run has ${s.nTrain}`;
  return null;
}

/**
 * The probe setting of a double-descent config (parsed, or as stored with a run). How many train
 * samples the binary task keeps is known once the data exist, so nTrain is checked when the run starts.
 */
export function doubleDescentProbeReason(config: { task?: unknown; loss?: unknown; momentum?: unknown }): string | null {
  return probeUnsupportedReason({
    outputs: config.task === 'binary-0v1' ? 1 : 10,
    loss: config.loss === 'mse' ? 'mse' : 'cross-entropy',
    optimizer: 'sgd',
    momentum: typeof config.momentum === 'number' ? config.momentum : 0,
    weightDecay: 0,
    nTrain: 0,
  });
}

/**
 * What a run page says about the probe for a run of `experiment` with `config`: null when the run
 * recorded it (its charts speak), otherwise why not — off, or outside the probe's scope.
 */
export function telescopingStatus(experiment: string, config: Record<string, unknown>): string | null {
  if (experiment === 'double-descent') {
    if (config.probe === true) return null;
    const reason = doubleDescentProbeReason(config);
    return reason ? `not available: ${reason} (the telescoping preset sets it all up)` : 'off for this run: set probe=true (or use the telescoping preset)';
  }
  if (experiment === 'telescoping-grokking') return config.probe === false ? 'off for this run: set probe=true' : null;
  const outputs = experiment === 'grokking-mlp' && typeof config.p === 'number' ? config.p : 10;
  const optimizer = experiment === 'grokking-mlp' || experiment === 'init-scale' ? 'adamw' : 'adam';
  return `not available: ${probeUnsupportedReason({ outputs, loss: 'mse', optimizer, momentum: 0, weightDecay: 0, nTrain: 0 })}`;
}
