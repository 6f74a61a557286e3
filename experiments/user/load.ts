/**
 * Loads a researcher's experiment file — in the trainer process only (it runs the file's code).
 *
 * esbuild bundles the file (TypeScript or JavaScript) with an inline source map, so stack traces
 * name the researcher's file and line. Its imports of `phenobook/experiment`, `zod` and TensorFlow.js
 * resolve to this Phenobook's own modules (the zod schema must be this zod's for defineExperiment to
 * read it, and tfjs must be the instance on the selected backend). The file's default export must
 * be a defineExperiment(…) result; anything else is a load error with file:line where one is known.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Esbuild from 'esbuild';
import * as zod from 'zod';
import * as api from '../api/index';
import { isDefinedExperiment } from '../api/context';
import type { DefinedExperiment } from '../api/define';

const loaderRequire = createRequire(import.meta.url);

/** The module specifiers a file imports the API by. */
export const API_SPECIFIERS = ['phenobook/experiment', 'phenobook'] as const;
const GLOBAL_KEY = Symbol.for('phenobook.experiment-modules');

export interface LoadError {
  message: string;
  file: string;
  line?: number;
  column?: number;
}

export interface LoadedFile {
  path: string;
  /** SHA-256 (hex) of the file's bytes as loaded. */
  sha256: string;
  source: string;
  experiment?: DefinedExperiment;
  error?: LoadError;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

type Modules = Record<string, Record<string, unknown>>;

function sharedModules(): Modules {
  const g = globalThis as unknown as Record<symbol, Modules | undefined>;
  g[GLOBAL_KEY] ??= {
    api: api as unknown as Record<string, unknown>,
    // The very zod instance defineExperiment checks schemas against (not a second copy via require).
    zod: zod as unknown as Record<string, unknown>,
    'tfjs-core': loaderRequire('@tensorflow/tfjs-core') as Record<string, unknown>,
    'tfjs-layers': loaderRequire('@tensorflow/tfjs-layers') as Record<string, unknown>,
  };
  return g[GLOBAL_KEY];
}

/** A virtual module re-exporting one of the shared modules by name. */
function shimSource(name: string, module: Record<string, unknown>): string {
  const names = Object.keys(module).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  return [
    `const m = globalThis[Symbol.for('phenobook.experiment-modules')][${JSON.stringify(name)}];`,
    ...names.map((k) => `export const ${k} = m[${JSON.stringify(k)}];`),
    `export default m.default ?? m;`,
  ].join('\n');
}

const SHIMS: Record<string, string> = {
  'phenobook/experiment': 'api',
  phenobook: 'api',
  zod: 'zod',
  '@tensorflow/tfjs-core': 'tfjs-core',
  '@tensorflow/tfjs-layers': 'tfjs-layers',
};

function shimPlugin(): Esbuild.Plugin {
  return {
    name: 'phenobook-shared-modules',
    setup(build) {
      build.onResolve({ filter: /^(phenobook(\/experiment)?|zod|@tensorflow\/tfjs-(core|layers))$/ }, (args) => ({ path: args.path, namespace: 'phenobook-shared' }));
      build.onLoad({ filter: /.*/, namespace: 'phenobook-shared' }, (args) => {
        const key = SHIMS[args.path]!;
        return { contents: shimSource(key, sharedModules()[key]!), loader: 'js' };
      });
    },
  };
}

/** The first place in `stack` inside `file` (source-mapped), as line and column. */
export function locationIn(stack: string | undefined, file: string): { line: number; column: number } | null {
  if (!stack) return null;
  for (const raw of stack.split('\n')) {
    const at = raw.indexOf(file);
    if (at < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(raw.slice(at + file.length));
    if (m) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return null;
}

/** "message (file:line:col)" for an error thrown by code of `file`, with that file's frames. */
export function describeUserError(err: unknown, file: string): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const head = `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((l) => l.trim().startsWith('at ') && l.includes(file))
    .map((l) => l.trim())
    .slice(0, 5);
  const loc = locationIn(e.stack, file);
  return `${head}${loc ? ` (${file}:${loc.line}:${loc.column})` : ''}${frames.length ? `\n${frames.map((f) => `    ${f}`).join('\n')}` : ''}`;
}

function bundleDir(): string {
  const dir = join(tmpdir(), `phenobook-experiments-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Loads `path` (or `source` as if it were at `path`: a stored source being re-run). Never throws:
 * a failure is `error`.
 */
export async function loadExperimentFile(path: string, source?: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = source ?? readFileSync(path, 'utf8');
  } catch (err) {
    return { path, sha256: '', source: '', error: { message: `cannot read the file: ${(err as Error).message}`, file: path } };
  }
  const hash = sha256(text);
  const result: LoadedFile = { path, sha256: hash, source: text };
  process.setSourceMapsEnabled(true);
  // Keyed by path and content: the same source at two paths must map its stack traces to each own path.
  const bundleKey = sha256(`${path}\n${hash}`).slice(0, 16);
  const outfile = join(bundleDir(), `${bundleKey}-${basename(path).replace(/\.[^.]+$/, '')}.mjs`);
  let code: string;
  try {
    const { build } = loaderRequire('esbuild') as typeof Esbuild;
    const ext = path.endsWith('.ts') || path.endsWith('.mts') ? 'ts' : 'js';
    const out = await build({
      stdin: { contents: text, sourcefile: path, resolveDir: join(path, '..'), loader: ext },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      write: false,
      outfile,
      sourcemap: 'inline',
      logLevel: 'silent',
      plugins: [shimPlugin()],
    });
    code = out.outputFiles.find((f) => f.path.endsWith('.mjs'))?.text ?? out.outputFiles[0]!.text;
  } catch (err) {
    const first = (err as { errors?: Esbuild.Message[] }).errors?.[0];
    const loc = first?.location;
    result.error = {
      message: first ? first.text : (err as Error).message,
      file: loc?.file && loc.file !== '<stdin>' ? resolve(loc.file) : path,
      ...(loc ? { line: loc.line, column: loc.column + 1 } : {}),
    };
    return result;
  }
  try {
    writeFileSync(outfile, code);
    const mod = (await import(`${pathToFileURL(outfile).href}?v=${bundleKey}`)) as { default?: unknown };
    const def = mod.default;
    if (def === undefined) throw Object.assign(new Error('the file has no default export: end it with `export default defineExperiment({ … })`'), { noStack: true });
    if (def === null || typeof def !== 'object' || !isDefinedExperiment(def)) {
      throw Object.assign(new Error('the default export is not an experiment: export the result of defineExperiment({ … }) from "phenobook/experiment"'), { noStack: true });
    }
    result.experiment = def;
  } catch (err) {
    const e = err as Error & { noStack?: boolean };
    const loc = e.noStack ? null : locationIn(e.stack, path);
    result.error = { message: `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`, file: path, ...(loc ? { line: loc.line, column: loc.column } : {}) };
  }
  return result;
}
