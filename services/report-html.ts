import { createRequire } from 'node:module';
import type { Marked } from 'marked';
type MarkedModule = { Marked: typeof Marked };
import type sanitizeHtmlType from 'sanitize-html';
import { CHECKLIST, CHECKLIST_CITATION, type AnswerStatus } from '../contract/checklist';
import { describePrediction, type Hypothesis, type HypothesisContent, type PredictionResult } from '../contract/hypotheses';
import type { Evidence } from '../contract/notebook';
import { PHENOMENON_LABELS, type Project } from '../contract/projects';
import type { BackendReport, RunDetail, RunSummary } from '../contract/runs';
import type { FigureSummary } from '../contract/figures';
import { isImageType, type Attachment } from '../contract/attachments';
import { distinguishingConfig } from '../common/config-diff';
import { describeRunSource } from '../common/external-run';
import { formatNumber } from '../common/predictions';
import type { NotebookExportData } from './notebook-export';
import { REPORT_CSS } from './report.css';
import { runLabel } from './run-label';

/**
 * The project report as one self-contained HTML document: checklist answers with evidence,
 * hypotheses with lock hashes and verdicts, figures with provenance, runs and the environment.
 * It opens offline and makes no request at all: CSS is inline, figures are base64 data URIs in
 * <img> (so a script inside a stored SVG can never run), there are no scripts or web fonts, and a
 * Content-Security-Policy meta tag says so again. User Markdown goes through marked and then
 * sanitize-html with a small allow-list; every other user string is escaped.
 */

/** One backend seen in the project's runs, with the package versions it reported. */
export interface ReportBackend {
  name: string;
  gpu: boolean;
  versions: Record<string, string>;
}

export interface ReportEnvironment {
  appVersion: string;
  hostname?: string;
  /** e.g. "linux x64" */
  platform: string;
  /** e.g. "v20.19.4" */
  node: string;
  backends: ReportBackend[];
}

export interface ConfounderVerdict {
  /** The stored test's id, when there is one: checklist evidence of kind 'confounder' links to it. */
  id?: string;
  title: string;
  /** The verdict in plain words (ConfounderTest.verdict). */
  verdict: string;
  /** Plain text (line breaks kept): metrics, intervals, controls. */
  details: string;
}

export type ReportData = NotebookExportData & {
  /** Figure id → the stored SVG document. */
  figureSvgs: Record<string, string>;
  /** SHA-256 → a data: URI of each attached image the notes show (embedded, like figures). */
  attachmentImages?: Record<string, string>;
  environment: ReportEnvironment;
  /** Optional section; left out of the report when undefined. */
  confounderVerdicts?: ConfounderVerdict[];
};

export const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

// ---------------------------------------------------------------------------------------------
// Escaping and Markdown

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and (double- or single-quoted) attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

// The Markdown renderer and sanitiser load when a report is first written, not with every command.
let renderer: { marked: Marked; sanitizeHtml: typeof sanitizeHtmlType } | undefined;
function markdownTools() {
  if (!renderer) {
    const require = createRequire(import.meta.url);
    const { Marked: MarkedClass } = require('marked') as MarkedModule;
    renderer = { marked: new MarkedClass({ gfm: true, async: false }), sanitizeHtml: require('sanitize-html') as typeof sanitizeHtmlType };
  }
  return renderer;
}

