import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { unifiedDiff } from '../common/line-diff';
import type { z } from 'zod';
import type { ExperimentInfo, MetricSeries, RunDetail, ExperimentFileSource, RunListSchema, RunMetricsSchema, RunStartSchema, RunSummary } from '../contract/runs';
import { downsampleMinMax } from '../common/downsample';
import { namesToRead, resolveRoles, seriesWithRoles, type RoleMap } from '../common/metric-roles';
import type { RunsRepo } from '../db/runs.repo';
import type { SettingsRepo } from '../db/settings.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import { describeExperiment } from '../experiments/describe';
import { cancelGraceMs } from '../experiments/driver';
import type { ExperimentDefinition } from '../experiments/types';
import type { SpawnTrainer, TrainerHandle, TrainerToHost } from '../trainer/protocol';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';
import { describeIssues, issuesOf } from './zod-issues';
import { ownValue } from '../contract/input-shape';

import { Pace } from '../common/progress-pace';

const SETTINGS_KEY = 'parallelRuns';

interface ActiveRun {
  id: string;
  projectId: string | null;
  handle: TrainerHandle;
  /** The progress line's rate and ETA, measured from the first step reported. */
  pace: Pace;
  cancelRequested: boolean;
  ended: boolean;
  killTimer?: ReturnType<typeof setTimeout>;
  /** Measured optimizer time per step, to size the cancel grace period for slow steps. */
  secondsPerStep?: number;
  /** The longest the trainer's loop has reported going without yielding (an evaluation, a slow step). */
  longestBusyMs?: number;
}

/** A stored source and how the file at its path compares with it now (the host reads the file; it never runs it). */
function describeSource(stored: { sha256: string; path: string; source: string }): ExperimentFileSource {
  let now: string | null;
  try {
    now = readFileSync(stored.path, 'utf8');
  } catch {
    now = null;
  }
  if (now === null) return { sha256: stored.sha256, path: stored.path, text: stored.source, onDisk: 'missing', diff: null };
  if (now === stored.source) return { sha256: stored.sha256, path: stored.path, text: stored.source, onDisk: 'same', diff: null };
  return {
    sha256: stored.sha256,
    path: stored.path,
    text: stored.source,
    onDisk: 'changed',
    diff: unifiedDiff(stored.source, now, { fromName: `as run (${stored.sha256.slice(0, 12)})`, toName: `${stored.path} now` }),
  };
}

export interface RunServiceDeps {
  runs: RunsRepo;
  projects: ProjectsRepo;
  settings: SettingsRepo;
  events: EventBus;
  experiments: ReadonlyMap<string, ExperimentDefinition>;
  /** Starts a trainer process; absent where this host cannot train (runs stay queued). */
  spawn?: SpawnTrainer;
  /** Called when an experiment file changed under a start (the host re-reads its files). */
  onStaleExperiment?: () => void;
  appVersion: string;
  clock: Clock;
  /** Default number of trainer processes when the setting was never changed (read each time: it can follow the backend). */
  defaultParallel?: number | (() => number);
  /** Wins over the stored setting (the CLI's --parallel applies to that invocation only). */
  parallelOverride?: number;
  /** A project's metric roles: series are read through them (default: the built-in names). */
  roleMap?: (projectId: string | null) => RoleMap;
}

type Settled = (runId: string) => void;

export class RunService {
  private readonly queue: string[] = [];
  private readonly active = new Map<string, ActiveRun>();
  private readonly settledListeners = new Set<Settled>();
  /** Set by shutdown(): late trainer messages and exits must not touch the closed database. */
  private closed = false;

  constructor(private readonly deps: RunServiceDeps) {}

  experiments(): ExperimentInfo[] {
    return [...this.deps.experiments.values()].map((def) => ({ ...describeExperiment(def), ...(def.file ? { source: { path: def.file.path } } : {}) }));
  }

  get parallel(): number {
    if (this.deps.parallelOverride) return this.deps.parallelOverride;
    const stored = this.deps.settings.get(SETTINGS_KEY);
    if (typeof stored === 'number') return stored;
    const d = this.deps.defaultParallel;
    return typeof d === 'function' ? d() : (d ?? 1);
  }

  setParallel(n: number): void {
    this.deps.settings.set(SETTINGS_KEY, n);
    this.pump();
  }

