import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import type { Tf } from '../types';
import { enableAutodiff } from './autodiff';

async function on(backend: 'wasm' | 'cpu'): Promise<Tf> {
  const { tf } = await selectBackend({ only: backend });
  enableAutodiff(tf);
  return tf;
}

const values = (t: Tensor) => Array.from(t.dataSync());

describe('enableAutodiff', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`gives tf.grads and chained ops on ${backend}`, async () => {
      const tf = await on(backend);
      const g = tf.grad((x: Tensor) => (tf.div(x, 2) as unknown as { sum(): Tensor }).sum())(tf.tensor1d([1, 2, 3]));
      expect(values(g)).toEqual([0.5, 0.5, 0.5]);
      const [ga, gb] = tf.grads((a: Tensor, b: Tensor) => tf.mean(tf.square(tf.sub(tf.matMul(a, b), 1))))([tf.ones([2, 3]), tf.fill([3, 1], 0.5)]);
      // d/db mean((a·b − 1)²) with a = 1, b = 0.5: residual 0.5 per row, gradient 2·0.5·(sum over 2 rows of a)/2 = 1 per entry.
      expect(values(gb!)).toEqual([1, 1, 1]);
      expect(ga!.shape).toEqual([2, 3]);
    });
  }

  it('gives wasm the filter gradient of conv1d and conv2d, equal to the cpu kernel', async () => {
    const cases = [
      { x: [3, 17, 2], w: [5, 2, 4], stride: 2, pad: 'same' as const },
      { x: [2, 9, 1], w: [3, 1, 3], stride: 1, pad: 'valid' as const },
    ];
    for (const c of cases) {
      const run = async (backend: 'wasm' | 'cpu') => {
        const tf = await on(backend);
        const x = tf.tensor3d(Float32Array.from({ length: c.x.reduce((a, b) => a * b) }, (_, i) => Math.sin(i)), c.x as [number, number, number]);
        const w = tf.tensor3d(Float32Array.from({ length: c.w.reduce((a, b) => a * b) }, (_, i) => Math.cos(i)), c.w as [number, number, number]);
        const [gx, gw] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.square(tf.conv1d(a as never, b as never, c.stride, c.pad))))([x, w]);
        return { gx: values(gx!), gw: values(gw!) };
      };
      const cpu = await run('cpu');
      const wasm = await run('wasm');
      expect(wasm.gw.length).toBe(cpu.gw.length);
      wasm.gw.forEach((v, i) => expect(v).toBeCloseTo(cpu.gw[i]!, 3));
      wasm.gx.forEach((v, i) => expect(v).toBeCloseTo(cpu.gx[i]!, 3));
    }
    const tf = await on('wasm');
    const x = tf.randomNormal([2, 6, 7, 3], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 2, 3, 4], 0, 1, 'float32', 2);
    const gw = tf.grad((b: Tensor) => tf.sum(tf.conv2d(x as never, b as never, [2, 1], 'same')))(w);
    const cpuTf = await on('cpu');
    const gwCpu = cpuTf.grad((b: Tensor) => cpuTf.sum(cpuTf.conv2d(cpuTf.tensor(x.dataSync(), x.shape) as never, b as never, [2, 1], 'same')))(cpuTf.tensor(w.dataSync(), w.shape));
    values(gw).forEach((v, i) => expect(v).toBeCloseTo(gwCpu.dataSync()[i]!, 3));
  });

  it('gives the same matmul gradients on wasm (explicit transposes) as on cpu, for every transpose flag', async () => {
    const flags = [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const;
    for (const [ta, tb] of flags) {
      const results: number[][][] = [];
      for (const backend of ['cpu', 'wasm'] as const) {
        const tf = await on(backend);
        const a = tf.tensor2d(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), ta ? [4, 3] : [3, 4]);
        const b = tf.tensor2d(Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)), tb ? [5, 4] : [4, 5]);
        const [ga, gb] = tf.grads((x: Tensor, y: Tensor) => tf.sum(tf.square(tf.matMul(x as never, y as never, ta, tb))))([a, b]);
        results.push([values(ga!), values(gb!)]);
      }
      results[1]![0]!.forEach((v, i) => expect(v).toBeCloseTo(results[0]![0]![i]!, 4));
      results[1]![1]!.forEach((v, i) => expect(v).toBeCloseTo(results[0]![1]![i]!, 4));
    }
  });

  it('gives wasm the gradient of gather (segment sums), equal to the cpu kernel', async () => {
    const grads: number[][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      const tf = await on(backend);
      const table = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const g = tf.grad((t: Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([0, 2, 2, 1, 2], 'int32')), tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]))))(table);
      grads.push(values(g));
    }
    expect(grads[1]).toEqual(grads[0]);
    expect(grads[0]).toEqual([1, 2, 7, 8, 3 + 5 + 9, 4 + 6 + 10]);
  });

  it('trains a Layers-API CNN on wasm', async () => {
    const tf = await on('wasm');
    const model = tfl.sequential({
      layers: [tfl.layers.conv1d({ inputShape: [12, 1], filters: 3, kernelSize: 3, activation: 'relu', seed: 1 } as never), tfl.layers.flatten(), tfl.layers.dense({ units: 2, activation: 'softmax' })],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor3d(Float32Array.from({ length: 8 * 12 }, (_, i) => (Math.floor(i / 12) % 2 ? 1 : -1) * Math.sin(i)), [8, 12, 1]);
    const ys = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2), 'float32');
    const h = await model.fit(xs, ys, { epochs: 15, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss.at(-1)!).toBeLessThan(loss[0]!);
  });
});
