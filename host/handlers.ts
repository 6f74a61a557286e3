import { bundleFilename } from '../contract/bundle';
import { isOpName, type OpName } from '../contract/names';
import { operations, type OpOutput, type OpParsed } from '../contract/operations';
import { inputShapeIssue } from '../contract/input-shape';
import { fail, ok, type Result } from '../contract/result';
import { ServiceError } from '../services/errors';
import { describeIssues, issuesOf } from '../services/zod-issues';
import type { AppContext } from '../services/app-context';

type Handlers = { [K in OpName]: (ctx: AppContext, input: OpParsed<K>) => OpOutput<K> | Promise<OpOutput<K>> };

/** Each operation's implementation; input is already parsed by its schema. */
const handlers: Handlers = {
  'app:info': (ctx) => ctx.info,
  'projects:list': (ctx, q) => ctx.projects.list(q),
  'projects:get': (ctx, { id }) => ctx.projects.get(id),
  'projects:create': (ctx, input) => ctx.projects.create(input),
  'projects:update': (ctx, input) => ctx.projects.update(input),
  'projects:setArchived': (ctx, input) => ctx.projects.setArchived(input),
  'projects:delete': (ctx, { id }) => ctx.projects.delete(id),
  'checklist:get': (ctx, { projectId }) => ctx.checklist.state(projectId),
  'checklist:answer': (ctx, input) => ctx.checklist.answer(input),
  'checklist:revisions': (ctx, { projectId, questionKey }) => ctx.checklist.revisions(projectId, questionKey),
  'evidence:link': (ctx, input) => ctx.notebook.link(input),
  'notes:list': (ctx, { projectId }) => ctx.notes.list(projectId),
  'notes:get': (ctx, { id }) => ctx.notes.get(id),
  'notes:create': (ctx, input) => ctx.notes.create(input),
  'notes:update': (ctx, input) => ctx.notes.update(input),
  'notes:delete': (ctx, { id }) => ctx.notes.delete(id),
  'notes:linkRun': (ctx, input) => ctx.notes.linkRun(input),
  'hypotheses:list': (ctx, { projectId }) => ctx.hypotheses.list(projectId),
  'hypotheses:get': (ctx, { id }) => ctx.hypotheses.get(id),
  'hypotheses:create': (ctx, input) => ctx.hypotheses.create(input),
  'hypotheses:update': (ctx, input) => ctx.hypotheses.update(input),
  'hypotheses:lock': (ctx, { id }) => ctx.hypotheses.lock(id),
  'hypotheses:delete': (ctx, { id }) => ctx.hypotheses.delete(id),
  'hypotheses:linkRun': (ctx, input) => ctx.hypotheses.linkRun(input),
  'hypotheses:check': (ctx, input) => ctx.hypotheses.check(input),
  'figures:create': (ctx, input) => ctx.figures.create(input),
  'figures:get': (ctx, { id }) => ctx.figures.get(id),
  'figures:list': (ctx, { projectId }) => ctx.figures.list(projectId),
  'plots:values': (ctx, { projectId, read }) => ctx.plots.values(projectId, read),
  'metricRoles:get': (ctx, { projectId }) => ctx.metricRoles.get(projectId),
  'metricRoles:set': (ctx, input) => ctx.metricRoles.set(input),
  'figures:delete': (ctx, { id }) => ctx.figures.delete(id),
  'notes:linkFigure': (ctx, input) => ctx.figures.linkToNote(input),
  'attachments:add': (ctx, input) => ctx.attachments.add(input),
  'attachments:get': (ctx, { projectId, sha256 }) => ctx.attachments.get(projectId, sha256),
  'attachments:list': (ctx, { projectId }) => ctx.attachments.list(projectId),
  'confounders:run': (ctx, input) => ctx.confounders.run(input),
  'confounders:list': (ctx, { projectId }) => ctx.confounders.list(projectId),
  'confounders:get': (ctx, { id }) => ctx.confounders.get(id),
  'confounders:delete': (ctx, { id }) => ctx.confounders.delete(id),
  'hypotheses:linkConfounder': (ctx, input) => ctx.confounders.linkHypothesis(input),
  'bundles:export': (ctx, { projectId }) => {
    const data = ctx.bundles.export(projectId);
    return { filename: bundleFilename(ctx.projects.get(projectId).title), data: data.toString('base64'), bytes: data.length };
  },
  'bundles:import': (ctx, { data }) => ctx.bundles.importOffThread(data),
  'imports:preview': (ctx, input) => ctx.imports.preview(input),
  'imports:commit': (ctx, input) => ctx.imports.commit(input),
  'notebook:search': (ctx, { projectId, query }) => ctx.notebook.search(projectId, query),
  'notebook:export': (ctx, { projectId }) => ctx.notebook.export(projectId, ctx.checklist, ctx.hypotheses),
  'notebook:report': (ctx, { projectId }) => ctx.notebook.report(projectId, ctx.checklist, ctx.hypotheses, ctx.info),
  'experiments:list': (ctx) => ctx.runs.experiments(),
  'experiments:files': (ctx) => ctx.userExperiments.entries,
  'runs:start': (ctx, input) => ctx.runs.start(input),
  'runs:list': (ctx, input) => ctx.runs.list(input),
  'runs:get': (ctx, { id }) => ctx.runs.get(id),
  'runs:metrics': (ctx, input) => ctx.runs.metrics(input),
  'runs:metricNames': (ctx, { projectId }) => ctx.runs.metricNames(projectId),
  'runs:cancel': (ctx, { id }) => ctx.runs.cancel(id),
  'runs:delete': (ctx, { id }) => ctx.runs.delete(id),
  'runs:rerun': (ctx, { id }) => ctx.runs.rerun(id),
  'sweeps:start': (ctx, input) => ctx.sweeps.start(input),
  'sweeps:check': (ctx, input) => ctx.sweeps.check(input),
  'sweeps:list': (ctx, { projectId }) => ctx.sweeps.list(projectId),
  'sweeps:get': (ctx, { id }) => ctx.sweeps.get(id),
  'sweeps:cancel': (ctx, { id }) => ctx.sweeps.cancel(id),
  'sweeps:collect': (ctx, { id }) => ctx.slurm.collect(id),
  'sweeps:delete': (ctx, { id }) => ctx.sweeps.delete(id),
  'sweeps:adopt': (ctx, input) => ctx.sweeps.adopt(input),
  'settings:get': (ctx) => ({ parallelRuns: ctx.runs.parallel }),
  'settings:update': (ctx, patch) => {
    if (patch.parallelRuns !== undefined) ctx.runs.setParallel(patch.parallelRuns);
    return { parallelRuns: ctx.runs.parallel };
  },
  'system:backend': (ctx, { refresh }) => ctx.backendStatus(refresh),
};