  /** Parses a config for an experiment; issues are reported under `config.<knob>`. */
  resolveConfig(experimentKey: string, preset: string | undefined, config: Record<string, unknown>) {
    const def = this.deps.experiments.get(experimentKey);
    if (!def) {
      const known = [...this.deps.experiments.keys()].join(', ');
      throw new ServiceError('invalid_input', `Unknown experiment "${experimentKey}" (known: ${known})`, [
        { path: 'experiment', message: `must be one of: ${known}` },
      ]);
    }
    // Own presets only: a name from input must never reach Object.prototype (`constructor`, `__proto__`).
    const presetValues = preset === undefined ? {} : ownValue(def.presets, preset);
    if (!presetValues) {
      const names = Object.keys(def.presets).join(', ');
      throw new ServiceError('invalid_input', `Unknown preset "${preset}" for ${def.key} (presets: ${names})`, [
        { path: 'preset', message: `must be one of: ${names}` },
      ]);
    }
    const parsed = def.configSchema.safeParse({ ...presetValues, ...config });
    if (!parsed.success) {
      const issues = issuesOf(parsed.error).map((i) => ({ ...i, path: i.path ? `config.${i.path}` : 'config' }));
      throw new ServiceError('invalid_input', `Invalid ${def.key} config: ${describeIssues(issues)}`, issues);
    }
    return { def, config: parsed.data as Record<string, unknown> };
  }

  /** Creates one run per seed (seed, seed+1, …) and queues them. */
  start(input: z.output<typeof RunStartSchema>): RunSummary[] {
    if (input.projectId && !this.deps.projects.get(input.projectId)) {
      throw new ServiceError('invalid_input', `No project with id ${input.projectId}`, [
        { path: 'projectId', message: 'no project with this id' },
      ]);
    }
    const { def, config } = this.resolveConfig(input.experiment, input.preset, input.config);
    const baseSeed = typeof config.seed === 'number' ? config.seed : 0;
    if (input.seeds > 1) this.resolveConfig(def.key, undefined, { ...config, seed: baseSeed + input.seeds - 1 });
    const groupId = randomUUID();
    const ids = this.enqueue(
      Array.from({ length: input.seeds }, (_, i) => ({
        projectId: input.projectId,
        groupId,
        experiment: def.key,
        preset: input.preset ?? null,
        config: { ...config, seed: baseSeed + i },
      })),
    );
    return ids.map((id) => this.summary(id));
  }

  /**
   * Stores and queues runs whose configs are already resolved (seed included). One transaction:
   * a sweep of hundreds of runs is queued whole or not at all.
   */
  enqueue(
    specs: readonly {
      projectId: string | null;
      groupId: string;
      experiment: string;
      preset: string | null;
      config: Record<string, unknown>;
      sweepId?: string;
      sweepPoint?: Record<string, unknown>;
    }[],
  ): string[] {
    const now = this.deps.clock();
    // The exact source each researcher's experiment trains is read now, checked and stored.
    const sources = new Map<string, string>();
    for (const key of new Set(specs.map((s) => s.experiment))) {
      const file = this.deps.experiments.get(key)?.file;
      if (file) sources.set(key, this.readSource(key, file));
    }
    const ids = this.deps.runs.transaction(() =>
      specs.map((spec) => {
        const def = this.deps.experiments.get(spec.experiment)!;
        const id = randomUUID();
        const sourceSha256 = sources.get(spec.experiment) ?? null;
        this.deps.runs.insert({
          id,
          ...spec,
          sourceSha256,
          seed: typeof spec.config.seed === 'number' ? spec.config.seed : 0,
          appVersion: this.deps.appVersion,
          stepsTotal: def.totalSteps(spec.config),
          rerunOf: null,
          ownerPid: process.pid,
          now,
        });
        return id;
      }),
    );
    this.queue.push(...ids);
    for (const projectId of new Set(specs.map((s) => s.projectId))) {
      this.changed(
        ids.filter((_, i) => specs[i]!.projectId === projectId),
        projectId,
      );
    }
    this.pump();
    return ids;
  }

  /**
   * Reads a researcher's experiment file and stores its source (once per content). Refused when the
   * bytes are no longer those Phenobook described: the config was checked against that version.
   */
  private readSource(key: string, file: { path: string; sha256: string }): string {
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch (err) {
      throw new ServiceError('conflict', `The experiment file of "${key}" cannot be read: ${(err as Error).message}`);
    }
    const sha = createHash('sha256').update(text).digest('hex');
    if (sha !== file.sha256) {
      this.deps.onStaleExperiment?.();
      throw new ServiceError(
        'conflict',
        `The experiment file ${file.path} changed since Phenobook read it (SHA-256 ${file.sha256.slice(0, 12)}… then, ${sha.slice(0, 12)}… now); it is being read again — start the run once it is listed again`,
      );
    }
    this.deps.runs.saveSource(sha, file.path, text, this.deps.clock());
    return sha;
  }

