import { EXPERIMENTS } from '../experiments/registry';
import { experimentContext, isDefinedExperiment } from '../experiments/api/context';
import { describeFiles, loadForRun } from '../experiments/user/describe-files';
import { describeUserError } from '../experiments/user/load';
import type { ExperimentDefinition, TrainContext } from '../experiments/types';
import type { BackendName, MetricPoint } from '../contract/runs';
import { selectBackend } from './backend';
import { probeGpu } from './gpu-probe';
import type { HostToTrainer, TrainerPort } from './protocol';

/** Progress and metric batches go out at most this often (the host writes each batch in one transaction). */
export const FLUSH_MS = 250;

/**
 * Runs inside the trainer process: waits for one `start`, trains, reports, and resolves when the
 * run has ended (the entry then exits). Never throws: every failure becomes a `failed` message.
 */
export function serveTrainer(
  port: TrainerPort,
  experiments: ReadonlyMap<string, ExperimentDefinition> = EXPERIMENTS,
): Promise<void> {
  let stopRequested = false;
  return new Promise((resolve) => {
    port.onMessage((message: HostToTrainer) => {
      if (message.type === 'cancel') stopRequested = true;
      else if (message.type === 'start') void train(message).finally(resolve);
      else if (message.type === 'probe') void probe(message.backend).finally(resolve);
      else if (message.type === 'describe') void describeFiles(message.paths, experiments).then((files) => port.send({ type: 'described', files })).finally(resolve);
    });
  });

  async function probe(only?: BackendName): Promise<void> {
    try {
      const { info } = await selectBackend({ only, gpuProbe: probeGpu });
      port.send({ type: 'probed', backend: info });
    } catch (err) {
      port.send({ type: 'probed', backend: null, error: (err as Error).message });
    }
  }

  async function train(msg: Extract<HostToTrainer, { type: 'start' }>): Promise<void> {
    const { runId } = msg;
    const started = performance.now();
    let pending: MetricPoint[] = [];
    let userFile: string | null = null;
    try {
      let experiment = experiments.get(msg.experiment);
      if (msg.file) {
        userFile = msg.file.path;
        experiment = await loadForRun(msg.file, msg.experiment);
      }
      if (!experiment) throw new Error(`Unknown experiment: ${msg.experiment}`);
      const config = experiment.configSchema.parse(msg.config);
      const { tf, info } = await selectBackend({ only: msg.backend, gpuProbe: probeGpu });
      port.send({ type: 'started', runId, backend: info });

      let lastFlush = 0;
      let lastProgress = 0;
      const flush = () => {
        if (pending.length > 0) port.send({ type: 'metrics', runId, points: pending });
        pending = [];
        lastFlush = performance.now();
      };
      const base: TrainContext = {
        tf,
        shouldStop: () => stopRequested,
        onEval: (point) => {
          pending.push(point);
          if (performance.now() - lastFlush >= FLUSH_MS) flush();
        },
        onProgress: (step, total, trainSeconds, longestBusyMs) => {
          const now = performance.now();
          if (now - lastProgress < FLUSH_MS && step < total) return;
          lastProgress = now;
          port.send({ type: 'progress', runId, step, total, trainSeconds, ...(longestBusyMs === undefined ? {} : { longestBusyMs }) });
        },
        yieldNow: () => new Promise((r) => setImmediate(r)),
      };
      const ctx = isDefinedExperiment(experiment) ? experimentContext(experiment, base, config as Record<string, unknown>) : base;
      const outcome = await experiment.train(config, ctx);
      flush();
      port.send({
        type: 'done',
        runId,
        status: outcome.status,
        stepsCompleted: outcome.stepsCompleted,
        trainSeconds: outcome.trainSeconds,
        wallSeconds: (performance.now() - started) / 1000,
        dataHash: outcome.dataHash,
        reason: outcome.reason,
      });
    } catch (err) {
      // Evaluations made before the failure are kept.
      if (pending.length > 0) port.send({ type: 'metrics', runId, points: pending });
      const reason = userFile
        ? describeUserError(err, userFile)
        : err instanceof Error
          ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`
          : String(err);
      port.send({ type: 'failed', runId, reason: reason.slice(0, 2000) });
    }
  }
}
