import envPaths from 'env-paths';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** What one probe found: true/false, or null when it could not tell (it timed out, crashed). */
export interface ProbeOutcome {
  gpu: boolean | null;
  detail: string;
}

interface CacheEntry {
  key: string;
  gpu: boolean;
  detail: string;
  probedAt: string;
}

/**
 * Whether TensorFlow (through tfjs-node-gpu) really places work on a GPU. Every run has its own
 * trainer process, so the answer is kept in a file per host, keyed by what could change it (the
 * NVIDIA driver, the tfjs-node-gpu build, the visible devices, the library path): one run pays
 * for the probe's second TensorFlow/CUDA start, later runs reuse it. An answer the probe could
 * not give (a timeout, e.g. a first PTX JIT compile on a GPU newer than the CUDA build) is not
 * kept, so the next run asks again rather than living with a wrong "no GPU".
 */
export function cachedGpuProbe(cacheFile: string, key: string, runProbe: () => ProbeOutcome): ProbeOutcome {
  const cached = readCache(cacheFile);
  if (cached && cached.key === key) return { gpu: cached.gpu, detail: cached.detail };
  const outcome = runProbe();
  if (outcome.gpu !== null) {
    const entry: CacheEntry = { key, gpu: outcome.gpu, detail: outcome.detail, probedAt: new Date().toISOString() };
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      // Written beside and renamed: two trainers probing at once never leave half a file.
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(entry));
      fs.renameSync(tmp, cacheFile);
    } catch {
      // A read-only cache folder only costs the next run another probe.
    }
  }
  return outcome;
}

function readCache(file: string): CacheEntry | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<CacheEntry>;
    return typeof v.key === 'string' && typeof v.gpu === 'boolean' ? { key: v.key, gpu: v.gpu, detail: String(v.detail ?? ''), probedAt: String(v.probedAt ?? '') } : null;
  } catch {
    return null;
  }
}

export function gpuProbeCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.PHENOBOOK_CACHE_DIR || envPaths('Phenobook', { suffix: '' }).cache;
  return path.join(dir, 'gpu-probe.json');
}

/** Everything that would change the answer, as one string. */
export function gpuProbeKey(env: NodeJS.ProcessEnv = process.env): string {
  let tfjsNodeGpu = 'absent';
  try {
    tfjsNodeGpu = (createRequire(import.meta.url)('@tensorflow/tfjs-node-gpu/package.json') as { version: string }).version;
  } catch {
    // not installed: the probe itself will say so
  }
  let driver = 'none';
  try {
    driver = fs.readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0]!.trim();
  } catch {
    // no NVIDIA kernel driver (or not Linux)
  }
  return JSON.stringify({
    host: os.hostname(),
    tfjsNodeGpu,
    driver,
    devices: env.CUDA_VISIBLE_DEVICES ?? null,
    libraryPath: env.LD_LIBRARY_PATH ?? null,
  });
}

/** Long enough for a first PTX JIT compile; CUDA keeps what it compiled for the next start. */
const PROBE_LIMIT_MS = 300_000;

function runProbeProcess(): ProbeOutcome {
  const script = `
    const tf = require('@tensorflow/tfjs-node-gpu');
    tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync();
  `;
  const res = spawnSync(process.execPath, ['-e', script], {
    env: {
      ...process.env,
      TF_CPP_MIN_LOG_LEVEL: '0',
      TF_FORCE_GPU_ALLOW_GROWTH: 'true',
      // Room for the JIT cache of a whole TensorFlow build, so the compile is paid once.
      CUDA_CACHE_MAXSIZE: process.env.CUDA_CACHE_MAXSIZE ?? '4294967296',
      ELECTRON_RUN_AS_NODE: '1',
    },
    encoding: 'utf8',
    timeout: PROBE_LIMIT_MS,
  });
  if (res.error || res.status !== 0) {
    const why = res.error ? res.error.message : `exit ${res.status ?? res.signal}`;
    return { gpu: null, detail: `the GPU probe did not finish (${why})` };
  }
  const device = /device:GPU:\d[^\n]*/.exec(`${res.stderr}${res.stdout}`);
  return device ? { gpu: true, detail: device[0].slice(0, 200) } : { gpu: false, detail: 'TensorFlow placed no op on a GPU device' };
}

let inProcess: boolean | undefined;

/** The probe the trainer passes to selectBackend: memoised in the process, cached per host. */
export function probeGpu(): Promise<boolean> {
  inProcess ??= cachedGpuProbe(gpuProbeCacheFile(), gpuProbeKey(), runProbeProcess).gpu ?? false;
  return Promise.resolve(inProcess);
}
