import { utilityProcess } from 'electron';
import type { SpawnTrainer, TrainerHandle, TrainerToHost } from '../trainer/protocol';

const isFinal = (m: TrainerToHost) => m.type === 'done' || m.type === 'failed' || m.type === 'probed';

/** Trainer processes in desktop mode: Electron's utilityProcess (a Node child without a window). */
export function utilityTrainer(entryPath: string): SpawnTrainer {
  return (): TrainerHandle => {
    const child = utilityProcess.fork(entryPath, [], {
      serviceName: 'Phenobook trainer',
      stdio: 'inherit',
      env: { ...process.env, TF_FORCE_GPU_ALLOW_GROWTH: 'true' },
    });
    let exited = false;
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    child.on('error', (type, location) => console.error(`[trainer ${child.pid}] ${type} at ${location}`));
    child.on('exit', (code) => {
      exited = true;
      // utilityProcess reports no signal; a kill shows up as a non-zero code.
      for (const l of exitListeners) l(code, null);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (!exited) child.postMessage(m);
      },
      onMessage: (l) =>
        child.on('message', (m: unknown) => {
          l(m as TrainerToHost);
          // The last message of a run (or probe) has arrived: the trainer waits for us to end it.
          if (isFinal(m as TrainerToHost)) setImmediate(() => !exited && child.kill());
        }),
      onExit: (l) => void exitListeners.push(l),
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
