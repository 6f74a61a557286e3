import { z } from 'zod';
import type { AppInfo } from './app';
import {
  ChecklistAnswerInputSchema,
  ChecklistProjectSchema,
  ChecklistRevisionsSchema,
  type ChecklistAnswer,
  type ChecklistRevision,
  type ChecklistState,
} from './checklist';
import {
  HypothesisCreateSchema,
  HypothesisListSchema,
  HypothesisRefSchema,
  HypothesisRunLinkSchema,
  HypothesisCheckSchema,
  type ConditionWarning,
  HypothesisUpdateSchema,
  type Hypothesis,
} from './hypotheses';
import type { OpName } from './names';
import {
  EvidenceLinkSchema,
  NotebookExportSchema,
  NotebookSearchSchema,
  type Evidence,
  type NotebookExport,
  type SearchHit,
} from './notebook';
import { FigureCreateSchema, FigureListSchema, FigureRefSchema, NoteFigureLinkSchema, type Figure, type FigureSummary } from './figures';
import { PlotValuesSchema, type RunValue } from './plots';
import { MetricRolesRefSchema, MetricRolesSetSchema, type MetricRolesState } from './metric-roles';
import { AttachmentAddSchema, AttachmentGetSchema, AttachmentListSchema, type Attachment, type AttachmentData } from './attachments';
import { BundleExportSchema, BundleImportSchema, type BundleImportResult } from './bundle';
import { ImportCommitSchema, ImportPreviewSchema, type ImportCommitResult, type ImportPreview } from './imports';
import {
  ConfounderListSchema,
  ConfounderRefSchema,
  ConfounderTestSchema,
  HypothesisConfounderLinkSchema,
  type ConfounderTest,
} from './confounders';
import { StartCheckSchema, SweepAdoptSchema, SweepListSchema, SweepRefSchema, SweepStartSchema, type Sweep, type SweepCollectResult, type SweepDetail } from './sweeps';
import type { FieldIssue } from './result';
import { NoteCreateSchema, NoteListSchema, NoteRefSchema, NoteRunLinkSchema, NoteUpdateSchema, type Note } from './notes';
import {
  ProjectArchiveSchema,
  ProjectCreateSchema,
  ProjectListQuerySchema,
  ProjectRefSchema,
  ProjectUpdateSchema,
  type Project,
} from './projects';
import {
  RunListSchema,
  RunMetricNamesSchema,
  RunMetricsSchema,
  RunRefSchema,
  RunStartSchema,
  SettingsPatchSchema,
  type BackendReport,
  type ExperimentFileEntry,
  type ExperimentInfo,
  type MetricSeries,
  type RunDetail,
  type RunSummary,
  type Settings,
} from './runs';

/** What the backend probe found: the backend a run would use now, or why none loads. */
export interface BackendStatus {
  backend: BackendReport | null;
  error?: string;
  checkedAt: string;
}

/** An operation: its input schema, and (as a phantom type) its output. */
export interface OpDef<I extends z.ZodType, O> {
  input: I;
  /** Never set at runtime; carries the output type. */
  readonly output?: O;
}
const op = <O>() => <I extends z.ZodType>(input: I): OpDef<I, O> => ({ input });

const NoInput = z.strictObject({}).default({});

