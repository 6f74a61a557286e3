import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the autodiff reference below needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { CORE_METRICS, type EvalPoint, type TrainContext, type TrainOutcome, type Tf } from '../types';
import { encode, EpochBatches, makeEquations, makeSplit, SEQ_LEN, trainSize } from './data';
import {
  GROKKING_TRANSFORMER_METRICS,
  grokkingTransformerConfigSchema,
  grokkingTransformerExperiment,
  initialParameters,
  modelShape,
  trainGrokkingTransformer,
  type GrokkingTransformerConfig,
  type GrokkingTransformerConfigInput,
} from './grokking-transformer.experiment';
import {
  disposeConsts,
  forward,
  hiddenStates,
  makeConsts,
  parameterCount,
  parameterLayout,
  seqBatch,
  toTensors,
  toTorchStateDict,
  unpack,
  type Layout,
} from './model';
import { TransformerTrainer, warmupFactor } from './trainer';

const parse = (input: GrokkingTransformerConfigInput): GrokkingTransformerConfig => grokkingTransformerConfigSchema.parse(input);

/** A small model on a small task: fast enough for end-to-end runs in tests. */
const TINY: GrokkingTransformerConfigInput = { modulus: 11, dModel: 16, heads: 2, layers: 2, batchSize: 16, steps: 30, evalEvery: 10, seed: 0 };

async function run(
  tf: Tf,
  input: GrokkingTransformerConfigInput,
  shouldStop: (step: number) => boolean = () => false,
): Promise<{ outcome: TrainOutcome; evals: EvalPoint[]; progress: { step: number; total: number; seconds: number }[] }> {
  const evals: EvalPoint[] = [];
  const progress: { step: number; total: number; seconds: number }[] = [];
  let lastProgress = 0;
  const ctx: TrainContext = {
    tf,
    shouldStop: () => shouldStop(lastProgress),
    onEval: (p) => evals.push(p),
    onProgress: (step, total, seconds) => {
      lastProgress = step;
      progress.push({ step, total, seconds });
    },
    yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
  };
  const outcome = await grokkingTransformerExperiment.train(parse(input), ctx);
  return { outcome, evals, progress };
}

function series(evals: EvalPoint[]): string[] {
  return evals.flatMap((e) => Object.entries(e.values).filter(([k]) => k !== 'wallTime').map(([k, v]) => `${e.step} ${k} ${v}`));
}

