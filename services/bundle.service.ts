import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  BASE64,
  BUNDLE_EVIDENCE_KINDS,
  BUNDLE_FORMAT,
  BUNDLE_LIMITS,
  BUNDLE_VERSION,
  BundleContentSchema,
  BundleSchema,
  type Bundle,
  type BundleContent,
  type BundleCounts,
  type BundleImportResult,
  type BundleProgress,
  type BundleSeries,
} from '../contract/bundle';

export type BundleProgressListener = (progress: BundleProgress) => void;
import type { AttachmentMediaType } from '../contract/attachments';
import type { BundleContentInput, BundleInput } from '../contract/bundle';
import type { ConfounderTest } from '../contract/confounders';
import type { FigureProvenance } from '../contract/figures';
import type { ApiErrorCode, FieldIssue } from '../contract/result';
import type { RunStatus } from '../contract/runs';
import type { BundleRepo, ProjectRows } from '../db/bundle.repo';
import type { RunImportRow } from '../db/runs.repo';
import { checkBytes, sha256OfBytes } from './attachment-check';
import { canonicalJson, sha256Hex } from './content-hash';
import { sanitizeSvg } from './svg-sanitize';
import { runOffThread, transferable } from './offthread';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';
import { describeIssues, issuesOf } from './zod-issues';

/**
 * Bundles: a project with everything in it as one file (see contract/bundle.ts for the format).
 * Export reads one consistent snapshot and checks what it wrote against the import schema, so
 * every exported bundle imports. Import treats the file as untrusted: size caps (also while
 * inflating), strict schemas with limits, the content hash, references inside the bundle, then
 * one transaction under new ids — anything wrong and nothing is written.
 */

/** Why a bundle was refused; nothing was written. */
export class BundleError extends ServiceError {
  constructor(message: string, issues?: FieldIssue[], code: ApiErrorCode = 'invalid_input') {
    super(code, message, issues);
    this.name = 'BundleError';
  }
}

export interface BundleDeps {
  repo: BundleRepo;
  /** Where the off-thread worker finds the notebook; without it imports run on the calling thread. */
  worker?: { databasePath: string };
  events: EventBus;
  clock: Clock;
  appVersion: string;
  schemaVersion: number;
}

export interface ExportOptions {
  /** gzip the JSON (default true); import reads either. */
  compress?: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const MIB = 1024 * 1024;
const MAX_ISSUES_IN_MESSAGE = 8;
/** A bundle's JSON compresses about 2–10× (metric series); far more is a compression bomb. */
export const MAX_INFLATE_RATIO = 200;
/** Below this, any ratio is fine (small bundles of repetitive text compress far better). */
const MIN_INFLATE_CAP = 4 * MIB;

type BundleEvidenceKind = (typeof BUNDLE_EVIDENCE_KINDS)[number];
const isBundleKind = (kind: string): kind is BundleEvidenceKind => (BUNDLE_EVIDENCE_KINDS as readonly string[]).includes(kind);

const parseJson = (text: string): unknown => JSON.parse(text) as unknown;
const emptyMap = (): Record<string, string> => Object.create(null) as Record<string, string>;

function invalid(issues: FieldIssue[]): BundleError {
  const shown = describeIssues(issues.slice(0, MAX_ISSUES_IN_MESSAGE));
  const more = issues.length > MAX_ISSUES_IN_MESSAGE ? ` (and ${issues.length - MAX_ISSUES_IN_MESSAGE} more)` : '';
  return new BundleError(`Invalid bundle: ${shown}${more}`, issues);
}

export class BundleService {
  constructor(private readonly d: BundleDeps) {}

  // -------------------------------------------------------------------------------------------
  // Export

  /** The bundle document of a project. */
  build(projectId: string): BundleInput {
    const content = this.d.repo.transaction(() => {
      const rows = this.d.repo.readProject(projectId);
      if (!rows) throw notFound('Project', projectId);
      return this.contentOf(rows);
    });
    // Whatever this database holds, an export must import: check it with the import schema.
    const checked = BundleContentSchema.safeParse(content);
    if (!checked.success) {
      throw new ServiceError(
        'internal',
        `This project holds data a bundle cannot carry: ${describeIssues(issuesOf(checked.error).slice(0, MAX_ISSUES_IN_MESSAGE))}`,
      );
    }
    return {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      createdAt: this.d.clock(),
      app: { name: 'phenobook', version: this.d.appVersion, schemaVersion: this.d.schemaVersion },
      contentHash: sha256Hex(canonicalJson(content)),
      content,
    };
  }

  /** The bundle file: JSON, gzip-compressed unless asked otherwise. */
  export(projectId: string, options: ExportOptions = {}): Buffer {
    const json = Buffer.from(JSON.stringify(this.build(projectId)), 'utf8');
    if (json.length > BUNDLE_LIMITS.jsonBytes) {
      throw new ServiceError(
        'payload_too_large',
        `This project is ${Math.ceil(json.length / MIB)} MiB as a bundle; bundles are at most ${BUNDLE_LIMITS.jsonBytes / MIB} MiB`,
      );
    }
    return options.compress === false ? json : gzipSync(json);
  }

