import { z } from 'zod';
import { ATTACHMENT_LIMITS, ATTACHMENT_MEDIA_TYPES } from './attachments';
import { ANSWER_LIMITS, ANSWER_STATUSES, CHECKLIST_QUESTIONS, QuestionKeySchema } from './checklist';
import { ConfounderTestSchema } from './confounders';
import { FIGURE_LIMITS, FigureProvenanceSchema, FigureSvgSchema, plainJson } from './figures';
import { HYPOTHESIS_LIMITS, PredictionSchema, RELATIONS } from './hypotheses';
import { METRIC_ROLES } from './metric-roles';
import { NOTE_LIMITS } from './notes';
import { LIMITS as PROJECT_LIMITS, PhenomenonSchema, ProjectIdSchema } from './projects';
import { RUN_SOURCES } from '../common/external-run';
import { BACKEND_NAMES, RUN_STATUSES } from './runs';

/**
 * A project bundle: one project with its runs, metrics, notes, hypotheses, checklist, figures and
 * confounder tests, as one file another Phenobook imports losslessly.
 *
 * The file is a single JSON document (gzip-compressed by default; import detects the gzip magic
 * bytes):
 *
 *   { "format": "phenobook-bundle", "version": 1, "createdAt": "…",
 *     "app": { "name": "phenobook", "version": "0.1.0", "schemaVersion": 70 },
 *     "contentHash": "<sha256 hex of the canonical JSON of content>",
 *     "content": { "project", "checklist", "evidence", "notes", "hypotheses", "sweeps", "runs", "figures", "confounders",
 *                  "attachments"?, "attachmentFiles"? } }
 *
 * Metrics are stored per run and metric as two parallel arrays (steps, values; null where a value
 * was not finite). The canonical JSON is JSON with object keys sorted at every level.
 *
 * Attached files travel byte for byte: `attachmentFiles` holds each distinct file once (its SHA-256,
 * media type and base64 bytes; import checks the hash, the type and the size again), and
 * `attachments` says where each was attached. Both are left out when a project has none, so such a
 * bundle reads as it did before attachments existed.
 *
 * Why entries cannot traverse paths: there are no file entries. Figures are SVG text inside the
 * document, attachments are bytes inside it that are only ever written to database rows, every reference is a UUID, and names (experiments, presets, metrics) are identifiers
 * without slashes; an import writes database rows only, never files, and every id is replaced by
 * a fresh one.
 *
 * This module is the schema only (no Node): decoding, hashing and storing live in
 * services/bundle.service.ts.
 */

export const BUNDLE_FORMAT = 'phenobook-bundle';
export const BUNDLE_VERSION = 1;

export const BUNDLE_LIMITS = {
  /** The file as given (compressed or not). */
  fileBytes: 256 * 1024 * 1024,
  /** The JSON document after decompression. */
  jsonBytes: 256 * 1024 * 1024,
  /** Nesting of free-form JSON values (configs, provenance, backend details). */
  jsonDepth: 16,
  runs: 20_000,
  notes: 20_000,
  hypotheses: 5_000,
  amendments: 1_000,
  sweeps: 2_000,
  figures: 5_000,
  confounders: 5_000,
  attachments: 20_000,
  evidence: 50_000,
  revisions: 200_000,
  /** Metrics per run, points per metric. */
  seriesPerRun: 200,
  pointsPerSeries: 2_000_000,
  runError: 100_000,
  gridKeys: 8,
  gridValues: 1_000,
  sweepSeeds: 1_000,
} as const;

// ---------------------------------------------------------------------------------------------
// Building blocks

const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * Text as stored: well-formed Unicode, capped, free of control characters (unless allowed).
 * Unlike the input schemas it does not trim: what was stored is imported as it was.
 */
