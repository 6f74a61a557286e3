/**
 * The decoder of teddykoker/grokking `train.py` with a hand-written backward pass.
 *
 *   h = E[tok] + P[pos]                                   (nn.Embedding, seq_len 5: P has 5 rows, 4 used)
 *   per block:  a = ln1(h);  h = a + attn(a);  h = h + mlp(ln2(h))
 *               (the ln1 output replaces h: the residual stream starts from it, as coded)
 *   logits = head(ln_f(h))[last position]                 (head without bias)
 *
 * attn is nn.MultiheadAttention (sequence-first, dropout 0) with the causal mask: q, k, v = a·W + b,
 * S = (q/√d_h)·kᵀ + mask (−∞ above the diagonal), softmax over keys, o = P·v, out = o·Wo + bo.
 * mlp is Linear(d, 4d) → exact GELU (erf) → Linear(4d, d). LayerNorm ε = 1e-5.
 *
 * Two exact shortcuts (the same numbers as the full computation; ~2.2 instead of ~4.9 GFLOP per
 * step at batch 512):
 *   - only the last position's logits enter the loss, so the last block computes its query,
 *     attention output and MLP for that position alone (keys and values still cover all four);
 *   - positions 0 and 1 ([x, ∘]) depend on x alone, so they are computed once per step for each of
 *     the p values of x (see "Forward and backward" below).
 *
 * Why a hand-written backward instead of tf.grads: the tfjs-core build that Node loads
 * (`dist/tf-core.node.js`) registers no gradient functions (the `@tensorflow/tfjs` umbrella does,
 * and only Vite-bundled code can import `register_all_gradients`), so autodiff works in the vitest
 * run but fails in the trainer on the wasm and cpu backends. The tests check loss and gradient
 * against tf.grads of an independent textbook forward pass (relative gradient error ~3e-7), and
 * compare-torch.ts checks losses and training steps against PyTorch.
 *
 * Attention over 4 positions is done with broadcast products and sums instead of batched matmuls:
 * S[b,i,j,h] = Σ_e q[b,i,h,e]·k[b,j,h,e] as [B,Tq,1,H,dh] ⊙ [B,1,T,H,dh] summed over e, needing no
 * transposes (which are slow on wasm) and no per-(batch, head) matmul calls.
 *
 * Parameters are one tensor per PyTorch parameter (q, k and v of in_proj apart), in the order of
 * `parameterLayout`; on the host θ is their concatenation. (A single flat θ tensor sliced per step
 * was slower on wasm: each slice of a 1-D tensor reads the whole tensor back, ~0.3 ms × 37.)
 * Weights are stored transposed ([fan_in, fan_out]) so every forward matmul is a plain x·W.
 *
 * wasm-specific choice (measured with fresh tensors at batch 512): a linear layer's backward
 * transposes dY once, then dWᵀ = dYᵀ·x and db = the row sums of dYᵀ. A reduction over axis 0 costs
 * as much as a transpose (it transposes internally: 8 ms for [2048, 512]) while one over the last
 * axis is nearly free, and matMul with transposeA is ~5× slower than an explicit transpose.
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import type { Tf } from '../types';
import { POSITION_ROWS, SEQ_LEN } from './data';

export interface TransformerShape {
  /** Token vocabulary (p + 2) = number of output classes. */
  vocab: number;
  dModel: number;
  heads: number;
  layers: number;
}

type Init = { kind: 'normal'; std: number } | { kind: 'uniform'; bound: number } | { kind: 'constant'; value: number };

export interface Span {
  /** Name of the PyTorch parameter it stores (q/k/v are the three row blocks of in_proj_weight). */
  name: string;
  offset: number;
  size: number;
  /** Shape as stored in θ: weights are [fan_in, fan_out] (the transpose of PyTorch's layout). */
  shape: [number] | [number, number];
  /** True for weights stored transposed relative to PyTorch. */
  transposed: boolean;
  init: Init;
}

export interface Layout {
  shape: TransformerShape;
  spans: Span[];
  total: number;
}

/** Spans of one block, in PyTorch's `state_dict` order (ln_1, ln_2, attn, mlp). */
const BLOCK_FIELDS = ['ln1g', 'ln1b', 'ln2g', 'ln2b', 'wq', 'wk', 'wv', 'bq', 'bk', 'bv', 'wo', 'bo', 'w1', 'b1', 'w2', 'b2'] as const;
type BlockField = (typeof BLOCK_FIELDS)[number];

