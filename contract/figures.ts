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

/** Nesting of a figure's provenance (its config values), the same cap bundles apply to free-form JSON. */
export const PROVENANCE_DEPTH = 16;

/** A JSON value nested at most `limit` deep, without a "__proto__" key (which objects would not keep). */
export function plainJson(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, limit]];
  while (stack.length > 0) {
    const [v, left] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (left <= 0) return false;
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) return false;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, left - 1]);
  }
  return true;
}

/** Provenance as every way in checks it: figures:create and bundle import alike. */
export const FigureProvenanceSchema = ProvenanceSchema.refine((p) => plainJson(p, PROVENANCE_DEPTH), {
  error: `Provenance is nested too deeply (at most ${PROVENANCE_DEPTH} levels) or uses the key __proto__`,
});

/** What no figure may carry (refused with a message; what this misses the sanitiser drops). */
const ACTIVE_SVG = /<script\b|<foreignObject\b|javascript:|<[^>]*\son[a-z]+\s*=/i;

/** A figure's SVG as every way in checks it (figures:create, bundle import), before it is sanitised. */
export const FigureSvgSchema = z
  .string({ error: 'svg must be text' })
  .max(FIGURE_LIMITS.svgBytes, { error: `A figure is at most ${FIGURE_LIMITS.svgBytes} characters` })
  .refine((s) => /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(s), { error: 'svg must be an SVG document' })
  .refine((s) => !ACTIVE_SVG.test(s), { error: 'svg must not contain scripts or event handlers' });

export const FigureCreateSchema = z.strictObject({
  projectId: ProjectIdSchema,
  title: cleanText({ label: 'Title', max: FIGURE_LIMITS.title, min: 1 }),
  caption: cleanText({ label: 'Caption', max: FIGURE_LIMITS.caption, multiline: true }),
  provenance: FigureProvenanceSchema,
  svg: FigureSvgSchema,
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
