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
