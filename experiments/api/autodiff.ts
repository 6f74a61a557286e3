/**
 * Autodiff for the trainer's TensorFlow.js (trainer process only).
 *
 * Under Node, `@tensorflow/tfjs-core` loads as its CommonJS bundle, which registers no gradient
 * functions and no chained ops (`x.sum()`): `tf.grads` fails with "gradient function not found for
 * RealDiv", and the package's own `dist/register_all_gradients.js` cannot be imported (extensionless
 * ES-module imports that Node's loader refuses). Here esbuild bundles those two registration files
 * (and the op code they call) into one CommonJS module, evaluated once per process. It shares the
 * one engine, kernel and gradient registry and Tensor class of the loaded tfjs-core: they live on a
 * global, by tfjs's own design for packages that load it more than once.
 *
 * The wasm backend also lacks kernels that some gradients need: Conv2DBackpropFilter (the filter
 * gradient of every conv1d/conv2d) and UnsortedSegmentSum (the gradient of gather, e.g. an
 * embedding). They are registered for wasm from kernels it has (see wasmGradientKernels), so a CNN
 * trains on wasm instead of the ~30× slower cpu backend.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';
import type { backend_util, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs-core';
import type { Tf } from '../types';

const autodiffRequire = createRequire(import.meta.url);

/** Kernels each backend lacks for gradients, before and after enableAutodiff (docs/experiment-api.md lists them). */
export const WASM_GRADIENT_KERNELS = ['Conv2DBackpropFilter', 'UnsortedSegmentSum'] as const;

const GRADIENTS = '@tensorflow/tfjs-core/dist/register_all_gradients.js';
const CHAINED_OPS = '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