export function parameterLayout(shape: TransformerShape): Layout {
  const { vocab, dModel: d, layers } = shape;
  const hidden = 4 * d;
  const spans: Span[] = [];
  let offset = 0;
  const add = (name: string, s: [number] | [number, number], init: Init, transposed = false) => {
    const size = s.reduce((x, y) => x * y, 1);
    spans.push({ name, offset, size, shape: s, transposed, init });
    offset += size;
  };
  const linear = (fanIn: number) => ({ kind: 'uniform', bound: 1 / Math.sqrt(fanIn) }) as const;
  const zero = { kind: 'constant', value: 0 } as const;
  const one = { kind: 'constant', value: 1 } as const;
  add('token_embeddings.weight', [vocab, d], { kind: 'normal', std: 1 });
  add('position_embeddings.weight', [POSITION_ROWS, d], { kind: 'normal', std: 1 });
  // nn.MultiheadAttention._reset_parameters: xavier_uniform_ on in_proj_weight [3d, d], zero biases;
  // out_proj keeps nn.Linear's kaiming_uniform(a=√5) weight, U(±1/√fan_in), and gets a zero bias.
  const xavier = { kind: 'uniform', bound: Math.sqrt(6 / (d + 3 * d)) } as const;
  for (let l = 0; l < layers; l++) {
    const pre = `layers.${l}.`;
    add(`${pre}ln_1.weight`, [d], one);
    add(`${pre}ln_1.bias`, [d], zero);
    add(`${pre}ln_2.weight`, [d], one);
    add(`${pre}ln_2.bias`, [d], zero);
    add(`${pre}attn.in_proj_weight.q`, [d, d], xavier, true);
    add(`${pre}attn.in_proj_weight.k`, [d, d], xavier, true);
    add(`${pre}attn.in_proj_weight.v`, [d, d], xavier, true);
    add(`${pre}attn.in_proj_bias.q`, [d], zero);
    add(`${pre}attn.in_proj_bias.k`, [d], zero);
    add(`${pre}attn.in_proj_bias.v`, [d], zero);
    add(`${pre}attn.out_proj.weight`, [d, d], linear(d), true);
    add(`${pre}attn.out_proj.bias`, [d], zero);
    add(`${pre}mlp.0.weight`, [d, hidden], linear(d), true);
    add(`${pre}mlp.0.bias`, [hidden], linear(d));
    add(`${pre}mlp.2.weight`, [hidden, d], linear(hidden), true);
    add(`${pre}mlp.2.bias`, [d], linear(hidden));
  }
  add('ln_f.weight', [d], one);
  add('ln_f.bias', [d], zero);
  add('head.weight', [d, vocab], linear(d), true);
  return { shape, spans, total: offset };
}

