import type { BackendName, BackendReport } from '../contract/runs';
import type { SpawnTrainer } from '../trainer/protocol';

export interface ProbeResult {
  backend: BackendReport | null;
  error?: string;
}

/** Asks a fresh trainer process which backend it would train on, and why not the faster ones. */
export function probeBackend(spawn: SpawnTrainer, only?: BackendName, timeoutMs = 120_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const handle = spawn();
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      handle.kill();
      done({ backend: null, error: `The backend probe did not answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    handle.onMessage((m) => {
      if (m.type === 'probed') done(m.backend ? { backend: m.backend } : { backend: null, error: m.error });
    });
    handle.onExit((code, signal) => done({ backend: null, error: `The probe process ended early (${signal ?? `code ${code}`})` }));
    handle.send({ type: 'probe', backend: only });
  });
}