describe('grokking-transformer config', () => {
  it('defaults to the short AdamW demo and exposes the control, long and power-adamw presets', () => {
    const { presets } = grokkingTransformerExperiment;
    expect(presets.default).toEqual({});
    const c = parse({});
    // train.py's settings, except the demo's length and AdamW's weight decay 1.
    expect(c).toMatchObject({ modulus: 97, operation: 'mul', trainFraction: 0.5, batchSize: 512, lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8 });
    expect(c).toMatchObject({ dModel: 128, heads: 4, layers: 2, warmupSteps: 10, steps: 2000, weightDecay: 1 });
    expect(grokkingTransformerExperiment.totalSteps(c)).toBe(c.steps);
    for (const [name, preset] of Object.entries(presets)) expect(() => parse(preset), name).not.toThrow();
    expect(parse(presets.long!)).toMatchObject({ steps: 300_000, weightDecay: 0, batchSize: 512, lr: 1e-3 });
    expect(parse(presets['no-weight-decay']!)).toMatchObject({ steps: 2000, weightDecay: 0 });
    expect(parse(presets['power-adamw']!).weightDecay).toBe(1);
  });

  it('rejects bad values with messages naming the field and its range', () => {
    const message = (input: unknown) => {
      const r = grokkingTransformerConfigSchema.safeParse(input);
      expect(r.success).toBe(false);
      return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(message({ modulus: 1 })).toContain('modulus must be an integer from 2 to 1000');
    expect(message({ steps: 0.5 })).toContain('steps must be an integer from 1 to 10000000');
    expect(message({ batchSize: 0 })).toContain('batchSize must be an integer from 1 to');
    expect(message({ lr: 0 })).toContain('lr must be a number greater than 0 and at most 10');
    expect(message({ weightDecay: -1 })).toContain('weightDecay must be a number from 0 to 1000');
    expect(message({ trainFraction: 1 })).toContain('trainFraction must be a number strictly between 0 and 1');
    expect(message({ beta2: 1 })).toContain('beta2 must be a number from 0 to below 1');
    expect(message({ warmupSteps: -1 })).toContain('warmupSteps must be an integer from 0 to');
    expect(message({ heads: 0 })).toContain('heads must be an integer from 1 to 64');
    expect(message({ dModel: '128' })).toContain('dModel must be an integer from 4 to 1024');
    expect(message({ dModel: 100, heads: 8 })).toContain('heads: dModel must be divisible by heads (got dModel 100 and heads 8)');
    expect(message({ operation: 'sub' })).toContain('operation must be one of mul, add, div');
    expect(message({ operation: 'div', modulus: 96 })).toContain("modulus: operation 'div' needs a prime modulus");
    expect(message({ lr: 2, weightDecay: 1 })).toContain('lr × weightDecay must be at most 1');
    expect(message({ dModel: 1024, heads: 8, batchSize: 8192 })).toContain('too large together');
    expect(message({ wd: 1 })).toMatch(/wd/); // unknown keys are errors
  });
});

describe('grokking-transformer data', () => {
  it('has 9,312 equations c = x·y mod 97, split 4,656/4,656 by seed', () => {
    const eq = makeEquations(97, 'mul');
    expect(eq.c.length).toBe(9312);
    // torch.cartesian_prod order: x outer, y ∈ [1, 97) inner.
    expect([eq.x[0], eq.y[0], eq.x[95], eq.y[95], eq.x[96], eq.y[96]]).toEqual([0, 1, 0, 96, 1, 1]);
    for (let k = 0; k < eq.c.length; k += 97) expect(eq.c[k]).toBe((eq.x[k]! * eq.y[k]!) % 97);
    const s = makeSplit(97, 'mul', 0.5, 0);
    expect([s.train.length, s.test.length]).toEqual([4656, 4656]);
    expect(new Set([...s.train, ...s.test]).size).toBe(9312);
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(makeSplit(97, 'mul', 0.5, 0).hash).toBe(s.hash);
    expect(makeSplit(97, 'mul', 0.5, 1).hash).not.toBe(s.hash);
    expect(makeSplit(97, 'add', 0.5, 0).hash).not.toBe(s.hash);
    expect(trainSize(97, 0.3)).toBe(2793);
    const div = makeEquations(7, 'div');
    for (let k = 0; k < div.c.length; k++) expect((div.c[k]! * div.y[k]!) % 7).toBe(div.x[k]);
  });

  it('encodes [x, ∘, y, =] with ∘ = 98 and = = 97, the label c last', () => {
    const s = makeSplit(97, 'mul', 0.5, 0);
    const { tokens, labels } = encode(s.equations, s.train.subarray(0, 3));
    expect(tokens.length).toBe(3 * SEQ_LEN);
    for (let i = 0; i < 3; i++) {
      const k = s.train[i]!;
      expect(Array.from(tokens.subarray(i * 4, i * 4 + 4))).toEqual([s.equations.x[k], 98, s.equations.y[k], 97]);
      expect(labels[i]).toBe((s.equations.x[k]! * s.equations.y[k]!) % 97);
    }
  });

  it('draws batches epoch by epoch like torch.split: 9 × 512 + 48 per epoch', () => {
    const s = makeSplit(97, 'mul', 0.5, 0);
    const b = new EpochBatches(s.train, 512, 0);
    expect(b.stepsPerEpoch).toBe(10);
    for (let epoch = 0; epoch < 2; epoch++) {
      const seen: number[] = [];
      for (let i = 0; i < 10; i++) {
        const batch = b.get(epoch * 10 + i);
        expect(batch.length).toBe(i < 9 ? 512 : 48);
        seen.push(...batch);
      }
      expect(seen.sort((x, y) => x - y)).toEqual(Array.from(s.train).sort((x, y) => x - y));
    }
    const again = new EpochBatches(s.train, 512, 0);
    expect(Array.from(again.get(0))).toEqual(Array.from(new EpochBatches(s.train, 512, 0).get(0)));
    expect(Array.from(again.get(0))).not.toEqual(Array.from(new EpochBatches(s.train, 512, 1).get(0)));
  });
});

describe('grokking-transformer parameters', () => {
  it('has 422,784 parameters at the spec size (~423k)', () => {
    const shape = modelShape(parse({}));
    const d = 128;
    const block = 2 * d + 2 * d + (3 * d * d + 3 * d) + (d * d + d) + (d * 512 + 512) + (512 * d + d); // ln1, ln2, in_proj, out_proj, mlp
    const expected = 99 * d + 5 * d + 2 * block + 2 * d + d * 99; // tokens, positions (seq_len 5), blocks, ln_f, head
    expect(expected).toBe(422_784);
    expect(parameterCount(shape)).toBe(expected);
    expect(parameterLayout(shape).total).toBe(expected);
    expect(parameterCount({ vocab: 13, dModel: 16, heads: 2, layers: 3 })).toBe(parameterLayout({ vocab: 13, dModel: 16, heads: 2, layers: 3 }).total);
  });

  it('initialises like PyTorch: N(0, 1) embeddings, xavier in_proj, U(±1/√fan_in) linears, zero attention biases', () => {
    const c = parse({});
    const layout = parameterLayout(modelShape(c));
    const theta = initialParameters(c);
    const dict = toTorchStateDict(layout, theta);
    expect(dict['layers.0.attn.in_proj_weight']!.shape).toEqual([384, 128]);
    expect(dict['layers.1.mlp.0.weight']!.shape).toEqual([512, 128]);
    expect(dict['head.weight']!.shape).toEqual([99, 128]);
    const stats = (v: number[]) => {
      let sq = 0;
      let max = 0;
      for (const x of v) {
        sq += x * x;
        max = Math.max(max, Math.abs(x));
      }
      return { rms: Math.sqrt(sq / v.length), max };
    };
    expect(stats(dict['token_embeddings.weight']!.values).rms).toBeCloseTo(1, 1);
    const xavier = Math.sqrt(6 / 512);
    const inProj = stats(dict['layers.0.attn.in_proj_weight']!.values);
    expect(inProj.max).toBeLessThanOrEqual(xavier);
    expect(inProj.rms).toBeCloseTo(xavier / Math.sqrt(3), 2);
    expect(stats(dict['layers.0.attn.in_proj_bias']!.values).max).toBe(0);
    expect(stats(dict['layers.0.attn.out_proj.bias']!.values).max).toBe(0);
    expect(stats(dict['layers.0.attn.out_proj.weight']!.values).max).toBeLessThanOrEqual(1 / Math.sqrt(128));
    expect(stats(dict['layers.0.mlp.2.bias']!.values).max).toBeLessThanOrEqual(1 / Math.sqrt(512));
    expect(stats(dict['layers.0.mlp.2.bias']!.values).max).toBeGreaterThan(0);
    expect(new Set(dict['layers.1.ln_2.weight']!.values)).toEqual(new Set([1]));
    expect(initialParameters(c)).toEqual(theta);
    expect(initialParameters(parse({ seed: 1 }))).not.toEqual(theta);
  });

  it('warms the learning rate up linearly from 0 over 10 updates (LambdaLR)', () => {
    expect([0, 1, 5, 10, 11, 1000].map((t) => warmupFactor(t, 10))).toEqual([0, 0.1, 0.5, 1, 1, 1]);
    expect(warmupFactor(0, 0)).toBe(1);
  });
});

/**
 * An independent forward pass of the same model, written the textbook way (one-hot embedding
 * matmul, batched-matmul attention over all positions, two-pass layer norm) so that tf.grads can
 * differentiate it. `tokens` and `labels` are one-hot float rows ([B·4, V] and [B, V]). Returns the
 * mean cross-entropy on the last position.
 */
function referenceLoss(tf: Tf, layout: Layout, params: readonly Tensor[], tokens: Tensor2D, labels: Tensor2D): Tensor {
  const { dModel: d, heads: H, layers } = layout.shape;
  const dh = d / H;
  const B = labels.shape[0];
  const T = SEQ_LEN;
  const get = (name: string) => params[layout.spans.findIndex((s) => s.name === name)]!;
  const ln = (x: Tensor, g: Tensor, b: Tensor) => {
    const mean = tf.mean(x, -1, true);
    const variance = tf.mean(tf.square(tf.sub(x, mean)), -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const lin = (x: Tensor, w: Tensor, b: Tensor) => tf.add(tf.matMul(x as Tensor2D, w as Tensor2D), b);
  let h = tf.add(tf.reshape(tf.matMul(tokens, get('token_embeddings.weight') as Tensor2D), [B, T, d]), tf.slice(get('position_embeddings.weight'), [0, 0], [T, d]));
  h = tf.reshape(h, [B * T, d]);
  const maskValues: number[] = [];
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) maskValues.push(j > i ? -1e9 : 0);
  const mask = tf.tensor2d(maskValues, [T, T]);
  const heads = (x: Tensor) => tf.transpose(tf.reshape(x, [B, T, H, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
  for (let l = 0; l < layers; l++) {
    const g = (n: string) => get(`layers.${l}.${n}`);
    const a = ln(h, g('ln_1.weight'), g('ln_1.bias'));
    const q = heads(lin(a, g('attn.in_proj_weight.q'), g('attn.in_proj_bias.q')));
    const k = heads(lin(a, g('attn.in_proj_weight.k'), g('attn.in_proj_bias.k')));
    const v = heads(lin(a, g('attn.in_proj_weight.v'), g('attn.in_proj_bias.v')));
    const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)), mask);
    const o = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [B * T, d]);
    const r = tf.add(a, lin(o, g('attn.out_proj.weight'), g('attn.out_proj.bias')));
    const pre = lin(ln(r, g('ln_2.weight'), g('ln_2.bias')), g('mlp.0.weight'), g('mlp.0.bias'));
    const gelu = tf.mul(tf.mul(pre, 0.5), tf.add(1, tf.erf(tf.div(pre, Math.SQRT2))));
    h = tf.add(r, lin(gelu, g('mlp.2.weight'), g('mlp.2.bias')));
  }
  const last = tf.reshape(tf.slice(tf.reshape(h, [B, T, d]), [0, T - 1, 0], [B, 1, d]), [B, d]);
  const logits = tf.matMul(ln(last, get('ln_f.weight'), get('ln_f.bias')) as Tensor2D, get('head.weight') as Tensor2D);
  return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), labels))), B);
}