/** Number of parameters of the PyTorch model (θ's length). */
export function parameterCount(shape: TransformerShape): number {
  const { vocab: V, dModel: d, layers: L } = shape;
  const block = 2 * 2 * d + (3 * d * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
  return V * d + POSITION_ROWS * d + L * block + 2 * d + d * V;
}

/** θ₀: PyTorch's default initialisation of every parameter, drawn span by span from `rng`. */
export function initParameters(layout: Layout, rng: Rng): Float32Array {
  const theta = new Float32Array(layout.total);
  for (const span of layout.spans) {
    const { init } = span;
    for (let k = span.offset; k < span.offset + span.size; k++) {
      theta[k] = init.kind === 'normal' ? init.std * rng.normal() : init.kind === 'uniform' ? (2 * rng.next() - 1) * init.bound : init.value;
    }
  }
  return theta;
}

/**
 * θ as PyTorch `state_dict` entries (row-major values in PyTorch's layout), in_proj q/k/v joined
 * back into `in_proj_weight` [3d, d] and `in_proj_bias` [3d]. For the PyTorch reference.
 */
export function toTorchStateDict(layout: Layout, theta: ArrayLike<number>): Record<string, { shape: number[]; values: number[] }> {
  const out: Record<string, { shape: number[]; values: number[] }> = {};
  for (const span of layout.spans) {
    let values: number[];
    let shape: number[];
    if (span.transposed) {
      const [fin, fout] = span.shape as [number, number];
      values = new Array<number>(span.size);
      for (let i = 0; i < fin; i++) for (let o = 0; o < fout; o++) values[o * fin + i] = theta[span.offset + i * fout + o]!;
      shape = [fout, fin];
    } else {
      values = Array.from({ length: span.size }, (_, k) => theta[span.offset + k]!);
      shape = [...span.shape];
    }
    const joined = /^(.*\.in_proj_(?:weight|bias))\.[qkv]$/.exec(span.name);
    if (joined) {
      const name = joined[1]!;
      const prev = out[name];
      if (prev) {
        prev.values.push(...values);
        prev.shape[0]! += shape[0]!;
      } else out[name] = { shape, values };
    } else out[span.name] = { shape, values };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parameter views

interface BlockParams {
  ln1g: Tensor1D;
  ln1b: Tensor1D;
  ln2g: Tensor1D;
  ln2b: Tensor1D;
  wq: Tensor2D;
  wk: Tensor2D;
  wv: Tensor2D;
  bq: Tensor1D;
  bk: Tensor1D;
  bv: Tensor1D;
  wo: Tensor2D;
  bo: Tensor1D;
  w1: Tensor2D;
  b1: Tensor1D;
  w2: Tensor2D;
  b2: Tensor1D;
}

export interface Params {
  tok: Tensor2D;
  /** The first SEQ_LEN rows of the position table, [4, d]. */
  pos: Tensor2D;
  blocks: BlockParams[];
  lnfG: Tensor1D;
  lnfB: Tensor1D;
  head: Tensor2D;
}

/** One tensor per span of θ, shaped as stored (call inside a tidy or dispose them). */
export function toTensors(tf: Tf, layout: Layout, theta: Float32Array): Tensor[] {
  return layout.spans.map((span) => tf.tensor(theta.subarray(span.offset, span.offset + span.size), span.shape));
}

/** The parameter tensors (one per span, in layout order) by role; the position table cut to 4 rows (call inside a tidy). */
export function unpack(tf: Tf, layout: Layout, tensors: readonly Tensor[]): Params {
  if (tensors.length !== layout.spans.length) throw new Error(`expected ${layout.spans.length} parameter tensors, got ${tensors.length}`);
  let i = 0;
  const next = <T extends Tensor>(): T => tensors[i++]! as T;
  const tok = next<Tensor2D>();
  const pos = tf.slice(next<Tensor2D>(), [0, 0], [SEQ_LEN, -1]);
  const blocks: BlockParams[] = [];
  for (let l = 0; l < layout.shape.layers; l++) {
    const b = {} as Record<BlockField, Tensor>;
    for (const f of BLOCK_FIELDS) b[f] = next();
    blocks.push(b as unknown as BlockParams);
  }
  return { tok, pos, blocks, lnfG: next(), lnfB: next(), head: next() };
}

// ---------------------------------------------------------------------------------------------
// Forward and backward
//
// The prefix [x, ∘] of every sequence depends on x alone (∘ is constant and the mask is causal), so
// positions 0 and 1 are computed once per step for all p values of x — the "prefix" stream, rows
// [2p, d], row 2v + t — and each sample carries only positions 2 and 3 — the "suffix" stream, rows
// [2B, d], row 2b + t − 2. Suffix queries attend to the prefix keys and values of their own x
// (gathered by x) and to their own; the gradients of those gathered keys and values are
// scatter-added back onto the prefix rows. At batch 512 and p = 97 this cuts the rows of every
// block from 2,048 to 1,024 + 194 (measured 330–340 → 210–240 ms per training step on wasm), the
// same numbers as the full computation (checked against the textbook forward pass in the tests).

/** Positions in each stream. */
const PREFIX = 2;
const SUFFIX = SEQ_LEN - PREFIX;

/** Constants uploaded once per model. */
export interface Consts {
  eps: Scalar;
  half: Scalar;
  one: Scalar;
  invSqrt2: Scalar;
  negHalf: Scalar;
  invSqrt2Pi: Scalar;
  /** 1/√d_head. */
  scale: Scalar;
  /** Causal mask of the prefix over itself, [1, 2, 2, 1]: −∞ where a key comes after the query. */
  prefixMask: Tensor4D;
  /** Mask of suffix queries (positions 2, 3) over all keys (positions 0–3), [1, 2, 4, 1]. */
  suffixMask: Tensor4D;
  /** Token ids of the prefix rows [v, ∘] for v = 0 … p − 1, int32 [2p, 1]. */
  prefixTokens: Tensor2D;
}

function causalMask(queries: number[], keys: number[]): Float32Array {
  const m = new Float32Array(queries.length * keys.length);
  queries.forEach((q, i) => keys.forEach((k, j) => (m[i * keys.length + j] = k > q ? -Infinity : 0)));
  return m;
}

export function makeConsts(tf: Tf, shape: TransformerShape): Consts {
  const p = shape.vocab - 2;
  const prefixTokens = new Int32Array(PREFIX * p);
  for (let v = 0; v < p; v++) {
    prefixTokens[2 * v] = v;
    prefixTokens[2 * v + 1] = p + 1; // ∘
  }
  return {
    eps: tf.scalar(1e-5),
    half: tf.scalar(0.5),
    one: tf.scalar(1),
    invSqrt2: tf.scalar(Math.SQRT1_2),
    negHalf: tf.scalar(-0.5),
    invSqrt2Pi: tf.scalar(1 / Math.sqrt(2 * Math.PI)),
    scale: tf.scalar(1 / Math.sqrt(shape.dModel / shape.heads)),
    prefixMask: tf.tensor4d(causalMask([0, 1], [0, 1]), [1, PREFIX, PREFIX, 1]),
    suffixMask: tf.tensor4d(causalMask([2, 3], [0, 1, 2, 3]), [1, SUFFIX, SEQ_LEN, 1]),
    prefixTokens: tf.tensor2d(prefixTokens, [PREFIX * p, 1], 'int32'),
  };
}

export function disposeConsts(c: Consts): void {
  for (const t of Object.values(c)) (t as Tensor).dispose();
}

/** A batch of sequences [x, ∘, y, =] as the model reads them. */
export interface SeqBatch {
  n: number;
  /** x of each sequence, int32 [n, 1]. */
  x: Tensor2D;
  /** Tokens at positions 2 and 3 (y, =), int32 [2n, 1]. */
  suffix: Tensor2D;
}

/** Uploads token rows [n × 4]; position 1 must be ∘ (the prefix stream assumes it). */
export function seqBatch(tf: Tf, vocab: number, tokens: Int32Array): SeqBatch {
  const n = tokens.length / SEQ_LEN;
  const x = new Int32Array(n);
  const suffix = new Int32Array(SUFFIX * n);
  for (let i = 0; i < n; i++) {
    if (tokens[i * SEQ_LEN + 1] !== vocab - 1) throw new Error(`sequence ${i}: position 1 holds token ${tokens[i * SEQ_LEN + 1]}, not ∘ (${vocab - 1})`);
    x[i] = tokens[i * SEQ_LEN]!;
    suffix[2 * i] = tokens[i * SEQ_LEN + 2]!;
    suffix[2 * i + 1] = tokens[i * SEQ_LEN + 3]!;
  }
  return { n, x: tf.tensor2d(x, [n, 1], 'int32'), suffix: tf.tensor2d(suffix, [SUFFIX * n, 1], 'int32') };
}

export function disposeSeqBatch(b: SeqBatch): void {
  b.x.dispose();
  b.suffix.dispose();
}

interface LnCache {
  xhat: Tensor2D;
  rstd: Tensor2D;
}

function layerNorm(tf: Tf, c: Consts, x: Tensor2D, g: Tensor1D, b: Tensor1D): { y: Tensor2D; cache: LnCache } {
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), c.eps)) as Tensor2D;
  const xhat = tf.mul(xc, rstd) as Tensor2D;
  return { y: tf.add(tf.mul(xhat, g), b) as Tensor2D, cache: { xhat, rstd } };
}

/** dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)), dx̂ = dy ⊙ γ. */
function layerNormBackward(tf: Tf, dy: Tensor2D, cache: LnCache, g: Tensor1D): { dx: Tensor2D; dg: Tensor; db: Tensor } {
  const { xhat, rstd } = cache;
  const dg = colSum(tf, tf.mul(dy, xhat) as Tensor2D);
  const db = colSum(tf, dy);
  const dxhat = tf.mul(dy, g);
  const inner = tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true)));
  return { dx: tf.mul(inner, rstd) as Tensor2D, dg, db };
}

const linear = (tf: Tf, x: Tensor2D, w: Tensor2D, b: Tensor1D) => tf.fused.matMul({ a: x, b: w, bias: b }) as Tensor2D;

/** x·Wᵀ with an explicit transpose (transposeB is ~10× slower on wasm). */
const matMulT = (tf: Tf, x: Tensor2D, w: Tensor2D) => tf.matMul(x, tf.transpose(w)) as Tensor2D;

/** Gradients of y = x·W + b from dY: dW = (dYᵀ·x)ᵀ and db = row sums of dYᵀ (see the module comment). */
function linearGrads(tf: Tf, x: Tensor2D, dy: Tensor2D): { dW: Tensor2D; db: Tensor1D } {
  const dyT = tf.transpose(dy);
  return { dW: tf.transpose(tf.matMul(dyT, x)) as Tensor2D, db: tf.sum(dyT, 1) };
}

/** Column sums of [N, k] as [k]. */
const colSum = (tf: Tf, x: Tensor2D) => tf.sum(x, 0) as Tensor1D;

/** Rows of position `t` of [n·T, d] rows, as [n, d]. */
function rowsAt(tf: Tf, x: Tensor2D, n: number, T: number, t: number): Tensor2D {
  const d = x.shape[1];
  return tf.reshape(tf.slice(tf.reshape(x, [n, T, d]), [0, t, 0], [n, 1, d]), [n, d]);
}

interface AttnCache {
  n: number;
  tq: number;
  tk: number;
  /** Scaled queries [n, Tq, 1, H, dh]; keys and values [n, 1, Tk, H, dh]. */
  q5: Tensor;
  k5: Tensor;
  v5: Tensor;
  /** Attention weights [n, Tq, Tk, H]. */
  probs: Tensor;
}

/**
 * Softmax attention of n groups of Tq scaled queries (rows [n·Tq, d]) over Tk keys and values (rows
 * [n·Tk, d]); returns the concatenated head outputs [n·Tq, d]. Done with broadcast products and sums
 * (S[g,i,j,h] = Σ_e q[g,i,h,e]·k[g,j,h,e]): no transposes, no per-(group, head) matmul calls.
 */
