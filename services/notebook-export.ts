import { CHECKLIST, CHECKLIST_CITATION, type ChecklistState } from '../contract/checklist';
import { describePrediction, describeTally, type Hypothesis, type PredictionResult } from '../contract/hypotheses';
import type { Attachment } from '../contract/attachments';
import type { FigureSummary } from '../contract/figures';
import type { Note } from '../contract/notes';
import type { Project } from '../contract/projects';
import { PHENOMENON_LABELS } from '../contract/projects';
import type { RunSummary } from '../contract/runs';
import { distinguishingConfig } from '../common/config-diff';
import { describeRunSource } from '../common/external-run';
import { formatNumber } from '../common/predictions';
import { runLabel } from './run-label';

export interface NotebookExportData {
  project: Project;
  checklist: ChecklistState;
  hypotheses: Hypothesis[];
  notes: Note[];
  figures: FigureSummary[];
  runs: RunSummary[];
  /** Files attached to the project; notes refer to them as `attachment:<sha256>`. */
  attachments?: Attachment[];
  appVersion: string;
  exportedAt: string;
}

const STATUS_WORDS = { open: 'Open', 'in-progress': 'In progress', answered: 'Answered', 'not-applicable': 'Not applicable' } as const;

/** Quotes user Markdown so its headings cannot break the export's own structure. */
const quote = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');

/**
 * Escapes what would turn a one-line label into Markdown markup or raw HTML; a `<` that cannot
 * open a tag (as in "< 0.2") stays readable.
 */
const inline = (text: string): string =>
  text
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/^#/, '\\#')
    .replace(/\s+/g, ' ');

function verdictLines(results: PredictionResult[], runs: Map<string, string>, indent: string): string[] {
  return results.map(
    (r) =>
      `${indent}- ${runs.get(r.runId) ?? r.runId}: **${r.verdict}**${r.conditionMet ? '' : ' (outside the condition)'} — ${inline(r.explanation)}`,
  );
}

function hypothesisSection(h: Hypothesis, index: number): string[] {
  const runs = new Map(h.runs.map((r) => [r.runId, inline(r.label)]));
  const lines = [`### H${index + 1}. ${inline(h.current.statement)}`, ''];
  lines.push(`- ${h.current.relation === 'challenges' ? 'Challenges' : 'Refines'}: ${inline(h.current.theory)}`);
  if (h.lock) {
    lines.push(`- Locked (preregistered): ${h.lock.at}, SHA-256 \`${h.lock.hash}\`${h.lock.intact ? '' : ' — **the stored content no longer matches this hash**'}`);
  } else {
    lines.push('- Not locked (draft)');
  }
  lines.push(`- Verdicts (runs inside each prediction's condition): ${describeTally(h.tally, ', ')}`);
  lines.push('', 'Predictions:', '');
  h.current.predictions.forEach((p, i) => {
    lines.push(`${i + 1}. ${inline(describePrediction(p))}`);
    lines.push(...verdictLines(h.results.filter((r) => r.predictionIndex === i), runs, '   '));
  });
  if (h.amendments.length) {
    lines.push('', 'As originally locked:', '', `> ${inline(h.statement)}`, '');
    h.predictions.forEach((p, i) => {
      lines.push(`${i + 1}. ${inline(describePrediction(p))}`);
      lines.push(...verdictLines((h.originalResults ?? []).filter((r) => r.predictionIndex === i), runs, '   '));
    });
    lines.push('', 'Amendments:', '');
    for (const a of h.amendments) lines.push(`- Amendment ${a.number} (${a.createdAt}, SHA-256 \`${a.hash}\`): ${inline(a.reason)}`);
  }
  lines.push('');
  return lines;
}

