import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { SeedsSchema, type RunStatus } from '../contract/runs';
import type { FieldIssue } from '../contract/result';
import { issuesOf } from './zod-issues';
import {
  SLURM_TASK_STATES,
  type GridAxis,
  type SlurmSweepInfo,
  type SlurmTaskState,
  type Sweep,
  type SweepDetail,
  type SweepResults,
  type StartCheckSchema,
  type SweepAdoptSchema,
  type SweepStartSchema,
  type SweepStatus,
} from '../contract/sweeps';
import type { SlurmRepo } from '../db/slurm.repo';
import { SlurmSweepRecordSchema } from './slurm/task-files';
import { sweepMeasures } from '../common/phenomenon-measures';
import { cartesian, sweepResults, type RunOutcome } from '../common/sweep-results';
import { adoptionPlan } from '../common/adopt-sweep';
import { finalsWithRoles, resolveRoles, type RoleMap } from '../common/metric-roles';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunRow, RunsRepo } from '../db/runs.repo';
import type { StoredSweep, SweepsRepo } from '../db/sweeps.repo';
import { ownValue } from '../contract/input-shape';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';
import type { RunService } from './run.service';

export interface SweepDeps {
  sweeps: SweepsRepo;
  runsRepo: RunsRepo;
  runs: RunService;
  projects: ProjectsRepo;
  events: EventBus;
  clock: Clock;
  slurm: SlurmRepo;
  /** A project's metric roles: results read role-mapped finals (default: the built-in names). */
  roleMap?: (projectId: string | null) => RoleMap;
}

/** A sweep's runs before anything is stored. */
export interface SweepPlan {
  experiment: string;
  preset: string | null;
  config: Record<string, unknown>;
  grid: GridAxis[];
  specs: { config: Record<string, unknown>; point: Record<string, unknown>; seed: number }[];
}

/** Per-round metrics some experiments record (lottery-ticket); results expand them into points. */
const ROUND_METRICS = ['round', 'weightsLeft', 'ticketTestAcc', 'ticketTrainAcc', 'randomMaskTestAcc', 'freshInitTestAcc'];

/** Sweeps: a grid of knob values × seeds queued as runs, followed to the end, resumed after a restart. */
export class SweepService {
  constructor(private readonly d: SweepDeps) {}

  /**
   * Checks a sweep and lists its runs (grid point × seed, configs fully resolved) without storing
   * anything: what a local sweep queues and what a SLURM sweep writes as task specs.
   */
  /** The definition (or a researcher's experiment's stand-in) a sweep of `experiment` trains. */
  definition(experiment: string) {
    return this.d.runs.definition(experiment);
  }

  plan(input: z.output<typeof SweepStartSchema>): SweepPlan {
    if (input.projectId && !this.d.projects.get(input.projectId)) {
      throw new ServiceError('invalid_input', `No project with id ${input.projectId}`, [{ path: 'projectId', message: 'no project with this id' }]);
    }
    const { def, config } = this.d.runs.resolveConfig(input.experiment, input.preset, input.config);
    // Without a grid, a preset's own sweep (e.g. double-descent cheap: its 14 widths) is used.
    const grid = input.grid.length === 0 && input.preset ? (ownValue(def.sweepGrids, input.preset) ?? []) : input.grid;
    grid.forEach((axis, i) => {
      if (!Object.hasOwn(config, axis.key)) {
        const knobs = Object.keys(config).join(', ');
        throw new ServiceError('invalid_input', `${def.key} has no knob "${axis.key}" (knobs: ${knobs})`, [
          { path: `grid.${i}.key`, message: `must be one of: ${knobs}` },
        ]);
      }
    });
    const baseSeed = typeof config.seed === 'number' ? config.seed : 0;
    const specs = cartesian(grid).flatMap((point) =>
      Array.from({ length: input.seeds }, (_, s) => {
        let resolved;
        try {
          resolved = this.d.runs.resolveConfig(def.key, undefined, { ...config, ...point, seed: baseSeed + s });
        } catch (err) {
          if (err instanceof ServiceError) {
            throw new ServiceError(err.code, `Grid point ${JSON.stringify(point)}: ${err.message}`, err.issues?.map((i) => ({ ...i, path: 'grid' })));
          }
          throw err;
        }
        return { config: resolved.config, point, seed: baseSeed + s };
      }),
    );
    return { experiment: def.key, preset: input.preset ?? null, config, grid, specs };
  }