function text(label: string, max: number, opts: { min?: number; multiline?: boolean; anyChars?: boolean } = {}) {
  const { min = 0, multiline = false, anyChars = false } = opts;
  return z
    .string({ error: `${label} must be text` })
    .max(max, { error: `${label} must be at most ${max} characters` })
    .min(min, { error: min === 1 ? `${label} must not be empty` : `${label} must be at least ${min} characters` })
    .refine((s) => s.isWellFormed(), { error: `${label} contains invalid characters (broken Unicode)` })
    .refine((s) => anyChars || (!CONTROL_CHARS.test(s) && (multiline || !/[\r\n]/.test(s))), {
      error: `${label} contains control characters`,
    });
}

const uuid = (label: string) => z.uuid({ error: `${label} must be a UUID` });

/** Times as the app stores them (ISO 8601, e.g. 2026-01-01T00:00:00.000Z). */
const Timestamp = z
  .string({ error: 'Time must be text' })
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, { error: 'Time must be an ISO 8601 date-time' });

/** Sweep experiment and preset names: identifiers, never paths (no slashes, no leading dot). Runs' experiment and metric names: foreignName. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}$/;
const name = (label: string) =>
  z.string({ error: `${label} must be text` }).regex(NAME, { error: `${label} must be a name of letters, digits and _ . + - (no slashes)` });

/**
 * Names another tool gave, which a run trained elsewhere keeps as they were: a TensorBoard tag
 * (`loss/train`), an MLflow experiment or a CSV column with spaces. Text on one line that does not
 * read as a path: no leading `.` or `/`, no `..` segment, no backslash.
 */
const foreignName = (label: string) =>
  text(label, 200, { min: 1 }).refine((s) => !/^[./]|(^|\/)\.\.(\/|$)|\\/.test(s), {
    error: `${label} must not look like a path (no leading . or /, no .. segment, no backslash)`,
  });

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 hex digest' });

const finite = (label: string) => z.number({ error: `${label} must be a number` }).refine(Number.isFinite, { error: `${label} must be finite` });
const wholeNumber = (label: string, min = 0) =>
  z.int({ error: `${label} must be a whole number` }).min(min, { error: `${label} must be at least ${min}` });

/**
 * Checks a value against a schema of the app but keeps the value exactly as given (no defaults,
 * no trimming, no reordered keys), so stored JSON and the hashes over it survive the round trip.
 */
function checkedAs<S extends z.ZodType>(schema: S) {
  return z.unknown().superRefine((value, ctx) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }) as unknown as z.ZodType<z.output<S>>;
}

/** A free-form JSON value checked against a schema, kept as given, nesting capped. */
const freeJson = <S extends z.ZodType>(label: string, schema: S) =>
  checkedAs(schema).refine((v) => plainJson(v, BUNDLE_LIMITS.jsonDepth), { error: `${label} is nested too deeply or uses the key __proto__` });

/** A free-form JSON object (a run's config, a grid point, a report). */
const JsonObject = (label: string) => freeJson(label, z.record(z.string().max(200), z.unknown(), { error: `${label} must be an object` }));

const unique = <T>(values: readonly T[]) => new Set(values).size === values.length;

// ---------------------------------------------------------------------------------------------
// Content