  private contentOf(rows: ProjectRows): BundleContentInput {
    const runIds = new Set(rows.runs.map((r) => r.id));
    const figureIds = new Set(rows.figures.map((f) => f.id));
    const grouped = <T, K extends keyof T>(items: readonly T[], key: K) => {
      const map = new Map<T[K], T[]>();
      for (const item of items) map.set(item[key], [...(map.get(item[key]) ?? []), item]);
      return (k: T[K]) => map.get(k) ?? [];
    };
    const noteRuns = grouped(rows.noteRuns, 'note_id');
    const noteFigures = grouped(rows.noteFigures, 'note_id');
    const amendments = grouped(rows.amendments, 'hypothesis_id');
    const hypothesisRuns = grouped(rows.hypothesisRuns, 'hypothesis_id');
    const confounderLinks = grouped(rows.hypothesisConfounders, 'test_id');
    const hypothesisIds = new Set(rows.hypotheses.map((h) => h.id));
    const targets: Record<BundleEvidenceKind, Set<string>> = {
      run: runIds,
      note: new Set(rows.notes.map((n) => n.id)),
      hypothesis: hypothesisIds,
      figure: figureIds,
      confounder: new Set(rows.confounders.map((t) => t.id)),
      attachment: new Set(rows.attachments.map((a) => a.id)),
    };
    const noteIds = targets.note;
    const p = rows.project;
    return {
      project: {
        id: p.id,
        title: p.title,
        phenomenon: p.phenomenon,
        question: p.question,
        tags: rows.tags,
        createdAt: p.created_at,
        updatedAt: p.updated_at,
        archivedAt: p.archived_at,
      },
      checklist: {
        answers: rows.answers.map((a) => ({
          questionKey: a.question_key,
          checklistVersion: a.checklist_version,
          status: a.status,
          markdown: a.markdown,
          notApplicableReason: a.na_reason,
          updatedAt: a.updated_at,
        })),
        revisions: rows.revisions.map((r) => ({
          questionKey: r.question_key,
          status: r.status,
          markdown: r.markdown,
          notApplicableReason: r.na_reason,
          savedAt: r.saved_at,
        })),
      },
      // Only links to what the bundle carries travel (targets outside the project never occur).
      evidence: rows.evidence.flatMap((e) =>
        isBundleKind(e.kind) && targets[e.kind].has(e.target_id)
          ? [{ questionKey: e.question_key, kind: e.kind, targetId: e.target_id, linkedAt: e.linked_at }]
          : [],
      ),
      notes: rows.notes.map((n) => ({
        id: n.id,
        title: n.title,
        body: n.body,
        tags: parseJson(n.tags) as string[],
        runIds: noteRuns(n.id).map((l) => l.run_id).filter((id) => runIds.has(id)),
        figureIds: noteFigures(n.id).map((l) => l.figure_id).filter((id) => figureIds.has(id)),
        createdAt: n.created_at,
        updatedAt: n.updated_at,
      })),
      hypotheses: rows.hypotheses.map((h) => ({
        id: h.id,
        statement: h.statement,
        theory: h.theory,
        relation: h.relation,
        predictions: parseJson(h.predictions) as BundleContent['hypotheses'][number]['predictions'],
        lockedAt: h.locked_at,
        lockHash: h.lock_hash,
        createdAt: h.created_at,
        updatedAt: h.updated_at,
        amendments: amendments(h.id).map((a) => ({
          number: a.number,
          statement: a.statement,
          theory: a.theory,
          relation: a.relation,
          predictions: parseJson(a.predictions) as BundleContent['hypotheses'][number]['predictions'],
          reason: a.reason,
          hash: a.hash,
          createdAt: a.created_at,
        })),
        runs: hypothesisRuns(h.id)
          .filter((l) => runIds.has(l.run_id))
          .map((l) => ({ runId: l.run_id, linkedAt: l.linked_at })),
      })),
      sweeps: rows.sweeps.map((s) => ({
        id: s.id,
        experiment: s.experiment,
        preset: s.preset,
        config: parseJson(s.config) as Record<string, unknown>,
        grid: parseJson(s.grid) as BundleContent['sweeps'][number]['grid'],
        seeds: s.seeds,
        createdAt: s.created_at,
        cancelledAt: s.cancelled_at,
        // Only when set, so bundles without adopted sweeps read as before.
        ...(s.adopted === 1 ? { adopted: true as const } : {}),
      })),
      runs: rows.runs.map((r) => ({
        id: r.id,
        groupId: r.group_id,
        experiment: r.experiment,
        preset: r.preset,
        config: parseJson(r.config) as Record<string, unknown>,
        seed: r.seed,
        status: r.status,
        error: r.error,
        backend: r.backend,
        gpu: r.gpu === null ? null : r.gpu === 1,
        backendDetail: r.backend_detail === null ? null : (parseJson(r.backend_detail) as BundleContent['runs'][number]['backendDetail']),
        appVersion: r.app_version,
        dataHash: r.data_hash,
        stepsTotal: r.steps_total,
        stepsDone: r.steps_done,
        trainSeconds: r.train_seconds,
        wallSeconds: r.wall_seconds,
        // A rerun of a run outside the project (the app never makes one) loses that link.
        rerunOf: r.rerun_of !== null && runIds.has(r.rerun_of) ? r.rerun_of : null,
        createdAt: r.created_at,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        sweepId: r.sweep_id,
        sweepPoint: r.sweep_point === null ? null : (parseJson(r.sweep_point) as Record<string, unknown>),
        // Only external runs carry where they came from: a bundle of Phenobook's own runs stays as an older version reads it.
        ...(r.source && r.source !== 'phenobook'
          ? { source: r.source, origin: r.origin ?? null, contentHash: r.content_hash ?? null, name: r.name ?? null }
          : {}),
        metrics: this.seriesOf(r.id),
      })),
      figures: rows.figures.map((f) => ({
        id: f.id,
        title: f.title,
        caption: f.caption,
        provenance: parseJson(f.provenance) as FigureProvenance,
        // What leaves is sanitised too (a figure stored before the sanitiser existed).
        svg: sanitizeSvg(f.svg),
        createdAt: f.created_at,
      })),
      confounders: rows.confounders.map((t) => ({
        id: t.id,
        title: t.title,
        settings: parseJson(t.settings) as ConfounderTest['settings'],
        report: parseJson(t.report) as Record<string, unknown>,
        verdict: t.verdict,
        hypothesisIds: confounderLinks(t.id).map((l) => l.hypothesis_id).filter((id) => hypothesisIds.has(id)),
        createdAt: t.created_at,
      })),
      // Left out when there are none: such a bundle is what it was before attachments existed.
      ...(rows.attachments.length === 0
        ? {}
        : {
            attachments: rows.attachments.map((a) => ({
              id: a.id,
              sha256: a.sha256,
              name: a.name,
              noteId: a.note_id !== null && noteIds.has(a.note_id) ? a.note_id : null,
              createdAt: a.created_at,
            })),
            attachmentFiles: rows.attachmentFiles.map((f) => ({
              sha256: f.sha256,
              mediaType: f.media_type as AttachmentMediaType,
              data: f.data.toString('base64'),
            })),
          }),
      // Only when some are set, so bundles of projects without roles read as before.
      ...(rows.metricRoles.length ? { metricRoles: Object.fromEntries(rows.metricRoles.map((m) => [m.role, m.metric])) } : {}),
    };
  }

