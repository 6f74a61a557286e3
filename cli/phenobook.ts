import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PHENOMENA, PHENOMENON_LABELS, type Project } from '../contract/projects';
import { BACKEND_NAMES, type RunDetail, type RunSummary } from '../contract/runs';
import { DatabaseTooNewError } from '../db/errors';
import { dispatch } from '../host/handlers';
import { ServiceError } from '../services/errors';
import { forkTrainer } from '../services/fork-trainer';
import { probeBackend } from '../services/backend-probe';
import { gpuHelp } from '../trainer/native-support';
import { desktopReadiness } from './desktop-readiness';
import { distinguishingConfig } from '../common/config-diff';
import { describeFieldRange } from '../common/field-range';
import { DataArgsError, writeMnist1d } from './data-command';
import { progressPrinter, sweepProgressPrinter } from './progress';
import type { Sweep, SweepDetail } from '../contract/sweeps';
import { runReport } from './run-report';
import type { AppContext } from '../services/app-context';
import { resolveDataDir } from '../host/data-dir';
import { defaultExperimentsDir } from '../experiments/user/files';
import { starterFileName, starterNameError, starterSource } from '../experiments/user/starter';
import { EXIT, intFlag, parse, TRAINER_PATH, UsageError, unwrap, withContext } from './args';
import { readSpecFlag, SLURM_FLAGS, slurmOptions, slurmSweepCommand, sweepStatusCommand } from './slurm-commands';

export { EXIT };

const USAGE = `Usage: phenobook <command> [options]

Commands:
  projects create --title TEXT [--phenomenon ${PHENOMENA.join('|')}]
                  [--question TEXT] [--tag TAG ...] [--json]
  projects list [--archived | --all] [--search TEXT] [--json]
  run EXPERIMENT|./file.ts [--preset NAME] [--set key=value ...] [--seeds N | --seed S]
                 [--project ID] [--parallel N] [--backend ${BACKEND_NAMES.join('|')}] [--json]
  run --spec FILE [--json]    one SLURM array task's run, from its task spec
  sweep EXPERIMENT [--preset NAME] [--grid key=v1,v2,... ...] [--set key=value ...]
                   [--seeds N] [--project ID] [--parallel N] [--json]
                   [--executor local|slurm] [--partition P] [--time HH:MM:SS]
                   [--cpus-per-task N] [--gpus-per-task N] [--max-parallel N]
                   [--workdir DIR] [--dry-run | --no-submit]
                              --executor slurm: one sbatch --array job, a task per point × seed;
                              --no-submit writes and records it, and prints the sbatch to run by hand
  sweep status SWEEP_ID [--json]
                              a SLURM sweep's tasks as squeue/sacct and their outputs say
  sweep collect SWEEP_ID [--retry-failed] [--max-parallel N] [--job-id N] [--json]
                              import finished tasks' runs (exactly once); resubmit failed ones;
                              --job-id: the job id sbatch printed for a --no-submit sweep
  runs list [--project ID] [--json]
  runs export RUN_ID --csv
  experiments [--experiments DIR ...] [--json]
                              built-in and your own experiments (files in <data dir>/experiments
                              and DIR), their knobs and presets; files that do not load, with file:line
  experiments new NAME        a commented, working starter file <data dir>/experiments/NAME.ts
  data mnist1d [--set key=value ...] --out FILE.json
                              MNIST-1D exactly as published (defaults), or with other arguments
  bundle export PROJECT_ID --out FILE
                              the project, its runs, metrics, notes and figures as one file
  bundle import FILE [--json] a bundle as a new project (its content hash is checked first)
  doctor [--json]             which training backends load here, GPU or not, and why

Every command takes --data-dir DIR (default: $PHENOBOOK_DATA_DIR, else the app's data folder).
With --json, stdout carries exactly one JSON document. Reference: docs/cli.md in the repository.`;