export const BundleProjectSchema = z.strictObject({
  id: ProjectIdSchema,
  title: text('Project title', PROJECT_LIMITS.title, { min: 1 }),
  phenomenon: PhenomenonSchema,
  question: text('Research question', PROJECT_LIMITS.question, { multiline: true }),
  tags: z
    .array(text('Tag', PROJECT_LIMITS.tag, { min: 1 }))
    .max(PROJECT_LIMITS.tags, { error: `At most ${PROJECT_LIMITS.tags} tags` })
    .refine(unique, { error: 'Tags must not repeat' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  archivedAt: Timestamp.nullable(),
});

const AnswerStatusSchema = z.enum(ANSWER_STATUSES, { error: `status must be one of: ${ANSWER_STATUSES.join(', ')}` });
const AnswerText = {
  status: AnswerStatusSchema,
  markdown: text('Answer', ANSWER_LIMITS.markdown, { multiline: true }),
  notApplicableReason: text('Reason', ANSWER_LIMITS.reason, { multiline: true }).nullable(),
};
const naNeedsReason = (a: { status: string; notApplicableReason: string | null }) =>
  a.status !== 'not-applicable' || (a.notApplicableReason ?? '').length > 0;

export const BundleAnswerSchema = z
  .strictObject({
    questionKey: QuestionKeySchema,
    checklistVersion: wholeNumber('checklistVersion', 1).max(1_000),
    ...AnswerText,
    updatedAt: Timestamp,
  })
  .refine(naNeedsReason, { path: ['notApplicableReason'], error: 'A not-applicable answer needs its reason' });

/** One saved version of an answer; listed oldest first. */
export const BundleRevisionSchema = z.strictObject({ questionKey: QuestionKeySchema, ...AnswerText, savedAt: Timestamp });

/**
 * What evidence a version-1 bundle carries (its own list: a kind the app adds later changes the
 * format only when bundles learn to carry its targets).
 */
export const BUNDLE_EVIDENCE_KINDS = ['run', 'note', 'hypothesis', 'figure', 'confounder', 'attachment'] as const;

export const BundleEvidenceSchema = z.strictObject({
  questionKey: QuestionKeySchema,
  kind: z.enum(BUNDLE_EVIDENCE_KINDS, { error: `Evidence must be one of: ${BUNDLE_EVIDENCE_KINDS.join(', ')}` }),
  targetId: uuid('Evidence target'),
  linkedAt: Timestamp,
});

export const BundleNoteSchema = z.strictObject({
  id: uuid('Note id'),
  title: text('Note title', NOTE_LIMITS.title, { min: 1 }),
  body: text('Note', NOTE_LIMITS.body, { multiline: true }),
  tags: z
    .array(text('Tag', NOTE_LIMITS.tag, { min: 1 }))
    .max(NOTE_LIMITS.tags, { error: `At most ${NOTE_LIMITS.tags} tags` }),
  runIds: z.array(uuid('Run id')).max(BUNDLE_LIMITS.runs),
  figureIds: z.array(uuid('Figure id')).max(BUNDLE_LIMITS.figures),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Predictions = checkedAs(
  z
    .array(PredictionSchema, { error: 'Predictions must be a list' })
    .min(1, { error: 'A hypothesis has at least one prediction' })
    .max(HYPOTHESIS_LIMITS.predictions, { error: `At most ${HYPOTHESIS_LIMITS.predictions} predictions` }),
);
const HypothesisText = {
  statement: text('Statement', HYPOTHESIS_LIMITS.statement, { min: 1, multiline: true }),
  theory: text('Broad theory', HYPOTHESIS_LIMITS.theory, { multiline: true }),
  relation: z.enum(RELATIONS, { error: `relation must be one of: ${RELATIONS.join(', ')}` }),
  predictions: Predictions,
};

export const BundleAmendmentSchema = z.strictObject({
  number: wholeNumber('Amendment number', 1).max(BUNDLE_LIMITS.amendments),
  ...HypothesisText,
  reason: text('Reason for the amendment', HYPOTHESIS_LIMITS.reason, { multiline: true }),
  hash: Sha256Hex,
  createdAt: Timestamp,
});

export const BundleHypothesisSchema = z
  .strictObject({
    id: uuid('Hypothesis id'),
    ...HypothesisText,
    lockedAt: Timestamp.nullable(),
    lockHash: Sha256Hex.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    amendments: z
      .array(BundleAmendmentSchema)
      .max(BUNDLE_LIMITS.amendments)
      .refine((a) => unique(a.map((x) => x.number)), { error: 'Amendment numbers must not repeat' }),
    runs: z.array(z.strictObject({ runId: uuid('Run id'), linkedAt: Timestamp })).max(BUNDLE_LIMITS.runs),
  })
  .refine((h) => (h.lockedAt === null) === (h.lockHash === null), { path: ['lockHash'], error: 'A lock has both a time and a hash' });

const GridValue = z.union([finite('Grid value'), text('Grid value', 100), z.boolean()], {
  error: 'Grid values must be numbers, text or true/false',
});
const Grid = checkedAs(
  z
    .array(
      z.strictObject({
        key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'Grid key must be a config key such as width' }),
        values: z.array(GridValue).min(1).max(BUNDLE_LIMITS.gridValues),
      }),
    )
    .max(BUNDLE_LIMITS.gridKeys),
);

export const BundleSweepSchema = z.strictObject({
  id: uuid('Sweep id'),
  experiment: name('Experiment'),
  preset: name('Preset').nullable(),
  config: JsonObject('Sweep config'),
  grid: Grid,
  seeds: wholeNumber('seeds', 1).max(BUNDLE_LIMITS.sweepSeeds),
  createdAt: Timestamp,
  cancelledAt: Timestamp.nullable(),
  /** Made of runs that already existed (sweeps:adopt): deleting it keeps them. Absent: Phenobook ran it. */
  adopted: z.literal(true).optional(),
});

/** Parallel arrays, steps strictly increasing (checked in one loop: series can be long). */
export const BundleSeriesSchema = z
  .strictObject({
    name: foreignName('Metric name'),
    steps: z.array(z.unknown()).max(BUNDLE_LIMITS.pointsPerSeries, { error: `At most ${BUNDLE_LIMITS.pointsPerSeries} points per metric` }),
    values: z.array(z.unknown()).max(BUNDLE_LIMITS.pointsPerSeries, { error: `At most ${BUNDLE_LIMITS.pointsPerSeries} points per metric` }),
  })
  .superRefine((s, ctx) => {
    if (s.steps.length !== s.values.length) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `has ${s.values.length} values for ${s.steps.length} steps` });
      return;
    }
    let previous = -Infinity;
    for (let i = 0; i < s.steps.length; i++) {
      const step = s.steps[i];
      if (!Number.isSafeInteger(step)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i], message: 'Steps must be whole numbers' });
        return;
      }
      if ((step as number) <= previous) {
        ctx.addIssue({ code: 'custom', path: ['steps', i], message: 'Steps must increase (no repeats)' });
        return;
      }
      previous = step as number;
      const value = s.values[i];
      if (value !== null && !(typeof value === 'number' && Number.isFinite(value))) {
        ctx.addIssue({ code: 'custom', path: ['values', i], message: 'Values must be finite numbers or null' });
        return;
      }
    }
  }) as unknown as z.ZodType<{ name: string; steps: number[]; values: (number | null)[] }>;

