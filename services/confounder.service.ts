import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { outcomeLabel, type ConfounderTest, type ConfounderTestSchema, type HypothesisConfounderLinkSchema } from '../contract/confounders';
import { computeConfounderTest, type ComputedConfounderTest } from './confounder-job';
import type { ConfoundersRepo } from '../db/confounders.repo';
import type { HypothesesRepo } from '../db/hypotheses.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunsRepo } from '../db/runs.repo';
import type { SweepsRepo } from '../db/sweeps.repo';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
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
  /** Computes the test off the host thread (the worker, over its own connection); in-thread without it. */
  compute?: (settings: ConfounderTest['settings']) => Promise<ComputedConfounderTest>;
}



/** Runs the confounder test on a sweep or a set of runs, stores the report, and links it. */
export class ConfounderService {
  constructor(private readonly d: ConfounderDeps) {}

  async run(input: z.output<typeof ConfounderTestSchema>): Promise<ConfounderTest> {
    if (!this.d.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    this.d.events.emit({ type: 'confounders:progress', projectId: input.projectId, phase: 'analysing' });
    // Reading the runs and the bootstrap are the heavy part (seconds on large run sets): off the host thread when it can be.
    const { report, candidateName, source } = this.d.compute
      ? await this.d.compute(input)
      : computeConfounderTest({ runsRepo: this.d.runsRepo, sweeps: this.d.sweeps, definition: (e) => this.d.runs.definition(e) }, input);
    if (!this.d.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    const candidate = { name: candidateName };
    const test: ConfounderTest = {
      id: randomUUID(),
      projectId: input.projectId,
      title: `${candidate.name} vs ${outcomeLabel(report.outcome)} — ${source}`,
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

  private changed(projectId: string): void {
    this.d.events.emit({ type: 'notebook:changed', projectId, what: 'confounders' });
  }
}
