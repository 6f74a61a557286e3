import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../host/handlers';
import { createAppContext } from '../services/app-context';
import type { RunDetail, RunSummary } from '../contract/runs';
import { experimentOf, logCommand, quoteCommand, type LogIo } from './log-command';
import { main } from './phenobook';

let dir: string;
let projectId: string;
let out: string[];
let said: string[];
const io: LogIo = { out: (l) => void out.push(l), warn: (m) => void said.push(m) };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-log-'));
  out = [];
  said = [];
  const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
  const r = await dispatch(ctx, 'projects:create', { title: 'Scripts', phenomenon: 'grokking' });
  if (!r.ok) throw new Error(r.error.message);
  projectId = (r.value as { id: string }).id;
  ctx.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The runs of the project, each with its stored metrics as [step, name, value]. */
async function stored(): Promise<(RunDetail & { rows: [number, string, number | null][] })[]> {
  const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
  try {
    const list = (await dispatch(ctx, 'runs:list', { projectId })) as { ok: true; value: RunSummary[] };
    return list.value.map((r) => ({ ...ctx.runs.get(r.id), rows: ctx.runs.exportRows(r.id).map((m) => [m.step, m.name, m.value] as [number, string, number | null]) }));
  } finally {
    ctx.close();
  }
}

/** `node -e SCRIPT` under phenobook log. */
const log = (script: string, ...flags: string[]) =>
  logCommand(['--project', projectId, '--name', 'exp-1', '--data-dir', dir, ...flags, '--', process.execPath, '-e', script], io);

const POINTS = `console.log(JSON.stringify({ step: 0, train_loss: 2.5 })); console.log(JSON.stringify({ step: 10, train_loss: 1.25, test_acc: 0.5 }));`;

describe('phenobook log -- CMD', () => {
  it('exit 0: the run is done with every point; other lines pass through unchanged; config and --set merge', async () => {
    const script = `
      console.log('epoch 1 starting');
      console.log(JSON.stringify({ config: { lr: 0.01, seed: 3 } }));
      ${POINTS}
      console.log('  {"loss": 1}  ');
      console.log('{"step": 1.5, "x": 1}');
      console.log('');
      process.stdout.write('last line without newline');`;
    expect(await log(script, '--set', 'width=128', '--set', 'lr=0.1')).toBe(0);
    expect(out).toEqual(['epoch 1 starting', '  {"loss": 1}  ', '{"step": 1.5, "x": 1}', '', 'last line without newline']);
    const [run] = await stored();
    expect(run).toMatchObject({
      status: 'done',
      error: null,
      source: 'script',
      name: 'exp-1',
      label: 'exp-1',
      backend: null,
      stepsTotal: 10,
      stepsDone: 10,
      seed: 3,
      config: { width: 128, lr: 0.01, seed: 3 },
      origin: expect.stringMatching(/ -e '/) as string,
    });
    expect(run!.rows).toEqual([
      [0, 'train_loss', 2.5],
      [10, 'test_acc', 0.5],
      [10, 'train_loss', 1.25],
    ]);
    expect(said).toEqual([`phenobook log: recording run ${run!.id} (exp-1)`, `phenobook log: run ${run!.id} done, 2 points to step 10`]);
  });

  it('exit 3: failed with the exit code and the tail of stderr, metrics kept, and phenobook log exits 3', async () => {
    const script = `${POINTS} console.error('Traceback (most recent call last):'); console.error('ValueError: loss went negative'); process.exit(3);`;
    expect(await log(script)).toBe(3);
    const [run] = await stored();
    expect(run!.status).toBe('failed');
    expect(run!.error).toBe('Exit code 3. Last lines of stderr:\nTraceback (most recent call last):\nValueError: loss went negative');
    expect(run!.rows).toHaveLength(3);
  });

  it('killed by SIGKILL: failed with the signal, metrics kept, exit 128 + 9', async () => {
    const script = `${POINTS} setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50);`;
    expect(await log(script)).toBe(137);
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'failed', error: 'Killed by SIGKILL', stepsDone: 10 });
    expect(run!.rows).toHaveLength(3);
  });

  it('a command that cannot start: failed, exit 127', async () => {
    expect(await logCommand(['--project', projectId, '--name', 'x', '--data-dir', dir, '--', path.join(dir, 'no-such-program')], io)).toBe(127);
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Could not start .*no-such-program: ENOENT$/) as string });
  });

  it('a program name spawn refuses outright: failed, exit 127, no run left running', async () => {
    expect(await logCommand(['--project', projectId, '--name', 'x', '--data-dir', dir, '--', ''], io)).toBe(127);
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Could not start "": /) as string });
  });

  it('--json prints one document, and the script\'s own lines go to stderr', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await logCommand(['--project', projectId, '--name', 'j', '--json', '--data-dir', dir, '--', process.execPath, '-e', `console.log('hello'); ${POINTS}`]);
    expect(code).toBe(0);
    expect(printed).toHaveLength(1);
    expect(JSON.parse(printed[0]!)).toMatchObject({ projectId, status: 'done', error: null, points: 2, lastStep: 10, exitCode: 0, signal: null });
    expect(write.mock.calls.map((c) => String(c[0]))).toContain('hello\n');
  });

  it('unknown project: exit 2 with a plain message, nothing written', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    const other = '00000000-0000-4000-8000-000000000000';
    expect(await main(['log', '--project', other, '--name', 'x', '--data-dir', dir, '--', process.execPath, '-e', POINTS])).toBe(2);
    expect(errors[0]).toMatch(new RegExp(`^phenobook: No project ${other} in this data folder`));
    expect(await stored()).toEqual([]);
    expect(await main(['log', '--name', 'x', '--data-dir', dir, '--', 'true'])).toBe(2);
    expect(errors[1]).toMatch(/^phenobook: --project ID is required/);
  });
});

