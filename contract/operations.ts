import { z } from 'zod';
import type { AppInfo } from './app';
import type { OpName } from './names';
import {
  ProjectArchiveSchema,
  ProjectCreateSchema,
  ProjectListQuerySchema,
  ProjectRefSchema,
  ProjectUpdateSchema,
  type Project,
} from './projects';

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
} satisfies Record<OpName, OpDef<z.ZodType, unknown>>;

type Ops = typeof operations;
export type OpInput<K extends OpName> = z.input<Ops[K]['input']>;
export type OpParsed<K extends OpName> = z.output<Ops[K]['input']>;
export type OpOutput<K extends OpName> = NonNullable<Ops[K]['output']>;
