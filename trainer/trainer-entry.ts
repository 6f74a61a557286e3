/**
 * The trainer process: `child_process.fork` (browser mode, CLI) or Electron's `utilityProcess`.
 * Training never runs on the host's event loop; this process trains one run and exits.
 */
import type { HostToTrainer, TrainerPort, TrainerToHost } from './protocol';
import { serveTrainer } from './trainer-core';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function makePort(): { port: TrainerPort; drain(): Promise<void> } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      port: {
        send: (m: TrainerToHost) => parentPort.postMessage(m),
        onMessage: (l) => parentPort.on('message', (e) => l(e.data as HostToTrainer)),
      },
      // parentPort.postMessage has no delivery callback, and exiting can drop a message still in
      // flight: the host ends this process once it has the last message (main/utility-trainer.ts).
      // The timer only covers a host that never does.
      drain: () => new Promise((r) => setTimeout(r, 30_000)),
    };
  }
  if (!process.send) throw new Error('The trainer must be started by Phenobook (no IPC channel)');
  let inFlight = 0;
  let drained: (() => void) | null = null;
  return {
    port: {
      send: (m: TrainerToHost) => {
        inFlight++;
        process.send!(m, undefined, undefined, () => {
          if (--inFlight === 0) drained?.();
        });
      },
      onMessage: (l) => process.on('message', (m) => l(m as HostToTrainer)),
    },
    drain: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r))),
  };
}

const { port: ipc, drain } = makePort();
const listeners: ((m: HostToTrainer) => void)[] = [];
const port: TrainerPort = {
  send: (m) => ipc.send(m),
  onMessage: (l) => {
    listeners.push(l);
    ipc.onMessage(l);
  },
};
// Ctrl-C in a terminal reaches the whole process group: the host decides what happens to a run,
// so SIGINT is ignored here; SIGTERM (e.g. a scheduler's scancel) stops cooperatively, like a cancel.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => listeners.forEach((l) => l({ type: 'cancel' })));
// If the host goes away, there is nobody to train for.
process.on('disconnect', () => process.exit(0));
await serveTrainer(port);
await drain();
process.exit(0);
