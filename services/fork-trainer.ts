import { fork } from 'node:child_process';
import type { SpawnTrainer, TrainerHandle } from '../trainer/protocol';

/** Trainer processes for browser mode and the CLI: `child_process.fork` of the built trainer entry. */
export function forkTrainer(entryPath: string): SpawnTrainer {
  return (): TrainerHandle => {
    const child = fork(entryPath, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, TF_FORCE_GPU_ALLOW_GROWTH: 'true' },
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (l) => child.on('message', (m) => l(m as never)),
      onExit: (l) => child.once('exit', (code, signal) => l(code, signal)),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  };
}