/** The notebook part of a project as one Markdown document: checklist with evidence, hypotheses, notes, runs. */
export function notebookMarkdown(d: NotebookExportData): string {
  const { project, checklist } = d;
  const runById = new Map(d.runs.map((r) => [r.id, r]));
  const answers = new Map(checklist.answers.map((a) => [a.questionKey, a]));
  const out: string[] = [
    `# ${inline(project.title)}`,
    '',
    `Phenomenon: ${PHENOMENON_LABELS[project.phenomenon]}${project.tags.length ? ` · Tags: ${project.tags.map(inline).join(', ')}` : ''}  `,
    `Exported from Phenobook ${d.appVersion} on ${d.exportedAt}.`,
    '',
  ];
  if (project.question) out.push('## Research question', '', quote(project.question), '');

  out.push('## Self-evaluation checklist', '', `From ${CHECKLIST_CITATION.authors}, “${CHECKLIST_CITATION.title}”, ${CHECKLIST_CITATION.venue}, ${CHECKLIST_CITATION.where}.`, '');
  for (const phase of CHECKLIST) {
    const progress = checklist.progress.find((p) => p.key === phase.key);
    out.push(`### ${phase.title} (${progress?.done ?? 0}/${progress?.total ?? 0})`, '');
    for (const category of phase.categories) {
      out.push(`#### ${category.title}`, '');
      for (const q of category.questions) {
        const a = answers.get(q.key);
        out.push(`**${inline(q.text)}** — *${STATUS_WORDS[a?.status ?? 'open']}*`, '');
        if (a?.status === 'not-applicable' && a.notApplicableReason) out.push(`Not applicable because: ${inline(a.notApplicableReason)}`, '');
        if (a?.markdown) out.push(quote(a.markdown), '');
        const cited = checklist.evidence.filter((e) => e.questionKey === q.key);
        if (cited.length) {
          out.push('Evidence:', '', ...cited.map((e) => `- ${e.kind}: ${inline(e.label)}${e.detail ? ` (${inline(e.detail)})` : ''}`), '');
        }
      }
    }
  }

  out.push('## Hypotheses', '');
  if (d.hypotheses.length === 0) out.push('None yet.', '');
  d.hypotheses.forEach((h, i) => out.push(...hypothesisSection(h, i)));

  out.push('## Notes', '');
  if (d.notes.length === 0) out.push('None yet.', '');
  for (const n of d.notes) {
    out.push(`### ${inline(n.title)}`, '', `*${n.updatedAt}${n.tags.length ? ` · ${n.tags.map(inline).join(', ')}` : ''}*`, '');
    if (n.body) out.push(n.body.replace(/^(#{1,3}) /gm, '#### '), '');
    const linked = n.runIds.map((id) => runById.get(id)).filter((r): r is RunSummary => r !== undefined);
    if (linked.length) out.push(`Runs: ${linked.map((r) => inline(runLabel(r))).join('; ')}`, '');
  }

  out.push('## Figures', '');
  if (d.figures.length === 0) out.push('None saved yet.', '');
  for (const f of d.figures) out.push(`### ${inline(f.title)}`, '', `*${inline(f.caption)}*`, '');

  if (d.attachments?.length) {
    // The files are not inside this text: each is named with the hash the notes' references use.
    const noteTitles = new Map(d.notes.map((n) => [n.id, n.title]));
    out.push('## Attachments', '', 'Notes refer to these files as `attachment:<SHA-256>`; a project bundle carries the files themselves.', '');
    for (const a of d.attachments) {
      const note = a.noteId ? noteTitles.get(a.noteId) : undefined;
      out.push(`- **${inline(a.name)}** — ${a.mediaType}, ${a.size} bytes${note ? `, in “${inline(note)}”` : ''} — \`attachment:${a.sha256}\``);
    }
    out.push('');
  }

  out.push('## Runs', '');
  if (d.runs.length === 0) out.push('None yet.', '');
  else {
    const differs = distinguishingConfig(d.runs);
    out.push('| Run | Source | Config that differs | Status | Backend | Steps | Final train acc | Final test acc |', '|---|---|---|---|---|---|---|---|');
    for (const r of d.runs) {
      const f = (k: string) => (typeof r.final[k] === 'number' ? formatNumber(r.final[k]) : '—');
      out.push(`| ${inline(runLabel(r))} | ${inline(describeRunSource(r))} | ${inline(differs.get(r.id) || '—')} | ${r.status} | ${r.backend ?? '—'} | ${r.stepsDone}/${r.stepsTotal} | ${f('trainAcc')} | ${f('testAcc')} |`);
    }
    out.push('');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
