/**
 * Every operation name, without schemas, so the sandboxed preload can build its named functions
 * without bundling zod. `operations.ts` is checked against this list at compile time.
 */
export const OP_NAMES = [
  'app:info',
  'projects:list',
  'projects:get',
  'projects:create',
  'projects:update',
  'projects:setArchived',
  'projects:delete',
  'checklist:get',
  'checklist:answer',
  'checklist:revisions',
  'evidence:link',
  'notes:list',
  'notes:get',
  'notes:create',
  'notes:update',
  'notes:delete',
  'notes:linkRun',
  'hypotheses:list',
  'hypotheses:get',
  'hypotheses:create',
  'hypotheses:update',
  'hypotheses:lock',
  'hypotheses:delete',
  'hypotheses:linkRun',
  'hypotheses:check',
  'figures:create',
  'figures:get',
  'figures:list',
  'figures:delete',
  'plots:values',
  'notes:linkFigure',
  'attachments:add',
  'attachments:get',
  'attachments:list',
  'confounders:run',
  'confounders:list',
  'confounders:get',
  'confounders:delete',
  'hypotheses:linkConfounder',
  'bundles:export',
  'bundles:import',
  'notebook:search',
  'notebook:export',
  'notebook:report',
  'experiments:list',
  'experiments:files',
  'runs:start',
  'runs:list',
  'runs:get',
  'runs:metrics',
  'runs:metricNames',
  'runs:cancel',
  'runs:delete',
  'runs:rerun',
  'sweeps:start',
  'sweeps:check',
  'sweeps:list',
  'sweeps:get',
  'sweeps:cancel',
  'sweeps:collect',
  'sweeps:delete',
  'settings:get',
  'settings:update',
  'system:backend',
] as const;

export type OpName = (typeof OP_NAMES)[number];

export function isOpName(value: unknown): value is OpName {
  return typeof value === 'string' && (OP_NAMES as readonly string[]).includes(value);
}

/** Channel used for push events (Electron IPC) and the event stream path (browser mode). */
export const EVENT_CHANNEL = 'app:event';