  private seriesOf(runId: string): BundleSeries[] {
    const out: BundleSeries[] = [];
    let current: BundleSeries | undefined;
    for (const [name, step, value] of this.d.repo.metrics(runId)) {
      if (current?.name !== name) {
        current = { name, steps: [], values: [] };
        out.push(current);
      }
      current.steps.push(step);
      current.values.push(value);
    }
    return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  // -------------------------------------------------------------------------------------------
  // Import

  /** Imports a bundle file as a new project; throws BundleError (writing nothing) when it is not a sound bundle. */
  import(data: Uint8Array, onProgress?: BundleProgressListener): BundleImportResult {
    const bundle = this.read(data, onProgress);
    const result = this.store(bundle, onProgress);
    this.announce(result);
    return result;
  }

  /**
   * The import as the host runs it: on the worker thread (inflate, parse, hash, validate and store
   * off the event loop), with progress as `bundles:progress` events; in-thread without a worker.
   */
  async importOffThread(data: Uint8Array | string): Promise<BundleImportResult> {
    const w = this.d.worker;
    if (!w) return this.import(typeof data === 'string' ? decodeBase64(data) : data);
    const bytes = typeof data === 'string' ? Math.floor((data.length * 3) / 4) : data.length;
    if (bytes > BUNDLE_LIMITS.fileBytes) {
      throw new BundleError(`The bundle file is larger than ${BUNDLE_LIMITS.fileBytes / MIB} MiB`, undefined, 'payload_too_large');
    }
    // Base64 (from the operation) is decoded on the worker; bytes (the CLI's file) are handed over.
    const payload = typeof data === 'string' ? data : transferable(data);
    const result = await runOffThread(
      { kind: 'bundle-import', databasePath: w.databasePath, data: payload, appVersion: this.d.appVersion, schemaVersion: this.d.schemaVersion, now: this.d.clock() },
      { transfer: typeof payload === 'string' ? [] : [payload.buffer], onProgress: (p) => this.d.events.emit({ type: 'bundles:progress', ...p }) },
    );
    this.announce(result);
    return result;
  }

  /** The events of a finished import (also for an import stored by the off-thread worker). */
  announce(result: BundleImportResult): void {
    this.d.events.emit({ type: 'projects:changed', ids: [result.projectId] });
    this.d.events.emit({ type: 'runs:changed', ids: Object.values(result.idMap.runs), projectId: result.projectId });
    this.d.events.emit({ type: 'sweeps:changed', ids: Object.values(result.idMap.sweeps), projectId: result.projectId });
    for (const what of ['notes', 'hypotheses', 'evidence', 'figures', 'confounders'] as const) {
      this.d.events.emit({ type: 'notebook:changed', projectId: result.projectId, what });
    }
  }

  /** Bytes → a validated bundle whose references all resolve inside it. */
  read(data: Uint8Array, onProgress?: BundleProgressListener): Bundle {
    onProgress?.({ phase: 'inflating', done: 0, total: data.length });
    const doc = decode(data);
    onProgress?.({ phase: 'checking', done: 0, total: 1 });
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      throw new BundleError('Not a Phenobook bundle: the file is JSON but not an object');
    }
    const head = doc as Record<string, unknown>;
    if (head.format !== BUNDLE_FORMAT) {
      const found = typeof head.format === 'string' ? `"${head.format.slice(0, 40)}"` : 'missing';
      throw new BundleError(`Not a Phenobook bundle: format is ${found}, expected "${BUNDLE_FORMAT}"`, [
        { path: 'format', message: `must be "${BUNDLE_FORMAT}"` },
      ]);
    }
    const version = head.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new BundleError(`Unsupported bundle version ${JSON.stringify(version)?.slice(0, 20) ?? 'missing'}`, [
        { path: 'version', message: 'must be a positive whole number' },
      ]);
    }
    if (version > BUNDLE_VERSION) {
      throw new BundleError(
        `Bundle version ${version} is newer than this Phenobook understands (${BUNDLE_VERSION}): update Phenobook to import it`,
        [{ path: 'version', message: `at most ${BUNDLE_VERSION}` }],
      );
    }
    if (typeof head.contentHash !== 'string' || head.content === null || typeof head.content !== 'object') {
      throw invalid([
        ...(typeof head.contentHash === 'string' ? [] : [{ path: 'contentHash', message: 'missing' }]),
        ...(head.content !== null && typeof head.content === 'object' ? [] : [{ path: 'content', message: 'missing' }]),
      ]);
    }
    let computed: string;
    try {
      computed = sha256Hex(canonicalJson(head.content));
    } catch {
      throw new BundleError('Invalid bundle: its content is nested too deeply to read');
    }
    if (computed !== head.contentHash) {
      throw new BundleError(
        'The bundle was modified after export: its content hash does not match ' +
          `(recorded ${head.contentHash.slice(0, 16)}…, computed ${computed.slice(0, 16)}…)`,
        [{ path: 'contentHash', message: 'does not match the content' }],
      );
    }
    const parsed = BundleSchema.safeParse(doc);
    if (!parsed.success) throw invalid(issuesOf(parsed.error));
    const issues = referenceIssues(parsed.data.content);
    if (issues.length > 0) throw invalid(issues);
    const files = attachmentFileIssues(parsed.data.content);
    if (files.length > 0) throw invalid(files);
    return parsed.data;
  }

