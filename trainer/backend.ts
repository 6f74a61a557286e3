/**
 * Chooses the fastest TensorFlow.js backend that loads here: tfjs-node-gpu → tfjs-node → wasm → cpu.
 * Each is tried safely and every skip is recorded with its reason, so a run can say which backend
 * ran, whether a GPU was really used, and why the faster ones were not.
 */
import { BACKEND_NAMES, type BackendName, type BackendReport } from '../contract/runs';
import type { Tf } from '../experiments/types';
import { GPU_REQUIREMENTS, nativeSupport, type NativeBackend } from './native-support';

/** Fastest first. */
export const BACKEND_ORDER = BACKEND_NAMES;
export type { BackendName };
/** What a run records about its backend (the contract's BackendReport). */
export type BackendInfo = BackendReport;


function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? 'unknown error';
}

function explainNativeFailure(name: NativeBackend, err: unknown, platform: NodeJS.Platform, arch: string): string {
  const { help } = nativeSupport(name, platform, arch);
  const code = (err as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const why = `@tensorflow/${name} is not installed (its install downloads libtensorflow; it is an optional dependency and was dropped where that download failed)`;
    return platform === 'win32' && help ? `${why}; ${help}` : why;
  }
  const line = firstLine(err);
  if (name === 'tfjs-node-gpu' && platform !== 'win32' && /libcud|cuda|cudnn/i.test(line)) return `${line}: ${GPU_REQUIREMENTS}`;
  return platform === 'win32' && help ? `${line}; ${help}` : line;
}

/** Whether the native GPU build actually placed work on a GPU (set by the caller's probe). */
export type GpuProbe = () => Promise<boolean>;

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node'): Promise<Tf> {
  process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // The native packages register the 'tensorflow' backend on the shared tfjs-core instance.
  await import(/* @vite-ignore */ `@tensorflow/${name}`);
  const tf = await import('@tensorflow/tfjs-core');
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
  tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
  return tf;
}

async function tryJs(name: 'wasm' | 'cpu'): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend did not initialise`);
  await tf.ready();
  return tf;
}

function versionsOf(tf: Tf, name: BackendName): Record<string, string> {
  const v: Record<string, string> = { 'tfjs-core': tf.version_core, node: process.versions.node };
  if (process.versions.electron) v.electron = process.versions.electron;
  if (name === 'tfjs-node' || name === 'tfjs-node-gpu') {
    const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
    if (binding?.TF_Version) v.libtensorflow = binding.TF_Version;
  }
  return v;
}

export interface SelectOptions {
  /** Use exactly this backend (fails if it cannot load). */
  only?: BackendName;
  /** Decides `gpu` for tfjs-node-gpu; without it the GPU build is reported as not proven to use a GPU. */
  gpuProbe?: GpuProbe;
  /** The OS and CPU to judge native support for (tests); this process's by default. */
  platform?: NodeJS.Platform;
  arch?: string;
}

/**
 * Selections in one process run one at a time: tfjs has one global engine, and a second
 * setBackend() while the first backend's asynchronous init is pending (wasm) leaves the engine
 * without a backend instance, so a run already training falls onto another backend mid-op.
 * A trainer process selects once; this matters where several runs share a process (tests).
 */
let selecting: Promise<unknown> = Promise.resolve();

export function selectBackend(options: SelectOptions = {}): Promise<{ tf: Tf; info: BackendInfo }> {
  const next = selecting.then(() => selectBackendNow(options));
  selecting = next.catch(() => undefined);
  return next;
}

async function selectBackendNow(options: SelectOptions): Promise<{ tf: Tf; info: BackendInfo }> {
  const order = options.only ? [options.only] : BACKEND_ORDER;
  const skipped: BackendInfo['skipped'] = [];
  // Skipped backends before the forced one are still worth explaining in `doctor`.
  const { platform = process.platform, arch = process.arch } = options;
  for (const name of order) {
    const native = name === 'tfjs-node-gpu' || name === 'tfjs-node';
    const skip = native ? nativeSupport(name, platform, arch).skip : null;
    if (skip) {
      skipped.push({ name, reason: skip });
      continue;
    }
    try {
      const tf = native ? await tryNative(name) : await tryJs(name);
      const gpu = name === 'tfjs-node-gpu' ? ((await options.gpuProbe?.()) ?? false) : false;
      if (name === 'tfjs-node-gpu' && !gpu) {
        skipped.push({ name, reason: 'loaded, but no GPU device was used (CUDA found no usable GPU); training runs on the CPU through it' });
      }
      return { tf, info: { name, tfBackend: tf.getBackend(), gpu, skipped, versions: versionsOf(tf, name) } };
    } catch (err) {
      skipped.push({ name, reason: native ? explainNativeFailure(name, err, platform, arch) : firstLine(err) });
    }
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new Error(`No TensorFlow.js backend could be loaded (${detail})`);
}

export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (!value) return undefined;
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`PHENOBOOK_BACKEND must be one of ${BACKEND_ORDER.join(', ')}, got "${value}"`);
}