function attention(tf: Tf, shape: TransformerShape, q: Tensor2D, k: Tensor2D, v: Tensor2D, n: number, tq: number, tk: number, mask: Tensor | null) {
  const { heads: H, dModel: d } = shape;
  const dh = d / H;
  const q5 = tf.reshape(q, [n, tq, 1, H, dh]);
  const k5 = tf.reshape(k, [n, 1, tk, H, dh]);
  const v5 = tf.reshape(v, [n, 1, tk, H, dh]);
  let s = tf.sum(tf.mul(q5, k5), 4); // [n, Tq, Tk, H]
  if (mask) s = tf.add(s, mask);
  const e = tf.exp(tf.sub(s, tf.max(s, 2, true)));
  const probs = tf.div(e, tf.sum(e, 2, true));
  const o = tf.reshape(tf.sum(tf.mul(tf.expandDims(probs, 4), v5), 2), [n * tq, d]) as Tensor2D;
  const cache: AttnCache = { n, tq, tk, q5, k5, v5, probs };
  return { o, cache };
}

/** Gradients of the scaled queries, the keys and the values (rows as in `attention`) from dO [n·Tq, d]. */
function attentionBackward(tf: Tf, shape: TransformerShape, k: AttnCache, dO: Tensor2D) {
  const { heads: H, dModel: d } = shape;
  const dh = d / H;
  const { n, tq, tk } = k;
  const dO5 = tf.reshape(dO, [n, tq, 1, H, dh]);
  const dProbs = tf.sum(tf.mul(dO5, k.v5), 4); // [n, Tq, Tk, H]
  const dv = tf.reshape(tf.sum(tf.mul(tf.expandDims(k.probs, 4), dO5), 1), [n * tk, d]) as Tensor2D;
  const dS5 = tf.expandDims(tf.mul(k.probs, tf.sub(dProbs, tf.sum(tf.mul(k.probs, dProbs), 2, true))), 4);
  const dq = tf.reshape(tf.sum(tf.mul(dS5, k.k5), 2), [n * tq, d]) as Tensor2D;
  const dk = tf.reshape(tf.sum(tf.mul(dS5, k.q5), 1), [n * tk, d]) as Tensor2D;
  return { dq, dk, dv };
}

/** After attention: r = aQ + o·Wo + bo;  out = r + W2·gelu(W1·ln2(r) + b1) + b2. */
function postForward(tf: Tf, c: Consts, p: BlockParams, aQ: Tensor2D, o: Tensor2D) {
  const r = tf.add(aQ, linear(tf, o, p.wo, p.bo)) as Tensor2D;
  const ln2 = layerNorm(tf, c, r, p.ln2g, p.ln2b);
  const u = ln2.y;
  const pre = linear(tf, u, p.w1, p.b1);
  const cdf = tf.mul(c.half, tf.add(c.one, tf.erf(tf.mul(pre, c.invSqrt2)))) as Tensor2D;
  const f = tf.mul(pre, cdf) as Tensor2D;
  const out = tf.add(r, linear(tf, f, p.w2, p.b2)) as Tensor2D;
  return { out, cache: { o, ln2: ln2.cache, u, pre, cdf, f } };
}

type PostCache = ReturnType<typeof postForward>['cache'];

/** Backward of postForward: the gradient of r (= of aQ through the residual) and of o, and the parameters'. */
function postBackward(tf: Tf, c: Consts, p: BlockParams, k: PostCache, dOut: Tensor2D, grads: GradSink) {
  const mlp2 = linearGrads(tf, k.f, dOut);
  grads.add('w2', mlp2.dW).add('b2', mlp2.db);
  // gelu'(x) = Φ(x) + x·φ(x)
  const dGelu = tf.add(k.cdf, tf.mul(k.pre, tf.mul(tf.exp(tf.mul(tf.square(k.pre), c.negHalf)), c.invSqrt2Pi)));
  const dPre = tf.mul(matMulT(tf, dOut, p.w2), dGelu) as Tensor2D;
  const mlp1 = linearGrads(tf, k.u, dPre);
  grads.add('w1', mlp1.dW).add('b1', mlp1.db);
  const ln2 = layerNormBackward(tf, matMulT(tf, dPre, p.w1), k.ln2, p.ln2g);
  grads.add('ln2g', ln2.dg).add('ln2b', ln2.db);
  const dr = tf.add(dOut, ln2.dx) as Tensor2D;
  const out = linearGrads(tf, k.o, dr);
  grads.add('wo', out.dW).add('bo', out.db);
  return { dr, dO: matMulT(tf, dr, p.wo) };
}