  private store(bundle: Bundle, onProgress?: BundleProgressListener): BundleImportResult {
    const c = bundle.content;
    const now = this.d.clock();
    const fresh = (ids: readonly string[]) => {
      const map = emptyMap();
      for (const id of ids) map[id] = randomUUID();
      return map;
    };
    const idMap: BundleImportResult['idMap'] = {
      project: fresh([c.project.id]),
      runs: fresh(c.runs.map((r) => r.id)),
      notes: fresh(c.notes.map((n) => n.id)),
      hypotheses: fresh(c.hypotheses.map((h) => h.id)),
      sweeps: fresh(c.sweeps.map((s) => s.id)),
      figures: fresh(c.figures.map((f) => f.id)),
      confounders: fresh(c.confounders.map((t) => t.id)),
      attachments: fresh((c.attachments ?? []).map((a) => a.id)),
    };
    // Run groups (a start of several seeds, a sweep): a sweep's group is the sweep; others get new ids.
    const groups = emptyMap();
    const groupOf = (old: string) => (groups[old] ??= idMap.sweeps[old] ?? randomUUID());
    const projectId = idMap.project[c.project.id]!;
    const map = (m: Record<string, string>, id: string) => m[id]!;
    const mapKnown = (m: Record<string, string>, ids: readonly string[]) => ids.map((id) => m[id] ?? id);
    const evidenceTargets = {
      run: idMap.runs,
      note: idMap.notes,
      hypothesis: idMap.hypotheses,
      figure: idMap.figures,
      confounder: idMap.confounders,
      attachment: idMap.attachments,
    };

    const notices: string[] = [];
    const unfinished = new Set<string>(['queued', 'running'] satisfies RunStatus[]);
    const interrupted = c.runs.filter((r) => unfinished.has(r.status));
    if (interrupted.length > 0) {
      notices.push(
        `${interrupted.length} ${interrupted.length === 1 ? 'run was' : 'runs were'} queued or training when the bundle was exported: imported as interrupted`,
      );
    }
    // An open sweep with unfinished runs would be trained again at the next start: close it.
    const closing = new Set(
      c.sweeps
        .filter((s) => s.cancelledAt === null && c.runs.some((r) => r.sweepId === s.id && (unfinished.has(r.status) || r.status === 'interrupted')))
        .map((s) => s.id),
    );
    if (closing.size > 0) {
      notices.push(
        `${closing.size} ${closing.size === 1 ? 'sweep was' : 'sweeps were'} still open with unfinished runs: closed here, so this Phenobook does not train them again`,
      );
    }

    const totalPoints = c.runs.reduce((n, run) => n + run.metrics.reduce((m, series) => m + series.steps.length, 0), 0);
    let metricPoints = 0;
    try {
      // Staged in this connection's temp database, outside the transaction: no lock on the notebook yet.
      let lastReport = 0;
      for (const run of c.runs) {
        for (const series of run.metrics) {
          this.d.repo.stageSeries(map(idMap.runs, run.id), series.name, series.steps, series.values);
          metricPoints += series.steps.length;
          if (onProgress && metricPoints - lastReport >= 100_000) {
            lastReport = metricPoints;
            onProgress({ phase: 'staging', done: metricPoints, total: totalPoints });
          }
        }
      }
      onProgress?.({ phase: 'writing', done: 0, total: totalPoints });
      this.d.repo.transaction(() => {
        const r = this.d.repo;
        const p = c.project;
        r.insertProject(
          { id: projectId, title: p.title, phenomenon: p.phenomenon, question: p.question, created_at: p.createdAt, updated_at: p.updatedAt, archived_at: p.archivedAt },
          p.tags,
        );
        for (const a of c.checklist.answers) {
          r.insertAnswer(projectId, {
            question_key: a.questionKey,
            checklist_version: a.checklistVersion,
            status: a.status,
            markdown: a.markdown,
            na_reason: a.notApplicableReason,
            updated_at: a.updatedAt,
          });
        }
        for (const v of c.checklist.revisions) {
          r.insertRevision(projectId, { question_key: v.questionKey, status: v.status, markdown: v.markdown, na_reason: v.notApplicableReason, saved_at: v.savedAt });
        }
        for (const [role, metric] of Object.entries(c.metricRoles ?? {})) if (metric !== undefined) r.insertMetricRole(projectId, role, metric);
        for (const s of c.sweeps) {
          r.insertSweep(projectId, {
            id: map(idMap.sweeps, s.id),
            experiment: s.experiment,
            preset: s.preset,
            config: JSON.stringify(s.config),
            grid: JSON.stringify(s.grid),
            seeds: s.seeds,
            created_at: s.createdAt,
            cancelled_at: closing.has(s.id) ? now : s.cancelledAt,
            adopted: s.adopted ? 1 : 0,
          });
        }
        const names = new Map<string, number>();
        for (const run of c.runs) {
          const id = map(idMap.runs, run.id);
          const wasActive = unfinished.has(run.status);
          const row: RunImportRow = {
            id,
            project_id: projectId,
            group_id: groupOf(run.groupId),
            experiment: run.experiment,
            preset: run.preset,
            config: JSON.stringify(run.config),
            seed: run.seed,
            status: wasActive ? 'interrupted' : run.status,
            error: wasActive
              ? (run.error ?? `Interrupted: this run was ${run.status === 'running' ? 'training' : 'queued'} when the bundle was exported`)
              : run.error,
            backend: run.backend,
            gpu: run.gpu === null ? null : run.gpu ? 1 : 0,
            backend_detail: run.backendDetail === null ? null : JSON.stringify(run.backendDetail),
            app_version: run.appVersion,
            data_hash: run.dataHash,
            steps_total: run.stepsTotal,
            steps_done: run.stepsDone,
            train_seconds: run.trainSeconds,
            wall_seconds: run.wallSeconds,
            created_at: run.createdAt,
            started_at: run.startedAt,
            finished_at: wasActive ? (run.finishedAt ?? bundle.createdAt) : run.finishedAt,
            sweep_id: run.sweepId === null ? null : map(idMap.sweeps, run.sweepId),
            sweep_point: run.sweepPoint === null ? null : JSON.stringify(run.sweepPoint),
            source: run.source,
            origin: run.origin,
            content_hash: run.contentHash,
            name: run.name,
          };
          r.insertRun(row);
          for (const series of run.metrics) if (!names.has(series.name)) names.set(series.name, r.metricNameId(series.name));
        }
        // Every staged point, in one statement, now that its run and name exist.
        const copied = r.copyStaged();
        if (copied !== metricPoints) throw new Error(`copied ${copied} of ${metricPoints} metric points`);
        for (const run of c.runs) {
          if (run.rerunOf !== null) r.setRerunOf(map(idMap.runs, run.id), map(idMap.runs, run.rerunOf));
        }
        for (const f of c.figures) {
          const provenance: FigureProvenance = {
            ...f.provenance,
            runIds: mapKnown(idMap.runs, f.provenance.runIds),
            sweepIds: mapKnown(idMap.sweeps, f.provenance.sweepIds),
          };
          r.insertFigure(projectId, {
            id: map(idMap.figures, f.id),
            title: f.title,
            caption: f.caption,
            provenance: JSON.stringify(provenance),
            svg: sanitizeSvg(f.svg),
            created_at: f.createdAt,
          });
        }
        for (const n of c.notes) {
          r.insertNote(
            projectId,
            { id: map(idMap.notes, n.id), title: n.title, body: n.body, tags: JSON.stringify(n.tags), created_at: n.createdAt, updated_at: n.updatedAt },
            n.runIds.map((id) => map(idMap.runs, id)),
            n.figureIds.map((id) => map(idMap.figures, id)),
          );
        }
        for (const h of c.hypotheses) {
          r.insertHypothesis(
            projectId,
            {
              id: map(idMap.hypotheses, h.id),
              statement: h.statement,
              theory: h.theory,
              relation: h.relation,
              predictions: JSON.stringify(h.predictions),
              locked_at: h.lockedAt,
              lock_hash: h.lockHash,
              created_at: h.createdAt,
              updated_at: h.updatedAt,
            },
            h.amendments.map((a) => ({
              number: a.number,
              statement: a.statement,
              theory: a.theory,
              relation: a.relation,
              predictions: JSON.stringify(a.predictions),
              reason: a.reason,
              hash: a.hash,
              created_at: a.createdAt,
            })),
            h.runs.map((l) => ({ run_id: map(idMap.runs, l.runId), linked_at: l.linkedAt })),
          );
        }
        for (const t of c.confounders) {
          // The settings name what was tested: the project, and its sweep or runs, under their new ids.
          const settings: ConfounderTest['settings'] = { ...t.settings, projectId };
          if (t.settings.sweepId !== undefined) settings.sweepId = map(idMap.sweeps, t.settings.sweepId);
          if (t.settings.runIds !== undefined) settings.runIds = t.settings.runIds.map((id) => map(idMap.runs, id));
          r.insertConfounder(
            projectId,
            {
              id: map(idMap.confounders, t.id),
              title: t.title,
              settings: JSON.stringify(settings),
              report: JSON.stringify(t.report),
              verdict: t.verdict,
              created_at: t.createdAt,
            },
            t.hypothesisIds.map((id) => map(idMap.hypotheses, id)),
          );
        }
        // Bytes as carried (checked against their SHA-256 in read()); notes refer to them by that hash.
        const firstAttached = new Map<string, string>();
        for (const a of c.attachments ?? []) if (!firstAttached.has(a.sha256)) firstAttached.set(a.sha256, a.createdAt);
        for (const f of c.attachmentFiles ?? []) {
          r.insertAttachmentFile({ sha256: f.sha256, media_type: f.mediaType, data: Buffer.from(f.data, 'base64'), created_at: firstAttached.get(f.sha256) ?? now });
        }
        for (const a of c.attachments ?? []) {
          r.insertAttachment(projectId, {
            id: map(idMap.attachments, a.id),
            note_id: a.noteId === null ? null : map(idMap.notes, a.noteId),
            sha256: a.sha256,
            name: a.name,
            created_at: a.createdAt,
          });
        }
        for (const e of c.evidence) {
          r.insertEvidence(projectId, { question_key: e.questionKey, kind: e.kind, target_id: map(evidenceTargets[e.kind], e.targetId), linked_at: e.linkedAt });
        }
      });
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      // Validation should leave nothing for the database to refuse; if it does, say so plainly.
      throw new BundleError(`The bundle could not be stored (nothing was imported): ${(err as Error).message}`);
    } finally {
      this.d.repo.clearStaged();
    }

    const counts: BundleCounts = {
      runs: c.runs.length,
      metricPoints,
      notes: c.notes.length,
      hypotheses: c.hypotheses.length,
      amendments: c.hypotheses.reduce((n, h) => n + h.amendments.length, 0),
      sweeps: c.sweeps.length,
      figures: c.figures.length,
      confounders: c.confounders.length,
      attachments: (c.attachments ?? []).length,
      answers: c.checklist.answers.length,
      revisions: c.checklist.revisions.length,
      evidence: c.evidence.length,
      interruptedRuns: interrupted.length,
      closedSweeps: closing.size,
    };
    return { projectId, counts, idMap, notices };
  }
}