const spawned: ReturnType<typeof spawn>[] = [];
// A test that fails half-way leaves no process behind.
afterEach(() => {
  for (const c of spawned.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The CLI from source in its own process: real signals, real stdin. */
function cliProcess(args: string[]) {
  // --data-dir before the command's `--` (anything after it belongs to the command).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'test', 'cli-entry.ts'), args[0]!, '--data-dir', dir, ...args.slice(1)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  spawned.push(child);
  return child;
}

function collect(child: ReturnType<typeof cliProcess>) {
  const text = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (c: string) => (text.stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (text.stderr += c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { text, exited };
}

describe('experimentOf', () => {
  it('names the experiment after the script, in the characters a bundle carries', () => {
    expect(experimentOf(['python3', '-u', 'train.py', '--lr', '0.1'])).toBe('train.py');
    expect(experimentOf(['python3', '/home/me/my runs/grok (v2).py'])).toBe('grok--v2-.py');
    expect(experimentOf(['./train'])).toBe('train');
    expect(experimentOf(['/usr/bin/env'])).toBe('env');
  });

  it('refuses an --experiment a bundle could not carry', async () => {
    await expect(logCommand(['--project', projectId, '--name', 'x', '--experiment', 'a/b', '--data-dir', dir, '--', 'true'], io)).rejects.toThrow(/--experiment must be a name/);
  });
});

const hasTerminal = fs.existsSync('/usr/bin/script') && fs.existsSync('/bin/bash');

/**
 * A real terminal: util-linux `script` runs the shell command on a pty, where Ctrl-C is typed, not
 * sent. Its shell is bash whatever $SHELL says: a non-interactive dash between the terminal and the
 * command dies of the Ctrl-C the command handles, and `script -e` then reports 130, not the
 * command's own status. Single commands are exec'd, so no shell stands in between at all.
 */
function inTerminal(shellCommand: string) {
  const terminal = spawn('/usr/bin/script', ['-qec', shellCommand, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SHELL: '/bin/bash' } });
  spawned.push(terminal);
  return terminal;
}

describe('phenobook log in its own process', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s to phenobook log reaches the command; the run ends interrupted with its metrics', async (signal, exitCode) => {
    // The command prints two points, says so, then waits to be stopped.
    const script = `${POINTS} console.log('ready'); setInterval(() => {}, 1000);`;
    const child = cliProcess(['log', '--project', projectId, '--name', 'int', '--', process.execPath, '-e', script]);
    const { text, exited } = collect(child);
    await vi.waitFor(() => expect(text.stdout).toContain('ready'), { timeout: 30_000, interval: 50 });
    child.kill(signal);
    const { code } = await exited;
    expect(code, text.stderr).toBe(exitCode);
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'interrupted', error: `Interrupted (${signal} to phenobook log)`, stepsDone: 10 });
    expect(run!.rows).toHaveLength(3);
  }, 60_000);

  it.skipIf(!hasTerminal)('Ctrl-C in a terminal reaches the command once, and the run ends interrupted', async () => {
    const countFile = path.join(dir, 'sigints');
    const childScript = path.join(dir, 'child.js');
    fs.writeFileSync(
      childScript,
      `let n = 0;
      process.on('SIGINT', () => { n++; if (n === 1) setTimeout(() => { require('fs').writeFileSync(${JSON.stringify(countFile)}, String(n)); process.exit(1); }, 500); });
      ${POINTS} console.log('ready'); setInterval(() => {}, 1000);`,
    );
    const entry = path.join(import.meta.dirname, '..', 'test', 'cli-entry.ts');
    const command = quoteCommand([process.execPath, '--import', 'tsx', entry, 'log', '--data-dir', dir, '--project', projectId, '--name', 'tty', '--', process.execPath, childScript]);
    const terminal = inTerminal(`exec ${command}`);
    const { text, exited } = collect(terminal);
    await vi.waitFor(() => expect(text.stdout).toContain('ready'), { timeout: 30_000, interval: 50 });
    terminal.stdin.write('\x03');
    const { code } = await exited;
    // The command's own exit code, through the terminal.
    expect(code, text.stdout).toBe(1);
    expect(fs.readFileSync(countFile, 'utf8')).toBe('1');
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'interrupted', error: 'Interrupted (SIGINT to phenobook log)', stepsDone: 10 });
    expect(run!.rows).toHaveLength(3);
  }, 60_000);

  // Deterministic twin of the test above: a command that has left the terminal's process group
  // gets no Ctrl-C from the terminal, so any SIGINT it sees would be phenobook log's own.
  it.skipIf(!hasTerminal)('in a terminal, phenobook log sends no SIGINT of its own', async () => {
    const childScript = path.join(dir, 'child.py');
    fs.writeFileSync(
      childScript,
      [
        'import json, os, signal, sys, time',
        'os.setpgid(0, 0)',
        'got = []',
        'signal.signal(signal.SIGINT, lambda *_: got.append(1))',
        'print(json.dumps({"step": 1, "loss": 1.0}), flush=True)',
        'print("ready", flush=True)',
        'time.sleep(1.5)',
        'print(f"sigints={len(got)}", flush=True)',
      ].join('\n'),
    );
    const entry = path.join(import.meta.dirname, '..', 'test', 'cli-entry.ts');
    const command = quoteCommand([process.execPath, '--import', 'tsx', entry, 'log', '--data-dir', dir, '--project', projectId, '--name', 'tty2', '--', 'python3', childScript]);
    const terminal = inTerminal(`exec ${command}`);
    const { text, exited } = collect(terminal);
    await vi.waitFor(() => expect(text.stdout).toContain('ready'), { timeout: 30_000, interval: 50 });
    terminal.stdin.write('\x03');
    await exited;
    expect(text.stdout).toContain('sigints=0');
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'interrupted', stepsDone: 1 });
  }, 60_000);

  it.skipIf(!hasTerminal)('piped form, Ctrl-C in a terminal: what the script prints as it stops is still read and kept', async () => {
    const childScript = path.join(dir, 'stopping.py');
    fs.writeFileSync(
      childScript,
      [
        'import json, time',
        'print(json.dumps({"step": 1, "loss": 1.0}), flush=True)',
        'print("ready", flush=True)',
        'try:',
        '    time.sleep(30)',
        'except KeyboardInterrupt:',
        '    time.sleep(0.3)',
        '    print(json.dumps({"step": 2, "loss": 0.5}), flush=True)',
        '    print("saved", flush=True)',
      ].join('\n'),
    );
    const entry = path.join(import.meta.dirname, '..', 'test', 'cli-entry.ts');
    const log = quoteCommand([process.execPath, '--import', 'tsx', entry, 'log', '--data-dir', dir, '--project', projectId, '--name', 'piped-tty']);
    const terminal = inTerminal(`python3 ${quoteCommand([childScript])} | ${log}`);
    const { text, exited } = collect(terminal);
    await vi.waitFor(() => expect(text.stdout).toContain('ready'), { timeout: 30_000, interval: 50 });
    terminal.stdin.write('\x03');
    await exited;
    expect(text.stdout).toContain('saved');
    expect(text.stdout).not.toContain('BrokenPipeError');
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'interrupted', error: 'Interrupted (SIGINT to phenobook log)', stepsDone: 2 });
    expect(run!.rows).toEqual([
      [1, 'loss', 1],
      [2, 'loss', 0.5],
    ]);
  }, 60_000);

  it('piped form: a second signal stops reading at once, even while the writer goes on', async () => {
    const child = cliProcess(['log', '--project', projectId, '--name', 'twice']);
    const { text, exited } = collect(child);
    child.stdin.write('{"step": 4, "loss": 0.25}\nready\n');
    await vi.waitFor(() => expect(text.stdout).toContain('ready'), { timeout: 30_000, interval: 50 });
    const sent = Date.now();
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const { code } = await exited;
    expect(code, text.stderr).toBe(130);
    // Well before the 5 s the first signal alone would have waited for the end of input.
    expect(Date.now() - sent).toBeLessThan(4000);
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'interrupted', stepsDone: 4 });
  }, 60_000);

  it('a reader of its stdout that goes away (| head -1) does not end the recording', async () => {
    const script = `for (let i = 0; i < 2000; i++) console.log('line ' + i + ' ' + 'x'.repeat(200)); ${POINTS}`;
    const child = cliProcess(['log', '--project', projectId, '--name', 'head', '--', process.execPath, '-e', script]);
    const { text, exited } = collect(child);
    child.stdout.once('data', () => child.stdout.destroy());
    const { code } = await exited;
    expect(code, text.stderr).toBe(0);
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'done', stepsDone: 10 });
    expect(run!.rows).toHaveLength(3);
  }, 60_000);

  it('piped form: reads stdin, passes other lines through, done at the end of input', async () => {
    const child = cliProcess(['log', '--project', projectId, '--name', 'piped']);
    const { text, exited } = collect(child);
    child.stdin.end(['warming up', '{"step": 1, "loss": 0.9}', '{"config": {"seed": 5}}', 'not json {', '{"step": 2, "loss": 0.7}', ''].join('\n'));
    const { code } = await exited;
    expect(code, text.stderr).toBe(0);
    expect(text.stdout).toBe('warming up\nnot json {\n');
    const [run] = await stored();
    expect(run).toMatchObject({ status: 'done', origin: 'stdin', experiment: 'script', seed: 5, stepsTotal: 2 });
    expect(run!.rows).toEqual([
      [1, 'loss', 0.9],
      [2, 'loss', 0.7],
    ]);
  }, 60_000);
});