/** Per-field gradient contributions of one block (from both streams), summed at the end. */
class GradSink {
  private readonly parts = new Map<BlockField, Tensor[]>();
  constructor(private readonly tf: Tf) {}
  add(field: BlockField, t: Tensor): this {
    const list = this.parts.get(field);
    if (list) list.push(t);
    else this.parts.set(field, [t]);
    return this;
  }
  /** The summed gradients in BLOCK_FIELDS order. */
  result(): Tensor[] {
    return BLOCK_FIELDS.map((f) => {
      const list = this.parts.get(f);
      if (!list) throw new Error(`no gradient for ${f}`);
      return list.length === 1 ? list[0]! : this.tf.addN(list);
    });
  }
}

interface StreamCache {
  ln1: LnCache;
  /** ln1 output (all rows of the stream). */
  a: Tensor2D;
  /** Rows that ask queries (a, or its position-3 rows in the last block's suffix); null: none. */
  aQ: Tensor2D | null;
  attn: AttnCache | null;
  post: PostCache | null;
}

interface BlockCache {
  /** Suffix queries at position 3 only (the last block). */
  lastOnly: boolean;
  prefix: StreamCache;
  suffix: StreamCache;
}

/**
 * One block on both streams: prefix rows hP [2p, d], suffix rows hS [2B, d]. In the last block
 * (`lastOnly`) the prefix only provides keys and values and the suffix asks at position 3 only;
 * the outputs are then null and [B, d], otherwise [2p, d] and [2B, d].
 */
function blockForward(tf: Tf, c: Consts, shape: TransformerShape, p: BlockParams, hP: Tensor2D, hS: Tensor2D, x: Tensor2D, lastOnly: boolean) {
  const d = shape.dModel;
  const nP = hP.shape[0] / PREFIX;
  const nS = hS.shape[0] / SUFFIX;
  const ln1P = layerNorm(tf, c, hP, p.ln1g, p.ln1b);
  const ln1S = layerNorm(tf, c, hS, p.ln1g, p.ln1b);
  const aP = ln1P.y;
  const aS = ln1S.y;
  const kP = linear(tf, aP, p.wk, p.bk);
  const vP = linear(tf, aP, p.wv, p.bv);
  const kS = linear(tf, aS, p.wk, p.bk);
  const vS = linear(tf, aS, p.wv, p.bv);
  // Each suffix sees the prefix keys/values of its own x: rows 2x, 2x + 1, gathered as one [2d] row.
  const withPrefix = (prefixRows: Tensor2D, own: Tensor2D) =>
    tf.reshape(tf.concat([tf.reshape(tf.gatherND(tf.reshape(prefixRows, [nP, PREFIX * d]), x), [nS, PREFIX, d]), tf.reshape(own, [nS, SUFFIX, d])], 1), [nS * SEQ_LEN, d]) as Tensor2D;
  const aSQ = lastOnly ? rowsAt(tf, aS, nS, SUFFIX, SUFFIX - 1) : aS;
  const qS = tf.mul(linear(tf, aSQ, p.wq, p.bq), c.scale) as Tensor2D;
  const tq = lastOnly ? 1 : SUFFIX;
  const attnS = attention(tf, shape, qS, withPrefix(kP, kS), withPrefix(vP, vS), nS, tq, SEQ_LEN, lastOnly ? null : c.suffixMask);
  const postS = postForward(tf, c, p, aSQ, attnS.o);
  let outP: Tensor2D | null = null;
  let prefix: StreamCache = { ln1: ln1P.cache, a: aP, aQ: null, attn: null, post: null };
  if (!lastOnly) {
    const qP = tf.mul(linear(tf, aP, p.wq, p.bq), c.scale) as Tensor2D;
    const attnP = attention(tf, shape, qP, kP, vP, nP, PREFIX, PREFIX, c.prefixMask);
    const postP = postForward(tf, c, p, aP, attnP.o);
    outP = postP.out;
    prefix = { ln1: ln1P.cache, a: aP, aQ: aP, attn: attnP.cache, post: postP.cache };
  }
  const cache: BlockCache = { lastOnly, prefix, suffix: { ln1: ln1S.cache, a: aS, aQ: aSQ, attn: attnS.cache, post: postS.cache } };
  return { outP, outS: postS.out, cache };
}

/**
 * Backward of one block: gradients of its parameters (BLOCK_FIELDS order) and of its input rows,
 * from dOutP (null in the last block, whose prefix has no output) and dOutS.
 */
