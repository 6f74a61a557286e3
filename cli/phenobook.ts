import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PHENOMENA, PHENOMENON_LABELS, type Project } from '../contract/projects';
import type { Result } from '../contract/result';
import { DatabaseTooNewError } from '../db/errors';
import { resolveDataDir } from '../host/data-dir';
import { dispatch } from '../host/handlers';
import { createAppContext, type AppContext } from '../services/app-context';

/** Exit codes of the headless interface (../shared/CLI.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

class UsageError extends Error {}

const USAGE = `Usage: phenobook <command> [options]

Commands:
  projects create --title TEXT [--phenomenon ${PHENOMENA.join('|')}]
                  [--question TEXT] [--tag TAG ...] [--json]
  projects list [--archived | --all] [--search TEXT] [--json]

Every command takes --data-dir DIR (default: $PHENOBOOK_DATA_DIR, else the app's data folder).
With --json, stdout carries exactly one JSON document.`;

const common = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...common, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function unwrap<T>(result: Result<unknown>): T {
  if (result.ok) return result.value as T;
  if (result.error.code === 'invalid_input') throw new UsageError(result.error.message);
  throw new Error(result.error.message);
}

function withContext<T>(dataDir: string | undefined, fn: (ctx: AppContext) => T): T {
  const ctx = createAppContext({ dataDir: resolveDataDir(dataDir), mode: 'browser' });
  try {
    return fn(ctx);
  } finally {
    ctx.close();
  }
}

function printProjects(projects: Project[]): void {
  if (projects.length === 0) {
    console.log('No projects.');
    return;
  }
  const width = Math.max(...projects.map((p) => p.title.length), 5);
  for (const p of projects) {
    const flags = p.archivedAt ? ' (archived)' : '';
    console.log(`${p.id}  ${p.title.padEnd(width)}  ${PHENOMENON_LABELS[p.phenomenon]}${flags}`);
  }
}

function projectsCommand(args: string[]): number {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parse(rest, {
      title: { type: 'string' },
      phenomenon: { type: 'string', default: 'other' },
      question: { type: 'string', default: '' },
      tag: { type: 'string', multiple: true, default: [] },
    });
    const project = withContext(values['data-dir'], (ctx) =>
      unwrap<Project>(
        dispatch(ctx, 'projects:create', {
          title: values.title ?? '',
          phenomenon: values.phenomenon,
          question: values.question,
          tags: values.tag,
        }),
      ),
    );
    if (values.json) console.log(JSON.stringify({ id: project.id, project }));
    else console.log(`Created project ${project.id}: ${project.title}`);
    return EXIT.ok;
  }
  if (sub === 'list') {
    const { values } = parse(rest, {
      archived: { type: 'boolean' },
      all: { type: 'boolean' },
      search: { type: 'string', default: '' },
    });
    const filter = values.all ? 'all' : values.archived ? 'archived' : 'active';
    const projects = withContext(values['data-dir'], (ctx) =>
      unwrap<Project[]>(dispatch(ctx, 'projects:list', { filter, search: values.search, sort: 'updated' })),
    );
    if (values.json) console.log(JSON.stringify({ projects }));
    else printProjects(projects);
    return EXIT.ok;
  }
  throw new UsageError(sub ? `Unknown projects command: ${sub}` : 'Missing projects command (create or list)');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(USAGE);
      return command ? EXIT.ok : EXIT.usage;
    }
    if (command === 'projects') return projectsCommand(rest);
    throw new UsageError(`Unknown command: ${command}`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`phenobook: ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (err instanceof DatabaseTooNewError) console.error(`phenobook: ${err.message}`);
    else console.error(`phenobook: ${(err as Error).message}`);
    return EXIT.failed;
  }
}