  /** Re-queues interrupted runs from scratch (a sweep resuming after a restart). */
  requeue(ids: readonly string[]): string[] {
    const done = ids.filter((id) => this.deps.runs.requeue(id, process.pid));
    this.queue.push(...done);
    const rows = done.map((id) => this.deps.runs.getRow(id)!);
    for (const projectId of new Set(rows.map((r) => r.project_id))) {
      this.changed(
        rows.filter((r) => r.project_id === projectId).map((r) => r.id),
        projectId,
      );
    }
    this.pump();
    return done;
  }

  definition(experiment: string): ExperimentDefinition | undefined {
    return this.deps.experiments.get(experiment);
  }

  /** Whether this host is training or about to train the run. */
  isActive(id: string): boolean {
    return this.active.has(id) || this.queue.includes(id);
  }

  /** A new run from a stored run's exact config. */
  rerun(id: string): RunSummary {
    const old = this.get(id);
    // Phenobook never trained it: there is no experiment code here to repeat.
    if (old.source !== 'phenobook') throw new ServiceError('conflict', `Run ${id} was recorded outside Phenobook (${old.source}); it cannot be re-run here`);
    const { def, config } = this.resolveConfig(old.experiment, undefined, old.config);
    const newId = randomUUID();
    this.deps.runs.insert({
      id: newId,
      projectId: old.projectId,
      groupId: randomUUID(),
      experiment: def.key,
      preset: old.preset,
      config,
      seed: old.seed,
      appVersion: this.deps.appVersion,
      stepsTotal: def.totalSteps(config),
      // A re-run of a researcher's experiment trains the very source the original did.
      sourceSha256: this.deps.runs.getRow(old.id)?.source_sha256 ?? null,
      rerunOf: old.id,
      ownerPid: process.pid,
      now: this.deps.clock(),
    });
    this.queue.push(newId);
    this.changed([newId], old.projectId);
    this.pump();
    return this.summary(newId);
  }

  list(input: z.output<typeof RunListSchema>): RunSummary[] {
    return this.deps.runs.list(input.projectId);
  }

  /** The metric names the project's runs recorded: what a prediction or a confounder test can read. */
  metricNames(projectId: string): string[] {
    if (!this.deps.projects.get(projectId)) throw notFound('Project', projectId);
    return this.deps.runs.metricNamesOf(projectId);
  }

  get(id: string): RunDetail {
    const run = this.deps.runs.get(id);
    if (!run) throw notFound('Run', id);
    const sha = this.deps.runs.getRow(id)?.source_sha256;
    const stored = sha ? this.deps.runs.source(sha) : undefined;
    return stored ? { ...run, experimentFile: describeSource(stored) } : run;
  }

  private summary(id: string): RunSummary {
    const { backendDetail: _b, appVersion: _a, dataHash: _d, experimentFile: _s, ...summary } = this.get(id);
    return summary;
  }

  /**
   * A run's series, downsampled for drawing. A series its project maps to a role (e.g. `test_acc` as
   * testAcc) comes under the role's name too, so the charts and the grokking delay read it.
   */
  metrics(input: z.output<typeof RunMetricsSchema>): MetricSeries[] {
    const run = this.get(input.id);
    const map = this.deps.roleMap?.(run.projectId) ?? resolveRoles({});
    const stored = this.deps.runs.series(input.id, input.names && namesToRead(input.names, map));
    return seriesWithRoles(stored, map, input.names).map((s) => {
      const d = downsampleMinMax(s.steps, s.values, input.maxPoints);
      return { name: s.name, steps: d.xs, values: d.ys, stored: s.steps.length };
    });
  }

  /** Every stored metric of a run as rows, for CSV export. */
  exportRows(id: string): { step: number; name: string; value: number | null }[] {
    this.get(id);
    return this.deps.runs.allMetrics(id);
  }

  cancel(id: string): RunSummary {
    const run = this.get(id);
    const queued = this.queue.indexOf(id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(id, run.projectId, { status: 'cancelled', error: 'Cancelled before it started' });
    } else {
      const active = this.active.get(id);
      if (!active && run.source !== 'phenobook') throw new ServiceError('conflict', `Run ${id} is recorded by another process (${run.origin ?? run.source}); stop it there`);
      if (!active) throw new ServiceError('conflict', `Run ${id} is not running (status: ${run.status})`);
      this.requestStop(active);
    }
    return this.summary(id);
  }

