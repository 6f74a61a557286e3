/**
 * The researcher's experiment files, as the host knows them: found in `<data dir>/experiments` and
 * any added folders (or named one by one), described by a trainer process — the host never loads
 * their code — and entered into the live experiment map as stand-ins that the run and sweep services
 * treat like built-ins (the trainer loads the file itself when a run starts). Files that do not load
 * stay listed with their error and cannot be started. `watch()` re-reads them when a folder changes.
 */
import { watch, type FSWatcher } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ExperimentFileEntry } from '../contract/runs';
import type { ExperimentDefinition } from '../experiments/types';
import { listExperimentFiles } from '../experiments/user/files';
import type { DescribedFile, SpawnTrainer } from '../trainer/protocol';

export type UserExperimentEntry = ExperimentFileEntry;

export interface UserExperimentsOptions {
  /** Folders to read (the data dir's `experiments` first). */
  dirs: readonly string[];
  /** Single files to read as well (`phenobook run ./my.ts`). */
  files?: readonly string[];
  spawn?: SpawnTrainer;
  /** The live map the services read; stand-ins are added to and removed from it. */
  experiments: Map<string, ExperimentDefinition>;
  /** How long a describing trainer may take. */
  timeoutMs?: number;
  /** Called after every refresh (e.g. to tell the renderer). */
  onChange?: (entries: UserExperimentEntry[]) => void;
}

/** Asks one trainer process to load and describe `paths`. */
export function describeInTrainer(spawn: SpawnTrainer, paths: readonly string[], timeoutMs = 60_000): Promise<DescribedFile[]> {
  return new Promise((resolvePromise, reject) => {
    const handle = spawn();
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`describing experiment files took longer than ${timeoutMs / 1000} s`)), timeoutMs);
    const finish = (err: Error | null, files?: DescribedFile[]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        handle.kill();
        reject(err);
      } else resolvePromise(files!);
    };
    handle.onMessage((m) => {
      if (m.type === 'described') finish(null, m.files);
    });
    handle.onExit((code, signal) => finish(new Error(`the trainer describing experiment files ended (${signal ?? `code ${code}`}) before answering`)));
    handle.send({ type: 'describe', paths: [...paths] });
  });
}

/** The host's stand-in for a described file: its schema from JSON Schema (bounds, types, defaults). */
export function standIn(file: DescribedFile): ExperimentDefinition {
  const e = file.experiment!;
  const schema = z.fromJSONSchema(e.jsonSchema as never) as unknown as z.ZodType;
  const defaultSteps = e.presetSteps.default ?? 0;
  return {
    key: e.info.key,
    title: e.info.title,
    description: e.info.description,
    configSchema: schema,
    presets: Object.fromEntries(e.info.presets.map((p) => [p.name, p.config])),
    // The file's own totalSteps runs in the trainer; here a `steps` knob is read as the total.
    totalSteps: (config: Record<string, unknown>) => (Number.isInteger(config.steps) ? (config.steps as number) : defaultSteps),
    file: { path: file.path, sha256: file.sha256 },
    train: () => Promise.reject(new Error('a researcher\'s experiment trains in the trainer process only')),
  } as ExperimentDefinition;
}

export class UserExperiments {
  private entriesNow: UserExperimentEntry[] = [];
  private readonly keys = new Set<string>();
  private watchers: FSWatcher[] = [];
  private pending: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<UserExperimentEntry[]> | null = null;
  private queued: Promise<UserExperimentEntry[]> | null = null;

  constructor(private readonly options: UserExperimentsOptions) {}

  get entries(): UserExperimentEntry[] {
    return this.entriesNow;
  }

  get dirs(): readonly string[] {
    return this.options.dirs;
  }

  /**
   * Re-reads every file (one trainer process for all of them). A call while a pass runs gets the
   * pass after it (which sees the files as they are then); calls during that wait share it.
   */
  refresh(): Promise<UserExperimentEntry[]> {
    if (!this.refreshing) {
      this.refreshing = this.pass().finally(() => (this.refreshing = null));
      return this.refreshing;
    }
    this.queued ??= this.refreshing.then(
      () => {
        this.queued = null;
        return this.refresh();
      },
      () => {
        this.queued = null;
        return this.refresh();
      },
    );
    return this.queued;
  }

  private async pass(): Promise<UserExperimentEntry[]> {
    const paths = [...new Set([...listExperimentFiles(this.options.dirs), ...(this.options.files ?? []).map((f) => resolve(f))])];
    let described: DescribedFile[];
    if (paths.length === 0) described = [];
    else if (!this.options.spawn) described = paths.map((path) => ({ path, sha256: '', error: { message: 'no trainer is available here to load experiment files', file: path } }));
    else {
      try {
        described = await describeInTrainer(this.options.spawn, paths, this.options.timeoutMs);
      } catch (err) {
        described = paths.map((path) => ({ path, sha256: '', error: { message: (err as Error).message, file: path } }));
      }
    }
    const map = this.options.experiments;
    for (const key of this.keys) map.delete(key);
    this.keys.clear();
    this.entriesNow = described.map((f) => {
      if (f.experiment && !f.error) {
        try {
          const def = standIn(f);
          map.set(def.key, def);
          this.keys.add(def.key);
          return { path: f.path, sha256: f.sha256, key: def.key, title: def.title };
        } catch (err) {
          return { path: f.path, sha256: f.sha256, key: f.experiment.info.key, error: { message: `its config schema cannot be read: ${(err as Error).message}`, file: f.path } };
        }
      }
      return { path: f.path, sha256: f.sha256, ...(f.experiment ? { key: f.experiment.info.key } : {}), error: f.error };
    });
    this.options.onChange?.(this.entriesNow);
    return this.entriesNow;
  }

  /** Watches the folders and refreshes (debounced) when a file is added, changed or removed. */
  watch(debounceMs = 300): void {
    this.unwatch();
    for (const dir of this.options.dirs) {
      try {
        this.watchers.push(
          watch(dir, () => {
            if (this.pending) clearTimeout(this.pending);
            this.pending = setTimeout(() => {
              this.pending = null;
              void this.refresh();
            }, debounceMs);
          }),
        );
      } catch {
        // A folder that does not exist yet is read at the next refresh.
      }
    }
  }

  unwatch(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }
}