/** One of tfjs-core's ES-module registration files as a CommonJS bundle (cached in the temp folder). */
function registrationBundle(file: string): string {
  const entry = autodiffRequire.resolve(file);
  const version = (autodiffRequire('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  const key = createHash('sha256').update(`${version}\n${entry}\n`).digest('hex').slice(0, 16);
  const cached = join(tmpdir(), `phenobook-tfjs-autodiff-${key}.cjs`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Built below.
  }
  const { buildSync } = autodiffRequire('esbuild') as typeof Esbuild;
  const out = buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    external: ['@tensorflow/tfjs-core'],
  });
  const code = out.outputFiles[0]!.text;
  // Parallel trainers may build it at once: write aside, then rename into place (atomic).
  const tmp = `${cached}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, code);
    renameSync(tmp, cached);
  } catch {
    // A read-only temp folder only costs the bundling next time.
  }
  return code;
}

function evaluate(code: string): void {
  const module = { exports: {} };
  new Function('module', 'exports', 'require', code)(module, module.exports, autodiffRequire);
}

/** Registers every gradient and chained op of tfjs-core (those not registered yet), and the wasm gradient kernels. Idempotent. */
export function enableAutodiff(tf: Tf): void {
  if (!tf.getGradient('RealDiv')) evaluate(registrationBundle(GRADIENTS));
  if (typeof (tf.Tensor.prototype as unknown as { sum?: unknown }).sum !== 'function') evaluate(registrationBundle(CHAINED_OPS));
  registerWasmGradientKernels(tf);
  registerWasmMatMulGradient(tf);
}

const WASM_MATMUL_GRADIENT = Symbol.for('phenobook.wasm-matmul-gradient');

/**
 * The gradient of a matmul is two matmuls with a transposed operand. tfjs-backend-wasm runs a
 * matmul with transposeA/transposeB several times slower than the same product of an explicitly
 * transposed tensor (measured here: 2.4× for Aᵀ·B at 1044×256), so on wasm the gradient transposes
 * first. The products are the same; on other backends tfjs's own gradient runs unchanged.
 */
function registerWasmMatMulGradient(tf: Tf): void {
  const original = tf.getGradient('BatchMatMul');
  if (!original || (original as unknown as Record<symbol, boolean>)[WASM_MATMUL_GRADIENT]) return;
  const t = (x: Tensor) => tf.transpose(x, [...Array.from({ length: x.rank - 2 }, (_, i) => i), x.rank - 1, x.rank - 2]);
  const mm = (a: Tensor, b: Tensor, ta: boolean, tb: boolean) => tf.matMul((ta ? t(a) : a) as never, (tb ? t(b) : b) as never);
  const config = {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: unknown) => {
      if (tf.getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs as never);
      const [a, b] = saved as [Tensor, Tensor];
      const g = dy as Tensor;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false) };
      if (!transposeA && transposeB) return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
      if (transposeA && !transposeB) return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
      return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
    },
    [WASM_MATMUL_GRADIENT]: true,
  };
  tf.registerGradient(config as never);
}

/** Data of a tensor made inside a kernel, handed out as the kernel's output (the tensor itself is dropped). */
function keepAsOutput(tf: Tf, t: Tensor): TensorInfo {
  const backend = tf.engine().backend as unknown as { incRef(dataId: object): void };
  backend.incRef(t.dataId);
  const info = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  t.dispose();
  return info;
}

function asTensor(tf: Tf, info: TensorInfo): Tensor {
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * The wasm kernels the gradients need, written with ops wasm has:
 *   Conv2DBackpropFilter: dW[i, j] = X_ijᵀ · dY for each filter tap (i, j), where X_ij is the
 *     (padded, strided) input window that tap sees, flattened to [N·OH·OW, C] — fh·fw matmuls.
 *   UnsortedSegmentSum: a scatter-add (ScatterNd sums duplicate indices).
 */
export function registerWasmGradientKernels(tf: Tf): void {
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  if (!have.has('Conv2DBackpropFilter')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs }) => {
        const { x: xInfo, dy: dyInfo } = inputs as { x: TensorInfo; dy: TensorInfo };
        const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
          strides: [number, number] | number;
          pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
          dataFormat: 'NHWC' | 'NCHW';
          dimRoundingMode?: 'floor' | 'round' | 'ceil';
          filterShape: [number, number, number, number];
        };
        const out = tf.tidy(() => {
          let x = asTensor(tf, xInfo) as Tensor4D;
          let dy = asTensor(tf, dyInfo) as Tensor4D;
          if (dataFormat === 'NCHW') {
            x = tf.transpose(x, [0, 2, 3, 1]);
            dy = tf.transpose(dy, [0, 2, 3, 1]);
          }
          const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
          const { top, bottom, left, right } = info.padInfo;
          const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
          const [n, oh, ow, k] = dy.shape;
          const c = x.shape[3];
          const dyFlat = tf.reshape(dy, [n * oh * ow, k]);
          const taps: Tensor[] = [];
          for (let i = 0; i < info.filterHeight; i++) {
            for (let j = 0; j < info.filterWidth; j++) {
              const window = tf.stridedSlice(
                xp,
                [0, i, j, 0],
                [n, i + info.strideHeight * (oh - 1) + 1, j + info.strideWidth * (ow - 1) + 1, c],
                [1, info.strideHeight, info.strideWidth, 1],
              );
              taps.push(tf.matMul(tf.reshape(window, [n * oh * ow, c]), dyFlat, true, false));
            }
          }
          return tf.reshape(tf.stack(taps), filterShape);
        });
        return keepAsOutput(tf, out);
      },
    });
  }
  if (!have.has('UnsortedSegmentSum')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs }) => {
        const { x: xInfo, segmentIds: idInfo } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
        const { numSegments } = attrs as unknown as { numSegments: number };
        const out = tf.tidy(() => {
          const x = asTensor(tf, xInfo);
          const ids = asTensor(tf, idInfo);
          // segmentIds index the leading dims of x; the rest are summed row-wise.
          const lead = ids.shape.reduce((a, b) => a * b, 1);
          const rest = x.shape.slice(ids.rank);
          return tf.scatterND(tf.reshape(tf.cast(ids, 'int32'), [lead, 1]), tf.reshape(x, [lead, ...rest]), [numSegments, ...rest]);
        });
        return keepAsOutput(tf, out);
      },
    });
  }
}
