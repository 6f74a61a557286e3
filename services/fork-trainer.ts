import { fork } from 'node:child_process';
import type { SpawnTrainer, TrainerHandle } from '../trainer/protocol';

/** Trainer processes for browser mode and the CLI: `child_process.fork` of the built trainer entry. */
export function forkTrainer(entryPath: string): SpawnTrainer {
  return (): TrainerHandle => {
    const heapMb = Number(process.env.PHENOBOOK_TRAINER_HEAP_MB);
    const child = fork(entryPath, [], {
      // The trainer's stdout goes to our stderr: `--json` output must stay one document. Its stderr
      // is passed through, and its tail kept to tell an out-of-memory death from other crashes.
      stdio: ['ignore', 2, 'pipe', 'ipc'],
      env: { ...process.env, TF_FORCE_GPU_ALLOW_GROWTH: 'true' },
      // PHENOBOOK_TRAINER_HEAP_MB caps each trainer's JavaScript heap (e.g. to share a machine).
      ...(Number.isInteger(heapMb) && heapMb > 0 ? { execArgv: [...process.execArgv, `--max-old-space-size=${heapMb}`] } : {}),
    });
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    const exitListeners: ((code: number | null, signal: string | null, cause?: 'out-of-memory') => void)[] = [];
    let ended = false;
    const end = (code: number | null, signal: string | null) => {
      if (ended) return;
      ended = true;
      const cause = /heap out of memory|Reached heap limit|Allocation failed/i.test(stderrTail) ? ('out-of-memory' as const) : undefined;
      for (const l of exitListeners) l(code, signal, cause);
    };
    // 'close' comes after the process's stderr is drained, so its last words are read; should
    // something else hold the pipe open, 'exit' settles it half a second later.
    child.once('close', end);
    child.once('exit', (code, signal) => setTimeout(() => end(code, signal), 500).unref());
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
