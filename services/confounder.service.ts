import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CANDIDATE_LABELS, PLACEBOS, type ConfounderTest, type ConfounderTestSchema, type HypothesisConfounderLinkSchema } from '../contract/confounders';
import type { ConfounderReport } from '../contract/confounders';
import type { Observation } from '../common/confounder-analysis';
import { runConfounderJob } from './confounder-job';
import type { ConfounderJob } from './offthread-protocol';
import type { ConfoundersRepo } from '../db/confounders.repo';
import type { HypothesesRepo } from '../db/hypotheses.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunRow, RunsRepo } from '../db/runs.repo';
import type { SweepsRepo } from '../db/sweeps.repo';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import { compileMetricExpression } from './metric-expression';
import type { Clock } from './projects.service';
import type { RunService } from './run.service';

export interface ConfounderDeps {
  repo: ConfoundersRepo;
  runsRepo: RunsRepo;
  sweeps: SweepsRepo;
  runs: RunService;
  projects: ProjectsRepo;
  hypotheses: HypothesesRepo;
  events: EventBus;
  clock: Clock;
  /** Runs the analysis off the host thread (the worker); in-thread without it. */
  analyse?: (job: ConfounderJob) => Promise<ConfounderReport>;
}

/** Evaluations per run kept for the test (evenly thinned): the bootstrap stays interactive. */
const MAX_EVALS_PER_RUN = 200;
const MAX_OBSERVATIONS = 1200;


/** Runs the confounder test on a sweep or a set of runs, stores the report, and links it. */
export class ConfounderService {
  constructor(private readonly d: ConfounderDeps) {}

