import { z } from 'zod';
import { ProjectIdSchema } from './projects';
import { RunIdSchema } from './runs';
import { cleanText } from './text';

export const NOTE_LIMITS = { title: 200, body: 100_000, tag: 40, tags: 20, runs: 200 } as const;

export const NoteIdSchema = z.uuid({ error: 'Note id must be a UUID' });

const NoteTitleSchema = cleanText({ label: 'Title', max: NOTE_LIMITS.title, min: 1 });
const NoteBodySchema = cleanText({ label: 'Note', max: NOTE_LIMITS.body, multiline: true });
const NoteTagsSchema = z
  .array(cleanText({ label: 'Tag', max: NOTE_LIMITS.tag, min: 1 }).transform((t) => t.toLowerCase()), {
    error: 'Tags must be a list of text',
  })
  .max(NOTE_LIMITS.tags, { error: `At most ${NOTE_LIMITS.tags} tags` })
  .transform((tags) => [...new Set(tags)]);

export const NoteCreateSchema = z.strictObject({
  projectId: ProjectIdSchema,
  title: NoteTitleSchema,
  body: NoteBodySchema.default(''),
  tags: NoteTagsSchema.default([]),
  runIds: z.array(RunIdSchema).max(NOTE_LIMITS.runs).default([]),
});
export type NoteCreate = z.input<typeof NoteCreateSchema>;

export const NoteUpdateSchema = z.strictObject({
  id: NoteIdSchema,
  title: NoteTitleSchema.optional(),
  body: NoteBodySchema.optional(),
  tags: NoteTagsSchema.optional(),
});

export const NoteRefSchema = z.strictObject({ id: NoteIdSchema });
export const NoteListSchema = z.strictObject({ projectId: ProjectIdSchema });
export const NoteRunLinkSchema = z.strictObject({
  id: NoteIdSchema,
  runId: RunIdSchema,
  linked: z.boolean({ error: 'linked must be true or false' }),
});

export interface Note {
  id: string;
  projectId: string;
  title: string;
  body: string;
  tags: string[];
  runIds: string[];
  /** Saved figures attached to the note. */
  figureIds: string[];
  /** Checklist questions that cite this note as evidence. */
  questionKeys: string[];
  createdAt: string;
  updatedAt: string;
}