/** What a backend reported when the run started; extra fields of newer trainers are kept. */
const BackendDetail = freeJson(
  'Backend detail',
  z.looseObject({
    name: z.enum(BACKEND_NAMES),
    tfBackend: z.string().max(100),
    gpu: z.boolean(),
    skipped: z.array(z.strictObject({ name: z.enum(BACKEND_NAMES), reason: z.string().max(10_000) })).max(20),
    versions: z.record(z.string().max(100), z.string().max(200)),
  }),
);

export const BundleRunSchema = z.strictObject({
  id: uuid('Run id'),
  groupId: uuid('Run group id'),
  experiment: foreignName('Experiment'),
  preset: name('Preset').nullable(),
  config: JsonObject('Run config'),
  seed: z.int({ error: 'seed must be a whole number' }),
  status: z.enum(RUN_STATUSES, { error: `status must be one of: ${RUN_STATUSES.join(', ')}` }),
  error: text('Run error', BUNDLE_LIMITS.runError, { anyChars: true }).nullable(),
  backend: z.enum(BACKEND_NAMES).nullable(),
  gpu: z.boolean().nullable(),
  backendDetail: BackendDetail.nullable(),
  appVersion: text('App version', 50, { min: 1 }),
  dataHash: text('Data hash', 200).nullable(),
  stepsTotal: wholeNumber('stepsTotal'),
  stepsDone: wholeNumber('stepsDone'),
  trainSeconds: finite('trainSeconds').nullable(),
  wallSeconds: finite('wallSeconds').nullable(),
  rerunOf: uuid('rerunOf').nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  sweepId: uuid('Sweep id').nullable(),
  sweepPoint: JsonObject('Sweep point').nullable(),
  // Where the run came from (bundles written before external runs have none of these: a run of Phenobook's own).
  source: z.enum(RUN_SOURCES, { error: `source must be one of: ${RUN_SOURCES.join(', ')}` }).default('phenobook'),
  origin: text('Run origin', 4000, { multiline: true }).nullable().default(null),
  contentHash: Sha256Hex.nullable().default(null),
  name: text('Run name', 200).nullable().default(null),
  metrics: z
    .array(BundleSeriesSchema)
    .max(BUNDLE_LIMITS.seriesPerRun, { error: `At most ${BUNDLE_LIMITS.seriesPerRun} metrics per run` })
    .refine((m) => unique(m.map((s) => s.name)), { error: 'A metric appears twice in one run' }),
});