  async run(input: z.output<typeof ConfounderTestSchema>): Promise<ConfounderTest> {
    if (!this.d.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    this.d.events.emit({ type: 'confounders:progress', projectId: input.projectId, phase: 'observing' });
    const { observations, level, xLabel, source } = this.observe(input);
    if (observations.length < 4) {
      throw new ServiceError('invalid_input', `Only ${observations.length} finished observations: the test needs at least 4 (finish more runs first)`, [
        { path: input.sweepId ? 'sweepId' : 'runIds', message: 'Too few finished runs' },
      ]);
    }
    const recorded = [...new Set(observations.flatMap((o) => Object.keys(o.values)))];
    // Checked here, so a bad expression is refused before any thread is asked.
    const candidateName =
      input.candidate.kind === 'builtin'
        ? CANDIDATE_LABELS[input.candidate.metric]
        : `${input.candidate.name} (${compileMetricExpression(input.candidate.expression, recorded).source})`;
    const candidateMetric = input.candidate.kind === 'builtin' ? input.candidate.metric : null;
    const placebos = PLACEBOS.filter((p) => p !== candidateMetric && recorded.includes(p));
    const job: ConfounderJob = { kind: 'confounders', observations, level, xLabel, settings: input, recorded, placebos };
    this.d.events.emit({ type: 'confounders:progress', projectId: input.projectId, phase: 'analysing' });
    // The bootstrap is the heavy part (seconds on large run sets): off the host thread when it can be.
    const report = this.d.analyse ? await this.d.analyse(job) : runConfounderJob(job);
    if (!this.d.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    const candidate = { name: candidateName };
    const test: ConfounderTest = {
      id: randomUUID(),
      projectId: input.projectId,
      title: `${candidate.name} vs ${report.outcome === 'testError' ? 'test error' : report.outcome === 'testLoss' ? 'test loss' : 'test accuracy'} — ${source}`,
      settings: input,
      report,
      verdict: report.verdict,
      createdAt: this.d.clock(),
    };
    this.d.repo.insert(test);
    this.changed(input.projectId);
    return test;
  }

  list(projectId: string): ConfounderTest[] {
    if (!this.d.projects.get(projectId)) throw notFound('Project', projectId);
    return this.d.repo.list(projectId);
  }

  get(id: string): ConfounderTest {
    const t = this.d.repo.get(id);
    if (!t) throw notFound('Confounder test', id);
    return t;
  }

  delete(id: string): { id: string } {
    const t = this.get(id);
    this.d.repo.delete(id);
    this.changed(t.projectId);
    return { id };
  }

  ofHypothesis(hypothesisId: string): ConfounderTest[] {
    return this.d.repo.ofHypothesis(hypothesisId);
  }

  linkHypothesis(input: z.output<typeof HypothesisConfounderLinkSchema>): ConfounderTest[] {
    const h = this.d.hypotheses.get(input.hypothesisId);
    if (!h) throw notFound('Hypothesis', input.hypothesisId);
    const t = this.get(input.testId);
    if (t.projectId !== h.projectId) throw new ServiceError('invalid_input', 'That confounder test belongs to another project', [{ path: 'testId', message: 'Not in this project' }]);
    this.d.repo.setHypothesisLink(h.id, t.id, input.linked);
    this.d.events.emit({ type: 'notebook:changed', projectId: h.projectId, what: 'hypotheses' });
    return this.d.repo.ofHypothesis(h.id);
  }

  /** Observations: per finished run of a sweep (final values), or per evaluation of each run. */
  private observe(input: z.output<typeof ConfounderTestSchema>): { observations: Observation[]; level: 'runs' | 'evaluations'; xLabel: string; source: string } {
    const withParameters = (row: RunRow, values: Record<string, number | null>) => {
      const def = this.d.runs.definition(row.experiment);
      const out: Record<string, number | null> = { ...values };
      if (typeof values.testAcc === 'number') out.testError = 1 - values.testAcc;
      if (def?.parameterCount) out.parameters = def.parameterCount(JSON.parse(row.config));
      return out;
    };
    if (input.sweepId) {
      const sweep = this.d.sweeps.get(input.sweepId);
      if (!sweep || sweep.projectId !== input.projectId) throw notFound('Sweep', input.sweepId);
      const rows = this.d.runsRepo.bySweep(sweep.id).filter((r) => r.status === 'done');
      const summaries = this.d.runsRepo.summaries(rows);
      const xKey = sweep.grid[0]?.key;
      const observations = rows.map((row, i) => {
        const point = JSON.parse(row.sweep_point ?? '{}') as Record<string, unknown>;
        return { group: `seed ${row.seed}`, x: typeof point[xKey ?? ''] === 'number' ? (point[xKey!] as number) : i, values: withParameters(row, summaries[i]!.final) };
      });
      return { observations, level: 'runs', xLabel: xKey ?? 'run', source: `sweep ${sweep.id.slice(0, 8)} (${sweep.experiment})` };
    }
    const ids = [...new Set(input.runIds ?? [])];
    const observations: Observation[] = [];
    const perRun = Math.max(10, Math.min(MAX_EVALS_PER_RUN, Math.floor(MAX_OBSERVATIONS / Math.max(1, ids.length))));
    for (const id of ids) {
      const row = this.d.runsRepo.getRow(id);
      if (!row || row.project_id !== input.projectId) {
        throw new ServiceError('invalid_input', `Run ${id.slice(0, 8)} is not a run of this project`, [{ path: 'runIds', message: 'Not a run of this project' }]);
      }
      const series = this.d.runsRepo.series(id);
      const steps = [...new Set(series.flatMap((s) => s.steps))].sort((a, b) => a - b);
      const stride = Math.max(1, Math.ceil(steps.length / perRun));
      const at = series.map((s) => ({ name: s.name, byStep: new Map(s.steps.map((step, i) => [step, s.values[i] ?? null])) }));
      steps.forEach((step, i) => {
        if (i % stride !== 0 && i !== steps.length - 1) return;
        const values = Object.fromEntries(at.map((s) => [s.name, s.byStep.get(step) ?? null]));
        observations.push({ group: `run ${id.slice(0, 8)} (seed ${row.seed})`, x: step, values: withParameters(row, values) });
      });
    }
    return { observations, level: 'evaluations', xLabel: 'step', source: `${ids.length} runs` };
  }

  private changed(projectId: string): void {
    this.d.events.emit({ type: 'notebook:changed', projectId, what: 'confounders' });
  }
}