function blockBackward(tf: Tf, c: Consts, shape: TransformerShape, p: BlockParams, k: BlockCache, dOutP: Tensor2D | null, dOutS: Tensor2D, x: Tensor2D) {
  const d = shape.dModel;
  const grads = new GradSink(tf);
  const S = k.suffix;
  const P = k.prefix;
  const nS = S.a.shape[0] / SUFFIX;
  const nP = P.a.shape[0] / PREFIX;
  // Suffix stream.
  const postS = postBackward(tf, c, p, S.post!, dOutS, grads);
  const attS = attentionBackward(tf, shape, S.attn!, postS.dO);
  const dqS = tf.mul(attS.dq, c.scale) as Tensor2D;
  const q = linearGrads(tf, S.aQ!, dqS);
  grads.add('wq', q.dW).add('bq', q.db);
  // Keys and values of all four positions: split into the gathered prefix part and the suffix's own.
  const split = (rows: Tensor2D) => {
    const [fromPrefix, own] = tf.split(tf.reshape(rows, [nS, SEQ_LEN, d]), [PREFIX, SUFFIX], 1) as [Tensor, Tensor];
    const scattered = tf.reshape(tf.scatterND(x, tf.reshape(fromPrefix, [nS, PREFIX * d]), [nP, PREFIX * d]), [nP * PREFIX, d]) as Tensor2D;
    return { scattered, own: tf.reshape(own, [nS * SUFFIX, d]) as Tensor2D };
  };
  const kSplit = split(attS.dk);
  const vSplit = split(attS.dv);
  const kS = linearGrads(tf, S.a, kSplit.own);
  const vS = linearGrads(tf, S.a, vSplit.own);
  grads.add('wk', kS.dW).add('bk', kS.db).add('wv', vS.dW).add('bv', vS.db);
  const daSQ = tf.add(postS.dr, matMulT(tf, dqS, p.wq)) as Tensor2D;
  let daS = tf.add(matMulT(tf, kSplit.own, p.wk), matMulT(tf, vSplit.own, p.wv)) as Tensor2D;
  if (k.lastOnly) {
    const padded = tf.pad(tf.reshape(daSQ, [nS, 1, d]), [
      [0, 0],
      [SUFFIX - 1, 0],
      [0, 0],
    ]);
    daS = tf.add(daS, tf.reshape(padded, [nS * SUFFIX, d])) as Tensor2D;
  } else daS = tf.add(daS, daSQ) as Tensor2D;
  const ln1S = layerNormBackward(tf, daS, S.ln1, p.ln1g);
  grads.add('ln1g', ln1S.dg).add('ln1b', ln1S.db);
  // Prefix stream: keys and values get the suffixes' scattered gradients (and their own queries').
  let dkP = kSplit.scattered;
  let dvP = vSplit.scattered;
  let daP: Tensor2D | null = null;
  if (!k.lastOnly) {
    const postP = postBackward(tf, c, p, P.post!, dOutP!, grads);
    const attP = attentionBackward(tf, shape, P.attn!, postP.dO);
    const dqP = tf.mul(attP.dq, c.scale) as Tensor2D;
    const qP = linearGrads(tf, P.aQ!, dqP);
    grads.add('wq', qP.dW).add('bq', qP.db);
    dkP = tf.add(dkP, attP.dk) as Tensor2D;
    dvP = tf.add(dvP, attP.dv) as Tensor2D;
    daP = tf.add(postP.dr, matMulT(tf, dqP, p.wq)) as Tensor2D;
  }
  const kP = linearGrads(tf, P.a, dkP);
  const vP = linearGrads(tf, P.a, dvP);
  grads.add('wk', kP.dW).add('bk', kP.db).add('wv', vP.dW).add('bv', vP.db);
  const daPkv = tf.add(matMulT(tf, dkP, p.wk), matMulT(tf, dvP, p.wv)) as Tensor2D;
  const ln1P = layerNormBackward(tf, daP ? (tf.add(daP, daPkv) as Tensor2D) : daPkv, P.ln1, p.ln1g);
  grads.add('ln1g', ln1P.dg).add('ln1b', ln1P.db);
  return { dhP: ln1P.dx, dhS: ln1S.dx, grads: grads.result() };
}

export interface ForwardResult {
  /** Logits of the last position, [B, vocab]. */
  logits: Tensor2D;
  input: SeqBatch;
  blocks: BlockCache[];
  lnf: LnCache;
  /** ln_f output of the last position, [B, d]. */
  z: Tensor2D;
}

/** Embedded rows of both streams: prefix [2p, d] (E[v] + P0, E[∘] + P1) and suffix [2B, d] (E[y] + P2, E[=] + P3). */
function embed(tf: Tf, c: Consts, shape: TransformerShape, p: Params, input: SeqBatch) {
  const d = shape.dModel;
  const nP = c.prefixTokens.shape[0] / PREFIX;
  const [posP, posS] = tf.split(p.pos, [PREFIX, SUFFIX], 0) as [Tensor2D, Tensor2D];
  const hP = tf.reshape(tf.add(tf.reshape(tf.gatherND(p.tok, c.prefixTokens), [nP, PREFIX, d]), posP), [nP * PREFIX, d]) as Tensor2D;
  const hS = tf.reshape(tf.add(tf.reshape(tf.gatherND(p.tok, input.suffix), [input.n, SUFFIX, d]), posS), [input.n * SUFFIX, d]) as Tensor2D;
  return { hP, hS };
}

