import { z } from 'zod';
import { NoteIdSchema } from './notes';
import { ProjectIdSchema } from './projects';
import { cleanText } from './text';

export const FIGURE_LIMITS = { title: 200, caption: 4_000, svgBytes: 3_000_000 } as const;

export const FigureIdSchema = z.uuid({ error: 'Figure id must be a UUID' });

/** Which runs and settings produced a figure (stored with it; shown and exported with it). */
export const ProvenanceSchema = z.strictObject({
  app: z.string().max(50),
  exportedAt: z.string().max(40),
  experiment: z.string().max(100),
  preset: z.string().max(100).nullable(),
  sweepIds: z.array(z.uuid()).max(50),
  runIds: z.array(z.uuid()).max(2000),
  selection: z.string().max(1000),
  shows: z.string().max(1000),
  config: z.record(z.string().max(100), z.unknown()),
});
export type FigureProvenance = z.output<typeof ProvenanceSchema>;

export const FigureCreateSchema = z.strictObject({
  projectId: ProjectIdSchema,
  title: cleanText({ label: 'Title', max: FIGURE_LIMITS.title, min: 1 }),
  caption: cleanText({ label: 'Caption', max: FIGURE_LIMITS.caption, multiline: true }),
  provenance: ProvenanceSchema,
  svg: z
    .string({ error: 'svg must be text' })
    .max(FIGURE_LIMITS.svgBytes, { error: `The figure is larger than ${FIGURE_LIMITS.svgBytes} characters` })
    .refine((s) => /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(s), { error: 'svg must be an SVG document' }),
});
export type FigureCreate = z.input<typeof FigureCreateSchema>;

export const FigureRefSchema = z.strictObject({ id: FigureIdSchema });
export const FigureListSchema = z.strictObject({ projectId: ProjectIdSchema });
export const NoteFigureLinkSchema = z.strictObject({
  id: NoteIdSchema,
  figureId: FigureIdSchema,
  linked: z.boolean({ error: 'linked must be true or false' }),
});

export interface FigureSummary {
  id: string;
  projectId: string;
  title: string;
  caption: string;
  provenance: FigureProvenance;
  createdAt: string;
}

export interface Figure extends FigureSummary {
  svg: string;
}