describe.each(['wasm', 'cpu'] as const)('grokking-transformer model on %s', (backend) => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: backend })).tf;
  });

  function batchOf(config: GrokkingTransformerConfig, n: number) {
    const split = makeSplit(config.modulus, config.operation, config.trainFraction, config.seed);
    return encode(split.equations, split.train.subarray(0, n));
  }

  it.each([1, 2, 3])('hand-written forward and backward equal an autodiff reference of the textbook formulation (%i blocks)', (layers) => {
    // Scaled-up weights make the attention far from uniform, so the check is not trivial. 12
    // sequences over 7 values of x: some x repeat (their prefix gradients add up), some are absent.
    const config = parse({ modulus: 7, dModel: 8, heads: 2, layers, seed: 5 });
    const layout = parameterLayout(modelShape(config));
    const theta0 = initialParameters(config, layout).map((v, i) => v * (1.5 + 0.5 * Math.sin(i)));
    const { tokens, labels } = batchOf(config, 12);
    const trainer = new TransformerTrainer(tf, layout, theta0, { ...config, warmupSteps: 10 });
    const before = tf.memory().numTensors;
    const { oursLoss, oursGrad, refLoss, refGrad } = tf.tidy(() => {
      const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), layout.shape.vocab), 'float32') as Tensor2D;
      const ours = trainer.lossAndGradient(seqBatch(tf, layout.shape.vocab, tokens), oneHot);
      const tokOneHot = tf.cast(tf.oneHot(tf.tensor1d(tokens, 'int32'), layout.shape.vocab), 'float32') as Tensor2D;
      const f = (...params: Tensor[]) => referenceLoss(tf, layout, params, tokOneHot, oneHot);
      const { value, grads } = tf.valueAndGrads(f)(trainer.params);
      const flat = (ts: Tensor[]) => tf.concat(ts.map((t) => tf.reshape(t, [-1]))).dataSync();
      return { oursLoss: ours.loss.dataSync()[0]!, oursGrad: flat(ours.grads), refLoss: value.dataSync()[0]!, refGrad: flat(grads) };
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(oursLoss).toBeGreaterThan(1);
    expect(Math.abs(oursLoss - refLoss)).toBeLessThan(1e-5 * oursLoss);
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < refGrad.length; i++) {
      scale = Math.max(scale, Math.abs(refGrad[i]!));
      diff = Math.max(diff, Math.abs(refGrad[i]! - oursGrad[i]!));
    }
    expect(scale).toBeGreaterThan(1e-2);
    expect(diff / scale).toBeLessThan(1e-5); // measured ≈ 3e-7 on wasm and cpu
    // Position row 4 is never used: its gradient is exactly 0.
    const pos = layout.spans.find((s) => s.name === 'position_embeddings.weight')!;
    expect(Array.from(oursGrad.subarray(pos.offset + 4 * 8, pos.offset + 5 * 8))).toEqual(new Array(8).fill(0));
    trainer.dispose();
  });

  it('is causal: a later token never changes earlier positions; the pruned last block matches the full one', () => {
    const config = parse({ modulus: 11, dModel: 16, heads: 4, layers: 2, seed: 1 });
    const layout = parameterLayout(modelShape(config));
    const theta = toTensors(tf, layout, initialParameters(config, layout));
    const consts = makeConsts(tf, layout.shape);
    // Sequence 0, then one differing in y (position 2), one in x (position 0), one at position 3.
    const tokens = new Int32Array([3, 12, 5, 11, 3, 12, 9, 11, 4, 12, 5, 11, 3, 12, 5, 7]);
    const { states, logits } = tf.tidy(() => {
      const p = unpack(tf, layout, theta);
      const input = seqBatch(tf, layout.shape.vocab, tokens);
      return {
        states: hiddenStates(tf, consts, layout.shape, p, input).map((s) => s.arraySync()),
        logits: forward(tf, consts, layout.shape, p, input).logits.arraySync(),
      };
    });
    const row = (l: number, b: number, t: number) => states[l]![b * SEQ_LEN + t]!;
    const maxDiff = (u: number[], v: number[]) => Math.max(...u.map((x, i) => Math.abs(x - v[i]!)));
    for (let l = 1; l <= 2; l++) {
      for (const t of [0, 1]) expect(maxDiff(row(l, 0, t), row(l, 1, t))).toBe(0);
      for (const t of [2, 3]) expect(maxDiff(row(l, 0, t), row(l, 1, t))).toBeGreaterThan(1e-3);
      for (const t of [0, 1, 2, 3]) expect(maxDiff(row(l, 0, t), row(l, 2, t))).toBeGreaterThan(1e-3);
      for (const t of [0, 1, 2]) expect(maxDiff(row(l, 0, t), row(l, 3, t))).toBe(0);
      expect(maxDiff(row(l, 0, 3), row(l, 3, 3))).toBeGreaterThan(1e-3);
    }
    // The pruned forward's logits equal ln_f + head applied to the full final state at the last position.
    const full = tf.tidy(() => {
      const p = unpack(tf, layout, theta);
      const last = tf.tensor2d([0, 1, 2, 3].map((b) => row(2, b, 3)));
      const mean = tf.mean(last, -1, true);
      const variance = tf.mean(tf.square(tf.sub(last, mean)), -1, true);
      const z = tf.add(tf.mul(tf.div(tf.sub(last, mean), tf.sqrt(tf.add(variance, 1e-5))), p.lnfG), p.lnfB);
      return tf.matMul(z as Tensor2D, p.head).arraySync() as number[][];
    });
    for (let b = 0; b < 4; b++) expect(maxDiff(logits[b]!, full[b]!)).toBeLessThan(1e-4);
    tf.dispose(theta);
    disposeConsts(consts);
  });

  it('refuses sequences whose position 1 is not ∘', () => {
    expect(() => seqBatch(tf, 13, new Int32Array([3, 11, 5, 11]))).toThrow(/position 1 holds token 11, not ∘ \(12\)/);
  });

  it('first update has lr 0 (warm-up) and leaves θ unchanged; later updates move it', () => {
    const config = parse({ ...TINY, seed: 2, weightDecay: 0 });
    const layout = parameterLayout(modelShape(config));
    const theta0 = initialParameters(config, layout);
    const trainer = new TransformerTrainer(tf, layout, theta0, config);
    const { tokens, labels } = batchOf(config, 16);
    trainer.step(tokens, labels).dispose();
    expect(trainer.values()).toEqual(theta0);
    trainer.step(tokens, labels).dispose();
    const moved = trainer.values();
    let maxStep = 0;
    for (let i = 0; i < moved.length; i++) maxStep = Math.max(maxStep, Math.abs(moved[i]! - theta0[i]!));
    // Update 2 runs at lr·0.1 on the same gradient as update 1 (θ did not move): Adam's bias-corrected
    // m̂/√v̂ is then exactly ±1, so every coordinate with a gradient moves by lr·0.1 = 1e-4.
    expect(maxStep).toBeGreaterThan(0.99e-4);
    expect(maxStep).toBeLessThan(1.01e-4);
    trainer.dispose();
  });
});