const SAFE_HREF = /^(https?:|mailto:|#)/i;
const SAFE_IMG = /^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i;

/** User headings sit below the report's own (h1 title, h2 sections, h3 items). */
const demote = (tagName: string) => (_: string, attribs: sanitizeHtmlType.Attributes) => ({ tagName, attribs });

const SANITIZE: sanitizeHtmlType.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h4', 'h5', 'h6', 'strong', 'b', 'em', 'i', 'del', 's', 'code', 'pre', 'blockquote',
    'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img', 'sup', 'sub', 'span',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], th: ['align'], td: ['align'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    h1: demote('h4'),
    h2: demote('h4'),
    h3: demote('h4'),
    h4: demote('h5'),
    h5: demote('h6'),
    h6: demote('h6'),
    // Only web, mail and in-page links keep their target; external ones cannot reach back.
    a: (_, attribs): sanitizeHtmlType.Tag => {
      const href = (attribs.href ?? '').trim();
      const kept: sanitizeHtmlType.Attributes = attribs.title ? { title: attribs.title } : {};
      if (!SAFE_HREF.test(href)) return { tagName: 'a', attribs: kept };
      return { tagName: 'a', attribs: href.startsWith('#') ? { ...kept, href } : { ...kept, href, rel: 'noopener noreferrer' } };
    },
    // Images must already be inside the document; anything else would be a request, so it
    // becomes its alt text.
    img: (_, attribs) => {
      const src = (attribs.src ?? '').trim();
      if (SAFE_IMG.test(src)) return { tagName: 'img', attribs: { ...attribs, src } };
      return { tagName: 'span', attribs: {}, text: attribs.alt ? `[image: ${attribs.alt}]` : '[image]' };
    },
    // GFM task-list boxes: shown as characters, no form controls in the report.
    input: (_, attribs) => ({ tagName: 'span', attribs: {}, text: attribs.checked !== undefined ? '☑ ' : '☐ ' }),
  },
};

/** `![name](attachment:<sha256>)` and `[name](attachment:<sha256>)` in user Markdown. */
const ATTACHMENT_REF = /(!?)\[((?:\\.|[^\]\\])*)\]\(\s*attachment:([0-9a-f]{64})\s*\)/g;

/** Where a note's attachment references point inside the report: images embedded, other files to their entry. */
export interface AttachmentTargets {
  images: Record<string, string>;
  /** SHA-256 → the fragment of its entry in the Attachments section. */
  entries: Record<string, string>;
}

/** User Markdown to HTML that is safe inside the report (no scripts, handlers, styles or requests). */
export function reportMarkdown(source: string, attachments?: AttachmentTargets): string {
  const { marked, sanitizeHtml } = markdownTools();
  const resolved = source.replace(ATTACHMENT_REF, (whole, bang: string, label: string, sha: string) => {
    const image = attachments?.images[sha];
    if (bang && image) return `![${label}](${image})`;
    const entry = attachments?.entries[sha];
    // A reference to a file this report does not carry stays as its name.
    return entry ? `[${label}](#${entry})` : bang ? whole : `[${label}]()`;
  });
  const html = marked.parse(resolved) as string;
  return sanitizeHtml(html, SANITIZE);
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** An id usable as a fragment: only letters, digits and dashes survive. */
const anchorId = (prefix: string, id: string) => `${prefix}-${id.replace(/[^A-Za-z0-9-]/g, '')}`;

const STATUS_WORDS: Record<AnswerStatus, string> = {
  open: 'Open',
  'in-progress': 'In progress',
  answered: 'Answered',
  'not-applicable': 'Not applicable',
};

const num = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? formatNumber(v) : '—');

/** "42.1 s", "12 min 5 s", "2 h 3 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

const plain = (text: string, tag = 'p', cls = 'plain') => `<${tag} class="${cls}">${escapeHtml(text)}</${tag}>`;

const badge = (text: string, cls: string) => `<span class="badge ${cls}">${escapeHtml(text)}</span>`;

function bar(done: number, total: number): string {
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return `<span class="bar" aria-hidden="true"><span style="width: ${pct}%"></span></span>`;
}

function compactValue(v: unknown): string {
  if (typeof v === 'string') return v;
  const json = JSON.stringify(v);
  if (json === undefined) return String(v);
  return json.length > 200 ? `${json.slice(0, 199)}…` : json;
}

interface Ctx {
  runs: Map<string, RunSummary>;
  anchors: Set<string>;
}

/** A link to something inside the report when it is there, its label as text otherwise. */
function ref(ctx: Ctx, anchor: string, label: string): string {
  return ctx.anchors.has(anchor) ? `<a href="#${anchor}">${escapeHtml(label)}</a>` : escapeHtml(label);
}

const runRef = (ctx: Ctx, runId: string, fallback?: string) => {
  const run = ctx.runs.get(runId);
  return ref(ctx, anchorId('run', runId), run ? runLabel(run) : (fallback ?? runId));
};

