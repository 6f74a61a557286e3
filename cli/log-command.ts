import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod';
import { parseMetricLine } from '../common/metric-line';
import { ProjectIdSchema } from '../contract/projects';
import type { LiveRun, LiveRunEnd } from '../services/external-runs.service';
import { ServiceError } from '../services/errors';
import { EXIT, parse, parseSets, UsageError, withContext } from './args';

/**
 * `phenobook log … -- CMD ARGS…` (or `CMD | phenobook log …`): records a run from the JSON lines a
 * training script prints, while everything else it prints reaches the terminal unchanged.
 */

const EXPERIMENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}$/;

const LogOptionsSchema = z.strictObject({
  project: ProjectIdSchema,
  name: z.string({ error: '--name is required' }).trim().min(1, { error: '--name is required' }).max(200, { error: '--name must be at most 200 characters' }),
  // The names bundles carry: letters, digits and _ . + - (no slashes, no spaces).
  experiment: z
    .string()
    .regex(EXPERIMENT_NAME, { error: '--experiment must be a name of letters, digits and _ . + - (no slashes or spaces)' })
    .optional(),
});

const ConfigFileSchema = z.record(z.string(), z.unknown(), { error: 'must hold one JSON object' });

/** How much of the command's stderr a failed run keeps as its reason. */
const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 4000;

/** The last lines of a stream, bounded in size whatever the stream prints. */
export class TailBuffer {
  private text = '';
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-STDERR_TAIL_CHARS * 2);
  }
  lines(): string {
    return this.text.trimEnd().split(/\r?\n/).slice(-STDERR_TAIL_LINES).join('\n').slice(-STDERR_TAIL_CHARS);
  }
}

