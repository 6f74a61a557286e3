/**
 * Trainer side of the researcher's experiment files: describe a set of files for the host (which
 * never runs them), and load the one a run trains, checking it is still the file that was meant.
 */
import { z } from 'zod';
import type { DescribedFile, ExperimentFileRef } from '../../trainer/protocol';
import type { DefinedExperiment } from '../api/define';
import { describeExperiment } from '../describe';
import type { ExperimentDefinition } from '../types';
import { loadExperimentFile } from './load';

/** Loads and describes each file; a key that clashes with a built-in or an earlier file is that file's error. */
export async function describeFiles(paths: readonly string[], builtins: ReadonlyMap<string, ExperimentDefinition>): Promise<DescribedFile[]> {
  const out: DescribedFile[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    const loaded = await loadExperimentFile(path);
    const file: DescribedFile = { path, sha256: loaded.sha256 };
    const def = loaded.experiment;
    if (loaded.error || !def) {
      file.error = loaded.error ?? { message: 'the file did not load', file: path };
    } else if (builtins.has(def.key)) {
      file.error = { message: `the key "${def.key}" is a built-in experiment's; choose another`, file: path };
    } else if (seen.has(def.key)) {
      file.error = { message: `the key "${def.key}" is already used by ${seen.get(def.key)}`, file: path };
    } else {
      seen.set(def.key, path);
      try {
        file.experiment = describeDefined(def);
      } catch (err) {
        file.error = { message: `the experiment cannot be described: ${(err as Error).message}`, file: path };
      }
    }
    out.push(file);
  }
  return out;
}

function describeDefined(def: DefinedExperiment): NonNullable<DescribedFile['experiment']> {
  const presetSteps: Record<string, number> = {};
  for (const [name, preset] of Object.entries(def.presets)) presetSteps[name] = def.totalSteps(def.configSchema.parse(preset));
  return {
    info: describeExperiment(def),
    jsonSchema: z.toJSONSchema(def.configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    metrics: { ...def.metrics },
    presetSteps,
  };
}

/** The experiment a run trains from `ref`: refuses a file whose SHA-256 changed, or whose key is not the run's. */
export async function loadForRun(ref: ExperimentFileRef, key: string): Promise<DefinedExperiment> {
  const loaded = await loadExperimentFile(ref.path, ref.source);
  if (ref.sha256 && loaded.sha256 && loaded.sha256 !== ref.sha256) {
    throw new Error(
      `The experiment file ${ref.path} has changed since this run was set up (SHA-256 ${ref.sha256.slice(0, 12)}… expected, ${loaded.sha256.slice(0, 12)}… found): refusing to run it`,
    );
  }
  if (loaded.error || !loaded.experiment) {
    const e = loaded.error;
    throw new Error(`The experiment file did not load: ${e?.message ?? 'unknown error'}${e?.line ? ` (${e.file}:${e.line}${e.column ? `:${e.column}` : ''})` : ''}`);
  }
  if (loaded.experiment.key !== key) throw new Error(`The file ${ref.path} now defines "${loaded.experiment.key}", not "${key}"`);
  return loaded.experiment;
}
