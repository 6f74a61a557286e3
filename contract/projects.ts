import { z } from 'zod';
import { cleanText } from './text';

export const PHENOMENA = ['grokking', 'double-descent', 'lottery-ticket', 'other'] as const;
export const PhenomenonSchema = z.enum(PHENOMENA, {
  error: `Phenomenon must be one of: ${PHENOMENA.join(', ')}`,
});
export type Phenomenon = z.infer<typeof PhenomenonSchema>;

export const PHENOMENON_LABELS: Record<Phenomenon, string> = {
  grokking: 'Grokking',
  'double-descent': 'Double descent',
  'lottery-ticket': 'Lottery ticket',
  other: 'Other',
};

export const LIMITS = { title: 200, question: 4000, tag: 40, tags: 20 } as const;

const TitleSchema = cleanText({ label: 'Title', max: LIMITS.title, min: 1 });
const QuestionSchema = cleanText({ label: 'Research question', max: LIMITS.question, multiline: true });
const TagSchema = cleanText({ label: 'Tag', max: LIMITS.tag, min: 1 }).transform((t) => t.toLowerCase());
const TagsSchema = z
  .array(TagSchema, { error: 'Tags must be a list of text' })
  .max(LIMITS.tags, { error: `At most ${LIMITS.tags} tags` })
  .transform((tags) => [...new Set(tags)]);

export const ProjectIdSchema = z.uuid({ error: 'Project id must be a UUID' });

export const ProjectCreateSchema = z.strictObject({
  title: TitleSchema,
  phenomenon: PhenomenonSchema,
  question: QuestionSchema.default(''),
  tags: TagsSchema.default([]),
});
export type ProjectCreate = z.input<typeof ProjectCreateSchema>;

export const ProjectUpdateSchema = z.strictObject({
  id: ProjectIdSchema,
  title: TitleSchema.optional(),
  phenomenon: PhenomenonSchema.optional(),
  question: QuestionSchema.optional(),
  tags: TagsSchema.optional(),
});
export type ProjectUpdate = z.input<typeof ProjectUpdateSchema>;

export const ProjectRefSchema = z.strictObject({ id: ProjectIdSchema });

export const ProjectArchiveSchema = z.strictObject({
  id: ProjectIdSchema,
  archived: z.boolean({ error: 'archived must be true or false' }),
});

export const PROJECT_SORTS = ['updated', 'created', 'title'] as const;
export const PROJECT_FILTERS = ['active', 'archived', 'all'] as const;

export const ProjectListQuerySchema = z.strictObject({
  search: cleanText({ label: 'Search', max: 200 }).default(''),
  filter: z.enum(PROJECT_FILTERS, { error: `filter must be one of: ${PROJECT_FILTERS.join(', ')}` }).default('active'),
  sort: z.enum(PROJECT_SORTS, { error: `sort must be one of: ${PROJECT_SORTS.join(', ')}` }).default('updated'),
});
export type ProjectListQuery = z.input<typeof ProjectListQuerySchema>;

export interface Project {
  id: string;
  title: string;
  phenomenon: Phenomenon;
  question: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}