export const operations = {
  'app:info': op<AppInfo>()(NoInput),
  'projects:list': op<Project[]>()(ProjectListQuerySchema.default({ search: '', filter: 'active', sort: 'updated' })),
  'projects:get': op<Project>()(ProjectRefSchema),
  'projects:create': op<Project>()(ProjectCreateSchema),
  'projects:update': op<Project>()(ProjectUpdateSchema),
  'projects:setArchived': op<Project>()(ProjectArchiveSchema),
  'projects:delete': op<{ id: string }>()(ProjectRefSchema),
  'checklist:get': op<ChecklistState>()(ChecklistProjectSchema),
  'checklist:answer': op<ChecklistAnswer>()(ChecklistAnswerInputSchema),
  'checklist:revisions': op<ChecklistRevision[]>()(ChecklistRevisionsSchema),
  'evidence:link': op<Evidence[]>()(EvidenceLinkSchema),
  'notes:list': op<Note[]>()(NoteListSchema),
  'notes:get': op<Note>()(NoteRefSchema),
  'notes:create': op<Note>()(NoteCreateSchema),
  'notes:update': op<Note>()(NoteUpdateSchema),
  'notes:delete': op<{ id: string }>()(NoteRefSchema),
  'notes:linkRun': op<Note>()(NoteRunLinkSchema),
  'hypotheses:list': op<Hypothesis[]>()(HypothesisListSchema),
  'hypotheses:get': op<Hypothesis>()(HypothesisRefSchema),
  'hypotheses:create': op<Hypothesis>()(HypothesisCreateSchema),
  'hypotheses:update': op<Hypothesis>()(HypothesisUpdateSchema),
  'hypotheses:lock': op<Hypothesis>()(HypothesisRefSchema),
  'hypotheses:delete': op<{ id: string }>()(HypothesisRefSchema),
  'hypotheses:linkRun': op<Hypothesis>()(HypothesisRunLinkSchema),
  'hypotheses:check': op<ConditionWarning[]>()(HypothesisCheckSchema),
  'figures:create': op<FigureSummary>()(FigureCreateSchema),
  'figures:get': op<Figure>()(FigureRefSchema),
  'figures:list': op<FigureSummary[]>()(FigureListSchema),
  'figures:delete': op<{ id: string }>()(FigureRefSchema),
  'plots:values': op<RunValue[]>()(PlotValuesSchema),
  'metricRoles:get': op<MetricRolesState>()(MetricRolesRefSchema),
  'metricRoles:set': op<MetricRolesState>()(MetricRolesSetSchema),
  'notes:linkFigure': op<Note>()(NoteFigureLinkSchema),
  'attachments:add': op<Attachment>()(AttachmentAddSchema),
  'attachments:get': op<AttachmentData>()(AttachmentGetSchema),
  'attachments:list': op<Attachment[]>()(AttachmentListSchema),
  'confounders:run': op<ConfounderTest>()(ConfounderTestSchema),
  'confounders:list': op<ConfounderTest[]>()(ConfounderListSchema),
  'confounders:get': op<ConfounderTest>()(ConfounderRefSchema),
  'confounders:delete': op<{ id: string }>()(ConfounderRefSchema),
  'hypotheses:linkConfounder': op<ConfounderTest[]>()(HypothesisConfounderLinkSchema),
  'bundles:export': op<{ filename: string; data: string; bytes: number }>()(BundleExportSchema),
  'bundles:import': op<BundleImportResult>()(BundleImportSchema),
  'imports:preview': op<ImportPreview>()(ImportPreviewSchema),
  'imports:commit': op<ImportCommitResult>()(ImportCommitSchema),
  'notebook:search': op<SearchHit[]>()(NotebookSearchSchema),
  'notebook:export': op<NotebookExport>()(NotebookExportSchema),
  'notebook:report': op<{ filename: string; html: string }>()(NotebookExportSchema),
  'experiments:list': op<ExperimentInfo[]>()(NoInput),
  'experiments:files': op<ExperimentFileEntry[]>()(NoInput),
  'runs:start': op<RunSummary[]>()(RunStartSchema),
  'runs:list': op<RunSummary[]>()(RunListSchema.default({ projectId: null })),
  'runs:get': op<RunDetail>()(RunRefSchema),
  'runs:metrics': op<MetricSeries[]>()(RunMetricsSchema),
  'runs:metricNames': op<string[]>()(RunMetricNamesSchema),
  'runs:cancel': op<RunSummary>()(RunRefSchema),
  'runs:delete': op<{ id: string }>()(RunRefSchema),
  'runs:rerun': op<RunSummary>()(RunRefSchema),
  'sweeps:start': op<Sweep>()(SweepStartSchema),
  'sweeps:check': op<FieldIssue[]>()(StartCheckSchema),
  'sweeps:list': op<Sweep[]>()(SweepListSchema.default({ projectId: null })),
  'sweeps:get': op<SweepDetail>()(SweepRefSchema),
  'sweeps:cancel': op<Sweep>()(SweepRefSchema),
  'sweeps:collect': op<SweepCollectResult>()(SweepRefSchema),
  'sweeps:delete': op<{ id: string }>()(SweepRefSchema),
  'sweeps:adopt': op<Sweep>()(SweepAdoptSchema),
  'settings:get': op<Settings>()(NoInput),
  'settings:update': op<Settings>()(SettingsPatchSchema),
  'system:backend': op<BackendStatus>()(z.strictObject({ refresh: z.boolean().default(false) }).default({ refresh: false })),
} satisfies Record<OpName, OpDef<z.ZodType, unknown>>;

type Ops = typeof operations;
export type OpInput<K extends OpName> = z.input<Ops[K]['input']>;
export type OpParsed<K extends OpName> = z.output<Ops[K]['input']>;
export type OpOutput<K extends OpName> = NonNullable<Ops[K]['output']>;