  delete(id: string): { id: string } {
    const run = this.get(id);
    if (this.active.has(id) || this.queue.includes(id)) {
      throw new ServiceError('conflict', 'Cancel this run before deleting it');
    }
    this.deps.runs.delete(id);
    this.changed([id], run.projectId);
    return { id };
  }

  /** Resolves when every given run has reached a final status (runs deleted meanwhile are left out). */
  whenSettled(ids: readonly string[]): Promise<RunDetail[]> {
    const settled = () => ids.flatMap((id) => this.deps.runs.get(id) ?? []);
    const pending = new Set(ids.filter((id) => ['queued', 'running'].includes(this.deps.runs.getRow(id)?.status ?? '')));
    if (pending.size === 0) return Promise.resolve(settled());
    return new Promise((resolve) => {
      const listener: Settled = (runId) => {
        pending.delete(runId);
        if (pending.size === 0) {
          this.settledListeners.delete(listener);
          resolve(settled());
        }
      };
      this.settledListeners.add(listener);
    });
  }

  /**
   * Runs left queued or running by a host that is gone (crash, kill, power loss) are marked
   * interrupted. Runs owned by another live process (e.g. a CLI run) are left alone.
   */
  recoverInterrupted(isAlive: (pid: number) => boolean = processIsAlive): number {
    let count = 0;
    for (const status of ['running', 'queued'] as const) {
      for (const row of this.deps.runs.withStatus(status)) {
        if (this.active.has(row.id) || this.queue.includes(row.id)) continue;
        if (row.owner_pid !== null && row.owner_pid !== process.pid && isAlive(row.owner_pid)) continue;
        const error =
          row.source && row.source !== 'phenobook'
            ? // A `phenobook log` that was killed outright (SIGKILL) could not end its run itself.
              'Interrupted: the process recording it stopped without ending it'
            : status === 'running'
              ? 'Interrupted: the app stopped while this run was training'
              : 'Interrupted: the app stopped before this run started';
        if (this.deps.runs.markFinished(row.id, { status: 'interrupted', error, now: this.deps.clock() })) {
          this.changed([row.id], row.project_id);
          count++;
        }
      }
    }
    return count;
  }

  /** Stops every trainer (host shutdown): runs end as interrupted, not failed. */
  shutdown(): void {
    this.closed = true;
    for (const id of this.queue.splice(0)) {
      this.deps.runs.markFinished(id, { status: 'interrupted', error: 'Interrupted: the app stopped before this run started', now: this.deps.clock() });
    }
    for (const active of this.active.values()) {
      active.ended = true;
      active.handle.kill();
      this.deps.runs.markFinished(active.id, {
        status: 'interrupted',
        error: 'Interrupted: the app stopped while this run was training',
        now: this.deps.clock(),
      });
    }
    this.active.clear();
  }

  private pump(): void {
    if (!this.deps.spawn || this.closed) return;
    while (this.active.size < this.parallel && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const row = this.deps.runs.getRow(id);
      if (!row || row.status !== 'queued') {
        this.notifySettled(id); // deleted or finished elsewhere: nobody may wait on it forever
        continue;
      }
      this.launch(row.id, row.project_id, row.experiment, JSON.parse(row.config) as Record<string, unknown>);
    }
  }

  private launch(id: string, projectId: string | null, experiment: string, config: Record<string, unknown>): void {
    let handle: TrainerHandle;
    try {
      handle = this.deps.spawn!();
    } catch (err) {
      this.finish(id, projectId, { status: 'failed', error: `Could not start a trainer process: ${(err as Error).message}` });
      return;
    }
    const active: ActiveRun = { id, projectId, handle, pace: new Pace(), cancelRequested: false, ended: false };
    this.active.set(id, active);
    handle.onMessage((message) => this.onTrainerMessage(active, message));
    handle.onExit((code, signal, cause) => this.onTrainerExit(active, code, signal, cause));
    // A researcher's experiment: the trainer runs the stored source (as the file at its path), checked by its SHA-256.
    const sha = this.deps.runs.getRow(id)?.source_sha256;
    const stored = sha ? this.deps.runs.source(sha) : undefined;
    handle.send({
      type: 'start',
      runId: id,
      experiment,
      config,
      backend: backendOverride(),
      ...(stored ? { file: { path: stored.path, sha256: stored.sha256, source: stored.source } } : {}),
    });
  }

