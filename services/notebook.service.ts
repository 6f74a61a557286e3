import { sanitizeSvg } from './svg-sanitize';
import type { z } from 'zod';
import { QuestionKeySchema } from '../contract/checklist';
import type { Evidence, EvidenceLinkSchema, NotebookExport, SearchHit } from '../contract/notebook';
import { SEARCH_LIMITS } from '../contract/notebook';
import { isImageType, type Attachment } from '../contract/attachments';
import type { AttachmentsRepo } from '../db/attachments.repo';
import type { EvidenceRepo } from '../db/evidence.repo';
import type { ConfoundersRepo } from '../db/confounders.repo';
import type { FiguresRepo } from '../db/figures.repo';
import type { HypothesesRepo } from '../db/hypotheses.repo';
import type { NotesRepo } from '../db/notes.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunsRepo } from '../db/runs.repo';
import type { SearchRepo } from '../db/search.repo';
import type { ChecklistService } from './checklist.service';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { HypothesesService } from './hypotheses.service';
import { notebookMarkdown } from './notebook-export';
import { collectBackends, reportFilename, reportHtml } from './report-html';
import type { Clock } from './projects.service';
import { runLabel } from './run-label';

export interface NotebookDeps {
  evidence: EvidenceRepo;
  search: SearchRepo;
  projects: ProjectsRepo;
  runs: RunsRepo;
  notes: NotesRepo;
  hypothesesRepo: HypothesesRepo;
  figures: FiguresRepo;
  confounders: ConfoundersRepo;
  attachments: AttachmentsRepo;
  events: EventBus;
  clock: Clock;
  appVersion: string;
}

/** Stored reports hold NaN as null (JSON): both print as a dash. */
const two = (v: number | null) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(2) : '–');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** What ties the notebook together: evidence on checklist answers, search, and the Markdown export. */
export class NotebookService {
  constructor(private readonly d: NotebookDeps) {}

  private requireProject(projectId: string) {
    const project = this.d.projects.get(projectId);
    if (!project) throw notFound('Project', projectId);
    return project;
  }

  /** Every evidence link of a project, labelled; links whose target vanished are skipped. */
  evidence(projectId: string): Evidence[] {
    const out: Evidence[] = [];
    for (const row of this.d.evidence.list(projectId)) {
      const target = this.describe(row.kind, row.target_id);
      if (!target) continue;
      out.push({ questionKey: row.question_key, kind: row.kind, targetId: row.target_id, linkedAt: row.linked_at, label: target.label, detail: target.detail });
    }
    return out;
  }

  private describe(kind: Evidence['kind'], id: string): { label: string; detail: string | null; projectId: string | null } | null {
    if (kind === 'run') {
      const run = this.d.runs.get(id);
      return run ? { label: runLabel(run), detail: run.status, projectId: run.projectId } : null;
    }
    if (kind === 'note') {
      const note = this.d.notes.get(id);
      return note ? { label: note.title, detail: note.tags.join(', ') || null, projectId: note.projectId } : null;
    }
    if (kind === 'confounder') {
      const t = this.d.confounders.get(id);
      return t ? { label: `Confounder test: ${t.title}`, detail: t.verdict, projectId: t.projectId } : null;
    }
    if (kind === 'attachment') {
      const a = this.d.attachments.get(id);
      return a ? { label: a.name, detail: `${a.mediaType}, ${a.size} bytes`, projectId: a.projectId } : null;
    }
    if (kind === 'figure') {
      const f = this.d.figures.get(id);
      return f ? { label: f.title, detail: f.caption.slice(0, 200) || null, projectId: f.projectId } : null;
    }
    const h = this.d.hypothesesRepo.get(id);
    if (!h) return null;
    const current = h.amendments.at(-1) ?? h;
    return { label: clip(current.statement, 160), detail: h.lockedAt ? 'locked' : 'draft', projectId: h.projectId };
  }

