import type { Tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import type { Tf } from '../types';
import { Sgd, type SgdOptions } from './sgd';

const GRADS = [
  [0.5, -1.0, 2.0],
  [0.25, 0.0, -1.0],
  [-0.75, 1.5, 0.125],
];

/** torch.optim.SGD([p], lr=0.1, **options) from p = [1, −2, 0.5] after the three GRADS (torch 1.13, float32). */
const TORCH: [Omit<SgdOptions, 'lr'>, number[]][] = [
  [{ momentum: 0.9 }, [0.89200002, -1.87899995, 0.135500029]],
  [{ momentum: 0.9, dampening: 0.3 }, [0.883749962, -1.83399999, 0.0822500214]],
  [{ momentum: 0.9, nesterov: true }, [0.902799964, -1.9411, 0.0594500117]],
  [{ momentum: 0.9, weightDecay: 0.1 }, [0.838523984, -1.77154791, 0.114269502]],
  [{ momentum: 0, weightDecay: 0.1 }, [0.971544027, -1.99258792, 0.375629485]],
];

describe('SGD (torch.optim.SGD semantics)', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: 'wasm' })).tf;
  });

  it.each(TORCH)('matches PyTorch for %o', (options, expected) => {
    const start = tf.memory().numTensors;
    const sgd = new Sgd(tf, { lr: 0.1, ...options });
    let params: Tensor[] = [tf.tensor1d([1, -2, 0.5])];
    for (const g of GRADS) {
      const grad = tf.tensor1d(g);
      const next = sgd.step(params, [grad]);
      tf.dispose([...params, grad]);
      params = next;
    }
    const got = Array.from(params[0]!.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(sgd.t).toBe(3);
    tf.dispose(params);
    sgd.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('updates several tensors independently and rejects mismatched lists', () => {
    const sgd = new Sgd(tf, { lr: 1, momentum: 0.5 });
    const a = tf.tensor1d([1]);
    const b = tf.tensor2d([[2, 3]]);
    const ga = tf.tensor1d([1]);
    const gb = tf.tensor2d([[1, -1]]);
    const [a1, b1] = sgd.step([a, b], [ga, gb]);
    expect(Array.from(a1!.dataSync())).toEqual([0]);
    expect(Array.from(b1!.dataSync())).toEqual([1, 4]);
    const [a2, b2] = sgd.step([a1!, b1!], [ga, gb]); // buf = 0.5·buf + g = 1.5
    expect(Array.from(a2!.dataSync())).toEqual([-1.5]);
    expect(Array.from(b2!.dataSync())).toEqual([-0.5, 5.5]);
    expect(() => sgd.step([a2!], [ga])).toThrow(/stepped with 2 tensors/);
    expect(() => sgd.step([a2!, b2!], [ga])).toThrow(/2 parameters and 1 gradients/);
    expect(() => new Sgd(tf, { lr: 1, nesterov: true })).toThrow(/Nesterov momentum requires/);
    tf.dispose([a, b, ga, gb, a1!, b1!, a2!, b2!]);
    sgd.dispose();
  });
});
