// Starts the real browser-mode host (`node scripts/start.mjs --web`) as a child process, the way
// a user does, and gives each test its own data folder. Readiness and shutdown are read from the
// host's own output lines, never guessed with sleeps.
import { test as base, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATABASE_FILE = 'phenobook.sqlite';

const READY_LINE = /^Phenobook is running at (http:\/\/127\.0\.0\.1:\d+\/)#token=([A-Za-z0-9_-]+)\r?$/;
const CLOSED_LINE = 'Phenobook stopped: database checkpointed and closed.';
/** An upper bound for start-up (it includes a rebuild when out/ is stale), not a wait. */
const START_LIMIT_MS = 45_000;
const STOP_LIMIT_MS = 15_000;

export interface OpResponse<T = unknown> {
  status: number;
  body: { ok: true; value: T } | { ok: false; error: { code: string; message: string; issues?: { path: string; message: string }[] } };
}

export interface Host {
  /** The link the host printed, token included. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  token: string;
  /** The host process id: trainer processes are its children. */
  pid: number;
  dataDir: string;
  databasePath: string;
  /** Everything the host printed so far (stdout and stderr). */
  output(): string;
  /** Calls an operation over HTTP as the app's own page would (token and same Origin). */
  op<T = unknown>(name: string, input?: unknown): Promise<OpResponse<T>>;
  /** Sends SIGINT and waits for exit; throws unless it exited 0 after checkpointing the database. */
  stop(): Promise<void>;
  /**
   * Kills the host with SIGKILL (a crash or power loss, no shutdown code runs) and waits until it
   * has exited; a later stop() then only waits for that exit.
   */
  crash(): Promise<void>;
  /**
   * SIGKILL to the host's whole process group (host and trainers at once, as a terminal's kill or
   * an OOM killer of the session would); needs startHost(dir, { group: true }).
   */
  crashGroup(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function newDataDir(prefix = 'phenobook-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface StartOptions {
  /** Launch as plain `npm start` does (desktop first, browser mode as the fallback) instead of `--web`. */
  desktopFirst?: boolean;
  /** Another checkout's launcher (scripts/start.mjs under that root). */
  root?: string;
  env?: Record<string, string | undefined>;
  /** The host leads a process group of its own, so the group can be killed at once. */
  group?: boolean;
}

export function startHost(dataDir: string, options: StartOptions = {}): Promise<Host> {
  const root = options.root ?? ROOT;
  const child = spawn(
    process.execPath,
    [path.join(root, 'scripts', 'start.mjs'), ...(options.desktopFirst ? [] : ['--web']), '--no-open', '--port', '0', '--data-dir', dataDir],
    { cwd: root, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.group === true },
  );
  running.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8'); // chunks as text, multi-byte characters never split
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (output += chunk));
  child.stderr!.on('data', (chunk: string) => (output += chunk));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );

  return new Promise<Host>((resolve, reject) => {
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The host did not print its URL within ${START_LIMIT_MS / 1000} s. Output:\n${output}`));
    }, START_LIMIT_MS);
    void closed.then(({ code, signal }) => {
      clearTimeout(limit);
      reject(new Error(`The host exited before it was ready (code ${code}, signal ${signal}). Output:\n${output}`));
    });

    // Whole lines only, so a URL split across two chunks is never read half-way.
    let pending = '';
    const onStdout = (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      const match = lines.map((line) => READY_LINE.exec(line)).find((m) => m !== null);
      if (!match) return;
      clearTimeout(limit);
      child.stdout!.off('data', onStdout);
      const base = match[1]!;
      const token = match[2]!;
      const origin = base.replace(/\/$/, '');
      let stopping: Promise<void> | undefined;
      let crashing: Promise<void> | undefined;
      resolve({
        url: `${base}#token=${token}`,
        origin,
        port: Number(new URL(base).port),
        token,
        pid: child.pid!,
        dataDir,
        databasePath: path.join(dataDir, DATABASE_FILE),
        output: () => output,
        async op<T>(name: string, input?: unknown): Promise<OpResponse<T>> {
          const res = await fetch(`${origin}/api/op/${name}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, Origin: origin, 'Content-Type': 'application/json' },
            body: JSON.stringify(input ?? {}),
          });
          return { status: res.status, body: (await res.json()) as OpResponse<T>['body'] };
        },
        crash: () =>
          (crashing ??= (async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            const { signal } = await closed;
            if (signal !== 'SIGKILL') throw new Error(`The host ended on ${signal} instead of SIGKILL. Output:\n${output}`);
          })()),
        crashGroup: () =>
          (crashing ??= (async () => {
            if (!options.group) throw new Error('crashGroup() needs startHost(dir, { group: true })');
            if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
            const { signal } = await closed;
            if (signal !== 'SIGKILL') throw new Error(`The host ended on ${signal} instead of SIGKILL. Output:\n${output}`);
          })()),
        stop: () =>
          crashing ??
          (stopping ??= (async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
            const guard = setTimeout(() => child.kill('SIGKILL'), STOP_LIMIT_MS);
            const { code, signal } = await closed;
            clearTimeout(guard);
            if (code !== 0) throw new Error(`The host exited with code ${code} (signal ${signal}). Output:\n${output}`);
            if (!output.includes(CLOSED_LINE)) {
              throw new Error(`The host exited without "${CLOSED_LINE}". Output:\n${output}`);
            }
          })()),
      });
    };
    child.stdout!.on('data', onStdout);
  });
}

interface HostFixtures {
  /** A fresh, empty data folder for this test (removed afterwards). */
  dataDir: string;
  /** Starts a host on `dir` (this test's data folder by default); it is stopped after the test. */
  launchHost: (dir?: string) => Promise<Host>;
  /** A host on this test's data folder, already running. */
  host: Host;
}

export const test = base.extend<HostFixtures>({
  // eslint-disable-next-line no-empty-pattern
  dataDir: async ({}, use) => {
    const dir = newDataDir();
    await use(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  },
  launchHost: async ({ dataDir }, use) => {
    const hosts: Host[] = [];
    await use(async (dir = dataDir) => {
      const host = await startHost(dir);
      hosts.push(host);
      return host;
    });
    // Every host must shut down cleanly, also the ones a test left running.
    for (const host of hosts) await host.stop();
  },
  host: async ({ launchHost }, use) => {
    await use(await launchHost());
  },
});

export { expect };