  link(input: z.output<typeof EvidenceLinkSchema>): Evidence[] {
    this.requireProject(input.projectId);
    if (input.linked) {
      const target = this.describe(input.kind, input.targetId);
      if (!target) {
        throw new ServiceError('invalid_input', `No ${input.kind} ${input.targetId} to cite`, [{ path: 'targetId', message: `No such ${input.kind}` }]);
      }
      if (target.projectId !== input.projectId) {
        throw new ServiceError('invalid_input', `That ${input.kind} belongs to another project; cite evidence from this project`, [
          { path: 'targetId', message: `The ${input.kind} is not in this project` },
        ]);
      }
    }
    QuestionKeySchema.parse(input.questionKey);
    const changed = this.d.evidence.set({ ...input, now: this.d.clock() });
    if (changed) this.d.events.emit({ type: 'notebook:changed', projectId: input.projectId, what: 'evidence' });
    return this.evidence(input.projectId).filter((e) => e.questionKey === input.questionKey);
  }

  search(projectId: string, query: string): SearchHit[] {
    this.requireProject(projectId);
    return this.d.search.search(projectId, query, SEARCH_LIMITS.results);
  }

  /** The project report as one self-contained HTML file (print it for a PDF). */
  report(projectId: string, checklist: ChecklistService, hypotheses: HypothesesService, host: { hostname: string }): { filename: string; html: string } {
    const data = this.exportData(projectId, checklist, hypotheses);
    const figureSvgs = Object.fromEntries(data.figures.map((f) => [f.id, sanitizeSvg(this.d.figures.get(f.id)?.svg ?? '')]));
    const html = reportHtml({
      ...data,
      figureSvgs,
      attachmentImages: this.attachmentImages(data.attachments),
      environment: {
        appVersion: this.d.appVersion,
        hostname: host.hostname,
        platform: `${process.platform} ${process.arch}`,
        node: process.version,
        backends: collectBackends(data.runs.map((r) => this.d.runs.get(r.id)).filter((r) => r !== undefined)),
      },
      confounderVerdicts: this.d.confounders.list(projectId).map((t) => ({
        id: t.id,
        title: t.title,
        verdict: t.verdict,
        details: t.report.results
          .map((m) => `${m.name} (${m.role}): r = ${two(m.spearman.r)} [${two(m.spearman.low)}, ${two(m.spearman.high)}]; ${m.partials.map((p) => `given ${p.given.join(' + ')}: ${two(p.r)}`).join('; ')}`)
          .join('\n'),
      })),
    });
    return { filename: reportFilename(data.project.title), html };
  }

  /** Attached images as data: URIs, for the report to embed (it makes no request). */
  private attachmentImages(attachments: readonly Attachment[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of attachments) {
      if (!isImageType(a.mediaType) || out[a.sha256]) continue;
      const bytes = this.d.attachments.data(a.sha256);
      if (!bytes) continue;
      // SVGs were sanitised on the way in; sanitised again here, as figures are on the way out.
      const data = a.mediaType === 'image/svg+xml' ? Buffer.from(sanitizeSvg(bytes.toString('utf8'))) : bytes;
      out[a.sha256] = `data:${a.mediaType};base64,${data.toString('base64')}`;
    }
    return out;
  }

  private exportData(projectId: string, checklist: ChecklistService, hypotheses: HypothesesService) {
    const project = this.requireProject(projectId);
    return {
      project,
      checklist: checklist.state(projectId),
      hypotheses: hypotheses.list(projectId),
      notes: this.d.notes.list(projectId),
      figures: this.d.figures.list(projectId),
      runs: this.d.runs.list(projectId),
      attachments: this.d.attachments.list(projectId),
      appVersion: this.d.appVersion,
      exportedAt: this.d.clock(),
    };
  }

  export(projectId: string, checklist: ChecklistService, hypotheses: HypothesesService): NotebookExport {
    const data = this.exportData(projectId, checklist, hypotheses);
    const { project } = data;
    const markdown = notebookMarkdown(data);
    const slug = project.title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'project';
    return { filename: `${slug}-notebook.md`, markdown };
  }
}
