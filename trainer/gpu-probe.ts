import { spawnSync } from 'node:child_process';

let cached: boolean | undefined;

/**
 * Whether TensorFlow (through tfjs-node-gpu) really places work on a GPU. The native library only
 * says so in its own log, so a short child process runs one op with device logging on and the
 * log is read. Cached for the life of the process.
 */
export function probeGpu(): Promise<boolean> {
  if (cached !== undefined) return Promise.resolve(cached);
  const script = `
    const tf = require('@tensorflow/tfjs-node-gpu');
    tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync();
  `;
  const res = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '0', TF_FORCE_GPU_ALLOW_GROWTH: 'true', ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  cached = res.status === 0 && /device:GPU:\d/.test(`${res.stderr}${res.stdout}`);
  return Promise.resolve(cached);
}