/** The operation's base64 `data` → bytes, or a field error (nothing decoded leniently). */
export function decodeBase64(data: string): Buffer {
  if (!BASE64.test(data)) throw new BundleError('Invalid input: data must be the bundle file, base64-encoded', [{ path: 'data', message: 'data must be base64' }]);
  return Buffer.from(data, 'base64');
}

/** File bytes → the JSON value, refusing anything too large (also while inflating) or not UTF-8 JSON. */
function decode(data: Uint8Array): unknown {
  const limit = BUNDLE_LIMITS.jsonBytes;
  if (data.length > BUNDLE_LIMITS.fileBytes) {
    throw new BundleError(`The bundle file is larger than ${BUNDLE_LIMITS.fileBytes / MIB} MiB`, undefined, 'payload_too_large');
  }
  let bytes = data;
  if (data.length >= 2 && data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1]) {
    // The cap is checked while inflating (zlib stops at maxOutputLength), and it is the smaller of
    // the size limit and MAX_INFLATE_RATIO × the file: a compression bomb (a 255 KB file that
    // inflates to 250 MiB) is refused after a few MiB, never held in memory whole.
    const cap = Math.min(limit, Math.max(MIN_INFLATE_CAP, data.length * MAX_INFLATE_RATIO));
    try {
      bytes = gunzipSync(data, { maxOutputLength: cap });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        if (cap < limit) {
          throw new BundleError(
            `The bundle inflates to more than ${MAX_INFLATE_RATIO}× its ${Math.ceil(data.length / 1024)} KiB (past ${Math.round(cap / MIB)} MiB): refused as a compression bomb`,
            undefined,
            'payload_too_large',
          );
        }
        throw new BundleError(`The bundle is larger than ${limit / MIB} MiB when decompressed`, undefined, 'payload_too_large');
      }
      throw new BundleError(`Not a Phenobook bundle: the gzip data is damaged (${(err as Error).message})`);
    }
  } else if (data.length > limit) {
    throw new BundleError(`The bundle is larger than ${limit / MIB} MiB`, undefined, 'payload_too_large');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new BundleError('Not a Phenobook bundle: the file is not UTF-8 text');
  }
  if (!/^\s*\{/.test(text.slice(0, 1024))) {
    throw new BundleError('Not a Phenobook bundle: the file is neither JSON nor gzip-compressed JSON');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BundleError(`Not a Phenobook bundle: the file is not valid JSON (${(err as Error).message.slice(0, 200)})`);
  }
}

