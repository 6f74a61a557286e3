// Shared by the e2e tests of `phenobook log`: a command under `phenobook log` on the host's data
// folder (another process, as from a researcher's terminal), the run it records, and the run page's
// loss chart growing while the run is still Running.
import { type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, ROOT, type Host } from './host';

const BIN = path.join(ROOT, 'bin', 'phenobook.js');

export interface LoggedRun {
  id: string;
  name: string | null;
  status: string;
  error: string | null;
  source: string;
  origin: string | null;
  stepsDone: number;
  config: Record<string, unknown>;
}

export async function ok<T>(host: Host, name: string, input?: unknown): Promise<T> {
  const res = await host.op<T>(name, input);
  if (!res.body.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body.error)}`);
  return res.body.value;
}

/** `phenobook log --project ID --name NAME -- COMMAND…` on the host's data folder. */
export function logCommand(host: Host, projectId: string, name: string, command: readonly string[]) {
  const child = spawn(process.execPath, [BIN, 'log', '--data-dir', host.dataDir, '--project', projectId, '--name', name, '--', ...command], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** The run the CLI created, once the host can read it. */
export async function runNamed(host: Host, projectId: string, name: string): Promise<LoggedRun> {
  let found: LoggedRun | undefined;
  await expect
    .poll(async () => (found = (await ok<LoggedRun[]>(host, 'runs:list', { projectId })).find((r) => r.name === name)), {
      message: `run ${name} stored`,
      timeout: 30_000,
    })
    .toBeDefined();
  return found!;
}

export const runStatus = (page: Page) => page.getByTestId('run-title').locator('xpath=..').locator('[data-status]');
export const runRow = (page: Page, id: string) => page.getByTestId('runs-table').locator(`tr[data-run-id="${id}"]`);

/** Points per trace of the loss chart (Plotly keeps its traces on the div). */
export const lossPoints = (page: Page) =>
  page.getByTestId('chart-loss').evaluate((el) => ((el as unknown as { data?: { x: unknown[] }[] }).data ?? []).map((t) => t.x.length));

/** Waits until the run page's loss chart has grown at least twice while the status says Running; returns the counts seen. */
export async function watchLossGrowWhileRunning(page: Page, timeout: number): Promise<number[]> {
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        const [points, status] = await Promise.all([lossPoints(page).catch(() => [] as number[]), runStatus(page).getAttribute('data-status')]);
        const n = points[0] ?? 0;
        if (status === 'running' && n > (seen.at(-1) ?? 0)) seen.push(n);
        return seen.length;
      },
      { message: 'loss chart point counts seen while Running', intervals: [200], timeout },
    )
    .toBeGreaterThanOrEqual(3);
  return seen;
}