  private onTrainerMessage(active: ActiveRun, message: TrainerToHost): void {
    if (this.closed || message.type === 'probed' || message.type === 'described' || active.ended || message.runId !== active.id) return;
    try {
      this.handleTrainerMessage(active, message);
    } catch (err) {
      // e.g. the run's row was deleted underneath it: stop that trainer, keep the host alive.
      console.error(`[runs] ${active.id}: ${(err as Error).message}`);
      active.handle.kill();
      if (this.deps.runs.getRow(active.id)) {
        this.finish(active.id, active.projectId, { status: 'failed', error: `Could not store the run's results: ${(err as Error).message}` });
      } else {
        active.ended = true;
        this.notifySettled(active.id);
      }
    }
  }

  private handleTrainerMessage(active: ActiveRun, message: Exclude<TrainerToHost, { type: 'probed' } | { type: 'described' }>): void {
    const { id, projectId } = active;
    const now = this.deps.clock();
    switch (message.type) {
      case 'started':
        this.deps.runs.markStarted(id, { backend: message.backend, ownerPid: process.pid, now });
        this.changed([id], projectId);
        break;
      case 'progress': {
        this.deps.runs.markProgress(id, message.step);
        if (message.trainSeconds > 0) active.secondsPerStep = message.trainSeconds / Math.max(1, message.step);
        if (message.longestBusyMs !== undefined) active.longestBusyMs = message.longestBusyMs;
        // The rate shown and the ETA beside it come from one measurement (null while estimating).
        const pace = active.pace.observe(message.step, message.total, performance.now() / 1000);
        this.deps.events.emit({ type: 'runs:progress', runId: id, projectId, step: message.step, total: message.total, ...pace });
        break;
      }
      case 'metrics':
        this.deps.runs.insertMetrics(id, message.points);
        this.deps.events.emit({ type: 'runs:metrics', runId: id, projectId, points: message.points });
        break;
      case 'done':
        this.finish(id, projectId, {
          status: message.status,
          error: message.status === 'cancelled' ? 'Cancelled' : (message.reason ?? null),
          stepsDone: message.stepsCompleted,
          trainSeconds: message.trainSeconds,
          wallSeconds: message.wallSeconds,
          dataHash: message.dataHash,
        });
        break;
      case 'failed':
        this.finish(id, projectId, { status: 'failed', error: message.reason });
        break;
    }
  }

  private onTrainerExit(active: ActiveRun, code: number | null, signal: string | null, cause?: 'out-of-memory'): void {
    clearTimeout(active.killTimer);
    if (this.closed) return;
    if (!active.ended) {
      if (active.cancelRequested) {
        this.finish(active.id, active.projectId, { status: 'cancelled', error: 'Cancelled (the trainer was stopped after the grace period)' });
      } else {
        const reason =
          cause === 'out-of-memory'
            ? `The trainer process ran out of memory (its JavaScript heap limit was reached${signal ? `; ended by ${signal}` : ''})`
            : signal === 'SIGKILL'
            ? 'The trainer process was killed (SIGKILL), e.g. by the out-of-memory killer or by hand'
            : signal
              ? `The trainer process ended on signal ${signal}`
              : `The trainer process exited unexpectedly with code ${code}`;
        this.finish(active.id, active.projectId, { status: 'failed', error: reason });
      }
    }
    this.active.delete(active.id);
    this.pump();
  }

  private requestStop(active: ActiveRun): void {
    if (active.cancelRequested) return;
    active.cancelRequested = true;
    active.handle.send({ type: 'cancel' });
    // Derived from the driver's cadence and what this trainer has measured (experiments/driver.ts).
    const grace = cancelGraceMs({ secondsPerStep: active.secondsPerStep, longestBusyMs: active.longestBusyMs });
    active.killTimer = setTimeout(() => active.handle.kill(), grace);
  }

  private finish(id: string, projectId: string | null, patch: Omit<Parameters<RunsRepo['markFinished']>[1], 'now'>): void {
    const active = this.active.get(id);
    if (active) {
      active.ended = true;
      clearTimeout(active.killTimer);
    }
    this.deps.runs.markFinished(id, { ...patch, now: this.deps.clock() });
    this.changed([id], projectId);
    this.notifySettled(id);
  }

  private notifySettled(id: string): void {
    for (const listener of [...this.settledListeners]) listener(id);
  }

  /** Called synchronously from a signal handler: from now on trainer exits are shutdown, not failures. */
  beginShutdown(): void {
    this.closed = true;
  }

  private changed(ids: string[], projectId: string | null): void {
    this.deps.events.emit({ type: 'runs:changed', ids, projectId });
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function backendOverride() {
  const value = process.env.PHENOBOOK_BACKEND;
  return value === 'tfjs-node-gpu' || value === 'tfjs-node' || value === 'wasm' || value === 'cpu' ? value : undefined;
}
