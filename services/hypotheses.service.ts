import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  ConditionWarning,
  Hypothesis,
  HypothesisCheckSchema,
  HypothesisContent,
  HypothesisCreateSchema,
  HypothesisRunLinkSchema,
  HypothesisUpdateSchema,
  Prediction,
  PredictionResult,
} from '../contract/hypotheses';
import { checkPredictions, fieldsFromConfigs, type KnownExperiment, type KnownMetrics } from '../common/condition-check';
import { evaluatePrediction, tallyVerdicts, type RunFacts } from '../common/predictions';
import type { Phenomenon } from '../contract/projects';
import type { ExperimentInfo } from '../contract/runs';
import { describeExperiment } from '../experiments/describe';
import type { ExperimentDefinition } from '../experiments/types';
import type { HypothesesRepo, StoredHypothesis } from '../db/hypotheses.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunsRepo } from '../db/runs.repo';
import { contentHash } from './content-hash';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import { requireProjectRun } from './notes.service';
import type { Clock } from './projects.service';
import { runLabel } from './run-label';

const HASH_VERSION = 1;

/** The built-in experiments each phenomenon's projects study (before any run exists). */
const PHENOMENON_EXPERIMENTS: Record<Phenomenon, readonly string[]> = {
  grokking: ['grokking-mlp', 'grokking-transformer', 'init-scale'],
  'double-descent': ['double-descent'],
  'lottery-ticket': ['lottery-ticket'],
  other: [],
};

/** The preregistration hash: the content only (not ids or times), canonical JSON, SHA-256. */
export function hypothesisHash(c: HypothesisContent): string {
  return contentHash({ v: HASH_VERSION, statement: c.statement, theory: c.theory, relation: c.relation, predictions: c.predictions });
}

/** Each amendment's hash covers the one before it, so a rewritten history does not verify. */
export function amendmentHash(c: HypothesisContent, reason: string, previousHash: string): string {
  return contentHash({ v: HASH_VERSION, previous: previousHash, reason, statement: c.statement, theory: c.theory, relation: c.relation, predictions: c.predictions });
}

const contentOf = (c: HypothesisContent): HypothesisContent => ({
  statement: c.statement,
  theory: c.theory,
  relation: c.relation,
  predictions: c.predictions,
});

/** Hypotheses with machine-checkable predictions, their preregistration, and verdicts on linked runs. */
export class HypothesesService {
  constructor(
    private readonly repo: HypothesesRepo,
    private readonly projects: ProjectsRepo,
    private readonly runs: RunsRepo,
    private readonly events: EventBus,
    private readonly clock: Clock,
    /** Confounder tests attached to a hypothesis (kept by the confounder service). */
    private readonly confoundersOf: (hypothesisId: string) => { id: string; title: string; verdict: string }[] = () => [],
    private readonly experiments: ReadonlyMap<string, ExperimentDefinition> = new Map(),
  ) {}

