import type { AppEvent } from './events';
import type { OpInput, OpOutput } from './operations';
import { OP_NAMES, type OpName } from './names';
import type { Result } from './result';

type Domain<K extends string> = K extends `${infer D}:${string}` ? D : never;
type Verb<K extends string, D extends string> = K extends `${D}:${infer V}` ? V : never;

/** The renderer's view of the host: `api.projects.create({...})`, identical in both modes. */
export type Api = {
  [D in Domain<OpName>]: {
    [V in Verb<OpName, D>]: (input?: OpInput<`${D}:${V}` & OpName>) => Promise<Result<OpOutput<`${D}:${V}` & OpName>>>;
  };
} & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};

export type Invoke = (op: OpName, input: unknown) => Promise<Result<unknown>>;

/** Builds the nested named-function API over any transport. */
export function buildApi(invoke: Invoke, onEvent: Api['onEvent']): Api {
  const api: Record<string, Record<string, (input?: unknown) => Promise<Result<unknown>>>> = {};
  for (const name of OP_NAMES) {
    const [domain, verb] = name.split(':') as [string, string];
    (api[domain] ??= {})[verb] = (input?: unknown) => invoke(name, input);
  }
  return Object.assign(api, { onEvent }) as unknown as Api;
}