  /**
   * Every problem with a run or sweep start at once: the seeds, each knob, and each sweep value
   * named by value ("width: '12.5' must be an integer from 1 to 4096"). Starts nothing.
   */
  check(input: z.output<typeof StartCheckSchema>): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const seeds = SeedsSchema.safeParse(input.seeds);
    if (!seeds.success) issues.push(...issuesOf(seeds.error).map((i) => ({ ...i, path: 'seeds' })));
    if (input.projectId && !this.d.projects.get(input.projectId)) issues.push({ path: 'projectId', message: 'no project with this id' });
    // An unknown experiment or preset: nothing else can be checked.
    let base;
    try {
      base = this.d.runs.resolveConfig(input.experiment, input.preset, {});
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return [...issues, ...(err.issues ?? [])];
    }
    const { def, config } = base;
    try {
      this.d.runs.resolveConfig(input.experiment, input.preset, input.config);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      issues.push(...(err.issues ?? []));
    }
    for (const [i, axis] of input.grid.entries()) {
      if (!(axis.key in config)) {
        issues.push({ path: `grid.${i}.key`, message: `${def.key} has no knob "${axis.key}"` });
        continue;
      }
      if (axis.values.length === 0) issues.push({ path: `grid.${i}.values`, message: 'Give at least one value' });
      for (const value of axis.values) {
        const shown = typeof value === 'string' ? `'${value}'` : `'${JSON.stringify(value)}'`;
        const parsed = def.configSchema.safeParse({ ...config, [axis.key]: value });
        const problem = parsed.success ? null : issuesOf(parsed.error).find((x) => x.path === axis.key);
        const words = problem?.message.startsWith(`${axis.key} `) ? problem.message.slice(axis.key.length + 1) : problem?.message;
        if (problem) issues.push({ path: `grid.${i}.values`, message: `${axis.key}: ${shown} ${words}` });
      }
    }
    return issues;
  }

  start(input: z.output<typeof SweepStartSchema>): Sweep {
    const { config, grid, specs, experiment } = this.plan(input);
    const id = randomUUID();
    this.d.runsRepo.transaction(() => {
      this.d.sweeps.insert({
        id,
        projectId: input.projectId,
        experiment,
        preset: input.preset ?? null,
        config,
        grid,
        seeds: input.seeds,
        createdAt: this.d.clock(),
      });
      this.d.runs.enqueue(
        specs.map((s) => ({
          projectId: input.projectId,
          groupId: id,
          experiment,
          preset: input.preset ?? null,
          config: s.config,
          sweepId: id,
          sweepPoint: s.point,
        })),
      );
    });
    this.changed(id, input.projectId);
    return this.summary(this.stored(id));
  }

  /**
   * Existing runs of a project become a sweep over one config field, as they are: nothing is
   * trained or copied, each run just learns its sweep and point. Runs already in a sweep are refused.
   */
  adopt(input: z.output<typeof SweepAdoptSchema>): Sweep {
    if (!this.d.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    const rows = input.runIds.map((id, i) => {
      const row = this.d.runsRepo.getRow(id);
      if (!row || row.project_id !== input.projectId) {
        throw new ServiceError('invalid_input', `Run ${id} is not a run of this project`, [{ path: `runIds.${i}`, message: 'no run of this project with this id' }]);
      }
      return row;
    });
    const inSweep = rows.flatMap((row, i) => (row.sweep_id === null ? [] : [{ path: `runIds.${i}`, message: `already belongs to sweep ${row.sweep_id.slice(0, 8)}` }]));
    if (inSweep.length > 0) {
      const n = inSweep.length;
      throw new ServiceError('conflict', `${n} of these runs already ${n === 1 ? 'belongs' : 'belong'} to a sweep, and a run can belong to one sweep only: untick ${n === 1 ? 'it' : 'them'} or delete that sweep first`, inSweep);
    }
    // Its curves would still grow under the sweep's measures, and nothing could cancel it from there.
    const training = rows.flatMap((row, i) => (row.status === 'queued' || row.status === 'running' ? [{ path: `runIds.${i}`, message: 'is still training' }] : []));
    if (training.length > 0) throw new ServiceError('conflict', 'Some of these runs are still training: treat them as a sweep once they have finished', training);
    const planned = adoptionPlan(rows.map((r) => ({ id: r.id, experiment: r.experiment, preset: r.preset, config: JSON.parse(r.config) as Record<string, unknown> })), input.field);
    if (!planned.ok) throw new ServiceError('invalid_input', planned.message, [{ path: 'field', message: planned.message }]);
    const { plan } = planned;
    const id = randomUUID();
    this.d.runsRepo.transaction(() => {
      this.d.sweeps.insert({ id, projectId: input.projectId, experiment: plan.experiment, preset: plan.preset, config: plan.config, grid: plan.grid, seeds: plan.seeds, createdAt: this.d.clock(), adopted: true });
      plan.points.forEach(({ runId, point }) => {
        // Checked above; a run taken by another sweep in between rolls the whole adoption back.
        if (!this.d.sweeps.adoptRun(id, runId, point)) throw new ServiceError('conflict', `Run ${runId} joined another sweep meanwhile: nothing was adopted`);
      });
    });
    this.changed(id, input.projectId);
    this.d.events.emit({ type: 'runs:changed', ids: plan.points.map((p) => p.runId), projectId: input.projectId });
    return this.summary(this.stored(id));
  }

  list(projectId: string | null): Sweep[] {
    return this.d.sweeps.list(projectId).map((s) => this.summary(s));
  }

  get(id: string): SweepDetail {
    const sweep = this.stored(id);
    const rows = this.d.runsRepo.bySweep(id);
    const summaries = this.d.runsRepo.summaries(rows);
    const results = this.results(sweep, rows);
    const roles = this.d.roleMap?.(sweep.projectId) ?? resolveRoles({});
    return {
      ...this.summary(sweep, rows),
      // The per-run table shows train/test accuracy: read through the roles as the results are.
      runs: summaries.map((r, i) => ({ ...r, final: finalsWithRoles(r.final, roles), point: JSON.parse(rows[i]!.sweep_point ?? '{}') as Record<string, unknown> })),
      results,
      // The smallest widths of Phenobook's double-descent sweeps underfit and are left out of the
      // peak search; an adopted sweep's field may be anything, so every value counts.
      measures: sweep.adopted ? sweepMeasures(results, sweep.grid[0]?.key, Number.NEGATIVE_INFINITY) : sweepMeasures(results, sweep.grid[0]?.key),
    };
  }

  /** A sweep without its runs and results. */
  summaryOf(id: string): Sweep {
    return this.summary(this.stored(id));
  }

  resultsOf(id: string): SweepResults {
    const sweep = this.stored(id);
    return this.results(sweep, this.d.runsRepo.bySweep(id));
  }

  cancel(id: string): Sweep {
    const sweep = this.stored(id);
    if (sweep.adopted) throw new ServiceError('conflict', 'This sweep adopted runs that had already finished: there is nothing to cancel');
    if (sweep.executor === 'slurm') {
      const jobs = this.slurmInfo(sweep)?.jobIds.join(' ') ?? '';
      throw new ServiceError('conflict', `This sweep runs on SLURM: cancel its jobs there (scancel ${jobs || 'JOB_ID, the id sbatch printed when you submitted it by hand'}), then collect`);
    }
    this.d.sweeps.cancel(id, this.d.clock());
    for (const row of this.d.runsRepo.bySweep(id)) {
      if (this.d.runs.isActive(row.id)) this.d.runs.cancel(row.id);
    }
    this.changed(id, sweep.projectId);
    return this.summary(this.stored(id));
  }

  delete(id: string): { id: string } {
    const sweep = this.stored(id);
    if (this.d.runsRepo.bySweep(id).some((r) => this.d.runs.isActive(r.id))) {
      throw new ServiceError('conflict', 'This sweep still has queued or running runs: cancel it before deleting it');
    }
    // A sweep Phenobook ran owns its runs (the foreign key deletes them with it); an adopted one
    // only borrowed them: they are unlinked first and stay in the project.
    this.d.runsRepo.transaction(() => {
      if (sweep.adopted) this.d.sweeps.releaseRuns(id);
      this.d.sweeps.delete(id);
    });
    this.changed(id, sweep.projectId);
    this.d.events.emit({ type: 'runs:changed', ids: [], projectId: sweep.projectId });
    return { id };
  }

  /** After a restart: runs of open sweeps that the last host left unfinished are queued again. */
  resume(): number {
    let count = 0;
    for (const sweep of this.d.sweeps.open()) {
      const interrupted = this.d.runsRepo.bySweep(sweep.id).filter((r) => r.status === 'interrupted');
      if (interrupted.length === 0) continue;
      count += this.d.runs.requeue(interrupted.map((r) => r.id)).length;
      this.changed(sweep.id, sweep.projectId);
    }
    return count;
  }

  /** Resolves when every run of the sweep has settled. */
  async whenSettled(id: string): Promise<SweepDetail> {
    await this.d.runs.whenSettled(this.d.runsRepo.bySweep(id).map((r) => r.id));
    return this.get(id);
  }

  private stored(id: string): StoredSweep {
    const sweep = this.d.sweeps.get(id);
    if (!sweep) throw notFound('Sweep', id);
    return sweep;
  }

  private summary(s: StoredSweep, rows: RunRow[] = this.d.runsRepo.bySweep(s.id)): Sweep {
    const byStatus: Partial<Record<RunStatus, number>> = {};
    for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const stepsDone = rows.reduce((n, r) => n + r.steps_done, 0);
    const stepsTotal = rows.reduce((n, r) => n + r.steps_total, 0);
    const active = (byStatus.queued ?? 0) + (byStatus.running ?? 0);
    const slurm = this.slurmInfo(s);
    const slurmState = slurm && this.slurmProgress(s, slurm, rows);
    return {
      id: s.id,
      projectId: s.projectId,
      experiment: s.experiment,
      preset: s.preset,
      config: s.config,
      grid: s.grid,
      seeds: s.seeds,
      status: slurmState?.status ?? (s.cancelledAt ? 'cancelled' : active > 0 ? 'running' : 'done'),
      executor: s.adopted ? 'adopted' : s.executor,
      slurm,
      createdAt: s.createdAt,
      cancelledAt: s.cancelledAt,
      progress: slurmState?.progress ?? { runs: rows.length, byStatus, stepsDone, stepsTotal, etaSeconds: active > 0 ? this.eta(rows) : null },
    };
  }

  /**
   * Seconds left: the seconds per step measured on finished and running runs, times the steps
   * left, spread over the trainers that run at once.
   */
  private eta(rows: RunRow[]): number | null {
    const now = Date.parse(this.d.clock());
    let seconds = 0;
    let steps = 0;
    for (const r of rows) {
      if (r.status === 'done' && r.wall_seconds) {
        seconds += r.wall_seconds;
        steps += r.steps_total;
      } else if (r.status === 'running' && r.started_at && r.steps_done > 0) {
        seconds += (now - Date.parse(r.started_at)) / 1000;
        steps += r.steps_done;
      }
    }
    if (steps === 0) return null;
    const left = rows.filter((r) => r.status === 'queued' || r.status === 'running').reduce((n, r) => n + r.steps_total - r.steps_done, 0);
    const lanes = Math.max(1, Math.min(this.d.runs.parallel, rows.filter((r) => r.status === 'queued' || r.status === 'running').length));
    return Math.round((left * seconds) / steps / lanes);
  }

  private results(sweep: StoredSweep, rows: RunRow[]): SweepResults {
    const done = rows.filter((r) => r.status === 'done');
    const summaries = this.d.runsRepo.summaries(done);
    // Finals under their role names too: error rates and the measures read runs logged elsewhere.
    const roles = this.d.roleMap?.(sweep.projectId) ?? resolveRoles({});
    const outcomes: RunOutcome[] = done.map((row, i) => {
      const outcome: RunOutcome = { point: JSON.parse(row.sweep_point ?? '{}') as Record<string, unknown>, final: finalsWithRoles(summaries[i]!.final, roles) };
      const def = this.d.runs.definition(row.experiment);
      if (def?.parameterCount) outcome.extras = { parameters: def.parameterCount(JSON.parse(row.config)) };
      const series = this.d.runsRepo.series(row.id, ROUND_METRICS);
      const round = series.find((s) => s.name === 'round');
      if (round) {
        outcome.rounds = round.steps.map((step) =>
          Object.fromEntries(series.map((s) => [s.name, s.values[s.steps.indexOf(step)] ?? null])),
        );
      }
      return outcome;
    });
    return sweepResults(sweep, outcomes);
  }

  /** Tells every view that a sweep changed (a SLURM collect imported runs, a task was resubmitted). */
  notifyChanged(id: string): void {
    const sweep = this.stored(id);
    this.changed(id, sweep.projectId);
    this.d.events.emit({ type: 'runs:changed', ids: [], projectId: sweep.projectId });
  }

  private slurmInfo(s: StoredSweep): SlurmSweepInfo | null {
    if (s.executor !== 'slurm') return null;
    const record = SlurmSweepRecordSchema.safeParse(s.slurm);
    const tasks = this.d.slurm.tasks(s.id);
    const counts = Object.fromEntries(SLURM_TASK_STATES.map((k) => [k, 0])) as Record<SlurmTaskState, number>;
    for (const t of tasks) counts[t.state]++;
    const jobIds = record.success ? record.data.jobIds : [];
    const handCommand = (record.success ? record.data.handCommand : undefined) ?? null;
    return {
      jobIds,
      workdir: record.success ? record.data.workdir : '',
      partition: record.success ? record.data.options.partition : null,
      handCommand,
      awaitingSubmission: handCommand !== null && jobIds.length === 0 && tasks.every((t) => t.state === 'pending'),
      counts,
      tasks: tasks.map((t) => ({ index: t.index, point: t.point, seed: t.seed, jobId: t.jobId, state: t.state, detail: t.detail, attempts: t.attempts, runId: t.runId })),
    };
  }

  /** A SLURM sweep's status and progress, from its tasks as last seen (runs exist only once collected). */
  private slurmProgress(s: StoredSweep, info: SlurmSweepInfo, rows: RunRow[]): { status: SweepStatus; progress: Sweep['progress'] } {
    const c = info.counts;
    const total = info.tasks.length;
    const active = c.pending + c.running;
    const status: SweepStatus = s.cancelledAt
      ? 'cancelled'
      : c.collected === total
        ? 'done'
        : active > 0
          ? c.running + c.finished + c.collected + c.failed > 0
            ? 'running'
            : 'submitted'
          : c.failed > 0
            ? 'failed'
            : 'partial';
    const def = this.d.runs.definition(s.experiment);
    const perTask = def ? def.totalSteps(s.config) : 0;
    return {
      status,
      progress: {
        runs: total,
        // A finished task waiting for collect counts as running: it has no run in the notebook yet.
        byStatus: { done: c.collected, failed: c.failed, running: c.running + c.finished, queued: c.pending },
        stepsDone: rows.reduce((n, r) => n + r.steps_done, 0),
        stepsTotal: perTask * total,
        etaSeconds: null,
      },
    };
  }

  private changed(id: string, projectId: string | null): void {
    this.d.events.emit({ type: 'sweeps:changed', ids: [id], projectId });
  }
}