/** `--set key=value`: numbers and booleans are typed, anything else stays text for the schema to judge. */
export function parseSets(sets: string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${item}"`);
    const key = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    // A data property even for "__proto__" (plain assignment would set the prototype and drop the
    // key silently): the schema then refuses it like any other unknown knob.
    Object.defineProperty(config, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return config;
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

async function projectsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parse(rest, {
      title: { type: 'string' },
      phenomenon: { type: 'string', default: 'other' },
      question: { type: 'string', default: '' },
      tag: { type: 'string', multiple: true, default: [] },
    });
    const project = await withContext(values['data-dir'], async (ctx) =>
      unwrap<Project>(
        await dispatch(ctx, 'projects:create', {
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
    const projects = await withContext(values['data-dir'], async (ctx) =>
      unwrap<Project[]>(await dispatch(ctx, 'projects:list', { filter, search: values.search, sort: 'updated' })),
    );
    if (values.json) console.log(JSON.stringify({ projects }));
    else printProjects(projects);
    return EXIT.ok;
  }
  throw new UsageError(sub ? `Unknown projects command: ${sub}` : 'Missing projects command (create or list)');
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    preset: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    seeds: { type: 'string' },
    seed: { type: 'string' },
    project: { type: 'string' },
    parallel: { type: 'string' },
    backend: { type: 'string' },
    spec: { type: 'string' },
  });
  // A SLURM array task: everything it runs comes from its spec file, nothing from flags.
  const spec = values.spec === undefined ? undefined : readSpecFlag(values.spec, positionals, values);
  const named = spec?.experiment ?? positionals[0];
  if (!named) throw new UsageError('Missing EXPERIMENT (see `phenobook experiments`)');
  const file = spec ? spec.file?.path : experimentFileArgument(named);
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  if (values.seeds !== undefined && values.seed !== undefined) throw new UsageError('Use --seeds N or --seed S, not both');
  const seeds = intFlag('seeds', values.seeds, 1, 20) ?? 1;
  const seed = intFlag('seed', values.seed, 0, 2 ** 32 - 1);
  if (values.backend !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(values.backend)) {
      throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${values.backend}"`);
    }
    process.env.PHENOBOOK_BACKEND = values.backend;
  }
  const config = spec ? spec.config : parseSets(values.set);
  if (seed !== undefined) config.seed = seed;
  const parallel = intFlag('parallel', values.parallel, 1, 64) ?? Math.min(seeds, os.availableParallelism());
  const preset = spec ? (spec.preset ?? undefined) : values.preset;

  return withContext(
    values['data-dir'],
    async (ctx) => {
      const experiment = file ? userExperimentKey(ctx, file, spec?.file?.sha256) : named;
      const started = unwrap<RunSummary[]>(
        await dispatch(ctx, 'runs:start', {
          projectId: values.project ?? null,
          experiment,
          preset,
          config,
          seeds,
        }),
      );
      const labels = new Map(started.map((r) => [r.id, started.length > 1 ? `[seed ${r.seed}]` : `[${experiment}]`]));
      const unsubscribe = ctx.events.subscribe(progressPrinter(labels));
      const stop = () => {
        process.stderr.write('\nCancelling…\n');
        for (const r of started) void dispatch(ctx, 'runs:cancel', { id: r.id });
      };
      // Ctrl-C, or a scheduler's SIGTERM: cancel cooperatively so stored metrics end cleanly.
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let finished: RunDetail[];
      try {
        finished = await ctx.runs.whenSettled(started.map((r) => r.id));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        unsubscribe();
      }
      const reports = finished.map((run) => runReport(run, ctx.runs.metrics({ id: run.id, maxPoints: 200_000 })));
      const resolved = ctx.runs.get(started[0]!.id).config;
      if (values.json) {
        const { seed: _seed, ...shared } = resolved;
        const task = spec ? { task: { sweepId: spec.sweepId, index: spec.index } } : {};
        console.log(JSON.stringify({ ...task, experiment, config: shared, runs: reports }));
      } else {
        for (const r of reports) {
          const f = r.final;
          const acc = [f.trainAcc, f.testAcc].map((v) => (typeof v === 'number' ? v.toFixed(3) : '–'));
          console.log(
            `${r.runId}  seed ${r.seed}  ${r.status}  ${r.backend ?? '?'}  ${r.steps} steps  ` +
              `${r.stepsPerSecond?.toFixed(1) ?? '–'} steps/s  train acc ${acc[0]}  test acc ${acc[1]}` +
              (r.error && r.status !== 'done' ? `\n  ${r.error}` : ''),
          );
        }
      }
      return reports.every((r) => r.status === 'done') ? EXIT.ok : EXIT.failed;
    },
    { train: true, parallel, experimentDirs: values.experiments, experimentFiles: file ? [file] : [], loadExperiments: true },
  );
}

/** `phenobook run ./path/file.ts`: an argument that names a file (by extension or a path separator) is one. */
function experimentFileArgument(arg: string): string | undefined {
  if (!/\.(m?ts|m?js)$/.test(arg) && !arg.includes('/') && !arg.includes(path.sep)) return undefined;
  const resolved = path.resolve(arg);
  if (!fs.existsSync(resolved)) throw new UsageError(`No such experiment file: ${resolved}`);
  return resolved;
}

function formatLoadError(e: { message: string; file: string; line?: number; column?: number }): string {
  return `${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ${e.message}`;
}

/** The key of the experiment a file defines, or a usage error with the file's load error. */
function userExperimentKey(ctx: AppContext, file: string, sha256?: string): string {
  const entry = ctx.userExperiments.entries.find((e) => e.path === file);
  if (sha256 && entry && entry.sha256 && entry.sha256 !== sha256) {
    // A SLURM task: the file it was submitted with is not the file there now.
    throw new Error(
      `The experiment file ${file} has changed since the sweep was submitted (SHA-256 ${sha256.slice(0, 12)}… in the task spec, ${entry.sha256.slice(0, 12)}… now): refusing to run it`,
    );
  }
  if (!entry || entry.error || !entry.key) throw new UsageError(`The experiment file does not load: ${entry?.error ? formatLoadError(entry.error) : file}`);
  return entry.key;
}

/** `--grid width=8,16,32`: one axis per flag, values typed like --set. */
export function parseGrid(items: string[]): { key: string; values: unknown[] }[] {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new UsageError(`--grid expects key=v1,v2,..., got "${item}"`);
    const key = item.slice(0, eq).trim();
    const values = item
      .slice(eq + 1)
      .split(',')
      .map((v) => parseSets([`${key}=${v}`])[key]);
    return { key, values };
  });
}