describe('grokking-transformer training (wasm)', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: 'wasm' })).tf;
  });

  it('lowers the loss over the first 20 steps at the spec size (batch 64)', () => {
    const config = parse({ batchSize: 64, seed: 0 });
    const layout = parameterLayout(modelShape(config));
    const trainer = new TransformerTrainer(tf, layout, initialParameters(config, layout), config);
    const split = makeSplit(config.modulus, config.operation, config.trainFraction, config.seed);
    const { tokens, labels } = encode(split.equations, split.train.subarray(0, 64));
    const losses: number[] = [];
    for (let s = 0; s < 21; s++) {
      const loss = trainer.step(tokens, labels);
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    trainer.dispose();
    // Step 0 runs at lr 0: its loss is the initial one (≈ ln 99 plus the init's spread).
    expect(losses[0]).toBeGreaterThan(3.5);
    expect(losses[20]!).toBeLessThan(losses[0]! - 1);
  });

  it('records the core metrics, is deterministic per seed, keeps memory flat and hashes its data', async () => {
    const before = tf.memory().numTensors;
    const a = await run(tf, TINY);
    expect(tf.memory().numTensors).toBe(before);
    const b = await run(tf, TINY);
    const c = await run(tf, { ...TINY, seed: 1 });
    expect(a.outcome).toMatchObject({ status: 'done', stepsCompleted: 30 });
    expect(a.outcome.dataHash).toBe(makeSplit(11, 'mul', 0.5, 0).hash);
    expect(a.evals.map((e) => e.step)).toEqual([0, 10, 20, 30]);
    for (const name of CORE_METRICS) expect(a.evals[0]!.values[name], name).toBeTypeOf('number');
    for (const e of a.evals) for (const name of Object.keys(e.values)) expect(GROKKING_TRANSFORMER_METRICS).toContain(name);
    expect(a.evals[1]!.values.batchLoss).toBeGreaterThan(0);
    expect(a.evals[0]!.values.trainLoss).toBeGreaterThan(a.evals[3]!.values.trainLoss!);
    expect(a.evals[0]!.values.primeCount).toBeGreaterThan(0); // N(0, 1) embeddings have |θ| ≥ 1.5
    expect(series(b.evals)).toEqual(series(a.evals));
    expect(series(c.evals)).not.toEqual(series(a.evals));
    expect(c.outcome.dataHash).not.toBe(a.outcome.dataHash);
  });

  it('reports divergence with its reason', async () => {
    const config = parse(TINY);
    const theta0 = initialParameters(config);
    theta0[5] = Number.NaN; // a token embedding
    const evals: EvalPoint[] = [];
    const ctx: TrainContext = {
      tf,
      shouldStop: () => false,
      onEval: (p) => evals.push(p),
      onProgress: () => {},
      yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
    };
    const outcome = await trainGrokkingTransformer(config, ctx, { theta0 });
    expect(outcome).toMatchObject({ status: 'diverged', stepsCompleted: 0, reason: 'train loss became NaN at step 0 (checked every 10 steps)' });
    expect(evals).toHaveLength(1);
  });

  it('reports progress often enough for an ETA and stops when asked', async () => {
    const done = await run(tf, { ...TINY, steps: 40, evalEvery: 100 });
    const steps = done.progress.map((p) => p.step);
    expect(steps.at(-1)).toBe(40);
    expect(done.progress.every((p) => p.total === 40)).toBe(true);
    expect(steps.length).toBeGreaterThanOrEqual(4); // at least every 10 steps
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]!);
      expect(done.progress[i]!.seconds).toBeGreaterThanOrEqual(done.progress[i - 1]!.seconds);
    }
    const p = done.progress.find((x) => x.step === 20)!;
    const eta = (p.seconds / p.step) * (p.total - p.step);
    expect(eta).toBeGreaterThan(0);
    expect(done.outcome.trainSeconds).toBeGreaterThan(0);

    const stopped = await run(tf, { ...TINY, steps: 1000 }, (step) => step >= 20);
    expect(stopped.outcome.status).toBe('cancelled');
    expect(stopped.outcome.stepsCompleted).toBe(20);
    expect(stopped.outcome.dataHash).toBe(done.outcome.dataHash);
  });
});
