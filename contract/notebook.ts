import { z } from 'zod';
import { QuestionKeySchema } from './checklist';
import { ProjectIdSchema } from './projects';
import { cleanText } from './text';

/** What a checklist answer can cite. */
export const EVIDENCE_KINDS = ['run', 'note', 'hypothesis', 'figure', 'confounder', 'attachment'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const EvidenceLinkSchema = z.strictObject({
  projectId: ProjectIdSchema,
  questionKey: QuestionKeySchema,
  kind: z.enum(EVIDENCE_KINDS, { error: `Evidence must be one of: ${EVIDENCE_KINDS.join(', ')}` }),
  targetId: z.uuid({ error: 'Evidence id must be a UUID' }),
  linked: z.boolean({ error: 'linked must be true or false' }),
});
export type EvidenceLinkInput = z.input<typeof EvidenceLinkSchema>;

export interface Evidence {
  questionKey: string;
  kind: EvidenceKind;
  targetId: string;
  /** What the UI and exports show: a run's experiment and seed, a note's title, a hypothesis's statement. */
  label: string;
  /** Run status or hypothesis verdict tally, when there is one. */
  detail: string | null;
  linkedAt: string;
}

export const SEARCH_LIMITS = { query: 200, results: 50 } as const;

export const NotebookSearchSchema = z.strictObject({
  projectId: ProjectIdSchema,
  query: cleanText({ label: 'Search', max: SEARCH_LIMITS.query }),
});

/** Highlight markers inside snippets: control characters user text can never contain (cleanText rejects them). */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

export interface SearchHit {
  kind: 'note' | 'answer' | 'hypothesis';
  /** Note id, question key, or hypothesis id. */
  ref: string;
  title: string;
  /** Text around the matches, matches wrapped in MARK_START … MARK_END. */
  snippet: string;
}

export const NotebookExportSchema = z.strictObject({ projectId: ProjectIdSchema });

export interface NotebookExport {
  filename: string;
  markdown: string;
}

/** Splits a snippet into plain and highlighted parts, so the UI renders matches without HTML. */
export function snippetParts(snippet: string): { text: string; mark: boolean }[] {
  const parts: { text: string; mark: boolean }[] = [];
  for (const [i, chunk] of snippet.split(MARK_START).entries()) {
    if (i === 0) {
      if (chunk) parts.push({ text: chunk, mark: false });
      continue;
    }
    const end = chunk.indexOf(MARK_END);
    if (end < 0) parts.push({ text: chunk, mark: true });
    else {
      parts.push({ text: chunk.slice(0, end), mark: true });
      if (end + 1 < chunk.length) parts.push({ text: chunk.slice(end + 1), mark: false });
    }
  }
  return parts;
}
