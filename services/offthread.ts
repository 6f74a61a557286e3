import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ServiceError } from './errors';
import type { FromWorker, Job, JobProgress, JobResult, SerializedError } from './offthread-protocol';

/**
 * Heavy or hostile work off the host's event loop: one worker thread per process, started on
 * first use and kept (unref'd, so it never holds a process open), jobs answered in order. A
 * worker that dies (out of memory on a hostile file) fails its jobs and is started afresh next time.
 */

/** The worker's heap cap: a hostile file makes the worker fail, never the host. */
const WORKER_HEAP_MB = 2048;

/** The worker's file: next to the built bundle (out/main/offthread-worker.js), or the TypeScript source under tsx/vitest. */
function workerFile(): { url: URL; execArgv: string[] } {
  const here = import.meta.url;
  for (const rel of ['./offthread-worker.js', '../offthread-worker.js']) {
    const url = new URL(rel, here);
    if (fs.existsSync(fileURLToPath(url))) return { url, execArgv: [] };
  }
  const source = new URL('./offthread-worker.ts', here);
  if (fs.existsSync(fileURLToPath(source))) return { url: source, execArgv: ['--import', 'tsx'] };
  throw new Error('offthread-worker not found next to the app (rebuild with `npm run build`)');
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onProgress?: (p: never) => void;
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function revive(e: SerializedError): Error {
  if (e.code) return new ServiceError(e.code, e.message, e.issues);
  return new Error(e.message);
}

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const { url, execArgv } = workerFile();
  const w = new Worker(url, { execArgv, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  w.unref();
  w.on('message', (m: FromWorker) => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') return (p.onProgress as ((p: unknown) => void) | undefined)?.(m.progress);
    pending.delete(m.id);
    if (pending.size === 0) w.unref();
    if (m.type === 'done') p.resolve(m.result);
    else p.reject(revive(m.error));
  });
  w.on('error', (err) => {
    worker = undefined;
    const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    failAll(
      oom
        ? new ServiceError('payload_too_large', 'The work ran out of memory in its worker (the input is too large): nothing was changed')
        : new ServiceError('internal', `The worker failed: ${err.message}`),
    );
  });
  w.on('exit', () => {
    if (worker === w) worker = undefined;
    failAll(new ServiceError('internal', 'The worker stopped before it answered'));
  });
  worker = w;
  return w;
}

/** Runs a job on the worker thread; `transfer` lists buffers handed over rather than copied. */
export function runOffThread<J extends Job>(job: J, options: { transfer?: ArrayBuffer[]; onProgress?: (p: JobProgress<J>) => void } = {}): Promise<JobResult<J>> {
  const w = ensureWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress });
    w.ref(); // a job in flight keeps the process alive until it answers
    w.postMessage({ id, job }, options.transfer ?? []);
  });
}

/** Bytes as a Uint8Array over an ArrayBuffer of their own, so it can be transferred. */
export function transferable(data: Uint8Array): Uint8Array<ArrayBuffer> {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) return data as Uint8Array<ArrayBuffer>;
  return new Uint8Array(data);
}