/** Figures shown in the app come from its own charts; bundled ones may come from anyone: the same checks as figures:create. */
export const BundleFigureSchema = z.strictObject({
  id: uuid('Figure id'),
  title: text('Figure title', FIGURE_LIMITS.title, { min: 1 }),
  caption: text('Caption', FIGURE_LIMITS.caption, { multiline: true }),
  provenance: checkedAs(FigureProvenanceSchema),
  svg: FigureSvgSchema,
  createdAt: Timestamp,
});

/** A confounder test as it was run: settings, the full report and its verdict, and the hypotheses it is attached to. */
export const BundleConfounderSchema = z.strictObject({
  id: uuid('Confounder test id'),
  title: text('Confounder test title', 1_000, { min: 1 }),
  settings: freeJson('Confounder settings', ConfounderTestSchema),
  report: JsonObject('Confounder report'),
  verdict: text('Verdict', 20_000, { multiline: true }),
  hypothesisIds: z.array(uuid('Hypothesis id')).max(BUNDLE_LIMITS.hypotheses),
  createdAt: Timestamp,
});

/** Where a file was attached: its name, and the note it was dropped into (if any). */
export const BundleAttachmentSchema = z.strictObject({
  id: uuid('Attachment id'),
  sha256: Sha256Hex,
  name: text('File name', ATTACHMENT_LIMITS.name, { min: 1 }).refine((s) => !/[\\/]/.test(s), { error: 'File name must not contain slashes' }),
  noteId: uuid('Note id').nullable(),
  createdAt: Timestamp,
});

/** An attached file's bytes, once per distinct content (whether they match the hash is checked on import). */
export const BundleAttachmentFileSchema = z.strictObject({
  sha256: Sha256Hex,
  mediaType: z.enum(ATTACHMENT_MEDIA_TYPES, { error: `mediaType must be one of: ${ATTACHMENT_MEDIA_TYPES.join(', ')}` }),
  data: z
    .string({ error: 'data must be the file, base64-encoded' })
    .max(Math.ceil((ATTACHMENT_LIMITS.bytes * 4) / 3) + 4, { error: `An attached file is at most ${ATTACHMENT_LIMITS.bytes / (1024 * 1024)} MiB` })
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'data must be base64' }),
});

