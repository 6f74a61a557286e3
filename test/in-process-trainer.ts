import type { ExperimentDefinition } from '../experiments/types';
import type { HostToTrainer, SpawnTrainer, TrainerHandle, TrainerToHost } from '../trainer/protocol';
import { serveTrainer } from '../trainer/trainer-core';

/**
 * Runs the real trainer loop in this process behind the same handle a child process gives, with
 * messages copied and delivered asynchronously like IPC. `kill()` behaves like SIGKILL.
 */
export function inProcessTrainer(experiments: ReadonlyMap<string, ExperimentDefinition>): SpawnTrainer & { spawned: TrainerHandle[] } {
  const spawned: TrainerHandle[] = [];
  let nextPid = 100_000;
  const spawn = (): TrainerHandle => {
    const toHost: ((m: TrainerToHost) => void)[] = [];
    const toTrainer: ((m: HostToTrainer) => void)[] = [];
    const exits: ((code: number | null, signal: string | null) => void)[] = [];
    let dead = false;
    const die = (code: number | null, signal: string | null) => {
      if (dead) return;
      dead = true;
      setImmediate(() => exits.forEach((l) => l(code, signal)));
    };
    const copy = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;
    void serveTrainer(
      {
        send: (m) => {
          const c = copy(m);
          setImmediate(() => !dead && toHost.forEach((l) => l(c)));
        },
        onMessage: (l) => toTrainer.push(l),
      },
      experiments,
    ).then(() => setImmediate(() => die(0, null)));
    const handle: TrainerHandle = {
      pid: nextPid++,
      send: (m) => {
        const c = copy(m);
        setImmediate(() => !dead && toTrainer.forEach((l) => l(c)));
      },
      onMessage: (l) => toHost.push(l),
      onExit: (l) => exits.push(l),
      kill: () => {
        // Like SIGKILL for the host; the in-process loop is told to stop so it does not linger.
        toTrainer.forEach((l) => l({ type: 'cancel' }));
        die(null, 'SIGKILL');
      },
    };
    spawned.push(handle);
    return handle;
  };
  return Object.assign(spawn, { spawned });
}