/** Forward pass (call inside a tidy). */
export function forward(tf: Tf, c: Consts, shape: TransformerShape, p: Params, input: SeqBatch): ForwardResult {
  let { hP, hS } = embed(tf, c, shape, p, input);
  const blocks: BlockCache[] = [];
  for (let l = 0; l < shape.layers; l++) {
    const r = blockForward(tf, c, shape, p.blocks[l]!, hP, hS, input.x, l === shape.layers - 1);
    blocks.push(r.cache);
    hS = r.outS;
    if (r.outP) hP = r.outP;
  }
  const lnf = layerNorm(tf, c, hS, p.lnfG, p.lnfB);
  const logits = tf.matMul(lnf.y, p.head) as Tensor2D;
  return { logits, input, blocks, lnf: lnf.cache, z: lnf.y };
}

/**
 * Every block's input and output at every position, as [B·4, d] rows b·4 + t (the last block too
 * computed at all positions; call inside a tidy). For tests of the causal structure.
 */
export function hiddenStates(tf: Tf, c: Consts, shape: TransformerShape, p: Params, input: SeqBatch): Tensor2D[] {
  const d = shape.dModel;
  const n = input.n;
  const nP = c.prefixTokens.shape[0] / PREFIX;
  let { hP, hS } = embed(tf, c, shape, p, input);
  const full = () =>
    tf.reshape(tf.concat([tf.reshape(tf.gatherND(tf.reshape(hP, [nP, PREFIX * d]), input.x), [n, PREFIX, d]), tf.reshape(hS, [n, SUFFIX, d])], 1), [n * SEQ_LEN, d]) as Tensor2D;
  const states = [full()];
  for (let l = 0; l < shape.layers; l++) {
    const r = blockForward(tf, c, shape, p.blocks[l]!, hP, hS, input.x, false);
    hP = r.outP!;
    hS = r.outS;
    states.push(full());
  }
  return states;
}

/**
 * ∂L/∂θ, one tensor per span in layout order, given ∂L/∂logits `g` ([B, vocab]; call inside a tidy).
 */
export function backward(tf: Tf, c: Consts, layout: Layout, p: Params, fwd: ForwardResult, g: Tensor2D): Tensor[] {
  const { shape } = layout;
  const d = shape.dModel;
  const n = fwd.input.n;
  const nP = c.prefixTokens.shape[0] / PREFIX;
  const dHead = linearGrads(tf, fwd.z, g).dW;
  const lnf = layerNormBackward(tf, matMulT(tf, g, p.head), fwd.lnf, p.lnfG);
  let dhS = lnf.dx;
  let dhP: Tensor2D | null = null;
  const blockGrads: Tensor[][] = [];
  for (let l = shape.layers - 1; l >= 0; l--) {
    const r = blockBackward(tf, c, shape, p.blocks[l]!, fwd.blocks[l]!, dhP, dhS, fwd.input.x);
    blockGrads[l] = r.grads;
    dhP = r.dhP;
    dhS = r.dhS;
  }
  const dTok = tf.add(tf.scatterND(c.prefixTokens, dhP!, [shape.vocab, d]), tf.scatterND(fwd.input.suffix, dhS, [shape.vocab, d]));
  const dPos = tf.concat([
    tf.reshape(colSum(tf, tf.reshape(dhP!, [nP, PREFIX * d])), [PREFIX, d]),
    tf.reshape(colSum(tf, tf.reshape(dhS, [n, SUFFIX * d])), [SUFFIX, d]),
    ...(POSITION_ROWS > SEQ_LEN ? [tf.zeros([POSITION_ROWS - SEQ_LEN, d])] : []),
  ]);
  return [dTok, dPos, ...blockGrads.flat(), lnf.dg, lnf.db, dHead];
}

/** One-hot rows as float32 (tfjs-backend-wasm 4.22's float32 oneHot writes integer bit patterns). */
export function oneHotFloat(tf: Tf, labels: Tensor1D, depth: number): Tensor2D {
  return tf.cast(tf.oneHot(labels, depth), 'float32') as Tensor2D;
}

/** Mean cross-entropy of the batch and its gradient w.r.t. the logits: (softmax − onehot)/B. */
export function crossEntropyGrad(tf: Tf, logits: Tensor2D, oneHot: Tensor2D): { loss: Scalar; g: Tensor2D } {
  const batch = logits.shape[0];
  const logp = tf.logSoftmax(logits);
  const loss = tf.div(tf.neg(tf.sum(tf.mul(logp, oneHot))), batch) as Scalar;
  const g = tf.div(tf.sub(tf.exp(logp), oneHot), batch) as Tensor2D;
  return { loss, g };
}