export const BundleContentSchema = z.strictObject({
  project: BundleProjectSchema,
  checklist: z.strictObject({
    answers: z
      .array(BundleAnswerSchema)
      .max(CHECKLIST_QUESTIONS.length)
      .refine((a) => unique(a.map((x) => x.questionKey)), { error: 'A question is answered twice' }),
    revisions: z.array(BundleRevisionSchema).max(BUNDLE_LIMITS.revisions),
  }),
  evidence: z.array(BundleEvidenceSchema).max(BUNDLE_LIMITS.evidence),
  notes: z.array(BundleNoteSchema).max(BUNDLE_LIMITS.notes),
  hypotheses: z.array(BundleHypothesisSchema).max(BUNDLE_LIMITS.hypotheses),
  sweeps: z.array(BundleSweepSchema).max(BUNDLE_LIMITS.sweeps),
  runs: z.array(BundleRunSchema).max(BUNDLE_LIMITS.runs),
  figures: z.array(BundleFigureSchema).max(BUNDLE_LIMITS.figures),
  confounders: z.array(BundleConfounderSchema).max(BUNDLE_LIMITS.confounders),
  // Absent in bundles of projects without attachments (and of Phenobooks before them).
  attachments: z.array(BundleAttachmentSchema).max(BUNDLE_LIMITS.attachments).optional(),
  attachmentFiles: z.array(BundleAttachmentFileSchema).max(BUNDLE_LIMITS.attachments).optional(),
  /** Which metric names play train/test loss and accuracy. Absent: the built-in names (or a bundle from before roles). */
  metricRoles: z
    .strictObject(Object.fromEntries(METRIC_ROLES.map((r) => [r, text(`Metric of role ${r}`, 100, { min: 1 }).optional()])))
    .optional(),
});
export type BundleContent = z.output<typeof BundleContentSchema>;
/** Content as written: fields with a default (a run's source and origin) may be left out. */
export type BundleContentInput = z.input<typeof BundleContentSchema>;
export type BundleRun = BundleContent['runs'][number];
export type BundleSeries = BundleRun['metrics'][number];

export const BundleAppSchema = z.strictObject({
  name: z.literal('phenobook'),
  version: text('App version', 50, { min: 1 }),
  schemaVersion: wholeNumber('schemaVersion'),
});

export const BundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  createdAt: Timestamp,
  app: BundleAppSchema,
  contentHash: Sha256Hex,
  content: BundleContentSchema,
});
export type Bundle = z.output<typeof BundleSchema>;
export type BundleInput = z.input<typeof BundleSchema>;

// ---------------------------------------------------------------------------------------------
// Operations (for the host to wire up)

export const BundleExportSchema = z.strictObject({ projectId: ProjectIdSchema });

/** Largest bundle the app accepts over its own transport (base64 adds a third). */
export const BUNDLE_UPLOAD_BYTES = 256 * 1024 * 1024;
export const BundleImportSchema = z.strictObject({
  /** The bundle file, base64-encoded (the operations carry JSON). */
  data: z
    .string({ error: 'data must be the bundle file, base64-encoded' })
    .max(Math.ceil((BUNDLE_UPLOAD_BYTES * 4) / 3) + 4, { error: 'The bundle is larger than 256 MB' }),
  // Whether it is base64 is checked where it is decoded (the import's worker thread): a regex over
  // hundreds of MB would stall the host.
});

/** What `data` must look like (checked by whoever decodes it). */
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface BundleCounts {
  runs: number;
  metricPoints: number;
  notes: number;
  hypotheses: number;
  amendments: number;
  sweeps: number;
  figures: number;
  confounders: number;
  attachments: number;
  answers: number;
  revisions: number;
  evidence: number;
  /** Runs that were queued or training when exported: imported as interrupted. */
  interruptedRuns: number;
  /** Open sweeps with unfinished runs: closed on import so they are not trained again here. */
  closedSweeps: number;
}

/** How far an import has got (sent as `bundles:progress` events while the worker imports). */
export interface BundleProgress {
  phase: 'inflating' | 'checking' | 'staging' | 'writing';
  done: number;
  total: number;
}

export interface BundleImportResult {
  projectId: string;
  counts: BundleCounts;
  /** Old id → new id of everything that got a new id. */
  idMap: Record<'project' | 'runs' | 'notes' | 'hypotheses' | 'sweeps' | 'figures' | 'confounders' | 'attachments', Record<string, string>>;
  /** Plain words about anything that changed on the way in (interrupted runs, closed sweeps). */
  notices: string[];
}

/** "grokking-and-weight-decay.phenobook.json.gz" */
export function bundleFilename(title: string, compressed = true): string {
  const slug = title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'project';
  return `${slug}.phenobook.json${compressed ? '.gz' : ''}`;
}