/** Everything a bundle refers to must be in it, once. */
function referenceIssues(c: BundleContent): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const idsOf = (items: readonly { id: string }[], path: string, what: string) => {
    const ids = new Set<string>();
    items.forEach((item, i) => {
      if (ids.has(item.id)) issues.push({ path: `content.${path}.${i}.id`, message: `${what} ${item.id} appears twice` });
      ids.add(item.id);
    });
    return ids;
  };
  const runs = idsOf(c.runs, 'runs', 'run');
  const notes = idsOf(c.notes, 'notes', 'note');
  const hypotheses = idsOf(c.hypotheses, 'hypotheses', 'hypothesis');
  const sweeps = idsOf(c.sweeps, 'sweeps', 'sweep');
  const figures = idsOf(c.figures, 'figures', 'figure');
  const confounders = idsOf(c.confounders, 'confounders', 'confounder test');
  const attachments = idsOf(c.attachments ?? [], 'attachments', 'attachment');
  const files = new Set<string>();
  (c.attachmentFiles ?? []).forEach((f, i) => {
    if (files.has(f.sha256)) issues.push({ path: `content.attachmentFiles.${i}.sha256`, message: `the file ${f.sha256.slice(0, 12)}… appears twice` });
    files.add(f.sha256);
  });
  const attached = new Set((c.attachments ?? []).map((a) => a.sha256));
  (c.attachments ?? []).forEach((a, i) => {
    if (!files.has(a.sha256)) issues.push({ path: `content.attachments.${i}.sha256`, message: `the file ${a.sha256.slice(0, 12)}… is not in the bundle` });
    if (a.noteId !== null && !notes.has(a.noteId)) issues.push({ path: `content.attachments.${i}.noteId`, message: `note ${a.noteId} is not in the bundle` });
  });
  (c.attachmentFiles ?? []).forEach((f, i) => {
    if (!attached.has(f.sha256)) issues.push({ path: `content.attachmentFiles.${i}`, message: 'is attached nowhere' });
  });
  const must = (set: Set<string>, id: string, path: string, what: string) => {
    if (!set.has(id)) issues.push({ path: `content.${path}`, message: `${what} ${id} is not in the bundle` });
  };
  const once = (ids: readonly string[], path: string, what: string) => {
    if (new Set(ids).size !== ids.length) issues.push({ path: `content.${path}`, message: `lists a ${what} twice` });
  };

  const answered = new Set(c.checklist.answers.map((a) => a.questionKey));
  c.checklist.revisions.forEach((v, i) => {
    if (!answered.has(v.questionKey)) {
      issues.push({ path: `content.checklist.revisions.${i}.questionKey`, message: `a revision of ${v.questionKey}, which has no answer in the bundle` });
    }
  });
  const targets = { run: runs, note: notes, hypothesis: hypotheses, figure: figures, confounder: confounders, attachment: attachments };
  const cited = new Set<string>();
  c.evidence.forEach((e, i) => {
    must(targets[e.kind], e.targetId, `evidence.${i}.targetId`, e.kind);
    const key = `${e.questionKey} ${e.kind} ${e.targetId}`;
    if (cited.has(key)) issues.push({ path: `content.evidence.${i}`, message: 'the same evidence is linked twice' });
    cited.add(key);
  });
  c.notes.forEach((n, i) => {
    n.runIds.forEach((id, j) => must(runs, id, `notes.${i}.runIds.${j}`, 'run'));
    n.figureIds.forEach((id, j) => must(figures, id, `notes.${i}.figureIds.${j}`, 'figure'));
    once(n.runIds, `notes.${i}.runIds`, 'run');
    once(n.figureIds, `notes.${i}.figureIds`, 'figure');
  });
  c.hypotheses.forEach((h, i) => {
    h.runs.forEach((l, j) => must(runs, l.runId, `hypotheses.${i}.runs.${j}.runId`, 'run'));
    once(h.runs.map((l) => l.runId), `hypotheses.${i}.runs`, 'run');
  });
  c.confounders.forEach((t, i) => {
    if (t.settings.projectId !== c.project.id) {
      issues.push({ path: `content.confounders.${i}.settings.projectId`, message: 'names another project than the bundle\'s' });
    }
    if (t.settings.sweepId !== undefined) must(sweeps, t.settings.sweepId, `confounders.${i}.settings.sweepId`, 'sweep');
    t.settings.runIds?.forEach((id, j) => must(runs, id, `confounders.${i}.settings.runIds.${j}`, 'run'));
    t.hypothesisIds.forEach((id, j) => must(hypotheses, id, `confounders.${i}.hypothesisIds.${j}`, 'hypothesis'));
    once(t.hypothesisIds, `confounders.${i}.hypothesisIds`, 'hypothesis');
  });
  const rerunOf = new Map<string, string>();
  c.runs.forEach((r, i) => {
    if (r.sweepId !== null) must(sweeps, r.sweepId, `runs.${i}.sweepId`, 'sweep');
    if (r.rerunOf !== null) {
      must(runs, r.rerunOf, `runs.${i}.rerunOf`, 'run');
      rerunOf.set(r.id, r.rerunOf);
    }
  });
  // Reruns form chains back to an original, never a loop (each run is walked once).
  const walked = new Map<string, 'open' | 'done'>();
  c.runs.forEach((r, i) => {
    const path: string[] = [];
    let at: string | undefined = r.id;
    while (at !== undefined && !walked.has(at)) {
      walked.set(at, 'open');
      path.push(at);
      at = rerunOf.get(at);
    }
    if (at !== undefined && walked.get(at) === 'open') issues.push({ path: `content.runs.${i}.rerunOf`, message: 'reruns form a loop' });
    for (const id of path) walked.set(id, 'done');
  });
  return issues;
}

/**
 * Every attached file is what it says: bytes whose SHA-256 is the one recorded (a file changed
 * inside the bundle is refused even when its content hash was recomputed), of the type recorded,
 * within the size limit, and an SVG exactly as the sanitiser leaves it.
 */
function attachmentFileIssues(c: BundleContent): FieldIssue[] {
  const issues: FieldIssue[] = [];
  (c.attachmentFiles ?? []).forEach((f, i) => {
    const path = `content.attachmentFiles.${i}.data`;
    const bytes = Buffer.from(f.data, 'base64');
    if (sha256OfBytes(bytes) !== f.sha256) {
      issues.push({ path, message: `the attached file ${f.sha256.slice(0, 12)}… does not match its SHA-256: it was changed after export` });
      return;
    }
    try {
      const checked = checkBytes(f.mediaType, bytes, `The attached file ${f.sha256.slice(0, 12)}…`);
      if (!Buffer.from(checked.bytes).equals(bytes)) issues.push({ path, message: 'is an SVG that is not sanitised' });
    } catch (err) {
      issues.push({ path, message: (err as Error).message });
    }
  });
  return issues;
}
