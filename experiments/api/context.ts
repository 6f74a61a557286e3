/**
 * Builds the context a defined experiment's `train` receives (trainer process only): TensorFlow.js
 * with autodiff and the Layers API when the experiment asks for them, a seeded RNG per stream, the
 * driver bound to the run, and metric checking (undeclared names refused, roles mapped).
 */
import { createRequire } from 'node:module';
import type * as TfLayers from '@tensorflow/tfjs-layers';
import { runTrainingLoop } from '../driver';
import { createRng } from '../rng';
import type { TrainContext } from '../types';
import { enableAutodiff } from './autodiff';
import { mapMetrics, type DefinedExperiment } from './define';
import type { ExperimentContext, TfApi } from './index';

const contextRequire = createRequire(import.meta.url);

export function isDefinedExperiment(def: object): def is DefinedExperiment {
  return 'apiVersion' in def && 'metrics' in def;
}

/** The context for `def`, on top of the trainer's base context. */
export function experimentContext(def: DefinedExperiment, base: TrainContext, config: Record<string, unknown>): ExperimentContext {
  let tf = base.tf as TfApi;
  if (def.autodiff) {
    enableAutodiff(base.tf);
    // The same tfjs-core instance (tfjs-layers' peer dependency resolves to it).
    const layers = contextRequire('@tensorflow/tfjs-layers') as typeof TfLayers;
    tf = { ...base.tf, ...layers } as TfApi;
  }
  const seed = typeof config.seed === 'number' && Number.isSafeInteger(config.seed) && config.seed >= 0 ? config.seed : 0;
  const ctx: ExperimentContext = {
    ...base,
    tf,
    onEval: (point) => base.onEval({ step: point.step, values: mapMetrics(def, point.values) }),
    rng: (stream) => createRng(seed, stream),
    runLoop: (loop) => runTrainingLoop(ctx, loop),
  };
  return ctx;
}
