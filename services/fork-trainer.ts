import { fork } from 'node:child_process';
import type { SpawnTrainer, TrainerHandle } from '../trainer/protocol';

/** Trainer processes for browser mode and the CLI: `child_process.fork` of the built trainer entry. */
export function forkTrainer(entryPath: string): SpawnTrainer {
  return (): TrainerHandle => {
    const child = fork(entryPath, [], {
      // The trainer's stdout goes to our stderr: `--json` output must stay one document.
      stdio: ['ignore', 2, 'inherit', 'ipc'],
      env: { ...process.env, TF_FORCE_GPU_ALLOW_GROWTH: 'true' },
    });
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    let ended = false;
    const end = (code: number | null, signal: string | null) => {
      if (ended) return;
      ended = true;
      for (const l of exitListeners) l(code, signal);
    };
    child.once('exit', end);
    // A failed spawn (EAGAIN, ENOMEM…) emits 'error' and never 'exit'; a send to a dying child may too.
    child.on('error', (err) => {
      if (child.pid === undefined) end(1, null);
      else console.error(`[trainer ${child.pid}] ${err.message}`);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (l) => child.on('message', (m) => l(m as never)),
      onExit: (l) => void exitListeners.push(l),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  };
}