// ---------------------------------------------------------------------------------------------
// Sections

function titleBlock(d: ReportData): string {
  const p: Project = d.project;
  const tags = p.tags.length ? p.tags.map((t) => `<span class="tag">${escapeHtml(t)}</span>`).join('') : '<span class="muted">none</span>';
  return `<header class="title-block">
<p class="muted small">Phenobook project report</p>
<h1>${escapeHtml(p.title)}</h1>
<dl>
<dt>Phenomenon</dt><dd>${escapeHtml(PHENOMENON_LABELS[p.phenomenon] ?? p.phenomenon)}</dd>
<dt>Tags</dt><dd>${tags}</dd>
<dt>Exported</dt><dd>${escapeHtml(d.exportedAt)}</dd>
<dt>App version</dt><dd>Phenobook ${escapeHtml(d.appVersion)}</dd>
</dl>
${p.question ? `<h3>Research question</h3>\n<div class="question-text">${reportMarkdown(p.question)}</div>` : ''}
</header>`;
}

interface Part {
  id: string;
  title: string;
  count?: number;
  html: string;
}

function contents(parts: Part[]): string {
  const items = parts.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a>${s.count === undefined ? '' : ` <span class="muted">(${s.count})</span>`}</li>`);
  return `<nav class="contents" aria-label="Contents">\n<h2>Contents</h2>\n<ol>\n${items.join('\n')}\n</ol>\n</nav>`;
}

function evidenceItem(ctx: Ctx, e: Evidence): string {
  const prefix = e.kind;
  const label = ref(ctx, anchorId(prefix, e.targetId), e.label);
  return `<li><span class="muted">${escapeHtml(e.kind)}:</span> ${label}${e.detail ? ` <span class="muted">(${escapeHtml(e.detail)})</span>` : ''}</li>`;
}

function checklistSection(d: ReportData, ctx: Ctx): string {
  const answers = new Map(d.checklist.answers.map((a) => [a.questionKey, a]));
  const c = CHECKLIST_CITATION;
  const out: string[] = [
    `<p class="small">The self-evaluation checklist of ${escapeHtml(c.authors)}, “${escapeHtml(c.title)}”, ${escapeHtml(c.venue)}, ${escapeHtml(c.where)}.</p>`,
  ];
  for (const phase of CHECKLIST) {
    const progress = d.checklist.progress.find((p) => p.key === phase.key);
    const done = progress?.done ?? 0;
    const total = progress?.total ?? phase.categories.reduce((s, cat) => s + cat.questions.length, 0);
    out.push(`<h3 id="${anchorId('phase', phase.key)}">${escapeHtml(phase.title)}</h3>`);
    out.push(`<p class="small">${bar(done, total)}${done} of ${total} answered or marked not applicable</p>`);
    for (const category of phase.categories) {
      const cp = progress?.categories.find((x) => x.key === category.key);
      out.push(`<h4>${escapeHtml(category.title)}${cp ? ` <span class="muted small">(${cp.done}/${cp.total})</span>` : ''}</h4>`);
      for (const q of category.questions) {
        const a = answers.get(q.key);
        const status = a?.status ?? 'open';
        const parts = [
          `<div class="question" id="${anchorId('q', q.key.replace(/\./g, '-'))}">`,
          `<p class="q-text">${escapeHtml(q.text)} ${badge(STATUS_WORDS[status], `status-${status}`)}</p>`,
        ];
        if (status === 'not-applicable' && a?.notApplicableReason) {
          parts.push(`<p><span class="muted">Not applicable because:</span> <span class="plain">${escapeHtml(a.notApplicableReason)}</span></p>`);
        }
        if (a?.markdown) parts.push(`<div class="answer">${reportMarkdown(a.markdown)}</div>`);
        if (a?.updatedAt && (a.markdown || a.notApplicableReason)) parts.push(`<p class="muted small">Last saved ${escapeHtml(a.updatedAt)}</p>`);
        const cited = d.checklist.evidence.filter((e) => e.questionKey === q.key);
        if (cited.length) parts.push(`<p class="small"><strong>Evidence</strong></p>\n<ul class="evidence small">\n${cited.map((e) => evidenceItem(ctx, e)).join('\n')}\n</ul>`);
        parts.push('</div>');
        out.push(parts.join('\n'));
      }
    }
  }
  return out.join('\n');
}

function verdictTable(ctx: Ctx, h: Hypothesis, results: PredictionResult[]): string {
  if (results.length === 0) return '<p class="muted small">No linked run decides this prediction yet.</p>';
  const labels = new Map(h.runs.map((r) => [r.runId, r.label]));
  const rows = results.map(
    (r) =>
      `<tr><td>${runRef(ctx, r.runId, labels.get(r.runId))}</td><td>${badge(r.verdict, `verdict-${r.verdict}`)}${r.conditionMet ? '' : ` ${badge('outside condition', 'outside')}`}</td><td class="num">${num(r.value)}</td><td class="num">${r.step ?? '—'}</td><td>${escapeHtml(r.explanation)}</td></tr>`,
  );
  return `<table class="verdicts">
<thead><tr><th>Run</th><th>Verdict</th><th class="num">Value</th><th class="num">Step</th><th>Explanation</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function predictionsBlock(ctx: Ctx, h: Hypothesis, content: HypothesisContent, results: PredictionResult[]): string {
  return content.predictions
    .map(
      (p, i) =>
        `<div class="prediction">\n<p><strong>P${i + 1}.</strong> ${escapeHtml(describePrediction(p))}</p>\n${verdictTable(ctx, h, results.filter((r) => r.predictionIndex === i))}\n</div>`,
    )
    .join('\n');
}

const relationLine = (c: HypothesisContent) =>
  `<p><span class="muted">${c.relation === 'challenges' ? 'Challenges' : 'Refines'}:</span> <span class="plain">${escapeHtml(c.theory)}</span></p>`;

function hypothesisBlock(ctx: Ctx, h: Hypothesis, index: number): string {
  const out: string[] = [`<div class="hypothesis">`, `<h3 id="${anchorId('hypothesis', h.id)}">H${index + 1}. <span class="plain">${escapeHtml(h.current.statement)}</span></h3>`];
  out.push(relationLine(h.current));
  if (h.lock) {
    out.push(
      `<dl class="facts small"><dt>Locked</dt><dd>${escapeHtml(h.lock.at)} (preregistered)</dd><dt>SHA-256</dt><dd><code class="hash">${escapeHtml(h.lock.hash)}</code></dd><dt>Integrity</dt><dd>${
        h.lock.intact
          ? '<span class="intact">✓ intact — the stored content matches this hash</span>'
          : '<span class="warning broken">⚠ the stored content no longer matches this hash</span>'
      }</dd></dl>`,
    );
  } else {
    out.push('<p class="small"><span class="badge status-in-progress">Draft</span> Not locked (not preregistered).</p>');
  }
  const t = h.tally;
  const outside = t.outside ? ` <span class="outside">${t.outside} outside the condition (not counted)</span>` : '';
  out.push(
    `<p class="small">Verdicts on runs inside each prediction's condition: ${badge(`${t.supported} supported`, 'verdict-supported')} ${badge(`${t.refuted} refuted`, 'verdict-refuted')} ${badge(`${t.inconclusive} inconclusive`, 'verdict-inconclusive')}${outside}</p>`,
  );
  out.push('<h4>Predictions</h4>', predictionsBlock(ctx, h, h.current, h.results));
  if (h.amendments.length) {
    out.push('<h4>Amendments</h4>', '<ol class="amendments">');
    for (const a of h.amendments) {
      out.push(
        `<li><p>Amendment ${a.number}, ${escapeHtml(a.createdAt)}, SHA-256 <code class="hash">${escapeHtml(a.hash)}</code></p><p><span class="muted">Reason:</span> <span class="plain">${escapeHtml(a.reason)}</span></p><p><span class="muted">Statement:</span> <span class="plain">${escapeHtml(a.statement)}</span></p></li>`,
      );
    }
    out.push('</ol>');
    out.push('<h4>As originally locked</h4>', `<blockquote class="plain">${escapeHtml(h.statement)}</blockquote>`, relationLine(h));
    out.push(predictionsBlock(ctx, h, h, h.originalResults ?? []));
  }
  out.push('</div>');
  return out.join('\n');
}

function hypothesesSection(d: ReportData, ctx: Ctx): string {
  if (d.hypotheses.length === 0) return '<p class="muted">None yet.</p>';
  return d.hypotheses.map((h, i) => hypothesisBlock(ctx, h, i)).join('\n');
}

function confoundersSection(items: ConfounderVerdict[]): string {
  if (items.length === 0) return '<p class="muted">None run yet.</p>';
  return items
    .map(
      (c) =>
        `<div class="confounder"${c.id ? ` id="${anchorId('confounder', c.id)}"` : ''}>\n<h3>${escapeHtml(c.title)}</h3>\n<p><strong>Verdict:</strong> <span class="plain">${escapeHtml(c.verdict)}</span></p>\n${c.details ? plain(c.details, 'div', 'plain small') : ''}\n</div>`,
    )
    .join('\n');
}

/** The stored SVG as an <img> data URI: rendered as an image, so nothing inside it can run. */
function figureImage(f: FigureSummary, svg: string | undefined): string {
  if (!svg) return '<div class="missing">The figure image is not available.</div>';
  const b64 = Buffer.from(svg, 'utf8').toString('base64');
  return `<img src="data:image/svg+xml;base64,${b64}" alt="${escapeHtml(f.title)}">`;
}

function provenanceTable(ctx: Ctx, f: FigureSummary): string {
  const p = f.provenance;
  const rows: [string, string][] = [
    ['Experiment', escapeHtml(p.experiment)],
    ['Preset', p.preset ? escapeHtml(p.preset) : '—'],
    ['Selection', `<span class="plain">${escapeHtml(p.selection)}</span>`],
    ['Shows', `<span class="plain">${escapeHtml(p.shows)}</span>`],
    ['Runs', String(p.runIds.length)],
    ['Sweeps', p.sweepIds.length ? p.sweepIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ') : '—'],
    ['Exported', `${escapeHtml(p.exportedAt)}${p.app ? ` <span class="muted">(${escapeHtml(p.app)})</span>` : ''}`],
  ];
  const known = p.runIds.filter((id) => ctx.runs.has(id));
  if (known.length && known.length <= 12) rows.splice(5, 0, ['Run labels', known.map((id) => runRef(ctx, id)).join('<br>')]);
  const config = Object.entries(p.config);
  const configTable = config.length
    ? `<table class="config small"><thead><tr><th>Config</th><th>Value</th></tr></thead><tbody>\n${config
        .map(([k, v]) => `<tr><td><code>${escapeHtml(k)}</code></td><td><code>${escapeHtml(compactValue(v))}</code></td></tr>`)
        .join('\n')}\n</tbody></table>`
    : '';
  return `<table class="provenance small"><tbody>\n${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('\n')}\n</tbody></table>\n${configTable}`;
}

function figuresSection(d: ReportData, ctx: Ctx): string {
  if (d.figures.length === 0) return '<p class="muted">None saved yet.</p>';
  return d.figures
    .map(
      (f, i) => `<div class="figure" id="${anchorId('figure', f.id)}">
<h3>Figure ${i + 1}. ${escapeHtml(f.title)}</h3>
<figure>
${figureImage(f, d.figureSvgs[f.id])}
<figcaption class="plain">${escapeHtml(f.caption)}</figcaption>
</figure>
<p class="muted small">Saved ${escapeHtml(f.createdAt)}</p>
${provenanceTable(ctx, f)}
</div>`,
    )
    .join('\n');
}

function attachmentTargets(d: ReportData): AttachmentTargets {
  const entries: Record<string, string> = {};
  for (const a of d.attachments ?? []) entries[a.sha256] ??= anchorId('attachment', a.id);
  return { images: d.attachmentImages ?? {}, entries };
}

/** Every attached file: images are shown in their notes; the others are listed here with their hash. */
function attachmentsSection(d: ReportData): string {
  const notes = new Map(d.notes.map((n) => [n.id, n]));
  const rows = (d.attachments ?? []).map((a: Attachment) => {
    const note = a.noteId ? notes.get(a.noteId) : undefined;
    const where = note ? `<a href="#${anchorId('note', note.id)}">${escapeHtml(note.title)}</a>` : '—';
    const shown = isImageType(a.mediaType) && d.attachmentImages?.[a.sha256] ? 'shown in its note' : 'not embedded';
    return `<tr id="${anchorId('attachment', a.id)}"><td>${escapeHtml(a.name)}</td><td>${escapeHtml(a.mediaType)}</td><td class="num">${formatSize(a.size)}</td><td>${where}</td><td class="plain"><code>${a.sha256}</code><br><span class="muted">${shown}</span></td></tr>`;
  });
  return `<table class="attachments small">
<thead><tr><th>File</th><th>Type</th><th class="num">Size</th><th>Note</th><th>SHA-256</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

const formatSize = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1024 * 1024)).toFixed(1)} MiB`);

function notesSection(d: ReportData, ctx: Ctx): string {
  if (d.notes.length === 0) return '<p class="muted">None yet.</p>';
  const figures = new Map(d.figures.map((f) => [f.id, f]));
  const targets = attachmentTargets(d);
  return d.notes
    .map((n) => {
      const out = [`<div class="note" id="${anchorId('note', n.id)}">`, `<h3>${escapeHtml(n.title)}</h3>`];
      const tags = n.tags.map((t) => `<span class="tag">${escapeHtml(t)}</span>`).join('');
      out.push(`<p class="muted small">Updated ${escapeHtml(n.updatedAt)}${tags ? ` · ${tags}` : ''}</p>`);
      if (n.body) out.push(`<div class="note-body">${reportMarkdown(n.body, targets)}</div>`);
      if (n.runIds.length) out.push(`<p class="small"><span class="muted">Runs:</span> ${n.runIds.map((id) => runRef(ctx, id)).join('; ')}</p>`);
      const figs = n.figureIds.map((id) => figures.get(id)).filter((f): f is FigureSummary => f !== undefined);
      if (figs.length) out.push(`<p class="small"><span class="muted">Figures:</span> ${figs.map((f) => ref(ctx, anchorId('figure', f.id), f.title)).join('; ')}</p>`);
      out.push('</div>');
      return out.join('\n');
    })
    .join('\n');
}

function runsSection(d: ReportData): string {
  if (d.runs.length === 0) return '<p class="muted">None yet.</p>';
  const differs = distinguishingConfig(d.runs);
  const rows = d.runs.map((r) => {
    const backend = r.backend ? `${escapeHtml(r.backend)}${r.gpu ? ' · GPU' : r.gpu === false ? ' · CPU' : ''}` : '—';
    const error = r.error ? `<br><span class="small verdict-refuted plain">${escapeHtml(r.error)}</span>` : '';
    return `<tr id="${anchorId('run', r.id)}"><td>${escapeHtml(runLabel(r))}${error}</td><td class="plain">${escapeHtml(describeRunSource(r))}</td><td class="plain">${escapeHtml(differs.get(r.id) || '—')}</td><td>${escapeHtml(r.status)}</td><td>${backend}</td><td class="num">${r.stepsDone}/${r.stepsTotal}</td><td class="num">${num(r.final.trainAcc)}</td><td class="num">${num(r.final.testAcc)}</td><td class="num">${formatDuration(r.wallSeconds)}</td></tr>`;
  });
  return `<table class="runs small">
<thead><tr><th>Run</th><th>Source</th><th>Config that differs</th><th>Status</th><th>Backend</th><th class="num">Steps</th><th class="num">Final train acc</th><th class="num">Final test acc</th><th class="num">Wall time</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function environmentSection(d: ReportData): string {
  const e = d.environment;
  const facts: [string, string][] = [
    ['Phenobook', e.appVersion],
    ...(e.hostname ? ([['Host', e.hostname]] as [string, string][]) : []),
    ['Platform', e.platform],
    ['Node', e.node],
  ];
  const out = [`<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`];
  out.push('<h3>Backends used by the runs</h3>');
  if (e.backends.length === 0) out.push('<p class="muted">No run reported its backend.</p>');
  else {
    const rows = e.backends.map((b) => {
      const versions = Object.entries(b.versions)
        .sort(([a], [c]) => a.localeCompare(c))
        .map(([k, v]) => `<code>${escapeHtml(k)}</code> ${escapeHtml(v)}`)
        .join('<br>');
      return `<tr><td>${escapeHtml(b.name)}</td><td>${b.gpu ? 'yes' : 'no'}</td><td>${versions || '—'}</td></tr>`;
    });
    out.push(`<table class="backends small">\n<thead><tr><th>Backend</th><th>GPU</th><th>Package versions</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The document

/** The whole report as one HTML document (UTF-8), ready to save or to print to PDF. */
export function reportHtml(d: ReportData): string {
  const ctx: Ctx = { runs: new Map(d.runs.map((r) => [r.id, r])), anchors: new Set() };
  for (const r of d.runs) ctx.anchors.add(anchorId('run', r.id));
  for (const n of d.notes) ctx.anchors.add(anchorId('note', n.id));
  for (const h of d.hypotheses) ctx.anchors.add(anchorId('hypothesis', h.id));
  for (const f of d.figures) ctx.anchors.add(anchorId('figure', f.id));
  for (const c of d.confounderVerdicts ?? []) if (c.id) ctx.anchors.add(anchorId('confounder', c.id));
  for (const a of d.attachments ?? []) ctx.anchors.add(anchorId('attachment', a.id));

  const parts: Part[] = [
    { id: 'checklist', title: 'Self-evaluation checklist', html: checklistSection(d, ctx) },
    { id: 'hypotheses', title: 'Hypotheses', count: d.hypotheses.length, html: hypothesesSection(d, ctx) },
  ];
  if (d.confounderVerdicts) parts.push({ id: 'confounders', title: 'Confounder tests', count: d.confounderVerdicts.length, html: confoundersSection(d.confounderVerdicts) });
  parts.push(
    { id: 'figures', title: 'Figures', count: d.figures.length, html: figuresSection(d, ctx) },
    { id: 'notes', title: 'Notes', count: d.notes.length, html: notesSection(d, ctx) },
    ...(d.attachments?.length ? [{ id: 'attachments', title: 'Attachments', count: d.attachments.length, html: attachmentsSection(d) }] : []),
    { id: 'runs', title: 'Runs', count: d.runs.length, html: runsSection(d) },
    { id: 'environment', title: 'Environment', html: environmentSection(d) },
  );

  const body = parts.map((s) => `<section class="major" id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Phenobook ${escapeHtml(d.appVersion)}">
<title>${escapeHtml(d.project.title)} — Phenobook report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${titleBlock(d)}
${contents(parts)}

${body}

<footer>Exported from Phenobook ${escapeHtml(d.appVersion)} on ${escapeHtml(d.exportedAt)}. Self-contained: this file makes no network requests.</footer>
</body>
</html>
`;
}

/** The backends of a project's runs, one entry per distinct backend, GPU use and versions. */
export function collectBackends(runs: readonly Pick<RunDetail, 'backendDetail'>[]): ReportBackend[] {
  const seen = new Map<string, ReportBackend>();
  for (const r of runs) {
    const b: BackendReport | null = r.backendDetail;
    if (!b) continue;
    const versions = Object.fromEntries(Object.entries(b.versions ?? {}).sort(([a], [c]) => a.localeCompare(c)));
    const key = JSON.stringify([b.name, b.gpu, versions]);
    if (!seen.has(key)) seen.set(key, { name: b.name, gpu: b.gpu, versions });
  }
  return [...seen.values()].sort((a, c) => a.name.localeCompare(c.name) || Number(c.gpu) - Number(a.gpu));
}

/** "grokking-and-weight-decay-report.html", like the Markdown export's name. */
export function reportFilename(title: string): string {
  const slug = title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'project';
  return `${slug}-report.html`;
}
