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
import type { OpName } from './names';
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
  RunMetricsSchema,
  RunRefSchema,
  RunStartSchema,
  SettingsPatchSchema,
  type BackendReport,
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
  'experiments:list': op<ExperimentInfo[]>()(NoInput),
  'runs:start': op<RunSummary[]>()(RunStartSchema),
  'runs:list': op<RunSummary[]>()(RunListSchema.default({ projectId: null })),
  'runs:get': op<RunDetail>()(RunRefSchema),
  'runs:metrics': op<MetricSeries[]>()(RunMetricsSchema),
  'runs:cancel': op<RunSummary>()(RunRefSchema),
  'runs:delete': op<{ id: string }>()(RunRefSchema),
  'runs:rerun': op<RunSummary>()(RunRefSchema),
  'settings:get': op<Settings>()(NoInput),
  'settings:update': op<Settings>()(SettingsPatchSchema),
  'system:backend': op<BackendStatus>()(z.strictObject({ refresh: z.boolean().default(false) }).default({ refresh: false })),
} satisfies Record<OpName, OpDef<z.ZodType, unknown>>;

type Ops = typeof operations;
export type OpInput<K extends OpName> = z.input<Ops[K]['input']>;
export type OpParsed<K extends OpName> = z.output<Ops[K]['input']>;
export type OpOutput<K extends OpName> = NonNullable<Ops[K]['output']>;