  /** Warnings for predictions no experiment the project has runs of or names can test (nothing is refused). */
  check(input: z.output<typeof HypothesisCheckSchema>): ConditionWarning[] {
    if (!this.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    return checkPredictions(input.predictions, this.knownExperiments(input.projectId), this.knownMetrics(input.projectId));
  }

  /**
   * What a prediction's metric can be read from: the names the project's runs recorded, and the
   * built-in names when a built-in (or researcher-defined) experiment is among the known ones.
   */
  private knownMetrics(projectId: string, known: readonly KnownExperiment[] = this.knownExperiments(projectId)): KnownMetrics {
    return { recorded: this.runs.metricNamesOf(projectId), builtins: known.some((e) => this.experiments.has(e.key)) };
  }

  /**
   * The experiments a project's predictions are about: those it has runs of, and those its phenomenon
   * names; with neither (an "other" project without runs), every built-in experiment.
   */
  private knownExperiments(projectId: string): KnownExperiment[] {
    const project = this.projects.get(projectId);
    const ran = this.runs.experimentsOf(projectId);
    const external = this.runs.externalConfigsOf(projectId);
    const keys = new Set([...ran.map((r) => r.experiment), ...(project ? PHENOMENON_EXPERIMENTS[project.phenomenon] : [])]);
    if (keys.size === 0) for (const k of this.experiments.keys()) keys.add(k);
    return [...keys].map((key) => {
      const def = this.experiments.get(key);
      if (def) {
        let info = this.described.get(key);
        if (!info) this.described.set(key, (info = describeExperiment(def)));
        return { key, fields: info.fields };
      }
      // Runs trained elsewhere have no schema: every config key any of them stored is a field (their
      // hyperparameters differ run to run). An experiment this build does not know (an imported
      // bundle): its runs' stored config says what it has.
      const configs = external.filter((r) => r.experiment === key).map((r) => r.config);
      return { key, fields: fieldsFromConfigs(configs.length ? configs : [ran.find((r) => r.experiment === key)?.config ?? {}]) };
    });
  }

  private readonly described = new Map<string, ExperimentInfo>();

  list(projectId: string): Hypothesis[] {
    if (!this.projects.get(projectId)) throw notFound('Project', projectId);
    const known = this.knownExperiments(projectId);
    const metrics = this.knownMetrics(projectId, known);
    return this.repo.list(projectId).map((h) => this.view(h, known, metrics));
  }

  get(id: string): Hypothesis {
    return this.view(this.stored(id));
  }

  create(input: z.output<typeof HypothesisCreateSchema>): Hypothesis {
    if (!this.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    const id = randomUUID();
    this.repo.insert({ id, projectId: input.projectId, ...contentOf(input), now: this.clock() });
    this.changed(input.projectId);
    return this.get(id);
  }

  /** Edits in place until locked; after that every edit is an amendment with a reason, and the original stays. */
  update(input: z.output<typeof HypothesisUpdateSchema>): Hypothesis {
    const h = this.stored(input.id);
    const next = contentOf(input);
    const current = h.amendments.at(-1) ?? h;
    if (hypothesisHash(next) === hypothesisHash(contentOf(current))) return this.view(h);
    if (h.lockedAt === null) {
      this.repo.update(h.id, next, this.clock());
    } else {
      const reason = input.reason ?? '';
      if (!reason) {
        throw new ServiceError('invalid_input', 'This hypothesis is locked: say why you amend it (the original stays on record)', [
          { path: 'reason', message: 'Say why you amend a locked hypothesis' },
        ]);
      }
      const previous = h.amendments.at(-1)?.hash ?? h.lockHash!;
      this.repo.addAmendment(h.id, { ...next, reason, hash: amendmentHash(next, reason, previous) }, this.clock());
    }
    this.changed(h.projectId);
    return this.get(h.id);
  }

  lock(id: string): Hypothesis {
    const h = this.stored(id);
    if (h.lockedAt) throw new ServiceError('conflict', `This hypothesis was locked at ${h.lockedAt}; amend it instead`);
    this.repo.lock(id, hypothesisHash(h), this.clock());
    this.changed(h.projectId);
    return this.get(id);
  }

  delete(id: string): { id: string } {
    const h = this.stored(id);
    if (h.lockedAt) {
      throw new ServiceError(
        'conflict',
        'A locked hypothesis is part of the record and cannot be deleted: amend it, or let its verdicts stand as a negative result',
      );
    }
    this.repo.delete(id);
    this.changed(h.projectId);
    return { id };
  }

  linkRun(input: z.output<typeof HypothesisRunLinkSchema>): Hypothesis {
    const h = this.stored(input.id);
    if (input.linked) requireProjectRun(this.runs, h.projectId, input.runId, 'runId');
    this.repo.setRunLink(h.id, input.runId, input.linked, this.clock());
    this.changed(h.projectId);
    return this.get(h.id);
  }

  private stored(id: string): StoredHypothesis {
    const h = this.repo.get(id);
    if (!h) throw notFound('Hypothesis', id);
    return h;
  }

  private view(
    h: StoredHypothesis,
    known: KnownExperiment[] = this.knownExperiments(h.projectId),
    metrics: KnownMetrics = this.knownMetrics(h.projectId, known),
  ): Hypothesis {
    const original = contentOf(h);
    const current = contentOf(h.amendments.at(-1) ?? h);
    const facts = this.runFacts(h.links.map((l) => l.runId));
    const decide = (predictions: Prediction[]): PredictionResult[] =>
      h.links.flatMap(({ runId }) => predictions.map((p, i) => evaluatePrediction(p, i, facts(runId, p.metric))));
    const results = decide(current.predictions);
    const amended = h.amendments.length > 0;
    return {
      id: h.id,
      projectId: h.projectId,
      ...original,
      createdAt: h.createdAt,
      updatedAt: h.updatedAt,
      lock: h.lockedAt && h.lockHash ? { at: h.lockedAt, hash: h.lockHash, intact: this.verify(h) } : null,
      amendments: h.amendments,
      current,
      runs: h.links.map(({ runId, linkedAt }) => {
        const run = this.runs.get(runId)!;
        return { runId, linkedAt, label: runLabel(run), status: run.status };
      }),
      results,
      originalResults: amended ? decide(original.predictions) : null,
      tally: tallyVerdicts(results),
      warnings: checkPredictions(current.predictions, known, metrics),
      confounderTests: this.confoundersOf(h.id).map(({ id, title, verdict }) => ({ id, title, verdict })),
    };
  }

  /** True when the stored content still matches its lock hash and the amendment chain. */
  private verify(h: StoredHypothesis): boolean {
    if (!h.lockHash || hypothesisHash(h) !== h.lockHash) return false;
    let previous = h.lockHash;
    for (const a of h.amendments) {
      if (amendmentHash(a, a.reason, previous) !== a.hash) return false;
      previous = a.hash;
    }
    return true;
  }

  /** Loads each linked run once and each of its metric series at most once. */
  private runFacts(runIds: readonly string[]): (runId: string, metric: string) => RunFacts {
    const cache = new Map<string, RunFacts>();
    return (runId, metric) => {
      const key = `${runId}\u0000${metric}`;
      let facts = cache.get(key);
      if (!facts) {
        const run = this.runs.get(runId);
        if (!run || !runIds.includes(runId)) throw notFound('Run', runId);
        const series = this.runs.series(runId, [metric])[0] ?? null;
        facts = { id: runId, status: run.status, stepsTotal: run.stepsTotal, config: run.config, series };
        cache.set(key, facts);
      }
      return facts;
    };
  }

  private changed(projectId: string): void {
    this.events.emit({ type: 'notebook:changed', projectId, what: 'hypotheses' });
  }
}