/** A command line as a shell would take it back (shown as the run's origin). */
export function quoteCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The experiment an external run is grouped under: the script's file name, else the program's. */
export function experimentOf(argv: readonly string[]): string {
  const script = argv.slice(1).find((a) => /\.(py|sh|jl|r|lua|js|ts)$/i.test(a) && !a.startsWith('-'));
  // Kept to the characters an experiment name may have, so that the project still exports as a bundle.
  const name = path.basename(script ?? argv[0] ?? 'script').replace(/[^A-Za-z0-9_.+-]/g, '-').replace(/^[.+-]+/, '').slice(0, 100);
  return EXPERIMENT_NAME.test(name) ? name : 'script';
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read --config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--config ${file} ${parsed.error.issues[0]?.message ?? 'is not a JSON object'}`);
  return parsed.data;
}

/** What a finished `phenobook log` prints with --json (docs/cli.md). */
export interface LogResult {
  runId: string;
  projectId: string;
  status: 'done' | 'failed' | 'interrupted';
  error: string | null;
  points: number;
  lastStep: number;
  exitCode: number;
  signal: string | null;
}

type Outcome = { end: LiveRunEnd; exitCode: number; signal: string | null };

/**
 * Feeds one line to the run; returns false when the line is the script's own output. A database
 * error (the run deleted in the app, a full disk) is reported once and never stops the script.
 */
function lineFeeder(run: LiveRun, warn: (message: string) => void) {
  let warned = false;
  return (line: string): boolean => {
    const parsed = parseMetricLine(line);
    if (parsed.kind === 'other') return false;
    try {
      if (parsed.kind === 'point') run.append(parsed.point);
      else run.mergeConfig(parsed.config);
    } catch (err) {
      if (!warned) warn(`phenobook log: could not record metrics (${(err as Error).message}); the command goes on`);
      warned = true;
    }
    return true;
  };
}

const signalNumber = (signal: NodeJS.Signals): number => os.constants.signals[signal] ?? 0;

/** Runs argv, recording its stdout's metric lines; resolves once it has exited and its output is read. */
function runCommand(argv: string[], run: LiveRun, out: (line: string) => void, warn: (m: string) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const tail = new TailBuffer();
    let stopSignal: NodeJS.Signals | null = null;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(argv[0]!, argv.slice(1), { stdio: ['inherit', 'pipe', 'pipe'] });
    } catch (err) {
      // An argument spawn refuses outright (an empty program name, a NUL byte): no process at all.
      resolve({ end: { status: 'failed', error: `Could not start ${JSON.stringify(argv[0])}: ${(err as Error).message}` }, exitCode: 127, signal: null });
      return;
    }
    const feed = lineFeeder(run, warn);
    const lines = readline.createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (!feed(line)) out(line);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      tail.push(chunk);
    });
    // Ctrl-C or a scheduler's SIGTERM: the command gets it too, and the run ends interrupted. In a
    // terminal, Ctrl-C has already reached the command (it shares the terminal's foreground process
    // group): a second SIGINT would cut short what it does on the first (a Python script saving a
    // checkpoint in `except KeyboardInterrupt`).
    const forward = (signal: NodeJS.Signals) => {
      stopSignal ??= signal;
      if (signal === 'SIGINT' && process.stdin.isTTY) return;
      child.kill(signal);
    };
    const onInt = () => forward('SIGINT');
    const onTerm = () => forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    let startError: Error | null = null;
    child.on('error', (err) => {
      startError = err;
    });
    // 'close' comes after the command exited and its stdout and stderr were read to the end.
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      const stderrTail = tail.lines();
      const withTail = (reason: string) => (stderrTail ? `${reason}. Last lines of stderr:\n${stderrTail}` : reason);
      if (startError) {
        const error = `Could not start ${argv[0]}: ${(startError as NodeJS.ErrnoException).code ?? startError.message}`;
        resolve({ end: { status: 'failed', error }, exitCode: 127, signal: null });
      } else if (stopSignal) {
        const exitCode = code ?? 128 + signalNumber(signal ?? stopSignal);
        resolve({ end: { status: 'interrupted', error: `Interrupted (${stopSignal} to phenobook log)` }, exitCode, signal: signal ?? null });
      } else if (code === 0) {
        resolve({ end: { status: 'done' }, exitCode: 0, signal: null });
      } else if (signal) {
        resolve({ end: { status: 'failed', error: withTail(`Killed by ${signal}`) }, exitCode: 128 + signalNumber(signal), signal });
      } else {
        resolve({ end: { status: 'failed', error: withTail(`Exit code ${code}`) }, exitCode: code ?? EXIT.failed, signal: null });
      }
    });
  });
}

/** How long the piped form reads on after Ctrl-C, for what the writer prints as it stops. */
const PIPE_GRACE_MS = 5000;

/** The piped form: metric lines from stdin until it ends (the writer's exit status cannot be seen through a pipe). */
function readStdin(run: LiveRun, out: (line: string) => void, warn: (m: string) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const feed = lineFeeder(run, warn);
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    let stopSignal: NodeJS.Signals | null = null;
    let grace: NodeJS.Timeout | undefined;
    // The writer got the same Ctrl-C and may still print (its last metrics, "saving…"): read on to
    // the end of input for a while, so nothing is lost and it does not die of a broken pipe. A second
    // signal, or the grace running out, stops at once.
    const stop = (signal: NodeJS.Signals) => {
      if (stopSignal) {
        lines.close();
        return;
      }
      stopSignal = signal;
      grace = setTimeout(() => lines.close(), PIPE_GRACE_MS);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    lines.on('line', (line) => {
      if (!feed(line)) out(line);
    });
    lines.on('close', () => {
      clearTimeout(grace);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (stopSignal) resolve({ end: { status: 'interrupted', error: `Interrupted (${stopSignal} to phenobook log)` }, exitCode: 128 + signalNumber(stopSignal), signal: null });
      else resolve({ end: { status: 'done' }, exitCode: 0, signal: null });
    });
  });
}

export interface LogIo {
  /** The script's own stdout lines (not metrics). */
  out(line: string): void;
  /** phenobook log's own words. */
  warn(message: string): void;
}

const defaultIo = (json: boolean): LogIo => ({
  // With --json, stdout carries only the one JSON document: the script's own lines go to stderr.
  out: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
  warn: (message) => process.stderr.write(`${message}\n`),
});

export async function logCommand(args: string[], io?: LogIo): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash >= 0 ? args.slice(0, dash) : args;
  const argv = dash >= 0 ? args.slice(dash + 1) : [];
  const { values, positionals } = parse(own, {
    project: { type: 'string' },
    name: { type: 'string' },
    config: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    experiment: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]} (put the command after --: phenobook log … -- python train.py)`);
  if (dash >= 0 && argv.length === 0) throw new UsageError('Missing the command after --');
  if (values.project === undefined) throw new UsageError('--project ID is required');
  // Neither a command nor a pipe: it would wait for typing.
  if (argv.length === 0 && process.stdin.isTTY) throw new UsageError('Nothing to record: give the command after -- (phenobook log … -- python3 train.py) or pipe its output in');
  const checked = LogOptionsSchema.safeParse({ project: values.project, name: values.name, experiment: values.experiment });
  if (!checked.success) throw new UsageError(checked.error.issues[0]?.message ?? 'Invalid options');
  const options = checked.data;
  const config = { ...(values.config ? readConfigFile(values.config) : {}), ...parseSets(values.set) };
  const { out, warn } = io ?? defaultIo(values.json === true);
  // A reader that went away (`phenobook log … | head`) must not end the recording: the script's
  // own lines are then dropped, its metrics still stored.
  const ignoreClosedPipe = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  };
  process.stdout.on('error', ignoreClosedPipe);

  const result = await withContext(values['data-dir'], async (ctx) => {
    let run: LiveRun;
    try {
      run = ctx.externalRuns.startLive({
        projectId: options.project,
        name: options.name,
        experiment: options.experiment ?? (argv.length > 0 ? experimentOf(argv) : 'script'),
        origin: argv.length > 0 ? quoteCommand(argv) : 'stdin',
        config,
      });
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not_found') throw new UsageError(`No project ${options.project} in this data folder (see \`phenobook projects list\`)`);
      throw err;
    }
    // Its id first, on stderr: the run can be opened in the app while the script runs.
    warn(`phenobook log: recording run ${run.id} (${options.name})`);
    const outcome = argv.length > 0 ? await runCommand(argv, run, out, warn) : await readStdin(run, out, warn);
    try {
      run.finish(outcome.end);
    } catch (err) {
      warn(`phenobook log: could not record the end of run ${run.id} (${(err as Error).message})`);
    }
    return {
      runId: run.id,
      projectId: options.project,
      status: outcome.end.status,
      error: outcome.end.status === 'done' ? null : outcome.end.error,
      points: run.points,
      lastStep: run.lastStep,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
    } satisfies LogResult;
  });
  process.stdout.off('error', ignoreClosedPipe);
  if (values.json) console.log(JSON.stringify(result));
  else warn(`phenobook log: run ${result.runId} ${result.status}, ${result.points} points to step ${result.lastStep}`);
  // The command's own exit code, so that `phenobook log -- cmd` can stand in for `cmd` in scripts.
  return result.exitCode;
}
