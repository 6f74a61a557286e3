import { ImportError } from '../common/external-run';
import { ProjectIdSchema } from '../contract/projects';
import { ServiceError } from '../services/errors';
import type { StoreResult } from '../services/external-runs.service';
import { readJsonLines } from '../services/importers/jsonl';
import { EXIT, parse, UsageError, withContext } from './args';

/**
 * `phenobook import PATH --project ID`: a JSON-lines file (what `phenobook log` reads) as a finished
 * run, or a TensorBoard log, MLflow store or CSV file (services/importers) as its runs.
 */
export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { project: { type: 'string' } });
  const file = positionals[0];
  if (!file) throw new UsageError('Missing PATH (a .jsonl file of metric lines, a TensorBoard log folder, an MLflow store or a CSV file)');
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  if (values.project === undefined) throw new UsageError('--project ID is required');
  const project = ProjectIdSchema.safeParse(values.project);
  if (!project.success) throw new UsageError(project.error.issues[0]?.message ?? 'Invalid --project');
  // The whole file is read and checked before the database is opened: a malformed line writes nothing.
  let plan;
  try {
    // The other readers (protobufjs, yaml, csv-parse) load only here: every other command starts without them.
    plan = /\.(jsonl|ndjson)$/i.test(file) ? await readJsonLines(file) : await (await import('../services/importers/index')).readImport(file);
  } catch (err) {
    if (err instanceof ImportError) throw new UsageError(err.message);
    throw err;
  }
  const result = await withContext(values['data-dir'], (ctx): StoreResult => {
    try {
      return ctx.externalRuns.store(project.data, plan);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not_found') throw new UsageError(`No project ${project.data} in this data folder (see \`phenobook projects list\`)`);
      if (err instanceof ServiceError && err.code === 'invalid_input') throw new UsageError(err.message);
      throw err;
    }
  });
  if (values.json) console.log(JSON.stringify({ projectId: project.data, source: plan.source, ...result }));
  else {
    for (const a of result.added) console.log(`Imported ${a.name} as run ${a.id} (${a.points} metric points)`);
    for (const s of result.skipped) console.log(`Skipped ${s.name}: this project already has that content${s.existingId ? ` (run ${s.existingId})` : ''}`);
    for (const n of result.notes) console.log(`  ${n}`);
  }
  return EXIT.ok;
}