/**
 * The single entry point for every transport (IPC, HTTP, CLI): the input arrives as `unknown`,
 * is parsed by the operation's schema, and any failure becomes a structured error.
 */
export async function dispatch(ctx: AppContext, op: unknown, input: unknown): Promise<Result<unknown>> {
  if (!isOpName(op)) return fail('not_found', `Unknown operation: ${typeof op === 'string' ? op.slice(0, 80) : typeof op}`);
  // Before the schema: too deep a value would overflow the stack of anything that walks it.
  const shape = inputShapeIssue(input);
  if (shape) return fail('invalid_input', `Invalid input for ${op}: ${shape.path ? `${shape.path}: ` : ''}${shape.message}`, [shape]);
  let parsed;
  try {
    parsed = operations[op].input.safeParse(input);
  } catch (err) {
    // A schema that throws on some value is still the input's fault: never a 500.
    return fail('invalid_input', `Invalid input for ${op}: it could not be read (${(err as Error).message.slice(0, 100)})`, [{ path: '', message: 'could not be read' }]);
  }
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    return fail('invalid_input', `Invalid input for ${op}: ${describeIssues(issues)}`, issues);
  }
  try {
    const handler = handlers[op] as (ctx: AppContext, input: unknown) => unknown;
    return ok(await handler(ctx, parsed.data));
  } catch (err) {
    if (err instanceof ServiceError) return fail(err.code, err.message, err.issues);
    console.error(`[host] ${op} failed:`, err);
    return fail('internal', `${op} failed: ${(err as Error).message ?? String(err)}`);
  }
}