async function sweepCommand(args: string[]): Promise<number> {
  if (args[0] === 'status' || args[0] === 'collect') return sweepStatusCommand(args[0], args.slice(1));
  const { values, positionals } = parse(args, {
    preset: { type: 'string' },
    grid: { type: 'string', multiple: true, default: [] },
    set: { type: 'string', multiple: true, default: [] },
    seeds: { type: 'string' },
    project: { type: 'string' },
    parallel: { type: 'string' },
    ...SLURM_FLAGS,
  });
  const named = positionals[0];
  if (!named) throw new UsageError('Missing EXPERIMENT (see `phenobook experiments`)');
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  const file = experimentFileArgument(named);
  const seeds = intFlag('seeds', values.seeds, 1, 20) ?? 1;
  const grid = parseGrid(values.grid);
  const slurm = slurmOptions(values);
  if (slurm) {
    if (values.parallel !== undefined) throw new UsageError('--parallel is for local sweeps; on SLURM use --max-parallel');
    if (file) throw new UsageError('A SLURM sweep names an experiment by key: put the file in <data dir>/experiments or pass --experiments DIR');
    const start = { projectId: values.project ?? null, experiment: named, preset: values.preset, config: parseSets(values.set), grid, seeds };
    return slurmSweepCommand(values['data-dir'], values.json, start, slurm, { workdir: values.workdir, dryRun: values['dry-run'], noSubmit: values['no-submit'], experimentDirs: values.experiments });
  }
  const parallel = intFlag('parallel', values.parallel, 1, 64) ?? os.availableParallelism();
  const started = performance.now();
  return withContext(
    values['data-dir'],
    async (ctx) => {
      const experiment = file ? userExperimentKey(ctx, file) : named;
      const sweep = unwrap<Sweep>(
        await dispatch(ctx, 'sweeps:start', { projectId: values.project ?? null, experiment, preset: values.preset, config: parseSets(values.set), grid, seeds }),
      );
      const unsubscribe = ctx.events.subscribe(sweepProgressPrinter(() => ctx.sweeps.get(sweep.id)));
      const stop = () => {
        process.stderr.write('\nCancelling the sweep…\n');
        ctx.sweeps.cancel(sweep.id);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let done: SweepDetail;
      try {
        done = await ctx.sweeps.whenSettled(sweep.id);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        unsubscribe();
      }
      const wallSeconds = (performance.now() - started) / 1000;
      const { seed: _seed, ...config } = done.results.config;
      if (values.json) {
        console.log(JSON.stringify({ sweepId: done.id, ...done.results, config, measures: done.measures, wallSeconds, runs: done.progress.byStatus }));
      } else {
        const keys = [...done.grid.map((a) => a.key), ...(done.results.points.some((p) => 'remainingFraction' in p) ? ['remainingFraction'] : [])];
        for (const p of done.results.points) {
          const m = Object.entries(p.metrics)
            .filter(([name]) => ['testError', 'trainError', 'testAcc', 'l2', 'primeCount', 'pTrain', 'pTest', 'ticketTestAcc', 'randomMaskTestAcc', 'freshInitTestAcc'].includes(name))
            .map(([name, a]) => `${name} ${a.mean.toFixed(4)} ± ${a.std.toFixed(4)}`);
          console.log(`${keys.map((k) => `${k}=${String(p[k])}`).join(' ')}  (${p.seeds} seeds)  ${m.join('  ')}`);
        }
        console.log(`Sweep ${done.id}: ${done.progress.runs} runs in ${wallSeconds.toFixed(1)} s (${JSON.stringify(done.progress.byStatus)})`);
      }
      return done.progress.byStatus.done === done.progress.runs ? EXIT.ok : EXIT.failed;
    },
    { train: true, parallel, experimentDirs: values.experiments, experimentFiles: file ? [file] : [], loadExperiments: true },
  );
}

async function dataCommand(args: string[]): Promise<number> {
  const [dataset, ...rest] = args;
  if (dataset !== 'mnist1d') throw new UsageError(dataset ? `Unknown data set: ${dataset} (known: mnist1d)` : 'Missing data set (mnist1d)');
  const { values } = parse(rest, { set: { type: 'string', multiple: true, default: [] }, out: { type: 'string' } });
  if (!values.out) throw new UsageError('data mnist1d needs --out FILE.json');
  let written;
  try {
    written = writeMnist1d(parseSets(values.set), values.out);
  } catch (err) {
    if (err instanceof DataArgsError) throw new UsageError(`Invalid mnist1d arguments: ${err.message}`);
    throw err;
  }
  if (values.json) console.log(JSON.stringify(written));
  else console.log(`Wrote ${written.file}: ${written.nTrain} train and ${written.nTest} test sequences of length ${written.length}${written.labelsChanged ? `, ${written.labelsChanged} train labels changed by noise` : ''}`);
  return EXIT.ok;
}

async function bundleCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'export') {
    const { values, positionals } = parse(rest, { out: { type: 'string' } });
    const projectId = positionals[0];
    if (!projectId) throw new UsageError('Missing PROJECT_ID');
    if (!values.out) throw new UsageError('bundle export needs --out FILE');
    const out = values.out;
    const bytes = await withContext(values['data-dir'], async (ctx) => {
      const { data } = unwrap<{ data: string; bytes: number }>(await dispatch(ctx, 'bundles:export', { projectId }));
      const buffer = Buffer.from(data, 'base64');
      const tmp = `${out}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, buffer);
      fs.renameSync(tmp, out);
      return buffer.length;
    });
    if (values.json) console.log(JSON.stringify({ file: path.resolve(out), bytes }));
    else console.log(`Wrote ${path.resolve(out)} (${(bytes / 1024).toFixed(0)} KiB)`);
    return EXIT.ok;
  }
  if (sub === 'import') {
    const { values, positionals } = parse(rest, {});
    const file = positionals[0];
    if (!file) throw new UsageError('Missing FILE');
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      throw new UsageError(`Cannot read ${file}: ${(err as Error).message}`);
    }
    const result = await withContext(values['data-dir'], async (ctx) => {
      try {
        return await ctx.bundles.importOffThread(data);
      } catch (err) {
        if (err instanceof ServiceError && err.code !== 'internal') throw new UsageError(err.message);
        throw err;
      }
    });
    if (values.json) console.log(JSON.stringify({ projectId: result.projectId, counts: result.counts, notices: result.notices }));
    else {
      console.log(`Imported as project ${result.projectId}: ${result.counts.runs} runs, ${result.counts.metricPoints} metric points, ${result.counts.notes} notes, ${result.counts.hypotheses} hypotheses, ${result.counts.figures} figures, ${result.counts.attachments} attachments`);
      for (const n of result.notices) console.log(`  ${n}`);
    }
    return EXIT.ok;
  }
  throw new UsageError(sub ? `Unknown bundle command: ${sub}` : 'Missing bundle command (export or import)');
}

async function runsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parse(rest, { project: { type: 'string' } });
    const runs = await withContext(values['data-dir'], async (ctx) =>
      unwrap<RunSummary[]>(await dispatch(ctx, 'runs:list', { projectId: values.project ?? null })),
    );
    if (values.json) console.log(JSON.stringify({ runs }));
    else if (runs.length === 0) console.log('No runs.');
    else {
      // What tells runs of the same experiment apart: the config fields that differ between them.
      const differs = distinguishingConfig(runs);
      for (const r of runs) {
        const acc = r.final.testAcc;
        const preset = r.preset && r.preset !== 'default' ? `  ${r.preset}` : '';
        const config = differs.get(r.id) ? `  ${differs.get(r.id)}` : '';
        console.log(
          `${r.id}  ${r.experiment}${preset}${config}  seed ${r.seed}  ${r.status.padEnd(11)}  ${r.stepsDone}/${r.stepsTotal} steps  ` +
            `${r.backend ?? '–'}  test acc ${typeof acc === 'number' ? acc.toFixed(3) : '–'}`,
        );
      }
    }
    return EXIT.ok;
  }
  if (sub === 'export') {
    const { values, positionals } = parse(rest, { csv: { type: 'boolean' } });
    const id = positionals[0];
    if (!id) throw new UsageError('Missing RUN_ID');
    if (!values.csv) throw new UsageError('runs export needs --csv (the only format so far)');
    const rows = await withContext(values['data-dir'], async (ctx) => {
      unwrap<RunDetail>(await dispatch(ctx, 'runs:get', { id }));
      return ctx.runs.exportRows(id);
    });
    const lines = ['step,name,value', ...rows.map((r) => `${r.step},${r.name},${r.value ?? ''}`)];
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  }
  throw new UsageError(sub ? `Unknown runs command: ${sub}` : 'Missing runs command (list or export)');
}

async function experimentsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals[0] === 'new') return newExperimentCommand(values['data-dir'], positionals.slice(1));
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]} (did you mean \`experiments new NAME\`?)`);
  const { experiments, files } = await withContext(
    values['data-dir'],
    (ctx) => {
      const paths = new Map(ctx.userExperiments.entries.filter((e) => e.key && !e.error).map((e) => [e.key!, e.path]));
      return {
        experiments: ctx.runs.experiments().map((e) => ({ ...e, source: paths.has(e.key) ? 'file' : 'built-in', ...(paths.has(e.key) ? { path: paths.get(e.key) } : {}) })),
        files: ctx.userExperiments.entries,
      };
    },
    { experimentDirs: values.experiments, loadExperiments: true },
  );
  if (values.json) {
    console.log(JSON.stringify({ experiments, files }));
    return EXIT.ok;
  }
  for (const e of experiments) {
    const source = e.source === 'file' ? `  (yours: ${e.path})` : '';
    console.log(`${e.key} — ${e.title}${source}\n  ${e.description}\n  presets: ${e.presets.map((p) => p.name).join(', ')}`);
    for (const f of e.fields) {
      console.log(`    --set ${f.key}=…  ${describeFieldRange(f)}; default ${JSON.stringify(f.default)}. ${f.description}`);
    }
  }
  const broken = files.filter((f) => f.error);
  if (broken.length > 0) {
    console.log(`\nExperiment files that do not load (they cannot be started until fixed):`);
    for (const f of broken) console.log(`  ${formatLoadError(f.error!)}`);
  }
  return EXIT.ok;
}

/** `phenobook experiments new NAME`: a commented, working starter file in <data dir>/experiments. */
async function newExperimentCommand(dataDir: string | undefined, rest: string[]): Promise<number> {
  const name = rest[0];
  if (!name) throw new UsageError('Missing NAME: phenobook experiments new NAME');
  if (rest.length > 1) throw new UsageError(`Unexpected argument: ${rest[1]}`);
  const problem = starterNameError(name);
  if (problem) throw new UsageError(problem);
  const dir = defaultExperimentsDir(resolveDataDir(dataDir));
  const target = path.join(dir, starterFileName(name));
  if (fs.existsSync(target)) throw new UsageError(`${target} already exists; choose another NAME or edit that file`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(target, starterSource(name), { flag: 'wx' });
  console.log(`Wrote ${target}\nRun it with: phenobook run ${name}   (edit the file; Phenobook re-reads it when it changes)`);
  return EXIT.ok;
}

async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {});
  const spawn = forkTrainer(TRAINER_PATH);
  const chosen = await probeBackend(spawn);
  const each = await Promise.all(BACKEND_NAMES.map(async (name) => ({ name, ...(await probeBackend(spawn, name)) })));
  const report = {
    selected: chosen.backend,
    error: chosen.error ?? null,
    backends: each.map((b) => ({
      name: b.name,
      loads: b.backend !== null,
      gpu: b.backend?.gpu ?? false,
      reason: b.backend ? null : (b.error ?? null),
      versions: b.backend?.versions ?? null,
    })),
    gpuHelp: GPU_HELP,
    desktop: desktopReadiness(path.resolve(path.dirname(TRAINER_PATH), '..', '..')),
  };
  if (values.json) {
    console.log(JSON.stringify(report));
    return chosen.backend ? EXIT.ok : EXIT.failed;
  }
  console.log(chosen.backend ? `Runs train on: ${chosen.backend.name}${chosen.backend.gpu ? ' (GPU)' : ' (CPU)'}` : `No backend loads: ${chosen.error}`);
  for (const s of chosen.backend?.skipped ?? []) console.log(`  skipped ${s.name}: ${s.reason}`);
  console.log('\nEach backend on its own:');
  for (const b of report.backends) {
    const reason = b.reason ? `no — ${b.reason.replace(/^No TensorFlow.js backend could be loaded \((.*)\)$/, '$1')}` : 'yes';
    console.log(`  ${b.name.padEnd(14)} ${b.loads ? `loads${b.gpu ? ', GPU in use' : ''}` : reason}`);
  }
  if (!chosen.backend?.gpu) console.log(`\nGPU training:\n${GPU_HELP.map((l) => `  - ${l}`).join('\n')}`);
  const { desktop } = report;
  console.log(`\nDesktop mode: ${desktop.ready ? `ready (${desktop.electron})` : `not available — ${desktop.reason}`}`);
  for (const f of desktop.fix) console.log(`  - ${f}`);
  return chosen.backend ? EXIT.ok : EXIT.failed;
}

const GPU_HELP = gpuHelp(process.platform, process.arch);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(USAGE);
      return command ? EXIT.ok : EXIT.usage;
    }
    if (command === 'projects') return await projectsCommand(rest);
    if (command === 'run') return await runCommand(rest);
    if (command === 'runs') return await runsCommand(rest);
    if (command === 'sweep') return await sweepCommand(rest);
    if (command === 'data') return await dataCommand(rest);
    if (command === 'bundle') return await bundleCommand(rest);
    if (command === 'experiments') return await experimentsCommand(rest);
    if (command === 'doctor') return await doctorCommand(rest);
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
