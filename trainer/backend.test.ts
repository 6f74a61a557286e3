import { describe, expect, it } from 'vitest';
import { parseBackendName, selectBackend } from './backend';

describe('selectBackend', () => {
  it('falls back to the best backend that loads and says why it skipped the faster ones', async () => {
    const { tf, info } = await selectBackend();
    expect(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.tfBackend);
    expect(info.versions['tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
    // Every backend ahead of the chosen one has a recorded reason.
    const order = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
    const ahead = order.slice(0, order.indexOf(info.name));
    for (const name of ahead) {
      const skip = info.skipped.find((s) => s.name === name);
      expect(skip?.reason.length, name).toBeGreaterThan(10);
    }
    expect(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0])).toBe(5);
    console.log(`backend: ${info.name}; skipped: ${JSON.stringify(info.skipped)}`);
  });

  it('loads exactly the backend asked for', async () => {
    const { info } = await selectBackend({ only: 'cpu' });
    expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', gpu: false });
  });

  it('validates PHENOBOOK_BACKEND values', () => {
    expect(parseBackendName('wasm')).toBe('wasm');
    expect(parseBackendName(undefined)).toBeUndefined();
    expect(() => parseBackendName('metal')).toThrow(/must be one of tfjs-node-gpu, tfjs-node, wasm, cpu/);
  });
});

describe('the backend ladder on each OS', () => {
  it('does not try tfjs-node-gpu on macOS (no CUDA there) and says why', async () => {
    const { info } = await selectBackend({ platform: 'darwin', arch: 'arm64' });
    expect(info.skipped[0]).toEqual({
      name: 'tfjs-node-gpu',
      reason: 'macOS has no CUDA: tfjs-node-gpu installs the CPU build of libtensorflow there (it would only repeat tfjs-node), so it is not tried',
    });
  });

  it('gives the Windows workaround with a native failure', async () => {
    const { info } = await selectBackend({ platform: 'win32', arch: 'x64' });
    const cpu = info.skipped.find((s) => s.name === 'tfjs-node');
    const gpu = info.skipped.find((s) => s.name === 'tfjs-node-gpu');
    // Neither native package installs on this machine, so both are explained with the Windows facts.
    if (info.name === 'wasm' || info.name === 'cpu') {
      expect(cpu?.reason).toContain('copy node_modules/@tensorflow/tfjs-node/deps/lib/tensorflow.dll into the lib/napi-v* folder that holds tfjs_binding.node');
      expect(gpu?.reason).toContain('Use WSL2');
    }
  });

  it('skips the GPU package on Linux CPUs it has no build for', async () => {
    const { info } = await selectBackend({ platform: 'linux', arch: 'arm64' });
    expect(info.skipped[0]).toEqual({ name: 'tfjs-node-gpu', reason: 'tfjs-node-gpu 4.22 has GPU builds for Linux x86-64 only (this is arm64)' });
  });
});
