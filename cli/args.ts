import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Result } from '../contract/result';
import { resolveDataDir } from '../host/data-dir';
import { createAppContext, type AppContext } from '../services/app-context';
import { forkTrainer } from '../services/fork-trainer';

/** Shared by the CLI's commands: flag parsing, usage errors (exit 2) and the app context. */

/** Exit codes of the headless interface (docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Invalid arguments or config: exit 2, with the usage text. */
export class UsageError extends Error {}

export const common = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  /** More folders of experiment files (besides <data dir>/experiments). */
  experiments: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...common, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

// This module is bundled into out/main/cli.js (only the CLI imports it), beside trainer.js.
export const TRAINER_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'trainer.js');

export function unwrap<T>(result: Result<unknown>): T {
  if (result.ok) return result.value as T;
  // An unknown id is an invalid argument like any other (exit 2), whichever command names it.
  if (result.error.code === 'invalid_input' || result.error.code === 'not_found') throw new UsageError(result.error.message);
  throw new Error(result.error.message);
}

export async function withContext<T>(
  dataDir: string | undefined,
  fn: (ctx: AppContext) => T | Promise<T>,
  extra: { train?: boolean; parallel?: number; experimentDirs?: readonly string[]; experimentFiles?: readonly string[]; loadExperiments?: boolean } = {},
): Promise<T> {
  const dir = usableDataDir(resolveDataDir(dataDir));
  const ctx = createAppContext({
    dataDir: dir,
    mode: 'browser',
    spawnTrainer: extra.train ? forkTrainer(TRAINER_PATH) : undefined,
    describeTrainer: forkTrainer(TRAINER_PATH),
    parallelOverride: extra.parallel,
    recover: false,
    experimentDirs: extra.experimentDirs,
    experimentFiles: extra.experimentFiles,
  });
  try {
    // The researcher's experiment files are read by a trainer process (the CLI never runs them itself).
    if (extra.loadExperiments) await ctx.userExperiments.refresh();
    return await fn(ctx);
  } finally {
    ctx.close();
  }
}

/** The data folder, or a UsageError (exit 2) in plain words when it cannot be one: a file, or under a file. */
export function usableDataDir(dir: string): string {
  let at = dir;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(at);
    } catch (err) {
      if (!['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) throw new UsageError(`Cannot use ${dir} as the data folder (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    if (stat && !stat.isDirectory()) {
      throw new UsageError(at === dir ? `--data-dir ${dir} is a file, not a folder` : `--data-dir ${dir} cannot be created: ${at} is a file`);
    }
    if (stat) return dir;
    const parent = path.dirname(at);
    if (parent === at) return dir;
    at = parent;
  }
}

export function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

/** `--set key=value`: numbers and booleans are typed, anything else stays text for the schema to judge. */
export function parseSets(sets: string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${item}"`);
    const key = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    // A data property even for "__proto__" (plain assignment would set the prototype and drop the
    // key silently): the schema then refuses it like any other unknown knob.
    Object.defineProperty(config, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return config;
}
